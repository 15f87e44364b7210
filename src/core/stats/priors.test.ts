import { describe, it, expect } from 'vitest';
import { createRng } from '../random/rng';
import { erfc } from '../special/erf';
import type { PriorDoc } from '../model/document';
import {
  compilePrior,
  logErfc,
  logNormalCdf,
  logNormalInterval,
  PriorError,
  priorLogDensity,
  priorLogDensityDerivative,
  samplePrior,
  sampleTruncatedStandardNormal,
} from './priors';

// reference values: scipy 1.17 (stats.truncnorm, stats.loguniform, special.log_ndtr)
describe('ln erfc and ln Phi', () => {
  it('match erfc where it does not underflow and scipy in the far tail', () => {
    expect(logErfc(20.0001)).toBeCloseTo(-403.5733483316692, 10);
    expect(Math.abs(logErfc(20.0001) - Math.log(erfc(20.0001)))).toBeLessThan(1e-11);
    expect(logErfc(25)).toBeCloseTo(-628.7920391740716, 10);
    expect(logErfc(1e3)).toBeCloseTo(-1e6 - 0.5723649429247001 - Math.log(1e3) - 5e-7, 6);
    expect(logNormalCdf(-40)).toBeCloseTo(-804.6084420137539, 9);
    expect(logNormalCdf(-5)).toBeCloseTo(-15.064998393988727, 12);
    expect(logNormalCdf(3)).toBeCloseTo(-0.0013508099647481925, 15);
    expect(logErfc(-Infinity)).toBeCloseTo(Math.LN2, 15);
    expect(logErfc(Infinity)).toBe(-Infinity);
  });
  it('ln(Phi(b) - Phi(a)) in each tail and across 0', () => {
    // Phi(2) - Phi(1) = 0.13590512198327787
    expect(logNormalInterval(1, 2)).toBeCloseTo(Math.log(0.13590512198327787), 14);
    expect(logNormalInterval(-2, -1)).toBeCloseTo(Math.log(0.13590512198327787), 14);
    expect(logNormalInterval(-Infinity, Infinity)).toBeCloseTo(0, 15);
    expect(logNormalInterval(40, Infinity)).toBeCloseTo(-804.6084420137539, 9);
    expect(logNormalInterval(-Infinity, -40)).toBeCloseTo(-804.6084420137539, 9);
    expect(logNormalInterval(2, 1)).toBe(-Infinity);
  });
});

