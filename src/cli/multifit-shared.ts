/** What the main thread of `multifit --workers N` and its worker threads share (multifit-pool.ts, multifit-worker.ts). */
import type { MessagePort } from 'node:worker_threads';
import type { MultifitOptions } from '../core/cube/multifit';
import type { FitSettings } from '../core/fit/settings';
import type { ModelDoc } from '../core/model/document';

/** Slots of the Int32Array over `ctrl` (the boot file multifit-worker.boot.mjs repeats DONE and ERRORS). */
export const CTRL = {
  /** workers that have ended (successfully or not) */
  DONE: 0,
  /** set by the main thread: stop between pixels */
  STOP: 1,
  /** pixels fitted so far, all workers together (in a pool's boot array: workers booted) */
  PROGRESS: 2,
  /** workers that ended with an error (posted on their port) */
  ERRORS: 3,
  /** set by the main thread once the shared cube is filled (the workers start meanwhile) */
  READY: 4,
  LENGTH: 5,
} as const;

/** One block of pixels for one worker: what a pool worker receives for each multifit. */
export interface WorkerJob {
  index: number;
  name: string;
  rows: number;
  cols: number;
  channels: number;
  x: Float64Array;
  /** SharedArrayBuffers: the cube's values (and sigma), rows * cols * channels float64 */
  values: SharedArrayBuffer;
  sigma?: SharedArrayBuffer;
  mask?: Uint8Array;
  model: ModelDoc;
  settings: Partial<FitSettings>;
  options: Pick<MultifitOptions, 'order' | 'variance' | 'scaleErrors' | 'ftol' | 'xtol' | 'gtol' | 'chi2Window' | 'windowFactor' | 'engine' | 'gaussianWindow'>;
  /** this worker's pixels */
  pixels: Int32Array;
  /** every parameter key (the maps' order) and the free ones (the errors' order) */
  slotKeys: string[];
  freeKeys: string[];
  /** shared outputs: maps [slot][pixel], errors [free][pixel], reduced chi2, status (uint8), [nfev, ms] per worker */
  outMaps: SharedArrayBuffer;
  outErrors: SharedArrayBuffer;
  outRed: SharedArrayBuffer;
  outStatus: SharedArrayBuffer;
  outStats: SharedArrayBuffer;
  /** this job's control array (CTRL); every worker of one multifit shares it */
  ctrl: SharedArrayBuffer;
}

/** workerData of a pool worker (multifit-pool.ts): it then takes jobs from `port` until terminated. */
export interface WorkerBoot {
  index: number;
  /** jobs come in on it; errors go out on it ({ index, error }) */
  port: MessagePort;
  /** the pool's boot control array: a worker whose boot file fails counts itself in ERRORS and DONE */
  ctrl: SharedArrayBuffer;
  /** file: URL of the bundled worker module (multifit-bundle.ts); absent: the boot file loads multifit-worker.ts through tsx */
  bundle?: string;
}
