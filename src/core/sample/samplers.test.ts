/**
 * Every sampler against posteriors known in closed form, with default settings and 4 chains:
 * - y = a x + b, Gaussian noise of known sigma, flat priors: the posterior is Gaussian with mean
 *   the weighted least-squares solution and covariance (X^T W X)^-1;
 * - the same with Gaussian priors: the conjugate Gaussian posterior, precision X^T W X + diag(1/s^2);
 * - a Poisson rate r > 0 (counts k_i over exposures t_i), flat prior: Gamma(K + 1, T), K = sum k,
 *   T = sum t (sampled through the log transform of the bound).
 * Criteria: means and sds within 4 MCSE of the exact values, R-hat < 1.01, bulk ESS >= 400.
 */
import { describe, it, expect } from 'vitest';
import { makeSpectrum } from '../data/dataset';
import { buildPosterior, type Posterior } from '../fit/posterior';
import type { FitSettings } from '../fit/settings';
import type { ModelDoc, PriorDoc } from '../model/document';
import { createRng } from '../random/rng';
import { gammaP } from '../uncertainty/levels';
import { column, summarizeChains, walkerTrace, type PosteriorSummary } from './diagnostics';
import { sampleEnsemble, type EnsembleChainResult } from './ensemble';
import { sampleHmc } from './hmc';
import type { LogDensity } from './log-density';
import { sampleMetropolis } from './metropolis';
import { sampleNuts } from './nuts';
import { chainSeeds, SamplerError, startPoints } from './start';
import type { ChainOptions, ChainResult } from './types';

type Sampler = (ld: LogDensity, o: ChainOptions) => ChainResult;
const SAMPLERS: [string, Sampler][] = [
  ['nuts', sampleNuts],
  ['hmc', sampleHmc],
  ['metropolis', sampleMetropolis],
  ['ensemble', sampleEnsemble],
];

function runChains(ld: Posterior, fn: Sampler, seed: number, chains = 4): { results: ChainResult[]; summary: PosteriorSummary } {
  const starts = startPoints(ld, ld.theta0, chains, seed);
  const results = chainSeeds(seed, chains).map((s, c) => fn(ld, { seed: s, start: starts[c] }));
  return { results, summary: summarizeChains(results) };
}

function expectExact(s: PosteriorSummary, mean: number[], sd: number[]): void {
  if (process.env.FITBENCH_SAMPLER_REPORT) {
    for (const [k, p] of s.parameters.entries())
      console.log(`${p.key}: mean ${p.mean.toPrecision(5)} (exact ${mean[k].toPrecision(5)}, ${((p.mean - mean[k]) / p.mcseMean).toFixed(2)} mcse) sd ${p.sd.toPrecision(4)} (exact ${sd[k].toPrecision(4)}, ${((p.sd - sd[k]) / p.mcseSd).toFixed(2)} mcse) R-hat ${p.rhat.toFixed(4)} ESS bulk ${p.essBulk.toFixed(0)} tail ${p.essTail.toFixed(0)}`);
  }
  s.parameters.forEach((p, k) => {
    expect(Math.abs(p.mean - mean[k]), `${p.key} mean ${p.mean} vs ${mean[k]} (mcse ${p.mcseMean})`).toBeLessThan(4 * p.mcseMean);
    expect(Math.abs(p.sd - sd[k]), `${p.key} sd ${p.sd} vs ${sd[k]} (mcse ${p.mcseSd})`).toBeLessThan(4 * p.mcseSd);
    expect(p.rhat, `${p.key} R-hat`).toBeLessThan(1.01);
    expect(p.essBulk, `${p.key} bulk ESS`).toBeGreaterThanOrEqual(400);
  });
}

