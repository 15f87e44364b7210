/**
 * Bounded Levenberg-Marquardt on the normal equations, for the per-pixel fits of multifit: the
 * objective chi2(theta) = sum_i w_i^2 (y_i - model_i(theta))^2 with the banded Jacobian of
 * sparse-model.ts, so the Gram matrix H = J^T W^2 J and the gradient g = -J^T W^2 (y - model)
 * cost only the products over the channels where two columns are non-zero (a pixel of 1024
 * channels with a power law and 4 narrow lines: ~12k multiply-adds instead of 1024 x 14 x 15 / 2
 * = 107k), formed a component's columns at a time in one pass over its channels. Forming H
 * squares the condition number, which is harmless here: a pixel model has ~10-20 parameters and
 * the steps are solved in the scaled variables below, in double precision.
 *
 * Method (Marquardt 1963 with Nielsen's damping update, H. B. Nielsen, "Damping parameter in
 * Marquardt's method", IMM-REP-1999-05; Madsen, Nielsen & Tingleff, "Methods for non-linear least
 * squares problems", 2004, alg. 3.16):
 *   step: (M_FF + lambda D_F) delta = -g_F on the free set F, with D the largest diag(H) seen so
 *   far (MINPACK's scaling, Moré 1978), solved by Cholesky in the variables scaled by D^-1/2;
 *   gain ratio rho = (chi2 - chi2(x + delta)) / predicted reduction; accepted when rho > 1e-4,
 *   then lambda *= max(1/3, 1 - (2 rho - 1)^3), else lambda *= nu, nu *= 2.
 *   M is Newton's Hessian H - S, S = sum_i w_i^2 (y_i - model_i) d^2 model_i (the model's
 *   analytic second derivatives, SparseModel.secondOrderTerm), where the model provides it and
 *   M_FF is positive definite; else Gauss-Newton's H. With Poisson-like residuals S is a few per
 *   cent of H, which limits Gauss-Newton to linear convergence (about 1/20 per step on the
 *   EDS maps); Newton converges quadratically and saves about one evaluation per pixel.
 * Bounds: as lm.ts, a projected active-set method. Parameters on a bound whose gradient points
 * out of the box are held (and so are parameters with a zero column); the trial point is
 * projected onto the box and judged against the reduction the quadratic model predicts for the
 * step actually taken. Every iterate is in the box.
 * The model and its Jacobian are evaluated together at each trial point (they share the exps);
 * an accepted trial point's Jacobian is the next iteration's.
 * Convergence: the decrement g_F^T M_FF^-1 g_F (the reduction of chi2 a full Newton step would
 * give) <= ftol chi2, tested before each step; that final step is then taken without another
 * evaluation (chi2 is its predicted value; the quadratic model is exact to rounding that close:
 * the returned values are closer to the minimum than the last evaluated point, by far on a
 * Newton step). Where M_FF is singular: an accepted step with actual and predicted relative
 * reductions <= ftol, or ||D^1/2 p|| <= xtol ||D^1/2 x|| (MINPACK's meanings). Always: the largest
 * cosine between the residual and a free column <= gtol (MINPACK's gnorm), a step too short to
 * matter, or no reduction predicted above rounding. H of the last evaluated point is kept
 * (`gram`, one sub-ftol step from the returned values) for the standard errors.
 *
 * Starting a fit exactly from what the previous fit returned (multifit's serpentine and flyback
 * orders start each pixel from the previous pixel's values) reuses that fit's last evaluation:
 * model and Jacobian do not depend on the data, so the first evaluation costs only the residuals.
 */
import { cholesky, choleskySolve } from './small-linalg';
import type { SparseModel } from './sparse-model';

const EPSMCH = 2.220446049250313e-16;

