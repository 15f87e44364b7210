/**
 * The hierarchical-model panel's state and actions (module level, so tests and scripts can drive
 * them without React).
 *
 * Document: the model lives in the session document (`session.hierarchy`, saved, shared and undone
 * with the rest). The panel edits a draft; every edit that leaves a valid model (validateHierarchy)
 * is written to the session at once, while an invalid draft stays in the panel with its problems
 * listed (each naming its field) until it is fixed, so a saved or autosaved session always loads.
 * Undo, redo and opening a session replace the draft with the session's model.
 *
 * Sampling: NUTS chains of the session's model on the sampler workers (SamplerPool with
 * HierarchySamplerJobs, workers/hierarchy-chain.ts), with streamed progress and segments, Cancel
 * (what was drawn is kept), then the summary (core/sample/diagnostics.ts) over every parameter,
 * the MAP sample and the per-member warnings folded per group (core/hierarchy/summary.ts).
 */
import { createStore } from 'zustand/vanilla';
import { validateHierarchy, type HierarchyDoc, type HyperDoc, type MemberDoc, type ObservationDoc, type PopulationDoc } from '../core/hierarchy/document';
import * as edit from '../core/hierarchy/edit';
import { simulateStarCluster } from '../core/hierarchy/star-cluster';
import { collapseWarnings, keyLayout, type KeyLayout } from '../core/hierarchy/summary';
import { summarizeChains, type ChainResult, type PosteriorSummary } from '../core/sample';
import { prepareHierarchySampling } from '../workers/hierarchy-chain';
import { mapSample } from '../workers/sampler-chain';
import { SamplerPool, type SamplerTask } from '../workers/sampler-pool';
import { finishedChains, queuedChains, runChainJobs, storeChainView, type ChainRunOutcome, type ChainStatus } from './chain-run';
import type { HierarchySamplerJob } from '../workers/sampler-protocol';
import { store } from './store';

export interface HierarchyRunConfig {
  chains: number;
  draws: number;
  tune: number;
  seed: number;
}

export type HierarchyChainStatus = ChainStatus;

export interface HierarchyOutcome {
  config: HierarchyRunConfig;
  /** the model these draws belong to */
  doc: HierarchyDoc;
  layout: KeyLayout;
  results: ChainResult[];
  chainIndex: number[];
  summary: PosteriorSummary | null;
  warnings: string[];
  map: { chain: number; index: number; theta: number[]; logDensity: number } | null;
  elapsedMs: number;
  /** time per iteration of a chain (warm-up and draws), by the chains' own clocks */
  msPerIteration: number;
  workers: number;
  cancelled: boolean;
  divergences: number;
  acceptance: number;
}

export interface HierarchyState {
  /** what the panel shows: the session's model, or an edited one that is not valid yet */
  draft: HierarchyDoc | null;
  /** validateHierarchy(draft) */
  problems: string[];
  /** a remark on the last edit (e.g. a member count that followed the data) */
  note: string | null;
  config: HierarchyRunConfig;
  running: boolean;
  cancelling: boolean;
  chains: HierarchyChainStatus[];
  live: (ChainResult | null)[];
  /** layout of the keys of the running or last run */
  layout: KeyLayout | null;
  outcome: HierarchyOutcome | null;
  /** keys shown in the summary, trace and corner (null: the hyperparameters) */
  selection: string[] | null;
  error: string | null;
}

export const DEFAULT_HIERARCHY_RUN: HierarchyRunConfig = { chains: 4, draws: 500, tune: 500, seed: 1 };

export const hierarchyStore = createStore<HierarchyState>(() => {
  const h = store.getState().session.hierarchy ?? null;
  return {
    draft: h,
    problems: h ? validateHierarchy(h) : [],
    note: null,
    config: { ...DEFAULT_HIERARCHY_RUN },
    running: false,
    cancelling: false,
    chains: [],
    live: [],
    layout: null,
    outcome: null,
    selection: null,
    error: null,
  };
});

