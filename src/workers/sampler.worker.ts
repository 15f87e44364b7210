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
import { chainIterations, runChain, type ChainHooks } from './sampler-chain';
import { hierarchicalLogDensity } from '../core/hierarchy/log-density';
import { runHierarchyChain } from './hierarchy-chain';
import type { SamplerWorkerApi } from './sampler-protocol';

const api: SamplerWorkerApi = {
  async run(job, cancel, onEvent) {
    const total = chainIterations(job.spec);
    let last = -Infinity;
    let lastPhase: SamplerPhase | null = null;
    const shouldStop = () => cancel !== null && Atomics.load(cancel, 0) === 1;
    const hooks: ChainHooks = {
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
    };
    // a hierarchical model's density, or the posterior of the fit
    if (job.target === 'hierarchy') return runHierarchyChain(hierarchicalLogDensity(job.hierarchy), job.spec, hooks);
    return runChain(buildPosterior(job.dataset, job.model, job.settings), job.spec, hooks);
  },
};

Comlink.expose(api);