export interface SparseLmOptions {
  ftol?: number;
  xtol?: number;
  gtol?: number;
  /** model evaluations (default 100 (n + 1), scipy leastsq's default with a Jacobian) */
  maxFunctionEvaluations?: number;
  /** initial damping, relative to D (default 1e-3; PixelFitter passes 1e-6: its starts are close) */
  lambda0?: number;
  shouldStop?: () => boolean;
  /**
   * use the exact Hessian of chi2 (Newton: J^T W J minus the residuals' second-derivative term)
   * where the model has it (SparseModel.secondOrder) and it is positive definite; default true
   */
  secondOrder?: boolean;
  /**
   * when theta0 is exactly what the previous fit returned (the previous pixel's values, as
   * multifit's serpentine and flyback orders start), start from the point that fit last evaluated
   * (one sub-ftol step away) and reuse its model and Jacobian; default true
   */
  reuse?: boolean;
}

export interface SparseLmResult {
  theta: Float64Array;
  chi2: number;
  converged: boolean;
  cancelled: boolean;
  nfev: number;
  njev: number;
  iterations: number;
  /** damping at the end */
  lambda: number;
  /** which test ended it */
  reason: 'decrement' | 'ftol' | 'xtol' | 'gtol' | 'rounding' | 'held' | 'zero' | 'maxfev' | 'nonfinite' | 'cancelled';
}

export class SparseLm {
  readonly n: number;
  readonly m: number;
  /**
   * H = J^T W^2 J (n x n, row-major) for the values `gramTheta` (the returned ones: H is that of
   * the last evaluated point, one sub-ftol step before them when the fit ended on the decrement)
   */
  readonly gram: Float64Array;
  readonly gramTheta: Float64Array;
  gramValid = false;

  private readonly model: SparseModel;
  private readonly out: Float64Array;
  private readonly res: Float64Array;
  private readonly wcBuf: Float64Array[];
  private readonly u: Float64Array[];
  private readonly gStart: Int32Array;
  private readonly acc: Float64Array;
  private readonly tr: Float64Array;
  private readonly g: Float64Array;
  private readonly d: Float64Array;
  private readonly sc: Float64Array;
  private readonly x: Float64Array;
  private readonly xt: Float64Array;
  private readonly p: Float64Array;
  private readonly free: Int32Array;
  private readonly a: Float64Array;
  private readonly a0: Float64Array;
  private readonly rhs: Float64Array;
  private readonly sol: Float64Array;
  /** the point whose model and Jacobian are in the buffers */
  private readonly evalX: Float64Array;
  /** what the last fit returned, when it ended on the decrement test (the buffers then hold the point before its final step) */
  private readonly returned: Float64Array;
  private reusable = false;
  /** `gram` is J^T J (unit weights) of the Jacobian in the buffers */
  private gramCurrent = false;
  private readonly one: Float64Array[] = [];
  /** Newton's Hessian H - S (S: the residuals times the model's second derivatives) */
  private readonly hm: Float64Array;
  private y: Float64Array = new Float64Array(0);
  private w2: Float64Array | null = null;

  constructor(model: SparseModel) {
    const n = model.n;
    const m = model.m;
    this.n = n;
    this.m = m;
    this.model = model;
    this.gram = new Float64Array(n * n);
    this.gramTheta = new Float64Array(n);
    this.out = new Float64Array(m);
    this.res = new Float64Array(m);
    this.wcBuf = Array.from({ length: n }, () => new Float64Array(m));
    this.u = this.wcBuf.slice();
    this.gStart = new Int32Array(n + 1);
    this.acc = new Float64Array(16);
    this.tr = new Float64Array(16);
    this.g = new Float64Array(n);
    this.d = new Float64Array(n);
    this.sc = new Float64Array(n);
    this.x = new Float64Array(n);
    this.xt = new Float64Array(n);
    this.p = new Float64Array(n);
    this.free = new Int32Array(n);
    this.a = new Float64Array(n * n);
    this.a0 = new Float64Array(n * n);
    this.hm = new Float64Array(n * n);
    this.evalX = new Float64Array(n);
    this.returned = new Float64Array(n);
    this.rhs = new Float64Array(n);
    this.sol = new Float64Array(n);
  }

