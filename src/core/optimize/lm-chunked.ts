/**
 * Levenberg-Marquardt on the normal equations, with the Jacobian evaluated in blocks of columns,
 * so that no more than two m x chunk blocks are ever held (AstroPhot's LM holds the whole
 * O(pixels x parameters) Jacobian; on a 4k x 4k image with 50 parameters that is 6.7 GB).
 *
 * J^T J and J^T r are formed block by block: block a is kept while blocks b > a are computed one
 * after another (descending, so the last one computed, a + 1, becomes the next kept block):
 * 1 + K (K - 1) / 2 block evaluations for K blocks (one when a single block holds all columns).
 *
 * The step: (A + mu D) h = -g with A = J^T J, g = J^T r, D = diag(A) kept at its running maximum
 * (Marquardt's scaling, as MINPACK's mode 1), solved by Cholesky; mu updated by the gain ratio
 * rho = actual / predicted reduction (Nielsen 1999; Madsen, Nielsen & Tingleff 2004, "Methods for
 * non-linear least squares problems", Alg. 3.16): accepted (rho > 1e-4): mu *= max(1/3,
 * 1 - (2 rho - 1)^3), nu = 2; rejected: mu *= nu, nu *= 2. Bounds as in lm.ts: parameters on a
 * bound whose gradient points outwards are held, the trial point is projected onto the box and
 * judged against the reduction the quadratic model predicts for the step actually taken.
 * Convergence: the same tests and tolerances as lm.ts (relative reductions below ftol, relative
 * scaled step below xtol, scaled gradient below gtol), so that both stop at the same minimum.
 */
import type { LmResult } from './lm';
import { LM_DEFAULTS } from './lm';
import { LM_MESSAGES, lmConverged } from './lm-messages';
import { projectStep } from './lm-steps';
import type { OptimizeOptions } from './problem';

/** A least-squares problem whose Jacobian comes in column blocks. */
export interface BlockJacobianProblem {
  m: number;
  n: number;
  lower: Float64Array;
  upper: Float64Array;
  residuals(theta: Float64Array, r: Float64Array): void;
  /** free columns first .. first + count - 1 of J = dr/dtheta, column-major: Jb[k * m + i] */
  jacobianBlock(theta: Float64Array, first: number, count: number, Jb: Float64Array): void;
}

export interface ChunkedLmOptions extends OptimizeOptions {
  /** columns per block (default: all; the caller picks it from a memory budget) */
  chunk?: number;
  /** called on every accepted point (e.g. to wrap cyclic parameters; must not change the residuals) */
  wrap?: (theta: Float64Array) => void;
}

export interface ChunkedLmResult extends LmResult {
  /** J^T J at the returned point (n x n, row-major), for the covariance */
  gram: Float64Array;
  /** column-block evaluations */
  blockEvaluations: number;
}

export interface NormalWork {
  blockA: Float64Array;
  blockB: Float64Array;
}

export function makeNormalWork(m: number, chunk: number): NormalWork {
  return { blockA: new Float64Array(m * chunk), blockB: new Float64Array(m * chunk) };
}

/**
 * A (n x n row-major) = J^T J and g = J^T r at theta from column blocks of `chunk`; returns the
 * number of block evaluations.
 */
export function normalEquations(problem: BlockJacobianProblem, theta: Float64Array, r: Float64Array, chunk: number, A: Float64Array, g: Float64Array, work: NormalWork): number {
  const { m, n } = problem;
  const K = Math.ceil(n / chunk);
  let Ba = work.blockA;
  let Bb = work.blockB;
  let evals = 0;
  const width = (a: number) => Math.min(chunk, n - a * chunk);
  problem.jacobianBlock(theta, 0, width(0), Ba);
  evals++;
  for (let a = 0; a < K; a++) {
    const fa = a * chunk;
    const wa = width(a);
    // diagonal block and J^T r
    for (let k = 0; k < wa; k++) {
      const ok = k * m;
      let gk = 0;
      for (let i = 0; i < m; i++) gk += Ba[ok + i] * r[i];
      g[fa + k] = gk;
      for (let l = k; l < wa; l++) {
        const ol = l * m;
        let s = 0;
        for (let i = 0; i < m; i++) s += Ba[ok + i] * Ba[ol + i];
        A[(fa + k) * n + fa + l] = s;
        A[(fa + l) * n + fa + k] = s;
      }
    }
    // off-diagonal blocks, b descending so that block a + 1 is the last one computed
    for (let b = K - 1; b > a; b--) {
      const fb = b * chunk;
      const wb = width(b);
      problem.jacobianBlock(theta, fb, wb, Bb);
      evals++;
      for (let k = 0; k < wa; k++) {
        const ok = k * m;
        for (let l = 0; l < wb; l++) {
          const ol = l * m;
          let s = 0;
          for (let i = 0; i < m; i++) s += Ba[ok + i] * Bb[ol + i];
          A[(fa + k) * n + fb + l] = s;
          A[(fb + l) * n + fa + k] = s;
        }
      }
    }
    if (a + 1 < K) {
      const t = Ba;
      Ba = Bb;
      Bb = t;
    }
  }
  return evals;
}

