/**
 * `multifit CUBE ... --component ... --out DIR [--json]`: one model fitted to every pixel of a
 * spectrum image (src/core/cube), the maps written as .npy files.
 *
 * Input: a HyperSpy .hspy file (core readers/hspy.ts: its signal axis calibration, unless --x-start /
 * --x-step are given; the runner loads h5wasm first, run.ts runCliAsync), or
 * a .npy array (rows, cols, channels) or (pixels, channels) (npy-cube.ts), the signal axis
 * S + D * channel from --x-start S --x-step D (default 0 and 1); or one or several EMSA/MSA files
 * (several: a stack [1, n, channels], one pixel per file; their calibration unless --x-start /
 * --x-step are given).
 *
 * Paths:
 * - linear fast path (core linearMultifit, closed-form least squares, main thread): taken by
 *   itself when every free parameter is an amplitude (linearDesign) and the statistic is a least-
 *   squares one; --linear demands it and fails (exit 1) naming the nonlinear parameter otherwise.
 * - otherwise the core's multifit, on --workers N node worker_threads (default: the machine's
 *   available parallelism, at most one worker per 256 pixels; 1 = in this thread). The pixels are
 *   split into N blocks of whole rows (contiguous stretches of the scan path when there are
 *   fewer rows than workers) and each worker runs multifit once on its block (one model
 *   compilation per worker and fit). serpentine / flyback: each block is scanned in the cube's scan
 *   order, its first pixel starting from the model's starting values. smart: each block is a
 *   separate smart fit, seeded at its brightest pixel, with its own acceptance window. So the
 *   maps of N workers equal the core's multifit run on each block alone, and do not depend on
 *   timing; with 1 worker they equal multifit on the whole cube. The workers run a bundled copy
 *   of multifit-worker.ts when esbuild can build one (multifit-bundle.ts; ~0.1 s to start instead
 *   of ~0.5 s through tsx), and the cube is copied into shared memory while they start.
 *
 * Output (DIR is created): <key>.npy for every parameter (float64, shape (rows, cols); fixed ones
 * too), <key>.error.npy for the free ones, red_chisq.npy (reduced chi-square; reduced Cash for the
 * Poisson statistics) and status.npy (uint8: 0 not fitted, 1 accepted, 2 accepted after a retry,
 * 3 failed, best attempt kept). --json: {"pixels", "converged", "failed", "elapsed_ms",
 * "pixels_per_second", "workers", "maps": {name: path}} with the file names (without .npy) as names.
 * Exit 0 when some pixel converged, 1 when none did or the fit could not run, 2 for bad arguments.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cubeDims, CubeError, fitChannels, signalAxis } from '../core/cube/cube';
import { linearDesign, linearMultifit } from '../core/cube/linear';
import { PIXEL_STATUS, type MultifitOrder } from '../core/cube/multifit';
import type { VarianceMode } from '../core/cube/pixel-fitter';
import type { Dataset } from '../core/data/dataset';
import { isNpy, npyToCube, writeNpy } from '../core/data/readers';
import { readDataFilesWithHdf5 } from '../core/data/readers/read-async';
import { mapToNpyU8 } from '../core/cube/map-export';
import { parseNpy } from '../core/data/readers/npy';
import type { FitSettings } from '../core/fit/settings';
import type { ModelDoc } from '../core/model/document';
import { getStatistic } from '../core/stats';
import { parseNumberArg, single, UsageError, type ParsedArgs } from './args';
import type { CommandOutput } from './fit-command';
import { settingsFromArgs } from './fit-command';
import { DataError } from './load-data';
import { modelFromArgs } from './model-args';
import { MultifitPool, multifitInThread, type ParallelOptions, type ParallelResult, type PoolSettings, type RunSettings } from './multifit-pool';
import { splitPixels } from '../core/cube/parallel';

const ORDERS: MultifitOrder[] = ['serpentine', 'flyback', 'smart'];
const VARIANCES: VarianceMode[] = ['auto', 'sigma', 'poisson', 'unit'];
/** default worker count: at most one worker per this many pixels */
const PIXELS_PER_WORKER = 256;

