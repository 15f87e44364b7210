/** What the main thread of a banded gradient and its worker threads share (gradient-threads.ts, gradient-worker.ts). */
import type { MessagePort } from 'node:worker_threads';
import type { ModelDoc } from '../core/model/document';
import type { BandBuffers } from '../core/image/image-model';
import type { Psf } from '../core/image/psf';

/** workerData of a gradient worker: it compiles the model on an empty frame of the same shape and PSF and runs band `index` */
export interface GradientWorkerBoot {
  index: number;
  cuts: number[];
  model: ModelDoc;
  rows: number;
  cols: number;
  psf: Psf | null;
  /** Float64Arrays over SharedArrayBuffers */
  buffers: BandBuffers;
  /** the barrier's control array (thread-barrier.ts) and the number of threads */
  ctrl: SharedArrayBuffer;
  parties: number;
  /** errors go out on it ({ index, error }) */
  port: MessagePort;
  /** file: URL of the bundled worker module; absent: the boot file loads gradient-worker.ts through tsx */
  bundle?: string;
}
