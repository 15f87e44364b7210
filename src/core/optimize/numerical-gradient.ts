/**
 * Central-difference gradient that respects bounds: h_k = eps^(1/3) max(|x_k|, 1e-3 typical_k)
 * (typical_k: a magnitude for parameter k, e.g. |theta0_k| or 1), one-sided (second-order,
 * three-point) next to a bound.
 */
const H0 = Math.cbrt(2.220446049250313e-16);

/** fills g and returns f(x) (evaluated unless f0 is given); x is restored; count.nfev is increased. */
export function numericalGradient(
  f: (x: Float64Array) => number,
  x: Float64Array,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  typical: ArrayLike<number>,
  g: Float64Array,
  count?: { nfev: number },
  f0?: number,
): number {
  const n = x.length;
  const fx = f0 ?? f(x);
  if (count && f0 === undefined) count.nfev++;
  for (let k = 0; k < n; k++) {
    const xk = x[k];
    const h = H0 * Math.max(Math.abs(xk), 1e-3 * typical[k]);
    const up = xk + h <= upper[k];
    const dn = xk - h >= lower[k];
    if (up && dn) {
      x[k] = xk + h;
      const fp = f(x);
      x[k] = xk - h;
      const fm = f(x);
      g[k] = (fp - fm) / (2 * h);
    } else if (up) {
      // forward three-point: (-3 f0 + 4 f1 - f2) / 2h
      x[k] = xk + h;
      const f1 = f(x);
      x[k] = xk + 2 * h <= upper[k] ? xk + 2 * h : upper[k];
      const f2 = f(x);
      g[k] = x[k] === xk + 2 * h ? (-3 * fx + 4 * f1 - f2) / (2 * h) : (f1 - fx) / h;
    } else if (dn) {
      x[k] = xk - h;
      const f1 = f(x);
      x[k] = xk - 2 * h >= lower[k] ? xk - 2 * h : lower[k];
      const f2 = f(x);
      g[k] = x[k] === xk - 2 * h ? (3 * fx - 4 * f1 + f2) / (2 * h) : (fx - f1) / h;
    } else {
      // the box is narrower than the step: use its edges
      x[k] = upper[k];
      const fp = f(x);
      x[k] = lower[k];
      const fm = f(x);
      g[k] = upper[k] > lower[k] ? (fp - fm) / (upper[k] - lower[k]) : 0;
    }
    x[k] = xk;
    if (count) count.nfev += 2;
  }
  return fx;
}
