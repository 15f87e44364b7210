/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { fitModel } from '../core/fit/fit-model';
import type { FitWorkerApi } from './fit-protocol';

/** Progress reaches the page at most ~30 times a second. */
const PROGRESS_INTERVAL_MS = 33;

const api: FitWorkerApi = {
  async fit(job, cancel, onProgress) {
    let last = 0;
    return fitModel(job.dataset, job.model, job.settings, {
      shouldStop: () => cancel !== null && Atomics.load(cancel, 0) === 1,
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        onProgress(p);
      },
    });
  },
};

Comlink.expose(api);
