/**
 * Benchmark problems, generated with the core's seeded generator so Fitbench and the peers
 * (lmfit) fit exactly the same numbers. Definitions match lmfit's models one to one:
 * Gaussian A/sigma/centre = amplitude/sigma/center; Voigt area/centre/sigma/gamma = amplitude/
 * center/sigma/gamma; Offset = ConstantModel c; Polynomial order 1 a0/a1 = intercept/slope.
 */
import { createRng } from '../src/core/random';
import { makeSpectrum, type Dataset } from '../src/core/data/dataset';
import type { ModelDoc } from '../src/core/model/document';
import * as edit from '../src/core/model/edit';
import { requireComponentType } from '../src/core/model/components/registry';

export interface BenchProblem {
  name: string;
  dataset: Dataset;
  model: ModelDoc;
  /** lmfit model kind and start values keyed by lmfit parameter names */
  peer: { model: '3gauss' | 'voigt2'; start: Record<string, number> };
  /** Fitbench key -> lmfit name */
  keyMap: Record<string, string>;
}

function simulate(
  name: string,
  n: number,
  x0: number,
  x1: number,
  comps: { type: string; options?: { order: number }; truth: Record<string, number>; start: Record<string, number>; peer: string[] }[],
  noise: number,
  seed: number,
  peerModel: '3gauss' | 'voigt2',
): BenchProblem {
  const rng = createRng(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = x0 + ((x1 - x0) * i) / (n - 1);
  const y = new Float64Array(n);
  const tmp = new Float64Array(n);
  let model: ModelDoc = { components: [] };
  const keyMap: Record<string, string> = {};
  const start: Record<string, number> = {};
  for (const c of comps) {
    const type = requireComponentType(c.type);
    const names = type.params(c.options).map((p) => p.name);
    type.evaluate(names.map((p) => c.truth[p]), { x }, tmp, null, n, c.options);
    for (let i = 0; i < n; i++) y[i] += tmp[i];
    const doc = edit.newComponent(model, c.type, c.options, c.start);
    model = edit.addComponent(model, doc);
    names.forEach((p, k) => {
      keyMap[`${doc.name}.${p}`] = c.peer[k];
      start[c.peer[k]] = c.start[p];
    });
  }
  const sigma = new Float64Array(n).fill(noise);
  for (let i = 0; i < n; i++) y[i] += noise * rng.normal();
  return { name, dataset: makeSpectrum(name, x, y, sigma), model, peer: { model: peerModel, start }, keyMap };
}

/** 3 Gaussians + offset, 1000 points. */
export function threeGaussians(): BenchProblem {
  return simulate(
    '3 Gaussians + offset (1000 points)',
    1000,
    0,
    100,
    [
      { type: 'Gaussian', truth: { A: 120, sigma: 2.5, centre: 25 }, start: { A: 80, sigma: 3.5, centre: 24 }, peer: ['g0_amplitude', 'g0_sigma', 'g0_center'] },
      { type: 'Gaussian', truth: { A: 200, sigma: 4, centre: 48 }, start: { A: 150, sigma: 3, centre: 49.5 }, peer: ['g1_amplitude', 'g1_sigma', 'g1_center'] },
      { type: 'Gaussian', truth: { A: 90, sigma: 1.5, centre: 70 }, start: { A: 60, sigma: 2.5, centre: 69 }, peer: ['g2_amplitude', 'g2_sigma', 'g2_center'] },
      { type: 'Offset', truth: { offset: 5 }, start: { offset: 3 }, peer: ['c_c'] },
    ],
    1,
    11,
    '3gauss',
  );
}

/** Voigt doublet + linear background, 2000 points. */
export function voigtDoublet(): BenchProblem {
  return simulate(
    'Voigt doublet + linear (2000 points)',
    2000,
    -20,
    20,
    [
      { type: 'Voigt', truth: { area: 100, centre: -2, sigma: 0.8, gamma: 0.5 }, start: { area: 70, centre: -2.4, sigma: 1, gamma: 0.3 }, peer: ['v0_amplitude', 'v0_center', 'v0_sigma', 'v0_gamma'] },
      { type: 'Voigt', truth: { area: 60, centre: 2.5, sigma: 0.6, gamma: 0.7 }, start: { area: 40, centre: 2.2, sigma: 1, gamma: 0.3 }, peer: ['v1_amplitude', 'v1_center', 'v1_sigma', 'v1_gamma'] },
      { type: 'Polynomial', options: { order: 1 }, truth: { a0: 3, a1: 0.05 }, start: { a0: 2, a1: 0 }, peer: ['l_intercept', 'l_slope'] },
    ],
    0.5,
    12,
    'voigt2',
  );
}
