/// <reference lib="webworker" />
/** One multifit worker: runs the core's multifit (or the linear fast path) on its block of pixels. */
import * as Comlink from 'comlink';
import { runBlock } from '../core/cube/parallel';
import type { MultifitWorkerApi } from './multifit-protocol';

const api: MultifitWorkerApi = {
  async run(job, cancel, onBatch) {
    return runBlock(job, {
      now: () => performance.now(),
      shouldStop: () => cancel !== null && Atomics.load(cancel, 0) === 1,
      onBatch: (b) => onBatch(Comlink.transfer(b, [b.pixels.buffer, b.status.buffer, b.redChi2.buffer, b.values.buffer])),
    });
  },
};

Comlink.expose(api);
