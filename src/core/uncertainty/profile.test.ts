import { describe, expect, it } from 'vitest';
import { defaultProfileValues, parabola, profileChains, profileLikelihood, profilePoint } from './profile';
import { LINE_DATA, linearChi2Objective, poissonCountObjective } from './test-objectives';

const { x, y, sigma } = LINE_DATA;
const quad = () => linearChi2Objective([x.map((v) => v * v), x, x.map(() => 1)], y, sigma, ['a', 'b', 'c']);

describe('profileLikelihood', () => {
  it('equals the parabola for a linear model (others re-optimised)', () => {
    const obj = quad();
    const best = obj.best;
    for (let k = 0; k < 3; k++) {
      const err = Math.sqrt(obj.covariance[k][k]);
      const order: number[] = [];
      const res = profileLikelihood(obj, best, k, { covariance: obj.covariance, onPoint: (i) => order.push(i) });
      expect(res.values.length).toBe(21);
      expect(res.values[0]).toBeCloseTo(best[k] - 3 * err, 12);
      expect(res.values[20]).toBeCloseTo(best[k] + 3 * err, 12);
      const par = parabola(res.values, best[k], err, obj.errordef);
      for (let i = 0; i < 21; i++) expect(Math.abs(res.delta[i] - par[i])).toBeLessThan(1e-9);
      expect(par[0]).toBeCloseTo(9, 12);
      // outward from the best fit: 10, 11, ..., 20, then 9, 8, ..., 0
      expect(order).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(res.minDelta).toBeGreaterThan(-1e-9);
    }
  });

  it('gives the cut through the best fit with reoptimize = false', () => {
    const obj = quad();
    // cut: Delta = (v - best)^2 (X^T W X)_kk
    let akk = 0;
    for (let i = 0; i < x.length; i++) akk += (x[i] * x[i]) ** 2 / sigma[i] ** 2;
    const vals = [obj.best[0] - 0.05, obj.best[0] + 0.02, obj.best[0] + 0.1];
    const res = profileLikelihood(obj, obj.best, 0, { values: vals, reoptimize: false });
    for (let i = 0; i < 3; i++) expect(res.delta[i]).toBeCloseTo((vals[i] - obj.best[0]) ** 2 * akk, 9);
    // the cut is steeper than the profile
    const prof = profileLikelihood(obj, obj.best, 0, { values: vals });
    for (let i = 0; i < 3; i++) expect(prof.delta[i]).toBeLessThan(res.delta[i]);
  });

  it('single points and chains reproduce the whole run', () => {
    const obj = poissonCountObjective(7);
    const res = profileLikelihood(obj, [7], 0, { range: [4, 12], points: 9 });
    for (let i = 0; i < 9; i++) {
      const v = 4 + i;
      expect(res.delta[i]).toBeCloseTo(2 * (v - 7 + 7 * Math.log(7 / v)), 12);
      const p = profilePoint(obj, [7], 0, v);
      expect(p.statistic).toBe(res.statistic[i]);
    }
    expect(profileChains([1, 2, 3, 4], 2.5)).toEqual({ up: [2, 3], down: [1, 0] });
    const d = defaultProfileValues(1, 2, { points: 5, lower: 0 });
    expect(Array.from(d)).toEqual([0, 1.75, 3.5, 5.25, 7]);
  });
});
