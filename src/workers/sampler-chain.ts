/**
 * Posterior sampling around a fit, shared by the runner (src/cli/sample-command.ts, chains one
 * after another in Node) and the app's sampler workers (sampler.worker.ts, one chain per worker).
 *
 * prepareSampling: the posterior of the fit (core/fit/posterior.ts, evaluated with the model's
 * values set to the best fit), the best-fit vector, the fit covariance on the posterior's scale
 * (errors scaled by chi2/dof for data without sigma are unscaled again, since the posterior then
 * assumes sigma = 1), one seed per chain and dispersed start points: the best fit jittered
 * uniformly by +-2 standard deviations of the fit covariance in the unconstrained space
 * (core/sample/start.ts), so R-hat can see chains that have not mixed.
 *
 * runChain: one chain (for the ensemble sampler, one ensemble of walkers) from a ChainSpec. With
 * `segmentMs` finite, the kept draws come in segments of about that many milliseconds, each
 * handed to `onSegment` as soon as it is done, so the page can draw live traces and keep what was
 * drawn when a worker is terminated. The first call runs the warm-up and the first draws; each
 * later segment continues the same Markov chain with the adapted kernel held fixed:
 *   NUTS / HMC: the last draw as start, the final step size and inverse metric (carried back to
 *     the constrained space at that point, which setupHamiltonian carries forward again exactly),
 *     no adaptation;
 *   Metropolis: the final proposal covariance, no adaptation;
 *   ensemble: every walker's last position.
 * After warm-up these samplers are fixed Markov kernels, so the segments form one chain (each
 * segment draws from its own random stream, derived from the chain's seed). With segmentMs
 * Infinity (the runner) each chain is exactly one call of the core sampler.
 */
import type { Dataset } from '../core/data/dataset';
import { buildPosterior, type Posterior } from '../core/fit/posterior';
import type { FitResult } from '../core/fit/result';
import type { FitSettings } from '../core/fit/settings';
import type { ModelDoc } from '../core/model/document';
import { setValues } from '../core/model/edit';
import { createRng } from '../core/random/rng';
import {
  chainSeeds,
  interiorPoint,
  makeTransform,
  sampleEnsemble,
  sampleHmc,
  sampleMetropolis,
  sampleNuts,
  startPoints,
  type ChainResult,
  type EnsembleChainResult,
  type HamiltonianChainResult,
  type LogDensity,
  type MetropolisChainResult,
  type NutsChainResult,
  type SamplerPhase,
} from '../core/sample';
import { cholesky } from '../core/sample/linalg';

/** The samplers by their runner names ('mh' is the core's adaptive random-walk Metropolis). */
export type SamplerChoice = 'nuts' | 'hmc' | 'mh' | 'ensemble';
export const SAMPLER_CHOICES: SamplerChoice[] = ['nuts', 'hmc', 'mh', 'ensemble'];
export const SAMPLER_LABELS: Record<SamplerChoice, string> = {
  nuts: 'NUTS',
  hmc: 'HMC',
  mh: 'Metropolis (adaptive)',
  ensemble: 'Ensemble (emcee stretch)',
};

/** How the summary's diagnostics were computed (printed beside the summary by the runner and the app). */
export const CHAINS_METHOD =
  'chains: rank-normalised split R-hat (max of bulk and folded), bulk and tail ESS and MCSE over the chains (Vehtari et al. 2021, as arviz.summary); HDI 94 %';
export const ENSEMBLE_METHOD =
  "ensemble: each ensemble of walkers is one superchain; R-hat is the rank-normalised split nested R-hat over the ensembles (Margossian et al. 2024), not R-hat over walkers (walkers of one ensemble are not independent); ESS and MCSE from every walker as a chain after thinning by tau/2 (autocorrelations averaged over walkers, as emcee advises); tau is emcee's integrated autocorrelation time in steps; HDI 94 %";

export interface ChainSpec {
  sampler: SamplerChoice;
  /** kept draws (ensemble: kept steps per walker) */
  draws: number;
  /** warm-up iterations (ensemble: burn-in steps) */
  tune: number;
  seed: number;
  /** start point, constrained space */
  start: number[];
  /**
   * covariance of the constrained parameters (n x n row-major, or n variances): the initial
   * inverse metric (NUTS, HMC) or proposal covariance (Metropolis) when set; the ensemble's
   * initial ball always uses it when given
   */
  covariance?: number[] | null;
  /** use `covariance` as the initial inverse mass (NUTS / HMC) or proposal (Metropolis) */
  massFromFit?: boolean;
  /** NUTS / HMC metric (default 'auto': dense up to DENSE_METRIC_MAX parameters, diagonal above) */
  metric?: MetricChoice;
  /** ensemble walkers (default max(16, 4n), even) */
  walkers?: number;
}

