/**
 * Multifit on a pool of Web Workers: one worker per block of pixels (core/cube/parallel.ts
 * planBlocks), all started at once; their live batches and final block results are merged into
 * one MapAccumulator that the page draws while the fit runs.
 *
 * The cube goes to the workers once: with cross-origin isolation its values (and sigma) are
 * copied into a SharedArrayBuffer that every worker reads (no per-worker copy), otherwise each
 * worker gets a structured-clone copy.
 *
 * Cancel: with shared memory a flag every worker polls between pixels; workers then return the
 * pixels they fitted (values, errors, statistics). Without it the workers are terminated at once
 * and the page keeps what the live batches brought (values, reduced statistic, status; no errors).
 * Every pixel already fitted is kept either way.
 *
 * Workers that finish their block normally stay up, idle, for the next multifit: starting one
 * costs its module load, and its JIT has compiled the pixel fitter's hot loops by then (the second
 * multifit of a session runs ~20 % faster on 2 cores, as the runner's MultifitPool measures).
 * A worker that failed, crashed or was terminated by a cancel is never reused.
 */
import * as Comlink from 'comlink';
import type { Dataset } from '../core/data/dataset';
import { MapAccumulator, type BlockJob, type BlockResult } from '../core/cube/parallel';
import type { MultifitWorkerApi } from './multifit-protocol';

export function defaultWorkerCount(): number {
  const hc = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 1;
  return Math.max(1, Math.min(hc, 64));
}

export interface MultifitOutcome {
  acc: MapAccumulator;
  results: BlockResult[];
  cancelled: boolean;
  /** messages of workers that failed (their pixels stay as the live batches left them) */
  errors: string[];
  elapsedMs: number;
  workers: number;
}

export interface RunningMultifit {
  acc: MapAccumulator;
  done: Promise<MultifitOutcome>;
  cancel(): void;
  /** whether cancel lets workers hand back their finished pixels (shared memory) */
  readonly sharedCancel: boolean;
}

interface PooledWorker {
  worker: Worker;
  remote: Comlink.Remote<MultifitWorkerApi>;
}

/** workers left from earlier multifits, ready for the next */
const idle: PooledWorker[] = [];

function takeWorker(): PooledWorker {
  const w = idle.pop();
  if (w) return w;
  // keep the URL inline: Vite emits the worker chunk only for this exact pattern
  const worker = new Worker(new URL('./multifit.worker.ts', import.meta.url), { type: 'module' });
  return { worker, remote: Comlink.wrap<MultifitWorkerApi>(worker) };
}

/** idle workers kept for the next multifit (for tests and diagnostics) */
export function idleMultifitWorkers(): number {
  return idle.length;
}

function shared(a: Float64Array): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(a.length * 8));
  out.set(a);
  return out;
}

/**
 * Starts one worker per job. `onUpdate` is called after every batch or block merged into the
 * accumulator (the caller throttles redraws).
 */
export function startParallelMultifit(
  jobs: BlockJob[],
  keys: { pixels: number; slotKeys: string[]; freeKeys: string[] },
  onUpdate: (acc: MapAccumulator) => void,
): RunningMultifit {
  const t0 = performance.now();
  const acc = new MapAccumulator(keys.pixels, keys.slotKeys, keys.freeKeys);
  const isolated = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true;
  const cancelFlag = isolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
  let cube: Dataset | null = null;
  if (isolated && jobs.length > 0) {
    const c = jobs[0].cube;
    cube = { ...c, values: shared(c.values), ...(c.sigma ? { sigma: shared(c.sigma) } : {}) };
  }
  const taken: PooledWorker[] = [];
  const results: BlockResult[] = [];
  const errors: string[] = [];
  let cancelled = false;
  let finish: (() => void) | null = null;
  const stopped = new Promise<void>((resolve) => (finish = resolve));

  const reusable = new Set<PooledWorker>();
  const runs = jobs.map((job, index) => {
    const pooled = takeWorker();
    const { worker, remote } = pooled;
    taken.push(pooled);
    let onError: ((e: ErrorEvent) => void) | null = null;
    const crashed = new Promise<never>((_, reject) => {
      onError = (e) => reject(new Error(e.message || 'it stopped (out of memory?)'));
      worker.addEventListener('error', onError, { once: true });
    });
    const call = remote.run(
      cube && job.cube === jobs[0].cube ? { ...job, cube } : job,
      cancelFlag,
      Comlink.proxy((b) => {
        acc.applyBatch(b);
        onUpdate(acc);
      }),
    );
    return Promise.race([call, crashed]).then(
      (r) => {
        if (onError) worker.removeEventListener('error', onError);
        reusable.add(pooled);
        acc.applyBlock(r);
        results.push(r);
        if (r.cancelled) cancelled = true;
        onUpdate(acc);
      },
      (e: unknown) => {
        errors.push(`multifit worker ${index + 1} of ${jobs.length}: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  });

  const done = Promise.race([Promise.all(runs).then(() => undefined), stopped]).then((): MultifitOutcome => {
    // workers whose block ended normally go back to the idle list; the others (failed, crashed,
    // or still running after a cancel without shared memory) are terminated
    for (const p of taken) {
      if (reusable.has(p)) idle.push(p);
      else p.worker.terminate();
    }
    return { acc, results, cancelled, errors, elapsedMs: performance.now() - t0, workers: jobs.length };
  });

  return {
    acc,
    done,
    sharedCancel: cancelFlag !== null,
    cancel() {
      cancelled = true;
      if (cancelFlag) {
        Atomics.store(cancelFlag, 0, 1);
        return;
      }
      finish?.();
    },
  };
}
