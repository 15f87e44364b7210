/**
 * The linear fast path of multifit: when every free parameter enters the model linearly (all
 * shapes, positions and widths fixed, only amplitudes free), the model is c + D theta with one
 * design matrix D (channels x k) shared by all pixels, and each pixel's fit is a linear least
 * squares problem solved in closed form; no iterations.
 *
 * - Detection: each free parameter must be a known amplitude (LINEAR_PARAMETERS, HyperSpy's
 *   linear parameters) or belong to an Expression component, and the Jacobian must not change
 *   when theta changes (checked numerically at two points; catches nonlinear twin functions).
 * - Equal weights across pixels (unit weights, the default without sigma): D = QR once (modified
 *   Gram-Schmidt with re-orthogonalisation, "twice is enough", Giraud et al. 2005); per pixel
 *   u = Q^T (y - c), theta = R^-1 u, chi2 = ||y - c||^2 - ||u||^2. About (k + 1) multiply-adds per
 *   channel and pixel.
 * - Per-pixel weights (sigma in the dataset, the Poisson estimate, or a pixel with excluded
 *   points): G = D^T W D and b = D^T W (y - c) per pixel, Cholesky.
 * - Bounds: when the unconstrained solution leaves the box, the box-constrained problem is solved
 *   by the Lawson-Hanson active-set method (bounded-lsq.ts; NNLS where the lower bounds are 0).
 * - Errors: sqrt(diag(G_F^-1)) over the variables not on a bound (others NaN), scaled by
 *   sqrt(chi2 / dof) with unit weights or when scaleErrors is set, as multifit does.
 */
import type { Dataset } from '../data/dataset';
import type { FitSettings } from '../fit/settings';
import { compileModel, EXPRESSION_TYPE } from '../model/compile';
import type { ModelDoc } from '../model/document';
import { getStatistic } from '../stats';
import { boundedLeastSquares, makeBoundedLsqWork } from './bounded-lsq';
import { cubeDims, CubeError, fitChannels, signalAxis } from './cube';
import { PIXEL_STATUS, type MultifitResult, type PixelReport } from './multifit';
import type { VarianceMode } from './pixel-fitter';
import { cholesky, choleskyInverseDiagonal } from './small-linalg';

/** Parameters that enter their component linearly, by component type. */
export const LINEAR_PARAMETERS: Record<string, (param: string) => boolean> = {
  Gaussian: (p) => p === 'A',
  Lorentzian: (p) => p === 'A',
  Voigt: (p) => p === 'area',
  PseudoVoigt: (p) => p === 'A',
  Offset: (p) => p === 'offset',
  Polynomial: (p) => /^a\d+$/.test(p),
  PowerLaw: (p) => p === 'A',
  Exponential: (p) => p === 'A',
  Erf: (p) => p === 'A',
  Arctan: (p) => p === 'A',
  HeavisideStep: (p) => p === 'A',
  Logistic: (p) => p === 'a',
};

export interface LinearAnalysis {
  linear: boolean;
  /** why not, naming the parameter */
  reason?: string;
  freeKeys: string[];
}

