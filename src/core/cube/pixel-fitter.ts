/**
 * One compiled model, many pixels. The model is compiled once for the signal axis (the channels
 * inside the fit ranges and not masked for all pixels); per pixel only the data and weights are
 * swapped into the same objective, so no model compilation, view building or validation is
 * repeated. Points excluded in a single pixel (per-point mask, NaN/Inf value) get weight 0.
 *
 * Least-squares statistics (chi2, gauss) are minimised by Levenberg-Marquardt on
 * r_i = w_i (y_i - m_i), w_i = 1/sigma_i with sigma from the dataset, the Poisson estimate
 * sqrt(max(y_i, 1)) or 1 (see VarianceMode): by default ('sparse' engine) the normal-equation LM
 * of sparse-lm.ts on the banded Jacobian of sparse-model.ts (Gaussians evaluated within
 * +-9.1 sigma of their centre); the robust retries, and engine 'dense', use the general LM
 * (optimize/lm.ts, QR) on the compiled model. The sparse engine's ftol means: converged when a
 * full Newton step would lower chi2 by less than ftol chi2 (that step is then taken); its
 * results agree with the QR-based LM's at tolerance 1e-15 within ~1e-6 standard errors
 * (sparse.test.ts). Cash and Poisson -ln L use L-BFGS-B through minimizeScalar (strategy.ts) with
 * the analytic gradient, started from an LM fit.
 *
 * Errors: cov = 2 errordef H^-1 with the Gauss-Newton Hessian H = J^T diag(d2S/dm^2) J over the
 * free parameters not on a bound (those get NaN), as fit-model.ts does; for chi2 this is
 * (J^T W^2 J)^-1. With unit weights (no variance known) the errors are scaled by sqrt(chi2/dof)
 * as lmfit and fitModel do; `scaleErrors` forces that scaling (HyperSpy always applies it).
 * For least squares the sparse engine's Gram matrix of the fit's last evaluated point is used
 * (no re-evaluation; it is one sub-ftol Newton step from the returned values).
 */
import type { Dataset } from '../data/dataset';
import type { FitSettings } from '../fit/settings';
import { compileModel, type CompiledModel } from '../model/compile';
import type { ModelDoc } from '../model/document';
import { levenbergMarquardt, type LmOptions } from '../optimize/lm';
import type { LeastSquaresProblem, ScalarProblem } from '../optimize/problem';
import { fitLeastSquaresRobust, minimizeScalar } from '../optimize/strategy';
import { cash, getStatistic, type Statistic } from '../stats';
import { cubeDims, CubeError, fitChannels, signalAxis, type CubeDims } from './cube';
import { cholesky, choleskyInverseDiagonal } from './small-linalg';
import { SparseLm, type SparseLmOptions } from './sparse-lm';
import { SparseModel } from './sparse-model';

/**
 * Where the chi2 weights come from. 'auto': the dataset's sigma when present, else unit weights;
 * 'poisson': variance max(y, 1) per point (HyperSpy's estimate_poissonian_noise_variance, floored at 1).
 */
export type VarianceMode = 'auto' | 'sigma' | 'poisson' | 'unit';

export interface PixelFitterOptions {
  variance?: VarianceMode;
  /** LM / L-BFGS-B tolerances (defaults ftol 1e-10, xtol 1e-10, gtol 1e-10) */
  ftol?: number;
  xtol?: number;
  gtol?: number;
  /** scale errors by sqrt(reduced chi2) even when weights are known (HyperSpy's convention) */
  scaleErrors?: boolean;
  /**
   * least-squares fits: 'sparse' (default), the normal-equation LM on the banded Jacobian
   * (sparse-lm.ts); 'dense', the general QR-based LM (optimize/lm.ts) on the compiled model
   */
  engine?: 'sparse' | 'dense';
  /** sparse engine: a Gaussian's half-width in sigmas (default GAUSSIAN_WINDOW_SIGMAS = 9.1; Infinity: every channel) */
  gaussianWindow?: number;
  /** sparse engine: initial LM damping, relative to diag(J^T W J) (default 1e-6: starts are usually close) */
  lambda0?: number;
  /** sparse engine: Newton steps with the exact Hessian where the model has one (default true) */
  secondOrder?: boolean;
}

