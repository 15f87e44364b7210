/**
 * Sersic profile (AstroPhot `sersic galaxy model`): I(R) = 10^Ie exp(-b_n ((R/Re)^(1/n) - 1)),
 * R the elliptical radius of ./geometry.ts, b_n from Ciotti & Bertin (1999) so that Re is the
 * half-light radius. Parameters: x, y, q, PA, n, Re (pixels), Ie (log10 intensity per pixel at Re).
 * Derivatives, with s = (R/Re)^(1/n) and f = I(R):
 *   df/dR = -f b s / (n R);  df/dRe = f b s / (n Re);  df/dIe = f ln 10;
 *   df/dn = f (-b'(n) (s - 1) + b s ln(R/Re) / n^2)
 */
import type { ComponentType } from '../../model/component-type';
import { evaluateElliptical, GEOMETRY_PARAMS, type RadialProfile } from './geometry';
import { sersicB, sersicBDerivative } from '../sersic-math';

const LN10 = Math.LN10;

class SersicProfile implements RadialProfile {
  count = 3;
  private I = 1;
  private b = 1;
  private db = 0;
  private n = 1;
  private invN = 1;
  private Re = 1;
  private invRe = 1;

  prepare(p: ArrayLike<number>, o: number, withJac: boolean): void {
    this.n = p[o];
    this.invN = 1 / this.n;
    this.Re = p[o + 1];
    this.invRe = 1 / this.Re;
    this.I = Math.pow(10, p[o + 2]);
    this.b = sersicB(this.n);
    if (withJac) this.db = sersicBDerivative(this.n);
  }

  at(R: number, _R2: number, s: Float64Array, withJac: boolean): void {
    const lr = R > 0 ? Math.log(R * this.invRe) : 0;
    const sr = R > 0 ? Math.exp(lr * this.invN) : 0; // (R/Re)^(1/n)
    const b = this.b;
    const f = this.I * Math.exp(-b * (sr - 1));
    s[0] = f;
    if (!withJac) return;
    const fbs = f * b * sr * this.invN;
    s[1] = R > 0 ? -fbs / (R * R) : 0;
    s[2] = f * (-this.db * (sr - 1) + b * sr * lr * this.invN * this.invN);
    s[3] = fbs * this.invRe;
    s[4] = f * LN10;
  }
}

const profile = new SersicProfile();
const scratch = new Float64Array(8);

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
    evaluateElliptical(profile, scratch, p, coords, out, jac, n);
  },
};
