/** Why a Levenberg-Marquardt run stopped: MINPACK's info codes (1-8) plus Fitbench's own (9+). */
export const LM_MESSAGES: Record<number, string> = {
  0: 'improper input',
  1: 'converged: both actual and predicted relative reductions in the sum of squares are at most ftol',
  2: 'converged: relative error between two consecutive iterates is at most xtol',
  3: 'converged: relative reductions in the sum of squares are at most ftol and relative change of the parameters is at most xtol',
  4: 'converged: the cosine of the angle between the residuals and any free column of the Jacobian is at most gtol',
  5: 'stopped: the number of function evaluations reached its limit',
  6: 'converged: ftol is too small, no further reduction in the sum of squares is possible',
  7: 'converged: xtol is too small, no further improvement of the parameters is possible',
  8: 'converged: gtol is too small, the residuals are orthogonal to the Jacobian to machine precision',
  9: 'stopped: the number of iterations reached its limit',
  10: 'cancelled',
  11: 'failed: residuals are not finite at the starting point',
  12: 'failed: the Jacobian is not finite',
  13: 'converged: every parameter is held at a bound by the gradient (projected gradient is zero)',
  14: 'converged: the residuals are exactly zero',
};

/** info codes after which the result is a (local) minimum as far as the method can tell */
export function lmConverged(info: number): boolean {
  return (info >= 1 && info <= 4) || (info >= 6 && info <= 8) || info === 13 || info === 14;
}