export interface ChainHooks {
  /** iteration counts from 1 over tune + draws (ensemble: steps) */
  onProgress?: (iteration: number, phase: SamplerPhase) => void;
  /** each finished segment of kept draws (a ChainResult of that segment only) */
  onSegment?: (segment: ChainResult) => void;
  shouldStop?: () => boolean;
  now?: () => number;
  /** target wall time of a segment (default Infinity: one call) */
  segmentMs?: number;
  /** draws in the first segment (default 20) */
  firstSegment?: number;
}

export interface SamplingSetup {
  posterior: Posterior;
  keys: string[];
  /** best fit, free parameters in posterior order */
  best: Float64Array;
  /** fit covariance on the posterior's scale (n x n row-major), or variances, or null */
  covariance: number[] | null;
  /** true when covariance is the full matrix */
  covarianceFull: boolean;
  seeds: number[];
  starts: number[][];
  /** notes for the user (e.g. the sigma = 1 assumption) */
  notes: string[];
}

/** Posterior, best fit, covariance, seeds and start points for `chains` chains around a fit. */
export function prepareSampling(dataset: Dataset, model: ModelDoc, settings: FitSettings, result: FitResult, chains: number, seed: number): SamplingSetup {
  const posterior = buildPosterior(dataset, setValues(model, result.values), settings);
  const keys = posterior.keys;
  const n = keys.length;
  const order = result.parameterOrder;
  const best = new Float64Array(n);
  keys.forEach((k, i) => {
    const v = result.parameters[k]?.value ?? result.values[k];
    best[i] = Number.isFinite(v) ? v : posterior.theta0[i];
  });
  const notes: string[] = [];
  // the fit's errors were multiplied by sqrt(chi2/dof) for data without sigma; the posterior assumes sigma = 1
  const scale = result.errorsScaled && result.reducedStatistic && result.reducedStatistic > 0 ? 1 / result.reducedStatistic : 1;
  if (result.errorsScaled) notes.push('the data have no sigma: the posterior assumes sigma = 1 for every point (give sigmas, or the fit errors and the posterior widths differ)');
  let covariance: number[] | null = null;
  let covarianceFull = false;
  const idx = keys.map((k) => order.indexOf(k));
  if (result.covariance && idx.every((i) => i >= 0)) {
    covariance = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) covariance.push(result.covariance[idx[i]][idx[j]] * scale);
    covarianceFull = true;
    if (!positiveDefinite(n, covariance)) {
      covariance = diagonalOf(n, covariance);
      covarianceFull = false;
    }
  } else {
    const v = keys.map((k) => {
      const e = result.parameters[k]?.error;
      return e !== null && e !== undefined && e > 0 && Number.isFinite(e) ? e * e * scale : NaN;
    });
    if (v.every((x) => Number.isFinite(x))) covariance = v;
  }
  if (covariance && !covariance.every((x) => Number.isFinite(x))) covariance = null;
  const all = chainSeeds(seed, chains + 1);
  const seeds = all.slice(0, chains);
  const startSeed = all[chains];
  const center = interiorPoint(best, posterior.lower, posterior.upper);
  const starts = startPoints(posterior, center, chains, startSeed, covariance ? { covariance } : {}).map((p) => Array.from(p));
  if (!covariance) notes.push('the fit has no usable covariance: chains start within ±0.5 (unconstrained units) of the best fit');
  return { posterior, keys, best, covariance, covarianceFull, seeds, starts, notes };
}

function positiveDefinite(n: number, cov: ArrayLike<number>): boolean {
  const a = Float64Array.from(cov);
  return cholesky(n, a);
}

function diagonalOf(n: number, cov: ArrayLike<number>): number[] {
  return Array.from({ length: n }, (_, k) => cov[k * n + k]);
}

