/**
 * Test aid: the largest relative difference between a least-squares problem's analytic Jacobian at
 * theta and central finite differences (step 1e-6 max(1, |theta_k|)), over every entry.
 */
import type { LeastSquaresProblem } from './problem';

export function worstJacobianError(ls: Pick<LeastSquaresProblem, 'm' | 'n' | 'residuals' | 'jacobian'>, theta: Float64Array): number {
  const { m, n } = ls;
  const J = new Float64Array(m * n);
  ls.jacobian(theta, J);
  const rp = new Float64Array(m);
  const rm = new Float64Array(m);
  let worst = 0;
  for (let k = 0; k < n; k++) {
    const h = 1e-6 * Math.max(1, Math.abs(theta[k]));
    const tp = Float64Array.from(theta);
    const tm = Float64Array.from(theta);
    tp[k] += h;
    tm[k] -= h;
    ls.residuals(tp, rp);
    ls.residuals(tm, rm);
    for (let i = 0; i < m; i++) {
      const fd = (rp[i] - rm[i]) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - J[i * n + k]) / Math.max(1, Math.abs(fd)));
    }
  }
  return worst;
}
