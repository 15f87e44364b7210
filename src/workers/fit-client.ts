/**
 * Runs fits in a Web Worker. Cancel sets a shared flag the optimizer polls between iterations
 * (needs cross-origin isolation, which the dev and preview servers enable); without it the
 * worker is terminated and the last reported point is kept.
 */
import * as Comlink from 'comlink';
import type { FitProgress, FitResult } from '../core/fit/result';
import type { FitJob, FitWorkerApi, SequentialJob } from './fit-protocol';

export interface RunningFit {
  result: Promise<FitResult>;
  cancel(): void;
}

let worker: Worker | null = null;
let remote: Comlink.Remote<FitWorkerApi> | null = null;

function getRemote(): Comlink.Remote<FitWorkerApi> {
  if (!remote) {
    // keep the URL inline: Vite emits the worker chunk only for this exact pattern
    worker = new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module' });
    remote = Comlink.wrap<FitWorkerApi>(worker);
  }
  return remote;
}

function dropWorker(): void {
  worker?.terminate();
  worker = null;
  remote = null;
}

export function startFit(job: FitJob, onProgress: (p: FitProgress) => void): RunningFit {
  return start((r, flag, cb) => r.fit(job, flag, cb), onProgress);
}

export interface RunningSequential {
  result: Promise<(FitResult | { error: string })[]>;
  cancel(): void;
}

export function startSequential(job: SequentialJob, onProgress: (p: FitProgress) => void): RunningSequential {
  return start((r, flag, cb) => r.fitEach(job, flag, cb), onProgress);
}

function start<T>(
  call: (r: Comlink.Remote<FitWorkerApi>, flag: Int32Array | null, cb: (p: FitProgress) => void) => Promise<T>,
  onProgress: (p: FitProgress) => void,
): { result: Promise<T>; cancel(): void } {
  const shared = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated;
  const cancelFlag = shared ? new Int32Array(new SharedArrayBuffer(4)) : null;
  const r = getRemote();
  let rejectEarly: ((e: Error) => void) | null = null;
  let lastProgress: FitProgress | null = null;
  const early = new Promise<T>((_, reject) => {
    rejectEarly = reject;
    worker!.addEventListener(
      'error',
      (e) => {
        // a crashed worker (uncaught error, out of memory) is replaced on the next fit
        dropWorker();
        reject(new FitFailed(`The fit worker failed: ${e.message || 'it stopped (out of memory?)'}`, lastProgress));
      },
      { once: true },
    );
  });
  const result = Promise.race([
    call(
      r,
      cancelFlag,
      Comlink.proxy((p: FitProgress) => {
        lastProgress = p;
        onProgress(p);
      }),
    ),
    early,
  ]).catch((e: unknown) => {
    if (e instanceof FitFailed) throw e;
    throw new FitFailed(e instanceof Error ? e.message : String(e), lastProgress);
  });
  return {
    result,
    cancel() {
      if (cancelFlag) {
        Atomics.store(cancelFlag, 0, 1);
        return;
      }
      dropWorker();
      const err = new CancelledWithoutResult(lastProgress);
      rejectEarly?.(err);
    },
  };
}

/** A fit that ended without a result; `lastProgress` holds the best point reported before. */
export class FitFailed extends Error {
  constructor(
    message: string,
    public lastProgress: FitProgress | null,
  ) {
    super(message);
  }
}

/** Raised when a fit was cancelled by terminating the worker (no shared memory). */
export class CancelledWithoutResult extends FitFailed {
  constructor(lastProgress: FitProgress | null) {
    super('Fit cancelled; the last reported parameters were kept (no errors computed).', lastProgress);
  }
}