/** the model last written to the session by the panel (to tell its own writes from undo / load) */
let committed: HierarchyDoc | null = store.getState().session.hierarchy ?? null;
let pool: SamplerPool | null = null;
let task: SamplerTask | null = null;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function writeSession(doc: HierarchyDoc | null): void {
  committed = doc;
  store.setState((s) => {
    const session = { ...s.session };
    if (doc) session.hierarchy = doc;
    else delete session.hierarchy;
    return { session };
  });
}

/** Shows `next`; writes it to the session when it is valid. */
function apply(next: HierarchyDoc, note: string | null = null): void {
  const problems = validateHierarchy(next);
  hierarchyStore.setState({ draft: next, problems, note, error: null });
  if (problems.length === 0) writeSession(next);
}

/** Applies an edit of the draft. */
export function editHierarchy(f: (d: HierarchyDoc) => HierarchyDoc | { doc: HierarchyDoc; note: string | null }): void {
  const d = hierarchyStore.getState().draft;
  if (!d) return;
  const r = f(d);
  if ('hyper' in r) apply(r);
  else apply(r.doc, r.note);
}

store.subscribe((state, prev) => {
  const h = state.session.hierarchy ?? null;
  if (h === (prev.session.hierarchy ?? null) || h === committed) return;
  // undo, redo, an opened session or link: show the session's model
  committed = h;
  hierarchyStore.setState({ draft: h, problems: h ? validateHierarchy(h) : [], note: null });
});

/* ----------------------------------------------------------------- whole models */

/** The tutorial's star cluster: N stars at ~N(500 pc, 8.7 pc), parallaxes with errors 10^U(-2,-1) mas (seeded). */
export function loadStarClusterExample(seed = 1, n = 256): void {
  const sc = simulateStarCluster({ n, seed });
  apply(sc.doc, `star cluster example: ${n} simulated stars (true mu_r = ${sc.truth.mu_r} pc, sigma_r = ${sc.truth.sigma_r} pc, seed ${seed})`);
  hierarchyStore.setState({ selection: null });
}

export function newHierarchy(): void {
  apply(edit.blankHierarchy(), 'a new model: x_n ~ N(mu, sigma); add observations, or change the members');
  hierarchyStore.setState({ selection: null });
}

export function removeHierarchy(): void {
  hierarchyStore.setState({ draft: null, problems: [], note: null, error: null });
  writeSession(null);
}

/* ---------------------------------------------------------------- field edits */

export function addHyperparameter(): void {
  editHierarchy((d) => edit.addHyper(d).doc);
}

export function renameHyperparameter(from: string, to: string): void {
  editHierarchy((d) => edit.renameHyper(d, from, to));
}

export function setHyperparameter(name: string, h: HyperDoc): void {
  editHierarchy((d) => edit.setHyper(d, name, h));
}

export function removeHyperparameter(name: string): void {
  editHierarchy((d) => edit.removeHyper(d, name));
}

export function addMemberGroup(): void {
  editHierarchy((d) => edit.addMember(d));
}

export function renameMemberGroup(index: number, name: string): void {
  editHierarchy((d) => edit.renameMember(d, index, name));
}

export function setMemberGroup(index: number, patch: Partial<Omit<MemberDoc, 'name' | 'population'>>): void {
  editHierarchy((d) => edit.setMember(d, index, patch));
}

export function setMemberPopulation(index: number, patch: Partial<PopulationDoc>): void {
  editHierarchy((d) => edit.setPopulation(d, index, patch));
}

export function removeMemberGroup(index: number): void {
  editHierarchy((d) => edit.removeMember(d, index));
}

export function addObservationModel(): void {
  editHierarchy((d) => edit.addObservation(d));
}

export function setObservationModel(index: number, patch: Partial<ObservationDoc>): void {
  editHierarchy((d) => edit.setObservation(d, index, patch));
}

export function removeObservationModel(index: number): void {
  editHierarchy((d) => edit.removeObservation(d, index));
}

