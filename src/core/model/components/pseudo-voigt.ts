/**
 * PseudoVoigt (HyperSpy `PseudoVoigt`): A [eta L(x) + (1 - eta) G(x)], where L and G are a
 * unit-area Lorentzian and Gaussian with the same FWHM:
 *   G sigma = fwhm / (2 sqrt(2 ln 2)),   L gamma = fwhm / 2.
 */
import type { ComponentType, GuessInput } from '../component-type';
import { estimateMix, estimatePeak, FWHM_PER_SIGMA } from './guess-helpers';

const INV_PI = 1 / Math.PI;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SIGMA_PER_FWHM = 1 / FWHM_PER_SIGMA;

export const pseudoVoigt: ComponentType = {
  type: 'PseudoVoigt',
  dims: 1,
  formula: 'A [eta L(x) + (1 - eta) G(x)]; unit-area L, G of the same fwhm (gamma = fwhm/2, sigma = fwhm/(2 sqrt(2 ln 2)))',
  peak: true,
  params: () => [
    { name: 'A', value: 1, lower: null, upper: null, description: 'area under the peak' },
    { name: 'centre', value: 0, lower: null, upper: null, description: 'peak position' },
    { name: 'fwhm', value: 1, lower: 0, upper: null, description: 'full width at half maximum' },
    { name: 'eta', value: 0.5, lower: 0, upper: 1, description: 'Lorentzian fraction (0: Gaussian, 1: Lorentzian)' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const A = p[0];
    const centre = p[1];
    const fwhm = p[2];
    const eta = p[3];
    const gamma = 0.5 * fwhm;
    const g2 = gamma * gamma;
    const sigma = fwhm * SIGMA_PER_FWHM;
    const inv2s2 = 1 / (2 * sigma * sigma);
    const gNorm = INV_SQRT_2PI / sigma;
    const wL = A * eta;
    const wG = A * (1 - eta);
    if (jac === null) {
      for (let i = 0; i < n; i++) {
        const u = x[i] - centre;
        const u2 = u * u;
        const L = INV_PI * gamma * (1 / (u2 + g2));
        const G = gNorm * Math.exp(-u2 * inv2s2);
        out[i] = wL * L + wG * G;
      }
      return;
    }
    const jA = jac[0];
    const jC = jac[1];
    const jF = jac[2];
    const jE = jac[3];
    const invS2 = 1 / (sigma * sigma);
    const invS = 1 / sigma;
    for (let i = 0; i < n; i++) {
      const u = x[i] - centre;
      const u2 = u * u;
      const invD = 1 / (u2 + g2);
      const L = INV_PI * gamma * invD;
      const G = gNorm * Math.exp(-u2 * inv2s2);
      out[i] = wL * L + wG * G;
      jA[i] = eta * L + (1 - eta) * G;
      jE[i] = A * (L - G);
      // d/dcentre: dL = 2 u gamma / (pi D^2), dG = G u / sigma^2
      jC[i] = wL * 2 * INV_PI * gamma * u * invD * invD + wG * G * u * invS2;
      // d/dfwhm = (1/2) dL/dgamma + SIGMA_PER_FWHM dG/dsigma
      const dLdg = INV_PI * (u2 - g2) * invD * invD;
      const dGds = G * (u2 * invS2 - 1) * invS;
      jF[i] = wL * 0.5 * dLdg + wG * SIGMA_PER_FWHM * dGds;
    }
  },
  /** centre and fwhm from the highest peak, eta from its shape (height x width / area), A the tail-corrected area */
  guess({ x, y }: GuessInput) {
    const pk = estimatePeak(x, y);
    const mix = estimateMix(x, pk);
    return { A: mix.area, centre: pk.centre, fwhm: pk.fwhm, eta: mix.eta };
  },
};
