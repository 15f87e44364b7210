/**
 * A pool of uncertainty workers (navigator.hardwareConcurrency - 1, at least 1). Each worker is
 * set up once per fit and then runs single jobs (one MINOS side, one profile chain, one contour
 * ray, one surface row); a scheduler picks the next job whenever a worker is free, so results
 * stream back as they arrive.
 *
 * Warm starts follow the neighbouring-solution rule of the core (src/core/uncertainty):
 * - profile: two chains walking outward from the best fit, one per direction;
 * - contour: the first rays are spread around the curve, every later ray is the pending one nearest
 *   a solved ray and starts from it (its re-optimised vector and its distance t along the ray);
 * - surface: rows go out from the row nearest the best fit, each starting from the anchor
 *   solution of the nearest solved row, or the best fit while none is solved.
 *
 * Cancel sets a flag in a SharedArrayBuffer (the page is cross-origin isolated) that every
 * re-optimisation polls between iterations; jobs in flight then return what they have. Without
 * shared memory the workers are terminated and replaced on the next run.
 */
import * as Comlink from 'comlink';
import type {
  ContourRayOutcome,
  ProfileChainOutcome,
  ProfilePointOutcome,
  SetupInfo,
  SurfaceRowOutcome,
  UncertaintyJob,
  UncertaintyOutcome,
  UncertaintySetup,
  UncertaintyWorkerApi,
  MinosSideOutcome,
} from './uncertainty-protocol';

export function defaultPoolSize(): number {
  const hc = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  return Math.max(1, hc - 1);
}

/** Chooses jobs for a task; the pool calls take() whenever a worker is free. */
export interface Scheduler {
  /** the next job, or null when none is ready now */
  take(): UncertaintyJob | null;
  complete(job: UncertaintyJob, outcome: UncertaintyOutcome): void;
  /** profile points as they are solved inside a chain job */
  point?(job: UncertaintyJob, p: ProfilePointOutcome): void;
}

export interface PoolTask {
  /** resolves when every job finished (or the task was cancelled); rejects when a worker failed */
  done: Promise<{ cancelled: boolean }>;
  cancel(): void;
}

interface Slot {
  worker: Worker;
  remote: Comlink.Remote<UncertaintyWorkerApi>;
  version: number;
  init: Promise<SetupInfo> | null;
  /** jobs sent and not yet answered */
  inFlight: number;
}

/**
 * Jobs outstanding per worker: the second waits in the worker's queue, so the worker never idles
 * while the page is busy (drawing) before it hands out the next job.
 */
const DEPTH = 2;

interface ActiveTask {
  fail(message: string): void;
}

export class UncertaintyPool {
  private slots: Slot[] = [];
  private setup: UncertaintySetup | null = null;
  private version = 0;
  private active: ActiveTask | null = null;

  constructor(public size: number = defaultPoolSize()) {}

  get running(): boolean {
    return this.active !== null;
  }

  /** The fit the next jobs work on; workers re-initialise lazily when it changes. */
  configure(setup: UncertaintySetup): void {
    const s = this.setup;
    if (s && s.dataset === setup.dataset && s.model === setup.model && s.settings === setup.settings && s.result === setup.result) return;
    this.setup = setup;
    this.version++;
  }

  /** Changes the number of workers (benchmarks); idle workers beyond it are terminated. */
  resize(size: number): void {
    this.size = Math.max(1, Math.floor(size));
    while (this.slots.length > this.size) this.slots.pop()!.worker.terminate();
  }

  terminate(): void {
    for (const s of this.slots) s.worker.terminate();
    this.slots = [];
  }

  private makeSlot(): Slot {
    // keep the URL inline: Vite emits the worker chunk only for this exact pattern
    const worker = new Worker(new URL('./uncertainty.worker.ts', import.meta.url), { type: 'module' });
    const slot: Slot = { worker, remote: Comlink.wrap<UncertaintyWorkerApi>(worker), version: -1, init: null, inFlight: 0 };
    worker.addEventListener('error', (e) => {
      // a crashed worker (uncaught error, out of memory) is replaced on the next run
      worker.terminate();
      this.slots = this.slots.filter((s) => s !== slot);
      this.active?.fail(`An uncertainty worker failed: ${e.message || 'it stopped (out of memory?)'}`);
    });
    return slot;
  }

  private ensureInit(slot: Slot): Promise<SetupInfo> {
    if (slot.version !== this.version || !slot.init) {
      slot.version = this.version;
      slot.init = slot.remote.init(this.setup!);
    }
    return slot.init;
  }

