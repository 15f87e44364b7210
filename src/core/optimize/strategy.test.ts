import { describe, expect, it } from 'vitest';
import { levenbergMarquardt } from './lm';
import type { LeastSquaresProblem } from './problem';
import { fitLeastSquaresRobust, minimizeScalar } from './strategy';
import { meyer, rosenbrockLS, rosenbrockScalar } from './test-problems';

/** NIST BoxBOD: y = b1 (1 - exp(-b2 x)); certified b = (213.80940889, 0.54723748542), RSS 1168.0088766 */
function boxBod(): LeastSquaresProblem {
  const y = [109, 149, 149, 191, 213, 224];
  const x = [1, 2, 3, 5, 7, 10];
  return {
    m: 6,
    n: 2,
    residuals(t, r) {
      for (let i = 0; i < 6; i++) r[i] = y[i] - t[0] * (1 - Math.exp(-t[1] * x[i]));
    },
    jacobian(t, j) {
      for (let i = 0; i < 6; i++) {
        const e = Math.exp(-t[1] * x[i]);
        j[i * 2] = -(1 - e);
        j[i * 2 + 1] = -t[0] * x[i] * e;
      }
    },
    lower: new Float64Array(2).fill(-Infinity),
    upper: new Float64Array(2).fill(Infinity),
  };
}

describe('fitLeastSquaresRobust', () => {
  it('runs LM once on an easy problem', () => {
    const res = fitLeastSquaresRobust(rosenbrockLS(), [-1.2, 1]);
    expect(res.stages).toEqual(['lm']);
    expect(res.converged).toBe(true);
    expect(res.theta[0]).toBeCloseTo(1, 10);
  });

  it('rescues a run whose rate parameter evaporated (BoxBOD from (1, 3))', () => {
    // plain LM jumps to b2 ~ 130 where exp(-b2 x) underflows, and MINPACK's own tests are satisfied there
    const plain = levenbergMarquardt(boxBod(), [1, 3]);
    expect(plain.theta[1]).toBeGreaterThan(50);
    expect(plain.converged).toBe(true);
    expect(plain.statistic).toBeCloseTo(9771.5, 6);
    const res = fitLeastSquaresRobust(boxBod(), [1, 3]);
    expect(res.stages).toEqual(['lm', 'lm-small-step']);
    expect(res.retryReason).toMatch(/no longer influence/);
    expect(res.converged).toBe(true);
    expect(res.theta[0]).toBeCloseTo(213.80940889, 5);
    expect(res.theta[1]).toBeCloseTo(0.54723748542, 8);
    expect(res.statistic).toBeCloseTo(1168.0088766, 5);
  });

  it('says so when no stage can recover (BoxBOD from (1, 10), already on the plateau)', () => {
    const res = fitLeastSquaresRobust(boxBod(), [1, 10]);
    expect(res.stages).toEqual(['lm', 'lm-small-step', 'lm-geodesic', 'simplex+lm', 'simplex+lm-from-best']);
    expect(res.message).toMatch(/warning: parameter\(s\) 1 no longer influence/);
    expect(res.statistic).toBeCloseTo(9771.5, 6);
  });

  it('restarts from the end point when the evaluation limit stopped LM', () => {
    const res = fitLeastSquaresRobust(meyer(), [0.02, 4000, 250], { maxFunctionEvaluations: 60 });
    expect(res.stages[0]).toBe('lm');
    expect(res.stages[1]).toBe('lm-restart');
    // MGH minimum 87.9458 (scipy.optimize.leastsq)
    expect(Math.abs(res.statistic - 87.94585517056925) / 87.9).toBeLessThan(1e-9);
  });

  it('passes cancellation through and returns the best point', () => {
    let polls = 0;
    const res = fitLeastSquaresRobust(meyer(), [0.02, 4000, 250], { shouldStop: () => ++polls > 4 });
    expect(res.cancelled).toBe(true);
    expect(res.stages).toEqual(['lm']);
  });
});

describe('minimizeScalar', () => {
  it.each(['lbfgsb', 'simplex', 'auto'] as const)('%s minimises Rosenbrock', (method) => {
    const res = minimizeScalar(rosenbrockScalar(3), [-1.2, 1, 1.2], { method });
    expect(res.theta[0]).toBeCloseTo(1, 5);
    expect(res.theta[2]).toBeCloseTo(1, 5);
    expect(res.converged).toBe(true);
  });
});
