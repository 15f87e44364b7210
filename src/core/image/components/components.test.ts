import { describe, expect, it } from 'vitest';
import type { ComponentType } from '../../model/component-type';
import { exponentialDisk, flatSky, gaussian2d, getImageComponentType, imageComponentTypeNames, imageComponentTypes, moffat2d, planeSky, pointSource, sersic } from './registry';
import { sersicB } from '../sersic-math';

/** scattered points around (5, 4), none exactly at a centre */
function points(): { x: Float64Array; y: Float64Array } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 9; i++) {
    for (let j = 0; j < 11; j++) {
      xs.push(j * 1.013 - 0.31 + 0.1 * Math.sin(i));
      ys.push(i * 0.987 - 0.27 + 0.1 * Math.cos(j));
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
}

function evaluate(t: ComponentType, p: number[], c: { x: Float64Array; y: Float64Array }): { out: Float64Array; jac: Float64Array[] } {
  const n = c.x.length;
  const out = new Float64Array(n).fill(123);
  const jac = t.params().map(() => new Float64Array(n).fill(-456));
  t.evaluate(p, c, out, jac, n);
  const plain = new Float64Array(n);
  t.evaluate(p, c, plain, null, n);
  for (let i = 0; i < n; i++) expect(plain[i]).toBe(out[i]); // same numbers with and without jac
  return { out, jac };
}

const cases: { t: ComponentType; p: number[][] }[] = [
  { t: sersic, p: [[5.2, 3.9, 0.6, 0.7, 1.5, 3, 0.3], [4.9, 4.3, 0.9, -2.1, 4, 2.2, -0.4], [5, 4, 0.35, 2.9, 0.5, 6, 1], [5.1, 4.05, 0.8, 0.3, 7.5, 1.2, 0]] },
  { t: exponentialDisk, p: [[5.2, 3.9, 0.6, 0.7, 3, 0.3], [4.9, 4.3, 0.2, -1.1, 8, 1]] },
  { t: gaussian2d, p: [[5.2, 3.9, 0.6, 0.7, 2.5, 2], [4.9, 4.3, 0.95, 4.1, 1.1, -1]] },
  { t: moffat2d, p: [[5.2, 3.9, 0.6, 0.7, 2.5, 3, 1], [4.9, 4.3, 0.3, -0.4, 0.8, 1.5, 0]] },
  { t: pointSource, p: [[5.3, 3.6, 0.4], [4.8, 4.45, -0.3]] },
  { t: flatSky, p: [[0.7], [-2]] },
  { t: planeSky, p: [[0.7, 0.01, -0.03], [-1, 1e-3, 2e-3]] },
];

describe('2D components: analytic derivatives vs central finite differences', () => {
  for (const { t, p: sets } of cases) {
    it(`${t.type}: every parameter`, () => {
      const c = points();
      const names = t.params().map((s) => s.name);
      expect(t.dims).toBe(2);
      for (const p of sets) {
        expect(p.length).toBe(names.length);
        const { out, jac } = evaluate(t, p, c);
        let fmax = 0;
        for (const v of out) fmax = Math.max(fmax, Math.abs(v));
        for (let k = 0; k < p.length; k++) {
          const h = 1e-5 * Math.max(1, Math.abs(p[k]));
          const up = p.slice();
          const dn = p.slice();
          up[k] += h;
          dn[k] -= h;
          const fu = new Float64Array(c.x.length);
          const fd = new Float64Array(c.x.length);
          t.evaluate(up, c, fu, null, c.x.length);
          t.evaluate(dn, c, fd, null, c.x.length);
          let worst = 0;
          let scale = 0;
          for (let i = 0; i < c.x.length; i++) {
            const num = (fu[i] - fd[i]) / (2 * h);
            scale = Math.max(scale, Math.abs(num), Math.abs(jac[k][i]));
            worst = Math.max(worst, Math.abs(num - jac[k][i]) / (Math.abs(num) + 1e-6 * fmax));
          }
          expect(worst, `${t.type} d/d${names[k]} at ${p.join(', ')}`).toBeLessThan(2e-5);
          expect(scale, `${t.type} d/d${names[k]} should not vanish`).toBeGreaterThan(0);
        }
      }
    });
  }
});

describe('2D component values', () => {
  it('Sersic: I(Re along the major axis) = 10^Ie, centre 10^Ie e^b; minor axis at q Re', () => {
    const pa = 0.6;
    const Re = 4;
    const q = 0.5;
    const p = [10, 20, q, pa, 2.5, Re, 0.5];
    const x = Float64Array.of(10 + Re * Math.cos(pa), 10 - q * Re * Math.sin(pa), 10);
    const y = Float64Array.of(20 + Re * Math.sin(pa), 20 + q * Re * Math.cos(pa), 20);
    const out = new Float64Array(3);
    sersic.evaluate(p, { x, y }, out, null, 3);
    expect(out[0]).toBeCloseTo(10 ** 0.5, 12);
    expect(out[1]).toBeCloseTo(10 ** 0.5, 12);
    expect(out[2] / (10 ** 0.5 * Math.exp(sersicB(2.5)))).toBeCloseTo(1, 12);
    // the centre: derivatives are defined as 0 there (cusp, symmetric)
    const jac = sersic.params().map(() => new Float64Array(3));
    sersic.evaluate(p, { x, y }, out, jac, 3);
    expect(Math.abs(jac[0][2])).toBe(0);
    expect(Math.abs(jac[1][2])).toBe(0);
  });

  it('Sersic at n = 1 equals the exponential disk (to the Sersic table\'s accuracy, sersic-table.ts)', () => {
    const c = points();
    const a = new Float64Array(c.x.length);
    const b = new Float64Array(c.x.length);
    sersic.evaluate([5, 4, 0.7, 0.3, 1, 3, 0.2], c, a, null, a.length);
    exponentialDisk.evaluate([5, 4, 0.7, 0.3, 3, 0.2], c, b, null, b.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] / b[i] - 1)).toBeLessThan(2e-8);
  });

  it('Gaussian2D peak 10^flux / (2 pi sigma^2 q); Moffat centre 10^I0 and half at R = Rd sqrt(2^(1/n) - 1)', () => {
    const out = new Float64Array(2);
    gaussian2d.evaluate([1, 2, 0.5, 0, 2, 1], { x: Float64Array.of(1, 3), y: Float64Array.of(2, 2) }, out, null, 2);
    expect(out[0]).toBeCloseTo(10 / (2 * Math.PI * 4 * 0.5), 12);
    expect(out[1] / out[0]).toBeCloseTo(Math.exp(-0.5), 12);
    const r = 1.5 * Math.sqrt(2 ** (1 / 2.5) - 1);
    moffat2d.evaluate([0, 0, 1, 0, 2.5, 1.5, 0.3], { x: Float64Array.of(0, r), y: Float64Array.of(0, 0) }, out, null, 2);
    expect(out[0]).toBeCloseTo(10 ** 0.3, 12);
    expect(out[1] / out[0]).toBeCloseTo(0.5, 12);
  });

  it('PA rotates the major axis from +x towards +y', () => {
    // PA = pi/2: major axis along y; a point 3 px along +y is brighter than 3 px along +x
    const out = new Float64Array(2);
    exponentialDisk.evaluate([0, 0, 0.5, Math.PI / 2, 3, 0], { x: Float64Array.of(0, 3), y: Float64Array.of(3, 0) }, out, null, 2);
    expect(out[0]).toBeGreaterThan(out[1]);
  });

  it('sky components', () => {
    const out = new Float64Array(2);
    planeSky.evaluate([1, 0.5, -0.25], { x: Float64Array.of(0, 2), y: Float64Array.of(0, 4) }, out, null, 2);
    expect(Array.from(out)).toEqual([10, 10 + 1 - 1]);
    flatSky.evaluate([2], { x: Float64Array.of(0, 2), y: Float64Array.of(0, 4) }, out, null, 2);
    expect(Array.from(out)).toEqual([100, 100]);
  });
});

