/**
 * One worker thread of `multifit --workers N` (multifit-pool.ts). Started through
 * multifit-worker.boot.mjs (tsx registers the .ts loader first; toolchain-notes pitfall 9).
 *
 * It stays up and takes jobs from its port, one block of pixels per multifit: it rebuilds the
 * cube over the shared values (no copy), runs the core's multifit once on its block (so the model
 * is compiled once per job) and writes the block's values, errors, reduced chi-square and status
 * straight into the job's shared output arrays. The main thread waits on the job's `ctrl` with
 * Atomics.wait (the runner is synchronous): the worker counts its fitted pixels in ctrl[PROGRESS],
 * and when the job ends, however it ends, adds 1 to ctrl[DONE] and wakes the main thread; an error
 * is posted on the port (read with receiveMessageOnPort) and counted in ctrl[ERRORS].
 * ctrl[STOP] != 0 asks it to stop between pixels.
 */
import { workerData } from 'node:worker_threads';
import type { Dataset } from '../core/data/dataset';
import { multifit } from '../core/cube/multifit';
import { CTRL, type WorkerBoot, type WorkerJob } from './multifit-shared';

const boot = workerData as WorkerBoot;

function run(input: WorkerJob, ctrl: Int32Array): void {
  // the main thread fills the shared cube while the workers start
  while (Atomics.load(ctrl, CTRL.READY) === 0) Atomics.wait(ctrl, CTRL.READY, 0, 1000);
  if (Atomics.load(ctrl, CTRL.STOP) !== 0) return;
  const { rows, cols, channels } = input;
  const P = rows * cols;
  const cube: Dataset = {
    name: input.name,
    kind: 'cube',
    shape: [rows, cols, channels],
    coords: { x: Float64Array.from(input.x) },
    values: new Float64Array(input.values),
  };
  if (input.sigma) cube.sigma = new Float64Array(input.sigma);
  if (input.mask) cube.mask = input.mask;
  const pixels = Int32Array.from(input.pixels);
  const res = multifit(cube, input.model, input.settings, {
    ...input.options,
    pixels,
    shouldStop: () => Atomics.load(ctrl, CTRL.STOP) !== 0,
    onPixel: () => {
      Atomics.add(ctrl, CTRL.PROGRESS, 1);
    },
  });
  if (res.freeKeys.join('\n') !== input.freeKeys.join('\n')) {
    throw new Error(`worker ${input.index}: free parameters ${res.freeKeys.join(', ')} differ from the main thread's ${input.freeKeys.join(', ')}`);
  }
  const maps = new Float64Array(input.outMaps);
  const errs = new Float64Array(input.outErrors);
  const red = new Float64Array(input.outRed);
  const status = new Uint8Array(input.outStatus);
  input.slotKeys.forEach((key, s) => {
    const m = res.maps[key];
    if (!m) throw new Error(`worker ${input.index}: no map for ${key}`);
    for (const p of pixels) maps[s * P + p] = m[p];
  });
  input.freeKeys.forEach((key, k) => {
    const e = res.errors[key];
    for (const p of pixels) errs[k * P + p] = e[p];
  });
  for (const p of pixels) {
    red[p] = res.redChi2[p];
    status[p] = res.status[p];
  }
  new Float64Array(input.outStats)[input.index * 2] = res.nfev;
  new Float64Array(input.outStats)[input.index * 2 + 1] = res.elapsedMs;
}

function handle(job: WorkerJob): void {
  const ctrl = new Int32Array(job.ctrl);
  try {
    run(job, ctrl);
  } catch (e) {
    Atomics.add(ctrl, CTRL.ERRORS, 1);
    boot.port.postMessage({ index: job.index, error: e instanceof Error ? e.message : String(e) });
  } finally {
    Atomics.add(ctrl, CTRL.DONE, 1);
    Atomics.notify(ctrl, CTRL.DONE);
  }
}

boot.port.on('message', handle);
// booted: counted in the pool's boot control array (MultifitPool.waitReady)
const bootCtrl = new Int32Array(boot.ctrl);
Atomics.add(bootCtrl, CTRL.PROGRESS, 1);
Atomics.notify(bootCtrl, CTRL.PROGRESS);
