/**
 * Hierarchical models: validation, the analytic gradient against finite differences, closed-form
 * checks of the densities, and NUTS on the star-cluster example and on a normal-normal hierarchy
 * whose posterior of mu is known in closed form.
 */
import { describe, it, expect } from 'vitest';
import { createRng } from '../random/rng';
import { chainSeeds, sampleNuts, startPoints, summarizeChains, type NutsChainResult, type PosteriorSummary } from '../sample';
import { compilePrior } from '../stats/priors';
import { HierarchyError, validateHierarchy, type HierarchyDoc } from './document';
import { hierarchicalLogDensity, type HierarchicalDensity } from './log-density';
import { simulateStarCluster } from './star-cluster';

/** Richardson-extrapolated central difference of ld at x along coordinate k (error O(h^4)). */
function fdGradient(ld: HierarchicalDensity, x: Float64Array, k: number, h: number): number {
  const f = (d: number): number => {
    const y = Float64Array.from(x);
    y[k] += d;
    return ld.logDensity(y);
  };
  const c = (d: number): number => (f(d) - f(-d)) / (2 * d);
  return (4 * c(h / 2) - c(h)) / 3;
}

/** max over coordinates of |g - fd| / max(|g|, floor); floor = 1e-3 * max|g| keeps near-zero components meaningful */
function gradientError(ld: HierarchicalDensity, x: Float64Array): { worst: number; key: string } {
  const g = new Float64Array(ld.n);
  const lp = ld.logDensityAndGradient(x, g);
  expect(lp).toBeCloseTo(ld.logDensity(x), 9);
  expect(Number.isFinite(lp)).toBe(true);
  const gmax = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  let key = '';
  for (let k = 0; k < ld.n; k++) {
    const h = 1e-4 * Math.max(1, Math.abs(x[k]));
    const fd = fdGradient(ld, x, k, h);
    const err = Math.abs(g[k] - fd) / Math.max(Math.abs(g[k]), 1e-3 * gmax, 1e-8);
    if (err > worst) {
      worst = err;
      key = ld.keys[k];
    }
  }
  return { worst, key };
}

/** random points: the start point jittered by a relative `spread` (member values), hyperparameters inside their supports */
function randomPoints(ld: HierarchicalDensity, count: number, seed: number, spread = 0.02): Float64Array[] {
  const rng = createRng(seed);
  const x0 = ld.startPoint();
  const out: Float64Array[] = [];
  while (out.length < count) {
    const x = Float64Array.from(x0, (v, k) => {
      const lo = ld.lower[k];
      const hi = ld.upper[k];
      let y = v + spread * (Math.abs(v) + 0.5) * rng.normal();
      if (y <= lo || y >= hi) y = v;
      return y;
    });
    if (ld.logDensity(x) > -Infinity) out.push(x);
  }
  return out;
}

/** A model with every feature: truncated (two-sided, mass-relevant) and lognormal populations, fixed mu,
 * transformed hyperpriors, hyperparameters in observation formulas, missing values, scalar sigmas. */
function kitchenSink(noncentered: boolean): HierarchyDoc {
  const rng = createRng(11);
  const n1 = 40;
  const n2 = 30;
  const a = Array.from({ length: n1 }, () => 1 + 2 * rng.uniform());
  const b = Array.from({ length: n2 }, () => Math.exp(0.5 + 0.3 * rng.normal()));
  return {
    hyper: {
      mu_a: { value: 1.8, prior: { kind: 'gaussian', mu: 2, sigma: 1 } },
      sigma_a: { value: 0.9, lower: 0, prior: { kind: 'uniform', lower: -3, upper: 1, transform: 'log10', scale: 1 } },
      sigma_b: { value: 0.35, lower: 0, prior: { kind: 'loguniform', lower: 0.01, upper: 10 } },
      mu_b: { value: 0.4 },
      gain: { value: 1.1, lower: 0, prior: { kind: 'uniform', lower: -1, upper: 1, transform: 'ln', scale: 2 } },
      zero: { value: 0.05, prior: { kind: 'truncgaussian', mu: 0, sigma: 0.1, lower: -0.5, upper: 0.5 } },
    },
    members: [
      { name: 'a', count: n1, population: { kind: 'truncnormal', mu: 'mu_a', sigma: 'sigma_a', lower: 1, upper: 3 }, start: a },
      { name: 'b', count: n2, population: { kind: 'lognormal', mu: 'mu_b', sigma: 'sigma_b' }, parameterization: noncentered ? 'noncentered' : 'centered', start: b },
      { name: 'c', count: 5, population: { kind: 'normal', mu: 3, sigma: 'sigma_a' }, parameterization: noncentered ? 'noncentered' : 'centered' },
    ],
    observations: [
      { member: 'a', expr: 'gain*v^2 + zero', values: a.map((v, i) => (i % 7 === 3 ? null : 1.1 * v * v + 0.05 + 0.1 * rng.normal())), sigmas: 0.1 },
      { member: 'a', expr: 'ln(v)', values: a.map((v) => Math.log(v) + 0.05 * rng.normal()), sigmas: a.map(() => 0.05 + 0.05 * rng.uniform()) },
      { member: 'b', expr: 'sqrt(v) * exp(-v / 10)', values: b.map((v) => Math.sqrt(v) * Math.exp(-v / 10) + 0.02 * rng.normal()), sigmas: 0.02 },
      { member: 'c', expr: 'v', values: [2.5, 3.1, null, 3.3, 2.9], sigmas: [0.3, 0.3, 1, 0.3, 0.3] },
    ],
  };
}

