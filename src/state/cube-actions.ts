/**
 * Actions of the spectrum-image panel: the navigator's pixel, seeds, multifit settings, the
 * parallel multifit (Web Workers) and map exports. Every number comes from src/core; this file
 * routes documents.
 */
import { calibrateSignalAxis, cubeDims, fitChannels, signalAxis, type AxisCalibration } from '../core/cube/cube';
import { linearDesign } from '../core/cube/linear';
import { withVarianceMap } from '../core/cube/noise-map';
import { mapsToCsv, mapToNpy } from '../core/cube/map-export';
import type { MultifitOrder } from '../core/cube/multifit';
import { mapKeys, planBlocks, type MapAccumulator } from '../core/cube/parallel';
import type { VarianceMode } from '../core/cube/pixel-fitter';
import { defaultChi2Window, mapsFromResult, mergeMaps, pixelValues, seedRedChi2, seedsFromView, statusCounts, writePixel, emptyMaps, type CubeView } from '../core/cube/session-maps';
import { stepPixel } from '../core/cube/display';
import * as edit from '../core/model/edit';
import { getStatistic } from '../core/stats';
import { defaultWorkerCount, startParallelMultifit, type RunningMultifit } from '../workers/multifit-pool';
import { alert } from './actions';
import { cubeStore, type NavigatorMap } from './cube-store';
import { activeCube, cubeViewOf, withCubeView } from './cube-session';
import { store } from './store';
import { download } from './download';
import type { Stretch } from '../core/cube/display';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function setView(name: string, view: CubeView, extra: Partial<import('../core/session/document').SessionDoc> = {}): void {
  store.setState((s) => ({ session: { ...withCubeView(s.session, name, view), ...extra } }));
}

/** Shows pixel `pixel` of the active cube: its values in the maps become the model's values. */
export function selectPixel(pixel: number): void {
  const { session } = store.getState();
  const cube = activeCube(session);
  if (!cube) return;
  const { pixels } = cubeDims(cube);
  if (!Number.isInteger(pixel) || pixel < 0 || pixel >= pixels) return;
  const view = cubeViewOf(session, cube.name);
  if (pixel === view.selected && session.cube?.[cube.name]) return;
  let model = session.model;
  const maps = cubeStore.getState().running ? null : view.maps;
  if (maps) {
    const values = pixelValues(maps, pixel);
    const own: Record<string, number> = {};
    for (const c of model.components) {
      for (const [p, doc] of Object.entries(c.params)) {
        const key = `${c.name}.${p}`;
        if (!doc.twin && key in values) own[key] = values[key];
      }
    }
    if (Object.keys(own).length > 0) model = edit.setValues(model, own);
  }
  // the fit result shown belongs to the previous pixel
  setView(cube.name, { ...view, selected: pixel }, { model, result: null });
}

/** Sets the active cube's signal axis to start + k * step (units optional); a bad entry gets a message. */
export function calibrateAxis(cal: AxisCalibration): void {
  const { session } = store.getState();
  const cube = activeCube(session);
  if (!cube) return;
  let next;
  try {
    next = calibrateSignalAxis(cube, cal);
  } catch (e) {
    alert(message(e));
    return;
  }
  // fitted values in the old axis units no longer describe the data: the result is dropped, the maps kept
  store.setState((s) => ({ session: { ...s.session, datasets: s.session.datasets.map((d) => (d === cube ? next : d)), result: null } }));
}

/** A variance (noise) map .npy of the cube's shape: becomes the cube's sigma, and chi-square fits use it. */
export function loadVarianceMap(file: { name: string; bytes: Uint8Array }): void {
  const { session } = store.getState();
  const cube = activeCube(session);
  if (!cube) return;
  let next;
  try {
    next = withVarianceMap(cube, file);
  } catch (e) {
    alert(message(e));
    return;
  }
  const view = cubeViewOf(session, cube.name);
  store.setState((s) => ({
    session: { ...withCubeView({ ...s.session, datasets: s.session.datasets.map((d) => (d === cube ? next : d)) }, cube.name, { ...view, variance: 'sigma' }), result: null },
  }));
}

/** Moves the navigator's pixel by rows / columns (arrow keys), clamped at the edges. */
export function movePixel(dr: number, dc: number): void {
  const { session } = store.getState();
  const cube = activeCube(session);
  if (!cube) return;
  const [rows, cols] = cube.shape;
  selectPixel(stepPixel(cubeViewOf(session, cube.name).selected, rows, cols, dr, dc));
}

export function setCubeSettings(patch: Partial<Pick<CubeView, 'order' | 'variance' | 'chi2Window'>>): void {
  const { session } = store.getState();
  const cube = activeCube(session);
  if (!cube) return;
  setView(cube.name, { ...cubeViewOf(session, cube.name), ...patch });
}