describe('registry', () => {
  it('lists the seven 2D types with AstroPhot parameter names and natural bounds', () => {
    expect(imageComponentTypeNames).toEqual(['Sersic', 'ExponentialDisk', 'Gaussian2D', 'Moffat2D', 'PointSource', 'FlatSky', 'PlaneSky']);
    expect(pointSource.params().map((p) => p.name)).toEqual(['x', 'y', 'flux']);
    for (const name of imageComponentTypeNames) expect(getImageComponentType(name)).toBe(imageComponentTypes[name]);
    expect(getImageComponentType('toString')).toBeUndefined();
    expect(sersic.params().map((p) => p.name)).toEqual(['x', 'y', 'q', 'PA', 'n', 'Re', 'Ie']);
    expect(gaussian2d.params().map((p) => p.name)).toEqual(['x', 'y', 'q', 'PA', 'sigma', 'flux']);
    expect(moffat2d.params().map((p) => p.name)).toEqual(['x', 'y', 'q', 'PA', 'n', 'Rd', 'I0']);
    const n = sersic.params()[4];
    expect([n.lower, n.upper]).toEqual([0.36, 8]);
    const q = sersic.params()[2];
    expect([q.lower, q.upper]).toEqual([0.01, 1]); // 0 < q <= 1 (1/q stays finite)
    expect(sersic.params()[5].lower).toBe(0);
  });
});

