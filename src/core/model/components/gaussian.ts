/** Gaussian (HyperSpy `Gaussian`): A / (sigma sqrt(2 pi)) exp(-(x - centre)^2 / (2 sigma^2)); A is the area. */
import type { ComponentType, GuessInput } from '../component-type';
import { estimatePeak, FWHM_PER_SIGMA, gaussianArea } from './guess-helpers';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const gaussian: ComponentType = {
  type: 'Gaussian',
  dims: 1,
  formula: 'A / (sigma sqrt(2 pi)) exp(-(x - centre)^2 / (2 sigma^2))',
  peak: true,
  params: () => [
    { name: 'A', value: 1, lower: null, upper: null, description: 'area under the peak' },
    { name: 'sigma', value: 1, lower: 0, upper: null, description: 'standard deviation (FWHM = 2.3548 sigma)' },
    { name: 'centre', value: 0, lower: null, upper: null, description: 'peak position' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const A = p[0];
    const sigma = p[1];
    const centre = p[2];
    const inv2s2 = 1 / (2 * sigma * sigma);
    const norm = INV_SQRT_2PI / sigma;
    if (jac === null) {
      for (let i = 0; i < n; i++) {
        const u = x[i] - centre;
        out[i] = A * (norm * Math.exp(-u * u * inv2s2));
      }
      return;
    }
    const jA = jac[0];
    const jS = jac[1];
    const jC = jac[2];
    const invS2 = 1 / (sigma * sigma);
    const invS = 1 / sigma;
    for (let i = 0; i < n; i++) {
      const u = x[i] - centre;
      const g = norm * Math.exp(-u * u * inv2s2);
      const f = A * g; // same rounding as the value-only loop
      out[i] = f;
      jA[i] = g;
      jS[i] = f * (u * u * invS2 - 1) * invS;
      jC[i] = f * u * invS2;
    }
  },
  guess({ x, y }: GuessInput) {
    const pk = estimatePeak(x, y);
    return { A: gaussianArea(x, pk), sigma: pk.fwhm / FWHM_PER_SIGMA, centre: pk.centre };
  },
};
