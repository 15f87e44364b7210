/**
 * AstroPhot's fitting-methods problem (99 x 99, Gaussian PSF sigma 2 px on 21 x 21, flat sky
 * F = 1.5, three Sersics, noise sd sqrt(model)/2 with variance model/4; tutorial.ts) fitted from the
 * tutorial's starting values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fitModel } from '../fit/fit-model';
import type { FitResult } from '../fit/result';
import { defaultFitSettings, type FitSettings } from '../fit/settings';
import { setValues } from '../model/edit';
import { sampleNuts } from '../sample';
import { samplingFromFit } from './tutorial-bench';
import { simulateTutorialImage, TUTORIAL_TRUTH, tutorialModel } from './tutorial';

const sim = simulateTutorialImage();
const truth: Record<string, number> = { 'FlatSky.F': TUTORIAL_TRUTH.F };
TUTORIAL_TRUTH.sersics.forEach((s, k) => {
  for (const [p, v] of Object.entries(s)) truth[`${k === 0 ? 'Sersic' : `Sersic_${k}`}.${p}`] = v;
});
const settings = (over: Partial<FitSettings> = {}): FitSettings => ({ ...defaultFitSettings(), ...over });

/** value - truth, position angles modulo pi */
function offset(key: string, value: number): number {
  const d = value - truth[key];
  return key.endsWith('.PA') ? d - Math.PI * Math.round(d / Math.PI) : d;
}

describe('the tutorial problem: 3 Sersics + sky, PSF sigma 2 px', () => {
  let lm: FitResult;
  beforeAll(() => {
    lm = fitModel(sim.dataset, tutorialModel(), settings({ method: 'lm' }));
  });

  it('LM from the tutorial start: reduced chi-square near 1, every parameter within 3 errors of the truth, PA in [0, pi)', () => {
    expect(lm.converged).toBe(true);
    expect(lm.parameterOrder).toHaveLength(22);
    expect(lm.nfev).toBeLessThan(40);
    expect(Math.abs(lm.reducedStatistic! - 1)).toBeLessThan(0.05);
    for (const key of lm.parameterOrder) {
      const p = lm.parameters[key];
      expect(p.error, key).toBeGreaterThan(0);
      expect(Math.abs(offset(key, p.value)) / p.error!, key).toBeLessThan(3);
    }
    for (const s of ['Sersic', 'Sersic_1', 'Sersic_2']) {
      // canonical position angles (the profiles are pi-periodic) and axis ratios in (0, 1]
      expect(lm.values[`${s}.PA`]).toBeGreaterThanOrEqual(0);
      expect(lm.values[`${s}.PA`]).toBeLessThan(Math.PI);
      expect(lm.values[`${s}.q`]).toBeGreaterThan(0);
      expect(lm.values[`${s}.q`]).toBeLessThanOrEqual(1);
    }
  });

  it('the chunked-Jacobian LM (J^T J from blocks of 5 columns) ends where the dense LM does (1e-4 of an error)', () => {
    // from 1.5 errors off the optimum, so that the test stays short
    const start: Record<string, number> = {};
    lm.parameterOrder.forEach((k, i) => (start[k] = lm.values[k] + 1.5 * lm.parameters[k].error! * Math.cos(2.3 * i)));
    const model = setValues(tutorialModel(), start);
    const dense = fitModel(sim.dataset, model, settings({ method: 'lm' }));
    const chunked = fitModel(sim.dataset, model, settings({ method: 'lm', jacobianChunk: 5 }));
    expect(chunked.method).toContain('chunked');
    expect(chunked.converged).toBe(true);
    // the adaptive pixel integration makes chi-square piecewise smooth (a pixel's subdivision can
    // change between parameter values: steps of ~tol in the model), so fits that take different
    // paths stop up to ~1e-7 apart (measured 5e-6 of an error at most), far below what matters
    for (const k of lm.parameterOrder) {
      const err = lm.parameters[k].error!;
      expect(Math.abs(chunked.values[k] - dense.values[k]), k).toBeLessThan(1e-4 * err);
      expect(Math.abs(chunked.values[k] - lm.values[k]), k).toBeLessThan(1e-4 * err);
      expect(chunked.parameters[k].error! / dense.parameters[k].error!, k).toBeCloseTo(1, 6);
    }
  });

  it('Iter (one component at a time) reaches the LM statistic within 2%', () => {
    const r = fitModel(sim.dataset, tutorialModel(), settings({ method: 'iter' }));
    expect(r.method).toBe('iter');
    expect(r.statistic.value / lm.statistic.value).toBeLessThan(1.02);
    expect(r.statistic.value / lm.statistic.value).toBeGreaterThan(1 - 1e-9);
  });

  it('Iter-LM (LM on chunks of 8 parameters) reaches the LM statistic within 2%', () => {
    const r = fitModel(sim.dataset, tutorialModel(), settings({ method: 'iterlm' }));
    expect(r.method).toBe('iterlm');
    expect(r.statistic.value / lm.statistic.value).toBeLessThan(1.02);
    expect(r.statistic.value / lm.statistic.value).toBeGreaterThan(1 - 1e-9);
  });

  it('NUTS (20 warm-up, 100 draws) from the LM optimum with its covariance as inverse mass: marginals as the LM errors', () => {
    const setup = samplingFromFit(sim.dataset, lm);
    const r = sampleNuts(setup.posterior, {
      draws: 100,
      tune: 20,
      seed: 5,
      start: setup.start,
      metric: 'dense',
      initialInverseMass: setup.covariance,
      adaptMass: false, // 20 warm-up draws cannot estimate a 22 x 22 covariance; keep the LM one (as AstroPhot)
    });
    expect(r.divergences).toBeLessThanOrEqual(2);
    expect(r.acceptRate).toBeGreaterThan(0.5);
    const keys = setup.posterior.keys;
    const n = keys.length;
    const ratios: number[] = [];
    keys.forEach((key, k) => {
      let m = 0;
      for (let i = 0; i < r.nDraws; i++) m += r.draws[i * n + k] / r.nDraws;
      let v = 0;
      for (let i = 0; i < r.nDraws; i++) v += (r.draws[i * n + k] - m) ** 2 / (r.nDraws - 1);
      const err = lm.parameters[key].error!;
      // posterior mean within one LM error of the optimum, posterior sd within a factor 1.8 of it
      expect(Math.abs(m - lm.parameters[key].value) / err, key).toBeLessThan(1);
      ratios.push(Math.sqrt(v) / err);
      expect(Math.sqrt(v) / err, key).toBeGreaterThan(1 / 1.8);
      expect(Math.sqrt(v) / err, key).toBeLessThan(1.8);
    });
    ratios.sort((a, b) => a - b);
    const median = ratios[Math.floor(n / 2)];
    expect(median).toBeGreaterThan(0.8);
    expect(median).toBeLessThan(1.25);
  });
});
