/**
 * Chains on a hierarchical model, as the sampler workers run them: streamed segments and the
 * merged chain come back in the natural parameters (non-centred z carried to x = mu + tau z), the
 * segments join to the final chain, and the non-centred eight-schools model (Rubin 1981 data,
 * mu ~ N(0, 5), tau ~ HalfNormal(5)) recovers the posterior mean and sd of mu without divergences.
 * Reference: theta integrates out in closed form, y_j | mu, tau ~ N(mu, s_j^2 + tau^2), so the
 * posterior of (mu, tau) is a 2D density integrated here on a fine grid.
 */
import { describe, expect, it } from 'vitest';
import type { HierarchyDoc } from '../core/hierarchy/document';
import { summarizeChains, type ChainResult } from '../core/sample';
import { prepareHierarchySampling, runHierarchyChain } from './hierarchy-chain';
import { mergeSegments, runChain } from './sampler-chain';

const schools: HierarchyDoc = {
  hyper: {
    mu: { value: 5, prior: { kind: 'gaussian', mu: 0, sigma: 5 } },
    tau: { value: 3, lower: 0, prior: { kind: 'truncgaussian', mu: 0, sigma: 5, lower: 0 } },
  },
  members: [{ name: 'theta', count: 8, population: { kind: 'normal', mu: 'mu', sigma: 'tau' }, parameterization: 'noncentered' }],
  observations: [{ member: 'theta', expr: 'v', values: [28, 8, -3, 7, -1, 1, 18, 12], sigmas: [15, 10, 16, 11, 9, 11, 10, 18] }],
};

/** a clock that moves 1 ms per iteration (the progress hook): segments of ~20 draws, cut at the same places on every run */
function iterationClock(): { now: () => number; onProgress: () => void } {
  let t = 0;
  return { now: () => t, onProgress: () => void (t += 1) };
}

/** E[mu | y] and sd(mu | y) of the eight-schools model by quadrature over (mu, tau) */
function schoolsReference(): { mean: number; sd: number } {
  const y = schools.observations[0].values as number[];
  const s = schools.observations[0].sigmas as number[];
  let w = 0;
  let m1 = 0;
  let m2 = 0;
  const dm = 0.05;
  const dt = 0.02;
  for (let mu = -25; mu <= 35; mu += dm) {
    for (let tau = dt / 2; tau <= 35; tau += dt) {
      let lp = -0.5 * (mu / 5) ** 2 - 0.5 * (tau / 5) ** 2;
      for (let j = 0; j < 8; j++) {
        const v = s[j] * s[j] + tau * tau;
        lp += -0.5 * Math.log(v) - (0.5 * (y[j] - mu) ** 2) / v;
      }
      const p = Math.exp(lp + 30);
      w += p;
      m1 += p * mu;
      m2 += p * mu * mu;
    }
  }
  const mean = m1 / w;
  return { mean, sd: Math.sqrt(m2 / w - mean * mean) };
}

describe('hierarchical chains (sampler workers)', () => {
  it('segments and the merged chain are in natural parameters and agree with the sampler-space chain', () => {
    const setup = prepareHierarchySampling(schools, 2, 7);
    expect(setup.keys).toEqual(['mu', 'tau', ...Array.from({ length: 8 }, (_, i) => `theta[${i}]`)]);
    expect(setup.density.keys[2]).toBe('theta.z[0]');
    expect(setup.seeds.length).toBe(2);
    expect(setup.starts[0]).not.toEqual(setup.starts[1]);
    for (const s of setup.starts) expect(Number.isFinite(setup.density.logDensity(Float64Array.from(s)))).toBe(true);
    const spec = { sampler: 'nuts' as const, draws: 300, tune: 200, seed: setup.seeds[0], start: setup.starts[0] };
    const segments: ChainResult[] = [];
    const nat = runHierarchyChain(setup.density, spec, { segmentMs: 20, firstSegment: 10, ...iterationClock(), onSegment: (s) => segments.push(s) });
    const raw = runChain(setup.density, spec, { segmentMs: 20, firstSegment: 10, ...iterationClock() });
    expect(segments.length).toBeGreaterThan(10);
    for (const s of segments) expect(s.keys).toEqual(setup.keys);
    expect(nat.keys).toEqual(setup.keys);
    expect(nat.nDraws).toBe(300);
    const joined = mergeSegments(segments);
    expect(Array.from(joined.draws)).toEqual(Array.from(nat.draws));
    // x = mu + tau z, draw by draw, from the chain in the sampler's space
    const n = 10;
    for (const i of [0, 151, 299]) {
      for (const k of [2, 9]) expect(nat.draws[i * n + k]).toBeCloseTo(raw.draws[i * n] + raw.draws[i * n + 1] * raw.draws[i * n + k], 10);
      expect(nat.draws[i * n]).toBe(raw.draws[i * n]);
    }
  });

  it('non-centred eight schools: mean and sd of mu within 4 MCSE of quadrature, no divergences, R-hat < 1.01', () => {
    const ref = schoolsReference();
    const setup = prepareHierarchySampling(schools, 4, 3);
    const res = setup.seeds.map((seed, c) => runHierarchyChain(setup.density, { sampler: 'nuts', draws: 1000, tune: 1000, seed, start: setup.starts[c] }));
    const s = summarizeChains(res);
    const mu = s.parameters[0];
    const tau = s.parameters[1];
    console.log(`eight schools (workers' chain runner): mu ${mu.mean.toFixed(3)} +- ${mu.sd.toFixed(3)} (mcse ${mu.mcseMean.toFixed(3)} / ${mu.mcseSd.toFixed(3)}; quadrature ${ref.mean.toFixed(3)} +- ${ref.sd.toFixed(3)}), tau ${tau.mean.toFixed(3)} +- ${tau.sd.toFixed(3)}, divergences ${s.divergences}`);
    expect(s.divergences).toBe(0);
    expect(Math.abs(mu.mean - ref.mean)).toBeLessThan(4 * mu.mcseMean);
    expect(Math.abs(mu.sd - ref.sd)).toBeLessThan(4 * mu.mcseSd);
    expect(mu.rhat).toBeLessThan(1.01);
    expect(tau.rhat).toBeLessThan(1.01);
    expect(s.parameters[2].key).toBe('theta[0]');
  });
});
