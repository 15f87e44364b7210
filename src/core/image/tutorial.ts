/**
 * The fitting-methods problem of AstroPhot's tutorial ("Fitting Methods", three-Sersic version):
 * a 99 x 99 image, Gaussian PSF (sigma 2 px on a 21 x 21 grid), flat sky F = 1.5 and three Sersic
 * galaxies, noise of standard deviation sqrt(model)/2 with variance model/4. Simulated here with our
 * own seeded generator (the tutorial's values; its position angles given in today's convention,
 * measured from +x counter-clockwise). Used by tests, the bench and the app's image demo.
 */
import type { Dataset } from '../data/dataset';
import type { ModelDoc } from '../model/document';
import { createRng } from '../random';
import { compileForDataset } from '../fit/compile-view';
import { gaussianPsf } from './psf';

const DEG = Math.PI / 180;

export interface SersicValues {
  x: number;
  y: number;
  q: number;
  /** radians */
  PA: number;
  n: number;
  Re: number;
  Ie: number;
}

export const TUTORIAL_TRUTH: { F: number; sersics: SersicValues[] } = {
  F: 1.5,
  sersics: [
    { x: 68.44035491, y: 65.58516735, q: 0.54945988, PA: 37.19794926 * DEG, n: 2.14513004, Re: 22.05219055, Ie: 2.45583024 },
    { x: 54.00353786, y: 41.54430634, q: 0.40203928, PA: 172.03862521 * DEG, n: 2.88613347, Re: 12.095631, Ie: 2.76711163 },
    { x: 43.13601431, y: 58.3422508, q: 0.71894728, PA: 77.07973506 * DEG, n: 3.964371, Re: 5.3767236, Ie: 2.41520244 },
  ],
};

export const TUTORIAL_START: { F: number; sersics: SersicValues[] } = {
  F: 1.4,
  sersics: [
    { x: 67, y: 66, q: 0.6, PA: 40 * DEG, n: 1.5, Re: 25, Ie: 2 },
    { x: 55, y: 40, q: 0.5, PA: 170 * DEG, n: 2, Re: 10, Ie: 3 },
    { x: 41, y: 60, q: 0.8, PA: 80 * DEG, n: 3, Re: 5, Ie: 2 },
  ],
};

/** FlatSky + Sersic, Sersic_1, Sersic_2 with the natural bounds of each type. */
export function tutorialModel(v: { F: number; sersics: SersicValues[] } = TUTORIAL_START): ModelDoc {
  const p = (value: number, lower: number | null = null, upper: number | null = null) => ({ value, lower, upper, fixed: false });
  return {
    components: [
      { name: 'FlatSky', type: 'FlatSky', active: true, params: { F: p(v.F) } },
      ...v.sersics.map((s, k) => ({
        name: k === 0 ? 'Sersic' : `Sersic_${k}`,
        type: 'Sersic',
        active: true,
        params: { x: p(s.x), y: p(s.y), q: p(s.q, 0.01, 1), PA: p(s.PA), n: p(s.n, 0.36, 8), Re: p(s.Re, 0.01), Ie: p(s.Ie) },
      })),
    ],
  };
}

/** An image dataset on the rows x cols grid (coords x = column, y = row), no values yet. */
export function emptyImage(name: string, rows: number, cols: number): Dataset {
  const n = rows * cols;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      x[i * cols + j] = j;
      y[i * cols + j] = i;
    }
  }
  return { name, kind: 'image', shape: [rows, cols], coords: { x, y }, values: new Float64Array(n) };
}

export interface TutorialImage {
  dataset: Dataset;
  /** the noiseless model image */
  truth: Float64Array;
  variance: Float64Array;
}

/** The tutorial's image, simulated with a seeded generator. */
export function simulateTutorialImage(seed = 42, size = 99): TutorialImage {
  const dataset = emptyImage('tutorial.fits', size, size);
  dataset.psf = { ...gaussianPsf(2, 21), source: 'Gaussian sigma 2 px, 21 x 21' };
  const compiled = compileForDataset(tutorialModel(TUTORIAL_TRUTH), dataset);
  const truth = new Float64Array(dataset.values.length);
  compiled.evaluate(compiled.layout.theta0, truth);
  const rng = createRng(seed);
  const variance = new Float64Array(truth.length);
  const sigma = new Float64Array(truth.length);
  for (let k = 0; k < truth.length; k++) {
    variance[k] = truth[k] / 4;
    sigma[k] = Math.sqrt(variance[k]);
    dataset.values[k] = truth[k] + rng.normal(0, sigma[k]);
  }
  dataset.sigma = sigma;
  return { dataset, truth, variance };
}