  /** chi2 at theta (model and Jacobian evaluated; res = y - model) */
  private evaluate(theta: Float64Array): number {
    this.model.evaluate(theta, this.out, true);
    this.gramCurrent = false;
    this.evalX.set(theta);
    return this.residuals();
  }

  /** res = y - model and chi2 for the model in `out` */
  private residuals(): number {
    const { out, res, y, w2, m } = this;
    let chi2 = 0;
    if (w2) {
      for (let i = 0; i < m; i++) {
        const r = y[i] - out[i];
        res[i] = r;
        chi2 += w2[i] * r * r;
      }
    } else {
      for (let i = 0; i < m; i++) {
        const r = y[i] - out[i];
        res[i] = r;
        chi2 += r * r;
      }
    }
    return chi2 === chi2 ? chi2 : Infinity;
  }

  /**
   * g = J^T W r (J = d r / d theta = -W d model / d theta, r = W (y - model)) and H = J^T J,
   * each product over the overlap of the two columns' ranges. Consecutive columns with the same
   * range (a component's parameters) form a group; a column's products with up to three partner
   * columns of a group share one pass over the channels.
   */
  private normal(): void {
    const { n, res, g, w2 } = this;
    const H = this.gram;
    const { col, lo, hi } = this.model;
    if (w2 === null && this.gramCurrent) {
      // H = J^T J of the columns in the buffers, formed before with unit weights: only g is new
      const one = this.one;
      one[0] = res;
      for (let k = 0; k < n; k++) {
        dots(col[k], one, 1, lo[k], hi[k], this.acc);
        g[k] = -this.acc[0];
      }
      return;
    }
    this.gramCurrent = w2 === null;
    const u = this.u;
    // weighted columns u_k = w^2 c_k (the columns themselves with unit weights)
    for (let k = 0; k < n; k++) {
      if (!w2) {
        u[k] = col[k];
        continue;
      }
      const c = col[k];
      const wc = this.wcBuf[k];
      for (let i = lo[k]; i < hi[k]; i++) wc[i] = w2[i] * c[i];
      u[k] = wc;
    }
    // groups of consecutive columns with equal ranges, at most 3 columns each
    let ng = 0;
    const gStart = this.gStart;
    for (let k = 0; k < n; k++) {
      if (k > 0 && lo[k] === lo[k - 1] && hi[k] === hi[k - 1] && k - gStart[ng - 1] < 3) continue;
      gStart[ng++] = k;
    }
    gStart[ng] = n;
    const acc = this.acc;
    for (let G = 0; G < ng; G++) {
      const k0 = gStart[G];
      const s = gStart[G + 1] - k0;
      const a = lo[k0];
      const b = hi[k0];
      // within the group, with the residual as an extra partner: g_k and H_kl, one pass
      if (s === 3) {
        block3(u[k0], u[k0 + 1], u[k0 + 2], col[k0], col[k0 + 1], col[k0 + 2], res, a, b, acc);
        g[k0] = -acc[0];
        g[k0 + 1] = -acc[4];
        g[k0 + 2] = -acc[7];
        setSym(H, n, k0, k0, acc[1]);
        setSym(H, n, k0, k0 + 1, acc[2]);
        setSym(H, n, k0, k0 + 2, acc[3]);
        setSym(H, n, k0 + 1, k0 + 1, acc[5]);
        setSym(H, n, k0 + 1, k0 + 2, acc[6]);
        setSym(H, n, k0 + 2, k0 + 2, acc[8]);
      } else if (s === 2) {
        block2(u[k0], u[k0 + 1], col[k0], col[k0 + 1], res, a, b, acc);
        g[k0] = -acc[0];
        g[k0 + 1] = -acc[3];
        setSym(H, n, k0, k0, acc[1]);
        setSym(H, n, k0, k0 + 1, acc[2]);
        setSym(H, n, k0 + 1, k0 + 1, acc[4]);
      } else {
        cross(u, k0, 1, col, k0, 1, res, a, b, acc);
        g[k0] = -acc[1];
        setSym(H, n, k0, k0, acc[0]);
      }
      // with the earlier groups, over the overlap
      for (let F = 0; F < G; F++) {
        const j0 = gStart[F];
        const t = gStart[F + 1] - j0;
        const a2 = a > lo[j0] ? a : lo[j0];
        const b2 = b < hi[j0] ? b : hi[j0];
        if (b2 <= a2) {
          for (let k = k0; k < k0 + s; k++) for (let l = j0; l < j0 + t; l++) H[k * n + l] = H[l * n + k] = 0;
          continue;
        }
        // acc[i * t + j] = sum u_(k0+i) c_(j0+j), or with the roles swapped (the same sums)
        if (s >= t) cross(u, k0, s, col, j0, t, null, a2, b2, acc);
        else {
          cross(u, j0, t, col, k0, s, null, a2, b2, acc);
          for (let i = 0; i < s; i++) for (let j = 0; j < t; j++) this.tr[i * t + j] = acc[j * s + i];
          acc.set(this.tr.subarray(0, s * t));
        }
        for (let i = 0; i < s; i++) for (let j = 0; j < t; j++) setSym(H, n, k0 + i, j0 + j, acc[i * t + j]);
      }
    }
  }

