/**
 * A pool of worker threads for multifit (multifit-worker.ts), kept up between fits.
 *
 * `multifit --workers N` starts a pool, runs one fit and closes it (parallelMultifit in
 * multifit-command.ts). A script or a benchmark that fits several cubes keeps one pool: its
 * workers are started once (thread, module load, ~0.05 s each) and V8 has already compiled the
 * pixel fitter's hot loops by the second fit, as the app's page is after its first multifit.
 *
 * run() is synchronous: it splits the pixels into one block per worker (splitPixels), posts each
 * worker its job (the cube in shared memory, filled while the jobs are on their way), and waits in
 * Atomics.wait on the job's control array (CTRL) until every worker has counted itself done.
 * The maps equal the core's multifit run on each block alone, so they do not depend on timing,
 * nor on whether the pool was fresh.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { cubeDims, CubeError, signalAxis } from '../core/cube/cube';
import { multifit, type MultifitOptions, type MultifitResult } from '../core/cube/multifit';
import { splitPixels } from '../core/cube/parallel';
import { PixelFitter } from '../core/cube/pixel-fitter';
import type { Dataset } from '../core/data/dataset';
import type { FitSettings } from '../core/fit/settings';
import type { ModelDoc } from '../core/model/document';
import { bundleExecArgv, workerBundle } from './multifit-bundle';
import { CTRL, type WorkerBoot, type WorkerJob } from './multifit-shared';

export type ParallelOptions = Pick<MultifitOptions, 'order' | 'variance' | 'scaleErrors' | 'ftol' | 'xtol' | 'gtol' | 'chi2Window' | 'windowFactor' | 'engine' | 'gaussianWindow'>;

export interface ParallelResult extends MultifitResult {
  workers: number;
  /** each worker's own multifit time (ms; without its start-up); one entry with 1 worker */
  workerElapsedMs: number[];
}

export interface PoolSettings {
  /** the boot module of the workers (default multifit-worker.boot.mjs beside this file) */
  workerUrl?: URL;
  /** false: boot the workers through tsx even when the bundled worker (multifit-bundle.ts) can be built */
  bundle?: boolean;
}

export interface RunSettings {
  /** give up when no pixel is fitted for this long (a worker that died without a word); default 2 min */
  stallMs?: number;
}

/** multifit in the calling thread, with ParallelResult's shape (a cube too small to split, or one worker) */
export function multifitInThread(cube: Dataset, model: ModelDoc, settings: Partial<FitSettings>, options: ParallelOptions): ParallelResult {
  const t0 = performance.now();
  const r = multifit(cube, model, settings, { ...options, now: () => performance.now() });
  return { ...r, elapsedMs: performance.now() - t0, workers: 1, workerElapsedMs: [r.elapsedMs] };
}

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
}

export class MultifitPool {
  readonly size: number;
  private readonly workers: PoolWorker[] = [];
  private readonly boot: Int32Array;
  private closed = false;

  /** starts `size` worker threads (they boot in the background; run() may be called at once) */
  constructor(size: number, settings: PoolSettings = {}) {
    this.size = Math.max(1, Math.floor(size) || 1);
    const bootBuf = new SharedArrayBuffer(CTRL.LENGTH * 4);
    this.boot = new Int32Array(bootBuf);
    const url = settings.workerUrl ?? new URL('./multifit-worker.boot.mjs', import.meta.url);
    const bundle = settings.bundle === false ? undefined : (workerBundle() ?? undefined);
    for (let index = 0; index < this.size; index++) {
      const { port1, port2 } = new MessageChannel();
      const data: WorkerBoot = { index, port: port2, ctrl: bootBuf, bundle };
      const worker = new Worker(url, { workerData: data, transferList: [port2], stdout: false, stderr: false, execArgv: bundle ? bundleExecArgv() : undefined });
      // a worker that dies before its boot file can report is caught by the stall check; its
      // 'error' event may come while the main thread waits, so it is only kept from crashing
      worker.on('error', () => {});
      worker.unref();
      this.workers.push({ worker, port: port1 });
    }
  }

  /**
   * Waits until every worker has booted (true), one failed to (false) or timeoutMs passed (false).
   * run() does not need it: jobs wait in the workers' queues. For timing a started pool.
   */
  waitReady(timeoutMs = 60_000): boolean {
    const t0 = performance.now();
    for (;;) {
      if (Atomics.load(this.boot, CTRL.ERRORS) > 0) return false;
      const booted = Atomics.load(this.boot, CTRL.PROGRESS);
      if (booted >= this.size) return true;
      const left = timeoutMs - (performance.now() - t0);
      if (left <= 0) return false;
      Atomics.wait(this.boot, CTRL.PROGRESS, booted, Math.min(left, 200));
    }
  }