export interface PixelFit {
  theta: Float64Array;
  /** the minimised statistic (chi2 for least squares) */
  statistic: number;
  /** chi2 / dof, or Cash / dof for the Poisson statistics; NaN when dof <= 0 */
  redChi2: number;
  converged: boolean;
  cancelled: boolean;
  nfev: number;
}

export class PixelFitter {
  readonly compiled: CompiledModel;
  readonly dims: CubeDims;
  readonly nFree: number;
  /** number of channels in the objective */
  readonly m: number;
  /** cube channel of each objective point */
  readonly channels: Int32Array;
  readonly stat: Statistic;
  readonly leastSquares: boolean;
  /** points usable in the loaded pixel */
  usable = 0;
  pixel = -1;

  private readonly cube: Dataset;
  private readonly varianceMode: 'sigma' | 'poisson' | 'unit';
  private readonly y: Float64Array;
  private readonly w: Float64Array;
  /** 1 = excluded (for the scalar statistics) */
  private readonly mask: Uint8Array;
  private readonly modelBuf: Float64Array;
  private readonly jc: Float64Array;
  private readonly lastTheta: Float64Array;
  private cached = false;
  private readonly ls: LeastSquaresProblem;
  private readonly scalar: ScalarProblem;
  private readonly lmOptions: LmOptions;
  private readonly scaleErrors: boolean;
  private readonly d2: Float64Array;
  private readonly h: Float64Array;
  private readonly hIdx: Int32Array;
  private readonly diagInv: Float64Array;
  private readonly work: Float64Array;
  private readonly colScale: Float64Array;
  private readonly grad: Float64Array;
  private readonly jRow: Float64Array;
  /** the Poisson statistics' problem in scaled coordinates theta = centre + colScale * u */
  private readonly scaledScalar: ScalarProblem;
  private readonly centre: Float64Array;
  private readonly sparse: SparseLm | null;
  /** w_i^2 of the loaded pixel, or null when every weight is 1 */
  private w2: Float64Array | null = null;
  private readonly w2Buf: Float64Array;
  /** counts load() calls: the sparse Gram belongs to the pixel loaded when it was formed */
  private loadCount = 0;
  private gramLoad = -1;
  private readonly sparseOptions: SparseLmOptions;

