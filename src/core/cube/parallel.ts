/**
 * Multifit across a pool of workers (Web Workers in the app, worker_threads in the CLI), the pure
 * parts: how the pixels are split into blocks, what one worker runs on its block (runBlock, with
 * live batches of fitted pixels for the maps that fill in while the fit runs), and how the
 * blocks' results are merged into whole maps (MapAccumulator).
 *
 * Semantics (as the CLI's `multifit --workers N`): the pixels are split into N blocks of whole
 * rows (contiguous stretches of the scan path when there are fewer rows than workers); each
 * worker runs the core's multifit once on its block. serpentine / flyback: the block is scanned
 * in scan order, its first pixel starting from the document's values. smart: each block is a
 * smart fit from the user's seeds inside it; a block without one is seeded at its pixel nearest
 * to the nearest user seed, starting from that seed's values (without any user seed: the block's
 * brightest pixel, from the document's values). So the merged maps equal the core's multifit run
 * on each block alone, and do not depend on timing.
 */
import type { Dataset } from '../data/dataset';
import type { FitSettings } from '../fit/settings';
import { compileModel } from '../model/compile';
import type { ModelDoc } from '../model/document';
import { cubeDims, CubeError, fitChannels, scanOrder, signalAxis } from './cube';
import { linearMultifit } from './linear';
import { multifit, PIXEL_STATUS, type MultifitOptions, type MultifitOrder, type MultifitResult, type MultifitSeed, type PixelReport } from './multifit';

/**
 * The pixels of each of `n` blocks: whole rows when rows >= n (row counts differ by at most 1),
 * else contiguous stretches of the scan path (serpentine, or flyback for 'flyback'). Every pixel
 * is in exactly one block; blocks are listed in scan order, pixels in increasing index order.
 */
export function splitPixels(rows: number, cols: number, n: number, order: MultifitOrder = 'serpentine'): Int32Array[] {
  const P = rows * cols;
  const count = Math.max(1, Math.min(Math.floor(n) || 1, P));
  const blocks: Int32Array[] = [];
  if (rows >= count) {
    for (let b = 0; b < count; b++) {
      const r0 = Math.floor((b * rows) / count);
      const r1 = Math.floor(((b + 1) * rows) / count);
      const block = new Int32Array((r1 - r0) * cols);
      for (let i = 0; i < block.length; i++) block[i] = r0 * cols + i;
      blocks.push(block);
    }
    return blocks;
  }
  const path = scanOrder(rows, cols, order === 'flyback' ? 'flyback' : 'serpentine');
  for (let b = 0; b < count; b++) {
    const a = Math.floor((b * P) / count);
    const z = Math.floor(((b + 1) * P) / count);
    blocks.push(Int32Array.from(path.subarray(a, z)).sort());
  }
  return blocks;
}

/**
 * Seeds of each block for a smart multifit: the user's seeds inside the block; a block without
 * one gets one seed at its pixel closest (Euclidean, in pixels) to the nearest user seed, with
 * that seed's starting values. Without user seeds every block gets none (multifit then seeds at
 * the block's brightest pixel).
 */
export function blockSeeds(blocks: Int32Array[], seeds: MultifitSeed[], cols: number): MultifitSeed[][] {
  return blocks.map((block) => {
    const inside = new Set(block);
    const own = seeds.filter((s) => inside.has(s.pixel));
    if (own.length > 0 || seeds.length === 0) return own;
    let best: { pixel: number; seed: MultifitSeed; d: number } | null = null;
    for (const p of block) {
      const r = Math.floor(p / cols);
      const c = p - r * cols;
      for (const s of seeds) {
        const sr = Math.floor(s.pixel / cols);
        const sc = s.pixel - sr * cols;
        const d = (r - sr) ** 2 + (c - sc) ** 2;
        if (!best || d < best.d) best = { pixel: p, seed: s, d };
      }
    }
    return best ? [{ pixel: best.pixel, values: { ...best.seed.values } }] : [];
  });
}

export type BlockOptions = Pick<MultifitOptions, 'order' | 'variance' | 'scaleErrors' | 'ftol' | 'xtol' | 'gtol' | 'chi2Window' | 'windowFactor' | 'seeds'>;

export interface BlockJob {
  cube: Dataset;
  model: ModelDoc;
  settings: Partial<FitSettings>;
  options: BlockOptions;
  /** this worker's pixels */
  pixels: Int32Array;
  /** the linear fast path (closed-form least squares; every non-linear parameter fixed) */
  linear?: boolean;
  /** a live batch at most this often (ms; default 100) */
  batchMs?: number;
}

/** Pixels fitted since the last batch, for live maps: every parameter's value (slot order) per pixel. */
export interface PixelBatch {
  pixels: Int32Array;
  status: Uint8Array;
  redChi2: Float64Array;
  /** pixels.length x slotKeys.length, pixel-major */
  values: Float64Array;
}

