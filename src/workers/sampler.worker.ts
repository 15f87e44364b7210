/// <reference lib="webworker" />
/**
 * One sampler worker: runs one chain at a time for the pool (sampler-pool.ts). Progress
 * (phase, iteration) goes out at most every job.progressMs; each finished segment of draws goes
 * out as soon as it is done (about job.segmentMs apart), which is what the page draws as live
 * traces and keeps when the worker is terminated.
 */
import * as Comlink from 'comlink';
import { buildPosterior } from '../core/fit/posterior';
import type { SamplerPhase } from '../core/sample';
import { chainIterations, runChain } from './sampler-chain';
import type { SamplerWorkerApi } from './sampler-protocol';

const api: SamplerWorkerApi = {
  async run(job, cancel, onEvent) {
    const posterior = buildPosterior(job.dataset, job.model, job.settings);
    const total = chainIterations(job.spec);
    let last = -Infinity;
    let lastPhase: SamplerPhase | null = null;
    const shouldStop = () => cancel !== null && Atomics.load(cancel, 0) === 1;
    return runChain(posterior, job.spec, {
      segmentMs: job.segmentMs,
      now: () => performance.now(),
      shouldStop,
      onProgress(iteration, phase) {
        const t = performance.now();
        if (t - last < job.progressMs && phase === lastPhase && iteration < total) return;
        last = t;
        lastPhase = phase;
        void onEvent({ kind: 'progress', chain: job.chain, phase, iteration, total });
      },
      onSegment(segment) {
        void onEvent({ kind: 'segment', chain: job.chain, segment });
      },
    });
  },
};

Comlink.expose(api);