  /** Forms `gram` (and returns chi2) at theta for data y, weights w2 (null: all 1). */
  gramAt(y: Float64Array, w2: Float64Array | null, theta: ArrayLike<number>): number {
    this.y = y;
    this.w2 = w2;
    this.x.set(theta);
    this.reusable = false;
    const chi2 = this.evaluate(this.x);
    this.normal();
    this.gramTheta.set(this.x);
    this.gramValid = true;
    return chi2;
  }

  /** g and H at x (normal equations) and, with `newton`, hm = H - S */
  private hessian(newton: boolean): void {
    this.normal();
    if (!newton) return;
    const { hm, gram: H } = this;
    this.model.secondOrderTerm(this.res, this.w2, hm);
    for (let i = 0; i < hm.length; i++) hm[i] = H[i] - hm[i];
  }

  /** reduction of the quadratic model (Hessian M) for the last step(): -(2 g.p + p^T M p) */
  private predicted = 0;

  /**
   * xt = x + the step in `sol` (scaled variables) projected onto the box, p = xt - x; returns
   * ||D^1/2 p|| and sets `predicted`
   */
  private step(nf: number, M: Float64Array, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
    const { n, x, xt, p, free, sol, sc, d, g } = this;
    let pnorm = 0;
    for (let k = 0; k < n; k++) {
      xt[k] = x[k];
      p[k] = 0;
    }
    for (let j = 0; j < nf; j++) {
      const k = free[j];
      const v = Math.min(upper[k], Math.max(lower[k], x[k] + sol[j] * sc[j]));
      xt[k] = v;
      const pk = v - x[k];
      p[k] = pk;
      pnorm += d[k] * pk * pk;
    }
    let gp = 0;
    let php = 0;
    for (let i = 0; i < nf; i++) {
      const ki = free[i];
      const pi = p[ki];
      if (pi === 0) continue;
      gp += g[ki] * pi;
      let s = 0;
      const o = ki * n;
      for (let j = 0; j < nf; j++) s += M[o + free[j]] * p[free[j]];
      php += pi * s;
    }
    this.predicted = -(2 * gp + php);
    return Math.sqrt(pnorm);
  }