/** One block's result: its pixels' numbers only. */
export interface BlockResult {
  pixels: Int32Array;
  /** every parameter key (the order of `values`) and the free ones (the order of `errors`) */
  slotKeys: string[];
  freeKeys: string[];
  /** pixels.length x slotKeys.length, pixel-major */
  values: Float64Array;
  /** pixels.length x freeKeys.length, pixel-major */
  errors: Float64Array;
  redChi2: Float64Array;
  status: Uint8Array;
  nfev: number;
  elapsedMs: number;
  chi2Window: [number, number] | null;
  cancelled: boolean;
}

export interface BlockControl {
  shouldStop?: () => boolean;
  onBatch?: (batch: PixelBatch) => void;
  now?: () => number;
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The keys of the maps a model gives on a cube's fit channels: every parameter and the free ones. */
export function mapKeys(cube: Dataset, model: ModelDoc, settings: Partial<FitSettings>): { slotKeys: string[]; freeKeys: string[] } {
  const ch = fitChannels(cube, settings.ranges ?? []);
  const axis = signalAxis(cube);
  const x = Float64Array.from(ch, (k) => axis[k]);
  const compiled = compileModel(model, { x }, x.length);
  return { slotKeys: compiled.layout.slots.map((s) => s.key), freeKeys: compiled.layout.freeKeys.slice() };
}

/** What one worker runs: multifit (or the linear path) on its block, reporting live batches. */
export function runBlock(job: BlockJob, control: BlockControl = {}): BlockResult {
  const now = control.now ?? defaultNow;
  const { cube, model, settings } = job;
  cubeDims(cube);
  const ch = fitChannels(cube, settings.ranges ?? []);
  const axis = signalAxis(cube);
  const x = Float64Array.from(ch, (k) => axis[k]);
  const compiled = compileModel(model, { x }, x.length);
  const slotKeys = compiled.layout.slots.map((s) => s.key);
  const freeKeys = compiled.layout.freeKeys.slice();
  const nS = slotKeys.length;
  const batchMs = job.batchMs ?? 100;

  // live batches
  let bPix: number[] = [];
  let bStatus: number[] = [];
  let bRed: number[] = [];
  let bVals: number[] = [];
  const slotBuf = new Float64Array(nS);
  let lastFlush = now();
  const flush = (): void => {
    if (bPix.length === 0 || !control.onBatch) return;
    control.onBatch({ pixels: Int32Array.from(bPix), status: Uint8Array.from(bStatus), redChi2: Float64Array.from(bRed), values: Float64Array.from(bVals) });
    bPix = [];
    bStatus = [];
    bRed = [];
    bVals = [];
    lastFlush = now();
  };
  const onPixel = control.onBatch
    ? (p: number, r: PixelReport): void => {
        compiled.expand(r.theta, slotBuf);
        // a pixel reported again (a later retry) replaces its earlier entry in the batch
        bPix.push(p);
        bStatus.push(r.status);
        bRed.push(r.redChi2);
        for (let s = 0; s < nS; s++) bVals.push(slotBuf[s]);
        if (now() - lastFlush >= batchMs) flush();
      }
    : undefined;

  let res: MultifitResult;
  if (job.linear) {
    res = linearMultifit(cube, model, settings, { variance: job.options.variance, scaleErrors: job.options.scaleErrors, pixels: job.pixels, shouldStop: control.shouldStop, onPixel, now });
  } else {
    res = multifit(cube, model, settings, { ...job.options, pixels: job.pixels, shouldStop: control.shouldStop, onPixel, now });
  }
  flush();
  if (res.freeKeys.join('\n') !== freeKeys.join('\n')) {
    throw new CubeError(`free parameters ${res.freeKeys.join(', ')} differ from the model's ${freeKeys.join(', ')}`);
  }
  const n = job.pixels.length;
  const nF = freeKeys.length;
  const values = new Float64Array(n * nS);
  const errors = new Float64Array(n * nF);
  const redChi2 = new Float64Array(n);
  const status = new Uint8Array(n);
  slotKeys.forEach((key, s) => {
    const m = res.maps[key];
    if (!m) throw new CubeError(`no map for ${key}`);
    for (let i = 0; i < n; i++) values[i * nS + s] = m[job.pixels[i]];
  });
  freeKeys.forEach((key, k) => {
    const e = res.errors[key];
    for (let i = 0; i < n; i++) errors[i * nF + k] = e ? e[job.pixels[i]] : NaN;
  });
  for (let i = 0; i < n; i++) {
    redChi2[i] = res.redChi2[job.pixels[i]];
    status[i] = res.status[job.pixels[i]];
  }
  return { pixels: Int32Array.from(job.pixels), slotKeys, freeKeys, values, errors, redChi2, status, nfev: res.nfev, elapsedMs: res.elapsedMs, chi2Window: res.chi2Window, cancelled: res.cancelled };
}

/**
 * Whole maps filled from live batches and block results. Live batches carry values, reduced
 * statistic and status (errors come with the block results). `done` counts pixels with a status.
 */
export class MapAccumulator {
  readonly P: number;
  readonly maps: Record<string, Float64Array> = {};
  readonly errors: Record<string, Float64Array> = {};
  readonly redChi2: Float64Array;
  readonly status: Uint8Array;
  done = 0;
  nfev = 0;
  /** changes with every batch or block applied (for redraws) */
  version = 0;

