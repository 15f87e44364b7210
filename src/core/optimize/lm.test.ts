import { describe, expect, it } from 'vitest';
import { levenbergMarquardt } from './lm';
import type { LeastSquaresProblem } from './problem';
import { bard, kowalikOsborne, linearLS, meyer, rosenbrockLS } from './test-problems';

// data of the linear test: y = 2 + 3x - 0.5x^2 + fixed noise, x = 0, 0.2, ..., 2
const XS = Array.from({ length: 11 }, (_, i) => i * 0.2);
const YS = [2.1, 2.53, 3.14, 3.7, 3.97, 4.53, 4.86, 5.28, 5.45, 5.79, 6.04];

describe('levenbergMarquardt', () => {
  it('solves Rosenbrock from (-1.2, 1)', () => {
    const res = levenbergMarquardt(rosenbrockLS(), [-1.2, 1]);
    expect(res.converged).toBe(true);
    expect(res.theta[0]).toBeCloseTo(1, 10);
    expect(res.theta[1]).toBeCloseTo(1, 10);
    expect(res.statistic).toBeLessThan(1e-20);
    expect(res.njev).toBeLessThan(30);
  });

  it('solves a linear least-squares problem exactly', () => {
    const p = linearLS(XS, YS, [() => 1, (x) => x, (x) => x * x]);
    const res = levenbergMarquardt(p, [0, 0, 0]);
    // numpy.linalg.lstsq on the same data
    expect(res.theta[0]).toBeCloseTo(2.054825174825173, 11);
    expect(res.theta[1]).toBeCloseTo(2.874219114219116, 11);
    expect(res.theta[2]).toBeCloseTo(-0.4434731934731943, 11);
    expect(res.statistic).toBeCloseTo(0.037064428904428466, 14);
    expect(res.converged).toBe(true);
  });

  it.each([
    // reference minima from scipy.optimize.leastsq (MINPACK lmder) with ftol = xtol = 1e-15
    ['Bard', bard, [1, 1, 1], 0.008214877306578976, [0.08241056020659338, 1.1330361084331029, 2.34369516286034]],
    ['Kowalik-Osborne', kowalikOsborne, [0.25, 0.39, 0.415, 0.39], 0.00030750560384923734, [0.192806934440184, 0.19128233750875484, 0.12305651041040479, 0.13606233438667734]],
    ['Meyer', meyer, [0.02, 4000, 250], 87.94585517056925, [5.6096362824608753e-3, 6181.346374303931, 345.22363556704346]],
  ] as const)('reaches the MGH minimum of %s', (_name, make, x0, fmin, xmin) => {
    for (const geodesic of [false, true]) {
      const res = levenbergMarquardt(make(), x0, { geodesic, maxFunctionEvaluations: 5000 });
      expect(res.converged).toBe(true);
      expect(Math.abs(res.statistic - fmin) / fmin).toBeLessThan(1e-9);
      xmin.forEach((v, k) => expect(Math.abs(res.theta[k] - v) / Math.abs(v)).toBeLessThan(1e-5));
    }
  });

  it('stops exactly on an upper bound that holds the constrained minimum (linear fit)', () => {
    const p = linearLS(XS, YS, [() => 1, (x) => x]);
    p.upper[1] = 1.5; // unconstrained slope is about 2
    const res = levenbergMarquardt(p, [0, 0]);
    expect(res.theta[1]).toBe(1.5);
    // with the slope fixed at 1.5 the intercept is mean(y - 1.5 x)
    let a = 0;
    for (let i = 0; i < XS.length; i++) a += YS[i] - 1.5 * XS[i];
    a /= XS.length;
    expect(res.theta[0]).toBeCloseTo(a, 12);
    expect(Array.from(res.atBound)).toEqual([0, 1]);
    expect(res.converged).toBe(true);
  });

  it('stops exactly on a bound of Rosenbrock (x1 <= 0.5 gives (0.5, 0.25))', () => {
    for (const geodesic of [false, true]) {
      const res = levenbergMarquardt(rosenbrockLS(undefined, [0.5, Infinity]), [-1.2, 1], { geodesic });
      expect(res.theta[0]).toBe(0.5);
      expect(res.theta[1]).toBeCloseTo(0.25, 10);
      expect(res.statistic).toBeCloseTo(0.25, 12);
      expect(Array.from(res.atBound)).toEqual([1, 0]);
      expect(res.converged).toBe(true);
    }
  });

  it('keeps a start outside the box inside it and ignores inactive bounds', () => {
    const res = levenbergMarquardt(rosenbrockLS([-2, -2], [2, 2]), [-3, 5]);
    expect(res.theta[0]).toBeCloseTo(1, 9);
    expect(res.theta[1]).toBeCloseTo(1, 9);
    expect(Array.from(res.atBound)).toEqual([0, 0]);
  });

  it('reports the evaluation limit honestly', () => {
    const res = levenbergMarquardt(meyer(), [0.02, 4000, 250], { maxFunctionEvaluations: 20 });
    expect(res.converged).toBe(false);
    expect(res.info).toBe(5);
    expect(res.message).toMatch(/function evaluations/);
    expect(res.nfev).toBeLessThanOrEqual(21);
  });

  it('reports progress at most once per iteration and stops when asked', () => {
    const seen: number[] = [];
    let polls = 0;
    const res = levenbergMarquardt(meyer(), [0.02, 4000, 250], {
      onProgress: (p) => seen.push(p.iteration),
      shouldStop: () => ++polls > 6,
    });
    expect(res.cancelled).toBe(true);
    expect(res.converged).toBe(false);
    expect(res.message).toBe('cancelled');
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
    // the returned point is the best one reached: below the starting sum of squares
    const r = new Float64Array(16);
    meyer().residuals(new Float64Array([0.02, 4000, 250]), r);
    let s0 = 0;
    for (const v of r) s0 += v * v;
    expect(res.statistic).toBeLessThan(s0);
  });

  it('rejects steps into a region where the residuals are NaN', () => {
    // r = sqrt(t) - 2: undefined for t < 0; minimum at t = 4
    const p: LeastSquaresProblem = {
      m: 1,
      n: 1,
      residuals: (t, r) => void (r[0] = Math.sqrt(t[0]) - 2),
      jacobian: (t, j) => void (j[0] = 0.5 / Math.sqrt(t[0])),
      lower: new Float64Array([-Infinity]),
      upper: new Float64Array([Infinity]),
    };
    const res = levenbergMarquardt(p, [9]);
    expect(res.theta[0]).toBeCloseTo(4, 12);
    const bad = levenbergMarquardt(p, [-1]);
    expect(bad.converged).toBe(false);
    expect(bad.message).toMatch(/not finite/);
  });

  it('handles fewer residuals than parameters', () => {
    const p: LeastSquaresProblem = {
      m: 1,
      n: 2,
      residuals: (t, r) => void (r[0] = t[0] + 2 * t[1] - 3),
      jacobian: (_t, j) => {
        j[0] = 1;
        j[1] = 2;
      },
      lower: new Float64Array(2).fill(-Infinity),
      upper: new Float64Array(2).fill(Infinity),
    };
    const res = levenbergMarquardt(p, [0, 0]);
    expect(res.statistic).toBeLessThan(1e-24);
    expect(res.theta[0] + 2 * res.theta[1]).toBeCloseTo(3, 12);
  });
});
