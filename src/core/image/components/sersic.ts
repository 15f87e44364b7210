/**
 * Sersic profile (AstroPhot `sersic galaxy model`): I(R) = 10^Ie exp(-b_n ((R/Re)^(1/n) - 1)),
 * R the elliptical radius of ./geometry.ts, b_n from Ciotti & Bertin (1999) so that Re is the
 * half-light radius. Parameters: x, y, q, PA, n, Re (pixels), Ie (log10 intensity per pixel at Re).
 * Derivatives, with s = (R/Re)^(1/n) and f = I(R):
 *   df/dR = -f b s / (n R);  df/dRe = f b s / (n Re);  df/dIe = f ln 10;
 *   df/dn = f (-b'(n) (s - 1) + b s ln(R/Re) / n^2)
 */
import type { ComponentType } from '../../model/component-type';
import { GEOMETRY_PARAMS } from './geometry';
import { sersicB, sersicBDerivative } from '../sersic-math';

const LN10 = Math.LN10;

/**
 * The hot loop, fused: with L = ln R^2, s = exp(L / (2n) - ln(Re) / n) = (R/Re)^(1/n) and
 * f = exp(Ie ln 10 + b (1 - s)): one log and two exps per point, no square root or division.
 * The geometric derivatives follow geometry.ts with g = (df/dR) / R = -f b s / (n R^2).
 */
function evaluateSersic(p: ArrayLike<number>, coords: Record<string, Float64Array>, out: Float64Array, jac: Float64Array[] | null, n: number): void {
  const xs = coords.x;
  const ys = coords.y;
  const x0 = p[0];
  const y0 = p[1];
  const q = p[2];
  const pa = p[3];
  const ns = p[4];
  const Re = p[5];
  const c = Math.cos(pa);
  const sn = Math.sin(pa);
  const iq = 1 / q;
  const invN = 1 / ns;
  const halfInvN = 0.5 * invN;
  const lnRe = Math.log(Re);
  const b = sersicB(ns);
  const lnI = p[6] * LN10 + b; // ln(10^Ie e^b)
  const cOff = -invN * lnRe;
  const fCentre = Math.exp(lnI);
  if (jac === null) {
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - x0;
      const dy = ys[i] - y0;
      const X = c * dx + sn * dy;
      const Y = (-sn * dx + c * dy) * iq;
      const R2 = X * X + Y * Y;
      out[i] = R2 > 0 ? Math.exp(lnI - b * Math.exp(halfInvN * Math.log(R2) + cOff)) : fCentre;
    }
    return;
  }
  const db = sersicBDerivative(ns);
  const invRe = 1 / Re;
  const jx = jac[0];
  const jy = jac[1];
  const jq = jac[2];
  const jpa = jac[3];
  const jn = jac[4];
  const jre = jac[5];
  const jie = jac[6];
  const paFactor = q - iq;
  const invN2 = invN * invN;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - x0;
    const dy = ys[i] - y0;
    const X = c * dx + sn * dy;
    const Y = (-sn * dx + c * dy) * iq;
    const R2 = X * X + Y * Y;
    if (!(R2 > 0)) {
      // the centre: f = 10^Ie e^b; the cusp's derivatives are defined as 0 there (symmetry), and
      // d/dn, d/dRe of (R/Re)^(1/n) vanish at R = 0
      out[i] = fCentre;
      jx[i] = 0;
      jy[i] = 0;
      jq[i] = 0;
      jpa[i] = 0;
      jn[i] = fCentre * db;
      jre[i] = 0;
      jie[i] = fCentre * LN10;
      continue;
    }
    const L = Math.log(R2);
    const sr = Math.exp(halfInvN * L + cOff);
    const f = Math.exp(lnI - b * sr);
    out[i] = f;
    const fbs = f * b * sr * invN;
    const g = -fbs / R2;
    jx[i] = g * (-c * X + sn * Y * iq);
    jy[i] = g * (-sn * X - c * Y * iq);
    jq[i] = -g * Y * Y * iq;
    jpa[i] = g * X * Y * paFactor;
    const lr = 0.5 * L - lnRe; // ln(R / Re)
    jn[i] = f * (-db * (sr - 1) + b * sr * lr * invN2);
    jre[i] = fbs * invRe;
    jie[i] = f * LN10;
  }
}

export const sersic: ComponentType = {
  type: 'Sersic',
  dims: 2,
  formula: '10^Ie exp(-b_n ((R/Re)^(1/n) - 1)),  R^2 = X^2 + (Y/q)^2,  b_n: Ciotti & Bertin (1999)',
  peak: false,
  params: () => [
    ...GEOMETRY_PARAMS.map((p) => ({ ...p })),
    { name: 'n', value: 2, lower: 0.36, upper: 8, description: 'Sersic index' },
    { name: 'Re', value: 5, lower: 0, upper: null, description: 'effective (half-light) radius along the major axis (pixels)' },
    { name: 'Ie', value: 0, lower: null, upper: null, description: 'log10 of the intensity per pixel at Re' },
  ],
  evaluate(p, coords, out, jac, n) {
    evaluateSersic(p, coords, out, jac, n);
  },
};
