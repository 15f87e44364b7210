/**
 * Posterior sampling in the app: a zustand store of its own and module-level actions. Everything
 * belongs to one single-dataset fit (the app store's session.result): a new fit clears it.
 * Chains run on the sampler workers (src/workers/sampler-pool.ts), one chain per worker; progress
 * and segments of draws stream into this store, so the progress bars and trace plots move live.
 * When every chain is done (or cancelled: what was drawn is kept) the page summarises the chains
 * (core/sample/diagnostics.ts), finds the MAP sample and computes the posterior predictive band.
 */
import { createStore } from 'zustand/vanilla';
import type { FitResult } from '../core/fit/result';
import { setValues } from '../core/model/edit';
import { summarizeChains, type ChainResult, type PosteriorSummary } from '../core/sample';
import { mapSample, prepareSampling, type SamplerChoice } from '../workers/sampler-chain';
import { SamplerPool, type SamplerTask } from '../workers/sampler-pool';
import { finishedChains, queuedChains, runChainJobs, storeChainView, type ChainRunOutcome, type ChainStatus } from './chain-run';
import type { SamplerJob } from '../workers/sampler-protocol';
import { posteriorPredictive, type PredictiveBand } from './sampler-predictive';
import { store } from './store';
import { viewDataset } from './cube-session';

export interface SamplerConfig {
  sampler: SamplerChoice;
  /** chains (ensemble: independent ensembles) */
  chains: number;
  /** kept draws per chain (ensemble: kept steps per walker) */
  draws: number;
  /** warm-up iterations (ensemble: burn-in steps) */
  tune: number;
  seed: number;
  /** the fit covariance as the initial inverse mass matrix (NUTS, HMC) or proposal (Metropolis) */
  massFromFit: boolean;
}

export type { ChainStatus };

export interface SamplerOutcome {
  config: SamplerConfig;
  /** chains with at least one draw, in chain order */
  results: ChainResult[];
  /** chain number (0-based) of each entry of results */
  chainIndex: number[];
  summary: PosteriorSummary | null;
  /** summary, MAP and band problems, failures, notes: shown in words */
  warnings: string[];
  map: { chain: number; index: number; theta: number[]; logDensity: number } | null;
  band: PredictiveBand | null;
  elapsedMs: number;
  workers: number;
  cancelled: boolean;
  divergences: number;
  acceptance: number;
}

export interface SamplerState {
  /** the fit everything here belongs to */
  result: FitResult | null;
  keys: string[];
  /** best fit (posterior order) */
  best: number[];
  /** fit covariance on the posterior scale: n x n row-major, n variances, or null */
  covariance: number[] | null;
  config: SamplerConfig;
  running: boolean;
  cancelling: boolean;
  chains: ChainStatus[];
  /** draws streamed so far, per chain (segments merged) */
  live: (ChainResult | null)[];
  outcome: SamplerOutcome | null;
  /** parameters in the corner plot (null: the first four) */
  cornerKeys: string[] | null;
  showEllipses: boolean;
  error: string | null;
}

export const DEFAULT_CONFIG: SamplerConfig = { sampler: 'nuts', chains: 4, draws: 1000, tune: 1000, seed: 1, massFromFit: true };

export const samplerStore = createStore<SamplerState>(() => ({
  result: null,
  keys: [],
  best: [],
  covariance: null,
  config: { ...DEFAULT_CONFIG },
  running: false,
  cancelling: false,
  chains: [],
  live: [],
  outcome: null,
  cornerKeys: null,
  showEllipses: true,
  error: null,
}));

let pool: SamplerPool | null = null;
let task: SamplerTask | null = null;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function setSamplerConfig(patch: Partial<SamplerConfig>): void {
  samplerStore.setState((s) => ({ config: { ...s.config, ...patch } }));
}

export function setCornerKeys(keys: string[]): void {
  samplerStore.setState({ cornerKeys: keys });
}

export function setShowEllipses(on: boolean): void {
  samplerStore.setState({ showEllipses: on });
}

/** Why sampling is not available now, or null. */
export function samplingUnavailable(result: FitResult | null): string | null {
  if (!result) return 'Fit first: the chains start from the best fit, spread by its covariance.';
  if (result.datasets) return 'Sampling works on single-dataset fits; this result comes from several datasets. Fit one dataset with Fit to sample its posterior.';
  return null;
}

function clampInt(v: number, lo: number, hi: number, fallback: number): number {
  return Number.isFinite(v) ? Math.max(lo, Math.min(hi, Math.round(v))) : fallback;
}