  private result(
    chi2: number,
    converged: boolean,
    cancelled: boolean,
    nfev: number,
    njev: number,
    iterations: number,
    lambda: number,
    reason: SparseLmResult['reason'],
  ): SparseLmResult {
    // H is always that of x (formed after every accepted step)
    this.gramTheta.set(this.x);
    this.gramValid = njev > 0;
    return { theta: Float64Array.from(this.x), chi2, converged, cancelled, nfev, njev, iterations, lambda, reason };
  }

  /**
   * Fits y with weights w2 = w^2 per point (null: all 1) from theta0 (clamped into [lower, upper]).
   */
  fit(
    y: Float64Array,
    w2: Float64Array | null,
    theta0: ArrayLike<number>,
    lower: ArrayLike<number>,
    upper: ArrayLike<number>,
    options: SparseLmOptions = {},
  ): SparseLmResult {
    const n = this.n;
    this.y = y;
    this.w2 = w2;
    const ftol = options.ftol ?? 1e-10;
    const xtol = options.xtol ?? 1e-10;
    const gtol = options.gtol ?? 1e-10;
    const maxfev = options.maxFunctionEvaluations ?? 100 * (n + 1);
    const { x, xt, g, d, sc, free, a, a0, rhs, sol } = this;
    const H = this.gram;
    for (let k = 0; k < n; k++) x[k] = Math.min(upper[k], Math.max(lower[k], theta0[k]));
    this.gramValid = false;
    // a start equal to the point the last fit returned: start from the point it was evaluated at
    // instead (the last fit's final step, below ftol, apart), whose model and Jacobian are still
    // in the buffers; they do not depend on the data, so only the residuals are new
    let reuse = this.reusable && (options.reuse ?? true);
    for (let k = 0; reuse && k < n; k++) if (x[k] !== this.returned[k]) reuse = false;
    this.reusable = false;
    let nfev = reuse ? 0 : 1;
    let njev = 0;
    let iterations = 0;
    let lambda = options.lambda0 ?? 1e-3;
    let nu = 2;
    let chi2: number;
    if (reuse) {
      x.set(this.evalX);
      chi2 = this.residuals();
    } else chi2 = this.evaluate(x);
    if (!Number.isFinite(chi2)) return this.result(chi2, false, false, nfev, njev, iterations, lambda, 'nonfinite');
    const newton = (options.secondOrder ?? true) && this.model.secondOrder;
    const hm = this.hm;
    this.hessian(newton);
    njev = 1;
    for (let k = 0; k < n; k++) {
      const h = H[k * n + k];
      d[k] = h > 0 && Number.isFinite(h) ? h : 1;
    }
    if (n === 0) return this.result(chi2, true, false, nfev, njev, iterations, lambda, 'held');
    for (;;) {
      if (options.shouldStop?.()) return this.result(chi2, false, true, nfev, njev, iterations, lambda, 'cancelled');
      if (chi2 === 0) return this.result(chi2, true, false, nfev, njev, iterations, lambda, 'zero');
      // free set: parameters on a bound with the gradient pointing outwards are held, and so are
      // those without any effect at x (a zero column: no gradient, no curvature, e.g. the width
      // of a line whose area is 0)
      let nf = 0;
      for (let k = 0; k < n; k++) {
        const held = lower[k] >= upper[k] || (x[k] <= lower[k] && g[k] > 0) || (x[k] >= upper[k] && g[k] < 0) || !(H[k * n + k] > 0);
        if (!held) free[nf++] = k;
      }
      if (nf === 0) return this.result(chi2, true, false, nfev, njev, iterations, lambda, 'held');
      let gmax = 0;
      for (let j = 0; j < nf; j++) {
        const k = free[j];
        const hkk = H[k * n + k];
        if (hkk > 0) gmax = Math.max(gmax, Math.abs(g[k]) / Math.sqrt(hkk * chi2));
      }
      if (!Number.isFinite(gmax)) return this.result(chi2, false, false, nfev, njev, iterations, lambda, 'nonfinite');
      if (gmax <= gtol) return this.result(chi2, true, false, nfev, njev, iterations, lambda, 'gtol');
      // the model's Hessian: Newton's H - S where that is positive definite on the free set, else
      // Gauss-Newton's H; scaled, S_D H_FF S_D with S_D = D^-1/2
      for (let j = 0; j < nf; j++) sc[j] = 1 / Math.sqrt(d[free[j]]);
      let M = H;
      let spd = false;
      if (newton) {
        fillScaled(hm, n, free, nf, sc, a0);
        copyShifted(a0, a, nf, 0);
        spd = cholesky(a, nf);
        if (spd) M = hm;
      }
      if (M === H) {
        fillScaled(H, n, free, nf, sc, a0);
        copyShifted(a0, a, nf, 0);
        spd = cholesky(a, nf);
      }
      // decrement g^T M^-1 g: the reduction of chi2 a full (Gauss-)Newton step would give
      if (spd) {
        for (let j = 0; j < nf; j++) sol[j] = -g[free[j]] * sc[j];
        let dec = 0;
        for (let j = 0; j < nf; j++) rhs[j] = sol[j];
        choleskySolve(a, nf, sol);
        for (let j = 0; j < nf; j++) dec += rhs[j] * sol[j];
        if (dec <= ftol * chi2) {
          // converged: the full step (the minimum of the quadratic model, which is exact to
          // rounding this close) is taken without another evaluation; chi2 is its prediction
          this.step(nf, M, lower, upper);
          const predicted = this.predicted;
          if (predicted > 0 && predicted <= dec * (1 + 1e-6)) {
            x.set(xt);
            chi2 -= predicted;
          }
          // the buffers hold the evaluation at the point before that step (evalX)
          this.returned.set(x);
          this.reusable = true;
          return this.result(chi2, true, false, nfev, njev, iterations, lambda, 'decrement');
        }
      }
      let xnorm = 0;
      for (let k = 0; k < n; k++) xnorm += d[k] * x[k] * x[k];
      xnorm = Math.sqrt(xnorm);
      // ---- inner loop: raise the damping until a step is accepted ----
      for (;;) {
        if (options.shouldStop?.()) return this.result(chi2, false, true, nfev, njev, iterations, lambda, 'cancelled');
        copyShifted(a0, a, nf, lambda);
        if (!cholesky(a, nf)) {
          lambda = Math.max(lambda, 1e-10) * 10;
          if (lambda > 1e20) return this.result(chi2, false, false, nfev, njev, iterations, lambda, 'nonfinite');
          continue;
        }
        for (let j = 0; j < nf; j++) sol[j] = -g[free[j]] * sc[j];
        choleskySolve(a, nf, sol);
        const pnorm = this.step(nf, M, lower, upper);
        const pred = this.predicted;
        if (pnorm <= xtol * xnorm) return this.result(chi2, true, false, nfev, njev, iterations, lambda, 'xtol');
        if (Math.abs(pred) <= EPSMCH * chi2) return this.result(chi2, true, false, nfev, njev, iterations, lambda, 'rounding');
        if (!(pred > 0)) {
          // a projected step the linear model does not even improve: shorten it
          lambda = Math.max(lambda, 1e-10) * nu;
          nu *= 2;
          if (lambda > 1e20) return this.result(chi2, false, false, nfev, njev, iterations, lambda, 'nonfinite');
          continue;
        }
        const chi2t = this.evaluate(xt);
        nfev++;
        const actred = chi2 - chi2t;
        const rho = actred / pred;
        if (rho > 1e-4) {
          const chi2old = chi2;
          x.set(xt);
          chi2 = chi2t;
          this.hessian(newton);
          njev++;
          for (let k = 0; k < n; k++) {
            const h = H[k * n + k];
            if (h > d[k] && Number.isFinite(h)) d[k] = h;
          }
          iterations++;
          const f = 2 * rho - 1;
          lambda *= Math.max(1 / 3, 1 - f * f * f);
          nu = 2;
          // MINPACK's tests on the step, only where the decrement could not be formed (a damped
          // step can be short and gain little far from the minimum)
          if (!spd && actred <= ftol * chi2old && pred <= ftol * chi2old) return this.result(chi2, true, false, nfev, njev, iterations, lambda, 'ftol');
          if (!spd && pnorm <= xtol * xnorm) return this.result(chi2, true, false, nfev, njev, iterations, lambda, 'xtol');
          break;
        }
        // rejected: the columns now hold the trial point's Jacobian, but g and H are still x's
        lambda = Math.max(lambda, 1e-10) * nu;
        nu *= 2;
        if (nfev >= maxfev) return this.result(chi2, false, false, nfev, njev, iterations, lambda, 'maxfev');
      }
      if (nfev >= maxfev) return this.result(chi2, false, false, nfev, njev, iterations, lambda, 'maxfev');
    }
  }
}

