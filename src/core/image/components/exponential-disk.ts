/**
 * Exponential disk (AstroPhot `exponential galaxy model`): I(R) = 10^Ie exp(-b_1 (R/Re - 1)), the
 * Sersic profile at n = 1 with the same series b_1 = 1.67838... (Ciotti & Bertin 1999), so Re is
 * the half-light radius (scale length h = Re / b_1). Parameters: x, y, q, PA, Re, Ie.
 * df/dR = -f b_1 / Re;  df/dRe = f b_1 R / Re^2;  df/dIe = f ln 10.
 */
import type { ComponentType } from '../../model/component-type';
import { evaluateElliptical, GEOMETRY_PARAMS, type RadialProfile } from './geometry';
import { sersicB } from '../sersic-math';

const LN10 = Math.LN10;
const B1 = sersicB(1);

class ExponentialProfile implements RadialProfile {
  count = 2;
  private I = 1;
  private k = 1; // b_1 / Re

  prepare(p: ArrayLike<number>, o: number): void {
    this.k = B1 / p[o];
    this.I = Math.pow(10, p[o + 1]);
  }

  at(R: number, _R2: number, s: Float64Array, withJac: boolean): void {
    const f = this.I * Math.exp(B1 - this.k * R);
    s[0] = f;
    if (!withJac) return;
    const fk = f * this.k;
    s[1] = R > 0 ? -fk / R : 0;
    s[2] = (fk * this.k * R) / B1; // f b_1 R / Re^2
    s[3] = f * LN10;
  }
}

const profile = new ExponentialProfile();
const scratch = new Float64Array(8);

export const exponentialDisk: ComponentType = {
  type: 'ExponentialDisk',
  dims: 2,
  formula: '10^Ie exp(-b_1 (R/Re - 1)),  R^2 = X^2 + (Y/q)^2,  b_1 = 1.6784',
  peak: false,
  params: () => [
    ...GEOMETRY_PARAMS.map((p) => ({ ...p })),
    { name: 'Re', value: 5, lower: 0, upper: null, description: 'effective (half-light) radius along the major axis (pixels)' },
    { name: 'Ie', value: 0, lower: null, upper: null, description: 'log10 of the intensity per pixel at Re' },
  ],
  evaluate(p, coords, out, jac, n) {
    evaluateElliptical(profile, scratch, p, coords, out, jac, n);
  },
};
