/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { fitModel, type FitCallbacks } from '../core/fit/fit-model';
import { fitJoint } from '../core/fit/joint-fit';
import type { FitProgress } from '../core/fit/result';
import type { FitWorkerApi } from './fit-protocol';

/**
 * Progress reaches the page at most every 50 ms, and not at all during the first 100 ms: each
 * report redraws the plot on the page (~30 ms), so a fast fit would otherwise wait for redraws
 * of points it has already left behind.
 */
const PROGRESS_INTERVAL_MS = 50;
const FIRST_PROGRESS_MS = 100;

function callbacks(cancel: Int32Array | null, onProgress: (p: FitProgress) => void): FitCallbacks {
  let last = performance.now() + FIRST_PROGRESS_MS - PROGRESS_INTERVAL_MS;
  return {
    now: () => performance.now(),
    shouldStop: () => cancel !== null && Atomics.load(cancel, 0) === 1,
    onProgress: (p) => {
      const now = performance.now();
      if (now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      onProgress(p);
    },
  };
}

const api: FitWorkerApi = {
  async fit(job, cancel, onProgress) {
    const cb = callbacks(cancel, onProgress);
    if (job.joint) return fitJoint(job.joint.datasets, job.model, job.joint.doc, job.settings, cb);
    return fitModel(job.dataset, job.model, job.settings, cb);
  },
  async fitEach(job, cancel, onProgress) {
    const cb = callbacks(cancel, onProgress);
    return job.datasets.map((d) => {
      if (cb.shouldStop!()) return { error: `${d.name}: cancelled` };
      try {
        return fitModel(d, job.model, job.settings, cb);
      } catch (e) {
        return { error: `${d.name}: ${e instanceof Error ? e.message : String(e)}` };
      }
    });
  },
};

Comlink.expose(api);