  constructor(cube: Dataset, model: ModelDoc, settings: Partial<FitSettings>, options: PixelFitterOptions = {}) {
    this.cube = cube;
    this.dims = cubeDims(cube);
    const axis = signalAxis(cube);
    this.channels = fitChannels(cube, settings.ranges ?? []);
    const keep = this.channels;
    const m = keep.length;
    this.m = m;
    const x = new Float64Array(m);
    for (let i = 0; i < m; i++) x[i] = axis[keep[i]];
    this.compiled = compileModel(model, { x }, m);
    const { layout } = this.compiled;
    this.nFree = this.compiled.nFree;
    const n = this.nFree;
    for (let k = 0; k < n; k++) {
      const v = layout.theta0[k];
      if (!Number.isFinite(v)) throw new CubeError(`${layout.freeKeys[k]} has no finite starting value`);
    }
    const statName = settings.statistic ?? 'chi2';
    this.stat = getStatistic(statName);
    this.leastSquares = this.stat.leastSquaresEquivalent !== undefined;
    const mode = options.variance ?? 'auto';
    if (mode === 'sigma' && !cube.sigma) throw new CubeError(`${cube.name}: variance 'sigma' asked for, but the cube has no sigma`);
    this.varianceMode = mode === 'auto' ? (cube.sigma ? 'sigma' : 'unit') : mode;
    this.scaleErrors = options.scaleErrors ?? (this.leastSquares && this.varianceMode === 'unit');
    if (!this.leastSquares) {
      const v = cube.values;
      for (let i = 0; i < v.length; i++) {
        if (v[i] < 0) {
          const p = Math.floor(i / this.dims.channels);
          throw new CubeError(
            `${cube.name}: the ${this.stat.name} statistic needs counts >= 0; pixel (${Math.floor(p / this.dims.cols)}, ${p % this.dims.cols}) channel ${i % this.dims.channels} has ${v[i]}`,
          );
        }
      }
    }
    if (cube.sigma && this.varianceMode === 'sigma') {
      const s = cube.sigma;
      for (let i = 0; i < s.length; i++) {
        if (!(s[i] > 0) && !Number.isNaN(s[i])) throw new CubeError(`${cube.name}: sigma must be positive; point ${i} has ${s[i]}`);
      }
    }

    this.y = new Float64Array(m);
    this.w = new Float64Array(m);
    this.mask = new Uint8Array(m);
    this.modelBuf = new Float64Array(m);
    this.jc = new Float64Array(m * n);
    this.lastTheta = new Float64Array(n);
    this.d2 = new Float64Array(m);
    this.h = new Float64Array(n * n);
    this.hIdx = new Int32Array(n);
    this.diagInv = new Float64Array(n);
    this.work = new Float64Array(n);
    this.colScale = new Float64Array(n);
    this.grad = new Float64Array(m);
    this.jRow = new Float64Array(m * n);
    this.lmOptions = { ftol: options.ftol ?? 1e-10, xtol: options.xtol ?? 1e-10, gtol: options.gtol ?? 1e-10 };
    this.sparseOptions = { ...this.lmOptions, lambda0: options.lambda0 ?? 1e-6, secondOrder: options.secondOrder ?? true };
    this.w2Buf = new Float64Array(m);
    this.sparse =
      (options.engine ?? 'sparse') === 'sparse' && n > 0
        ? new SparseLm(new SparseModel(model, x, layout, { gaussianWindow: options.gaussianWindow }))
        : null;

    const fitter = this;
    const compiled = this.compiled;
    const { y, w, modelBuf, jc, lastTheta } = this;
    // r_i = w_i (y_i - m_i); the Jacobian is computed alongside the residuals and kept, as
    // leastSquaresProblem in fit-model.ts does (LM asks for it at almost every accepted point)
    const fill = (theta: ArrayLike<number>): void => {
      compiled.evaluateWithJacobianColumns(theta, modelBuf, jc);
      lastTheta.set(theta);
      fitter.cached = true;
    };
    const same = (theta: ArrayLike<number>): boolean => {
      if (!fitter.cached) return false;
      for (let k = 0; k < n; k++) if (theta[k] !== lastTheta[k]) return false;
      return true;
    };
    this.ls = {
      m,
      n,
      lower: layout.lower,
      upper: layout.upper,
      residuals(theta, r) {
        fill(theta);
        for (let i = 0; i < m; i++) r[i] = w[i] * (y[i] - modelBuf[i]);
      },
      jacobian(theta, J) {
        if (!same(theta)) fill(theta);
        for (let k = 0; k < n; k++) {
          const o = k * m;
          for (let i = 0; i < m; i++) J[i * n + k] = -w[i] * jc[o + i];
        }
      },
      jacobianColumns(theta, Jc) {
        if (!same(theta)) fill(theta);
        for (let k = 0; k < n; k++) {
          const o = k * m;
          for (let i = 0; i < m; i++) Jc[o + i] = -w[i] * jc[o + i];
        }
      },
    };
    const stat = this.stat;
    const mask = this.mask;
    const grad = this.grad;
    const jRow = this.jRow;
    this.scalar = {
      n,
      lower: layout.lower,
      upper: layout.upper,
      value(theta) {
        compiled.evaluate(theta, modelBuf);
        return stat.value(y, modelBuf, null, mask, m);
      },
      valueAndGradient(theta, g) {
        compiled.evaluateWithJacobian(theta, modelBuf, jRow);
        const s = stat.valueAndDerivative(y, modelBuf, null, mask, m, grad);
        g.fill(0);
        for (let i = 0; i < m; i++) {
          const d = grad[i];
          if (d === 0) continue;
          const o = i * n;
          for (let k = 0; k < n; k++) g[k] += d * jRow[o + k];
        }
        return s;
      },
    };
    this.centre = new Float64Array(n);
    const centre = this.centre;
    const colScale = this.colScale;
    const thetaS = new Float64Array(n);
    const scalar = this.scalar;
    const lo = layout.lower;
    const hi = layout.upper;
    // clamped: c + s ((l - c) / s) may miss the bound by a rounding error
    const toTheta = (u: ArrayLike<number>): Float64Array => {
      for (let k = 0; k < n; k++) thetaS[k] = Math.min(hi[k], Math.max(lo[k], centre[k] + colScale[k] * u[k]));
      return thetaS;
    };
    this.scaledScalar = {
      n,
      lower: new Float64Array(n),
      upper: new Float64Array(n),
      value: (u) => scalar.value(toTheta(u)),
      valueAndGradient: (u, g) => {
        const v = scalar.valueAndGradient!(toTheta(u), g);
        for (let k = 0; k < n; k++) g[k] *= colScale[k];
        return v;
      },
    };
  }

