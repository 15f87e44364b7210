/**
 * Elliptical Moffat profile (AstroPhot `moffat galaxy/star model`): I(R) = 10^I0 (1 + (R/Rd)^2)^(-n).
 * Parameters: x, y, q, PA, n, Rd (core radius, pixels), I0 (log10 central intensity per pixel).
 * Total light 10^I0 pi Rd^2 q / (n - 1) for n > 1. With u = 1 + R^2/Rd^2:
 * df/dR = -2 n f R / (Rd^2 u);  df/dn = -f ln u;  df/dRd = 2 n f R^2 / (Rd^3 u);  df/dI0 = f ln 10.
 */
import type { ComponentType } from '../../model/component-type';
import { evaluateElliptical, GEOMETRY_PARAMS, type RadialProfile } from './geometry';

const LN10 = Math.LN10;

class MoffatProfile implements RadialProfile {
  count = 3;
  private n = 1;
  private I = 1;
  private invRd = 1;
  private invRd2 = 1;

  prepare(p: ArrayLike<number>, o: number): void {
    this.n = p[o];
    this.invRd = 1 / p[o + 1];
    this.invRd2 = this.invRd * this.invRd;
    this.I = Math.pow(10, p[o + 2]);
  }

  at(_R: number, R2: number, s: Float64Array, withJac: boolean): void {
    const u = 1 + R2 * this.invRd2;
    const lu = Math.log(u);
    const f = this.I * Math.exp(-this.n * lu);
    s[0] = f;
    if (!withJac) return;
    const t = (2 * this.n * f * this.invRd2) / u;
    s[1] = -t;
    s[2] = -f * lu;
    s[3] = t * R2 * this.invRd;
    s[4] = f * LN10;
  }
}

const profile = new MoffatProfile();
const scratch = new Float64Array(8);

export const moffat2d: ComponentType = {
  type: 'Moffat2D',
  dims: 2,
  formula: '10^I0 (1 + (R/Rd)^2)^(-n),  R^2 = X^2 + (Y/q)^2',
  peak: false,
  params: () => [
    ...GEOMETRY_PARAMS.map((p) => ({ ...p })),
    { name: 'n', value: 2, lower: 0.1, upper: 10, description: 'Moffat power index (total light finite for n > 1)' },
    { name: 'Rd', value: 3, lower: 0, upper: null, description: 'core radius along the major axis (pixels)' },
    { name: 'I0', value: 0, lower: null, upper: null, description: 'log10 of the central intensity per pixel' },
  ],
  evaluate(p, coords, out, jac, n) {
    evaluateElliptical(profile, scratch, p, coords, out, jac, n);
  },
};