/** In-place Cholesky of the nf x nf matrix M (row-major); false when not positive definite. */
function cholesky(nf: number, M: Float64Array): boolean {
  for (let j = 0; j < nf; j++) {
    let d = M[j * nf + j];
    for (let k = 0; k < j; k++) d -= M[j * nf + k] * M[j * nf + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    M[j * nf + j] = ljj;
    for (let i = j + 1; i < nf; i++) {
      let s = M[i * nf + j];
      for (let k = 0; k < j; k++) s -= M[i * nf + k] * M[j * nf + k];
      M[i * nf + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L L^T x = b (L from cholesky, lower triangle of M), in place in b. */
function choleskySolve(nf: number, M: Float64Array, b: Float64Array): void {
  for (let i = 0; i < nf; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= M[i * nf + k] * b[k];
    b[i] = s / M[i * nf + i];
  }
  for (let i = nf - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < nf; k++) s -= M[k * nf + i] * b[k];
    b[i] = s / M[i * nf + i];
  }
}

export function levenbergMarquardtChunked(problem: BlockJacobianProblem, theta0: ArrayLike<number>, options: ChunkedLmOptions = {}): ChunkedLmResult {
  const { m, n, lower, upper } = problem;
  const chunk = Math.max(1, Math.min(n, Math.floor(options.chunk ?? n)));
  const ftol = options.ftol ?? LM_DEFAULTS.ftol;
  const xtol = options.xtol ?? LM_DEFAULTS.xtol;
  const gtol = options.gtol ?? LM_DEFAULTS.gtol;
  const maxfev = options.maxFunctionEvaluations ?? 400 * (n + 1);
  const maxIter = options.maxIterations ?? Infinity;
  const work = makeNormalWork(m, chunk);
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) x[k] = Math.min(upper[k], Math.max(lower[k], theta0[k]));
  options.wrap?.(x);
  const r = new Float64Array(m);
  const rt = new Float64Array(m);
  const A = new Float64Array(n * n);
  const g = new Float64Array(n);
  const D = new Float64Array(n);
  const free = new Int32Array(n);
  const M = new Float64Array(n * n);
  const h = new Float64Array(n);
  const xt = new Float64Array(n);
  const p = new Float64Array(n);
  const Ap = new Float64Array(n);
  let nfev = 0;
  let njev = 0;
  let blocks = 0;
  let iterations = 0;
  let gnorm = Infinity;
  const ss = (v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < m; i++) s += v[i] * v[i];
    return s === s ? s : Infinity;
  };
  problem.residuals(x, r);
  nfev++;
  let F = ss(r);
  let gramAt = -1; // iteration whose point A belongs to

  /**
   * After convergence: Gauss-Newton steps (mu = 1e-12) while they still lower F, so that the
   * result does not depend on which of the tests stopped the damped iteration first.
   */
  const polish = (): void => {
    for (let pass = 0; pass < 3; pass++) {
      if (gramAt !== iterations) {
        blocks += normalEquations(problem, x, r, chunk, A, g, work);
        njev++;
        gramAt = iterations;
      }
      let nf = 0;
      for (let k = 0; k < n; k++) {
        const held = (x[k] <= lower[k] && g[k] > 0) || (x[k] >= upper[k] && g[k] < 0) || lower[k] >= upper[k];
        if (!held) free[nf++] = k;
      }
      if (nf === 0) return;
      for (let a = 0; a < nf; a++) {
        const ka = free[a];
        for (let b = 0; b < nf; b++) M[a * nf + b] = A[ka * n + free[b]];
        M[a * nf + a] += 1e-12 * Math.max(D[ka], A[ka * n + ka]);
        h[a] = -g[ka];
      }
      if (!cholesky(nf, M)) return;
      choleskySolve(nf, M, h);
      xt.set(x);
      for (let a = 0; a < nf; a++) {
        const k = free[a];
        xt[k] = Math.min(upper[k], Math.max(lower[k], x[k] + h[a]));
      }
      problem.residuals(xt, rt);
      nfev++;
      const Ft = ss(rt);
      if (!(Ft < F)) return;
      x.set(xt);
      options.wrap?.(x);
      r.set(rt);
      F = Ft;
      iterations++;
    }
  };

  const finish = (code: number, cancelled = false): ChunkedLmResult => {
    if (lmConverged(code) && code !== 13 && code !== 14 && n > 0 && Number.isFinite(F)) polish();
    if (gramAt !== iterations && n > 0 && Number.isFinite(F)) {
      blocks += normalEquations(problem, x, r, chunk, A, g, work);
      njev++;
    }
    const atBound = new Int8Array(n);
    for (let k = 0; k < n; k++) atBound[k] = x[k] <= lower[k] ? -1 : x[k] >= upper[k] ? 1 : 0;
    return {
      theta: Float64Array.from(x),
      statistic: F,
      nfev,
      njev,
      iterations,
      converged: lmConverged(code),
      cancelled,
      message: `${LM_MESSAGES[code] ?? `stopped (code ${code})`} (Jacobian in blocks of ${chunk} columns)`,
      info: code,
      gradientNorm: gnorm,
      atBound,
      columnScale: Float64Array.from(D, (v) => Math.sqrt(v)),
      gram: Float64Array.from(A),
      blockEvaluations: blocks,
    };
  };

  if (!Number.isFinite(F)) {
    F = Infinity;
    return finish(11);
  }
  if (n === 0) return finish(4);
  if (F === 0) return finish(14);
  let mu = 0;
  let nu = 2;
  let first = true;
  for (;;) {
    if (options.shouldStop?.()) return finish(10, true);
    if (iterations >= maxIter) return finish(9);
    blocks += normalEquations(problem, x, r, chunk, A, g, work);
    njev++;
    gramAt = iterations;
    options.onProgress?.({ iteration: iterations, nfev, statistic: F, theta: Float64Array.from(x) });
    let finite = true;
    for (let k = 0; k < n * n; k++) if (!Number.isFinite(A[k])) finite = false;
    if (!finite) return finish(12);
    let nf = 0;
    for (let k = 0; k < n; k++) {
      const held = (x[k] <= lower[k] && g[k] > 0) || (x[k] >= upper[k] && g[k] < 0) || lower[k] >= upper[k];
      if (!held) free[nf++] = k;
    }
    if (nf === 0) {
      gnorm = 0;
      return finish(13);
    }
    // MINPACK's gnorm: max_k |J_k . r| / (||J_k|| ||r||) over the free columns
    gnorm = 0;
    const fnorm = Math.sqrt(F);
    for (let j = 0; j < nf; j++) {
      const k = free[j];
      const cn = Math.sqrt(A[k * n + k]);
      if (cn > 0) gnorm = Math.max(gnorm, Math.abs(g[k]) / (cn * fnorm));
    }
    if (gnorm <= gtol) return finish(4);
    for (let k = 0; k < n; k++) D[k] = Math.max(D[k], A[k * n + k]);
    let dmax = 0;
    for (let k = 0; k < n; k++) dmax = Math.max(dmax, D[k]);
    for (let k = 0; k < n; k++) if (!(D[k] > 0)) D[k] = dmax > 0 ? dmax * 1e-12 : 1;
    if (first) {
      mu = 1e-3;
      first = false;
    }
    // inner loop: raise mu until a step is accepted
    for (;;) {
      if (options.shouldStop?.()) return finish(10, true);
      for (let a = 0; a < nf; a++) {
        const ka = free[a];
        for (let b = 0; b < nf; b++) M[a * nf + b] = A[ka * n + free[b]];
        M[a * nf + a] += mu * D[ka];
        h[a] = -g[ka];
      }
      if (!cholesky(nf, M)) {
        mu = Math.max(mu * nu, 1e-12);
        nu *= 2;
        if (!Number.isFinite(mu) || nu > 1e30) return finish(7);
        continue;
      }
      choleskySolve(nf, M, h);
      // projected trial point and the step actually taken
      const clipped = projectStep(x, h, free, nf, lower, upper, xt, p);
      // predicted reduction of F = |r|^2 by the linear model: -(2 g.p + p^T A p)
      let gp = 0;
      for (let k = 0; k < n; k++) gp += g[k] * p[k];
      for (let a = 0; a < n; a++) {
        let s = 0;
        for (let b = 0; b < n; b++) s += A[a * n + b] * p[b];
        Ap[a] = s;
      }
      let pAp = 0;
      for (let k = 0; k < n; k++) pAp += p[k] * Ap[k];
      const pred = -(2 * gp + pAp);
      let pnorm = 0;
      let xnorm = 0;
      for (let k = 0; k < n; k++) {
        const d = Math.sqrt(D[k]);
        pnorm += (d * p[k]) ** 2;
        xnorm += (d * x[k]) ** 2;
      }
      pnorm = Math.sqrt(pnorm);
      xnorm = Math.sqrt(xnorm);
      problem.residuals(xt, rt);
      nfev++;
      const Ft = ss(rt);
      const actred = F - Ft;
      const rho = pred > 0 ? actred / pred : -1;
      const accepted = rho > 1e-4 && Ft < F;
      if (accepted) {
        x.set(xt);
        options.wrap?.(x);
        r.set(rt);
        F = Ft;
        iterations++;
        mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
        nu = 2;
      } else {
        mu *= nu;
        nu *= 2;
      }
      if (F === 0) return finish(14);
      const ftolOk = !clipped && Math.abs(actred) <= ftol * (F + Math.abs(actred)) && pred <= ftol * (F + Math.abs(actred));
      const xtolOk = pnorm <= xtol * xnorm;
      if (ftolOk && xtolOk) return finish(3);
      if (ftolOk) return finish(1);
      if (xtolOk) return finish(2);
      if (nfev >= maxfev) return finish(5);
      if (!Number.isFinite(mu) || nu > 1e30) return finish(7);
      if (accepted) break;
    }
  }
}