  /**
   * multifit with one block of pixels per worker; elapsedMs is the wall time of this call. A cube
   * too small to split (one block) is fitted in the calling thread.
   */
  run(cube: Dataset, model: ModelDoc, settings: Partial<FitSettings>, options: ParallelOptions, runSettings: RunSettings = {}): ParallelResult {
    if (this.closed) throw new Error('the multifit pool is closed');
    const t0 = performance.now();
    const dims = cubeDims(cube);
    const P = dims.pixels;
    const order = options.order ?? 'serpentine';
    const blocks = splitPixels(dims.rows, dims.cols, this.size, order);
    if (blocks.length <= 1) return multifitInThread(cube, model, settings, options);
    // compiled here once too: checks the model (starting values, statistic vs data) before any worker starts, and gives the keys
    const probe = new PixelFitter(cube, model, settings, options);
    const layout = probe.compiled.layout;
    const slotKeys = layout.slots.map((s) => s.key);
    const freeKeys = probe.freeKeys.slice();
    const nW = blocks.length;
    const outMaps = new SharedArrayBuffer(slotKeys.length * P * 8);
    const outErrors = new SharedArrayBuffer(freeKeys.length * P * 8);
    const outRed = new SharedArrayBuffer(P * 8);
    const outStatus = new SharedArrayBuffer(P);
    const outStats = new SharedArrayBuffer(nW * 2 * 8);
    new Float64Array(outMaps).fill(NaN);
    new Float64Array(outErrors).fill(NaN);
    new Float64Array(outRed).fill(NaN);
    const ctrlBuf = new SharedArrayBuffer(CTRL.LENGTH * 4);
    const ctrl = new Int32Array(ctrlBuf);
    // the shared cube is filled after the jobs are posted (the workers wait for CTRL.READY), so
    // the copy overlaps their start
    const values = new SharedArrayBuffer(cube.values.length * 8);
    const sigma = cube.sigma ? new SharedArrayBuffer(cube.sigma.length * 8) : undefined;
    const x = Float64Array.from(signalAxis(cube));
    const errors: string[] = [];
    const used = this.workers.slice(0, nW);
    // With a worker on every core, V8's background optimising-compiler threads can only take time
    // from the workers themselves: compile on the workers' own threads instead (measured +7 % pixels/s
    // on 2 cores, 64 x 64 x 1024 cube). Process-wide; restored when the workers are done.
    const ownCores = nW >= availableParallelism();
    if (ownCores) setFlagsFromString('--no-concurrent-recompilation');
    try {
      blocks.forEach((pixels, index) => {
        const job: WorkerJob = {
          index,
          name: cube.name,
          rows: dims.rows,
          cols: dims.cols,
          channels: dims.channels,
          x,
          values,
          sigma,
          mask: cube.mask ? cube.mask.slice() : undefined,
          model,
          settings,
          options: { ...options, order },
          pixels,
          slotKeys,
          freeKeys,
          outMaps,
          outErrors,
          outRed,
          outStatus,
          outStats,
          ctrl: ctrlBuf,
        };
        used[index].port.postMessage(job);
      });
      new Float64Array(values).set(cube.values);
      if (sigma) new Float64Array(sigma).set(cube.sigma!);
      Atomics.store(ctrl, CTRL.READY, 1);
      Atomics.notify(ctrl, CTRL.READY);
      const stallMs = runSettings.stallMs ?? 120_000;
      let lastProgress = -1;
      let lastChange = performance.now();
      for (;;) {
        const done = Atomics.load(ctrl, CTRL.DONE);
        if (done >= nW) break;
        Atomics.wait(ctrl, CTRL.DONE, done, 500);
        if (Atomics.load(this.boot, CTRL.ERRORS) > 0) {
          // a worker could not start: it will never take its job
          Atomics.store(ctrl, CTRL.STOP, 1);
          break;
        }
        if (Atomics.load(ctrl, CTRL.ERRORS) > 0) Atomics.store(ctrl, CTRL.STOP, 1);
        const progress = Atomics.load(ctrl, CTRL.PROGRESS);
        const t = performance.now();
        if (progress !== lastProgress) {
          lastProgress = progress;
          lastChange = t;
        } else if (t - lastChange > stallMs) {
          Atomics.store(ctrl, CTRL.STOP, 1);
          errors.push(`no pixel fitted for ${Math.round(stallMs / 1000)} s with ${nW - Atomics.load(ctrl, CTRL.DONE)} of ${nW} workers still running (did one die?)`);
          break;
        }
      }
      for (const { port } of used) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const msg = m.message as { index: number; error?: string };
          if (msg.error) errors.push(`worker ${msg.index + 1} of ${nW}: ${msg.error}`);
        }
      }
      if (errors.length === 0 && (Atomics.load(ctrl, CTRL.ERRORS) > 0 || Atomics.load(this.boot, CTRL.ERRORS) > 0)) errors.push('a worker failed without a message');
    } finally {
      if (Atomics.load(ctrl, CTRL.READY) === 0) {
        // failed before the cube was filled: never leave a worker waiting for it
        Atomics.store(ctrl, CTRL.STOP, 1);
        Atomics.store(ctrl, CTRL.READY, 1);
        Atomics.notify(ctrl, CTRL.READY);
      }
      if (ownCores) setFlagsFromString('--concurrent-recompilation');
    }
    if (errors.length > 0) {
      // a pool with a failed or stuck worker is not used again
      this.close();
      throw new CubeError(errors.join('\n'));
    }

    const mapsFlat = new Float64Array(outMaps);
    const errsFlat = new Float64Array(outErrors);
    const maps: Record<string, Float64Array> = {};
    slotKeys.forEach((key, s) => (maps[key] = mapsFlat.slice(s * P, (s + 1) * P)));
    const errs: Record<string, Float64Array> = {};
    freeKeys.forEach((key, k) => (errs[key] = errsFlat.slice(k * P, (k + 1) * P)));
    const stats = new Float64Array(outStats);
    let nfev = 0;
    for (let w = 0; w < nW; w++) nfev += stats[2 * w];
    return {
      maps,
      errors: errs,
      redChi2: new Float64Array(outRed).slice(),
      status: new Uint8Array(outStatus).slice(),
      elapsedMs: performance.now() - t0,
      freeKeys,
      chi2Window: null,
      nfev,
      cancelled: false,
      workers: nW,
      workerElapsedMs: Array.from({ length: nW }, (_, w) => stats[2 * w + 1]),
    };
  }

  /** stops the workers (a running job is abandoned); idempotent */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { worker, port } of this.workers) {
      port.close();
      void worker.terminate();
    }
  }
}