/** Samples the posterior of the current fit with the store's configuration. */
export async function runSampling(): Promise<void> {
  const s0 = samplerStore.getState();
  if (s0.running) return;
  const { session } = store.getState();
  const result = session.result;
  const why = samplingUnavailable(result);
  if (why) {
    samplerStore.setState({ error: why });
    return;
  }
  const dataset = viewDataset(session);
  if (!dataset) {
    samplerStore.setState({ error: 'No dataset' });
    return;
  }
  syncResult(result);
  const c = s0.config;
  const config: SamplerConfig = {
    ...c,
    chains: clampInt(c.chains, 1, 64, 4),
    draws: clampInt(c.draws, 1, 1_000_000, 1000),
    tune: clampInt(c.tune, 0, 1_000_000, 1000),
    seed: clampInt(c.seed, 0, Number.MAX_SAFE_INTEGER, 1),
  };
  const model = setValues(session.model, result!.values);
  const settings = session.fit;
  let setup: ReturnType<typeof prepareSampling>;
  try {
    setup = prepareSampling(dataset, session.model, settings, result!, config.chains, config.seed);
  } catch (e) {
    samplerStore.setState({ error: message(e) });
    return;
  }
  const { keys } = setup;
  const jobs: SamplerJob[] = setup.seeds.map((seed, chain) => ({
    chain,
    dataset,
    model,
    settings,
    spec: { sampler: config.sampler, draws: config.draws, tune: config.tune, seed, start: setup.starts[chain], covariance: setup.covariance, massFromFit: config.massFromFit },
    segmentMs: 250,
    progressMs: 100,
  }));
  const total = config.tune + config.draws;
  samplerStore.setState({
    keys,
    best: Array.from(setup.best),
    covariance: setup.covariance,
    config,
    running: true,
    cancelling: false,
    chains: queuedChains(jobs.length, total),
    live: jobs.map(() => null),
    outcome: null,
    error: null,
  });
  // a run whose fit is no longer the one shown stops updating the store
  const mine = () => samplerStore.getState().result === result;
  pool ??= new SamplerPool();
  const t0 = performance.now();
  let run: ChainRunOutcome;
  try {
    run = await runChainJobs(pool, jobs, config.draws, config.tune, storeChainView(samplerStore, (t) => (task = t), mine));
  } catch (e) {
    task = null;
    samplerStore.setState({ running: false, error: message(e) });
    return;
  }
  task = null;
  if (!mine()) {
    samplerStore.setState({ running: false, cancelling: false });
    return;
  }
  const { all, results, chainIndex, failures, cancelled, workers } = run;
  samplerStore.setState((s) => ({ chains: finishedChains(s.chains, all), live: all }));
  const warnings = [...failures, ...setup.notes];
  let summary: PosteriorSummary | null = null;
  if (results.length > 0) {
    try {
      summary = summarizeChains(results);
      warnings.push(...summary.warnings);
    } catch (e) {
      warnings.push(`no summary: ${message(e)}`);
    }
  } else warnings.push(cancelled ? 'Cancelled before any draw was kept (still warming up): nothing to summarise.' : 'No chain produced draws.');
  const mapS = results.length > 0 ? mapSample(results) : null;
  const map = mapS ? { ...mapS, chain: chainIndex[mapS.chain] } : null;
  let band: PredictiveBand | null = null;
  // images show their model and residual maps; a predictive band over pixel order would mean nothing
  if (results.length > 0 && dataset.kind !== 'image') {
    try {
      band = posteriorPredictive(dataset, model, settings, keys, results, map?.theta ?? null, { seed: config.seed });
    } catch (e) {
      warnings.push(message(e));
    }
  }
  const nd = results.reduce((a, r) => a + r.nDraws, 0);
  samplerStore.setState({
    running: false,
    cancelling: false,
    outcome: {
      config,
      results,
      chainIndex,
      summary,
      warnings,
      map,
      band,
      elapsedMs: performance.now() - t0,
      workers,
      cancelled,
      divergences: results.reduce((a, r) => a + r.divergences, 0),
      acceptance: nd > 0 ? results.reduce((a, r) => a + r.acceptRate * r.nDraws, 0) / nd : NaN,
    },
  });
}

export function cancelSampling(): void {
  if (!task) return;
  samplerStore.setState({ cancelling: true });
  task.cancel();
}

/** Clears everything computed for another fit. */
function syncResult(result: FitResult | null): void {
  const s = samplerStore.getState();
  if (s.result === result) return;
  task?.cancel();
  samplerStore.setState({ result, keys: result?.parameterOrder ?? [], best: [], covariance: null, running: false, cancelling: false, chains: [], live: [], outcome: null, error: null, cornerKeys: null });
}

store.subscribe((state, prev) => {
  if (state.session.result !== prev.session.result) syncResult(state.session.result);
});

/** Scripting handle for the console and tests (beside window.fitbench). */
if (typeof window !== 'undefined') {
  (window as unknown as { fitbenchSampler: unknown }).fitbenchSampler = {
    store: samplerStore,
    actions: { runSampling, cancelSampling, setSamplerConfig, setCornerKeys, setShowEllipses },
  };
}
