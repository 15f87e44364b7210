/**
 * The spectrum the app opens on: two Gaussian peaks on a linear background with unit Gaussian
 * noise, 400 points on x in [0, 100]. Peaks use HyperSpy's Gaussian,
 * f(x) = A / (sigma sqrt(2 pi)) exp(-(x - centre)^2 / (2 sigma^2)), A being the area.
 */
import { makeSpectrum, type Dataset } from './dataset';
import { createRng } from '../random';

export const DEMO_NAME = 'demo spectrum';

/** The parameters the demo was generated from. */
export const DEMO_TRUTH = {
  points: 400,
  xMin: 0,
  xMax: 100,
  peaks: [
    { A: 300, sigma: 3, centre: 35 },
    { A: 180, sigma: 5, centre: 62 },
  ],
  /** background a0 + a1 x */
  background: { a0: 5, a1: 0.02 },
  /** standard deviation of the added noise, also the sigma column */
  noise: 1,
} as const;

/** The noise-free demo model at x. */
export function demoModel(x: number): number {
  let y = DEMO_TRUTH.background.a0 + DEMO_TRUTH.background.a1 * x;
  for (const p of DEMO_TRUTH.peaks) {
    const z = (x - p.centre) / p.sigma;
    y += (p.A / (p.sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * z * z);
  }
  return y;
}

/** The demo spectrum; the same seed always gives the same numbers. */
export function makeDemoSpectrum(seed = 1): Dataset {
  const { points, xMin, xMax, noise } = DEMO_TRUTH;
  const rng = createRng(seed);
  const x = new Float64Array(points);
  const y = new Float64Array(points);
  const sigma = new Float64Array(points).fill(noise);
  for (let i = 0; i < points; i++) {
    x[i] = xMin + ((xMax - xMin) * i) / (points - 1);
    y[i] = demoModel(x[i]) + noise * rng.normal();
  }
  const d = makeSpectrum(DEMO_NAME, x, y, sigma);
  d.notes = [`generated (seed ${seed}): two Gaussians on a linear background, noise sd ${noise}`];
  d.labels = { x: 'x', y: 'y' };
  return d;
}

/** The demo as CSV text with header x,y,sigma (numbers written to round-trip exactly). */
export function demoCsv(seed = 1): string {
  const d = makeDemoSpectrum(seed);
  const x = d.coords.x;
  const s = d.sigma!;
  const lines = ['x,y,sigma'];
  for (let i = 0; i < d.values.length; i++) lines.push(`${x[i]},${d.values[i]},${s[i]}`);
  return lines.join('\n') + '\n';
}