  get freeKeys(): string[] {
    return this.compiled.layout.freeKeys;
  }

  /** The document's starting vector (clamped into the bounds). */
  get theta0(): Float64Array {
    return this.compiled.layout.theta0;
  }

  /** Swaps one pixel's data and weights into the objective; returns the number of usable points. */
  load(pixel: number): number {
    const { channels: nch } = this.dims;
    const base = pixel * nch;
    const v = this.cube.values;
    const s = this.cube.sigma;
    const pm = this.cube.mask && this.cube.mask.length !== nch ? this.cube.mask : null;
    const mode = this.varianceMode;
    const { y, w, mask, channels } = this;
    const w2 = this.w2Buf;
    const m = this.m;
    let usable = 0;
    if (mode === 'unit' && this.leastSquares && !pm) {
      // the common case without per-point modes: weight 1 where the value is finite
      for (let i = 0; i < m; i++) {
        const yi = v[base + channels[i]];
        if (yi - yi === 0) {
          y[i] = yi;
          w[i] = 1;
          w2[i] = 1;
          mask[i] = 0;
          usable++;
        } else {
          y[i] = 0;
          w[i] = 0;
          w2[i] = 0;
          mask[i] = 1;
        }
      }
    } else {
      for (let i = 0; i < m; i++) {
        const idx = base + channels[i];
        const yi = v[idx];
        let ok = Number.isFinite(yi) && !(pm && pm[idx]);
        let wi = 1;
        if (ok && mode === 'sigma') {
          const si = s![idx];
          ok = si > 0 && Number.isFinite(si);
          wi = 1 / si;
        } else if (ok && (mode === 'poisson' || !this.leastSquares)) wi = 1 / Math.sqrt(Math.max(yi, 1));
        if (ok) {
          y[i] = yi;
          w[i] = wi;
          w2[i] = wi * wi;
          mask[i] = 0;
          usable++;
        } else {
          y[i] = 0;
          w[i] = 0;
          w2[i] = 0;
          mask[i] = 1;
        }
      }
    }
    let unit = usable === m;
    for (let i = 0; unit && i < m; i++) if (w[i] !== 1) unit = false;
    this.w2 = unit ? null : w2;
    this.cached = false;
    this.usable = usable;
    this.pixel = pixel;
    this.loadCount++;
    return usable;
  }

