/**
 * Timings of the tutorial problem (tutorial.ts), in whatever thread runs it: Node (bench/image-bench.ts)
 * or a browser worker (the image view can call benchTutorial there). Pure core: no timers of its
 * own, the clock is passed in.
 *
 *   evalMs      one model evaluation with PSF convolution (99 x 99, three Sersics and a sky)
 *   jacobianMs  the model and its 22 Jacobian columns (what each LM iteration uses)
 *   gradientMs  the model and the gradient of chi-square (the adjoint route NUTS / HMC use)
 *   lmMs        the LM fit from the tutorial's start (fitModel, method lm), with its nfev
 *   nutsMsPerIteration, hmcMsPerIteration: 20 warm-up + 100 draws started at the LM optimum with
 *               the LM covariance as the (dense) inverse mass matrix, held fixed as AstroPhot does;
 *               the chain's time over its 120 iterations, warm-up included. That is the basis of
 *               AstroPhot's figures: its NUTS and HMC are Pyro's, whose progress bar counts
 *               warmup_steps + num_samples steps and shows the time per step (s/it; Pyro's
 *               pyro/infer/mcmc/logger.py, ProgressBar). nutsMsPerKeptDraw, hmcMsPerKeptDraw: the
 *               same time over the 100 kept draws only (the warm-up's cost charged to them). With
 *               samplerRuns > 1, medians over that many runs of the same chain.
 * AstroPhot's reference (its tutorial on this problem): NUTS 3.26 s and HMC 2.87 s per iteration.
 */
import { fitModel } from '../fit/fit-model';
import type { Dataset } from '../data/dataset';
import { buildPosterior, type Posterior } from '../fit/posterior';
import type { FitResult } from '../fit/result';
import { defaultFitSettings, type FitSettings } from '../fit/settings';
import { setValues } from '../model/edit';
import { compileForDataset } from '../fit/compile-view';
import { interiorPoint, sampleHmc, sampleNuts, type HamiltonianChainResult } from '../sample';
import { isImageModel } from './image-model';
import type { CompiledModel } from '../model/compile';
import type { ModelDoc } from '../model/document';
import { simulateTutorialImage, tutorialModel } from './tutorial';

/** AstroPhot's tutorial: seconds per iteration (Pyro's s/it, warm-up included; see the header) */
export const ASTROPHOT_NUTS_S_PER_ITERATION = 3.26;
export const ASTROPHOT_HMC_S_PER_ITERATION = 2.87;
/** AstroPhot's tutorial HMC: a fixed 20 leapfrog steps (epsilon 0.01) per iteration */
export const ASTROPHOT_HMC_LEAPFROG_STEPS = 20;

export interface TutorialBench {
  evalMs: number;
  jacobianMs: number;
  gradientMs: number;
  lmMs: number;
  lmNfev: number;
  lmReducedChi2: number;
  /** threads the samplers' gradients ran on (1 unless options.gradientThreads gave more) */
  samplerThreads?: number;
  /** ms per iteration, warm-up included (AstroPhot's basis; see the header) */
  nutsMsPerIteration?: number;
  /** the time per iteration of each run (nutsMsPerIteration is their median) */
  nutsMsPerIterationRuns?: number[];
  /** ms per kept draw, the warm-up's time included */
  nutsMsPerKeptDraw?: number;
  nutsGradientsPerIteration?: number;
  nutsAcceptance?: number;
  nutsDivergences?: number;
  hmcMsPerIteration?: number;
  hmcMsPerIterationRuns?: number[];
  hmcMsPerKeptDraw?: number;
  hmcGradientsPerIteration?: number;
  hmcAcceptance?: number;
}