function setSym(H: Float64Array, n: number, k: number, l: number, v: number): void {
  H[k * n + l] = v;
  H[l * n + k] = v;
}

/**
 * One pass over [a, b) for a group of 3 columns c0..c2 with weighted columns u0..u2:
 * acc = [u0.r, u0.c0, u0.c1, u0.c2, u1.r, u1.c1, u1.c2, u2.r, u2.c2]
 */
function block3(
  u0: Float64Array, u1: Float64Array, u2: Float64Array,
  c0: Float64Array, c1: Float64Array, c2: Float64Array,
  r: Float64Array, a: number, b: number, acc: Float64Array,
): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0;
  for (let i = a; i < b; i++) {
    const v0 = u0[i];
    const v1 = u1[i];
    const v2 = u2[i];
    const ri = r[i];
    const d1 = c1[i];
    const d2 = c2[i];
    s0 += v0 * ri;
    s1 += v0 * c0[i];
    s2 += v0 * d1;
    s3 += v0 * d2;
    s4 += v1 * ri;
    s5 += v1 * d1;
    s6 += v1 * d2;
    s7 += v2 * ri;
    s8 += v2 * d2;
  }
  acc[0] = s0; acc[1] = s1; acc[2] = s2; acc[3] = s3; acc[4] = s4; acc[5] = s5; acc[6] = s6; acc[7] = s7; acc[8] = s8;
}

