/**
 * Levenberg-Marquardt for bounded nonlinear least squares.
 *
 * Core: MINPACK lmder (Moré 1978): QR of the Jacobian with column pivoting (qrfac), the
 * trust-region parameter from lmpar, diagonal scaling D = max column norms seen so far
 * (mode 1), ftol/xtol/gtol tests with MINPACK's meanings (see lm-messages.ts). Without active
 * bounds every step is exactly MINPACK's.
 *
 * Bounds: a projected active-set trust-region method (in the spirit of Kanzow, Yamashita &
 * Fukushima 2004, "Levenberg-Marquardt methods with strong local convergence properties for
 * solving nonlinear equations with convex constraints"). At each Jacobian evaluation the
 * parameters sitting on a bound whose gradient g = J^T r points outwards are held fixed; the
 * MINPACK step is computed for the others and the trial point is projected onto the box.
 * A projected (clipped) step is judged against the reduction predicted by the linear model
 * for the step actually taken. Every iterate therefore stays inside [lower, upper], and a
 * minimiser on a bound is reached exactly (the projection puts the parameter on the bound,
 * where the gradient keeps it). This was preferred to MINUIT-style sin/sqrt transforms, which
 * only approach a bound asymptotically and distort the scaling near it.
 *
 * Optional geodesic acceleration (Transtrum & Sethna 2012, "Improvements to the
 * Levenberg-Marquardt algorithm for nonlinear least-squares minimization"): the second
 * directional derivative r_vv along the LM velocity v is estimated by a finite difference
 * r_vv ~ (2/h) [ (r(x + h v) - r(x)) / h - J v ], the acceleration a solves the same damped
 * system with r_vv in place of r, and the step is v + a/2 when 2 ||D a|| / ||D v|| <= alpha
 * (otherwise the plain velocity is taken). The acceptance ratio uses the velocity's predicted
 * reduction, as in GSL's implementation.
 */
import { enorm } from '../linalg/enorm';
import { applyQt, qrfac } from '../linalg/qrfac';
import { choleskyQr, makeCholeskyQrWork } from '../linalg/cholesky-qr';

/** Jacobians with at least this many rows per free column take the Gram-matrix route to R */
const TALL_ROWS_PER_COLUMN = 20;
import { qrsolv } from '../linalg/qrsolv';
import { LM_MESSAGES, lmConverged } from './lm-messages';
import { modelReduction, multiplyRPt, projectStep, scaledNorm, truncateStep } from './lm-steps';
import { lmpar, makeLmparWork } from './lmpar';
import type { LeastSquaresProblem, OptimizeOptions, OptimizeResult } from './problem';

const EPSMCH = 2.220446049250313e-16;

/** maxFunctionEvaluations defaults to 400 (n + 1) residual evaluations (Jacobians not counted). */
export interface LmOptions extends OptimizeOptions {
  /** geodesic acceleration (Transtrum & Sethna 2012) */
  geodesic?: boolean;
  /** finite-difference step for r_vv, relative to the velocity (default 0.1) */
  geodesicStep?: number;
  /** largest accepted 2 ||a|| / ||v|| (default 0.75) */
  geodesicAlpha?: number;
  /** initial step bound factor (MINPACK factor, default 100) */
  factor?: number;
}

export interface LmResult extends OptimizeResult {
  /** MINPACK info code (1-8) or Fitbench's (9-14), see lm-messages.ts */
  info: number;
  /** final scaled gradient norm (MINPACK's gnorm over the free parameters) */
  gradientNorm: number;
  /** -1 at lower bound, +1 at upper bound, 0 inside */
  atBound: Int8Array;
  /** MINPACK's scaling D: the largest Jacobian column norm seen per parameter (1 if always 0) */
  columnScale: Float64Array;
}

/**
 * Tight by default: the last iterations of LM converge quadratically and cost little, and loose
 * ftol (1e-8 or so) leaves errors near 1e-5 relative in flat directions of hard problems.
 */
export const LM_DEFAULTS = {
  ftol: 1e-15,
  xtol: 1e-11,
  gtol: 1e-13,
};

