import { describe, expect, it } from 'vitest';
import { statisticSurface, surfaceRow } from './surface';
import { LINE_DATA, linearChi2Objective } from './test-objectives';
import { invertSmall } from './warm-start';

const { x, y, sigma } = LINE_DATA;

describe('statisticSurface', () => {
  const obj = linearChi2Objective([x.map((v) => v * v), x, x.map(() => 1)], y, sigma, ['a', 'b', 'c']);
  const best = obj.best;
  const ea = Math.sqrt(obj.covariance[0][0]);
  const ec = Math.sqrt(obj.covariance[2][2]);
  const xs = Array.from({ length: 7 }, (_, c) => best[0] + (c - 3) * ea);
  const ys = Array.from({ length: 5 }, (_, r) => best[2] + (r - 2.3) * ec);

  it('re-optimised: Delta is the quadratic form of the inverse 2 x 2 covariance block', () => {
    const inv = invertSmall(Float64Array.of(obj.covariance[0][0], obj.covariance[0][2], obj.covariance[2][0], obj.covariance[2][2]), 2)!;
    const res = statisticSurface(obj, best, 0, 2, xs, ys, { covariance: obj.covariance, keepThetas: true });
    expect(res.delta.length).toBe(35);
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 7; c++) {
        const dx = xs[c] - best[0];
        const dy = ys[r] - best[2];
        const want = inv[0] * dx * dx + 2 * inv[1] * dx * dy + inv[3] * dy * dy;
        expect(Math.abs(res.delta[r * 7 + c] - want)).toBeLessThan(1e-8);
        expect(res.ts[r * 7 + c]).toBe(res.delta[r * 7 + c]);
        expect(res.sqrtTS[r * 7 + c]).toBeCloseTo(Math.sqrt(want), 7);
      }
    }
    // a row computed alone (worker job) equals the run's row
    const row = surfaceRow(obj, best, obj.value(best), 0, 2, xs, ys[4]);
    for (let c = 0; c < 7; c++) expect(row.delta[c]).toBeCloseTo(res.delta[28 + c], 10);
    expect(res.thetas![3 * 7 + 1]![0]).toBe(xs[1]);
  });

  it('frozen: the cut is the quadratic form of X^T W X', () => {
    let aa = 0;
    let ac = 0;
    let cc = 0;
    for (let i = 0; i < x.length; i++) {
      const w = 1 / sigma[i] ** 2;
      aa += w * x[i] ** 4;
      ac += w * x[i] ** 2;
      cc += w;
    }
    const res = statisticSurface(obj, best, 0, 2, xs, ys, { reoptimize: false });
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 7; c++) {
        const dx = xs[c] - best[0];
        const dy = ys[r] - best[2];
        expect(res.delta[r * 7 + c]).toBeCloseTo(aa * dx * dx + 2 * ac * dx * dy + cc * dy * dy, 7);
      }
    }
  });

  it('TS is Delta / errordef for -ln L statistics', () => {
    const half = { ...obj, errordef: 0.5, value: (t: Float64Array) => 0.5 * obj.value(t), minimize: (s: Float64Array, h: Uint8Array) => {
      const o = obj.minimize(s, h);
      return { ...o, statistic: 0.5 * o.statistic };
    } };
    const res = statisticSurface(half, best, 0, 2, xs.slice(0, 2), ys.slice(0, 2));
    const full = statisticSurface(obj, best, 0, 2, xs.slice(0, 2), ys.slice(0, 2));
    for (let q = 0; q < 4; q++) {
      expect(res.delta[q]).toBeCloseTo(0.5 * full.delta[q], 10);
      expect(res.ts[q]).toBeCloseTo(full.delta[q], 10);
    }
  });
});
