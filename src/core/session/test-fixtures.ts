/** Small but complete session documents for the session tests (every optional field used). */
import type { FitResult } from '../fit/result';
import type { SessionDoc } from './document';

export function sampleSession(): SessionDoc {
  const result: FitResult = {
    parameters: {
      'g1.A': { value: 10.5, error: 0.25, atBound: null },
      'g1.centre': { value: 2.0, error: null, errorReason: 'at a bound', atBound: 'lower' },
    },
    parameterOrder: ['g1.A', 'g1.centre'],
    values: { 'g1.A': 10.5, 'g1.centre': 2.0, 'g1.sigma': 0.5, 'bg.a0': 1 },
    covariance: [
      [0.0625, 0.001],
      [0.001, 0.04],
    ],
    correlation: [
      [1, 0.02],
      [0.02, 1],
    ],
    statistic: { name: 'chi2', value: 12.25 },
    dof: 8,
    reducedStatistic: 1.53125,
    nPoints: 10,
    converged: true,
    cancelled: false,
    message: 'converged: relative reduction below ftol',
    method: 'lm',
    nfev: 42,
    elapsedMs: 3.5,
    errorsScaled: false,
  };
  return {
    version: 1,
    datasets: [
      {
        name: 'peak.csv',
        kind: 'spectrum',
        shape: [6],
        coords: { x: Float64Array.from([0, 0.5, 1, 1.5, 2, 2.5]) },
        values: Float64Array.from([1.25, 2, NaN, 8.125, 3, -1e-300]),
        sigma: Float64Array.from([0.1, 0.1, 0.2, 0.2, 0.1, 1e300]),
        mask: Uint8Array.from([0, 0, 1, 0, 0, 0]),
        notes: ['1 row with NaN kept'],
        labels: { x: 'energy (keV)', y: 'counts' },
      },
      {
        name: 'galaxy.npy',
        kind: 'image',
        shape: [2, 3],
        coords: { x: Float64Array.from([0, 1, 2, 0, 1, 2]), y: Float64Array.from([0, 0, 0, 1, 1, 1]) },
        values: Float64Array.from([1, 2, 3, 4, 5, 6]),
      },
    ],
    activeDataset: 0,
    model: {
      components: [
        {
          name: 'g1',
          type: 'Gaussian',
          active: true,
          params: {
            A: { value: 10, lower: 0, upper: null, fixed: false, prior: { kind: 'loguniform', lower: 0.1, upper: 1000 } },
            centre: { value: 2, lower: 1.5, upper: 2.5, fixed: false, prior: { kind: 'gaussian', mu: 2, sigma: 0.1 } },
            sigma: { value: 0.5, lower: 0, upper: null, fixed: true },
          },
        },
        {
          name: 'g2',
          type: 'Gaussian',
          active: false,
          params: {
            A: { value: 5, lower: null, upper: null, fixed: false },
            centre: { value: 3, lower: null, upper: null, fixed: false, twin: { source: 'g1.centre', expr: 'x + 1' } },
            sigma: { value: 0.5, lower: 0, upper: null, fixed: false, twin: { source: 'g1.sigma' } },
          },
        },
        {
          name: 'bg',
          type: 'Polynomial',
          active: true,
          options: { order: 1 },
          params: {
            a0: { value: 1, lower: null, upper: null, fixed: false },
            a1: { value: -0.25, lower: null, upper: null, fixed: false },
          },
        },
        {
          name: 'wiggle',
          type: 'Expression',
          active: true,
          options: { expr: 'k * sin(w * x)' },
          params: {
            k: { value: 1, lower: null, upper: null, fixed: false },
            w: { value: 3.5, lower: null, upper: null, fixed: false },
          },
        },
      ],
    },
    fit: {
      method: 'lm',
      statistic: 'chi2',
      ranges: [
        { min: 0, max: 2.25, mode: 'include' },
        { min: 1, max: 1.25, mode: 'exclude' },
      ],
      maxIterations: 500,
    },
    result,
    view: { hiddenComponents: ['g2'] },
    stored: [],
  };
}

/** A tiny valid session for the fuzz test (keeps every run fast). */
export function tinySession(): SessionDoc {
  const s = sampleSession();
  return {
    ...s,
    datasets: [s.datasets[0]],
    model: { components: [s.model.components[0], s.model.components[1]] },
  };
}
