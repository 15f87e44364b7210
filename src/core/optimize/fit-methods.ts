/**
 * The optimizers beyond LM / simplex / L-BFGS-B on dense Jacobians, as fitModel runs them
 * (fit-model.ts runOptimizer hands over here first):
 *   - 'iter', 'iterlm': block-coordinate LM (iter-components.ts), least-squares statistics;
 *   - 'adam': Adam (adam.ts) on the statistic, steps in units of each parameter's Gauss-Newton
 *     standard error at the start;
 *   - chunked LM (lm-chunked.ts) for image models whose n x p Jacobian would exceed the memory
 *     budget (settings.jacobianChunk forces a chunk size), for 'auto' and 'lm';
 *   - 'lbfgsb' (and 'auto' for Poisson / Cash statistics) on image models with the adjoint
 *     gradient (image-model.ts evaluateWithAdjoint: two PSF operations per gradient instead of
 *     one per parameter).
 * Returns null when the dense path of fit-model.ts should run.
 */
import type { CompiledModel } from '../model/compile';
import { isImageModel, type ImageCompiledModel } from '../image/image-model';
import type { Statistic } from '../stats';
import type { FitSettings } from '../fit/settings';
import { adam } from './adam';
import { iterateBlocks, type GroupedLeastSquares } from './iter-components';
import { levenbergMarquardtChunked, type BlockJacobianProblem } from './lm-chunked';
import { lbfgsb } from './lbfgsb';
import type { OptimizeOptions, OptimizeResult, ScalarProblem } from './problem';
import { minimizeScalar } from './strategy';

/** the Jacobian budget above which image fits use the chunked LM (bytes) */
export const JACOBIAN_BUDGET_BYTES = 32 * 1024 * 1024;

export interface FitData {
  compiled: CompiledModel;
  /** fitted values */
  y: Float64Array;
  sigma: Float64Array | null;
  stat: Statistic;
}

export interface ExtraRun extends OptimizeResult {
  method: string;
  /** J^T J of the chi-square residuals at the result (chunked LM), for the covariance */
  gram?: Float64Array;
}

export class MethodError extends Error {}

/** r = (y - m) / sigma with the Jacobian in column blocks (image models: only the owning components are rendered). */
export function blockProblem(d: FitData): BlockJacobianProblem {
  const { compiled, y, sigma } = d;
  const m = compiled.n;
  const n = compiled.nFree;
  const model = new Float64Array(m);
  const negInvSigma = Float64Array.from({ length: m }, (_, i) => (sigma ? -1 / sigma[i] : -1));
  const image = isImageModel(compiled) ? compiled : null;
  let full: Float64Array | null = null;
  return {
    m,
    n,
    lower: compiled.layout.lower,
    upper: compiled.layout.upper,
    residuals(theta, r) {
      compiled.evaluate(theta, model);
      for (let i = 0; i < m; i++) r[i] = (y[i] - model[i]) * -negInvSigma[i];
    },
    jacobianBlock(theta, first, count, Jb) {
      if (image) {
        image.jacobianColumnBlock(theta, first, count, Jb, negInvSigma);
        return;
      }
      full ??= new Float64Array(m * n);
      compiled.evaluateWithJacobianColumns(theta, model, full, negInvSigma);
      Jb.set(full.subarray(first * m, (first + count) * m));
    },
  };
}

/** The grouped problem for 'iter' / 'iterlm': groups = components (their free parameters). */
export function groupedProblem(d: FitData): GroupedLeastSquares {
  const { compiled, y, sigma } = d;
  const m = compiled.n;
  const n = compiled.nFree;
  const block = blockProblem(d);
  const image = isImageModel(compiled) ? (compiled as ImageCompiledModel) : null;
  const groups: number[][] = image ? image.componentFree : componentGroups(compiled);
  // the residual-of-the-others shortcut holds when no free parameter moves two components
  const owners = new Int32Array(n);
  let shared = false;
  for (const g of groups) for (const k of g) if (++owners[k] > 1) shared = true;
  const others = new Float64Array(m);
  const comp = new Float64Array(m);
  const invSigma = Float64Array.from({ length: m }, (_, i) => (sigma ? 1 / sigma[i] : 1));
  let current = -1;
  const blockBuf = new Map<number, Float64Array>();
  return {
    m,
    n,
    lower: compiled.layout.lower,
    upper: compiled.layout.upper,
    groups,
    residuals: block.residuals,
    beginGroup(g, theta) {
      current = shared ? -1 : g;
      if (current < 0) return;
      compiled.evaluate(theta, others);
      compiled.evaluateComponent(g, theta, comp);
      for (let i = 0; i < m; i++) others[i] -= comp[i];
    },
    groupResiduals(theta, r) {
      if (current < 0) {
        block.residuals(theta, r);
        return;
      }
      compiled.evaluateComponent(current, theta, comp);
      for (let i = 0; i < m; i++) r[i] = (y[i] - others[i] - comp[i]) * invSigma[i];
    },
    jacobianOf(theta, cols, Jc) {
      if (cols.length === 0) return;
      let lo = cols[0];
      let hi = cols[0];
      for (const k of cols) {
        lo = Math.min(lo, k);
        hi = Math.max(hi, k);
      }
      const width = hi - lo + 1;
      if (width === cols.length && cols.every((k, j) => k === lo + j)) {
        block.jacobianBlock(theta, lo, width, Jc);
        return;
      }
      let buf = blockBuf.get(width);
      if (!buf) blockBuf.set(width, (buf = new Float64Array(m * width)));
      block.jacobianBlock(theta, lo, width, buf);
      cols.forEach((k, j) => Jc.set(buf!.subarray((k - lo) * m, (k - lo + 1) * m), j * m));
    },
  };
}

