/** A least-squares problem seen as a scalar one: S = sum r_i^2, gradient 2 J^T r. */
import type { LeastSquaresProblem, ScalarProblem } from './problem';

export function sumOfSquaresProblem(ls: LeastSquaresProblem): ScalarProblem {
  const { m, n } = ls;
  const r = new Float64Array(m);
  const jac = new Float64Array(m * n);
  const ss = (): number => {
    let s = 0;
    for (let i = 0; i < m; i++) s += r[i] * r[i];
    return Number.isNaN(s) ? Infinity : s;
  };
  return {
    n,
    lower: ls.lower,
    upper: ls.upper,
    value(theta) {
      ls.residuals(theta, r);
      return ss();
    },
    valueAndGradient(theta, g) {
      ls.residuals(theta, r);
      const s = ss();
      ls.jacobian(theta, jac);
      g.fill(0);
      for (let i = 0; i < m; i++) {
        const ri = 2 * r[i];
        const o = i * n;
        for (let k = 0; k < n; k++) g[k] += jac[o + k] * ri;
      }
      return s;
    },
  };
}