export interface LinearDesign {
  freeKeys: string[];
  /** D column-major: D[j * m + i] = d model_i / d theta_j */
  D: Float64Array;
  /** the fixed part c = model(theta) - D theta */
  c: Float64Array;
  m: number;
  k: number;
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * Whether `model` is linear in its free parameters on the axis x; with the design matrix when it is.
 */
export function linearDesign(model: ModelDoc, x: Float64Array): LinearAnalysis & { design?: LinearDesign } {
  const m = x.length;
  const compiled = compileModel(model, { x }, m);
  const { layout } = compiled;
  const k = compiled.nFree;
  const freeKeys = layout.freeKeys.slice();
  const typeOf = new Map(model.components.map((c) => [c.name, c.type]));
  for (const key of freeKeys) {
    const slot = layout.slots[layout.slotIndex.get(key)!];
    const type = typeOf.get(slot.component) ?? '';
    if (type === EXPRESSION_TYPE) continue;
    const test = LINEAR_PARAMETERS[type];
    if (!test || !test(slot.param)) {
      return { linear: false, freeKeys, reason: `${key} is free and is not an amplitude (${type} enters the model nonlinearly through ${slot.param}); fix it to use the linear path` };
    }
  }
  // numerical check: J(theta0) == J(theta1) and model(theta1) == c + D theta1
  const D = new Float64Array(m * k);
  const D1 = new Float64Array(m * k);
  const f0 = new Float64Array(m);
  const f1 = new Float64Array(m);
  const t0 = layout.theta0;
  const t1 = new Float64Array(k);
  for (let j = 0; j < k; j++) t1[j] = t0[j] * 1.37 + 0.61 * (j + 1);
  compiled.evaluateWithJacobianColumns(t0, f0, D);
  compiled.evaluateWithJacobianColumns(t1, f1, D1);
  const c = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = f0[i];
    for (let j = 0; j < k; j++) s -= D[j * m + i] * t0[j];
    c[i] = s;
  }
  let maxD = 0;
  let maxF = 0;
  for (let i = 0; i < m * k; i++) maxD = Math.max(maxD, Math.abs(D[i]));
  for (let i = 0; i < m; i++) maxF = Math.max(maxF, Math.abs(f0[i]), Math.abs(f1[i]));
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < m; i++) {
      const a = D[j * m + i];
      const b = D1[j * m + i];
      if (!Number.isFinite(a) || Math.abs(a - b) > 1e-9 * (maxD + Math.abs(a))) {
        return { linear: false, freeKeys, reason: `the model's derivative with respect to ${freeKeys[j]} depends on the parameters (a nonlinear twin or expression)` };
      }
    }
  }
  for (let i = 0; i < m; i++) {
    let s = c[i];
    for (let j = 0; j < k; j++) s += D[j * m + i] * t1[j];
    if (!(Math.abs(s - f1[i]) <= 1e-9 * (maxF + 1e-300))) {
      return { linear: false, freeKeys, reason: 'the model is not affine in its free parameters' };
    }
  }
  return { linear: true, freeKeys, design: { freeKeys, D, c, m, k, lower: Float64Array.from(layout.lower), upper: Float64Array.from(layout.upper) } };
}