describe('hierarchy: documents', () => {
  it('validates with clear messages', () => {
    const ok = simulateStarCluster({ n: 4 }).doc;
    expect(validateHierarchy(ok)).toEqual([]);
    const bad: HierarchyDoc = {
      hyper: {
        mu: { value: 1 },
        s: { value: -1, prior: { kind: 'uniform', lower: -8, upper: 0, transform: 'ln' } },
        v: { value: 0 },
      },
      members: [
        { name: 'x', count: 3, population: { kind: 'truncnormal', mu: 'mu', sigma: 's', lower: 2, upper: 1 } },
        { name: 'y', count: 2, population: { kind: 'lognormal', mu: 'nope', sigma: 0 }, parameterization: 'noncentered' },
        { name: 'z', count: 2, population: { kind: 'truncnormal', mu: 0, sigma: 1 }, parameterization: 'noncentered' },
      ],
      observations: [
        { member: 'x', expr: '1000/v + q', values: [1, 2], sigmas: [1, 1, 0] },
        { member: 'w', expr: 'v', values: [], sigmas: 1 },
        { member: 'y', expr: '2*x', values: [1, null], sigmas: 1 },
        { member: 'y', expr: '1000/(v', values: [1, 2], sigmas: 1 },
      ],
    };
    const p = validateHierarchy(bad);
    const has = (re: RegExp) => expect(p.some((m) => re.test(m)), `${re} in\n${p.join('\n')}`).toBe(true);
    has(/hyperparameter 's': value -1 must lie strictly inside its support \(0\.000335\d*, 1\)/);
    has(/hyperparameter 'v': names must be identifiers/);
    has(/member 1 'x': truncation needs lower < upper/);
    has(/member 2 'y': population mu 'nope' is not a hyperparameter/);
    has(/member 2 'y': a fixed population sigma must be > 0/);
    has(/member 3 'z': the non-centred parameterisation is available for normal and lognormal populations only/);
    has(/observation 1: unknown symbol 'q'/);
    has(/observation 1: values must have 3 entries/);
    has(/observation 1: sigmas\[2\] = 0 must be a finite number > 0/);
    has(/observation 2: member 'w' does not exist/);
    has(/observation 3: the formula '2\*x' does not use v/);
    has(/observation 4: /);
    expect(() => hierarchicalLogDensity(bad)).toThrow(HierarchyError);
  });

  it('keys, bounds, start point; a transformed prior is the same density as its change of variables', () => {
    const sc = simulateStarCluster({ n: 3 });
    const ld = hierarchicalLogDensity(sc.doc);
    expect(ld.keys).toEqual(['mu_r', 'sigma_r', 'r[0]', 'r[1]', 'r[2]']);
    expect(Array.from(ld.lower)).toEqual([0, 1000 * Math.exp(-8), 0, 0, 0]);
    expect(ld.upper[1]).toBeCloseTo(1000, 9);
    expect(ld.upper[2]).toBe(Infinity);
    // ln(sigma / 1000) ~ U(-8, 0)  <=>  sigma ~ LogUniform(1000 e^-8, 1000)
    const alt: HierarchyDoc = structuredClone(sc.doc);
    alt.hyper.sigma_r.prior = { kind: 'loguniform', lower: 1000 * Math.exp(-8), upper: 1000 };
    const ld2 = hierarchicalLogDensity(alt);
    for (const x of randomPoints(ld, 5, 3, 0.05)) expect(ld.logDensity(x)).toBeCloseTo(ld2.logDensity(x), 10);
    // one truncated member: the population term is the truncated-normal prior density
    const one: HierarchyDoc = {
      hyper: { m: { value: 0.3 }, s: { value: 0.7, lower: 0 } },
      members: [{ name: 'x', count: 1, population: { kind: 'truncnormal', mu: 'm', sigma: 's', lower: -0.2, upper: 1.5 } }],
      observations: [],
    };
    const ld3 = hierarchicalLogDensity(one);
    for (const [m, s, x] of [[0.3, 0.7, 0.1], [-2, 0.3, 1.4], [5, 0.2, 1.49]]) {
      const ref = compilePrior({ kind: 'truncgaussian', mu: m, sigma: s, lower: -0.2, upper: 1.5 }).logDensity(x);
      expect(ld3.logDensity(Float64Array.of(m, s, x))).toBeCloseTo(ref, 10);
    }
    expect(ld3.logDensity(Float64Array.of(0, 1, 1.6))).toBe(-Infinity);
    expect(ld3.logDensity(Float64Array.of(0, 0, 1))).toBe(-Infinity);
  });
});

