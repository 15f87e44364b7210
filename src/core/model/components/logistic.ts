/**
 * Logistic (HyperSpy `Logistic`): a / (1 + b exp(-c (x - origin))).
 * The exponent is capped at 700 so exp does not overflow; there f is below 1e-304 a / b.
 */
import type { ComponentType, GuessInput } from '../component-type';
import { estimateStep } from './guess-helpers';

const MAX_EXPONENT = 700;

export const logistic: ComponentType = {
  type: 'Logistic',
  dims: 1,
  formula: 'a / (1 + b exp(-c (x - origin)))',
  peak: false,
  params: () => [
    { name: 'a', value: 1, lower: null, upper: null, description: 'upper level (limit where the exponential vanishes)' },
    { name: 'b', value: 1, lower: null, upper: null, description: 'shape factor (value at origin is a / (1 + b))' },
    { name: 'c', value: 1, lower: null, upper: null, description: 'growth rate (1 / width; negative: falling)' },
    { name: 'origin', value: 0, lower: null, upper: null, description: 'reference position' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const a = p[0];
    const b = p[1];
    const c = p[2];
    const origin = p[3];
    if (jac === null) {
      for (let i = 0; i < n; i++) {
        const t = -c * (x[i] - origin);
        const e = Math.exp(t < MAX_EXPONENT ? t : MAX_EXPONENT);
        out[i] = a * (1 / (1 + b * e)); // same rounding as the Jacobian loop
      }
      return;
    }
    const ja = jac[0];
    const jb = jac[1];
    const jc = jac[2];
    const jo = jac[3];
    for (let i = 0; i < n; i++) {
      const u = x[i] - origin;
      const t = -c * u;
      const e = Math.exp(t < MAX_EXPONENT ? t : MAX_EXPONENT);
      const invQ = 1 / (1 + b * e);
      const f = a * invQ;
      // d f / d (b e) = -a / Q^2
      const g = -f * invQ;
      out[i] = f;
      ja[i] = invQ;
      jb[i] = g * e;
      jc[i] = -g * b * e * u;
      jo[i] = g * b * e * c;
    }
  },
  /** a from the levels at the two ends, b = 1, origin at the half-way crossing, c from the 25-75 % width */
  guess({ x, y }: GuessInput) {
    const s = estimateStep(x, y);
    const rate = (2 * Math.log(3)) / (s.x75 - s.x25); // 1/(1 + exp(-c u)) = 1/4 .. 3/4 over 2 ln 3 / c
    const rising = Math.abs(s.high) >= Math.abs(s.low);
    return { a: rising ? s.high - s.low : s.low - s.high, b: 1, c: rising ? rate : -rate, origin: s.x50 };
  },
};
