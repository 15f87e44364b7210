/**
 * multifit: one model fitted to every pixel of a spectrum image (cube [rows, cols, channels]).
 *
 * The model is compiled once for the signal axis and the objective is reused for every pixel
 * (pixel-fitter.ts); bounds hold in every pixel because every fit is a bounded one (LM keeps
 * its iterates in the box). Orders:
 *
 * - 'flyback' / 'serpentine' (HyperSpy's `iterpath`): rows scanned left to right (serpentine:
 *   odd rows right to left); each pixel starts from the values of the last accepted pixel
 *   (the previous pixel, unless that one failed). A pixel whose fit is not accepted is refitted
 *   with the robust strategy from the document's starting values (status 2 when that is accepted).
 *
 * - 'smart': the idea of HyperSpy's SAMFire (Smart Adaptive Multidimensional Fitting,
 *   T. Ostasevicius, HyperSpy docs "SAMFire"): fitting spreads from seed pixels through a
 *   priority frontier of unfitted pixels adjacent to accepted ones (priority: the number of
 *   accepted neighbours, edges 1, corners 1/2; ties first come first served). Each pixel starts
 *   from the weighted mean of its accepted neighbours' values. A fit is accepted when it
 *   converged and its reduced chi-square (reduced Cash for the Poisson statistics) lies in the
 *   window, by default [0, 3 x median of the seeds' reduced chi-square]. Otherwise it is retried
 *   from each accepted neighbour alone (lowest reduced chi-square first, up to 4), from the
 *   component-wise median of all accepted pixels, from the seeds' values and from the document's
 *   starting values; the first accepted is kept (status 2), else the best (lowest statistic) is
 *   kept and the pixel is flagged failed (status 3). Failed pixels do not spread their values;
 *   after the sweep they are retried once more from neighbours accepted later. Pixels not
 *   connected to any accepted pixel start from the global candidates.
 *
 * Maps hold every parameter of the model (fixed and twinned ones too) per pixel, NaN where not
 * fitted; failed pixels keep their best attempt (check `status`). Errors are given for the free
 * parameters (NaN on a bound or where not identifiable).
 */
import type { Dataset } from '../data/dataset';
import type { FitSettings } from '../fit/settings';
import type { ModelDoc } from '../model/document';
import { scanOrder } from './cube';
import { PixelFitter, type PixelFit, type PixelFitterOptions } from './pixel-fitter';

export type MultifitOrder = 'serpentine' | 'flyback' | 'smart';

export const PIXEL_STATUS = {
  notFitted: 0,
  accepted: 1,
  retriedAccepted: 2,
  failed: 3,
} as const;

export interface MultifitSeed {
  /** pixel index r * cols + c */
  pixel: number;
  /** starting values by parameter key `<component>.<param>` (free parameters only; others from the document) */
  values: Record<string, number>;
}

export interface PixelReport {
  status: number;
  redChi2: number;
  /** fitted free-parameter vector (order of `freeKeys`) */
  theta: Float64Array;
}

export interface MultifitOptions extends PixelFitterOptions {
  order?: MultifitOrder;
  seeds?: MultifitSeed[];
  /** accepted reduced chi-square range; smart order default [0, windowFactor x median seed value] */
  chi2Window?: [number, number];
  /** smart order: the default window's factor (3) */
  windowFactor?: number;
  onPixel?(index: number, result: PixelReport): void;
  shouldStop?(): boolean;
  /** fit only these pixels (e.g. one worker's share) */
  pixels?: Int32Array;
  /** clock for elapsedMs */
  now?: () => number;
}

export interface MultifitResult {
  /** every parameter key -> value per pixel (NaN where not fitted) */
  maps: Record<string, Float64Array>;
  /** free parameter key -> standard error per pixel */
  errors: Record<string, Float64Array>;
  /** reduced chi-square (reduced Cash for the Poisson statistics) per pixel */
  redChi2: Float64Array;
  /** PIXEL_STATUS per pixel */
  status: Uint8Array;
  elapsedMs: number;
  freeKeys: string[];
  /** the acceptance window that was used (null: any converged fit was accepted) */
  chi2Window: [number, number] | null;
  /** residual / objective evaluations over all pixels */
  nfev: number;
  cancelled: boolean;
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Binary max-heap on (priority desc, sequence asc) of pixel indices. */
class Frontier {
  private prio: number[] = [];
  private seq: number[] = [];
  private pix: number[] = [];
  private counter = 0;

  get size(): number {
    return this.pix.length;
  }

  private before(a: number, b: number): boolean {
    return this.prio[a] > this.prio[b] || (this.prio[a] === this.prio[b] && this.seq[a] < this.seq[b]);
  }