/** As block3 for 2 columns: acc = [u0.r, u0.c0, u0.c1, u1.r, u1.c1] */
function block2(u0: Float64Array, u1: Float64Array, c0: Float64Array, c1: Float64Array, r: Float64Array, a: number, b: number, acc: Float64Array): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  for (let i = a; i < b; i++) {
    const v0 = u0[i];
    const v1 = u1[i];
    const ri = r[i];
    const d1 = c1[i];
    s0 += v0 * ri;
    s1 += v0 * c0[i];
    s2 += v0 * d1;
    s3 += v1 * ri;
    s4 += v1 * d1;
  }
  acc[0] = s0; acc[1] = s1; acc[2] = s2; acc[3] = s3; acc[4] = s4;
}

/**
 * acc[i * t' + j] = sum_{a <= i' < b} u[k0 + i][i'] c[j0 + j][i'] for i < s, j < t, with
 * t' = t (+1 with an extra partner `r`, placed last in each row). One pass for s, t <= 3.
 */
function cross(
  u: Float64Array[], k0: number, s: number,
  c: Float64Array[], j0: number, t: number,
  r: Float64Array | null, a: number, b: number, acc: Float64Array,
): void {
  const p = partnerBuf;
  let np = 0;
  for (let j = 0; j < t; j++) p[np++] = c[j0 + j];
  if (r) p[np++] = r;
  if (s === 3 && np === 3) {
    const u0 = u[k0], u1 = u[k0 + 1], u2 = u[k0 + 2];
    const c0 = p[0], c1 = p[1], c2 = p[2];
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0;
    for (let i = a; i < b; i++) {
      const v0 = u0[i], v1 = u1[i], v2 = u2[i];
      const e0 = c0[i], e1 = c1[i], e2 = c2[i];
      s0 += v0 * e0; s1 += v0 * e1; s2 += v0 * e2;
      s3 += v1 * e0; s4 += v1 * e1; s5 += v1 * e2;
      s6 += v2 * e0; s7 += v2 * e1; s8 += v2 * e2;
    }
    acc[0] = s0; acc[1] = s1; acc[2] = s2; acc[3] = s3; acc[4] = s4; acc[5] = s5; acc[6] = s6; acc[7] = s7; acc[8] = s8;
    return;
  }
  if (s === 3 && np === 2) {
    const u0 = u[k0], u1 = u[k0 + 1], u2 = u[k0 + 2];
    const c0 = p[0], c1 = p[1];
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0;
    for (let i = a; i < b; i++) {
      const e0 = c0[i], e1 = c1[i];
      const v0 = u0[i], v1 = u1[i], v2 = u2[i];
      s0 += v0 * e0; s1 += v0 * e1;
      s2 += v1 * e0; s3 += v1 * e1;
      s4 += v2 * e0; s5 += v2 * e1;
    }
    acc[0] = s0; acc[1] = s1; acc[2] = s2; acc[3] = s3; acc[4] = s4; acc[5] = s5;
    return;
  }
  // general: one pass per column of the group
  for (let i = 0; i < s; i++) {
    dots(u[k0 + i], p, np, a, b, tmpAcc);
    for (let j = 0; j < np; j++) acc[i * np + j] = tmpAcc[j];
  }
}

