/**
 * Uncertainty tools of the app (MINOS errors, profiles, contours, surfaces, the model band): a
 * small zustand store of their own and module-level actions. Everything belongs to one fit
 * (`result`, the app store's session.result): a new fit, or another dataset, clears it.
 * The heavy work runs on the worker pool (src/workers/uncertainty-pool.ts); results stream into
 * this store as they arrive, so plots fill in live.
 */
import { createStore } from 'zustand/vanilla';
import type { Dataset } from '../core/data/dataset';
import type { FitResult } from '../core/fit/result';
import { compileForDataset } from '../core/fit/compile-view';
import { setValues } from '../core/model/edit';
import { modelBand } from '../core/uncertainty/band';
import { contourDirections, covarianceBlock, covarianceEllipse } from '../core/uncertainty/contour';
import { fitUncertaintyContext, type FitUncertaintyContext } from '../core/uncertainty/from-fit';
import { statisticLevel } from '../core/uncertainty/levels';
import { defaultProfileValues } from '../core/uncertainty/profile';
import {
  contourScheduler,
  defaultPoolSize,
  minosScheduler,
  profileScheduler,
  surfaceScheduler,
  UncertaintyPool,
  type PoolTask,
  type Progress,
  type Scheduler,
} from '../workers/uncertainty-pool';
import { store } from './store';
import { viewDataset } from './cube-session';

export type UncertaintyKind = 'minos' | 'profile' | 'contour' | 'surface';
export type UncertaintyView = 'profile' | 'contour' | 'surface' | 'correlation' | 'covariance';
/** 2D "n sigma": coverage (region with the 1D n-sigma coverage) or gammapy (Delta chi2 = n^2) */
export type ContourConvention = 'coverage' | 'gammapy';

export interface MinosEntry {
  /** signed offsets (lower < 0 < upper); null until computed or when unknown */
  lower: number | null;
  upper: number | null;
  lowerValid: boolean;
  upperValid: boolean;
  lowerReason: string | null;
  upperReason: string | null;
}

export interface ProfileData {
  key: string;
  values: number[];
  /** Delta statistic per value, null until solved */
  delta: (number | null)[];
  reoptimized: boolean;
  best: number;
  error: number | null;
  errordef: number;
}

export interface ContourPointData {
  x: number;
  y: number;
  valid: boolean;
}

export interface ContourLevelData {
  sigma: number;
  deltaChi2: number;
  coverage: number;
  label: string;
  /** one entry per ray, null until solved */
  points: (ContourPointData | null)[];
}

export interface ContourData {
  keys: [string, string];
  best: [number, number];
  convention: ContourConvention;
  levels: ContourLevelData[];
  /** covariance ellipses at the same levels (dashed), when asked for */
  ellipses: { label: string; x: number[]; y: number[] }[] | null;
}

export interface SurfaceData {
  keys: [string, string];
  best: [number, number];
  x: number[];
  y: number[];
  /** delta[r][c] at (x[c], y[r]); null until the row is solved */
  delta: (number | null)[][];
  reoptimized: boolean;
  errordef: number;
  convention: ContourConvention;
  /** contour lines drawn over the heatmap */
  levels: { deltaChi2: number; label: string }[];
}

export interface BandData {
  /** the dataset the band was computed on (points in its order) */
  dataset: Dataset;
  lower: Float64Array;
  upper: Float64Array;
  z: number;
}

export interface RunningInfo {
  kind: UncertaintyKind;
  done: number;
  total: number;
  /** "rays", "rows", ... */
  unit: string;
}

export interface UncertaintyState {
  /** the fit everything here belongs to */
  result: FitResult | null;
  running: RunningInfo | null;
  minos: Record<string, MinosEntry>;
  profile: ProfileData | null;
  contour: ContourData | null;
  surface: SurfaceData | null;
  view: UncertaintyView | null;
  showBand: boolean;
  band: BandData | null;
  /** the last problem (shown in the panel) */
  error: string | null;
  /** summary of the last finished run, e.g. "Contour: 48 rays in 1.2 s on 3 workers" */
  lastRun: { kind: UncertaintyKind; elapsedMs: number; workers: number; cancelled: boolean; units: number; unit: string } | null;
  poolSize: number;
}

export const uncertaintyStore = createStore<UncertaintyState>(() => ({
  result: null,
  running: null,
  minos: {},
  profile: null,
  contour: null,
  surface: null,
  view: null,
  showBand: false,
  band: null,
  error: null,
  lastRun: null,
  poolSize: defaultPoolSize(),
}));

