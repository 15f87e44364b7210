/**
 * Polynomial (HyperSpy `Polynomial`): sum_k a_k x^k, k = 0 .. order; a0 is the constant term.
 * options.order: integer 0 .. 10, default 2.
 */
import type { ComponentOptions, ComponentType, GuessInput, ParamSpec } from '../component-type';
import { solveSmall } from './guess-helpers';

export const DEFAULT_POLYNOMIAL_ORDER = 2;
export const MAX_POLYNOMIAL_ORDER = 10;

/** The polynomial order from the options; throws RangeError unless an integer in 0 .. 10. */
export function polynomialOrder(options?: ComponentOptions): number {
  const order = options?.order ?? DEFAULT_POLYNOMIAL_ORDER;
  if (!Number.isInteger(order) || order < 0 || order > MAX_POLYNOMIAL_ORDER)
    throw new RangeError(`Polynomial order must be an integer from 0 to ${MAX_POLYNOMIAL_ORDER} (got ${order})`);
  return order;
}

function describe(k: number): string {
  if (k === 0) return 'constant term';
  if (k === 1) return 'coefficient of x';
  return `coefficient of x^${k}`;
}

export const polynomial: ComponentType = {
  type: 'Polynomial',
  dims: 1,
  formula: 'a0 + a1 x + a2 x^2 + ... + a_order x^order',
  peak: false,
  params(options?: ComponentOptions): ParamSpec[] {
    const order = polynomialOrder(options);
    const specs: ParamSpec[] = [];
    for (let k = 0; k <= order; k++) specs.push({ name: `a${k}`, value: 0, lower: null, upper: null, description: describe(k) });
    return specs;
  },
  evaluate(p, coords, out, jac, n, options) {
    const x = coords.x;
    const order = polynomialOrder(options);
    // Horner
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      let acc = p[order];
      for (let k = order - 1; k >= 0; k--) acc = acc * xi + p[k];
      out[i] = acc;
    }
    if (jac === null) return;
    const j0 = jac[0];
    for (let i = 0; i < n; i++) j0[i] = 1;
    for (let k = 1; k <= order; k++) {
      const prev = jac[k - 1];
      const cur = jac[k];
      for (let i = 0; i < n; i++) cur[i] = prev[i] * x[i];
    }
  },
  /**
   * Least squares by the normal equations in the scaled variable t = (x - mean) / halfRange
   * (well conditioned), then re-expanded in powers of x. With fewer points than coefficients
   * the highest coefficients are set to 0.
   */
  guess({ x, y }: GuessInput, options?: ComponentOptions) {
    const order = polynomialOrder(options);
    const np = Math.min(x.length, y.length);
    const result: Record<string, number> = {};
    for (let k = 0; k <= order; k++) result[`a${k}`] = 0;
    if (np === 0) return result;
    let xmin = Infinity, xmax = -Infinity, mean = 0;
    for (let i = 0; i < np; i++) {
      mean += x[i];
      if (x[i] < xmin) xmin = x[i];
      if (x[i] > xmax) xmax = x[i];
    }
    mean /= np;
    const scale = 0.5 * (xmax - xmin) || 1;
    let deg = Math.min(order, np - 1);
    let b: Float64Array | null = null;
    for (; deg >= 0; deg--) {
      const m = deg + 1;
      const ata = new Float64Array(m * m);
      const aty = new Float64Array(m);
      const pw = new Float64Array(2 * deg + 1);
      for (let i = 0; i < np; i++) {
        const t = (x[i] - mean) / scale;
        let v = 1;
        for (let k = 0; k <= 2 * deg; k++) {
          pw[k] = v;
          v *= t;
        }
        for (let r = 0; r < m; r++) {
          aty[r] += pw[r] * y[i];
          for (let c = 0; c < m; c++) ata[r * m + c] += pw[r + c];
        }
      }
      b = solveSmall(ata, aty, m);
      if (b) break;
    }
    if (!b) return result;
    // sum_j b_j ((x - mean)/scale)^j = sum_j b_j scale^-j sum_k C(j,k) x^k (-mean)^(j-k)
    const coef = new Float64Array(order + 1);
    for (let j = 0; j < b.length; j++) {
      const bj = b[j] / Math.pow(scale, j);
      let binom = 1; // C(j, k)
      for (let k = 0; k <= j; k++) {
        coef[k] += bj * binom * Math.pow(-mean, j - k);
        binom = (binom * (j - k)) / (k + 1);
      }
    }
    for (let k = 0; k <= order; k++) result[`a${k}`] = coef[k];
    return result;
  },
};