  /** Fits the loaded pixel from `start` (clamped into the bounds); `robust` adds the restart strategies. */
  fit(start: ArrayLike<number>, robust = false, shouldStop?: () => boolean): PixelFit {
    const n = this.nFree;
    const theta0 = new Float64Array(n);
    const { lower, upper } = this.compiled.layout;
    for (let k = 0; k < n; k++) {
      const v = Number.isFinite(start[k]) ? start[k] : this.compiled.layout.theta0[k];
      theta0[k] = Math.min(upper[k], Math.max(lower[k], v));
    }
    const dof = this.usable - n;
    const m = this.m;
    if (this.usable === 0) {
      return { theta: theta0, statistic: NaN, redChi2: NaN, converged: false, cancelled: false, nfev: 0 };
    }
    if (n === 0) {
      const s = this.statisticAt(theta0);
      return { theta: theta0, statistic: s, redChi2: this.reduced(theta0, s, dof), converged: Number.isFinite(s), cancelled: false, nfev: 1 };
    }
    if (this.leastSquares && this.sparse && !robust) {
      const res = this.sparseFit(theta0, shouldStop);
      const chi2 = res.chi2;
      const ok = res.converged && !res.cancelled && Number.isFinite(chi2);
      return { theta: res.theta, statistic: chi2, redChi2: dof > 0 ? chi2 / dof : NaN, converged: ok, cancelled: res.cancelled, nfev: res.nfev };
    }
    const opts = { ...this.lmOptions, shouldStop };
    if (this.leastSquares) {
      const res = robust ? fitLeastSquaresRobust(this.ls, theta0, opts) : levenbergMarquardt(this.ls, theta0, opts);
      const chi2 = res.statistic;
      const ok = res.converged && !res.cancelled && Number.isFinite(chi2);
      return {
        theta: res.theta,
        statistic: chi2,
        redChi2: dof > 0 ? chi2 / dof : NaN,
        converged: ok,
        cancelled: res.cancelled,
        nfev: res.nfev,
      };
    }
    // Poisson statistics: a Neyman chi2 fit by LM (weights 1/max(y, 1), loaded for these
    // statistics) gives a close start; then L-BFGS-B on the statistic itself in coordinates
    // scaled by 1/sqrt(diag H) (Jacobi preconditioning), which it needs on parameters of very
    // different units (a power law's A and r, a line's area and width).
    const pre = this.sparse ? this.sparseFit(theta0, shouldStop) : levenbergMarquardt(this.ls, theta0, opts);
    let nfev = pre.nfev;
    const preChi2 = 'chi2' in pre ? pre.chi2 : pre.statistic;
    const c = pre.converged && Number.isFinite(preChi2) ? pre.theta : theta0;
    const sc = this.colScale;
    this.compiled.evaluateWithJacobianColumns(c, this.modelBuf, this.jc);
    this.cached = false;
    this.stat.secondDerivative(this.y, this.modelBuf, null, this.mask, m, this.d2);
    for (let k = 0; k < n; k++) {
      let hkk = 0;
      const o = k * m;
      for (let i = 0; i < m; i++) hkk += this.d2[i] * this.jc[o + i] * this.jc[o + i];
      sc[k] = hkk > 0 && Number.isFinite(hkk) ? 1 / Math.sqrt(hkk) : 1;
    }
    const scaled = this.scaledScalar;
    for (let k = 0; k < n; k++) {
      this.centre[k] = c[k];
      scaled.lower[k] = (lower[k] - c[k]) / sc[k];
      scaled.upper[k] = (upper[k] - c[k]) / sc[k];
    }
    const res = minimizeScalar(scaled, new Float64Array(n), { ...opts, method: robust ? 'auto' : 'lbfgsb' });
    nfev += res.nfev;
    const theta = new Float64Array(n);
    for (let k = 0; k < n; k++) theta[k] = Math.min(upper[k], Math.max(lower[k], c[k] + sc[k] * res.theta[k]));
    const s = this.statisticAt(theta);
    return {
      theta,
      statistic: s,
      redChi2: this.reduced(theta, s, dof),
      converged: res.converged && !res.cancelled && Number.isFinite(s),
      cancelled: res.cancelled || pre.cancelled,
      nfev,
    };
  }

  private sparseFit(theta0: Float64Array, shouldStop?: () => boolean) {
    const { lower, upper } = this.compiled.layout;
    const o = this.sparseOptions;
    o.shouldStop = shouldStop;
    const res = this.sparse!.fit(this.y, this.w2, theta0, lower, upper, o);
    this.gramLoad = this.loadCount;
    return res;
  }

  /** The minimised statistic at theta for the loaded pixel. */
  statisticAt(theta: ArrayLike<number>): number {
    this.compiled.evaluate(theta, this.modelBuf);
    if (this.leastSquares) {
      let s = 0;
      for (let i = 0; i < this.m; i++) {
        const r = this.w[i] * (this.y[i] - this.modelBuf[i]);
        s += r * r;
      }
      return Number.isNaN(s) ? Infinity : s;
    }
    return this.stat.value(this.y, this.modelBuf, null, this.mask, this.m);
  }