/** free parameters per component of a (non-image) compiled model, from its layout */
function componentGroups(compiled: CompiledModel): number[][] {
  const { layout } = compiled;
  return compiled.componentNames.map((name) => {
    const out: number[] = [];
    layout.freeSlots.forEach((slot, k) => {
      if (layout.slots[slot].component === name) out.push(k);
    });
    return out;
  });
}

/** The statistic as a scalar problem; models with evaluateWithGradient (images: the adjoint route) use it. */
export function adjointScalarProblem(d: FitData): ScalarProblem {
  const { compiled, y, sigma, stat } = d;
  const m = compiled.n;
  const n = compiled.nFree;
  const model = new Float64Array(m);
  const withGradient = compiled.evaluateWithGradient?.bind(compiled);
  const J = withGradient ? null : new Float64Array(m * n);
  const dS = new Float64Array(m);
  const weights = (mod: Float64Array, w: Float64Array): number => stat.valueAndDerivative(y, mod, sigma, null, m, w);
  return {
    n,
    lower: compiled.layout.lower,
    upper: compiled.layout.upper,
    value(theta) {
      compiled.evaluate(theta, model);
      return stat.value(y, model, sigma, null, m);
    },
    valueAndGradient(theta, g) {
      if (withGradient) return withGradient(theta, model, weights, g);
      compiled.evaluateWithJacobian(theta, model, J!);
      const s = stat.valueAndDerivative(y, model, sigma, null, m, dS);
      g.fill(0);
      for (let i = 0; i < m; i++) {
        const di = dS[i];
        if (di === 0) continue;
        for (let k = 0; k < n; k++) g[k] += di * J![i * n + k];
      }
      return s;
    },
  };
}

/** 1 / sqrt(diag of the Gauss-Newton information) per parameter (a standard error if uncorrelated), from column blocks */
export function informationScale(d: FitData, theta: Float64Array): Float64Array {
  const { compiled, y, sigma, stat } = d;
  const m = compiled.n;
  const n = compiled.nFree;
  const model = new Float64Array(m);
  compiled.evaluate(theta, model);
  const d2 = new Float64Array(m);
  stat.secondDerivative(y, model, sigma, null, m, d2);
  // columns of dmodel/dtheta, chunked by 4
  const unit: FitData = { ...d, sigma: null };
  const block = blockProblem(unit);
  const chunk = Math.min(n, 4);
  const Jb = new Float64Array(m * chunk);
  const out = new Float64Array(n);
  for (let a = 0; a < n; a += chunk) {
    const w = Math.min(chunk, n - a);
    block.jacobianBlock(theta, a, w, Jb); // -dmodel/dtheta
    for (let k = 0; k < w; k++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += d2[i] * Jb[k * m + i] * Jb[k * m + i];
      // information = (1 / (2 errordef)) d2S/dtheta^2
      const info = s / (2 * stat.errordef);
      out[a + k] = info > 0 ? 1 / Math.sqrt(info) : Math.max(1e-3, Math.abs(theta[a + k]) * 1e-3);
    }
  }
  return out;
}

/** Runs the methods named in the header; null when the dense path applies. */
export function runExtraMethod(d: FitData, settings: FitSettings, theta0: Float64Array, options: OptimizeOptions, wrap?: (theta: Float64Array) => void): ExtraRun | null {
  const { compiled, stat } = d;
  const method = settings.method as string;
  const leastSquares = stat.leastSquaresEquivalent !== undefined;
  const image = isImageModel(compiled);
  const m = compiled.n;
  const n = compiled.nFree;
  if (method === 'iter' || method === 'iterlm') {
    if (!leastSquares) throw new MethodError(`${method === 'iter' ? 'Iter' : 'Iter-LM'} fits least squares (chi-square or Gaussian); use L-BFGS-B or Adam for ${stat.name}`);
    const res = iterateBlocks(groupedProblem(d), theta0, { ...options, mode: method, chunk: settings.jacobianChunk || 8, wrap });
    return { ...res, method };
  }
  if (method === 'adam') {
    const scale = informationScale(d, theta0);
    const res = adam(adjointScalarProblem(d), theta0, { ...options, scale, wrap });
    return { ...res, method: 'adam' };
  }
  if (!image) return null;
  if (leastSquares && (method === 'auto' || method === 'lm')) {
    const forced = settings.jacobianChunk !== undefined && settings.jacobianChunk > 0;
    if (!forced && m * n * 8 <= JACOBIAN_BUDGET_BYTES) return null;
    const chunk = forced ? settings.jacobianChunk! : Math.max(1, Math.floor(JACOBIAN_BUDGET_BYTES / (2 * 8 * m)));
    const res = levenbergMarquardtChunked(blockProblem(d), theta0, { ...options, chunk, wrap });
    return { ...res, method: 'lm (chunked Jacobian)' };
  }
  if (method === 'lbfgsb' || (!leastSquares && method === 'auto')) {
    const scalar = adjointScalarProblem(d);
    if (method === 'lbfgsb') return { ...lbfgsb(scalar, theta0, options), method: 'lbfgsb' };
    const res = minimizeScalar(scalar, theta0, { ...options, method: 'auto' });
    return { ...res, method: res.method };
  }
  return null;
}