/** d x_k / d z_k at x (constrained -> unconstrained derivative of the samplers' transform). */
function jacobianDiagonal(ld: LogDensity, x: ArrayLike<number>): Float64Array {
  const t = makeTransform(ld.lower, ld.upper);
  const n = ld.n;
  const z = new Float64Array(n);
  const xx = new Float64Array(n);
  const dxdz = new Float64Array(n);
  const dlj = new Float64Array(n);
  t.toUnconstrained(interiorPoint(x, ld.lower, ld.upper), z);
  t.toConstrainedWithDerivatives(z, xx, dxdz, dlj);
  return dxdz;
}

/** An unconstrained (co)variance (length n or n x n) as the constrained one at x (inverse of covarianceToUnconstrained). */
export function covarianceToConstrained(ld: LogDensity, x: ArrayLike<number>, cu: ArrayLike<number>): Float64Array {
  const n = ld.n;
  const d = jacobianDiagonal(ld, x);
  const out = Float64Array.from(cu);
  if (cu.length === n) for (let k = 0; k < n; k++) out[k] = cu[k] * d[k] * d[k];
  else for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = cu[i * n + j] * d[i] * d[j];
  return out;
}

/** The last kept draw of a segment (ensemble: every walker's last position). */
function lastDraw(r: ChainResult): Float64Array {
  const n = r.n;
  return r.draws.slice((r.nDraws - 1) * n, r.nDraws * n);
}

function lastWalkers(r: EnsembleChainResult): Float64Array[] {
  const n = r.n;
  return Array.from({ length: r.walkers }, (_, w) => r.draws.slice((w * r.steps + r.steps - 1) * n, (w * r.steps + r.steps) * n));
}

