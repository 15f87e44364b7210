/**
 * Seeded synthetic spectrum images for tests and benchmarks: an EDS-like map with a power-law
 * background (HyperSpy PowerLaw, origin 0) and four Gaussian lines (Si K 1.74, S K 2.31,
 * Ti K 4.51, Fe K 6.40 keV; sigma growing slowly with energy, as detector resolution does)
 * whose areas vary smoothly across the map: a gradient along x, a blob, a gradient along y and
 * a diagonal ramp. Counts are Poisson draws (random/poisson.ts) of the model evaluated at the
 * channel centres, so the truth is exactly the model of `edsModel` at the true values.
 */
import type { Dataset } from '../data/dataset';
import { compileModel } from '../model/compile';
import type { ComponentDoc, ModelDoc, ParameterDoc } from '../model/document';
import { createRng } from '../random/rng';

export interface EdsLine {
  name: string;
  centre: number;
  sigma: number;
}

export const EDS_LINES: EdsLine[] = [
  { name: 'Si', centre: 1.74, sigma: 0.045 },
  { name: 'S', centre: 2.31, sigma: 0.05 },
  { name: 'Ti', centre: 4.51, sigma: 0.06 },
  { name: 'Fe', centre: 6.4, sigma: 0.07 },
];

export interface EdsMapOptions {
  rows?: number;
  cols?: number;
  channels?: number;
  /** energy of channel 0 and channel width (keV) */
  offset?: number;
  scale?: number;
  seed?: number;
  /** multiplies all counts (1: peak heights of a few hundred counts) */
  intensity?: number;
  /** false: noise-free expected counts */
  noise?: boolean;
}

export interface SimulatedMap {
  cube: Dataset;
  /** true value of every parameter of `edsModel` per pixel */
  truth: Record<string, Float64Array>;
  /** expected counts (the noise-free cube values) */
  expected: Float64Array;
}

function p(value: number, lower: number | null = null, upper: number | null = null, fixed = false): ParameterDoc {
  return { value, lower, upper, fixed };
}

export interface EdsModelOptions {
  /** fix every line's sigma and centre and the background exponent (the linear case) */
  shapesFixed?: boolean;
  /** starting values: the document's (rough) ones, or a relative offset of the map's median truth */
  start?: 'rough' | 'near';
}

/**
 * The fitting model for `simulateEdsMap`: bg (PowerLaw A, r; origin fixed 0) and one Gaussian
 * per line (A >= 0; sigma in [0.02, 0.15]; centre within 0.1 keV of the line).
 */
export function edsModel(options: EdsModelOptions = {}): ModelDoc {
  const fixedShape = options.shapesFixed ?? false;
  const near = options.start === 'near';
  const components: ComponentDoc[] = [
    {
      name: 'bg',
      type: 'PowerLaw',
      active: true,
      params: { A: p(near ? 55 : 30, 0), r: p(1.5, 0, 5, fixedShape), origin: p(0, null, null, true) },
    },
  ];
  for (const line of EDS_LINES) {
    components.push({
      name: line.name,
      type: 'Gaussian',
      active: true,
      params: {
        A: p(near ? 40 : 20, 0),
        sigma: p(line.sigma * (fixedShape ? 1 : 1.2), 0.02, 0.15, fixedShape),
        centre: p(line.centre + (fixedShape ? 0 : 0.02), line.centre - 0.1, line.centre + 0.1, fixedShape),
      },
    });
  }
  return { components };
}

/** The true parameter values of pixel (r, c) on a rows x cols map (areas in counts x keV / channel units of the model). */
export function edsTruthAt(r: number, c: number, rows: number, cols: number, intensity = 1): Record<string, number> {
  const u = cols > 1 ? c / (cols - 1) : 0.5;
  const v = rows > 1 ? r / (rows - 1) : 0.5;
  const blob = Math.exp(-((u - 0.6) ** 2 + (v - 0.4) ** 2) / (2 * 0.2 ** 2));
  const out: Record<string, number> = {
    'bg.A': intensity * (50 + 20 * v),
    'bg.r': 1.4 + 0.2 * u,
    'bg.origin': 0,
  };
  const areas = [
    20 + 60 * u, // Si: gradient along x
    10 + 70 * blob, // S: a blob
    15 + 40 * v, // Ti: gradient along y
    25 + 30 * (u + v) * 0.5, // Fe: diagonal ramp
  ];
  EDS_LINES.forEach((line, i) => {
    out[`${line.name}.A`] = intensity * areas[i];
    out[`${line.name}.sigma`] = line.sigma;
    out[`${line.name}.centre`] = line.centre;
  });
  return out;
}

/** Sets a model document's values from a record of parameter keys. */
export function withValues(model: ModelDoc, values: Record<string, number>): ModelDoc {
  return {
    components: model.components.map((c) => ({
      ...c,
      params: Object.fromEntries(
        Object.entries(c.params).map(([name, doc]) => {
          const key = `${c.name}.${name}`;
          return [name, key in values ? { ...doc, value: values[key] } : { ...doc }];
        }),
      ),
    })),
  };
}

/** An EDS-like spectrum image with Poisson noise (deterministic for a seed). */
export function simulateEdsMap(options: EdsMapOptions = {}): SimulatedMap {
  const rows = options.rows ?? 16;
  const cols = options.cols ?? 16;
  const channels = options.channels ?? 256;
  const offset = options.offset ?? 0.2;
  const scale = options.scale ?? 0.04;
  const intensity = options.intensity ?? 1;
  const rng = createRng(options.seed ?? 1);
  const x = new Float64Array(channels);
  for (let k = 0; k < channels; k++) x[k] = offset + scale * k;
  const doc = edsModel({ shapesFixed: true });
  const P = rows * cols;
  const values = new Float64Array(P * channels);
  const expected = new Float64Array(P * channels);
  const truth: Record<string, Float64Array> = {};
  const spectrum = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const pix = r * cols + c;
      const t = edsTruthAt(r, c, rows, cols, intensity);
      for (const [key, v] of Object.entries(t)) (truth[key] ??= new Float64Array(P))[pix] = v;
      const compiled = compileModel(withValues(doc, t), { x }, channels, { allFree: true });
      compiled.evaluate(compiled.layout.theta0, spectrum);
      for (let k = 0; k < channels; k++) {
        const mu = spectrum[k];
        expected[pix * channels + k] = mu;
        values[pix * channels + k] = options.noise === false ? mu : rng.poisson(mu);
      }
    }
  }
  const cube: Dataset = {
    name: 'simulated EDS map',
    kind: 'cube',
    shape: [rows, cols, channels],
    coords: { x },
    values,
    labels: { x: 'keV', y: 'counts' },
    notes: [`simulated: ${rows} x ${cols} pixels, ${channels} channels, seed ${options.seed ?? 1}`],
  };
  return { cube, truth, expected };
}
