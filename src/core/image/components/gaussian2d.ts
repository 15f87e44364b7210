/**
 * Elliptical Gaussian (AstroPhot `gaussian galaxy model` parameter names: sigma, flux), normalised
 * so that `flux` is the log10 of the TOTAL light over the plane:
 *   I(R) = 10^flux / (2 pi sigma^2 q) exp(-R^2 / (2 sigma^2))
 * (AstroPhot divides by sqrt(2 pi) sigma only, so its flux is not the total; here the sum of the
 * pixels of a large frame equals 10^flux). sigma is along the major axis (pixels).
 * df/dR = -f R / sigma^2;  df/dsigma = f (R^2/sigma^3 - 2/sigma);  df/dflux = f ln 10;  and the 1/q
 * normalisation adds -f/q to df/dq.
 */
import type { ComponentType } from '../../model/component-type';
import { evaluateElliptical, GEOMETRY_PARAMS, type RadialProfile } from './geometry';

const LN10 = Math.LN10;

class GaussianProfile implements RadialProfile {
  count = 2;
  perQ = true;
  private A = 1;
  private inv2s2 = 1;
  private invS = 1;
  private invS2 = 1;

  prepare(p: ArrayLike<number>, o: number): void {
    const sigma = p[o];
    const q = p[2];
    this.invS = 1 / sigma;
    this.invS2 = this.invS * this.invS;
    this.inv2s2 = 0.5 * this.invS2;
    this.A = Math.pow(10, p[o + 1]) / (2 * Math.PI * sigma * sigma * q);
  }

  at(_R: number, R2: number, s: Float64Array, withJac: boolean): void {
    const f = this.A * Math.exp(-R2 * this.inv2s2);
    s[0] = f;
    if (!withJac) return;
    s[1] = -f * this.invS2;
    s[2] = f * (R2 * this.invS2 - 2) * this.invS;
    s[3] = f * LN10;
  }
}

const profile = new GaussianProfile();
const scratch = new Float64Array(8);

export const gaussian2d: ComponentType = {
  type: 'Gaussian2D',
  dims: 2,
  formula: '10^flux / (2 pi sigma^2 q) exp(-R^2 / (2 sigma^2)),  R^2 = X^2 + (Y/q)^2',
  peak: false,
  params: () => [
    ...GEOMETRY_PARAMS.map((p) => ({ ...p })),
    { name: 'sigma', value: 2, lower: 0, upper: null, description: 'standard deviation along the major axis (pixels)' },
    { name: 'flux', value: 0, lower: null, upper: null, description: 'log10 of the total flux' },
  ],
  evaluate(p, coords, out, jac, n) {
    evaluateElliptical(profile, scratch, p, coords, out, jac, n);
  },
};
