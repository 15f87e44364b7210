import { describe, it, expect } from 'vitest';
import { createRng, type Rng } from '../random/rng';
import { normalQuantile } from '../uncertainty/levels';
import {
  autocovariances,
  ebfmi,
  essBulk,
  essMean,
  essTail,
  hdi,
  integratedAutocorrTime,
  mcseMean,
  mcseSd,
  nestedRhat,
  probit,
  rankNormalize,
  rhat,
  splitRhat,
  summarizeChains,
  summarizeDraws,
} from './diagnostics';
import type { HamiltonianChainResult } from './types';

const normals = (rng: Rng, n: number, mean = 0, sd = 1) => Float64Array.from({ length: n }, () => rng.normal(mean, sd));
function ar1(rng: Rng, n: number, phi: number): Float64Array {
  const x = new Float64Array(n);
  x[0] = rng.normal() / Math.sqrt(1 - phi * phi);
  for (let i = 1; i < n; i++) x[i] = phi * x[i - 1] + rng.normal();
  return x;
}

describe('building blocks', () => {
  it('FFT autocovariances equal the direct sums (paired and odd counts, any length)', () => {
    const rng = createRng(3);
    const xs = [13, 13, 13].map((n) => normals(rng, n));
    const got = autocovariances(xs);
    for (let s = 0; s < xs.length; s++) {
      const x = xs[s];
      const N = x.length;
      const m = x.reduce((a, b) => a + b, 0) / N;
      for (let t = 0; t < N; t++) {
        let d = 0;
        for (let i = 0; i + t < N; i++) d += (x[i] - m) * (x[i + t] - m);
        expect(got[s][t]).toBeCloseTo(d / N, 13);
      }
    }
  });
  it('probit agrees with the library normal quantile', () => {
    for (const p of [1e-300, 1e-12, 1e-4, 0.02, 0.024, 0.3, 0.5, 0.77, 0.999, 1 - 1e-10]) {
      const q = normalQuantile(p);
      expect(Math.abs(probit(p) - q)).toBeLessThanOrEqual(2e-15 * Math.max(1, Math.abs(q)));
    }
  });
  it('rank normalisation gives normal scores, ties averaged', () => {
    const [a, b] = rankNormalize([Float64Array.from([3, 1, 2]), Float64Array.from([2, 5])]);
    // pooled ranks 4, 1, 2.5 | 2.5, 5 of S = 5
    const z = (r: number) => normalQuantile((r - 0.375) / 5.25);
    expect(Array.from(a)).toEqual([z(4), z(1), z(2.5)].map((v) => expect.closeTo(v, 14)));
    expect(Array.from(b)).toEqual([z(2.5), z(5)].map((v) => expect.closeTo(v, 14)));
  });
});

describe('R-hat', () => {
  const rng = createRng(11);
  it('is about 1 for iid normal chains', () => {
    const chains = [0, 1, 2, 3].map(() => normals(rng, 1000));
    const r = rhat(chains);
    expect(r).toBeGreaterThan(0.995);
    expect(r).toBeLessThan(1.01);
    expect(splitRhat(chains)).toBeLessThan(1.01);
  });
  it('exceeds 1.1 when the chains have shifted means', () => {
    const chains = [0, 0.5, 1, 1.5].map((m) => normals(rng, 1000, m));
    expect(rhat(chains)).toBeGreaterThan(1.1);
  });
  it('catches different scales (folded, tail R-hat) and a trend inside one chain (split)', () => {
    const scales = [1, 1, 1, 3].map((s) => normals(rng, 1000, 0, s));
    expect(rhat(scales)).toBeGreaterThan(1.05);
    const trend = [Float64Array.from(normals(rng, 2000), (v, i) => v + (3 * i) / 2000)];
    expect(rhat(trend)).toBeGreaterThan(1.2);
  });
});

describe('effective sample size and MCSE', () => {
  it('of an AR(1) chain, phi = 0.5, is n (1 - phi) / (1 + phi) within 15 %', () => {
    const rng = createRng(5);
    const phi = 0.5;
    const chains = [0, 1, 2, 3].map(() => ar1(rng, 5000, phi));
    const expected = (20000 * (1 - phi)) / (1 + phi);
    for (const ess of [essMean(chains), essBulk(chains)]) {
      expect(Math.abs(ess / expected - 1)).toBeLessThan(0.15);
    }
    // emcee's integrated autocorrelation time: (1 + phi) / (1 - phi) = 3
    expect(Math.abs(integratedAutocorrTime(chains) / 3 - 1)).toBeLessThan(0.15);
    // MCSE of the mean: sd(x) / sqrt(ESS), sd(x) = 1 / sqrt(1 - phi^2)
    expect(Math.abs(mcseMean(chains) / (1 / Math.sqrt(1 - phi * phi) / Math.sqrt(expected)) - 1)).toBeLessThan(0.15);
  });
  it('of iid draws is about the number of draws (bulk and tail); MCSEs follow', () => {
    const rng = createRng(6);
    const chains = [0, 1, 2, 3].map(() => normals(rng, 2000));
    expect(Math.abs(essBulk(chains) / 8000 - 1)).toBeLessThan(0.15);
    expect(Math.abs(essTail(chains) / 8000 - 1)).toBeLessThan(0.2);
    expect(Math.abs(mcseMean(chains) * Math.sqrt(8000) - 1)).toBeLessThan(0.1);
    // sd of the sample sd of normal data ~ sd / sqrt(2 N)
    expect(Math.abs(mcseSd(chains) * Math.sqrt(16000) - 1)).toBeLessThan(0.1);
  });
});

