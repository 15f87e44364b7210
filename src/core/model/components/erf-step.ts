/** Erf (HyperSpy `Erf`): A erf((x - origin) / (sqrt(2) sigma)) / 2; tends to -+A/2 at the two ends. */
import type { ComponentType, GuessInput } from '../component-type';
import { erf } from '../../special/erf';
import { estimateStep } from './guess-helpers';

const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
/** 25-75 % width of the Gaussian CDF in units of sigma (2 * 0.6744897501960817) */
const IQR_PER_SIGMA = 1.3489795003921634;

export const erfStep: ComponentType = {
  type: 'Erf',
  dims: 1,
  formula: 'A erf((x - origin) / (sqrt(2) sigma)) / 2',
  peak: false,
  params: () => [
    { name: 'A', value: 1, lower: null, upper: null, description: 'height of the step (from -A/2 to A/2)' },
    { name: 'sigma', value: 1, lower: 0, upper: null, description: 'width (standard deviation of the Gaussian it integrates)' },
    { name: 'origin', value: 0, lower: null, upper: null, description: 'centre of the step' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const A = p[0];
    const sigma = p[1];
    const origin = p[2];
    const s = 1 / (Math.SQRT2 * sigma);
    const halfA = 0.5 * A;
    if (jac === null) {
      for (let i = 0; i < n; i++) out[i] = halfA * erf((x[i] - origin) * s);
      return;
    }
    const jA = jac[0];
    const jS = jac[1];
    const jO = jac[2];
    // d/dv (A/2) erf(v) = A exp(-v^2) / sqrt(pi)
    const c = A * INV_SQRT_PI;
    const invSigma = 1 / sigma;
    for (let i = 0; i < n; i++) {
      const v = (x[i] - origin) * s;
      const e = erf(v);
      const d = c * Math.exp(-v * v);
      out[i] = halfA * e;
      jA[i] = 0.5 * e;
      jS[i] = -d * v * invSigma;
      jO[i] = -d * s;
    }
  },
  /** A from the levels at the two ends, origin at the half-way crossing, sigma from the 25-75 % width */
  guess({ x, y }: GuessInput) {
    const st = estimateStep(x, y);
    return { A: st.high - st.low, sigma: (st.x75 - st.x25) / IQR_PER_SIGMA, origin: st.x50 };
  },
};