export function setOrder(order: MultifitOrder): void {
  setCubeSettings({ order });
}

export function setVariance(variance: VarianceMode): void {
  const cube = activeCube(store.getState().session);
  if (variance === 'sigma' && cube && !cube.sigma) {
    alert(`${cube.name} has no noise map (sigma); choose the Poisson estimate or unit weights.`);
    return;
  }
  setCubeSettings({ variance });
}

/** Marks the selected pixel as a seed of smart multifits; the model's current values are written for it. */
export function useAsSeed(): void {
  const { session } = store.getState();
  const cube = activeCube(session);
  if (!cube) return;
  const view = cubeViewOf(session, cube.name);
  const [rows, cols] = cube.shape;
  let maps = view.maps;
  const values = edit.parameterValues(session.model);
  if (!maps) {
    try {
      const k = mapKeys(cube, session.model, session.fit);
      maps = emptyMaps(rows, cols, k.slotKeys, k.freeKeys, session.fit.statistic);
    } catch (e) {
      alert(`Cannot use this pixel as a seed: ${message(e)}`);
      return;
    }
  }
  maps = writePixel(maps, view.selected, { values });
  const seeds = view.seeds.includes(view.selected) ? view.seeds : [...view.seeds, view.selected];
  setView(cube.name, { ...view, maps, seeds });
}

export function clearSeeds(): void {
  const { session } = store.getState();
  const cube = activeCube(session);
  if (!cube) return;
  setView(cube.name, { ...cubeViewOf(session, cube.name), seeds: [] });
}

export function setNavigatorMap(mapKind: NavigatorMap, mapKey?: string | null): void {
  cubeStore.setState((s) => ({ mapKind, mapKey: mapKey === undefined ? s.mapKey : mapKey }));
}

export function setStretch(stretch: Stretch): void {
  cubeStore.setState({ stretch });
}

export function setWorkers(n: number | null): void {
  cubeStore.setState({ workers: n === null || !Number.isFinite(n) ? null : Math.max(1, Math.min(64, Math.round(n))) });
}

/** The goodness window a multifit of the active cube uses: the user's, else [0, 3 x median of the seed fits]. */
export function effectiveWindow(view: CubeView): [number, number] | null {
  return view.chi2Window ?? defaultChi2Window(seedRedChi2(view));
}

let running: RunningMultifit | null = null;

/**
 * Fits every pixel of the active cube on a pool of Web Workers (or the linear fast path when
 * every non-linear parameter is fixed and the statistic is a least-squares one). The maps fill
 * in live; at the end (or on Cancel) they are merged into the session's maps.
 */