// ---- the straight line ----
const rng = createRng(2024);
const N = 20;
const xs = Array.from({ length: N }, (_, i) => 0.5 * i);
const sig = xs.map((_, i) => 0.3 + 0.05 * (i % 4));
const ys = xs.map((x, i) => 1.5 * x - 2 + sig[i] * rng.normal());
const line = makeSpectrum('line', xs, ys, sig);
const lineModel = (pa?: PriorDoc, pb?: PriorDoc): ModelDoc => ({
  components: [
    {
      name: '',
      type: 'Expression',
      active: true,
      options: { expr: 'a*x+b' },
      params: {
        a: { value: 1, lower: null, upper: null, fixed: false, ...(pa ? { prior: pa } : {}) },
        b: { value: 0, lower: null, upper: null, fixed: false, ...(pb ? { prior: pb } : {}) },
      },
    },
  ],
});
const chi2: FitSettings = { method: 'auto', statistic: 'chi2', ranges: [] };

/** exact Gaussian posterior of (a, b): precision P = X^T W X + prior precision, mean P^-1 (X^T W y + prior term) */
function exactLine(prior?: { mu: [number, number]; s: [number, number] }): { mean: number[]; sd: number[] } {
  let p11 = 0, p12 = 0, p22 = 0, r1 = 0, r2 = 0;
  for (let i = 0; i < N; i++) {
    const w = 1 / (sig[i] * sig[i]);
    p11 += w * xs[i] * xs[i];
    p12 += w * xs[i];
    p22 += w;
    r1 += w * xs[i] * ys[i];
    r2 += w * ys[i];
  }
  if (prior) {
    p11 += 1 / prior.s[0] ** 2;
    p22 += 1 / prior.s[1] ** 2;
    r1 += prior.mu[0] / prior.s[0] ** 2;
    r2 += prior.mu[1] / prior.s[1] ** 2;
  }
  const det = p11 * p22 - p12 * p12;
  const c11 = p22 / det;
  const c22 = p11 / det;
  const c12 = -p12 / det;
  return { mean: [c11 * r1 + c12 * r2, c12 * r1 + c22 * r2], sd: [Math.sqrt(c11), Math.sqrt(c22)] };
}

// ---- the Poisson rate ----
const exposure = [1, 2, 1.5, 0.5];
const counts = [1, 0, 2, 1];
const K = 4;
const T = 5;
const rateModel: ModelDoc = {
  components: [{ name: '', type: 'Expression', active: true, options: { expr: 'r*x' }, params: { r: { value: 2, lower: 0, upper: null, fixed: false } } }],
};
const ratePosterior = () => buildPosterior(makeSpectrum('counts', exposure, counts), rateModel, { method: 'auto', statistic: 'poisson', ranges: [] });

describe('samplers on closed-form posteriors (default settings, 4 chains)', () => {
  const flat = buildPosterior(line, lineModel(), chi2);
  const exactFlat = exactLine();
  const pa: PriorDoc = { kind: 'gaussian', mu: 1.4, sigma: 0.03 };
  const pb: PriorDoc = { kind: 'gaussian', mu: -1.5, sigma: 0.2 };
  const conj = buildPosterior(line, lineModel(pa, pb), chi2);
  const exactConj = exactLine({ mu: [1.4, -1.5], s: [0.03, 0.2] });
  const rate = ratePosterior();

  it('the conjugate posterior differs from the flat one (the priors matter)', () => {
    expect(Math.abs(exactConj.mean[0] - exactFlat.mean[0]) / exactFlat.sd[0]).toBeGreaterThan(1);
  });

  for (const [name, fn] of SAMPLERS) {
    it(`${name}: straight line, flat priors -> least-squares mean and (X^T W X)^-1`, () => {
      const { summary } = runChains(flat, fn, 101);
      expectExact(summary, exactFlat.mean, exactFlat.sd);
      expect(summary.warnings).toEqual([]);
    });
    it(`${name}: straight line, Gaussian priors -> conjugate posterior`, () => {
      const { summary } = runChains(conj, fn, 202);
      expectExact(summary, exactConj.mean, exactConj.sd);
    });
    it(`${name}: Poisson rate > 0, flat prior -> Gamma(K + 1, T)`, () => {
      const { results, summary } = runChains(rate, fn, 303);
      expectExact(summary, [(K + 1) / T], [Math.sqrt(K + 1) / T]);
      // the skewed shape: probability below the mean of Gamma(5, 5) (= 1) is P(5, 5) = 0.5595
      let below = 0;
      let total = 0;
      for (const r of results) {
        for (let i = 0; i < r.nDraws; i++) if (r.draws[i] < 1) below++;
        total += r.nDraws;
      }
      const p = gammaP(K + 1, T * 1);
      const ess = summary.parameters[0].essTail;
      expect(Math.abs(below / total - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / ess));
      let nonPositive = 0;
      for (const r of results) for (let i = 0; i < r.nDraws; i++) if (!(r.draws[i] > 0)) nonPositive++;
      expect(nonPositive).toBe(0);
    });
  }
});