  private swap(a: number, b: number): void {
    [this.prio[a], this.prio[b]] = [this.prio[b], this.prio[a]];
    [this.seq[a], this.seq[b]] = [this.seq[b], this.seq[a]];
    [this.pix[a], this.pix[b]] = [this.pix[b], this.pix[a]];
  }

  push(pixel: number, priority: number): void {
    this.prio.push(priority);
    this.seq.push(this.counter++);
    this.pix.push(pixel);
    let i = this.pix.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the top; returns [pixel, priority]. */
  pop(): [number, number] {
    const top: [number, number] = [this.pix[0], this.prio[0]];
    const last = this.pix.length - 1;
    this.swap(0, last);
    this.prio.pop();
    this.seq.pop();
    this.pix.pop();
    let i = 0;
    const size = this.pix.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < size && this.before(l, best)) best = l;
      if (r < size && this.before(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best);
      i = best;
    }
    return top;
  }
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

export function multifit(cube: Dataset, model: ModelDoc, settings: Partial<FitSettings> = {}, options: MultifitOptions = {}): MultifitResult {
  const now = options.now ?? defaultNow;
  const t0 = now();
  const fitter = new PixelFitter(cube, model, settings, options);
  const { rows, cols, pixels: P } = fitter.dims;
  const n = fitter.nFree;
  const freeKeys = fitter.freeKeys.slice();
  const layout = fitter.compiled.layout;
  const docStart = Float64Array.from(fitter.theta0);
  const order = options.order ?? 'serpentine';
  const shouldStop = options.shouldStop;

  const inSet = new Uint8Array(P);
  if (options.pixels) {
    for (const p of options.pixels) {
      if (!Number.isInteger(p) || p < 0 || p >= P) throw new RangeError(`multifit: pixel ${p} is outside 0..${P - 1}`);
      inSet[p] = 1;
    }
  } else inSet.fill(1);

  // seeds: starting vectors keyed by pixel
  const seedStarts = new Map<number, Float64Array>();
  for (const seed of options.seeds ?? []) {
    if (!Number.isInteger(seed.pixel) || seed.pixel < 0 || seed.pixel >= P) {
      throw new RangeError(`multifit: seed pixel ${seed.pixel} is outside 0..${P - 1}`);
    }
    const start = Float64Array.from(docStart);
    for (const [key, v] of Object.entries(seed.values)) {
      const k = freeKeys.indexOf(key);
      if (k < 0) {
        if (layout.slotIndex.has(key)) throw new RangeError(`multifit: seed value for ${key}, which is not a free parameter`);
        throw new RangeError(`multifit: seed value for unknown parameter ${key}; free parameters: ${freeKeys.join(', ')}`);
      }
      if (!Number.isFinite(v)) throw new RangeError(`multifit: seed value ${key} = ${v} is not finite`);
      start[k] = v;
    }
    seedStarts.set(seed.pixel, start);
  }

  const theta = new Float64Array(P * n).fill(NaN);
  const errs = new Float64Array(P * n).fill(NaN);
  const red = new Float64Array(P).fill(NaN);
  const statv = new Float64Array(P).fill(NaN);
  const status = new Uint8Array(P);
  let nfev = 0;
  let cancelled = false;
  let window: [number, number] | null = options.chi2Window ? [options.chi2Window[0], options.chi2Window[1]] : null;
  const errView = new Float64Array(n);

  const attempt = (start: ArrayLike<number>, robust = false): PixelFit => {
    const f = fitter.fit(start, robust, shouldStop);
    nfev += f.nfev;
    if (f.cancelled) cancelled = true;
    return f;
  };
  const acceptable = (f: PixelFit): boolean => {
    if (!f.converged) return false;
    if (!window) return true;
    return f.redChi2 >= window[0] && f.redChi2 <= window[1];
  };
  const better = (a: PixelFit, b: PixelFit): PixelFit => (b.statistic < a.statistic || !(a.statistic === a.statistic) ? b : a);
  /** stores the fit of the loaded pixel */
  const record = (p: number, f: PixelFit, st: number): void => {
    theta.set(f.theta, p * n);
    red[p] = f.redChi2;
    statv[p] = f.statistic;
    status[p] = st;
    fitter.errors(f.theta, f.redChi2, errView);
    errs.set(errView, p * n);
    options.onPixel?.(p, { status: st, redChi2: f.redChi2, theta: Float64Array.from(f.theta) });
  };
  const stopNow = (): boolean => {
    if (!cancelled && shouldStop?.()) cancelled = true;
    return cancelled;
  };

  if (order === 'serpentine' || order === 'flyback') {
    let prev: Float64Array = docStart;
    for (const p of scanOrder(rows, cols, order)) {
      if (!inSet[p]) continue;
      if (stopNow()) break;
      fitter.load(p);
      const seeded = seedStarts.get(p);
      let f = attempt(seeded ?? prev);
      let st: number = PIXEL_STATUS.accepted;
      if (!acceptable(f) && !cancelled) {
        const g = attempt(seeded ?? docStart, true);
        if (acceptable(g)) {
          f = g;
          st = PIXEL_STATUS.retriedAccepted;
        } else {
          f = better(f, g);
          st = PIXEL_STATUS.failed;
        }
      } else if (!acceptable(f)) st = PIXEL_STATUS.failed;
      if (cancelled && !acceptable(f)) break;
      record(p, f, st);
      if (st !== PIXEL_STATUS.failed) prev = theta.subarray(p * n, p * n + n);
    }
  } else {
    smart();
  }

  function smart(): void {
    const accepted = (q: number) => status[q] === PIXEL_STATUS.accepted || status[q] === PIXEL_STATUS.retriedAccepted;
    /** accepted neighbours of p (8-connected) with weights 1 (edge) or 1/2 (corner) */
    const nbIdx = new Int32Array(8);
    const nbW = new Float64Array(8);
    const neighbours = (p: number, onlyAccepted: boolean): number => {
      const r = Math.floor(p / cols);
      const c = p - r * cols;
      let k = 0;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= rows) continue;
        for (let dc = -1; dc <= 1; dc++) {
          if (dr === 0 && dc === 0) continue;
          const cc = c + dc;
          if (cc < 0 || cc >= cols) continue;
          const q = rr * cols + cc;
          if (!inSet[q] || (onlyAccepted && !accepted(q))) continue;
          nbIdx[k] = q;
          nbW[k] = dr === 0 || dc === 0 ? 1 : 0.5;
          k++;
        }
      }
      return k;
    };
    const priority = (p: number): number => {
      const k = neighbours(p, true);
      let s = 0;
      for (let i = 0; i < k; i++) s += nbW[i];
      return s;
    };

