/// <reference lib="webworker" />
/**
 * One uncertainty worker: set up once per fit (builds the ProfileObjective), then runs single
 * jobs from the pool (uncertainty-pool.ts) with the core's per-job functions (uncertainty-jobs.ts).
 */
import * as Comlink from 'comlink';
import { fitUncertaintyContext } from '../core/uncertainty/from-fit';
import { JobRunner } from './uncertainty-jobs';
import type { UncertaintyWorkerApi } from './uncertainty-protocol';

let runner: JobRunner | null = null;

const api: UncertaintyWorkerApi = {
  async init(setup) {
    runner = null;
    const ctx = fitUncertaintyContext(setup.dataset, setup.model, setup.settings, setup.result);
    runner = new JobRunner(ctx);
    return { keys: ctx.keys, errordef: ctx.errordef, bestStatistic: ctx.bestStatistic };
  },
  async run(job, cancel, onPoint) {
    if (!runner) throw new Error('uncertainty worker: not set up');
    const shouldStop = () => cancel !== null && Atomics.load(cancel, 0) === 1;
    return runner.run(job, shouldStop, onPoint ? (p) => void onPoint(p) : undefined);
  },
};

Comlink.expose(api);
