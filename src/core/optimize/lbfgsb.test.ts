import { describe, expect, it } from 'vitest';
import { lbfgsb } from './lbfgsb';
import type { ScalarProblem } from './problem';
import { sumOfSquaresProblem } from './sum-of-squares';
import { kowalikOsborne, linearLS, rosenbrockScalar } from './test-problems';

const XS = Array.from({ length: 11 }, (_, i) => i * 0.2);
const YS = [2.1, 2.53, 3.14, 3.7, 3.97, 4.53, 4.86, 5.28, 5.45, 5.79, 6.04];

describe('lbfgsb', () => {
  it('minimises Rosenbrock (2, 10 dimensions) with analytic and numerical gradients', () => {
    for (const n of [2, 10]) {
      const x0 = Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1.2));
      for (const noGradient of [false, true]) {
        const r = lbfgsb(rosenbrockScalar(n, -Infinity, Infinity, noGradient), x0);
        expect(r.converged).toBe(true);
        for (let k = 0; k < n; k++) expect(r.theta[k]).toBeCloseTo(1, noGradient ? 5 : 6);
      }
    }
  });

  it('solves a linear least-squares problem', () => {
    const r = lbfgsb(sumOfSquaresProblem(linearLS(XS, YS, [() => 1, (x) => x, (x) => x * x])), [0, 0, 0]);
    // numpy.linalg.lstsq on the same data
    expect(r.theta[0]).toBeCloseTo(2.054825174825173, 7);
    expect(r.theta[1]).toBeCloseTo(2.874219114219116, 7);
    expect(r.theta[2]).toBeCloseTo(-0.4434731934731943, 7);
    expect(r.statistic).toBeCloseTo(0.037064428904428466, 12);
  });

  it('matches scipy L-BFGS-B on bounded chained Rosenbrock (x_i <= 0.5)', () => {
    // scipy.optimize.minimize(method='L-BFGS-B', bounds=[(None, 0.5)] * 5, ftol=1e-15, gtol=1e-12)
    const ref = [0.5, 0.26303738, 0.0799623276, 0.0162316573, 0.000263467];
    for (const x0 of [
      [-1.2, 0.5, -1.2, 0.5, -1.2],
      [0, 0, 0, 0, 0],
    ]) {
      const r = lbfgsb(rosenbrockScalar(5, -Infinity, 0.5), x0);
      expect(r.converged).toBe(true);
      expect(r.statistic).toBeCloseTo(2.645665887626858, 9);
      expect(r.theta[0]).toBe(0.5);
      for (let k = 1; k < 5; k++) expect(Math.abs(r.theta[k] - ref[k])).toBeLessThan(2e-6);
    }
  });

  it('lands exactly on the bound of a linear fit and keeps the other parameter optimal', () => {
    const lin = linearLS(XS, YS, [() => 1, (x) => x]);
    lin.upper[1] = 1.5;
    const r = lbfgsb(sumOfSquaresProblem(lin), [0, 0]);
    expect(r.theta[1]).toBe(1.5);
    let a = 0;
    for (let i = 0; i < XS.length; i++) a += YS[i] - 1.5 * XS[i];
    expect(r.theta[0]).toBeCloseTo(a / XS.length, 9);
  });

  it('reaches the Kowalik-Osborne minimum', () => {
    const r = lbfgsb(sumOfSquaresProblem(kowalikOsborne()), [0.25, 0.39, 0.415, 0.39]);
    // MGH minimum, from scipy.optimize.leastsq
    expect(Math.abs(r.statistic - 0.00030750560384923734) / 0.0003075).toBeLessThan(1e-7);
  });

  it('backs off from +Infinity (a Poisson-like objective undefined for theta <= 0)', () => {
    // f = theta - 5 ln(theta) (minimum at 5), +Infinity for theta <= 0
    const p: ScalarProblem = {
      n: 1,
      value: (t) => (t[0] > 0 ? t[0] - 5 * Math.log(t[0]) : Infinity),
      valueAndGradient: (t, g) => {
        g[0] = t[0] > 0 ? 1 - 5 / t[0] : 0;
        return t[0] > 0 ? t[0] - 5 * Math.log(t[0]) : Infinity;
      },
      lower: new Float64Array([-Infinity]),
      upper: new Float64Array([Infinity]),
    };
    const r = lbfgsb(p, [40]);
    expect(r.theta[0]).toBeCloseTo(5, 6);
  });

  it('honours cancellation', () => {
    let polls = 0;
    const r = lbfgsb(rosenbrockScalar(2), [-1.2, 1], { shouldStop: () => ++polls > 3 });
    expect(r.cancelled).toBe(true);
    expect(r.statistic).toBeLessThan(24.2);
  });
});
