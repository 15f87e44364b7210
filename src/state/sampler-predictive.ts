/**
 * Posterior predictive band over the data: for S posterior draws spread evenly over all chains,
 * the model at every data point (the model curve's posterior) and a replicated dataset (the model
 * plus noise as the fit statistic assumes it: Gaussian of the point's sigma, or 1 without sigma,
 * for chi2 and Gaussian -ln L; Poisson for Cash and Poisson -ln L). Per point the 3 % / 97 %
 * quantiles of each (the 94 % band, as the summary's HDI), the median model, and the model of the
 * MAP sample (the draw with the highest log posterior).
 */
import type { Dataset } from '../core/data/dataset';
import type { FitSettings } from '../core/fit/settings';
import { compileForDataset } from '../core/fit/compile-view';
import type { ModelDoc } from '../core/model/document';
import { createRng } from '../core/random/rng';
import { poissonDraw } from '../core/random/poisson';
import type { ChainResult } from '../core/sample';

export interface PredictiveBand {
  dataset: Dataset;
  /** coverage of the bands (0.94) */
  prob: number;
  draws: number;
  /** per data point, in the dataset's order */
  modelLow: Float64Array;
  modelHigh: Float64Array;
  modelMedian: Float64Array;
  predLow: Float64Array;
  predHigh: Float64Array;
  /** model of the MAP sample, or null */
  mapModel: Float64Array | null;
  noise: 'gaussian' | 'poisson';
}

function quantileSorted(s: Float64Array, p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export function posteriorPredictive(
  dataset: Dataset,
  model: ModelDoc,
  settings: FitSettings,
  keys: string[],
  results: ChainResult[],
  map: number[] | null,
  options: { draws?: number; seed?: number; prob?: number } = {},
): PredictiveBand | null {
  const m = dataset.values.length;
  const compiled = compileForDataset(model, dataset);
  const free = compiled.layout.freeKeys;
  if (free.length !== keys.length || free.some((k, i) => k !== keys[i])) throw new Error('The model changed since the fit: no predictive band');
  const n = keys.length;
  const rows: Float64Array[] = [];
  for (const r of results) for (let i = 0; i < r.nDraws; i++) rows.push(r.draws.subarray(i * n, (i + 1) * n));
  if (rows.length === 0) return null;
  // at most ~4e6 model values, at least 20 draws
  const S = Math.min(rows.length, options.draws ?? 200, Math.max(20, Math.floor(4e6 / Math.max(1, m))));
  const prob = options.prob ?? 0.94;
  const noise: 'gaussian' | 'poisson' = settings.statistic === 'cash' || settings.statistic === 'poisson' ? 'poisson' : 'gaussian';
  const sigma = dataset.sigma;
  const rng = createRng(options.seed ?? 1);
  const models = new Float64Array(S * m);
  const preds = new Float64Array(S * m);
  const out = new Float64Array(m);
  for (let s = 0; s < S; s++) {
    const row = rows[Math.floor(((s + 0.5) * rows.length) / S)];
    compiled.evaluate(row, out);
    for (let i = 0; i < m; i++) {
      const mu = out[i];
      models[i * S + s] = mu;
      preds[i * S + s] = noise === 'poisson' ? poissonDraw(rng, Math.max(0, mu)) : mu + (sigma ? sigma[i] : 1) * rng.normal();
    }
  }
  const lo = (1 - prob) / 2;
  const hi = 1 - lo;
  const band: PredictiveBand = {
    dataset,
    prob,
    draws: S,
    modelLow: new Float64Array(m),
    modelHigh: new Float64Array(m),
    modelMedian: new Float64Array(m),
    predLow: new Float64Array(m),
    predHigh: new Float64Array(m),
    mapModel: null,
    noise,
  };
  for (let i = 0; i < m; i++) {
    const a = models.subarray(i * S, (i + 1) * S).sort();
    band.modelLow[i] = quantileSorted(a, lo);
    band.modelHigh[i] = quantileSorted(a, hi);
    band.modelMedian[i] = quantileSorted(a, 0.5);
    const b = preds.subarray(i * S, (i + 1) * S).sort();
    band.predLow[i] = quantileSorted(b, lo);
    band.predHigh[i] = quantileSorted(b, hi);
  }
  if (map) {
    band.mapModel = new Float64Array(m);
    compiled.evaluate(map, band.mapModel);
  }
  return band;
}