const partnerBuf: Float64Array[] = [];
const tmpAcc = new Float64Array(4);

/** acc[j] = sum_{a <= i < b} u[i] p[j][i] for the first np (1 to 4) partners */
function dots(u: Float64Array, p: Float64Array[], np: number, a: number, b: number, acc: Float64Array): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const p0 = p[0];
  if (np === 1) {
    for (let i = a; i < b; i++) s0 += u[i] * p0[i];
  } else if (np === 2) {
    const p1 = p[1];
    for (let i = a; i < b; i++) {
      const v = u[i];
      s0 += v * p0[i];
      s1 += v * p1[i];
    }
  } else if (np === 3) {
    const p1 = p[1];
    const p2 = p[2];
    for (let i = a; i < b; i++) {
      const v = u[i];
      s0 += v * p0[i];
      s1 += v * p1[i];
      s2 += v * p2[i];
    }
  } else {
    const p1 = p[1];
    const p2 = p[2];
    const p3 = p[3];
    for (let i = a; i < b; i++) {
      const v = u[i];
      s0 += v * p0[i];
      s1 += v * p1[i];
      s2 += v * p2[i];
      s3 += v * p3[i];
    }
  }
  acc[0] = s0;
  acc[1] = s1;
  acc[2] = s2;
  acc[3] = s3;
}

/** a[i][j] = M[free_i][free_j] sc_i sc_j (nf x nf, ld nf) */
function fillScaled(M: Float64Array, n: number, free: Int32Array, nf: number, sc: Float64Array, a: Float64Array): void {
  for (let i = 0; i < nf; i++) {
    const o = free[i] * n;
    for (let j = 0; j <= i; j++) {
      const v = M[o + free[j]] * sc[i] * sc[j];
      a[i * nf + j] = v;
      a[j * nf + i] = v;
    }
  }
}

/** to = from + shift I (nf x nf) */
function copyShifted(from: Float64Array, to: Float64Array, nf: number, shift: number): void {
  const count = nf * nf;
  for (let i = 0; i < count; i++) to[i] = from[i];
  for (let j = 0; j < nf; j++) to[j * nf + j] += shift;
}