describe('sampler mechanics', () => {
  const post = buildPosterior(line, lineModel(), chi2);
  it('are reproducible from the seed', () => {
    for (const [, fn] of SAMPLERS) {
      const a = fn(post, { seed: 5, draws: 50, tune: 50 });
      const b = fn(post, { seed: 5, draws: 50, tune: 50 });
      const c = fn(post, { seed: 6, draws: 50, tune: 50 });
      expect(Array.from(a.draws)).toEqual(Array.from(b.draws));
      expect(Array.from(a.draws)).not.toEqual(Array.from(c.draws));
      // log posterior per draw, in the constrained space
      for (let i = 0; i < 5; i++) expect(a.logDensity[i]).toBeCloseTo(post.logDensity(a.draws.slice(i * 2, i * 2 + 2)), 9);
    }
  });
  it('report progress by phase and stop when asked', () => {
    for (const [name, fn] of SAMPLERS) {
      const seen: [number, string][] = [];
      let polls = 0;
      const r = fn(post, { seed: 1, tune: 40, draws: 100, progressInterval: 20, onProgress: (i, ph) => seen.push([i, ph]), shouldStop: () => ++polls > 90 });
      expect(r.cancelled, name).toBe(true);
      expect(r.tuneDone).toBe(40);
      const perRow = name === 'ensemble' ? (r as EnsembleChainResult).walkers : 1;
      expect(r.nDraws).toBe(50 * perRow);
      expect(r.draws.length).toBe(r.nDraws * 2);
      expect(seen).toEqual([[20, 'tune'], [40, 'tune'], [60, 'sample'], [80, 'sample']]);
    }
    // stopped during warm-up: no draws, and the summary still works (with warnings)
    const early = sampleNuts(post, { seed: 1, tune: 100, draws: 100, shouldStop: () => true });
    expect(early.nDraws).toBe(0);
    expect(early.tuneDone).toBe(0);
    const s = summarizeChains([early, early]);
    expect(Number.isNaN(s.parameters[0].rhat)).toBe(true);
    expect(s.warnings.some((w) => /stopped early/.test(w))).toBe(true);
  });
  it('ensemble: walker-major rows, walkers >= 2n, and the nested R-hat / tau summary', () => {
    const r = sampleEnsemble(post, { seed: 3, walkers: 8, tune: 200, draws: 300 });
    expect(r.walkers).toBe(8);
    expect(r.steps).toBe(300);
    expect(r.nDraws).toBe(2400);
    expect(walkerTrace(r, 2, 1)[7]).toBe(r.draws[(2 * 300 + 7) * 2 + 1]);
    expect(r.walkerAcceptance.length).toBe(8);
    const s = summarizeChains([r]);
    expect(s.method).toBe('ensemble');
    expect(s.parameters[0].tau).toBeGreaterThan(1);
    expect(s.parameters[0].thin).toBeGreaterThanOrEqual(1);
    expect(() => sampleEnsemble(post, { walkers: 3 })).toThrow(SamplerError);
    // explicit walkers and thinning
    const w = startPoints(post, exactLine().mean, 6, 4);
    const t = sampleEnsemble(post, { seed: 4, initialWalkers: w, tune: 10, draws: 20, thin: 3 });
    expect(t.walkers).toBe(6);
    expect(t.steps).toBe(20);
    expect(t.nDraws).toBe(120);
  });
  it('NUTS: dense metric from a given covariance (AstroPhot-style) without adaptation', () => {
    const e = exactLine();
    const cov = [e.sd[0] ** 2, -0.8 * e.sd[0] * e.sd[1], -0.8 * e.sd[0] * e.sd[1], e.sd[1] ** 2];
    const starts = startPoints(post, e.mean, 4, 9, { covariance: cov });
    const res = chainSeeds(9, 4).map((seed, c) => sampleNuts(post, { seed, start: starts[c], metric: 'dense', initialInverseMass: cov, adaptMass: false }));
    expect(Array.from(res[0].inverseMass)).toEqual(cov);
    const s = summarizeChains(res);
    expectExact(s, e.mean, e.sd);
    // with a matched metric the trajectories are short
    expect(res[0].treeDepth.reduce((m, d) => Math.max(m, d), 0)).toBeLessThanOrEqual(3);
  });
  it('NUTS: counts divergences in a funnel and says so', () => {
    // Neal's funnel: v ~ N(0, 3^2), x | v ~ N(0, e^v)
    const funnel: LogDensity = {
      n: 2,
      keys: ['v', 'x'],
      lower: Float64Array.of(-Infinity, -Infinity),
      upper: Float64Array.of(Infinity, Infinity),
      logDensity: (t) => -(t[0] * t[0]) / 18 - 0.5 * t[0] - 0.5 * t[1] * t[1] * Math.exp(-t[0]),
      logDensityAndGradient(t, g) {
        const e = Math.exp(-t[0]);
        g[0] = -t[0] / 9 - 0.5 + 0.5 * t[1] * t[1] * e;
        g[1] = -t[1] * e;
        return -(t[0] * t[0]) / 18 - 0.5 * t[0] - 0.5 * t[1] * t[1] * e;
      },
    };
    const res = chainSeeds(4, 4).map((seed) => sampleNuts(funnel, { seed, draws: 500, tune: 500 }));
    const s = summarizeChains(res);
    expect(s.divergences).toBeGreaterThan(0);
    expect(s.warnings.some((w) => /divergent/.test(w))).toBe(true);
  });
  it('interval and upper-bound transforms: Beta(2, 5) on [0, 1], minus Gamma(3, 1) on (-inf, 0]', () => {
    const beta: LogDensity = {
      n: 2,
      keys: ['p', 'q'],
      lower: Float64Array.of(0, -Infinity),
      upper: Float64Array.of(1, 0),
      logDensity: (t) => (t[0] >= 0 && t[0] <= 1 && t[1] <= 0 ? Math.log(t[0]) + 4 * Math.log1p(-t[0]) + 2 * Math.log(-t[1]) + t[1] : -Infinity),
      logDensityAndGradient(t, g) {
        g[0] = 1 / t[0] - 4 / (1 - t[0]);
        g[1] = 2 / t[1] + 1;
        return this.logDensity(t);
      },
    };
    for (const fn of [sampleNuts, sampleMetropolis]) {
      const res = chainSeeds(8, 4).map((seed) => fn(beta, { seed, start: [0.5, -1] }));
      const s = summarizeChains(res);
      expectExact(s, [2 / 7, -3], [Math.sqrt(10 / (49 * 8)), Math.sqrt(3)]);
      const p = column(res[0].draws, res[0].nDraws, 2, 0);
      expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    }
  });
  it('refuse a start point where the posterior is not finite', () => {
    const rate = ratePosterior();
    const bad: LogDensity = { ...rate, logDensity: () => -Infinity, logDensityAndGradient: () => -Infinity };
    for (const [, fn] of SAMPLERS) expect(() => fn(bad, { start: [1] })).toThrow(SamplerError);
  });
});