export interface LinearMultifitOptions {
  variance?: VarianceMode;
  scaleErrors?: boolean;
  pixels?: Int32Array;
  onPixel?(index: number, result: PixelReport): void;
  shouldStop?(): boolean;
  now?: () => number;
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Fits every pixel of a cube whose model is linear in its free parameters (see linearDesign).
 * Throws a CubeError naming the reason when it is not. Same result shape as multifit.
 */
export function linearMultifit(cube: Dataset, model: ModelDoc, settings: Partial<FitSettings> = {}, options: LinearMultifitOptions = {}): MultifitResult {
  const now = options.now ?? defaultNow;
  const t0 = now();
  const dims = cubeDims(cube);
  const { channels: nch, pixels: P } = dims;
  const stat = getStatistic(settings.statistic ?? 'chi2');
  if (!stat.leastSquaresEquivalent) throw new CubeError(`the linear path solves least squares; the ${stat.name} statistic needs multifit`);
  const ch = fitChannels(cube, settings.ranges ?? []);
  const m = ch.length;
  const axis = signalAxis(cube);
  const x = new Float64Array(m);
  for (let i = 0; i < m; i++) x[i] = axis[ch[i]];
  const analysis = linearDesign(model, x);
  if (!analysis.linear || !analysis.design) throw new CubeError(`${cube.name}: not linear: ${analysis.reason}`);
  const { D, c, k, lower, upper, freeKeys } = analysis.design;
  const mode = options.variance ?? 'auto';
  if (mode === 'sigma' && !cube.sigma) throw new CubeError(`${cube.name}: variance 'sigma' asked for, but the cube has no sigma`);
  const vmode: 'sigma' | 'poisson' | 'unit' = mode === 'auto' ? (cube.sigma ? 'sigma' : 'unit') : mode;
  const scaleErrors = options.scaleErrors ?? vmode === 'unit';
  const contiguous = m === nch;
  const pointMask = cube.mask && cube.mask.length !== nch ? cube.mask : null;
  const values = cube.values;
  const sigma = cube.sigma;

  const inSet = options.pixels ?? null;
  const count = inSet ? inSet.length : P;

  const theta = new Float64Array(P * k).fill(NaN);
  const errs = new Float64Array(P * k).fill(NaN);
  const red = new Float64Array(P).fill(NaN);
  const status = new Uint8Array(P);
  let cancelled = false;

  // ---- shared factorisation for equal weights: D = Q R (MGS, twice) ----
  const Qt = new Float64Array(m * k); // row-major by channel: Qt[i * k + j] = Q_ij
  const R = new Float64Array(k * k);
  const G = new Float64Array(k * k);
  const diagGinv = new Float64Array(k);
  const qc = new Float64Array(k);
  let qrOk = false;
  if (vmode === 'unit' && k > 0) {
    const q = Float64Array.from(D); // column-major, orthogonalised in place
    let maxNorm = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += q[j * m + i] ** 2;
      maxNorm = Math.max(maxNorm, Math.sqrt(s));
    }
    qrOk = true;
    for (let j = 0; j < k && qrOk; j++) {
      const oj = j * m;
      for (let pass = 0; pass < 2; pass++) {
        for (let l = 0; l < j; l++) {
          const ol = l * m;
          let s = 0;
          for (let i = 0; i < m; i++) s += q[ol + i] * q[oj + i];
          R[l * k + j] += s;
          for (let i = 0; i < m; i++) q[oj + i] -= s * q[ol + i];
        }
      }
      let s = 0;
      for (let i = 0; i < m; i++) s += q[oj + i] ** 2;
      const nrm = Math.sqrt(s);
      if (!(nrm > 1e-12 * maxNorm)) qrOk = false;
      R[j * k + j] = nrm;
      for (let i = 0; i < m; i++) q[oj + i] /= nrm;
    }
    if (!qrOk) {
      throw new CubeError(`${cube.name}: the linear components are not independent (the design matrix is rank deficient); two components have the same shape or one is zero on the fitted channels`);
    }
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) Qt[i * k + j] = q[j * m + i];
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += q[j * m + i] * c[i];
      qc[j] = s;
    }
    // G = R^T R; diag(G^-1) = squared row norms of R^-1
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let l = 0; l <= Math.min(a, b); l++) s += R[l * k + a] * R[l * k + b];
        G[a * k + b] = s;
      }
    }
    const Rinv = new Float64Array(k * k);
    for (let j = 0; j < k; j++) {
      // column j of R^-1 by back substitution
      for (let i = k - 1; i >= 0; i--) {
        let s = i === j ? 1 : 0;
        for (let l = i + 1; l < k; l++) s -= R[i * k + l] * Rinv[l * k + j];
        Rinv[i * k + j] = s / R[i * k + i];
      }
    }
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += Rinv[i * k + j] ** 2;
      diagGinv[i] = s;
    }
  }

  const u = new Float64Array(k);
  const th = new Float64Array(k);
  const b = new Float64Array(k);
  const Gp = new Float64Array(k * k);
  const sub = new Float64Array(k * k);
  const dInv = new Float64Array(k);
  const work = new Float64Array(k);
  const idx = new Int32Array(k);
  const atBound = new Int8Array(k);
  const lsqWork = makeBoundedLsqWork(k);
  const w2 = new Float64Array(m);
  const z = new Float64Array(m);
  let hasBounds = false;
  for (let j = 0; j < k; j++) if (Number.isFinite(lower[j]) || Number.isFinite(upper[j])) hasBounds = true;

  const inBox = (t: Float64Array): boolean => {
    for (let j = 0; j < k; j++) if (!(t[j] >= lower[j] && t[j] <= upper[j])) return false;
    return true;
  };

  /** errors of the variables off their bounds from G (k x k), into errs at pixel p */
  const errorsFrom = (Gm: Float64Array, p: number, factor: number): void => {
    let nf = 0;
    for (let j = 0; j < k; j++) if (atBound[j] === 0) idx[nf++] = j;
    for (let a = 0; a < nf; a++) for (let bb = 0; bb < nf; bb++) sub[a * nf + bb] = Gm[idx[a] * k + idx[bb]];
    if (nf === 0 || !cholesky(sub, nf)) return;
    choleskyInverseDiagonal(sub, nf, dInv, work);
    for (let a = 0; a < nf; a++) errs[p * k + idx[a]] = Math.sqrt(dInv[a] * factor);
  };

  // products D_a D_b per channel (a >= b), for per-pixel normal equations with tight loops
  let DD: Float64Array[] | null = null;
  const ensureDD = (): Float64Array[] => {
    if (DD) return DD;
    DD = [];
    for (let a = 0; a < k; a++) {
      for (let bb = 0; bb <= a; bb++) {
        const col = new Float64Array(m);
        for (let i = 0; i < m; i++) col[i] = D[a * m + i] * D[bb * m + i];
        DD.push(col);
      }
    }
    return DD;
  };
  // the model's columns, kept as separate arrays for the dot products
  const Dcol = Array.from({ length: k }, (_, j) => D.subarray(j * m, j * m + m));
  const Qcol = Array.from({ length: k }, (_, j) => {
    const col = new Float64Array(m);
    for (let i = 0; i < m; i++) col[i] = Qt[i * k + j];
    return col;
  });
  const wz = new Float64Array(m);
  const gPairs = new Float64Array((k * (k + 1)) / 2);
  const yv = new Float64Array(m);

  for (let n = 0; n < count; n++) {
    const p = inSet ? inSet[n] : n;
    if (!(p >= 0 && p < P)) throw new RangeError(`linearMultifit: pixel ${p} is outside 0..${P - 1}`);
    if ((n & 255) === 0 && options.shouldStop?.()) {
      cancelled = true;
      break;
    }
    const base = p * nch;
    // the pixel's data on the fitted channels (a view when they are all channels)
    let y: Float64Array;
    if (contiguous) y = values.subarray(base, base + m);
    else {
      for (let i = 0; i < m; i++) yv[i] = values[base + ch[i]];
      y = yv;
    }
    let chi2: number;
    let Gm: Float64Array;
    let usable = m;
    atBound.fill(0);
    let ss = 0;
    if (vmode === 'unit' && qrOk && !pointMask) ss = sumSquaredDifference(y, c, m);
    else ss = NaN;
    if (Number.isFinite(ss)) {
      // equal weights: u = Q^T (y - c), theta = R^-1 u, chi2 = ||y - c||^2 - ||u||^2
      multiDot(Qcol, y, m, u);
      for (let j = 0; j < k; j++) u[j] -= qc[j];
      for (let i = k - 1; i >= 0; i--) {
        let s = u[i];
        for (let l = i + 1; l < k; l++) s -= R[i * k + l] * th[l];
        th[i] = s / R[i * k + i];
      }
      let uu = 0;
      for (let j = 0; j < k; j++) uu += u[j] * u[j];
      chi2 = ss - uu;
      Gm = G;
      if (hasBounds && !inBox(th)) {
        // b = D^T (y - c) = R^T u
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let l = 0; l <= j; l++) s += R[l * k + j] * u[l];
          b[j] = s;
        }
        if (boundedLeastSquares(G, b, lower, upper, th, lsqWork, atBound) < 0) {
          status[p] = PIXEL_STATUS.failed;
          continue;
        }
        chi2 = ss - 2 * dotk(th, b, k) + quad(G, th, k);
      }
      if (chi2 < 1e-9 * ss) {
        for (let i = 0; i < m; i++) {
          z[i] = y[i] - c[i];
          w2[i] = 1;
        }
        chi2 = exactChi2(D, z, w2, th, m, k);
      }
      chi2 = Math.max(chi2, 0);
    } else {
      // per-pixel weights (or excluded points): normal equations G = D^T W D, b = D^T W (y - c)
      usable = 0;
      if (vmode === 'poisson' && !pointMask) {
        // the common case, without branches on the mode per channel
        for (let i = 0; i < m; i++) {
          const yi = y[i];
          const zi = yi - c[i];
          if (zi - zi === 0) {
            const w = 1 / (yi > 1 ? yi : 1);
            z[i] = zi;
            w2[i] = w;
            wz[i] = w * zi;
            usable++;
          } else {
            z[i] = 0;
            w2[i] = 0;
            wz[i] = 0;
          }
        }
      } else {
        for (let i = 0; i < m; i++) {
          const idxv = base + (contiguous ? i : ch[i]);
          const yi = y[i];
          let w = 1;
          let ok = Number.isFinite(yi) && !(pointMask && pointMask[idxv]);
          if (ok && vmode === 'sigma') {
            const sg = sigma![idxv];
            ok = sg > 0 && Number.isFinite(sg);
            w = 1 / (sg * sg);
          } else if (ok && vmode === 'poisson') w = 1 / (yi > 1 ? yi : 1);
          if (ok) {
            const zi = yi - c[i];
            z[i] = zi;
            w2[i] = w;
            wz[i] = w * zi;
            usable++;
          } else {
            z[i] = 0;
            w2[i] = 0;
            wz[i] = 0;
          }
        }
      }
      if (usable === 0) {
        status[p] = PIXEL_STATUS.failed;
        continue;
      }
      const ddCol = ensureDD();
      multiDot(Dcol, wz, m, b);
      ss = dotPlain(wz, z, m);
      multiDot(ddCol, w2, m, gPairs);
      let q = 0;
      for (let a = 0; a < k; a++) {
        for (let bb = 0; bb <= a; bb++, q++) {
          Gp[a * k + bb] = gPairs[q];
          Gp[bb * k + a] = gPairs[q];
        }
      }
      sub.set(Gp);
      if (!cholesky(sub, k)) {
        status[p] = PIXEL_STATUS.failed;
        continue;
      }
      th.set(b);
      for (let i = 0; i < k; i++) {
        let s = th[i];
        for (let l = 0; l < i; l++) s -= sub[i * k + l] * th[l];
        th[i] = s / sub[i * k + i];
      }
      for (let i = k - 1; i >= 0; i--) {
        let s = th[i];
        for (let l = i + 1; l < k; l++) s -= sub[l * k + i] * th[l];
        th[i] = s / sub[i * k + i];
      }
      if (hasBounds && !inBox(th)) {
        if (boundedLeastSquares(Gp, b, lower, upper, th, lsqWork, atBound) < 0) {
          status[p] = PIXEL_STATUS.failed;
          continue;
        }
      }
      chi2 = ss - 2 * dotk(th, b, k) + quad(Gp, th, k);
      if (chi2 < 1e-9 * ss) chi2 = exactChi2(D, z, w2, th, m, k);
      chi2 = Math.max(chi2, 0);
      Gm = Gp;
    }
    const dof = usable - k;
    const rc = dof > 0 ? chi2 / dof : NaN;
    theta.set(th, p * k);
    red[p] = rc;
    status[p] = PIXEL_STATUS.accepted;
    const factor = scaleErrors ? (Number.isFinite(rc) ? rc : NaN) : 1;
    let anyBound = false;
    for (let j = 0; j < k; j++) if (atBound[j] !== 0) anyBound = true;
    if (Gm === G && !anyBound) {
      for (let j = 0; j < k; j++) errs[p * k + j] = Math.sqrt(diagGinv[j] * factor);
    } else errorsFrom(Gm, p, factor);
    options.onPixel?.(p, { status: PIXEL_STATUS.accepted, redChi2: rc, theta: Float64Array.from(th) });
  }

  // maps of every parameter (fixed and twinned ones from the document)
  const compiled = compileModel(model, { x: x.subarray(0, 1) }, 1);
  const layout = compiled.layout;
  const maps: Record<string, Float64Array> = {};
  const slotValues = new Float64Array(layout.slots.length);
  const hasTwins = layout.slots.some((s) => s.twinSource >= 0);
  const slotMaps = layout.slots.map((s) => (maps[s.key] = new Float64Array(P).fill(NaN)));
  compiled.expand(new Float64Array(k), slotValues);
  const constant = layout.slots.map((s) => s.free < 0 && s.twinSource < 0);
  for (let p = 0; p < P; p++) {
    if (status[p] !== PIXEL_STATUS.accepted) continue;
    const tp = theta.subarray(p * k, p * k + k);
    if (hasTwins) {
      compiled.expand(tp, slotValues);
      for (let s = 0; s < slotMaps.length; s++) slotMaps[s][p] = slotValues[s];
    } else {
      for (let s = 0; s < slotMaps.length; s++) {
        const f = layout.slots[s].free;
        slotMaps[s][p] = constant[s] ? slotValues[s] : tp[f];
      }
    }
  }
  const errors: Record<string, Float64Array> = {};
  freeKeys.forEach((key, j) => {
    const e = new Float64Array(P);
    for (let p = 0; p < P; p++) e[p] = errs[p * k + j];
    errors[key] = e;
  });
  return { maps, errors, redChi2: red, status, elapsedMs: now() - t0, freeKeys, chi2Window: null, nfev: 0, cancelled };
}

