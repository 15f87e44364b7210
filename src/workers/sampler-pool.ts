/**
 * The sampler workers: one chain per worker, at most navigator.hardwareConcurrency workers (at
 * least 1); with more chains than workers the rest wait and start as workers come free. Workers
 * are kept between runs (a new run re-sends the fit with each job).
 *
 * Cancel: with cross-origin isolation a flag in a SharedArrayBuffer that every chain polls once
 * per iteration; running chains then return the draws they have (queued chains never start).
 * Without shared memory the workers are terminated at once and the page keeps the segments of
 * draws already streamed (onEvent 'segment'); new workers start on the next run.
 */
import * as Comlink from 'comlink';
import type { ChainResult } from '../core/sample';
import type { SamplerEvent, SamplerJob, SamplerWorkerApi } from './sampler-protocol';

export function samplerPoolSize(chains: number): number {
  const hc = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 1;
  return Math.max(1, Math.min(hc, Math.max(1, chains)));
}

export interface SamplerCallbacks {
  event(e: SamplerEvent): void;
  /** a chain finished (or stopped on a shared-memory cancel) with all its draws */
  chainDone(chain: number, result: ChainResult): void;
  /** a chain failed (an error in the sampler, e.g. a start point with no finite density) */
  chainFailed(chain: number, message: string): void;
  /** a queued chain went to a worker */
  chainStarted?(chain: number): void;
}

export interface SamplerTask {
  /** resolves when every chain finished, failed or the run was cancelled */
  done: Promise<{ cancelled: boolean; workers: number }>;
  cancel(): void;
  /** whether cancel keeps chains running to hand back their draws (shared memory) */
  readonly sharedCancel: boolean;
}

interface Slot {
  worker: Worker;
  remote: Comlink.Remote<SamplerWorkerApi>;
  busy: boolean;
}

export class SamplerPool {
  private slots: Slot[] = [];
  private active = false;
  private failActive: ((message: string) => void) | null = null;

  get running(): boolean {
    return this.active;
  }

  get workers(): number {
    return this.slots.length;
  }

  terminate(): void {
    for (const s of this.slots) s.worker.terminate();
    this.slots = [];
  }

  private makeSlot(): Slot {
    // keep the URL inline: Vite emits the worker chunk only for this exact pattern
    const worker = new Worker(new URL('./sampler.worker.ts', import.meta.url), { type: 'module' });
    const slot: Slot = { worker, remote: Comlink.wrap<SamplerWorkerApi>(worker), busy: false };
    worker.addEventListener('error', (e) => {
      worker.terminate();
      this.slots = this.slots.filter((s) => s !== slot);
      this.failActive?.(`A sampler worker failed: ${e.message || 'it stopped (out of memory?)'}`);
    });
    return slot;
  }

  /** Runs the chains (one job each); one run at a time. */
  run(jobs: SamplerJob[], on: SamplerCallbacks, size = samplerPoolSize(jobs.length)): SamplerTask {
    if (this.active) throw new Error('Sampling is already running');
    this.active = true;
    const want = Math.max(1, Math.min(size, jobs.length));
    while (this.slots.length > want) this.slots.pop()!.worker.terminate();
    while (this.slots.length < want) this.slots.push(this.makeSlot());
    const slots = this.slots.slice();
    const shared = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true;
    const flag = shared ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const queue = jobs.slice();
    let inFlight = 0;
    let cancelled = false;
    let finished = false;
    let resolveDone!: (v: { cancelled: boolean; workers: number }) => void;
    let rejectDone!: (e: Error) => void;
    const done = new Promise<{ cancelled: boolean; workers: number }>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    const finish = (error: Error | null) => {
      if (finished) return;
      finished = true;
      this.active = false;
      this.failActive = null;
      if (error) rejectDone(error);
      else resolveDone({ cancelled, workers: slots.length });
    };
    this.failActive = (message) => {
      if (flag) Atomics.store(flag, 0, 1);
      cancelled = true;
      this.terminate();
      finish(new Error(message));
    };
    const onEvent = Comlink.proxy((e: SamplerEvent) => {
      if (!finished) on.event(e);
    });
    const pump = () => {
      if (finished) return;
      for (const slot of slots) {
        if (cancelled || queue.length === 0) break;
        if (slot.busy || !this.slots.includes(slot)) continue;
        const job = queue.shift()!;
        slot.busy = true;
        inFlight++;
        on.chainStarted?.(job.chain);
        slot.remote.run(job, flag, onEvent).then(
          (result) => {
            slot.busy = false;
            inFlight--;
            if (finished) return;
            on.chainDone(job.chain, result);
            pump();
          },
          (e: unknown) => {
            slot.busy = false;
            inFlight--;
            if (finished) return;
            on.chainFailed(job.chain, e instanceof Error ? e.message : String(e));
            pump();
          },
        );
      }
      if (inFlight === 0 && (cancelled || queue.length === 0)) finish(null);
    };
    queueMicrotask(pump);
    return {
      done,
      sharedCancel: shared,
      cancel: () => {
        if (finished || cancelled) return;
        cancelled = true;
        if (flag) {
          // running chains stop at their next iteration and hand back their draws
          Atomics.store(flag, 0, 1);
          if (inFlight === 0) finish(null);
          return;
        }
        this.terminate();
        finish(null);
      },
    };
  }
}