/** Column names of a loaded dataset: its source table's columns when known, else x / values / sigma. */
export function datasetColumns(datasetIndex: number): string[] {
  const { session, sources } = store.getState();
  const d = session.datasets[datasetIndex];
  if (!d) return [];
  const t = sources[d.name]?.table;
  if (t) return [...t.columns];
  return [...Object.keys(d.coords), 'values', ...(d.sigma ? ['sigma'] : [])];
}

function datasetColumn(datasetIndex: number, column: string): Float64Array | null {
  const { session, sources } = store.getState();
  const d = session.datasets[datasetIndex];
  if (!d) return null;
  const t = sources[d.name]?.table;
  if (t) {
    const i = t.columns.indexOf(column);
    return i >= 0 ? t.data[i] : null;
  }
  if (column === 'values') return d.values;
  if (column === 'sigma') return d.sigma ?? null;
  return d.coords[column] ?? null;
}

/**
 * Values and sigmas of observation `index` from columns of a loaded dataset (sigma: a column or
 * one number). Returns a problem naming the field, or null.
 */
export function observationFromDataset(index: number, datasetIndex: number, valueColumn: string, sigma: { column: string } | { value: number }): string | null {
  const ds = store.getState().session.datasets[datasetIndex];
  if (!ds) return 'Dataset: choose a loaded dataset';
  const values = datasetColumn(datasetIndex, valueColumn);
  if (!values) return `Values column: ${ds.name} has no column '${valueColumn}'`;
  let sigmas: Float64Array | number;
  if ('column' in sigma) {
    const s = datasetColumn(datasetIndex, sigma.column);
    if (!s) return `Sigma column: ${ds.name} has no column '${sigma.column}'`;
    sigmas = s;
  } else {
    if (!(Number.isFinite(sigma.value) && sigma.value > 0)) return 'Sigma: must be a number > 0';
    sigmas = sigma.value;
  }
  editHierarchy((d) => edit.setObservationData(d, index, values, sigmas));
  return null;
}

/** Values and sigmas of observation `index` from pasted text. Returns a problem naming the field, or null. */
export function observationFromText(index: number, valuesText: string, sigmasText: string): string | null {
  const v = edit.parseNumberList(valuesText);
  if (v.error) return `Pasted values: ${v.error}`;
  if (v.values.length === 0) return 'Pasted values: nothing to read';
  const s = edit.parseNumberList(sigmasText);
  if (s.error) return `Pasted sigmas: ${s.error}`;
  if (s.values.length !== 1 && s.values.length !== v.values.length) return `Pasted sigmas: give one number or ${v.values.length} (one per value), not ${s.values.length}`;
  const sig = s.values.length === 1 ? s.values[0] : s.values.map((x) => (x === null ? NaN : x));
  if (sig === null) return 'Pasted sigmas: the single sigma must be a number';
  editHierarchy((d) => edit.setObservationData(d, index, v.values, sig));
  return null;
}

/* ------------------------------------------------------------------- sampling */

export function setHierarchyRunConfig(patch: Partial<HierarchyRunConfig>): void {
  hierarchyStore.setState((s) => ({ config: { ...s.config, ...patch } }));
}

export function setHierarchySelection(keys: string[] | null): void {
  hierarchyStore.setState({ selection: keys });
}

function clampInt(v: number, lo: number, hi: number, fallback: number): number {
  return Number.isFinite(v) ? Math.max(lo, Math.min(hi, Math.round(v))) : fallback;
}

/** Why sampling is not available now, or null. */
export function hierarchySamplingUnavailable(s: HierarchyState): string | null {
  if (!s.draft) return 'Build a hierarchical model first (or load the star cluster example).';
  if (s.problems.length > 0) return `Fix the ${s.problems.length === 1 ? 'problem' : `${s.problems.length} problems`} of the model first.`;
  return null;
}