describe('Sersic gradientDot and adjoint cache (the integrator adjoint route)', () => {
  it('sum_i w_i df_i/dp equals the weighted sum of the Jacobian columns, with and without the forward cache', () => {
    const c = points();
    const n = c.x.length;
    const p = [5.2, 3.9, 0.55, 2.3, 3.1, 2.5, 0.4];
    const { out, jac } = evaluate(sersic, p, c);
    const w = Float64Array.from({ length: n }, (_, i) => Math.sin(1.7 * i) + 0.2);
    const expected = jac.map((col) => col.reduce((s, v, i) => s + w[i] * v, 0));
    const direct = new Float64Array(7);
    sersic.gradientDot!(p, c, w, n, direct);
    const cache = sersic.adjointCache!();
    const values = new Float64Array(n);
    cache.evaluate(p, c, values, n);
    expect(Array.from(values)).toEqual(Array.from(out));
    const cached = new Float64Array(7);
    cache.gradientDot(p, c, w, n, cached);
    for (let k = 0; k < 7; k++) {
      const scale = Math.max(1e-12, ...jac[k].map(Math.abs)) * n;
      expect(Math.abs(direct[k] - expected[k]) / scale, `parameter ${k}`).toBeLessThan(1e-13);
      expect(cached[k]).toBe(direct[k]);
    }
  });

  it('sums over more points than one call takes (chunks of 256) as the Jacobian columns do', () => {
    // 30 x 21 = 630 points: two whole chunks and a partial one
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 30; i++) for (let j = 0; j < 21; j++) xs.push(j * 0.7 - 1.1), ys.push(i * 0.45 - 2.3);
    const c = { x: Float64Array.from(xs), y: Float64Array.from(ys) };
    const n = xs.length;
    const p = [6.1, 4.4, 0.7, 0.9, 1.8, 3.2, 0.1];
    const { jac } = evaluate(sersic, p, c);
    const w = Float64Array.from({ length: n }, (_, i) => Math.cos(0.37 * i) - 0.1);
    const cache = sersic.adjointCache!();
    cache.evaluate(p, c, new Float64Array(n), n);
    const cached = new Float64Array(7);
    cache.gradientDot(p, c, w, n, cached);
    for (let k = 0; k < 7; k++) {
      const expected = jac[k].reduce((s, v, i) => s + w[i] * v, 0);
      const scale = Math.max(1e-12, ...jac[k].map(Math.abs)) * n;
      expect(Math.abs(cached[k] - expected) / scale, `parameter ${k}`).toBeLessThan(1e-13);
    }
  });
});
