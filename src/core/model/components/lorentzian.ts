/** Lorentzian (HyperSpy `Lorentzian`): A / pi * gamma / ((x - centre)^2 + gamma^2); A is the area, gamma the HWHM. */
import type { ComponentType, GuessInput } from '../component-type';
import { estimatePeak, lorentzianArea } from './guess-helpers';

const INV_PI = 1 / Math.PI;

export const lorentzian: ComponentType = {
  type: 'Lorentzian',
  dims: 1,
  formula: 'A / pi * gamma / ((x - centre)^2 + gamma^2)',
  peak: true,
  params: () => [
    { name: 'A', value: 1, lower: null, upper: null, description: 'area under the peak' },
    { name: 'gamma', value: 1, lower: 0, upper: null, description: 'half width at half maximum' },
    { name: 'centre', value: 0, lower: null, upper: null, description: 'peak position' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const A = p[0];
    const gamma = p[1];
    const centre = p[2];
    const g2 = gamma * gamma;
    const aPi = A * INV_PI;
    if (jac === null) {
      for (let i = 0; i < n; i++) {
        const u = x[i] - centre;
        out[i] = A * (INV_PI * gamma * (1 / (u * u + g2)));
      }
      return;
    }
    const jA = jac[0];
    const jG = jac[1];
    const jC = jac[2];
    for (let i = 0; i < n; i++) {
      const u = x[i] - centre;
      const u2 = u * u;
      const invD = 1 / (u2 + g2); // same rounding as the value-only loop
      const l = INV_PI * gamma * invD;
      out[i] = A * l;
      jA[i] = l;
      jG[i] = aPi * (u2 - g2) * invD * invD;
      jC[i] = 2 * aPi * gamma * u * invD * invD;
    }
  },
  guess({ x, y }: GuessInput) {
    const pk = estimatePeak(x, y);
    return { A: lorentzianArea(x, pk), gamma: pk.fwhm / 2, centre: pk.centre };
  },
};
