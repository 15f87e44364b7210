/**
 * The pool's schedulers driven by an in-process stand-in for the workers (W workers, two jobs
 * queued per worker, completed oldest first, as the real pool does), with the same per-job code
 * the workers run (uncertainty-jobs.ts). Results must match the core's sequential functions.
 */
import { describe, expect, it } from 'vitest';
import { makeDemoSpectrum } from '../core/data/demo';
import { fitModel } from '../core/fit/fit-model';
import { defaultFitSettings } from '../core/fit/settings';
import type { ModelDoc } from '../core/model/document';
import * as edit from '../core/model/edit';
import { confidenceContour, contourDirections, covarianceBlock } from '../core/uncertainty/contour';
import { fitUncertaintyContext } from '../core/uncertainty/from-fit';
import { minosErrors } from '../core/uncertainty/minos';
import { defaultProfileValues, profileLikelihood } from '../core/uncertainty/profile';
import { statisticSurface } from '../core/uncertainty/surface';
import { JobRunner } from './uncertainty-jobs';
import { contourScheduler, minosScheduler, profileScheduler, surfaceScheduler, type Scheduler } from './uncertainty-pool';
import type { ContourRayOutcome, MinosSideOutcome, SurfaceRowOutcome, UncertaintyJob } from './uncertainty-protocol';

function demo() {
  let model: ModelDoc = { components: [] };
  model = edit.addComponent(model, edit.newComponent(model, 'Gaussian', undefined, { A: 250, sigma: 4, centre: 33 }));
  model = edit.addComponent(model, edit.newComponent(model, 'Gaussian', undefined, { A: 150, sigma: 4, centre: 60 }));
  model = edit.addComponent(model, edit.newComponent(model, 'Polynomial', { order: 1 }, { a0: 4, a1: 0 }));
  const dataset = makeDemoSpectrum(1);
  const settings = defaultFitSettings();
  const result = fitModel(dataset, model, settings);
  return fitUncertaintyContext(dataset, model, settings, result);
}

const ctx = demo();
const runner = new JobRunner(ctx);

/** runs a scheduler on `workers` simulated workers; returns the jobs in dispatch order */
function simulate(s: Scheduler, workers: number): UncertaintyJob[] {
  const queues: UncertaintyJob[][] = Array.from({ length: workers }, () => []);
  const order: UncertaintyJob[] = [];
  const fill = () => {
    for (let depth = 1; depth <= 2; depth++)
      for (const q of queues) {
        if (q.length >= depth) continue;
        const job = s.take();
        if (!job) return;
        q.push(job);
        order.push(job);
      }
  };
  fill();
  for (let w = 0; queues.some((q) => q.length > 0); w = (w + 1) % workers) {
    const job = queues[w].shift();
    if (!job) continue;
    s.complete(job, runner.run(job, () => false, (p) => s.point?.(job, p)));
    fill();
  }
  return order;
}