export interface TutorialBenchOptions {
  now: () => number;
  /** repetitions of the model evaluations (median) */
  reps?: number;
  /** LM fits (median) */
  fits?: number;
  samplers?: boolean;
  /** each sampler runs the same chain this many times; its times are the medians (default 1) */
  samplerRuns?: number;
  /**
   * Splits the samplers' gradients across threads: called with the posterior's compiled model (and
   * the model and data it was compiled from) before NUTS and HMC run; what it returns is closed after.
   * Node passes the worker threads of src/cli/gradient-threads.ts; null or absent: one thread.
   */
  gradientThreads?: (compiled: CompiledModel, model: ModelDoc, dataset: Dataset) => { close(): void; threads: number } | null;
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** The fit covariance as a flat n x n array in the posterior's key order. */
function covarianceOf(fit: FitResult, keys: string[]): number[] {
  const idx = keys.map((k) => fit.parameterOrder.indexOf(k));
  const out: number[] = [];
  for (const i of idx) for (const j of idx) out.push(fit.covariance![i][j]);
  return out;
}

/**
 * The posterior of the tutorial around an LM fit (the fit's values in the model), the optimum as
 * the start (moved inside the bounds) and the fit covariance in the posterior's order: what
 * AstroPhot's samplers start from.
 */
export function samplingFromFit(dataset: Dataset, fit: FitResult): { posterior: Posterior; start: number[]; covariance: number[]; model: ModelDoc } {
  const model = setValues(tutorialModel(), fit.values);
  const posterior = buildPosterior(dataset, model, { ...defaultFitSettings(), method: 'lm' });
  const keys = posterior.keys;
  const start = Array.from(interiorPoint(Float64Array.from(keys, (k) => fit.values[k]), posterior.lower, posterior.upper));
  return { posterior, start, covariance: covarianceOf(fit, keys), model };
}

/** calls before the timed ones */
const WARM_UP_CALLS = 10;

export function benchTutorial(options: TutorialBenchOptions): TutorialBench {
  const { now } = options;
  const reps = options.reps ?? 20;
  const sim = simulateTutorialImage();
  const settings: FitSettings = { ...defaultFitSettings(), method: 'lm' };
  const c = compileForDataset(tutorialModel(), sim.dataset);
  if (!isImageModel(c)) throw new Error('the tutorial should compile to an image model');
  const n = c.n;
  const th = c.layout.theta0;
  const out = new Float64Array(n);
  const J = new Float64Array(n * c.nFree);
  const g = new Float64Array(c.nFree);
  const y = sim.dataset.values;
  const iv = Float64Array.from(sim.variance, (v) => 1 / v);
  const chi2 = (m: Float64Array, w: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const r = m[i] - y[i];
      s += r * r * iv[i];
      w[i] = 2 * r * iv[i];
    }
    return s;
  };
  const time = (f: () => void): number => {
    // warm-up calls first (V8 optimises the code over the first calls): the steady state is timed
    for (let k = 0; k < WARM_UP_CALLS; k++) f();
    const t: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = now();
      f();
      t.push(now() - t0);
    }
    return median(t);
  };
  const evalMs = time(() => c.evaluate(th, out));
  const jacobianMs = time(() => c.evaluateWithJacobianColumns(th, out, J));
  const gradientMs = time(() => c.evaluateWithAdjoint(th, out, chi2, g));
  const fits: { ms: number; r: FitResult }[] = [];
  for (let k = 0; k < (options.fits ?? 3); k++) {
    const t0 = now();
    const r = fitModel(sim.dataset, tutorialModel(), settings);
    fits.push({ ms: now() - t0, r });
  }
  const lm = fits[0].r;
  const res: TutorialBench = {
    evalMs,
    jacobianMs,
    gradientMs,
    lmMs: median(fits.map((f) => f.ms)),
    lmNfev: lm.nfev,
    lmReducedChi2: lm.reducedStatistic ?? NaN,
  };
  if (options.samplers === false) return res;
  const { posterior, start, covariance, model } = samplingFromFit(sim.dataset, lm);
  const team = options.gradientThreads?.(posterior.objective.compiled, model, sim.dataset) ?? null;
  res.samplerThreads = team ? team.threads : 1;
  try {
    sampleBoth(res, posterior, start, covariance, now, Math.max(1, options.samplerRuns ?? 1));
  } finally {
    team?.close();
  }
  return res;
}

/** NUTS and HMC from the LM optimum (see the header), timed into res */
function sampleBoth(res: TutorialBench, posterior: Posterior, start: number[], covariance: number[], now: () => number, runs: number): void {
  let grads = 0;
  const counted = {
    ...posterior,
    logDensityAndGradient(t: Float64Array, gr: Float64Array) {
      grads++;
      return posterior.logDensityAndGradient(t, gr);
    },
  };
  const tune = 20;
  const common = { draws: 100, tune, seed: 3, start, metric: 'dense' as const, initialInverseMass: covariance, adaptMass: false };
  for (const which of ['nuts', 'hmc'] as const) {
    // the same chain (same seed) `runs` times: the median times, every run's kept
    const elapsed: number[] = [];
    let r!: HamiltonianChainResult;
    for (let k = 0; k < runs; k++) {
      grads = 0;
      const t0 = now();
      r = which === 'nuts' ? sampleNuts(counted, common) : sampleHmc(counted, common);
      elapsed.push(now() - t0);
    }
    const iterations = r.nDraws + tune;
    const perIteration = elapsed.map((ms) => ms / iterations);
    const perKept = median(elapsed) / r.nDraws;
    if (which === 'nuts') {
      res.nutsMsPerIteration = median(perIteration);
      res.nutsMsPerIterationRuns = perIteration;
      res.nutsMsPerKeptDraw = perKept;
      res.nutsGradientsPerIteration = grads / iterations;
      res.nutsAcceptance = r.acceptRate;
      res.nutsDivergences = r.divergences;
    } else {
      res.hmcMsPerIteration = median(perIteration);
      res.hmcMsPerIterationRuns = perIteration;
      res.hmcMsPerKeptDraw = perKept;
      res.hmcGradientsPerIteration = grads / iterations;
      res.hmcAcceptance = r.acceptRate;
    }
  }
}