  /** Runs a task on the pool; one at a time. */
  run(scheduler: Scheduler): PoolTask {
    if (this.active) throw new Error('An uncertainty computation is already running');
    if (!this.setup) throw new Error('The uncertainty pool has no fit to work on');
    while (this.slots.length < this.size) this.slots.push(this.makeSlot());
    const shared = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated;
    const flag = shared ? new Int32Array(new SharedArrayBuffer(4)) : null;
    let cancelled = false;
    let finished = false;
    let inFlight = 0;
    let resolveDone!: (v: { cancelled: boolean }) => void;
    let rejectDone!: (e: Error) => void;
    const done = new Promise<{ cancelled: boolean }>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    const finish = (error: Error | null) => {
      if (finished) return;
      finished = true;
      this.active = null;
      if (error) rejectDone(error);
      else resolveDone({ cancelled });
    };
    const task: ActiveTask = {
      fail: (message) => {
        if (flag) Atomics.store(flag, 0, 1);
        cancelled = true;
        finish(new Error(message));
      },
    };
    this.active = task;
    const slots = this.slots.slice();
    const dispatch = (slot: Slot, job: UncertaintyJob) => {
      slot.inFlight++;
      inFlight++;
      const onPoint = job.kind === 'profile-chain' && scheduler.point ? Comlink.proxy((p: ProfilePointOutcome) => scheduler.point!(job, p)) : undefined;
      this.ensureInit(slot)
        .then((): Promise<UncertaintyOutcome> => slot.remote.run(job, flag, onPoint) as Promise<UncertaintyOutcome>)
        .then(
          (outcome) => {
            slot.inFlight--;
            if (finished) return;
            inFlight--;
            scheduler.complete(job, outcome);
            pump();
          },
          (e: unknown) => {
            slot.inFlight--;
            if (finished) return;
            task.fail(e instanceof Error ? e.message : String(e));
          },
        );
    };
    const pump = () => {
      if (finished) return;
      if (!cancelled) {
        // first one job per worker, then the queued second ones
        fill: for (let depth = 1; depth <= DEPTH; depth++) {
          for (const slot of slots) {
            if (slot.inFlight >= depth || !this.slots.includes(slot)) continue;
            const job = scheduler.take();
            if (!job) break fill;
            dispatch(slot, job);
          }
        }
      }
      if (inFlight === 0) finish(null);
    };
    // start after the caller has its handle (cancel may be called synchronously)
    queueMicrotask(pump);
    return {
      done,
      cancel: () => {
        if (finished || cancelled) return;
        cancelled = true;
        if (flag) {
          // jobs in flight stop at their next iteration and report what they have
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

/* ------------------------------------------------------------------ schedulers */

export interface Progress {
  done: number;
  total: number;
}

/** MINOS: one job per parameter and side. */
export function minosScheduler(
  params: number[],
  sigma: number,
  on: { side(k: number, side: 'lower' | 'upper', outcome: MinosSideOutcome): void; progress(p: Progress): void },
): Scheduler {
  const queue: UncertaintyJob[] = params.flatMap((k) => [
    { kind: 'minos' as const, k, side: 'lower' as const, sigma },
    { kind: 'minos' as const, k, side: 'upper' as const, sigma },
  ]);
  const total = queue.length;
  let done = 0;
  return {
    take: () => queue.shift() ?? null,
    complete(job, outcome) {
      if (job.kind !== 'minos' || outcome.kind !== 'minos') return;
      done++;
      on.side(job.k, job.side, outcome);
      on.progress({ done, total });
    },
  };
}

/** Profile: the grid split into two chains walking outward from the best fit. */
export function profileScheduler(
  k: number,
  values: number[],
  bestValue: number,
  reoptimize: boolean,
  on: { point(p: ProfilePointOutcome): void; progress(p: Progress): void },
): Scheduler {
  const idx = values.map((_, i) => i);
  const up = idx.filter((i) => values[i] >= bestValue).sort((a, b) => values[a] - values[b]);
  const down = idx.filter((i) => values[i] < bestValue).sort((a, b) => values[b] - values[a]);
  const queue: UncertaintyJob[] = [up, down]
    .filter((c) => c.length > 0)
    .map((c) => ({ kind: 'profile-chain' as const, k, values: c.map((i) => values[i]), indices: c, reoptimize }));
  const total = values.length;
  const seen = new Set<number>();
  const record = (p: ProfilePointOutcome) => {
    if (seen.has(p.index)) return;
    seen.add(p.index);
    on.point(p);
    on.progress({ done: seen.size, total });
  };
  return {
    take: () => queue.shift() ?? null,
    point: (_job, p) => record(p),
    complete(_job, outcome) {
      // streamed points normally arrived already; the outcome repeats them (in case a callback was lost)
      if (outcome.kind === 'profile-chain') for (const p of (outcome as ProfileChainOutcome).points) record(p);
    },
  };
}

/**
 * Contours: for every level, one ray per direction. The first rays of a level are spread around
 * the curve (as far as possible from rays in flight); once a ray is solved, the pending ray
 * nearest to a solved one goes next and starts from it. A level's first ray starts from the same direction of an
 * earlier level when that is solved (t scaled by the square root of the level ratio).
 */
export function contourScheduler(
  i: number,
  j: number,
  levels: number[],
  directions: [number, number][],
  on: { ray(level: number, m: number, outcome: ContourRayOutcome): void; progress(p: Progress): void },
): Scheduler {
  const P = directions.length;
  type State = null | 'flight' | ContourRayOutcome;
  const state: State[][] = levels.map(() => new Array<State>(P).fill(null));
  const total = levels.length * P;
  let done = 0;
  const solved = (L: number, m: number): ContourRayOutcome | null => {
    const s = state[L][((m % P) + P) % P];
    return s && s !== 'flight' && s.valid && s.theta ? s : null;
  };
  const job = (L: number, m: number, seed: ContourRayOutcome | null, tScale = 1): UncertaintyJob => {
    state[L][m] = 'flight';
    return { kind: 'contour-ray', i, j, direction: directions[m], level: levels[L], t0: seed ? seed.t * tScale : undefined, seed: seed?.theta ?? null, L, m };
  };
  return {
    take() {
      for (let L = 0; L < levels.length; L++) {
        const pending: number[] = [];
        for (let m = 0; m < P; m++) if (state[L][m] === null) pending.push(m);
        if (pending.length === 0) continue;
        // the pending ray closest to a solved one, starting from it
        let near: { m: number; seed: ContourRayOutcome; d: number } | null = null;
        for (const m of pending) {
          for (let d = 1; d <= P >> 1 && (!near || d < near.d); d++) {
            const nb = solved(L, m - d) ?? solved(L, m + d);
            if (nb) {
              near = { m, seed: nb, d };
              break;
            }
          }
          if (near?.d === 1) break;
        }
        if (near) return job(L, near.m, near.seed);
        // spread: farthest (circularly) from anything solved or in flight on this level
        let pick = pending[0];
        let bestD = -1;
        for (const m of pending) {
          let d = P;
          for (let q = 0; q < P; q++) {
            if (state[L][q] === null) continue;
            const dist = Math.min(Math.abs(m - q), P - Math.abs(m - q));
            if (dist < d) d = dist;
          }
          if (d > bestD) {
            bestD = d;
            pick = m;
          }
        }
        for (let L2 = L - 1; L2 >= 0; L2--) {
          const s = solved(L2, pick);
          if (s) return job(L, pick, s, Math.sqrt(levels[L] / levels[L2]));
        }
        return job(L, pick, null);
      }
      return null;
    },
    complete(jb, outcome) {
      if (jb.kind !== 'contour-ray' || outcome.kind !== 'contour-ray') return;
      const L = jb.L ?? 0;
      const m = jb.m ?? 0;
      state[L][m] = outcome;
      done++;
      on.ray(L, m, outcome);
      on.progress({ done, total });
    },
  };
}

/** Surface: rows outward from the one nearest the best fit, each from the nearest solved row. */
export function surfaceScheduler(
  i: number,
  j: number,
  xValues: number[],
  yValues: number[],
  bestY: number,
  reoptimize: boolean,
  on: { row(r: number, outcome: SurfaceRowOutcome): void; progress(p: Progress): void },
): Scheduler {
  const ny = yValues.length;
  let r0 = 0;
  for (let r = 1; r < ny; r++) if (Math.abs(yValues[r] - bestY) < Math.abs(yValues[r0] - bestY)) r0 = r;
  const order: number[] = [r0];
  for (let d = 1; order.length < ny; d++) {
    if (r0 + d < ny) order.push(r0 + d);
    if (r0 - d >= 0) order.push(r0 - d);
  }
  const anchors: (number[] | null)[] = new Array(ny).fill(null);
  let done = 0;
  return {
    take() {
      const r = order.shift();
      if (r === undefined) return null;
      let start: number[] | null = null;
      if (reoptimize) {
        let bestD = Infinity;
        for (let q = 0; q < ny; q++) {
          if (anchors[q] && Math.abs(q - r) < bestD) {
            bestD = Math.abs(q - r);
            start = anchors[q];
          }
        }
      }
      return { kind: 'surface-row', i, j, xValues, yValue: yValues[r], reoptimize, start, r };
    },
    complete(jb, outcome) {
      if (jb.kind !== 'surface-row' || outcome.kind !== 'surface-row') return;
      const r = jb.r ?? 0;
      anchors[r] = outcome.anchorTheta;
      done++;
      on.row(r, outcome);
      on.progress({ done, total: ny });
    },
  };
}