describe('uncertainty pool schedulers', () => {
  it('MINOS sides as separate jobs equal minosErrors', () => {
    const got: Record<string, MinosSideOutcome> = {};
    const s = minosScheduler(ctx.keys.map((_, k) => k), 1, { side: (k, side, o) => (got[`${k}${side}`] = o), progress: () => {} });
    simulate(s, 3);
    const ref = minosErrors(ctx.obj, ctx.best, ctx.bestStatistic, ctx.errors, { covariance: ctx.covariance });
    for (const m of ref) {
      expect(got[`${m.index}lower`].offset).toBeCloseTo(m.lower, 10);
      expect(got[`${m.index}upper`].offset).toBeCloseTo(m.upper, 10);
      expect(got[`${m.index}upper`].valid).toBe(true);
      // close to the symmetric error for this nearly linear problem
      expect(Math.abs(m.upper / ctx.errors[m.index]! - 1)).toBeLessThan(0.05);
    }
  });

  it('profile: two chains outward from the best fit, the same numbers as profileLikelihood', () => {
    const k = 2;
    const values = Array.from(defaultProfileValues(ctx.best[k], ctx.errors[k], { points: 15 }));
    const delta: number[] = new Array(15).fill(NaN);
    const s = profileScheduler(k, values, ctx.best[k], true, { point: (p) => (delta[p.index] = p.delta), progress: () => {} });
    const jobs = simulate(s, 2);
    expect(jobs.length).toBe(2);
    const chains = jobs.map((j) => (j.kind === 'profile-chain' ? j.values : []));
    expect(chains[0][0]).toBeGreaterThanOrEqual(ctx.best[k]);
    expect(chains[0]).toEqual([...chains[0]].sort((a, b) => a - b));
    expect(chains[1]).toEqual([...chains[1]].sort((a, b) => b - a));
    const ref = profileLikelihood(ctx.obj, ctx.best, k, { values, covariance: ctx.covariance, bestStatistic: ctx.bestStatistic });
    for (let i = 0; i < 15; i++) expect(delta[i]).toBeCloseTo(ref.delta[i], 6);
  });

  it('contour: rays spread, then neighbours; the curve equals confidenceContour', () => {
    const P = 24;
    const cov2 = covarianceBlock(ctx.covariance!, ctx.obj.n, 0, 1);
    const dirs = contourDirections(cov2, P);
    const level = 2.3;
    const pts: ContourRayOutcome[] = [];
    const s = contourScheduler(0, 1, [level], dirs, { ray: (_L, m, o) => (pts[m] = o), progress: () => {} });
    const jobs = simulate(s, 3);
    expect(jobs.length).toBe(P);
    // the first three rays are spread round the curve
    const first = jobs.slice(0, 3).map((j) => (j.kind === 'contour-ray' ? j.m! : -1));
    expect(first[0]).toBe(0);
    expect(Math.min(...first.slice(1).map((m) => Math.min(m, P - m)))).toBeGreaterThanOrEqual(P / 4);
    // every ray handed out after the first completion starts from a solved ray
    const seeded = jobs.filter((j) => j.kind === 'contour-ray' && j.seed).length;
    expect(seeded).toBe(P - 6);
    const ref = confidenceContour(ctx.obj, ctx.best, 0, 1, level, { points: P, covariance: ctx.covariance, bestStatistic: ctx.bestStatistic });
    for (let m = 0; m < P; m++) {
      expect(pts[m].valid).toBe(true);
      expect(Math.abs(pts[m].x - ref.x[m]) / ctx.errors[0]!).toBeLessThan(1e-3);
      expect(Math.abs(pts[m].y - ref.y[m]) / ctx.errors[1]!).toBeLessThan(1e-3);
      expect(pts[m].delta).toBeCloseTo(level, 2);
    }
  });

  it('surface: rows outward from the best fit, each from the nearest solved row; equals statisticSurface', () => {
    const xs = Array.from(defaultProfileValues(ctx.best[0], ctx.errors[0], { points: 7 }));
    const ys = Array.from(defaultProfileValues(ctx.best[1], ctx.errors[1], { points: 9 }));
    const rows: SurfaceRowOutcome[] = [];
    const s = surfaceScheduler(0, 1, xs, ys, ctx.best[1], true, { row: (r, o) => (rows[r] = o), progress: () => {} });
    const jobs = simulate(s, 2);
    const order = jobs.map((j) => (j.kind === 'surface-row' ? j.r! : -1));
    expect(order).toEqual([4, 5, 3, 6, 2, 7, 1, 8, 0]);
    // the first jobs start from the best fit, later ones from a solved row
    expect(jobs.slice(0, 4).every((j) => j.kind === 'surface-row' && j.start === null)).toBe(true);
    expect(jobs.slice(4).every((j) => j.kind === 'surface-row' && j.start !== null)).toBe(true);
    const ref = statisticSurface(ctx.obj, ctx.best, 0, 1, xs, ys, { reoptimize: true, covariance: ctx.covariance, bestStatistic: ctx.bestStatistic });
    for (let r = 0; r < 9; r++) for (let c = 0; c < 7; c++) expect(rows[r].delta[c]).toBeCloseTo(ref.delta[r * 7 + c], 5);
  });
});