function concat<T extends Float64Array | Uint8Array | Int32Array>(parts: T[], make: (len: number) => T): T {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const out = make(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Joins consecutive segments of one chain into one result (the first segment carries the warm-up facts). */
export function mergeSegments(segments: ChainResult[]): ChainResult {
  if (segments.length === 0) throw new RangeError('no segments to merge');
  if (segments.length === 1) return segments[0];
  const first = segments[0];
  const n = first.n;
  const nDraws = segments.reduce((s, r) => s + r.nDraws, 0);
  const base: ChainResult = {
    sampler: first.sampler,
    n,
    keys: first.keys,
    seed: first.seed,
    nDraws,
    draws: concat(segments.map((r) => r.draws.subarray(0, r.nDraws * n)), (l) => new Float64Array(l)),
    logDensity: concat(segments.map((r) => r.logDensity.subarray(0, r.nDraws)), (l) => new Float64Array(l)),
    acceptRate: nDraws > 0 ? segments.reduce((s, r) => s + (r.nDraws > 0 ? r.acceptRate * r.nDraws : 0), 0) / nDraws : NaN,
    divergences: segments.reduce((s, r) => s + r.divergences, 0),
    tuneDone: first.tuneDone,
    cancelled: segments.some((r) => r.cancelled),
    evaluations: segments.reduce((s, r) => s + r.evaluations, 0),
    elapsedMs: segments.reduce((s, r) => s + (r.elapsedMs ?? 0), 0),
  };
  if (first.sampler === 'ensemble') {
    const es = segments as EnsembleChainResult[];
    const W = es[0].walkers;
    const steps = es.reduce((s, r) => s + r.steps, 0);
    const draws = new Float64Array(W * steps * n);
    const lp = new Float64Array(W * steps);
    let o = 0;
    for (const r of es) {
      for (let w = 0; w < W; w++) {
        draws.set(r.draws.subarray(w * r.steps * n, (w + 1) * r.steps * n), (w * steps + o) * n);
        lp.set(r.logDensity.subarray(w * r.steps, (w + 1) * r.steps), w * steps + o);
      }
      o += r.steps;
    }
    const walkerAcceptance = new Float64Array(W);
    for (let w = 0; w < W; w++) {
      let s = 0;
      for (const r of es) if (r.steps > 0) s += r.walkerAcceptance[w] * r.steps;
      walkerAcceptance[w] = steps > 0 ? s / steps : NaN;
    }
    let acc = 0;
    for (let w = 0; w < W; w++) acc += walkerAcceptance[w];
    const out: EnsembleChainResult = { ...base, draws, logDensity: lp, nDraws: W * steps, acceptRate: acc / W, walkers: W, steps, thin: es[0].thin, walkerAcceptance };
    return out;
  }
  if (first.sampler === 'nuts' || first.sampler === 'hmc') {
    const hs = segments as HamiltonianChainResult[];
    const h: HamiltonianChainResult = {
      ...base,
      stepSize: hs[0].stepSize,
      inverseMass: hs[0].inverseMass,
      divergent: concat(hs.map((r) => r.divergent), (l) => new Uint8Array(l)),
      acceptStat: concat(hs.map((r) => r.acceptStat), (l) => new Float64Array(l)),
      nLeapfrog: concat(hs.map((r) => r.nLeapfrog), (l) => new Int32Array(l)),
      energy: concat(hs.map((r) => r.energy), (l) => new Float64Array(l)),
    };
    if (first.sampler === 'nuts') {
      const ns = segments as NutsChainResult[];
      const nr: NutsChainResult = {
        ...h,
        treeDepth: concat(ns.map((r) => r.treeDepth), (l) => new Uint8Array(l)),
        maxTreeDepthHits: ns.reduce((s, r) => s + r.maxTreeDepthHits, 0),
      };
      return nr;
    }
    return h;
  }
  const m = first as MetropolisChainResult;
  const mr: MetropolisChainResult = { ...base, proposalCovariance: m.proposalCovariance };
  return mr;
}

/** total iterations of a chain (ensemble: steps) as its progress counts them */
export function chainIterations(spec: ChainSpec): number {
  return spec.tune + spec.draws;
}

/** Runs one chain (or one ensemble) as described in the header. */
export function runChain(ld: LogDensity, spec: ChainSpec, hooks: ChainHooks = {}): ChainResult {
  const { sampler, draws, tune } = spec;
  const n = ld.n;
  const segmentMs = hooks.segmentMs ?? Infinity;
  const now = hooks.now ?? (() => Date.now());
  const segmented = Number.isFinite(segmentMs);
  const seedRng = createRng(spec.seed + 0x2545f491);
  const segments: ChainResult[] = [];
  const cov = spec.covariance && spec.covariance.length > 0 ? spec.covariance : null;
  const useMass = !!spec.massFromFit && cov !== null;
  let kept = 0;
  let size = segmented ? Math.min(draws, Math.max(1, hooks.firstSegment ?? 20)) : draws;
  let first = true;
  const metric = resolveMetric(spec.metric, n);
  const mhScale = (2.38 * 2.38) / Math.max(1, n);
  for (;;) {
    const offset = first ? 0 : tune + kept;
    const onProgress = hooks.onProgress ? (it: number, phase: SamplerPhase) => hooks.onProgress!(offset + it, first ? phase : 'sample') : undefined;
    const common = { draws: size, tune: first ? tune : 0, onProgress, progressInterval: 1, shouldStop: hooks.shouldStop, now };
    const prev = segments.length > 0 ? segments[segments.length - 1] : null;
    const seed = first ? spec.seed : seedRng.uint32() + 4294967296 * (seedRng.uint32() & 0x1fffff);
    const t0 = now();
    let r: ChainResult;
    if (sampler === 'nuts' || sampler === 'hmc') {
      const fn = sampler === 'nuts' ? sampleNuts : sampleHmc;
      if (first) {
        // a warm-up too short to estimate a metric (AstroPhot's tutorial uses 20 iterations) keeps the fit's
        const keepMass = useMass && tune < SHORT_WARMUP;
        r = fn(ld, { ...common, seed, start: spec.start, metric, ...(useMass ? { initialInverseMass: massFor(n, cov!, metric) } : {}), ...(keepMass ? { adaptMass: false } : {}) });
      } else {
        const h = prev as HamiltonianChainResult;
        const x = lastDraw(h);
        r = fn(ld, { ...common, seed, start: x, metric, initialStepSize: h.stepSize, initialInverseMass: covarianceToConstrained(ld, x, h.inverseMass), adaptMass: false, adaptStepSize: false });
        // keep the warm-up's step size and metric on every segment (the later calls do not adapt them)
        (r as HamiltonianChainResult).stepSize = h.stepSize;
        (r as HamiltonianChainResult).inverseMass = h.inverseMass;
      }
    } else if (sampler === 'mh') {
      if (first) {
        r = sampleMetropolis(ld, { ...common, seed, start: spec.start, ...(useMass ? { initialCovariance: cov! } : {}) });
      } else {
        const m = prev as MetropolisChainResult;
        const x = lastDraw(m);
        const c = covarianceToConstrained(ld, x, m.proposalCovariance).map((v) => v / mhScale);
        r = sampleMetropolis(ld, { ...common, seed, start: x, initialCovariance: c, adaptCovariance: false });
        (r as MetropolisChainResult).proposalCovariance = m.proposalCovariance;
      }
    } else {
      if (first) {
        r = sampleEnsemble(ld, { ...common, seed, start: spec.start, ...(spec.walkers ? { walkers: spec.walkers } : {}), ...(cov ? { initialCovariance: cov } : {}) });
      } else {
        r = sampleEnsemble(ld, { ...common, seed, initialWalkers: lastWalkers(prev as EnsembleChainResult) });
      }
    }
    if (!first) r.tuneDone = 0;
    const ms = now() - t0;
    segments.push(r);
    const got = r.sampler === 'ensemble' ? (r as EnsembleChainResult).steps : r.nDraws;
    kept += got;
    hooks.onSegment?.(r);
    if (r.cancelled || kept >= draws || got === 0) break;
    // the next segment: about segmentMs long at the pace of this one (the first includes the warm-up)
    const perDraw = first ? ms / Math.max(1, got + tune) : ms / Math.max(1, got);
    size = Math.max(1, Math.min(draws - kept, Math.round(segmentMs / Math.max(1e-3, perDraw))));
    first = false;
  }
  return mergeSegments(segments);
}

export type MetricChoice = 'diag' | 'dense' | 'auto';

/**
 * Below this many warm-up iterations a metric started from the fit covariance is kept as it is
 * (only the step size adapts): Stan's windows would re-estimate an n x n matrix from a handful of
 * draws (15 of 20 for the image tutorial's 22 parameters), which is worse than the fit's.
 */
export const SHORT_WARMUP = 150;

/**
 * Above this many parameters 'auto' adapts a diagonal metric: a dense one needs O(n^2) draws to
 * estimate and O(n^2) work per leapfrog step, and hierarchical models of hundreds of members are
 * close to diagonal once non-centred. Below it a dense metric removes the correlations (peak
 * areas and widths, amplitudes and backgrounds) that make diagonal NUTS take long trajectories.
 */
export const DENSE_METRIC_MAX = 64;

export function resolveMetric(choice: MetricChoice | undefined, n: number): 'diag' | 'dense' {
  if (choice === 'diag' || choice === 'dense') return choice;
  return n <= DENSE_METRIC_MAX ? 'dense' : 'diag';
}

function massFor(n: number, cov: number[], metric: 'diag' | 'dense'): number[] {
  if (metric === 'dense') {
    if (cov.length === n * n) return cov;
    const d = new Array<number>(n * n).fill(0);
    for (let k = 0; k < n; k++) d[k * n + k] = cov[k];
    return d;
  }
  return cov.length === n ? cov : diagonalOf(n, cov);
}

/** Draws of one chain as one row per kept draw: [chain, draw, walker?, theta...] (walker-major for ensembles). */
export function chainRows(r: ChainResult): { walker: number; draw: number; theta: Float64Array }[] {
  const n = r.n;
  const out: { walker: number; draw: number; theta: Float64Array }[] = [];
  if (r.sampler === 'ensemble') {
    const e = r as EnsembleChainResult;
    for (let w = 0; w < e.walkers; w++) for (let s = 0; s < e.steps; s++) out.push({ walker: w, draw: s, theta: r.draws.subarray((w * e.steps + s) * n, (w * e.steps + s + 1) * n) });
  } else {
    for (let i = 0; i < r.nDraws; i++) out.push({ walker: 0, draw: i, theta: r.draws.subarray(i * n, (i + 1) * n) });
  }
  return out;
}

/** The draw with the highest log posterior over all chains (the "MAP sample"). */
export function mapSample(results: ChainResult[]): { chain: number; index: number; theta: number[]; logDensity: number } | null {
  let best: { chain: number; index: number; theta: number[]; logDensity: number } | null = null;
  results.forEach((r, c) => {
    for (let i = 0; i < r.nDraws; i++) {
      const lp = r.logDensity[i];
      if (lp > (best?.logDensity ?? -Infinity)) best = { chain: c, index: i, theta: Array.from(r.draws.subarray(i * r.n, (i + 1) * r.n)), logDensity: lp };
    }
  });
  return best;
}