describe('hierarchy: gradient against finite differences', () => {
  const cases: [string, () => HierarchyDoc][] = [
    ['star cluster (centred)', () => simulateStarCluster({ seed: 2 }).doc],
    ['star cluster (non-centred)', () => simulateStarCluster({ seed: 2, parameterization: 'noncentered' }).doc],
    ['all features (centred)', () => kitchenSink(false)],
    ['all features (non-centred)', () => kitchenSink(true)],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const ld = hierarchicalLogDensity(make());
      const errs = randomPoints(ld, 4, 17).map((x) => gradientError(ld, x));
      const worst = errs.reduce((a, b) => (b.worst > a.worst ? b : a));
      console.log(`${name}: worst relative gradient error ${worst.worst.toExponential(2)} (${worst.key})`);
      expect(worst.worst).toBeLessThan(1e-6);
    });
  }
});

function runNuts(ld: HierarchicalDensity, seed: number, tune: number, draws: number, chains = 4): { res: NutsChainResult[]; s: PosteriorSummary; ms: number } {
  const starts = startPoints(ld, ld.startPoint(), chains, seed);
  const t0 = performance.now();
  const res = chainSeeds(seed, chains).map((c, i) => sampleNuts(ld, { seed: c, start: starts[i], tune, draws }));
  const ms = performance.now() - t0;
  return { res, s: summarizeChains(res.map((r) => ld.naturalResult(r))), ms };
}