/* -------------------------------------------------------------- the fit they belong to */

interface Current {
  dataset: Dataset;
  result: FitResult;
  ctx: FitUncertaintyContext;
}

let cached: { key: unknown[]; ctx: FitUncertaintyContext } | null = null;

/** The active dataset and fit, with the profile context built on this thread (cheap: compile + one evaluation). */
function current(): Current {
  const { session } = store.getState();
  const dataset = viewDataset(session);
  const result = session.result;
  if (!dataset || !result) throw new Error('Fit first: the uncertainty tools work around a best fit');
  const key = [dataset, session.model, session.fit, result];
  if (!cached || cached.key.some((k, i) => k !== key[i])) {
    cached = { key, ctx: fitUncertaintyContext(dataset, session.model, session.fit, result) };
  }
  return { dataset, result, ctx: cached.ctx };
}

let pool: UncertaintyPool | null = null;
let task: PoolTask | null = null;

function getPool(): UncertaintyPool {
  pool ??= new UncertaintyPool(uncertaintyStore.getState().poolSize);
  return pool;
}

/** Number of workers (the benchmark compares 1 with N); takes effect on the next run. */
export function setPoolSize(n: number): void {
  const size = Math.max(1, Math.floor(n));
  uncertaintyStore.setState({ poolSize: size });
  pool?.resize(size);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const UNITS: Record<UncertaintyKind, string> = { minos: 'sides', profile: 'points', contour: 'rays', surface: 'rows' };

/** Runs a scheduler on the pool with the running / progress / error bookkeeping. */
async function runTask(kind: UncertaintyKind, total: number, make: (progress: (p: Progress) => void) => Scheduler): Promise<void> {
  const { session } = store.getState();
  const dataset = viewDataset(session)!;
  const result = session.result!;
  const p = getPool();
  p.configure({ dataset, model: session.model, settings: session.fit, result });
  const unit = UNITS[kind];
  const t0 = performance.now();
  const progress = (q: Progress) => {
    if (uncertaintyStore.getState().result !== result) return;
    uncertaintyStore.setState((s) => (s.running ? { running: { ...s.running, done: q.done, total: q.total } } : {}));
  };
  uncertaintyStore.setState({ running: { kind, done: 0, total, unit }, error: null });
  let t: PoolTask;
  try {
    t = p.run(make(progress));
  } catch (e) {
    uncertaintyStore.setState({ running: null, error: message(e) });
    return;
  }
  task = t;
  try {
    const { cancelled } = await t.done;
    const done = uncertaintyStore.getState().running?.done ?? 0;
    if (uncertaintyStore.getState().result === result) {
      uncertaintyStore.setState({ lastRun: { kind, elapsedMs: performance.now() - t0, workers: p.size, cancelled, units: done, unit } });
    }
  } catch (e) {
    if (uncertaintyStore.getState().result === result) uncertaintyStore.setState({ error: message(e) });
  } finally {
    if (task === t) task = null;
    uncertaintyStore.setState({ running: null });
  }
}

function guard(): Current | null {
  if (uncertaintyStore.getState().running) return null;
  try {
    const c = current();
    syncResult(c.result);
    return c;
  } catch (e) {
    uncertaintyStore.setState({ error: message(e) });
    return null;
  }
}

/* ------------------------------------------------------------------------- actions */

/** MINOS intervals of every free parameter (fills the Parameters table). */
export async function runMinos(sigma = 1): Promise<void> {
  const c = guard();
  if (!c) return;
  const { keys } = c.ctx;
  const empty: Record<string, MinosEntry> = {};
  for (const k of keys) empty[k] = { lower: null, upper: null, lowerValid: false, upperValid: false, lowerReason: null, upperReason: null };
  uncertaintyStore.setState({ minos: empty });
  const result = c.result;
  await runTask('minos', 2 * keys.length, (progress) =>
    minosScheduler(
      keys.map((_, k) => k),
      sigma,
      {
        progress,
        side(k, side, o) {
          if (uncertaintyStore.getState().result !== result) return;
          const key = keys[k];
          uncertaintyStore.setState((s) => {
            const e = { ...s.minos[key] };
            const offset = Number.isFinite(o.offset) ? o.offset : null;
            if (side === 'lower') {
              e.lower = offset;
              e.lowerValid = o.valid;
              e.lowerReason = o.reason;
            } else {
              e.upper = offset;
              e.upperValid = o.valid;
              e.upperReason = o.reason;
            }
            return { minos: { ...s.minos, [key]: e } };
          });
        },
      },
    ),
  );
}

/** Profile of one parameter over best ± 3 errors. */
export async function runProfile(key: string, points = 21, reoptimize = true): Promise<void> {
  const c = guard();
  if (!c) return;
  const { ctx, result } = c;
  const k = ctx.keys.indexOf(key);
  if (k < 0) {
    uncertaintyStore.setState({ error: `No free parameter ${key}` });
    return;
  }
  const values = Array.from(defaultProfileValues(ctx.best[k], ctx.errors[k], { points: Math.max(3, Math.min(points, 400)), nSigma: 3, lower: ctx.obj.lower[k], upper: ctx.obj.upper[k] }));
  uncertaintyStore.setState({
    profile: { key, values, delta: values.map(() => null), reoptimized: reoptimize, best: ctx.best[k], error: ctx.errors[k], errordef: ctx.errordef },
    view: 'profile',
  });
  await runTask('profile', values.length, (progress) =>
    profileScheduler(k, values, ctx.best[k], reoptimize, {
      progress,
      point(p) {
        const s = uncertaintyStore.getState();
        if (s.result !== result || !s.profile || s.profile.key !== key) return;
        const delta = s.profile.delta.slice();
        delta[p.index] = Number.isFinite(p.delta) ? p.delta : null;
        uncertaintyStore.setState({ profile: { ...s.profile, delta } });
      },
    }),
  );
}

export interface ContourRequest {
  x: string;
  y: string;
  /** n-sigma levels, e.g. [1, 2] */
  sigmas: number[];
  convention: ContourConvention;
  points?: number;
  ellipses?: boolean;
}

/** Confidence contours of two parameters at the chosen n-sigma levels and convention. */
export async function runContour(req: ContourRequest): Promise<void> {
  const c = guard();
  if (!c) return;
  const { ctx, result } = c;
  const i = ctx.keys.indexOf(req.x);
  const j = ctx.keys.indexOf(req.y);
  if (i < 0 || j < 0 || i === j) {
    uncertaintyStore.setState({ error: 'Choose two different free parameters for the contour' });
    return;
  }
  if (!ctx.covariance) {
    uncertaintyStore.setState({ error: 'The fit has no covariance, so the contour has no starting directions' });
    return;
  }
  const sigmas = [...new Set(req.sigmas)].filter((s) => s > 0).sort((a, b) => a - b);
  if (sigmas.length === 0) {
    uncertaintyStore.setState({ error: 'Choose at least one contour level' });
    return;
  }
  const P = Math.max(8, Math.min(req.points ?? 36, 200));
  const cov2 = covarianceBlock(ctx.covariance, ctx.obj.n, i, j);
  let directions: [number, number][];
  try {
    directions = contourDirections(cov2, P);
  } catch {
    uncertaintyStore.setState({ error: `The covariance of ${req.x} and ${req.y} is not positive definite: no contour` });
    return;
  }
  const levels = sigmas.map((sigma) => {
    const l = statisticLevel({ kind: 'region-sigma', sigma, convention: req.convention }, ctx.errordef);
    return { sigma, level: l };
  });
  const ellipses = req.ellipses
    ? levels.map(({ level }) => ({ label: `covariance ellipse, Δχ² = ${level.deltaChi2.toFixed(2)}`, ...covarianceEllipse(cov2, [ctx.best[i], ctx.best[j]], level.delta, 120, ctx.errordef) }))
    : null;
  uncertaintyStore.setState({
    contour: {
      keys: [req.x, req.y],
      best: [ctx.best[i], ctx.best[j]],
      convention: req.convention,
      levels: levels.map(({ sigma, level }) => ({ sigma, deltaChi2: level.deltaChi2, coverage: level.coverage, label: level.label, points: new Array(P).fill(null) })),
      ellipses,
    },
    view: 'contour',
  });
  await runTask('contour', levels.length * P, (progress) =>
    contourScheduler(
      i,
      j,
      levels.map((l) => l.level.delta),
      directions,
      {
        progress,
        ray(L, m, o) {
          const s = uncertaintyStore.getState();
          if (s.result !== result || !s.contour) return;
          const lv = s.contour.levels.slice();
          const pts = lv[L].points.slice();
          pts[m] = { x: o.x, y: o.y, valid: o.valid };
          lv[L] = { ...lv[L], points: pts };
          uncertaintyStore.setState({ contour: { ...s.contour, levels: lv } });
        },
      },
    ),
  );
}

export interface SurfaceRequest {
  x: string;
  y: string;
  /** grid points per axis (or [nx, ny]) */
  grid: number | [number, number];
  reoptimize: boolean;
  convention: ContourConvention;
  /** half-width in errors (default 3) */
  nSigma?: number;
}

/** Delta statistic on a grid over best ± 3 errors of two parameters, row by row. */
export async function runSurface(req: SurfaceRequest): Promise<void> {
  const c = guard();
  if (!c) return;
  const { ctx, result } = c;
  const i = ctx.keys.indexOf(req.x);
  const j = ctx.keys.indexOf(req.y);
  if (i < 0 || j < 0 || i === j) {
    uncertaintyStore.setState({ error: 'Choose two different free parameters for the surface' });
    return;
  }
  const [nx, ny] = Array.isArray(req.grid) ? req.grid : [req.grid, req.grid];
  const axis = (k: number, n: number) => Array.from(defaultProfileValues(ctx.best[k], ctx.errors[k], { points: Math.max(2, Math.min(n, 200)), nSigma: req.nSigma ?? 3, lower: ctx.obj.lower[k], upper: ctx.obj.upper[k] }));
  const xs = axis(i, nx);
  const ys = axis(j, ny);
  const levels = [1, 2].map((sigma) => statisticLevel({ kind: 'region-sigma', sigma, convention: req.convention }, ctx.errordef));
  uncertaintyStore.setState({
    surface: {
      keys: [req.x, req.y],
      best: [ctx.best[i], ctx.best[j]],
      x: xs,
      y: ys,
      delta: ys.map(() => xs.map(() => null)),
      reoptimized: req.reoptimize,
      errordef: ctx.errordef,
      convention: req.convention,
      levels: levels.map((l) => ({ deltaChi2: l.deltaChi2, label: l.label })),
    },
    view: 'surface',
  });
  await runTask('surface', ys.length, (progress) =>
    surfaceScheduler(i, j, xs, ys, ctx.best[j], req.reoptimize, {
      progress,
      row(r, o) {
        const s = uncertaintyStore.getState();
        if (s.result !== result || !s.surface) return;
        const delta = s.surface.delta.slice();
        delta[r] = o.delta.map((d) => (Number.isFinite(d) ? d : null));
        uncertaintyStore.setState({ surface: { ...s.surface, delta } });
      },
    }),
  );
}

export function cancelUncertainty(): void {
  task?.cancel();
}

export function setUncertaintyView(view: UncertaintyView): void {
  uncertaintyStore.setState({ view });
}

/** The model's one-sigma band (linear error propagation) over the data in the main plot. */
export function setShowBand(on: boolean): void {
  if (!on) {
    uncertaintyStore.setState({ showBand: false });
    return;
  }
  try {
    const c = current();
    syncResult(c.result);
    uncertaintyStore.setState({ showBand: true, band: computeBand(c), error: null });
  } catch (e) {
    uncertaintyStore.setState({ showBand: false, error: message(e) });
  }
}

function computeBand(c: Current): BandData {
  const { dataset, result, ctx } = c;
  if (!ctx.covariance) throw new Error('The fit has no covariance: no band');
  const { session } = store.getState();
  const compiled = compileForDataset(setValues(session.model, result.values), dataset);
  const n = compiled.nFree;
  const m = dataset.values.length;
  const model = new Float64Array(m);
  const J = new Float64Array(m * n);
  compiled.evaluateWithJacobian(ctx.best, model, J);
  const b = modelBand(model, J, ctx.covariance, n, { z: 1 });
  return { dataset, lower: b.lower, upper: b.upper, z: b.z };
}

/* ------------------------------------------------- follow the app's fit and dataset */

/** Clears everything computed for another fit. */
function syncResult(result: FitResult | null): void {
  const s = uncertaintyStore.getState();
  if (s.result === result) return;
  task?.cancel();
  uncertaintyStore.setState({ result, minos: {}, profile: null, contour: null, surface: null, band: null, showBand: false, error: null, lastRun: null, view: null });
}

store.subscribe((state, prev) => {
  if (state.session.result !== prev.session.result) syncResult(state.session.result);
  else if (state.session.datasets !== prev.session.datasets || state.session.activeDataset !== prev.session.activeDataset) {
    const u = uncertaintyStore.getState();
    if (u.showBand) setShowBand(true);
  }
});

/** Scripting handle for the console and the benchmark (beside window.fitbench). */
if (typeof window !== 'undefined') {
  (window as unknown as { fitbenchUncertainty: unknown }).fitbenchUncertainty = {
    store: uncertaintyStore,
    actions: { runMinos, runProfile, runContour, runSurface, cancelUncertainty, setShowBand, setPoolSize, setUncertaintyView },
  };
}
