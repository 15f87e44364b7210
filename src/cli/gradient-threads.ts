/**
 * One image-model gradient split across threads (Node worker_threads): the canvas is cut into
 * bands of rows of about equal work (ImageCompiledModel.bandCuts), the main thread runs band 0 and
 * each worker one other band, meeting at a barrier after each of the five phases
 * (image-model.ts, GradientBand). Once started, the compiled model's evaluateWithGradient, which
 * NUTS, HMC, L-BFGS-B and Adam call through the posterior or the fit, runs banded; its model values
 * are the serial ones bit for bit and its gradient agrees to rounding.
 *
 * It pays where one gradient is the whole step: a sampler's chain. With 2 threads on this 2-core
 * machine, the tutorial's gradient takes ~55-60 % of its one-thread time (bench/image-bench.ts).
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { CompiledModel } from '../core/model/compile';
import type { ModelDoc } from '../core/model/document';
import type { Dataset } from '../core/data/dataset';
import { allocateBandBuffers, isImageModel, type ImageCompiledModel } from '../core/image/image-model';
import type { GradientWorkerBoot } from './gradient-shared';
import { bundleExecArgv, workerBundle } from './multifit-bundle';
import { BARRIER, ThreadBarrier } from './thread-barrier';

export interface GradientThreadsOptions {
  /** threads in all, the main one included (default: the machine's cores, at most 8) */
  threads?: number;
  /** how long a barrier may wait for a thread before the gradient fails (ms, default 10 s) */
  timeoutMs?: number;
  /** how long the workers may take to start (ms, default 60 s) */
  bootTimeoutMs?: number;
  /** false: boot the workers through tsx rather than a bundle */
  bundle?: boolean;
  /** banded gradients run at start-up to warm V8 up in every thread (default 40) */
  warmUp?: number;
}

const sharedFloats = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(8 * n));

export class GradientThreads {
  readonly threads: number;
  readonly cuts: number[];
  private readonly compiled: ImageCompiledModel;
  private readonly barrier: ThreadBarrier;
  private readonly workers: Worker[];
  private readonly errors: string[];
  private closed = false;
  private ownCores = false;

  private constructor(compiled: ImageCompiledModel, threads: number, cuts: number[], barrier: ThreadBarrier, workers: Worker[], errors: string[]) {
    this.compiled = compiled;
    this.threads = threads;
    this.cuts = cuts;
    this.barrier = barrier;
    this.workers = workers;
    this.errors = errors;
  }

  /**
   * Starts threads - 1 workers for `compiled` (compiled from `model` for `dataset`) and switches its
   * gradient to bands. Returns null where that cannot help: one thread, a model that is not an
   * image model or cannot be banded (ImageCompiledModel.bandSpec), or workers that fail to start
   * (the model then stays serial).
   */
  static start(compiled: CompiledModel, model: ModelDoc, dataset: Dataset, options: GradientThreadsOptions = {}): GradientThreads | null {
    const threads = Math.max(1, Math.floor(options.threads ?? Math.min(8, availableParallelism())));
    if (threads < 2 || !isImageModel(compiled) || dataset.kind !== 'image') return null;
    const spec = compiled.bandSpec();
    if (!spec) return null;
    const cuts = compiled.bandCuts(compiled.layout.theta0, threads);
    const buffers = allocateBandBuffers(spec, threads, sharedFloats);
    const barrier = ThreadBarrier.create(threads, options.timeoutMs ?? 10_000);
    const bundle = options.bundle === false ? undefined : (workerBundle('gradient-worker.ts') ?? undefined);
    const errors: string[] = [];
    const workers: Worker[] = [];
    const [rows, cols] = dataset.shape;
    for (let index = 1; index < threads; index++) {
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (m: { error?: string }) => {
        if (m.error) errors.push(m.error);
      });
      port1.unref();
      const boot: GradientWorkerBoot = { index, cuts, model, rows, cols, psf: dataset.psf ?? null, buffers, ctrl: barrier.ctrl.buffer as SharedArrayBuffer, parties: threads, port: port2, bundle };
      let w: Worker;
      try {
        w = new Worker(new URL('./gradient-worker.boot.mjs', import.meta.url), { workerData: boot, transferList: [port2], execArgv: bundle ? bundleExecArgv() : undefined });
      } catch {
        // e.g. a Node option this process runs with that a worker may not take (--trace-gc): serial
        barrier.fail();
        for (const other of workers) void other.terminate();
        return null;
      }
      w.unref();
      workers.push(w);
    }
    // wait (blocking: the workers boot on their own threads) until every worker has its band
    const ctrl = barrier.ctrl;
    const t0 = Date.now();
    const bootMs = options.bootTimeoutMs ?? 60_000;
    for (;;) {
      const ready = Atomics.load(ctrl, BARRIER.READY);
      if (ready >= threads - 1) break;
      if (Atomics.load(ctrl, BARRIER.FAILED) !== 0 || Date.now() - t0 > bootMs) {
        barrier.fail();
        for (const w of workers) void w.terminate();
        return null;
      }
      Atomics.wait(ctrl, BARRIER.READY, ready, 200);
    }
    const team = new GradientThreads(compiled, threads, cuts, barrier, workers, errors);
    // with a thread on every core, V8's background optimising compiler can only take time from the
    // threads themselves (and one late thread stalls them all at the next barrier): compile on the
    // threads' own time instead, as the multifit pool does. Process-wide; restored by close().
    team.ownCores = threads >= availableParallelism();
    if (team.ownCores) setFlagsFromString('--no-concurrent-recompilation');
    compiled.useBands(compiled.gradientBand(0, cuts, buffers), buffers, {
      sync: () => barrier.wait(),
      abort: () => team.fail(),
    });
    try {
      team.warmUp(options.warmUp ?? 40);
    } catch {
      // a failed banded gradient has already ended the threads and put the model back to serial
      return null;
    }
    return team;
  }

  /**
   * A few banded gradients at the model's values, so that V8 has optimised the band code in every
   * thread (the workers' code is fresh; the main thread's band code paths are new too) before the
   * first real one. Part of the start-up (~0.4 s on this machine), as the threads' creation is.
   */
  private warmUp(count: number): void {
    const c = this.compiled;
    const out = new Float64Array(c.n);
    const g = new Float64Array(c.nFree);
    const weights = (m: Float64Array, w: Float64Array): number => {
      w.fill(1, 0, m.length);
      return 0;
    };
    // the values move a little each time, as a sampler's do (the profile tables are rebuilt)
    const theta = Float64Array.from(c.layout.theta0);
    for (let k = 0; k < count; k++) {
      for (let i = 0; i < theta.length; i++) theta[i] = c.layout.theta0[i] * (1 + 1e-9 * (((k + i) % 7) - 3));
      c.evaluateWithAdjoint(theta, out, weights, g);
    }
  }

  /** errors the workers reported (a failed gradient throws; these say why) */
  get workerErrors(): readonly string[] {
    return this.errors;
  }

  private fail(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ownCores) setFlagsFromString('--concurrent-recompilation');
    this.barrier.fail();
    for (const w of this.workers) void w.terminate();
  }

  /** the model's gradient goes back to one thread and the workers end */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ownCores) setFlagsFromString('--concurrent-recompilation');
    this.compiled.useBands(null);
    Atomics.store(this.barrier.ctrl, BARRIER.STOP, 1);
    try {
      // the workers wait at the start barrier: meet them there, they see STOP and end
      this.barrier.wait(1000);
    } catch {
      // a worker already gone: terminate below
    }
    for (const w of this.workers) void w.terminate();
  }
}