describe('hierarchy: sampling', () => {
  it('star cluster: NUTS recovers mu_r and sigma_r (centred, no divergences)', () => {
    const sc = simulateStarCluster({ seed: 3 });
    const ld = hierarchicalLogDensity(sc.doc);
    const tune = 500;
    const draws = 500;
    const { res, s, ms } = runNuts(ld, 3, tune, draws);
    const [mu, sigma] = s.parameters;
    const evals = res.reduce((t, r) => t + r.evaluations, 0);
    console.log(
      `star cluster (N = 256, 4 chains x ${tune} tune + ${draws} draws): ${ms.toFixed(0)} ms, ` +
        `${(ms / (4 * (tune + draws))).toFixed(3)} ms per iteration, ${(ms / (4 * draws)).toFixed(3)} ms per kept draw, ` +
        `${(evals / (4 * (tune + draws))).toFixed(1)} gradients per iteration, divergences ${s.divergences}\n` +
        [mu, sigma].map((p) => `  ${p.key}: ${p.mean.toFixed(3)} +- ${p.sd.toFixed(3)} pc, 94% HDI [${p.hdiLow.toFixed(2)}, ${p.hdiHigh.toFixed(2)}], R-hat ${p.rhat.toFixed(4)}, ESS bulk ${p.essBulk.toFixed(0)} tail ${p.essTail.toFixed(0)}`).join('\n'),
    );
    expect(s.divergences).toBe(0);
    for (const [p, truth] of [[mu, sc.truth.mu_r], [sigma, sc.truth.sigma_r]] as const) {
      expect(p.hdiLow).toBeLessThan(truth);
      expect(p.hdiHigh).toBeGreaterThan(truth);
      expect(p.rhat).toBeLessThan(1.05);
      expect(p.essBulk).toBeGreaterThan(200);
    }
    // distances: natural keys, well inside the population, each near its true value
    expect(s.parameters[2].key).toBe('r[0]');
    let within = 0;
    for (let i = 0; i < 256; i++) {
      const p = s.parameters[2 + i];
      if (Math.abs(p.mean - sc.truth.distances[i]) < 3 * p.sd) within++;
    }
    expect(within).toBeGreaterThanOrEqual(250);
  });

  it('normal-normal with known sigma and a flat prior on mu: posterior of mu is N(mean y, sqrt((sigma^2 + err^2) / N))', () => {
    const N = 30;
    const sigmaPop = 2;
    const err = 1.5;
    const rng = createRng(5);
    const y = Array.from({ length: N }, () => rng.normal(10, sigmaPop) + rng.normal(0, err));
    const doc: HierarchyDoc = {
      hyper: { mu: { value: 0 } },
      members: [{ name: 'x', count: N, population: { kind: 'normal', mu: 'mu', sigma: sigmaPop } }],
      observations: [{ member: 'x', expr: 'v', values: y, sigmas: err }],
    };
    const ld = hierarchicalLogDensity(doc);
    const { s } = runNuts(ld, 8, 500, 1000);
    const ybar = y.reduce((a, b) => a + b, 0) / N;
    const v = sigmaPop ** 2 + err ** 2;
    const sd = Math.sqrt(v / N);
    const mu = s.parameters[0];
    console.log(`normal-normal: mu ${mu.mean.toFixed(4)} +- ${mu.sd.toFixed(4)} (exact ${ybar.toFixed(4)} +- ${sd.toFixed(4)}), MCSE ${mu.mcseMean.toFixed(4)} / ${mu.mcseSd.toFixed(4)}, R-hat ${mu.rhat.toFixed(4)}, ESS ${mu.essBulk.toFixed(0)}, divergences ${s.divergences}`);
    expect(Math.abs(mu.mean - ybar)).toBeLessThan(4 * mu.mcseMean);
    expect(Math.abs(mu.sd - sd)).toBeLessThan(4 * mu.mcseSd);
    expect(mu.rhat).toBeLessThan(1.01);
    expect(s.divergences).toBe(0);
    // a member: E[x | y] = (sigma^2 y + err^2 ybar) / v, Var = sigma^2 err^2 / v + (err^2 / v)^2 Var(mu)
    const x0 = s.parameters[1];
    const m0 = (sigmaPop ** 2 * y[0] + err ** 2 * ybar) / v;
    const s0 = Math.sqrt((sigmaPop ** 2 * err ** 2) / v + (err ** 2 / v) ** 2 * sd * sd);
    expect(Math.abs(x0.mean - m0)).toBeLessThan(4 * x0.mcseMean);
    expect(Math.abs(x0.sd - s0)).toBeLessThan(4 * x0.mcseSd);
  });

  it('eight schools: the centred model diverges, the non-centred one does not and is reported as theta[n]', () => {
    const doc = (pz: 'centered' | 'noncentered'): HierarchyDoc => ({
      hyper: {
        mu: { value: 5, prior: { kind: 'gaussian', mu: 0, sigma: 5 } },
        tau: { value: 3, lower: 0, prior: { kind: 'truncgaussian', mu: 0, sigma: 5, lower: 0 } },
      },
      members: [{ name: 'theta', count: 8, population: { kind: 'normal', mu: 'mu', sigma: 'tau' }, parameterization: pz }],
      observations: [{ member: 'theta', expr: 'v', values: [28, 8, -3, 7, -1, 1, 18, 12], sigmas: [15, 10, 16, 11, 9, 11, 10, 18] }],
    });
    const c = runNuts(hierarchicalLogDensity(doc('centered')), 3, 1000, 1000);
    const ldn = hierarchicalLogDensity(doc('noncentered'));
    expect(ldn.keys[2]).toBe('theta.z[0]');
    const nc = runNuts(ldn, 3, 1000, 1000);
    console.log(`eight schools: divergences centred ${c.s.divergences}, non-centred ${nc.s.divergences}`);
    expect(c.s.divergences).toBeGreaterThan(10);
    expect(nc.s.divergences).toBe(0);
    expect(nc.s.parameters[2].key).toBe('theta[0]');
    expect(nc.s.parameters.slice(0, 3).every((p) => p.rhat < 1.01)).toBe(true);
    // theta = mu + tau z, draw by draw
    const r = nc.res[0];
    const nat = ldn.naturalResult(r);
    const n = ldn.n;
    for (const i of [0, 17, r.nDraws - 1]) {
      expect(nat.draws[i * n + 2]).toBeCloseTo(r.draws[i * n] + r.draws[i * n + 1] * r.draws[i * n + 2], 12);
    }
    const back = ldn.fromNatural(nat.draws.subarray(0, n), new Float64Array(n));
    for (let k = 0; k < n; k++) expect(back[k]).toBeCloseTo(r.draws[k], 10);
  });
});
