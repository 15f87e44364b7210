import { describe, expect, it } from 'vitest';
import { sersicB, sersicBDerivative } from '../sersic-math';
import { sersic } from './sersic';
import { SERSIC_TABLE, sersicTable } from './sersic-table';

const LN10 = Math.LN10;

/** points along a ray at angle `angle` from the centre (x0, y0), radii log-spaced in [rMin, rMax] */
function ray(n: number, rMin: number, rMax: number, x0: number, y0: number, angle: number): { x: Float64Array; y: Float64Array; r: Float64Array } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    r[i] = rMin * (rMax / rMin) ** (i / (n - 1));
    x[i] = x0 + r[i] * Math.cos(angle);
    y[i] = y0 + r[i] * Math.sin(angle);
  }
  return { x, y, r };
}

/** the closed forms of sersic.ts's doc comment, at elliptical radius R */
function closed(R: number, n: number, Re: number, Ie: number): { f: number; dR: number; dn: number; dRe: number; dIe: number } {
  const b = sersicB(n);
  const s = (R / Re) ** (1 / n);
  const f = 10 ** Ie * Math.exp(b * (1 - s));
  return {
    f,
    dR: (-f * b * s) / (n * R),
    dn: f * (-sersicBDerivative(n) * (s - 1) + (b * s * Math.log(R / Re)) / (n * n)),
    dRe: (f * b * s) / (n * Re),
    dIe: f * LN10,
  };
}

describe('Sersic profile table', () => {
  // bounds of the table's doc comment: where f > 1e-5 f(0)
  const cases: [number, number][] = [
    [0.36, 5e-7],
    [0.5, 2e-7],
    [1, 2e-8],
    [1.5, 2e-8],
    [3, 2e-8],
    [8, 2e-8],
  ];
  for (const [n, bound] of cases) {
    it(`n = ${n}: value and derivatives against the closed form within ${bound} relative (f > 1e-5 f(0)); brighter half within 1e-9`, () => {
      for (const Re of [0.7, 5, 25]) {
        const Ie = 1.3;
        // along the major axis (PA = 0.4, q = 0.6): R = r
        const pts = ray(4000, 1e-3, 60 * Re, 10.2, -3.1, 0.4);
        const out = new Float64Array(pts.x.length);
        const jac = Array.from({ length: 7 }, () => new Float64Array(pts.x.length));
        sersic.evaluate([10.2, -3.1, 0.6, 0.4, n, Re, Ie], pts, out, jac, pts.x.length);
        const f0 = 10 ** Ie * Math.exp(sersicB(n));
        let checked = 0;
        for (let i = 0; i < out.length; i++) {
          const c = closed(pts.r[i], n, Re, Ie);
          if (c.f < 1e-5 * f0) continue;
          checked++;
          const tolF = c.f > 0.5 * 10 ** Ie ? 1e-9 : bound;
          expect(Math.abs(out[i] / c.f - 1), `f at R = ${pts.r[i]}, Re = ${Re}`).toBeLessThan(tolF);
          // d/dx0 along the major axis = -cos(PA) df/dR
          expect(Math.abs(jac[0][i] / (-Math.cos(0.4) * c.dR) - 1), `df/dx0 at R = ${pts.r[i]}`).toBeLessThan(3 * bound);
          expect(Math.abs(jac[5][i] / c.dRe - 1), `df/dRe at R = ${pts.r[i]}`).toBeLessThan(3 * bound);
          expect(Math.abs(jac[6][i] / c.dIe - 1)).toBeLessThan(tolF);
          // df/dn changes sign: compare on the scale of its two terms
          const sr = (pts.r[i] / Re) ** (1 / n);
          const scale = c.f * (Math.abs(sersicBDerivative(n)) * (sr + 1) + (sersicB(n) * sr * Math.abs(Math.log(pts.r[i] / Re))) / (n * n));
          expect(Math.abs(jac[4][i] - c.dn) / scale, `df/dn at R = ${pts.r[i]}`).toBeLessThan(3 * bound);
        }
        expect(checked).toBeGreaterThan(1000);
      }
    });
  }

  it('uses the closed form outside its octaves and at the centre; the same values whatever was evaluated before', () => {
    const lo = 2 ** SERSIC_TABLE.MIN_EXP;
    // R^2 below the table, exactly zero, and above it
    const x = Float64Array.from([3, 3 + Math.sqrt(lo) / 2, 3 + 2 ** 16, 3 + 0.5]);
    const y = new Float64Array(4).fill(2);
    const p = [3, 2, 1, 0, 2.5, 4, 0.7];
    const a = new Float64Array(4);
    sersic.evaluate(p, { x, y }, a, null, 4);
    const R = [0, Math.sqrt(lo) / 2, 2 ** 16, 0.5];
    for (let i = 0; i < 3; i++) expect(a[i]).toBe(closedAt(R[i], p));
    expect(Math.abs(a[3] / closedAt(0.5, p) - 1)).toBeLessThan(1e-9);
    // other parameter sets in between (more than the table cache holds), then the first again: bit-identical
    for (let k = 0; k < 6; k++) sersic.evaluate([3, 2, 1, 0, 1 + k, 4, 0.7], { x, y }, new Float64Array(4), null, 4);
    const b = new Float64Array(4);
    sersic.evaluate(p, { x, y }, b, null, 4);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(sersicTable(2.5, 4, 0.7).b).toBe(sersicB(2.5));
  });
});

function closedAt(R: number, p: number[]): number {
  const n = p[4];
  const b = sersicB(n);
  const lnI = p[6] * LN10 + b;
  if (R === 0) return Math.exp(lnI);
  return Math.exp(lnI - b * Math.exp((0.5 / n) * Math.log(R * R) - Math.log(p[5]) / n));
}
