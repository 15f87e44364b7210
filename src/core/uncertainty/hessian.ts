/**
 * Numerical Hessian of a scalar statistic by central differences, with MINUIT-HESSE-like step
 * choice (James & Roos 1975): each step h_k is adjusted (up to 8 times) until the second
 * difference D = f(x + h e_k) + f(x - h e_k) - 2 f(x) is about max(1e-4 errordef, 1e-9 |f|), i.e.
 * h is about 1% of the parameter's standard error. That keeps the rounding error (~4 eps |f| / D,
 * below 1e-6 relative) and the truncation error (~h^2 f'''' / 12 f'', ~1e-5 relative or less)
 * both small. Off-diagonal terms use the four-point formula
 * with the same steps. Next to a bound the differences become one-sided (first order).
 */

export interface NumericalHessianOptions {
  /** the statistic's errordef (sets the step target) */
  errordef: number;
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  /** typical magnitude per parameter for the first step (default max(|theta_k|, 1e-8)) */
  typical?: ArrayLike<number>;
}

export interface NumericalHessian {
  /** row-major n x n, symmetric */
  hessian: Float64Array;
  /** steps used */
  steps: Float64Array;
  nfev: number;
}

export function numericalHessian(
  f: (theta: Float64Array) => number,
  theta: ArrayLike<number>,
  options: NumericalHessianOptions,
): NumericalHessian {
  const n = theta.length;
  const x = Float64Array.from(theta);
  const lower = options.lower;
  const upper = options.upper;
  const lo = (k: number) => (lower ? lower[k] : -Infinity);
  const hi = (k: number) => (upper ? upper[k] : Infinity);
  let nfev = 0;
  const ev = (): number => {
    nfev++;
    return f(x);
  };
  const f0 = ev();
  const target = Math.max(1e-4 * options.errordef, 1e-9 * Math.abs(f0));
  const h = new Float64Array(n);
  const side = new Int8Array(n); // 0 central, +1 forward only, -1 backward only
  const fp = new Float64Array(n);
  const fm = new Float64Array(n);
  const hess = new Float64Array(n * n);

  for (let k = 0; k < n; k++) {
    const xk = x[k];
    const typ = options.typical ? Math.abs(options.typical[k]) : 0;
    let step = 1e-4 * Math.max(Math.abs(xk), typ, 1e-8);
    let d = NaN;
    for (let iter = 0; iter < 8; iter++) {
      side[k] = xk + step <= hi(k) && xk - step >= lo(k) ? 0 : xk + 2 * step <= hi(k) ? 1 : -1;
      if (side[k] === 0) {
        x[k] = xk + step;
        fp[k] = ev();
        x[k] = xk - step;
        fm[k] = ev();
        d = fp[k] + fm[k] - 2 * f0;
      } else {
        const s = side[k];
        x[k] = xk + s * step;
        fp[k] = ev();
        x[k] = xk + 2 * s * step;
        fm[k] = ev();
        d = fm[k] - 2 * fp[k] + f0;
      }
      x[k] = xk;
      if (!(d > 0) || !Number.isFinite(d)) {
        if (!Number.isFinite(d)) step *= 0.1;
        else step *= 10;
        continue;
      }
      const ratio = target / d;
      if (ratio > 0.25 && ratio < 4) break;
      step *= Math.min(100, Math.max(0.01, Math.sqrt(ratio)));
    }
    h[k] = step;
    hess[k * n + k] = d / (step * step);
  }

  for (let k = 0; k < n; k++) {
    for (let l = k + 1; l < n; l++) {
      const xk = x[k];
      const xl = x[l];
      let v: number;
      if (side[k] === 0 && side[l] === 0) {
        x[k] = xk + h[k];
        x[l] = xl + h[l];
        const fpp = ev();
        x[l] = xl - h[l];
        const fpm = ev();
        x[k] = xk - h[k];
        const fmm = ev();
        x[l] = xl + h[l];
        const fmp = ev();
        v = (fpp - fpm - fmp + fmm) / (4 * h[k] * h[l]);
      } else {
        // one-sided: [f(+k,+l) - f(+k) - f(+l) + f0] / (hk hl), signs following the allowed sides
        const sk = side[k] === 0 ? 1 : side[k];
        const sl = side[l] === 0 ? 1 : side[l];
        x[k] = xk + sk * h[k];
        x[l] = xl + sl * h[l];
        const fkl = ev();
        x[l] = xl;
        const fk = ev();
        x[k] = xk;
        x[l] = xl + sl * h[l];
        const fl = ev();
        v = (sk * sl * (fkl - fk - fl + f0)) / (h[k] * h[l]);
      }
      x[k] = xk;
      x[l] = xl;
      hess[k * n + l] = v;
      hess[l * n + k] = v;
    }
  }
  return { hessian: hess, steps: h, nfev };
}
