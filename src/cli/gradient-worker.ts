/**
 * A worker thread of the banded gradient (gradient-threads.ts), booted through
 * gradient-worker.boot.mjs: compiles the image model on an empty frame of the data's shape and PSF
 * (the bands need no data: the main thread forms the weights), makes its band over the shared
 * buffers, says it is ready, then runs the five phases of every gradient between barriers until
 * the main thread sets STOP.
 */
import { workerData } from 'node:worker_threads';
import { compileForDataset } from '../core/fit/compile-view';
import { isImageModel } from '../core/image/image-model';
import { emptyImage } from '../core/image/tutorial';
import type { GradientWorkerBoot } from './gradient-shared';
import { BARRIER, ThreadBarrier } from './thread-barrier';

const boot = workerData as GradientWorkerBoot;
const ctrl = new Int32Array(boot.ctrl);
const barrier = new ThreadBarrier(ctrl, boot.parties, Infinity);

try {
  const frame = emptyImage('band', boot.rows, boot.cols);
  if (boot.psf) frame.psf = boot.psf;
  const compiled = compileForDataset(boot.model, frame);
  if (!isImageModel(compiled)) throw new Error('the model did not compile to an image model');
  const band = compiled.gradientBand(boot.index, boot.cuts, boot.buffers);
  Atomics.add(ctrl, BARRIER.READY, 1);
  Atomics.notify(ctrl, BARRIER.READY);
  for (;;) {
    // idle between gradients: no time limit
    barrier.wait(Infinity);
    if (Atomics.load(ctrl, BARRIER.STOP) !== 0) break;
    for (let phase = 0; phase < 5; phase++) {
      // the main thread forms the weights between phases 2 and 3
      if (phase === 3) barrier.wait();
      band.run(phase);
      barrier.wait();
    }
  }
} catch (e) {
  if (Atomics.load(ctrl, BARRIER.STOP) === 0) {
    boot.port.postMessage({ index: boot.index, error: e instanceof Error ? e.message : String(e) });
    barrier.fail();
    Atomics.notify(ctrl, BARRIER.READY);
  }
}