/** Samples the session's hierarchical model with NUTS on the sampler workers. */
export async function runHierarchySampling(): Promise<void> {
  const s0 = hierarchyStore.getState();
  if (s0.running) return;
  const why = hierarchySamplingUnavailable(s0);
  const doc = store.getState().session.hierarchy;
  if (why || !doc) {
    hierarchyStore.setState({ error: why ?? 'Build a hierarchical model first.' });
    return;
  }
  const c = s0.config;
  const config: HierarchyRunConfig = {
    chains: clampInt(c.chains, 1, 64, 4),
    draws: clampInt(c.draws, 1, 1_000_000, 500),
    tune: clampInt(c.tune, 0, 1_000_000, 500),
    seed: clampInt(c.seed, 0, Number.MAX_SAFE_INTEGER, 1),
  };
  let setup: ReturnType<typeof prepareHierarchySampling>;
  try {
    setup = prepareHierarchySampling(doc, config.chains, config.seed);
  } catch (e) {
    hierarchyStore.setState({ error: message(e) });
    return;
  }
  const layout = keyLayout(setup.density);
  const jobs: HierarchySamplerJob[] = setup.seeds.map((seed, chain) => ({
    target: 'hierarchy',
    chain,
    hierarchy: doc,
    spec: { sampler: 'nuts', draws: config.draws, tune: config.tune, seed, start: setup.starts[chain] },
    segmentMs: 250,
    progressMs: 100,
  }));
  const total = config.tune + config.draws;
  const keepSelection = s0.layout && s0.layout.keys.join('\n') === layout.keys.join('\n');
  hierarchyStore.setState({
    config,
    running: true,
    cancelling: false,
    chains: queuedChains(jobs.length, total),
    live: jobs.map(() => null),
    layout,
    outcome: null,
    error: null,
    selection: keepSelection ? s0.selection : null,
  });
  pool ??= new SamplerPool();
  const t0 = performance.now();
  let run: ChainRunOutcome;
  try {
    run = await runChainJobs(pool, jobs, config.draws, config.tune, storeChainView(hierarchyStore, (t) => (task = t)));
  } catch (e) {
    task = null;
    hierarchyStore.setState({ running: false, error: message(e) });
    return;
  }
  task = null;
  const elapsedMs = performance.now() - t0;
  const { all, results, chainIndex, failures, cancelled, workers } = run;
  hierarchyStore.setState((s) => ({ chains: finishedChains(s.chains, all), live: all }));
  const warnings = [...failures];
  let summary: PosteriorSummary | null = null;
  if (results.length > 0) {
    try {
      summary = summarizeChains(results);
      warnings.push(...collapseWarnings(summary.warnings, layout));
    } catch (e) {
      warnings.push(`no summary: ${message(e)}`);
    }
  } else warnings.push(cancelled ? 'Cancelled before any draw was kept (still warming up): nothing to summarise.' : 'No chain produced draws.');
  const m = results.length > 0 ? mapSample(results) : null;
  const nd = results.reduce((a, r) => a + r.nDraws, 0);
  const iterations = all.reduce((a, r) => a + (r ? r.tuneDone + r.nDraws : 0), 0);
  // the chains' own clocks (in the workers): sampling time without worker start-up
  const chainMs = all.reduce((a, r) => a + (r?.elapsedMs ?? 0), 0);
  hierarchyStore.setState({
    running: false,
    cancelling: false,
    outcome: {
      config,
      doc,
      layout,
      results,
      chainIndex,
      summary,
      warnings,
      map: m ? { ...m, chain: chainIndex[m.chain] } : null,
      elapsedMs,
      msPerIteration: iterations > 0 && chainMs > 0 ? chainMs / iterations : NaN,
      workers,
      cancelled,
      divergences: results.reduce((a, r) => a + r.divergences, 0),
      acceptance: nd > 0 ? results.reduce((a, r) => a + r.acceptRate * r.nDraws, 0) / nd : NaN,
    },
  });
}

export function cancelHierarchySampling(): void {
  if (!task) return;
  hierarchyStore.setState({ cancelling: true });
  task.cancel();
}

/** Scripting handle for the console and tests. */
if (typeof window !== 'undefined') {
  (window as unknown as { fitbenchHierarchy: unknown }).fitbenchHierarchy = {
    store: hierarchyStore,
    actions: { loadStarClusterExample, newHierarchy, removeHierarchy, runHierarchySampling, cancelHierarchySampling, setHierarchyRunConfig, setHierarchySelection },
  };
}