// ---------------------------------------------------------------- the cube

function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as Error).message}`);
  }
}

/** The cube from the positional files (see the module comment). */
export function loadCube(paths: string[], axis: { start?: number; step?: number } = {}): Dataset {
  if (paths.length === 0) throw new UsageError('multifit needs a cube: a .npy file (rows, cols, channels), a HyperSpy .hspy file or EMSA/MSA files');
  const files = paths.map((p) => ({ name: p, bytes: readBytes(p) }));
  let cube: Dataset;
  if (files.length === 1 && (isNpy(files[0].bytes) || files[0].name.toLowerCase().endsWith('.npy'))) {
    try {
      cube = npyToCube(files[0].name, parseNpy(files[0].name, files[0].bytes), { start: axis.start ?? 0, step: axis.step ?? 1 });
    } catch (e) {
      throw new DataError(e instanceof Error ? e.message : String(e));
    }
    return cube;
  }
  const { datasets, errors } = readDataFilesWithHdf5(files);
  if (errors.length > 0) throw new DataError(errors.map((e) => e.message).join('\n'));
  if (datasets.length !== 1) {
    throw new DataError(
      `${paths.join(', ')}: read as ${datasets.length} datasets (${datasets.map((d) => d.name).join(', ')}); give one .npy or .hspy cube, or EMSA/MSA files of one calibration (they are stacked)`,
    );
  }
  const d = datasets[0];
  if (d.kind === 'cube') cube = d;
  else if (d.kind === 'spectrum') {
    // one spectrum: a 1 x 1 map
    cube = { ...d, kind: 'cube', shape: [1, 1, d.values.length] };
  } else throw new DataError(`${d.name}: a ${d.kind} is not a spectrum image`);
  if (axis.start !== undefined || axis.step !== undefined) {
    const x = signalAxis(cube);
    const start = axis.start ?? x[0];
    const step = axis.step ?? (x.length > 1 ? x[1] - x[0] : 1);
    if (!Number.isFinite(step) || step === 0) throw new UsageError(`--x-step must be a finite non-zero number; got ${step}`);
    const nx = new Float64Array(x.length);
    for (let k = 0; k < nx.length; k++) nx[k] = start + step * k;
    cube = { ...cube, coords: { x: nx }, notes: [...(cube.notes ?? []), `signal axis replaced: ${start} + ${step} * channel`] };
  }
  try {
    cubeDims(cube);
  } catch (e) {
    throw new DataError((e as Error).message);
  }
  return cube;
}

// ---------------------------------------------------------------- splitting and parallel fits

/** The blocks of pixels, one per worker (moved to core/cube/parallel.ts, shared with the app's Web Workers). */
export { splitPixels };

export { MultifitPool, type ParallelOptions, type ParallelResult };

export interface ParallelSettings extends PoolSettings, RunSettings {
  /** worker threads (1: the calling thread) */
  workers: number;
  /** a started pool to run on (its size decides the blocks; `workers` is then ignored); absent: one is started and closed */
  pool?: MultifitPool;
}

/**
 * multifit on `workers` worker threads, one block of pixels each (splitPixels); synchronous: the
 * calling thread waits in Atomics.wait. The result has multifit's shape; elapsedMs is the wall
 * time including the workers' start (unless a started pool is given).
 */
export function parallelMultifit(cube: Dataset, model: ModelDoc, settings: Partial<FitSettings>, options: ParallelOptions, par: ParallelSettings): ParallelResult {
  if (par.pool) return par.pool.run(cube, model, settings, options, par);
  const dims = cubeDims(cube);
  const blocks = splitPixels(dims.rows, dims.cols, par.workers, options.order ?? 'serpentine');
  if (blocks.length <= 1) return multifitInThread(cube, model, settings, options);
  const t0 = performance.now();
  const pool = new MultifitPool(blocks.length, par);
  try {
    const r = pool.run(cube, model, settings, options, par);
    return { ...r, elapsedMs: performance.now() - t0 };
  } finally {
    pool.close();
  }
}

// ---------------------------------------------------------------- the command

/** A file name from a parameter key: letters, digits, '.', '_', '-' kept, anything else '_'. */
export function mapFileName(key: string): string {
  const s = key.replace(/[^A-Za-z0-9._-]/g, '_');
  return s === '' || s.startsWith('.') ? `_${s}` : s;
}

/** .npy bytes of a uint8 array (format 1.0, '|u1', C order), header padded to 64 bytes as numpy does; moved to core/cube/map-export.ts. */
export const writeNpyU8 = mapToNpyU8;

function intArg(args: ParsedArgs, name: string): number | undefined {
  const text = single(args, name);
  if (text === undefined) return undefined;
  const v = parseNumberArg(text, `--${name}`);
  if (!Number.isSafeInteger(v) || v < 1) throw new UsageError(`--${name} must be a whole number >= 1; got ${text}`);
  return v;
}

function numberOrUndefined(args: ParsedArgs, name: string): number | undefined {
  const text = single(args, name);
  if (text === undefined) return undefined;
  const v = parseNumberArg(text, `--${name}`);
  if (!Number.isFinite(v)) throw new UsageError(`--${name} must be finite; got ${text}`);
  return v;
}

function median(a: Float64Array): number {
  const s = Array.from(a).filter(Number.isFinite).sort((p, q) => p - q);
  if (s.length === 0) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

function num(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : '-';
}

export function multifitCommand(args: ParsedArgs): CommandOutput {
  const json = args.switches.has('json');
  for (const name of ['method', 'max-iter']) {
    if (args.flags.has(name)) {
      throw new UsageError(`--${name} is not used by multifit (it fits by Levenberg-Marquardt, or L-BFGS-B for the likelihood statistics)`);
    }
  }
  for (const name of ['x-col', 'y-col', 'sigma-col']) {
    if (args.flags.has(name)) throw new UsageError(`--${name} applies to delimited text files, not to spectrum images`);
  }
  const out = single(args, 'out');
  if (out === undefined || out.trim() === '') throw new UsageError('multifit needs --out DIR (the folder for the .npy maps)');
  const order = (single(args, 'order') ?? 'serpentine') as MultifitOrder;
  if (!ORDERS.includes(order)) throw new UsageError(`--order must be one of ${ORDERS.join(', ')}`);
  const variance = (single(args, 'variance') ?? 'auto') as VarianceMode;
  if (!VARIANCES.includes(variance)) throw new UsageError(`--variance must be one of ${VARIANCES.join(', ')}`);
  const workersArg = intArg(args, 'workers');
  const xStart = numberOrUndefined(args, 'x-start');
  const xStep = numberOrUndefined(args, 'x-step');
  if (xStep === 0) throw new UsageError('--x-step must be non-zero');
  const forceLinear = args.switches.has('linear');
  // model and settings first: a usage error must not wait for a large file to load
  const settings: FitSettings = settingsFromArgs(args);
  const model = modelFromArgs(args, ['x']);

  const cube = loadCube(args.positionals, { start: xStart, step: xStep });
  const dims = cubeDims(cube);
  const P = dims.pixels;

  // the linear fast path?
  const stat = getStatistic(settings.statistic);
  const leastSquares = stat.leastSquaresEquivalent !== undefined;
  const channels = fitChannels(cube, settings.ranges);
  const axis = signalAxis(cube);
  const xs = Float64Array.from(channels, (k) => axis[k]);
  const analysis = linearDesign(model, xs);
  if (forceLinear) {
    if (!leastSquares) throw new CubeError(`--linear: the linear path solves least squares; --stat ${settings.statistic} needs the iterative fit (leave out --linear)`);
    if (!analysis.linear) throw new CubeError(`--linear: the model is not linear in its free parameters: ${analysis.reason}`);
  }
  const linear = leastSquares && analysis.linear;
  const options: ParallelOptions = { order, variance };

  let result: ParallelResult;
  let pathNote: string;
  if (linear) {
    const t0 = performance.now();
    const r = linearMultifit(cube, model, settings, { variance, now: () => performance.now() });
    result = { ...r, elapsedMs: performance.now() - t0, workers: 1, workerElapsedMs: [r.elapsedMs] };
    pathNote = 'linear fast path (every free parameter is an amplitude): closed-form least squares';
  } else {
    const requested = workersArg ?? Math.max(1, Math.min(availableParallelism(), Math.floor(P / PIXELS_PER_WORKER)));
    result = parallelMultifit(cube, model, settings, options, { workers: requested });
    pathNote = `iterative fits, ${order} order, ${result.workers} worker${result.workers === 1 ? '' : 's'}`;
  }

  // the files
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new DataError(`Cannot create ${out}: ${(e as Error).message}`);
  }
  const shape = [dims.rows, dims.cols];
  const files: Record<string, string> = {};
  const write = (name: string, bytes: Uint8Array): void => {
    const path = join(out, `${name}.npy`);
    try {
      writeFileSync(path, bytes);
    } catch (e) {
      throw new DataError(`Cannot write ${path}: ${(e as Error).message}`);
    }
    files[name] = path;
  };
  for (const [key, map] of Object.entries(result.maps)) write(mapFileName(key), writeNpy(shape, map));
  for (const [key, err] of Object.entries(result.errors)) write(`${mapFileName(key)}.error`, writeNpy(shape, err));
  write('red_chisq', writeNpy(shape, result.redChi2));
  write('status', writeNpyU8(shape, result.status));

  let converged = 0;
  let failed = 0;
  for (let p = 0; p < P; p++) {
    const s = result.status[p];
    if (s === PIXEL_STATUS.accepted || s === PIXEL_STATUS.retriedAccepted) converged++;
    else if (s === PIXEL_STATUS.failed) failed++;
  }
  const elapsed = result.elapsedMs;
  const pps = elapsed > 0 ? P / (elapsed / 1000) : null;
  if (converged === 0) {
    const reason = `no pixel converged (${failed} failed of ${P}); maps of the best attempts written to ${out}`;
    return { code: 1, stdout: json ? JSON.stringify({ error: 'fit failed', reason }) : `multifit: ${reason}` };
  }
  if (json) {
    return {
      code: 0,
      stdout: JSON.stringify({
        pixels: P,
        converged,
        failed,
        elapsed_ms: elapsed,
        pixels_per_second: pps,
        workers: result.workers,
        maps: files,
      }),
    };
  }
  const keys = Object.keys(result.maps);
  const w = Math.max(9, ...keys.map((k) => k.length));
  const lines = [
    `${cube.name}: ${dims.rows} x ${dims.cols} pixels, ${dims.channels} channels; ${pathNote}`,
    `${'parameter'.padEnd(w)}  ${'median'.padEnd(12)}  ${'min'.padEnd(12)}  ${'max'.padEnd(12)}  median error`,
    ...keys.map((k) => {
      const m = result.maps[k];
      const fin = Array.from(m).filter(Number.isFinite);
      const e = result.errors[k];
      return `${k.padEnd(w)}  ${num(median(m)).padEnd(12)}  ${num(fin.length ? Math.min(...fin) : NaN).padEnd(12)}  ${num(fin.length ? Math.max(...fin) : NaN).padEnd(12)}  ${e ? num(median(e)) : 'fixed'}`;
    }),
    '',
    `${converged} of ${P} pixels converged, ${failed} failed; median reduced ${leastSquares ? 'chi-square' : 'statistic'} ${num(median(result.redChi2))}`,
    `${num(elapsed)} ms, ${pps === null ? '-' : num(pps)} pixels/s; ${Object.keys(files).length} maps written to ${out}`,
  ];
  return { code: 0, stdout: lines.join('\n') };
}
