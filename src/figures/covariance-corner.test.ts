import { describe, expect, it } from 'vitest';
import type { FitResult } from '../core/fit/result';
import { covarianceCornerFigure } from './covariance-corner';

const result = {
  parameterOrder: ['a', 'b', 'c'],
  values: { a: 1, b: 10, c: -2 },
  start: { a: 1.5, b: 9, c: -2 },
  covariance: [
    [0.04, 0.03, 0],
    [0.03, 0.09, 0],
    [0, 0, 1],
  ],
} as unknown as FitResult;

describe('covariance corner', () => {
  it('draws each pair at the 2D coverages: every ellipse point has Mahalanobis² = Δχ² (2.30, 6.18)', () => {
    const f = covarianceCornerFigure(result, ['a', 'b'], { width: 400, height: 380 })!;
    const ellipses = f.data.filter((t) => String((t as { meta?: string }).meta ?? '').startsWith('ellipse')) as { x: number[]; y: number[]; meta: string }[];
    expect(ellipses).toHaveLength(2);
    const det = 0.04 * 0.09 - 0.03 * 0.03;
    for (const e of ellipses) {
      const want = e.meta === 'ellipse 1' ? 2.295748928898636 : 6.180074306244173;
      for (let k = 0; k < e.x.length; k++) {
        const u = e.x[k] - 1;
        const v = e.y[k] - 10;
        const m2 = (0.09 * u * u - 2 * 0.03 * u * v + 0.04 * v * v) / det;
        expect(m2).toBeCloseTo(want, 6);
      }
    }
    // the best fit and the start are marked; the diagonal is the N(best, sd) density
    const names = f.data.map((t) => (t as { name?: string }).name);
    expect(names).toContain('best fit');
    expect(names).toContain('start');
    const marg = f.data.find((t) => (t as { name?: string }).name === 'Gaussian marginal') as { x: number[]; y: number[] };
    const peak = Math.max(...marg.y);
    expect(peak).toBeCloseTo(1 / (0.2 * Math.sqrt(2 * Math.PI)), 2);
  });
  it('no covariance: no figure; unknown keys are left out', () => {
    expect(covarianceCornerFigure({ ...result, covariance: null }, ['a'], { width: 300, height: 300 })).toBeNull();
    const f = covarianceCornerFigure(result, ['a', 'nope', 'c'], { width: 300, height: 300 })!;
    expect(f.data.filter((t) => (t as { name?: string }).name === 'Gaussian marginal')).toHaveLength(2);
  });
});
