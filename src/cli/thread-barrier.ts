/**
 * A barrier for a fixed number of threads over a SharedArrayBuffer (Int32Array slots below): the
 * banded gradient's threads meet at one after each phase (gradient-threads.ts). A waiting thread
 * spins on Atomics.load for a few microseconds first (phases last ~0.1 - 2 ms and the threads
 * arrive close together, so a futex sleep and wake would cost more than the wait), then sleeps in
 * Atomics.wait. Generation counting (a "sense-reversing" barrier): the last to arrive resets the
 * count and advances the generation, which releases the others.
 */

/** Int32 slots of a barrier's control array */
export const BARRIER = {
  COUNT: 0,
  GENERATION: 1,
  /** set to 1 (and the waiters woken) when a thread failed: waiting threads throw */
  FAILED: 2,
  /** set to 1 by the main thread to end the workers (they check it after the start barrier) */
  STOP: 3,
  /** workers that have compiled their band and are waiting */
  READY: 4,
  LENGTH: 5,
} as const;

/** how many Atomics.load polls before sleeping (~20-60 us) */
const SPINS = 20_000;

export class BarrierError extends Error {}

export class ThreadBarrier {
  readonly ctrl: Int32Array;
  readonly parties: number;
  /** longest wait before giving up (ms); Infinity for a worker idle between gradients */
  timeoutMs: number;

  constructor(ctrl: Int32Array, parties: number, timeoutMs = 10_000) {
    this.ctrl = ctrl;
    this.parties = parties;
    this.timeoutMs = timeoutMs;
  }

  static create(parties: number, timeoutMs?: number): ThreadBarrier {
    return new ThreadBarrier(new Int32Array(new SharedArrayBuffer(BARRIER.LENGTH * 4)), parties, timeoutMs);
  }

  /** returns once all parties have called wait (as often as this thread); throws when one failed or the wait timed out */
  wait(timeoutMs = this.timeoutMs): void {
    const c = this.ctrl;
    const gen = Atomics.load(c, BARRIER.GENERATION);
    if (Atomics.load(c, BARRIER.FAILED) !== 0) throw new BarrierError('a gradient thread failed');
    if (Atomics.add(c, BARRIER.COUNT, 1) === this.parties - 1) {
      Atomics.store(c, BARRIER.COUNT, 0);
      Atomics.add(c, BARRIER.GENERATION, 1);
      Atomics.notify(c, BARRIER.GENERATION);
      return;
    }
    for (let i = 0; i < SPINS; i++) if (Atomics.load(c, BARRIER.GENERATION) !== gen) return;
    const t0 = Date.now();
    while (Atomics.load(c, BARRIER.GENERATION) === gen) {
      if (Atomics.load(c, BARRIER.FAILED) !== 0) throw new BarrierError('a gradient thread failed');
      const left = timeoutMs - (Date.now() - t0);
      if (left <= 0) throw new BarrierError(`a gradient thread did not reach the barrier within ${timeoutMs} ms`);
      Atomics.wait(c, BARRIER.GENERATION, gen, Math.min(left, 1000));
    }
  }

  /** marks the team failed and wakes every waiter (they throw) */
  fail(): void {
    Atomics.store(this.ctrl, BARRIER.FAILED, 1);
    Atomics.add(this.ctrl, BARRIER.GENERATION, 0);
    Atomics.notify(this.ctrl, BARRIER.GENERATION);
  }
}
