/**
 * The segmented chain runner of the sampler workers: a chain cut into many short segments (the
 * adapted kernel held fixed after warm-up) still samples the exact posterior of a straight line,
 * and the merged result has the right shape.
 */
import { describe, expect, it } from 'vitest';
import { makeSpectrum } from '../core/data/dataset';
import { fitModel } from '../core/fit/fit-model';
import type { FitSettings } from '../core/fit/settings';
import type { ModelDoc } from '../core/model/document';
import { summarizeChains, type ChainResult, type EnsembleChainResult } from '../core/sample';
import { mapSample, mergeSegments, prepareSampling, runChain, type SamplerChoice } from './sampler-chain';

const xs = Array.from({ length: 20 }, (_, i) => 0.5 * i);
const sig = xs.map((_, i) => 0.3 + 0.05 * (i % 4));
const ys = xs.map((x, i) => 1.5 * x - 2 + sig[i] * Math.sin(7.1 * (i + 1)));
const data = makeSpectrum('line', xs, ys, sig);
// a bounded parameter, so the metric is carried through a non-trivial transform between segments
const model: ModelDoc = {
  components: [
    {
      name: '',
      type: 'Expression',
      active: true,
      options: { expr: 'a*x+b' },
      params: { a: { value: 1, lower: 0, upper: 10, fixed: false }, b: { value: 0, lower: null, upper: null, fixed: false } },
    },
  ],
};
const settings: FitSettings = { method: 'auto', statistic: 'chi2', ranges: [] };
const fit = fitModel(data, model, settings);

function exact(): { mean: number[]; sd: number[] } {
  let S = 0, Sx = 0, Sxx = 0, Sy = 0, Sxy = 0;
  xs.forEach((x, i) => {
    const w = 1 / sig[i] ** 2;
    S += w;
    Sx += w * x;
    Sxx += w * x * x;
    Sy += w * ys[i];
    Sxy += w * x * ys[i];
  });
  const D = S * Sxx - Sx * Sx;
  return { mean: [(S * Sxy - Sx * Sy) / D, (Sxx * Sy - Sx * Sxy) / D], sd: [Math.sqrt(S / D), Math.sqrt(Sxx / D)] };
}

function sampleSegmented(sampler: SamplerChoice, draws: number, tune: number): { results: ChainResult[]; segments: number[] } {
  const setup = prepareSampling(data, model, settings, fit, 4, 11);
  const segments: number[] = [];
  const results = setup.seeds.map((seed, c) => {
    let count = 0;
    const r = runChain(
      setup.posterior,
      { sampler, draws, tune, seed, start: setup.starts[c], covariance: setup.covariance, massFromFit: true },
      // tiny segments: every few draws a new core call
      { segmentMs: 0.05, firstSegment: 7, onSegment: () => count++, now: () => performance.now() },
    );
    segments.push(count);
    return r;
  });
  return { results, segments };
}

describe('segmented chains (sampler workers)', () => {
  for (const [sampler, draws, tune] of [
    ['nuts', 1000, 500],
    ['hmc', 1000, 500],
    ['mh', 4000, 2000],
    ['ensemble', 1500, 500],
  ] as [SamplerChoice, number, number][]) {
    it(`${sampler}: many segments, one chain, the exact posterior within 4 MCSE`, () => {
      const { results, segments } = sampleSegmented(sampler, draws, tune);
      for (const s of segments) expect(s).toBeGreaterThan(3);
      for (const r of results) {
        if (r.sampler === 'ensemble') expect((r as EnsembleChainResult).steps).toBe(draws);
        else expect(r.nDraws).toBe(draws);
        expect(r.tuneDone).toBe(tune);
        expect(r.cancelled).toBe(false);
      }
      const s = summarizeChains(results);
      const t = exact();
      s.parameters.forEach((p, k) => {
        expect(Math.abs(p.mean - t.mean[k]), `${p.key} mean`).toBeLessThan(4 * p.mcseMean);
        expect(Math.abs(p.sd - t.sd[k]), `${p.key} sd`).toBeLessThan(4 * p.mcseSd);
        expect(p.rhat).toBeLessThan(1.01);
      });
      const map = mapSample(results)!;
      expect(Math.abs(map.theta[0] - t.mean[0])).toBeLessThan(t.sd[0]);
    });
  }

  it('a stop request ends the chain with the draws so far, and merging keeps every row in order', () => {
    const setup = prepareSampling(data, model, settings, fit, 1, 2);
    let calls = 0;
    const segs: ChainResult[] = [];
    const r = runChain(
      setup.posterior,
      { sampler: 'nuts', draws: 1000, tune: 100, seed: setup.seeds[0], start: setup.starts[0] },
      { segmentMs: 0.05, firstSegment: 5, onSegment: (s) => segs.push(s), shouldStop: () => ++calls > 400, now: () => performance.now() },
    );
    expect(r.cancelled).toBe(true);
    expect(r.nDraws).toBeGreaterThan(0);
    expect(r.nDraws).toBeLessThan(1000);
    const m = mergeSegments(segs);
    expect(m.nDraws).toBe(r.nDraws);
    expect(Array.from(m.draws)).toEqual(Array.from(r.draws));
  });
});

describe('short warm-up with the fit covariance', () => {
  it('keeps the fit covariance as the metric (only the step size adapts) and still samples the exact posterior', () => {
    const setup = prepareSampling(data, model, settings, fit, 4, 5);
    const results = setup.seeds.map((seed, c) =>
      runChain(setup.posterior, { sampler: 'nuts', draws: 400, tune: 20, seed, start: setup.starts[c], covariance: setup.covariance, massFromFit: true, metric: 'dense' }),
    );
    for (const r of results) {
      expect(r.divergences).toBe(0);
      expect((r as ChainResult & { inverseMass: Float64Array }).inverseMass.length).toBe(4);
    }
    // b is unbounded (identity transform): its variance in the metric is the fit's, exactly
    const cov = setup.covariance!;
    for (const r of results) expect((r as ChainResult & { inverseMass: Float64Array }).inverseMass[3]).toBe(cov[3]);
    const s = summarizeChains(results);
    const ex = exact();
    s.parameters.forEach((p, k) => {
      expect(Math.abs(p.mean - ex.mean[k])).toBeLessThan(4 * p.mcseMean);
      expect(p.rhat).toBeLessThan(1.01);
    });
  });
});
