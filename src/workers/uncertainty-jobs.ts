/**
 * The single jobs of the uncertainty workers (pure: no messaging), so tests can run them
 * in-process: one MINOS side, one profile chain, one contour ray, one surface row, all around
 * the fit held in a FitUncertaintyContext.
 */
import { contourRay } from '../core/uncertainty/contour';
import type { FitUncertaintyContext } from '../core/uncertainty/from-fit';
import { minosSide } from '../core/uncertainty/minos';
import { profileLikelihood } from '../core/uncertainty/profile';
import { surfaceRow } from '../core/uncertainty/surface';
import { regressionSlopes } from '../core/uncertainty/warm-start';
import type { ProfilePointOutcome, UncertaintyJob, UncertaintyOutcome } from './uncertainty-protocol';

export class JobRunner {
  /** regression slopes per held set */
  private slopeCache = new Map<string, Float64Array | null>();

  constructor(readonly ctx: FitUncertaintyContext) {}

  private slopes(held: number[]): Float64Array | null {
    const { ctx } = this;
    if (!ctx.covariance) return null;
    const key = held.join(',');
    if (!this.slopeCache.has(key)) this.slopeCache.set(key, regressionSlopes(ctx.covariance, ctx.obj.n, held));
    return this.slopeCache.get(key) ?? null;
  }

  run(job: UncertaintyJob, shouldStop: () => boolean, onPoint?: (p: ProfilePointOutcome) => void): UncertaintyOutcome {
    const ctx = this.ctx;
    const { obj, best, bestStatistic } = ctx;
    const finiteOrNaN = (v: number) => (Number.isFinite(v) ? v : NaN);
    switch (job.kind) {
      case 'minos': {
        let err = ctx.errors[job.k];
        if (err === null && ctx.covariance) {
          const v = ctx.covariance[job.k * obj.n + job.k];
          if (v > 0) err = Math.sqrt(v);
        }
        const s = minosSide(obj, best, bestStatistic, job.k, job.side, err, { covariance: ctx.covariance, sigma: job.sigma ?? 1, shouldStop });
        return {
          kind: 'minos',
          offset: s.offset,
          valid: s.valid && !s.newMinimum,
          status: s.status,
          reason: s.newMinimum ? [s.reason, 'a lower minimum was found during the search: refit from it'].filter(Boolean).join('; ') : s.reason,
          delta: s.delta,
          nfev: s.nfev,
          newMinimumStatistic: s.newMinimum ? s.newMinimum.statistic : null,
        };
      }
      case 'profile-chain': {
        const points: ProfilePointOutcome[] = [];
        // the values of one chain lie on one side of the best fit, so the core walks them in the given order
        const res = profileLikelihood(obj, best, job.k, {
          values: job.values,
          covariance: ctx.covariance,
          reoptimize: job.reoptimize,
          bestStatistic,
          shouldStop,
          onPoint: (q, p) => {
            const out = { index: job.indices[q], value: p.value, delta: finiteOrNaN(p.statistic - bestStatistic), converged: p.converged };
            points.push(out);
            onPoint?.(out);
          },
        });
        return { kind: 'profile-chain', points, cancelled: res.cancelled, nfev: res.nfev };
      }
      case 'contour-ray': {
        const p = contourRay(obj, best, bestStatistic, job.i, job.j, job.direction, job.level, {
          t0: job.t0,
          seed: job.seed ?? null,
          slopes: this.slopes([job.i, job.j]),
          shouldStop,
        });
        return {
          kind: 'contour-ray',
          x: p.x,
          y: p.y,
          t: p.t,
          delta: p.delta,
          valid: p.valid,
          status: p.status,
          reason: p.reason,
          theta: p.theta ? Array.from(p.theta) : null,
          nfev: p.nfev,
        };
      }
      case 'surface-row': {
        const row = surfaceRow(obj, best, bestStatistic, job.i, job.j, job.xValues, job.yValue, {
          start: job.start,
          reoptimize: job.reoptimize,
          slopes: this.slopes([job.i, job.j]),
          keepThetas: true,
          shouldStop,
        });
        const a = row.thetas[row.anchor];
        return {
          kind: 'surface-row',
          delta: Array.from(row.delta),
          converged: Array.from(row.converged),
          anchorTheta: a && Number.isFinite(row.statistic[row.anchor]) ? Array.from(a) : null,
          cancelled: row.cancelled,
          nfev: row.nfev,
        };
      }
    }
  }
}