    // global candidates: the component-wise median of accepted values (cached while the count grows < 10 %)
    let medianCache: Float64Array | null = null;
    let medianCount = 0;
    let acceptedCount = 0;
    const globalMedian = (): Float64Array | null => {
      if (acceptedCount === 0) return null;
      if (medianCache && acceptedCount < medianCount * 1.1 + 1) return medianCache;
      const out = new Float64Array(n);
      const col: number[] = [];
      for (let k = 0; k < n; k++) {
        col.length = 0;
        for (let q = 0; q < P; q++) if (accepted(q)) col.push(theta[q * n + k]);
        out[k] = median(col);
      }
      medianCache = out;
      medianCount = acceptedCount;
      return out;
    };
    const seedFits: Float64Array[] = [];

    const frontier = new Frontier();
    const curPrio = new Float64Array(P).fill(-1);
    const pushNeighbours = (p: number): void => {
      const k = neighbours(p, false);
      const list = Array.from(nbIdx.subarray(0, k));
      for (const q of list) {
        if (status[q] !== PIXEL_STATUS.notFitted) continue;
        const pr = priority(q);
        if (pr > curPrio[q]) {
          curPrio[q] = pr;
          frontier.push(q, pr);
        }
      }
    };

    /** candidates after the neighbour mean failed */
    const retryStarts = (p: number, triedMean: boolean): Float64Array[] => {
      const out: Float64Array[] = [];
      const k = neighbours(p, true);
      if (k > 1 || !triedMean) {
        const idx = Array.from(nbIdx.subarray(0, k)).sort((a, b) => red[a] - red[b]);
        for (const q of idx.slice(0, 4)) out.push(theta.subarray(q * n, q * n + n));
      }
      const med = globalMedian();
      if (med) out.push(med);
      for (const s of seedFits) out.push(s);
      out.push(docStart);
      return out;
    };

    const fitPixel = (p: number): void => {
      fitter.load(p);
      const k = neighbours(p, true);
      let best: PixelFit | null = null;
      let triedMean = false;
      if (k > 0) {
        const start = new Float64Array(n);
        let wsum = 0;
        for (let i = 0; i < k; i++) {
          const o = nbIdx[i] * n;
          wsum += nbW[i];
          for (let j = 0; j < n; j++) start[j] += nbW[i] * theta[o + j];
        }
        for (let j = 0; j < n; j++) start[j] /= wsum;
        const f = attempt(start);
        triedMean = true;
        if (acceptable(f)) {
          record(p, f, PIXEL_STATUS.accepted);
          acceptedCount++;
          return;
        }
        best = f;
      }
      const tried: Float64Array[] = [];
      for (const s of retryStarts(p, triedMean)) {
        if (cancelled) break;
        if (tried.some((t) => t.every((v, j) => v === s[j]))) continue;
        tried.push(Float64Array.from(s));
        const f = attempt(s);
        if (acceptable(f)) {
          record(p, f, triedMean || tried.length > 1 ? PIXEL_STATUS.retriedAccepted : PIXEL_STATUS.accepted);
          acceptedCount++;
          return;
        }
        best = best ? better(best, f) : f;
      }
      if (best && !(cancelled && !best.converged)) record(p, best, PIXEL_STATUS.failed);
    };