describe('prior log densities (closed forms)', () => {
  it('uniform', () => {
    const p: PriorDoc = { kind: 'uniform', lower: -1, upper: 3 };
    expect(priorLogDensity(p, 0.5)).toBeCloseTo(-Math.log(4), 15);
    expect(priorLogDensity(p, 3)).toBeCloseTo(-Math.log(4), 15);
    expect(priorLogDensity(p, 3.0001)).toBe(-Infinity);
    expect(priorLogDensityDerivative(p, 1)).toBe(0);
    // missing bound from the parameter; infinite side = improper flat
    expect(priorLogDensity({ kind: 'uniform', lower: 0 }, 5, -Infinity, 10)).toBeCloseTo(-Math.log(10), 15);
    const flat = compilePrior({ kind: 'uniform', lower: 0 });
    expect(flat.proper).toBe(false);
    expect(flat.logDensity(1e9)).toBe(0);
    expect(flat.logDensity(-1)).toBe(-Infinity);
    expect(() => flat.sample(createRng(1))).toThrow(PriorError);
  });
  it('loguniform', () => {
    const p: PriorDoc = { kind: 'loguniform', lower: 0.1, upper: 100 };
    expect(priorLogDensity(p, 3)).toBeCloseTo(-3.0312570225841755, 14);
    expect(priorLogDensityDerivative(p, 4)).toBeCloseTo(-0.25, 15);
    expect(priorLogDensity(p, 0.05)).toBe(-Infinity);
    const c = compilePrior(p);
    expect(c.mean).toBeCloseTo(14.462006247378289, 12);
    expect(c.sd).toBeCloseTo(22.686422987815316, 11);
    expect(() => compilePrior({ kind: 'loguniform', lower: 0, upper: 1 })).toThrow(PriorError);
  });
  it('gaussian', () => {
    const p: PriorDoc = { kind: 'gaussian', mu: 0.2, sigma: 1.3 };
    expect(priorLogDensity(p, 1.7)).toBeCloseTo(-1.8469832710449448, 14);
    expect(priorLogDensityDerivative(p, 1.7)).toBeCloseTo(-1.5 / 1.69, 15);
    expect(() => compilePrior({ kind: 'gaussian', mu: 0, sigma: 0 })).toThrow(PriorError);
  });
  it('truncated gaussian, central and in the far tails', () => {
    const cases: [PriorDoc, number, number, number, number][] = [
      [{ kind: 'truncgaussian', mu: 0.5, sigma: 0.7, lower: 1, upper: 2 }, 1.3, 0.29217503904337594, 1.3501106338650102, 0.25578529269502437],
      [{ kind: 'truncgaussian', mu: 0, sigma: 1, lower: 40 }, 40.5, -16.435496519450794, 40.024968847210886, 0.02495332109216394],
      [{ kind: 'truncgaussian', mu: 0, sigma: 1, lower: -31, upper: -30 }, -30.2, -2.617694576861311, -30.033259667436372, 0.03322305568659225],
      [{ kind: 'truncgaussian', mu: 2, sigma: 3, lower: -1 }, 0, -2.067019265071555, 2.862799912817535, 2.3805832419786226],
      [{ kind: 'truncgaussian', mu: 0, sigma: 1, lower: 5, upper: 5.001 }, 5.0005, 6.907754278773741, 5.000499583291685, 0.00028867636857750654],
    ];
    for (const [p, x, lp, mean, sd] of cases) {
      const c = compilePrior(p);
      expect(Math.abs(c.logDensity(x) - lp)).toBeLessThan(1e-9 * Math.max(1, Math.abs(lp)));
      expect(Math.abs(c.mean - mean)).toBeLessThan(1e-9 * Math.max(1, Math.abs(mean)));
      // the sd of a very narrow interval loses digits to cancellation in 1 + d2 - d1^2
      expect(Math.abs(c.sd - sd) / sd).toBeLessThan(1e-4);
      expect(c.derivative(x)).toBeCloseTo(-(x - p.mu!) / (p.sigma! * p.sigma!), 12);
    }
    // the parameter's bound fills the missing truncation bound
    const half = compilePrior({ kind: 'truncgaussian', mu: 0, sigma: 1 }, 0, Infinity);
    expect(half.logDensity(0)).toBeCloseTo(Math.log(2) - 0.9189385332046728, 14);
    expect(half.logDensity(-0.1)).toBe(-Infinity);
  });
});

describe('prior sampling', () => {
  const check = (p: PriorDoc, seed: number, n = 20000) => {
    const c = compilePrior(p);
    const rng = createRng(seed);
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = c.sample(rng);
      if (!(x >= c.lower && x <= c.upper)) outside++;
      s += x;
      s2 += x * x;
    }
    expect(outside).toBe(0);
    const mean = s / n;
    const sd = Math.sqrt(s2 / n - mean * mean);
    // 5 standard errors of the mean and about 5 of the sd (normal-theory se of sd, inflated 2x)
    expect(Math.abs(mean - c.mean)).toBeLessThan((5 * c.sd) / Math.sqrt(n));
    expect(Math.abs(sd - c.sd)).toBeLessThan((10 * c.sd) / Math.sqrt(2 * n));
  };
  it('reproduces the closed-form moments of every kind', () => {
    check({ kind: 'uniform', lower: -1, upper: 3 }, 1);
    check({ kind: 'loguniform', lower: 0.1, upper: 100 }, 2);
    check({ kind: 'gaussian', mu: 0.2, sigma: 1.3 }, 3);
    check({ kind: 'truncgaussian', mu: 0.5, sigma: 0.7, lower: 1, upper: 2 }, 4);
    check({ kind: 'truncgaussian', mu: 0, sigma: 1, lower: 40 }, 5);
    check({ kind: 'truncgaussian', mu: 0, sigma: 1, lower: -31, upper: -30 }, 6);
    check({ kind: 'truncgaussian', mu: 2, sigma: 3, lower: -1 }, 7);
    check({ kind: 'truncgaussian', mu: 0, sigma: 1, lower: -0.2, upper: 0.3 }, 8);
    check({ kind: 'truncgaussian', mu: 0, sigma: 1, lower: 5, upper: 5.001 }, 9);
  });
  it('is reproducible from the seed', () => {
    const p: PriorDoc = { kind: 'truncgaussian', mu: 0, sigma: 1, lower: 3 };
    const a = [1, 2, 3].map(() => 0);
    const r1 = createRng(42);
    const r2 = createRng(42);
    for (let i = 0; i < 3; i++) a[i] = samplePrior(p, r1);
    for (let i = 0; i < 3; i++) expect(samplePrior(p, r2)).toBe(a[i]);
    expect(sampleTruncatedStandardNormal(createRng(1), 2, 2)).toBe(2);
  });
});