function dotk(a: Float64Array, b: Float64Array, k: number): number {
  let s = 0;
  for (let j = 0; j < k; j++) s += a[j] * b[j];
  return s;
}

function quad(G: Float64Array, t: Float64Array, k: number): number {
  let s = 0;
  for (let a = 0; a < k; a++) {
    let r = 0;
    for (let b = 0; b < k; b++) r += G[a * k + b] * t[b];
    s += t[a] * r;
  }
  return s;
}

/** sum w (z - D theta)^2 computed directly (when the expanded form cancels) */
function exactChi2(D: Float64Array, z: Float64Array, w2: Float64Array, th: Float64Array, m: number, k: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) {
    let r = z[i];
    for (let j = 0; j < k; j++) r -= D[j * m + i] * th[j];
    s += w2[i] * r * r;
  }
  return s;
}

/**
 * out[j] = cols[j] . v for every column, four columns per pass over v: four independent
 * accumulators instead of one dependency chain (a plain dot product is bound by the add latency).
 */
function multiDot(cols: Float64Array[], v: Float64Array, m: number, out: Float64Array): void {
  const k = cols.length;
  let j = 0;
  for (; j + 4 <= k; j += 4) {
    const a = cols[j];
    const b = cols[j + 1];
    const c = cols[j + 2];
    const d = cols[j + 3];
    let sa = 0;
    let sb = 0;
    let sc = 0;
    let sd = 0;
    for (let i = 0; i < m; i++) {
      const x = v[i];
      sa += a[i] * x;
      sb += b[i] * x;
      sc += c[i] * x;
      sd += d[i] * x;
    }
    out[j] = sa;
    out[j + 1] = sb;
    out[j + 2] = sc;
    out[j + 3] = sd;
  }
  for (; j < k; j++) {
    const a = cols[j];
    let s0 = 0;
    let s1 = 0;
    let i = 0;
    for (; i + 1 < m; i += 2) {
      s0 += a[i] * v[i];
      s1 += a[i + 1] * v[i + 1];
    }
    if (i < m) s0 += a[i] * v[i];
    out[j] = s0 + s1;
  }
}

function dotPlain(a: Float64Array, b: Float64Array, m: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < m; i += 2) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
  }
  if (i < m) s0 += a[i] * b[i];
  return s0 + s1;
}

function sumSquaredDifference(y: Float64Array, c: Float64Array, m: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const d0 = y[i] - c[i];
    const d1 = y[i + 1] - c[i + 1];
    s0 += d0 * d0;
    s1 += d1 * d1;
  }
  if (i < m) s0 += (y[i] - c[i]) ** 2;
  return s0 + s1;
}
