import { describe, expect, it } from 'vitest';
import { minosErrors } from './minos';
import { LINE_DATA, linearChi2Objective, lineChi2Objective, poissonCountObjective, scalarObjective } from './test-objectives';

const { x: LX, y: LY, sigma: LS } = LINE_DATA;

/** C(mu) - C(n) - delta for one Poisson count, as in the objective, solved by bisection */
function poissonCrossing(n: number, delta: number, lo: number, hi: number): number {
  const g = (mu: number) => 2 * (mu - n + n * Math.log(n / mu)) - delta;
  let a = lo;
  let b = hi;
  const ga = g(a);
  for (let it = 0; it < 200; it++) {
    const c = 0.5 * (a + b);
    if (g(c) * ga > 0) a = c;
    else b = c;
  }
  return 0.5 * (a + b);
}

describe('minosErrors', () => {
  it('equals the covariance errors for a straight line', () => {
    const obj = lineChi2Objective(LX, LY, LS);
    const errs = [Math.sqrt(obj.covariance[0][0]), Math.sqrt(obj.covariance[1][1])];
    const res = minosErrors(obj, obj.best, obj.value(obj.best), errs, { covariance: obj.covariance });
    for (let k = 0; k < 2; k++) {
      expect(res[k].lowerValid && res[k].upperValid).toBe(true);
      expect(Math.abs(-res[k].lower / errs[k] - 1)).toBeLessThan(1e-6);
      expect(Math.abs(res[k].upper / errs[k] - 1)).toBeLessThan(1e-6);
    }
    // 2 sigma: twice the error; and a poor starting error still converges to it
    const two = minosErrors(obj, obj.best, obj.value(obj.best), [errs[0] * 3, errs[1] * 0.2], { sigma: 2 });
    for (let k = 0; k < 2; k++) {
      expect(Math.abs(-two[k].lower / (2 * errs[k]) - 1)).toBeLessThan(1e-6);
      expect(Math.abs(two[k].upper / (2 * errs[k]) - 1)).toBeLessThan(1e-6);
    }
  });

  it('profiles out the other parameters of a linear model (quadratic, 3 parameters)', () => {
    const obj = linearChi2Objective([LX.map((x) => x * x), LX, LX.map(() => 1)], LY, LS, ['a', 'b', 'c']);
    const errs = [0, 1, 2].map((k) => Math.sqrt(obj.covariance[k][k]));
    // start errors off by 30 %: the search must still land on the exact crossing
    const res = minosErrors(obj, obj.best, obj.value(obj.best), errs.map((e) => 1.3 * e));
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(-res[k].lower / errs[k] - 1)).toBeLessThan(1e-6);
      expect(Math.abs(res[k].upper / errs[k] - 1)).toBeLessThan(1e-6);
      // at the crossing the others sit at their conditional minimum: theta = best + C[:,k]/C[k][k] * d
      const th = res[k].upperSide.theta!;
      for (let j = 0; j < 3; j++) {
        const pred = obj.best[j] + (obj.covariance[j][k] / obj.covariance[k][k]) * res[k].upper;
        expect(Math.abs(th[j] - pred)).toBeLessThan(1e-8 * errs[j]);
      }
    }
  });

  it('matches the closed-form Poisson interval (n = 10, Cash, Delta = 1)', () => {
    const n = 10;
    const obj = poissonCountObjective(n);
    const lo = poissonCrossing(n, 1, 1, n);
    const hi = poissonCrossing(n, 1, n, 40);
    const res = minosErrors(obj, [n], obj.value(Float64Array.of(n)), [Math.sqrt(n)]);
    expect(res[0].lowerValid && res[0].upperValid).toBe(true);
    expect(Math.abs((n + res[0].lower) / lo - 1)).toBeLessThan(1e-6);
    expect(Math.abs((n + res[0].upper) / hi - 1)).toBeLessThan(1e-6);
    // asymmetric: the upper error is larger
    expect(res[0].upper).toBeGreaterThan(-res[0].lower);
    // 2 sigma (Delta = 4)
    const two = minosErrors(obj, [n], 0, [Math.sqrt(n)], { sigma: 2, tolerance: 1e-7 });
    expect(Math.abs((n + two[0].lower) / poissonCrossing(n, 4, 0.5, n) - 1)).toBeLessThan(1e-6);
    expect(Math.abs((n + two[0].upper) / poissonCrossing(n, 4, n, 60) - 1)).toBeLessThan(1e-6);
  });

  it('reports a bound and an unconstrained parameter', () => {
    // zero counts: C = 2 mu, best mu = 0 on its lower bound; the upper limit is mu = 0.5
    const obj = poissonCountObjective(0);
    const res = minosErrors(obj, [0], 0, [null]);
    expect(res[0].lowerValid).toBe(false);
    expect(res[0].lowerSide.status).toBe('at bound');
    expect(res[0].lower).toBe(0);
    expect(res[0].reasons.lower).toMatch(/at bound/);
    expect(res[0].upperValid).toBe(true);
    expect(Math.abs(res[0].upper - 0.5)).toBeLessThan(1e-6);

    // S = (a - 1)^2 / 0.04, b does not enter: b has no crossing
    const flat = scalarObjective({
      keys: ['a', 'b'],
      errordef: 1,
      value: (t) => (t[0] - 1) ** 2 / 0.04,
      valueAndGradient: (t, g) => {
        g[0] = (2 * (t[0] - 1)) / 0.04;
        g[1] = 0;
        return (t[0] - 1) ** 2 / 0.04;
      },
    });
    const r2 = minosErrors(flat, [1, 3], 0, [0.2, null]);
    expect(Math.abs(r2[0].upper - 0.2)).toBeLessThan(1e-6);
    expect(Math.abs(r2[0].lower + 0.2)).toBeLessThan(1e-6);
    expect(r2[1].upperSide.status).toBe('not found');
    expect(r2[1].lowerSide.status).toBe('not found');
    expect(r2[1].upperValid || r2[1].lowerValid).toBe(false);
  });

  it('flags a better minimum than the given best fit', () => {
    const obj = lineChi2Objective(LX, LY, LS);
    const off = Float64Array.from(obj.best);
    const e0 = Math.sqrt(obj.covariance[0][0]);
    off[0] += 1.5 * e0; // not the minimum
    const res = minosErrors(obj, off, obj.value(obj.minimize(off, Uint8Array.of(1, 0)).theta), [e0, 1], { params: [0] });
    expect(res[0].newMinimum).not.toBeNull();
    expect(res[0].lowerValid).toBe(false);
    expect(res[0].newMinimum!.statistic).toBeLessThan(obj.value(off));
  });

  it('can be cancelled and reports progress', () => {
    const obj = lineChi2Objective(LX, LY, LS);
    let calls = 0;
    const res = minosErrors(obj, obj.best, obj.value(obj.best), [0.1, 0.1], {
      onProgress: () => calls++,
      shouldStop: () => calls >= 1,
    });
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(res[0].lowerValid || res[0].upperValid).toBe(false);
  });
});