export function levenbergMarquardt(
  problem: LeastSquaresProblem,
  theta0: ArrayLike<number>,
  options: LmOptions = {},
): LmResult {
  const n = problem.n;
  const m = problem.m;
  const mm = Math.max(m, n); // zero rows are appended when m < n
  const lower = problem.lower;
  const upper = problem.upper;
  const ftol = options.ftol ?? LM_DEFAULTS.ftol;
  const xtol = options.xtol ?? LM_DEFAULTS.xtol;
  const gtol = options.gtol ?? LM_DEFAULTS.gtol;
  const maxfev = options.maxFunctionEvaluations ?? 400 * (n + 1);
  const maxIter = options.maxIterations ?? Infinity;
  const factor = options.factor ?? 100;
  const geodesic = options.geodesic ?? false;
  const hGeo = options.geodesicStep ?? 0.1;
  const alphaGeo = options.geodesicAlpha ?? 0.75;

  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) x[k] = Math.min(upper[k], Math.max(lower[k], theta0[k]));
  const fvec = new Float64Array(mm);
  const ftrial = new Float64Array(mm);
  const fgeo = new Float64Array(mm);
  const rvv = new Float64Array(mm);
  // the problem's Jacobian: column-major when it offers that (contiguous columns for the QR)
  const colMajor = problem.jacobianColumns !== undefined;
  const jrow = colMajor ? new Float64Array(0) : new Float64Array(m * n);
  const jcol = colMajor ? new Float64Array(m * n) : new Float64Array(0);
  const a = new Float64Array(mm * n);
  const colnorm = new Float64Array(n);
  const g = new Float64Array(n);
  const diag = new Float64Array(n);
  const free = new Int32Array(n);
  const ipvt = new Int32Array(n);
  const rdiag = new Float64Array(n);
  const acnorm = new Float64Array(n);
  const wqr = new Float64Array(n);
  const r = new Float64Array(n * n);
  const qtf = new Float64Array(n);
  const qtv = new Float64Array(mm);
  const diagF = new Float64Array(n);
  const stepF = new Float64Array(n);
  const accF = new Float64Array(n);
  const wsq = new Float64Array(n);
  const xt = new Float64Array(n);
  const p = new Float64Array(n);
  const xt2 = new Float64Array(n);
  const p2 = new Float64Array(n);
  const red = new Float64Array(2);
  const sdiag = new Float64Array(n);
  const wsolve = new Float64Array(n);
  const lw = makeLmparWork(n);
  const cqr = makeCholeskyQrWork(n);

  const resid = (theta: Float64Array, out: Float64Array): number => {
    problem.residuals(theta, out);
    return enorm(m, out);
  };

  let nfev = 0;
  let njev = 0;
  let iterations = 0;
  let gnorm = Infinity;

  const finish = (code: number, cancelled = false): LmResult => {
    const atBound = new Int8Array(n);
    for (let k = 0; k < n; k++) atBound[k] = x[k] <= lower[k] ? -1 : x[k] >= upper[k] ? 1 : 0;
    return {
      theta: Float64Array.from(x),
      statistic: fnorm * fnorm,
      nfev,
      njev,
      iterations,
      converged: lmConverged(code),
      cancelled,
      message: LM_MESSAGES[code] ?? `stopped (code ${code})`,
      info: code,
      gradientNorm: gnorm,
      atBound,
      columnScale: Float64Array.from(diag),
    };
  };

  let fnorm = resid(x, fvec);
  nfev = 1;
  if (!Number.isFinite(fnorm)) {
    fnorm = Infinity;
    return finish(11);
  }
  if (n === 0 || fnorm === 0) {
    gnorm = 0;
    return finish(n === 0 ? 4 : 14);
  }

  let par = 0;
  let delta = 0;
  let xnorm = 0;
  let first = true;

  for (;;) {
    // ---- outer iteration: new Jacobian ----
    if (options.shouldStop?.()) return finish(10, true);
    if (iterations >= maxIter) return finish(9);
    if (colMajor) problem.jacobianColumns!(x, jcol);
    else problem.jacobian(x, jrow);
    njev++;
    options.onProgress?.({ iteration: iterations, nfev, statistic: fnorm * fnorm, theta: Float64Array.from(x) });

    // gradient, column norms and the active set
    g.fill(0);
    colnorm.fill(0);
    if (colMajor) {
      for (let k = 0; k < n; k++) {
        const o = k * m;
        let gk = 0;
        let ck = 0;
        for (let i = 0; i < m; i++) {
          const jik = jcol[o + i];
          gk += jik * fvec[i];
          ck += jik * jik;
        }
        g[k] = gk;
        colnorm[k] = ck;
      }
    } else {
      for (let i = 0; i < m; i++) {
        const ri = fvec[i];
        const o = i * n;
        for (let k = 0; k < n; k++) {
          const jik = jrow[o + k];
          g[k] += jik * ri;
          colnorm[k] += jik * jik;
        }
      }
    }
    let finiteJ = true;
    for (let k = 0; k < n; k++) {
      colnorm[k] = Math.sqrt(colnorm[k]);
      if (!Number.isFinite(colnorm[k])) finiteJ = false;
    }
    if (!finiteJ) return finish(12);
    let nf = 0;
    for (let k = 0; k < n; k++) {
      const held = (x[k] <= lower[k] && g[k] > 0) || (x[k] >= upper[k] && g[k] < 0) || lower[k] >= upper[k];
      if (!held) free[nf++] = k;
    }

    if (first) {
      for (let k = 0; k < n; k++) diag[k] = colnorm[k] === 0 ? 1 : colnorm[k];
      for (let k = 0; k < n; k++) wsq[k] = diag[k] * x[k];
      xnorm = enorm(n, wsq);
      delta = factor * xnorm;
      if (delta === 0) delta = factor;
    }
    if (nf === 0) {
      gnorm = 0;
      return finish(13);
    }

    // R and Q^T f of the free columns: for tall, well-conditioned Jacobians from the Gram matrix
    // (cholesky-qr.ts, a quarter of the flops), otherwise Householder QR (column-major, zero-padded to mm rows)
    const viaGram = colMajor && !geodesic && m >= TALL_ROWS_PER_COLUMN * nf && choleskyQr(m, nf, jcol, free, fvec, r, ipvt, acnorm, qtf, cqr);
    if (!viaGram) {
      for (let j = 0; j < nf; j++) {
        const k = free[j];
        const oj = j * mm;
        if (colMajor) a.set(jcol.subarray(k * m, k * m + m), oj);
        else for (let i = 0; i < m; i++) a[oj + i] = jrow[i * n + k];
        for (let i = m; i < mm; i++) a[oj + i] = 0;
      }
      qrfac(mm, nf, a, ipvt, rdiag, acnorm, wqr);
      for (let i = 0; i < mm; i++) qtv[i] = fvec[i];
      applyQt(mm, nf, a, qtv);
      for (let j = 0; j < nf; j++) {
        qtf[j] = qtv[j];
        const oj = j * nf;
        for (let i = 0; i < j; i++) r[i + oj] = a[i + j * mm];
        r[j + oj] = rdiag[j];
      }
    }

    // scaled gradient norm (cosine between r and the free columns of J)
    gnorm = 0;
    for (let j = 0; j < nf; j++) {
      const l = ipvt[j];
      if (acnorm[l] !== 0) {
        let sum = 0;
        const oj = j * nf;
        for (let i = 0; i <= j; i++) sum += r[i + oj] * (qtf[i] / fnorm);
        gnorm = Math.max(gnorm, Math.abs(sum / acnorm[l]));
      }
    }
    if (gnorm <= gtol) return finish(4);

    for (let k = 0; k < n; k++) diag[k] = Math.max(diag[k], colnorm[k]);
    for (let j = 0; j < nf; j++) diagF[j] = diag[free[j]];

    // ---- inner loop: shrink the trust region until a step is accepted ----
    for (;;) {
      if (options.shouldStop?.()) return finish(10, true);
      par = lmpar(nf, r, ipvt, diagF, qtf, delta, par, stepF, lw);
      for (let j = 0; j < nf; j++) stepF[j] = -stepF[j];

      // velocity; when it leaves the box, the better (by the linear model) of the projected
      // step and the step truncated at the first bound is taken
      let clipped = projectStep(x, stepF, free, nf, lower, upper, xt, p);
      let prered: number;
      let dirder: number;
      if (!clipped) {
        multiplyRPt(nf, r, ipvt, p, free, wsq);
        const t1 = enorm(nf, wsq) / fnorm;
        const t2 = (Math.sqrt(par) * scaledNorm(nf, diagF, p, free, wsq)) / fnorm;
        prered = t1 * t1 + (t2 * t2) / 0.5;
        dirder = -(t1 * t1 + t2 * t2);
      } else {
        modelReduction(nf, r, ipvt, qtf, fnorm, p, free, wsq, red);
        prered = red[0];
        dirder = red[1];
        const alpha = truncateStep(x, stepF, free, nf, lower, upper, xt2, p2);
        if (alpha > 0) {
          modelReduction(nf, r, ipvt, qtf, fnorm, p2, free, wsq, red);
          if (red[0] > prered) {
            prered = red[0];
            dirder = red[1];
            xt.set(xt2);
            p.set(p2);
          }
        }
      }
      let pnorm = scaledNorm(nf, diagF, p, free, wsq);
      const pnormV = pnorm;

      if (geodesic && pnormV > 0) {
        // second directional derivative along p by finite differences
        for (let k = 0; k < n; k++) wsolve[k] = x[k] + hGeo * p[k];
        const fh = resid(wsolve, fgeo);
        nfev++;
        if (Number.isFinite(fh)) {
          for (let i = 0; i < m; i++) {
            let jv = 0;
            const o = i * n;
            if (colMajor) for (let j = 0; j < nf; j++) jv += jcol[free[j] * m + i] * p[free[j]];
            else for (let j = 0; j < nf; j++) jv += jrow[o + free[j]] * p[free[j]];
            rvv[i] = (2 / hGeo) * ((fgeo[i] - fvec[i]) / hGeo - jv);
          }
          for (let i = m; i < mm; i++) rvv[i] = 0;
          applyQt(mm, nf, a, rvv);
          const sp = Math.sqrt(par);
          for (let j = 0; j < nf; j++) sdiag[j] = sp * diagF[j];
          qrsolv(nf, r, ipvt, sdiag, rvv, accF, lw.sdiag, lw.wa3);
          let an = 0;
          for (let j = 0; j < nf; j++) an += (diagF[j] * accF[j]) ** 2;
          an = Math.sqrt(an);
          if (2 * an <= alphaGeo * pnormV) {
            for (let j = 0; j < nf; j++) stepF[j] = p[free[j]] - 0.5 * accF[j];
            clipped = projectStep(x, stepF, free, nf, lower, upper, xt, p) || clipped;
            pnorm = scaledNorm(nf, diagF, p, free, wsq);
          }
        }
      }

      if (first) delta = Math.min(delta, pnorm);

      let fnorm1 = resid(xt, ftrial);
      nfev++;
      if (!Number.isFinite(fnorm1)) fnorm1 = Infinity;
      const actred = 0.1 * fnorm1 < fnorm ? 1 - (fnorm1 / fnorm) * (fnorm1 / fnorm) : -1;
      const ratio = prered > 0 ? actred / prered : 0;

      // update the trust region (MINPACK rules)
      if (ratio <= 0.25) {
        let temp = actred >= 0 ? 0.5 : dirder < 0 ? (0.5 * dirder) / (dirder + 0.5 * actred) : 0.1;
        if (0.1 * fnorm1 >= fnorm || temp < 0.1 || !Number.isFinite(temp)) temp = 0.1;
        delta = temp * (pnorm > 0 ? Math.min(delta, pnorm / 0.1) : delta);
        par /= temp;
      } else if (par === 0 || ratio >= 0.75) {
        delta = clipped ? Math.max(delta, pnorm / 0.5) : pnorm / 0.5;
        par *= 0.5;
      }

      if (ratio >= 1e-4) {
        for (let k = 0; k < n; k++) x[k] = xt[k];
        for (let k = 0; k < n; k++) wsq[k] = diag[k] * x[k];
        xnorm = enorm(n, wsq);
        for (let i = 0; i < m; i++) fvec[i] = ftrial[i];
        fnorm = fnorm1;
        iterations++;
        first = false;
      }
      if (fnorm === 0) return finish(14);

      // convergence tests
      const ftolOk = !clipped && Math.abs(actred) <= ftol && prered <= ftol && 0.5 * ratio <= 1;
      const xtolOk = delta <= xtol * xnorm;
      if (ftolOk && xtolOk) return finish(3);
      if (ftolOk) return finish(1);
      if (xtolOk) return finish(2);
      if (nfev >= maxfev) return finish(5);
      if (!clipped && Math.abs(actred) <= EPSMCH && prered <= EPSMCH && 0.5 * ratio <= 1) return finish(6);
      if (delta <= EPSMCH * xnorm) return finish(7);
      if (gnorm <= EPSMCH) return finish(8);
      if (ratio >= 1e-4) break;
    }
  }
}