  private reduced(theta: ArrayLike<number>, s: number, dof: number): number {
    if (!(dof > 0)) return NaN;
    if (this.leastSquares || this.stat.name === 'cash') return s / dof;
    this.compiled.evaluate(theta, this.modelBuf);
    return cash.value(this.y, this.modelBuf, null, this.mask, this.m) / dof;
  }

  /**
   * Standard errors at theta for the loaded pixel into `out` (NaN for parameters on a bound or
   * not identifiable). redChi2 is used for the scaling with unit weights.
   */
  errors(theta: ArrayLike<number>, redChi2: number, out: Float64Array): void {
    const n = this.nFree;
    const m = this.m;
    const { lower, upper } = this.compiled.layout;
    out.fill(NaN, 0, n);
    if (n === 0 || this.usable === 0) return;
    let nf = 0;
    for (let k = 0; k < n; k++) {
      const tol = 1e-10 * Math.max(1, Math.abs(theta[k]));
      if (theta[k] - lower[k] <= tol || upper[k] - theta[k] <= tol) continue;
      this.hIdx[nf++] = k;
    }
    if (nf === 0) return;
    const h = this.h;
    if (this.leastSquares && this.sparse) {
      // H = J^T W^2 J: the Gram matrix of the fit when theta is its last point, else formed at theta
      const sp = this.sparse;
      let same = sp.gramValid && this.gramLoad === this.loadCount;
      for (let k = 0; same && k < n; k++) if (sp.gramTheta[k] !== theta[k]) same = false;
      if (!same) {
        sp.gramAt(this.y, this.w2, theta);
        this.gramLoad = this.loadCount;
      }
      const G = sp.gram;
      // errordef 1 with d2 = 2 w^2 below: 2 H
      for (let a = 0; a < nf; a++) {
        const ka = this.hIdx[a];
        for (let b = 0; b < nf; b++) h[a * nf + b] = 2 * G[ka * n + this.hIdx[b]];
      }
    } else {
      this.compiled.evaluateWithJacobianColumns(theta, this.modelBuf, this.jc);
      this.cached = false;
      const d2 = this.d2;
      if (this.leastSquares) for (let i = 0; i < m; i++) d2[i] = 2 * this.w[i] * this.w[i];
      else this.stat.secondDerivative(this.y, this.modelBuf, null, this.mask, m, d2);
      const jc = this.jc;
      for (let a = 0; a < nf; a++) {
        const oa = this.hIdx[a] * m;
        for (let b = 0; b <= a; b++) {
          const ob = this.hIdx[b] * m;
          let s = 0;
          for (let i = 0; i < m; i++) s += d2[i] * jc[oa + i] * jc[ob + i];
          h[a * nf + b] = s;
          h[b * nf + a] = s;
        }
      }
    }
    // symmetric diagonal scaling keeps the factorisation independent of the parameters' units
    const sc = this.colScale;
    for (let a = 0; a < nf; a++) sc[a] = h[a * nf + a] > 0 ? 1 / Math.sqrt(h[a * nf + a]) : 0;
    for (let a = 0; a < nf; a++) {
      if (sc[a] === 0) return;
      for (let b = 0; b < nf; b++) h[a * nf + b] *= sc[a] * sc[b];
    }
    if (!cholesky(h, nf)) return;
    choleskyInverseDiagonal(h, nf, this.diagInv, this.work);
    // chi2 (also for 'gauss', minimised as chi2): errordef 1
    const errordef = this.leastSquares ? 1 : this.stat.errordef;
    const factor = 2 * errordef * (this.scaleErrors && Number.isFinite(redChi2) ? redChi2 : 1);
    for (let a = 0; a < nf; a++) {
      const v = this.diagInv[a] * sc[a] * sc[a] * factor;
      out[this.hIdx[a]] = v >= 0 ? Math.sqrt(v) : NaN;
    }
  }
}
