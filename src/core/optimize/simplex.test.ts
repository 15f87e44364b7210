import { describe, expect, it } from 'vitest';
import { nelderMead } from './simplex';
import { sumOfSquaresProblem } from './sum-of-squares';
import { bard, linearLS, rosenbrockScalar } from './test-problems';

const XS = Array.from({ length: 11 }, (_, i) => i * 0.2);
const YS = [2.1, 2.53, 3.14, 3.7, 3.97, 4.53, 4.86, 5.28, 5.45, 5.79, 6.04];

describe('nelderMead', () => {
  it('minimises Rosenbrock in 2 and 4 dimensions (adaptive coefficients for n > 2)', () => {
    const r2 = nelderMead(rosenbrockScalar(2), [-1.2, 1]);
    expect(r2.converged).toBe(true);
    expect(r2.theta[0]).toBeCloseTo(1, 6);
    expect(r2.theta[1]).toBeCloseTo(1, 6);
    const r4 = nelderMead(rosenbrockScalar(4), [-1.2, 1, -1.2, 1]);
    expect(r4.converged).toBe(true);
    for (let k = 0; k < 4; k++) expect(r4.theta[k]).toBeCloseTo(1, 5);
    expect(r4.statistic).toBeLessThan(1e-12);
  });

  it('solves least squares through the sum of squares (linear fit, Bard)', () => {
    const lin = nelderMead(sumOfSquaresProblem(linearLS(XS, YS, [() => 1, (x) => x, (x) => x * x])), [0, 0, 0]);
    // numpy.linalg.lstsq on the same data
    expect(lin.theta[0]).toBeCloseTo(2.054825174825173, 6);
    expect(lin.theta[1]).toBeCloseTo(2.874219114219116, 6);
    expect(lin.theta[2]).toBeCloseTo(-0.4434731934731943, 6);
    const b = nelderMead(sumOfSquaresProblem(bard()), [1, 1, 1]);
    // MGH minimum, from scipy.optimize.leastsq
    expect(b.statistic).toBeCloseTo(0.008214877306578976, 11);
  });

  it('lands exactly on a bound that holds the minimum', () => {
    const r = nelderMead(rosenbrockScalar(2, -Infinity, 0.5), [-1.2, 0.5]);
    expect(r.theta[0]).toBe(0.5);
    expect(r.theta[1]).toBeCloseTo(0.25, 6);
    expect(r.statistic).toBeCloseTo(0.25, 10);
    const lin = linearLS(XS, YS, [() => 1, (x) => x]);
    lin.upper[1] = 1.5;
    const q = nelderMead(sumOfSquaresProblem(lin), [0, 0]);
    expect(q.theta[1]).toBe(1.5);
    let a = 0;
    for (let i = 0; i < XS.length; i++) a += YS[i] - 1.5 * XS[i];
    expect(q.theta[0]).toBeCloseTo(a / XS.length, 7);
  });

  it('treats NaN as +Infinity and stays away from it', () => {
    const p = {
      n: 1,
      value: (t: Float64Array) => (Math.sqrt(t[0]) - 2) ** 2,
      lower: new Float64Array([-Infinity]),
      upper: new Float64Array([Infinity]),
    };
    const r = nelderMead(p, [0.5], { initialStep: [1] });
    expect(r.theta[0]).toBeCloseTo(4, 6);
  });

  it('honours cancellation and the evaluation limit', () => {
    let polls = 0;
    const c = nelderMead(rosenbrockScalar(2), [-1.2, 1], { shouldStop: () => ++polls > 5 });
    expect(c.cancelled).toBe(true);
    expect(c.statistic).toBeLessThanOrEqual(24.2);
    const l = nelderMead(rosenbrockScalar(2), [-1.2, 1], { maxFunctionEvaluations: 30 });
    expect(l.converged).toBe(false);
    expect(l.message).toMatch(/evaluations/);
    expect(l.nfev).toBeLessThanOrEqual(33);
  });
});