    // 1. seeds (the brightest pixel when none are given)
    let seeds = [...seedStarts.entries()].filter(([p]) => inSet[p]);
    if (seeds.length === 0) {
      let bestP = -1;
      let bestSum = -Infinity;
      const v = cube.values;
      const nch = fitter.dims.channels;
      for (let p = 0; p < P; p++) {
        if (!inSet[p]) continue;
        let s = 0;
        for (let i = p * nch; i < (p + 1) * nch; i++) if (Number.isFinite(v[i])) s += v[i];
        if (s > bestSum) {
          bestSum = s;
          bestP = p;
        }
      }
      if (bestP >= 0) seeds = [[bestP, docStart]];
    }
    const seedRed: number[] = [];
    for (const [p, start] of seeds) {
      if (stopNow()) return;
      fitter.load(p);
      let f = attempt(start);
      if (!f.converged && !cancelled) f = better(f, attempt(start, true));
      const ok = f.converged && (!window || (f.redChi2 >= window[0] && f.redChi2 <= window[1]));
      record(p, f, ok ? PIXEL_STATUS.accepted : PIXEL_STATUS.failed);
      if (ok) {
        acceptedCount++;
        seedFits.push(Float64Array.from(f.theta));
        if (Number.isFinite(f.redChi2)) seedRed.push(f.redChi2);
      }
    }
    if (!window && seedRed.length > 0) window = [0, (options.windowFactor ?? 3) * median(seedRed)];
    for (const [p] of seeds) pushNeighbours(p);

    // 2. the frontier; pixels not connected to an accepted one start from the global candidates
    let scan = 0;
    for (;;) {
      while (frontier.size > 0) {
        const [p, pr] = frontier.pop();
        if (status[p] !== PIXEL_STATUS.notFitted || pr !== curPrio[p]) continue;
        if (stopNow()) return;
        fitPixel(p);
        pushNeighbours(p);
      }
      while (scan < P && !(inSet[scan] && status[scan] === PIXEL_STATUS.notFitted)) scan++;
      if (scan >= P) break;
      if (stopNow()) return;
      fitPixel(scan);
      pushNeighbours(scan);
    }

    // 3. failed pixels once more, from neighbours accepted after them
    for (let p = 0; p < P; p++) {
      if (status[p] !== PIXEL_STATUS.failed || !inSet[p]) continue;
      if (stopNow()) return;
      const k = neighbours(p, true);
      if (k === 0) continue;
      fitter.load(p);
      const idx = Array.from(nbIdx.subarray(0, k)).sort((a, b) => red[a] - red[b]);
      for (const q of idx.slice(0, 2)) {
        const f = attempt(theta.slice(q * n, q * n + n));
        if (acceptable(f)) {
          record(p, f, PIXEL_STATUS.retriedAccepted);
          acceptedCount++;
          break;
        }
        if (f.statistic < statv[p]) record(p, f, PIXEL_STATUS.failed);
      }
    }
  }

  // maps of every parameter
  const maps: Record<string, Float64Array> = {};
  for (const s of layout.slots) maps[s.key] = new Float64Array(P).fill(NaN);
  const slotValues = new Float64Array(layout.slots.length);
  for (let p = 0; p < P; p++) {
    if (status[p] === PIXEL_STATUS.notFitted) continue;
    fitter.compiled.expand(theta.subarray(p * n, p * n + n), slotValues);
    layout.slots.forEach((s, i) => (maps[s.key][p] = slotValues[i]));
  }
  const errors: Record<string, Float64Array> = {};
  freeKeys.forEach((key, k) => {
    const e = new Float64Array(P).fill(NaN);
    for (let p = 0; p < P; p++) if (status[p] !== PIXEL_STATUS.notFitted) e[p] = errs[p * n + k];
    errors[key] = e;
  });
  for (let p = 0; p < P; p++) if (status[p] === PIXEL_STATUS.notFitted) red[p] = NaN;
  return { maps, errors, redChi2: red, status, elapsedMs: now() - t0, freeKeys, chi2Window: window, nfev, cancelled };
}