describe('HDI', () => {
  it('of a standard normal sample is about +-1.88', () => {
    const x = normals(createRng(9), 40000);
    const [lo, hi] = hdi(x, 0.94);
    expect(lo).toBeCloseTo(-1.881, 1);
    expect(hi).toBeCloseTo(1.881, 1);
  });
  it('of a skewed (exponential) sample starts at 0', () => {
    const rng = createRng(10);
    const x = Float64Array.from({ length: 40000 }, () => rng.exponential(1));
    const [lo, hi] = hdi(x, 0.94);
    expect(lo).toBeLessThan(0.001);
    expect(hi).toBeCloseTo(-Math.log(0.06), 1);
  });
});

describe('nested R-hat and E-BFMI', () => {
  it('nested R-hat: 1 for many short iid subchains, > 1.1 when a superchain is off', () => {
    const rng = createRng(12);
    const sup = (shift: number) => Array.from({ length: 32 }, () => normals(rng, 100, shift));
    expect(nestedRhat([sup(0), sup(0), sup(0), sup(0)])).toBeLessThan(1.01);
    expect(nestedRhat([sup(0), sup(0), sup(0), sup(2)])).toBeGreaterThan(1.1);
  });
  it('E-BFMI is about 2 for independent energies and small for a random walk', () => {
    const rng = createRng(13);
    expect(ebfmi(normals(rng, 20000))).toBeCloseTo(2, 1);
    const walk = new Float64Array(2000);
    for (let i = 1; i < walk.length; i++) walk[i] = walk[i - 1] + 0.05 * rng.normal();
    expect(ebfmi(walk)).toBeLessThan(0.3);
  });
});

describe('summaries', () => {
  it('summarise draws per parameter and warn in words', () => {
    const rng = createRng(14);
    const good = [0, 1, 2, 3].map(() => {
      const d = new Float64Array(2 * 1000);
      for (let i = 0; i < 1000; i++) {
        d[2 * i] = rng.normal(1, 2);
        d[2 * i + 1] = rng.normal();
      }
      return d;
    });
    const s = summarizeDraws(good, 2, ['a', 'b']);
    expect(s.parameters[0].mean).toBeCloseTo(1, 1);
    expect(s.parameters[0].sd).toBeCloseTo(2, 1);
    expect(s.parameters[0].hdiHigh - s.parameters[0].hdiLow).toBeCloseTo(2 * 1.881 * 2, 0);
    expect(s.warnings).toEqual([]);
    // a sticky, shifted chain
    const bad = good.map((d, c) => Float64Array.from(d, (v, i) => (i % 2 === 0 ? (c === 0 ? v + 3 : v) : v)));
    const sticky = Float64Array.from(ar1(rng, 2000, 0.99));
    const s2 = summarizeDraws([...bad.slice(0, 3), Float64Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? bad[3][i] : sticky[i >> 1]))], 2, ['a', 'b']);
    expect(s2.warnings.some((w) => /^a: R-hat .* > 1.01/.test(w))).toBe(true);
    expect(s2.warnings.some((w) => /^b: (bulk|tail) ESS/.test(w) || /^b: R-hat/.test(w))).toBe(true);
  });
  it('report divergences and chain problems of Hamiltonian samplers', () => {
    const rng = createRng(15);
    const fake = (c: number): HamiltonianChainResult => {
      const draws = normals(rng, 1000);
      return {
        sampler: 'nuts', n: 1, keys: ['x'], seed: c, nDraws: 1000, draws, logDensity: new Float64Array(1000), acceptRate: 0.8,
        divergences: c === 0 ? 3 : 0, tuneDone: 1000, cancelled: false, evaluations: 0, stepSize: 0.5,
        inverseMass: Float64Array.of(1), divergent: new Uint8Array(1000), acceptStat: new Float64Array(1000),
        nLeapfrog: new Int32Array(1000), energy: normals(rng, 1000),
      };
    };
    const s = summarizeChains([0, 1, 2, 3].map(fake));
    expect(s.divergences).toBe(3);
    expect(s.warnings[0]).toMatch(/^3 of 4000 transitions after warm-up were divergent/);
  });
});
