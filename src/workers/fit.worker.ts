/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { fitModel } from '../core/fit/fit-model';
import type { FitWorkerApi } from './fit-protocol';

/**
 * Progress reaches the page at most every 50 ms, and not at all during the first 100 ms: each
 * report redraws the plot on the page (~30 ms), so a fast fit would otherwise wait for redraws
 * of points it has already left behind.
 */
const PROGRESS_INTERVAL_MS = 50;
const FIRST_PROGRESS_MS = 100;

const api: FitWorkerApi = {
  async fit(job, cancel, onProgress) {
    let last = performance.now() + FIRST_PROGRESS_MS - PROGRESS_INTERVAL_MS;
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