  constructor(
    pixels: number,
    readonly slotKeys: string[],
    readonly freeKeys: string[],
  ) {
    this.P = pixels;
    for (const k of slotKeys) this.maps[k] = new Float64Array(pixels).fill(NaN);
    for (const k of freeKeys) this.errors[k] = new Float64Array(pixels).fill(NaN);
    this.redChi2 = new Float64Array(pixels).fill(NaN);
    this.status = new Uint8Array(pixels);
  }

  private setStatus(p: number, s: number): void {
    if (p < 0 || p >= this.P) throw new RangeError(`pixel ${p} is outside 0..${this.P - 1}`);
    if (this.status[p] === PIXEL_STATUS.notFitted && s !== PIXEL_STATUS.notFitted) this.done++;
    else if (this.status[p] !== PIXEL_STATUS.notFitted && s === PIXEL_STATUS.notFitted) this.done--;
    this.status[p] = s;
  }

  applyBatch(b: PixelBatch): void {
    const nS = this.slotKeys.length;
    if (b.values.length !== b.pixels.length * nS) throw new RangeError(`a batch of ${b.pixels.length} pixels needs ${b.pixels.length * nS} values, has ${b.values.length}`);
    for (let i = 0; i < b.pixels.length; i++) {
      const p = b.pixels[i];
      this.setStatus(p, b.status[i]);
      this.redChi2[p] = b.redChi2[i];
      for (let s = 0; s < nS; s++) this.maps[this.slotKeys[s]][p] = b.values[i * nS + s];
    }
    this.version++;
  }

  /** A block's final numbers; pixels it did not fit (status 0, after a cancel) keep what the live batches gave. */
  applyBlock(r: BlockResult): void {
    if (r.slotKeys.join('\n') !== this.slotKeys.join('\n') || r.freeKeys.join('\n') !== this.freeKeys.join('\n')) {
      throw new CubeError('a worker fitted other parameters than the page asked for');
    }
    const nS = this.slotKeys.length;
    const nF = this.freeKeys.length;
    for (let i = 0; i < r.pixels.length; i++) {
      const p = r.pixels[i];
      if (r.status[i] === PIXEL_STATUS.notFitted) continue;
      this.setStatus(p, r.status[i]);
      this.redChi2[p] = r.redChi2[i];
      for (let s = 0; s < nS; s++) this.maps[this.slotKeys[s]][p] = r.values[i * nS + s];
      for (let k = 0; k < nF; k++) this.errors[this.freeKeys[k]][p] = r.errors[i * nF + k];
    }
    this.nfev += r.nfev;
    this.version++;
  }

  /** Copies, in multifit's result shape (pixels never fitted: NaN, status 0). */
  snapshot(): { maps: Record<string, Float64Array>; errors: Record<string, Float64Array>; redChi2: Float64Array; status: Uint8Array } {
    const maps: Record<string, Float64Array> = {};
    const errors: Record<string, Float64Array> = {};
    for (const k of this.slotKeys) maps[k] = this.maps[k].slice();
    for (const k of this.freeKeys) errors[k] = this.errors[k].slice();
    return { maps, errors, redChi2: this.redChi2.slice(), status: this.status.slice() };
  }
}

/** The jobs of a parallel multifit: one per block (see the module comment). */
export function planBlocks(
  cube: Dataset,
  model: ModelDoc,
  settings: Partial<FitSettings>,
  options: BlockOptions,
  workers: number,
  linear = false,
): BlockJob[] {
  const { rows, cols } = cubeDims(cube);
  const order = options.order ?? 'serpentine';
  const blocks = splitPixels(rows, cols, workers, order);
  const perBlock = order === 'smart' ? blockSeeds(blocks, options.seeds ?? [], cols) : blocks.map((b) => (options.seeds ?? []).filter((s) => b.includes(s.pixel)));
  return blocks.map((pixels, i) => ({ cube, model, settings, options: { ...options, order, seeds: perBlock[i] }, pixels, linear }));
}