export async function startMultifit(): Promise<void> {
  const { session, fitRunning } = store.getState();
  const cube = activeCube(session);
  if (!cube || cubeStore.getState().running || fitRunning) return;
  if (!session.model.components.some((c) => c.active)) {
    alert('Add a component before fitting the spectrum image.');
    return;
  }
  const view = cubeViewOf(session, cube.name);
  if (view.variance === 'sigma' && !cube.sigma) {
    alert(`${cube.name} has no noise map (sigma); choose the Poisson estimate or unit weights.`);
    return;
  }
  const { rows, cols, pixels } = cubeDims(cube);
  const model = session.model;
  const settings = { statistic: session.fit.statistic, ranges: session.fit.ranges };
  let keys: { slotKeys: string[]; freeKeys: string[] };
  let linear = false;
  try {
    keys = mapKeys(cube, model, settings);
    if (getStatistic(settings.statistic).leastSquaresEquivalent !== undefined) {
      const ch = fitChannels(cube, settings.ranges);
      const axis = signalAxis(cube);
      linear = linearDesign(model, Float64Array.from(ch, (k) => axis[k])).linear;
    }
  } catch (e) {
    alert(`Cannot fit the spectrum image: ${message(e)}`);
    return;
  }
  if (keys.freeKeys.length === 0) {
    alert('Every parameter is fixed: free at least one before fitting the spectrum image.');
    return;
  }
  const want = cubeStore.getState().workers ?? defaultWorkerCount();
  // the linear path is closed-form and fast: one worker per 4096 pixels is plenty
  const nWorkers = Math.max(1, Math.min(want, linear ? Math.ceil(pixels / 4096) : pixels));
  const chi2Window = effectiveWindow(view) ?? undefined;
  const jobs = planBlocks(cube, model, settings, { order: view.order, variance: view.variance, seeds: seedsFromView(view, keys.freeKeys), ...(chi2Window ? { chi2Window } : {}) }, nWorkers, linear);
  const t0 = performance.now();
  let lastDraw = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const progressOf = (acc: MapAccumulator) => {
    const elapsedMs = performance.now() - t0;
    return { done: acc.done, total: pixels, elapsedMs, pixelsPerSecond: elapsedMs > 0 ? (acc.done * 1000) / elapsedMs : 0, workers: jobs.length, linear };
  };
  const draw = (acc: MapAccumulator) => {
    timer = null;
    lastDraw = performance.now();
    cubeStore.setState((s) => ({ liveVersion: s.liveVersion + 1, progress: progressOf(acc) }));
  };
  // redraws at most 5 times a second: each one re-renders the navigator and the histogram
  const onUpdate = (acc: MapAccumulator) => {
    if (timer) return;
    const wait = Math.max(0, 200 - (performance.now() - lastDraw));
    timer = setTimeout(() => draw(acc), wait);
  };
  try {
    running = startParallelMultifit(jobs, { pixels, ...keys }, onUpdate);
  } catch (e) {
    alert(`Cannot start the multifit workers: ${message(e)}`);
    return;
  }
  cubeStore.setState({ running: true, runningDataset: cube.name, live: running.acc, progress: progressOf(running.acc), lastRun: null, mapKind: cubeStore.getState().mapKind === 'sum' ? 'value' : cubeStore.getState().mapKind, mapKey: cubeStore.getState().mapKey ?? keys.freeKeys[0] });
  try {
    const out = await running.done;
    if (timer) clearTimeout(timer);
    for (const e of out.errors) alert(e);
    const fresh = mapsFromResult(rows, cols, out.acc.snapshot(), settings.statistic);
    const now = store.getState().session;
    const current = cubeViewOf(now, cube.name);
    const maps = mergeMaps(current.maps, fresh);
    // the selected pixel's new values become the model's
    const values = pixelValues(maps, current.selected);
    const own: Record<string, number> = {};
    for (const c of now.model.components) for (const [p, doc] of Object.entries(c.params)) if (!doc.twin && `${c.name}.${p}` in values) own[`${c.name}.${p}`] = values[`${c.name}.${p}`];
    store.setState((s) => ({ session: { ...withCubeView(s.session, cube.name, { ...current, maps }), model: edit.setValues(s.session.model, own), result: null } }));
    const counts = statusCounts(fresh.status);
    const p = progressOf(out.acc);
    cubeStore.setState({ lastRun: { ...p, elapsedMs: out.elapsedMs, pixelsPerSecond: (p.done * 1000) / Math.max(out.elapsedMs, 1e-9), accepted: counts.accepted, retried: counts.retried, failed: counts.failed, cancelled: out.cancelled } });
  } catch (e) {
    alert(`The multifit failed: ${message(e)}`);
  } finally {
    running = null;
    cubeStore.setState({ running: false, runningDataset: null, live: null, progress: null });
  }
}

export function cancelMultifit(): void {
  running?.cancel();
}

// ---------------------------------------------------------------- exports


function stem(name: string): string {
  return name.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_').slice(0, 80) || 'map';
}

/** A map as a file-name part. */
function mapName(kind: NavigatorMap, key: string | null): string {
  if (kind === 'value') return key ?? 'value';
  if (kind === 'error') return `${key ?? 'value'}.error`;
  if (kind === 'redChi2') return 'red_chisq';
  if (kind === 'failed') return 'failed';
  if (kind === 'status') return 'status';
  return 'sum';
}

/** The navigator's map as .npy (float64, shape (rows, cols)). */
export function exportMapNpy(values: Float64Array, kind: NavigatorMap, key: string | null): void {
  const cube = activeCube(store.getState().session);
  if (!cube) return;
  const [rows, cols] = cube.shape;
  try {
    download(`${stem(cube.name)}-${mapName(kind, key).replace(/[^\w.-]+/g, '_')}.npy`, mapToNpy([rows, cols], values), 'application/octet-stream');
  } catch (e) {
    alert(message(e));
  }
}

/** Every map (values, errors, reduced statistic, status) as one CSV, one line per pixel. */
export function exportMapsCsv(): void {
  const { session } = store.getState();
  const cube = activeCube(session);
  if (!cube) return;
  const maps = cubeViewOf(session, cube.name).maps;
  if (!maps) {
    alert('There are no maps yet: fit a pixel or run the multifit first.');
    return;
  }
  const cols: Record<string, Float64Array> = {};
  for (const [k, a] of Object.entries(maps.values)) cols[k] = a;
  for (const [k, a] of Object.entries(maps.errors)) cols[`${k}.error`] = a;
  cols.red_chisq = maps.redChi2;
  cols.status = Float64Array.from(maps.status);
  download(`${stem(cube.name)}-maps.csv`, mapsToCsv(cols, maps.rows, maps.cols), 'text/csv');
}
