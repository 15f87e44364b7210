/**
 * Actions on the store, at module level so tests and scripts drive them without React.
 * Every numeric step is a call into src/core; this file only routes documents.
 */
import { store, type ColumnChoice } from './store';
import { chooseColumns, tableToSpectrum } from '../core/data/readers';
import { isHdf5File, readDataFilesWithHdf5 } from '../core/data/readers/read-async';
import { hdf5Loaded, loadHdf5 } from '../core/data/readers/hspy';
import { makeDemoSpectrum } from '../core/data/demo';
import type { ComponentOptions } from '../core/model/component-type';
import { paramKey, type ModelDoc, type ParameterDoc, type PriorDoc, type TwinDoc } from '../core/model/document';
import { withTwin } from '../core/model/twins';
import { priorProblem } from '../core/model/prior-check';
import * as edit from '../core/model/edit';
import { estimateComponent } from '../core/model/estimate';
import type { FitRange, FitSettings } from '../core/fit/settings';
import type { SessionDoc } from '../core/session/document';
import { startFit, startSequential, CancelledWithoutResult, FitFailed, type RunningFit, type RunningSequential } from '../workers/fit-client';
import type { Dataset } from '../core/data/dataset';
import { emptyJoint, type JointDoc } from '../core/fit/joint-document';
import type { FitResult } from '../core/fit/result';
import { combineSequential } from '../core/fit/combine-sequential';
import { viewDataset, withModelInMaps, withPixelFit } from './cube-session';
import { applyAuxiliaryFiles, IMAGE_DEMO_NAME, modelForImage, rememberSources, wrapImageAngles } from './image-actions';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function alert(msg: string): void {
  store.setState((s) => ({ alerts: [...s.alerts, msg] }));
}

export function dismissAlert(index: number): void {
  store.setState((s) => ({ alerts: s.alerts.filter((_, i) => i !== index) }));
}

function setSession(patch: Partial<SessionDoc>): void {
  store.setState((s) => ({ session: { ...s.session, ...patch } }));
}

function setModel(model: ModelDoc, keepResult = false): void {
  // a spectrum image's maps follow the model's values at the selected pixel (cube-session.ts)
  store.setState((s) => ({ session: { ...withModelInMaps(s.session, model), result: keepResult ? s.session.result : s.session.result } }));
}

/** The dataset the plot, the model and Fit work on (a spectrum image: its selected pixel's spectrum). */
export function activeDataset() {
  const { session } = store.getState();
  return viewDataset(session);
}

/** The demo the app opens on: a generated two-peak spectrum and a model ready to fit. */
export function loadDemo(): void {
  const dataset = makeDemoSpectrum(1);
  let model: ModelDoc = { components: [] };
  const g1 = edit.newComponent(model, 'Gaussian', undefined, { A: 250, sigma: 4, centre: 33 });
  model = edit.addComponent(model, g1);
  const g2 = edit.newComponent(model, 'Gaussian', undefined, { A: 150, sigma: 4, centre: 60 });
  model = edit.addComponent(model, g2);
  const bg = edit.newComponent(model, 'Polynomial', { order: 1 }, { a0: 4, a1: 0 });
  model = edit.addComponent(model, bg);
  store.setState((s) => ({
    session: { ...s.session, datasets: [dataset], activeDataset: 0, model, result: null, fit: { ...s.session.fit, ranges: [] } },
    sources: {},
  }));
}

/** Loads dropped or picked files; on any error the previous data and model stay. */
export function loadFiles(files: { name: string; bytes: Uint8Array }[]): void {
  // HyperSpy .hspy (HDF5) files need h5wasm, loaded once and asynchronously: load it, then read
  if (files.some(isHdf5File) && !hdf5Loaded()) {
    void loadHdf5().then(
      () => loadFiles(files),
      (e: unknown) => {
        alert(`The HDF5 reader could not be loaded (${message(e)}); not read: ${files.filter(isHdf5File).map((f) => f.name).join(', ')}`);
        const rest = files.filter((f) => !isHdf5File(f));
        if (rest.length > 0) loadFiles(rest);
      },
    );
    return;
  }
  const read = readDataFilesWithHdf5(files);
  const { errors, tables } = read;
  for (const e of errors) alert(e.message);
  // images (ImageView): the planes they were read from are kept for replacing variance / mask;
  // variance, weight, mask or PSF files dropped without an image go to the active image
  if (read.imageSources) rememberSources(read.imageSources);
  const datasets = read.datasets;
  if (datasets.length === 0) {
    applyAuxiliaryFiles(read.auxiliary ?? []);
    return;
  }
  const prev = store.getState();
  const wasDemo = prev.session.datasets.length === 1 && [makeDemoSpectrum(1).name, IMAGE_DEMO_NAME].includes(prev.session.datasets[0].name);
  // a model of 1D components cannot draw an image: it moves to the stored models
  const swapped = !wasDemo && datasets[0].kind === 'image' ? modelForImage(prev.session.model, prev.session.stored, datasets[0].name) : null;
  const sources = { ...prev.sources };
  for (const d of datasets) {
    const t = tables.get(d.name);
    if (t) sources[d.name] = { table: t, choice: chooseColumns(t) };
  }
  // new files join the datasets already open (a file of the same name replaces its old version);
  // the demo is replaced, model and all
  const kept = wasDemo ? [] : prev.session.datasets.filter((d) => !datasets.some((n) => n.name === d.name));
  const all = [...kept, ...datasets];
  store.setState((s) => ({
    sources,
    session: {
      ...s.session,
      datasets: all,
      activeDataset: kept.length,
      model: wasDemo ? { components: [] } : (swapped?.model ?? s.session.model),
      stored: swapped?.stored ?? s.session.stored,
      result: null,
      fit: { ...s.session.fit, ranges: [] },
      joint: wasDemo ? undefined : s.session.joint,
      // maps of an earlier file of the same name do not belong to the new one
      ...(s.session.cube ? { cube: Object.fromEntries(Object.entries(s.session.cube).filter(([name]) => !datasets.some((d) => d.name === name))) } : {}),
    },
  }));
}

export function selectDataset(index: number): void {
  const { session } = store.getState();
  if (index < 0 || index >= session.datasets.length || index === session.activeDataset) return;
  setSession({ activeDataset: index });
}

export function renameDataset(index: number, name: string): void {
  const { session, sources } = store.getState();
  const d = session.datasets[index];
  const next = name.trim().slice(0, 200);
  if (!d || next === d.name) return;
  if (!next) {
    alert('A dataset needs a name.');
    return;
  }
  if (session.datasets.some((o, i) => i !== index && o.name === next)) {
    alert(`There is already a dataset named ${next}.`);
    return;
  }
  const datasets = session.datasets.map((o, i) => (i === index ? { ...o, name: next } : o));
  const src = { ...sources };
  if (src[d.name]) {
    src[next] = src[d.name];
    delete src[d.name];
  }
  const hidden = (session.view.hiddenDatasets ?? []).map((h) => (h === d.name ? next : h));
  // a spectrum image's maps are kept under its name: they follow the rename
  let cube = session.cube;
  if (cube && cube[d.name]) {
    cube = { ...cube, [next]: cube[d.name] };
    delete cube[d.name];
  }
  store.setState({ sources: src, session: { ...session, datasets, view: { ...session.view, hiddenDatasets: hidden }, ...(cube ? { cube } : {}) } });
}

export function removeDataset(index: number): void {
  const { session } = store.getState();
  if (index < 0 || index >= session.datasets.length) return;
  const datasets = session.datasets.filter((_, i) => i !== index);
  const joint = session.joint
    ? {
        ...session.joint,
        datasetVars: session.joint.datasetVars.filter((_, i) => i !== index),
        ...(session.joint.components ? { components: session.joint.components.filter((_, i) => i !== index) } : {}),
      }
    : undefined;
  const active = Math.min(session.activeDataset >= index && session.activeDataset > 0 ? session.activeDataset - 1 : session.activeDataset, Math.max(0, datasets.length - 1));
  // a removed spectrum image takes its maps with it
  const gone = session.datasets[index].name;
  let cube = session.cube;
  if (cube && cube[gone]) {
    cube = { ...cube };
    delete cube[gone];
  }
  store.setState({ session: { ...session, datasets, activeDataset: active, joint, result: null, cube } });
}

export function toggleDatasetHidden(name: string): void {
  const { session } = store.getState();
  const hidden = session.view.hiddenDatasets ?? [];
  setSession({ view: { ...session.view, hiddenDatasets: hidden.includes(name) ? hidden.filter((h) => h !== name) : [...hidden, name] } });
}

export function setJoint(joint: JointDoc): void {
  setSession({ joint });
}

/** The datasets a joint or sequential fit uses (not hidden), with their dataset variables. */
export function fitDatasets(): { datasets: Dataset[]; joint: JointDoc } {
  const { session } = store.getState();
  const hidden = new Set(session.view.hiddenDatasets ?? []);
  const joint = session.joint ?? emptyJoint();
  const keep = session.datasets.map((d, i) => ({ d, i })).filter(({ d }) => !hidden.has(d.name));
  return {
    datasets: keep.map(({ d }) => d),
    joint: {
      ...joint,
      datasetVars: keep.map(({ i }) => joint.datasetVars[i] ?? {}),
      ...(joint.components ? { components: keep.map(({ i }) => joint.components![i] ?? null) } : {}),
    },
  };
}

export async function runJointFit(): Promise<void> {
  const { datasets, joint } = fitDatasets();
  if (datasets.length < 2) {
    alert('A joint fit needs at least two (visible) datasets; use Fit for one.');
    return;
  }
  await runFit({ datasets, doc: joint });
}

/** Fits each visible dataset alone; the results go to the Parameters table with a Dataset column. */
export async function runSequentialFit(): Promise<void> {
  const { session, fitRunning } = store.getState();
  const { datasets } = fitDatasets();
  if (fitRunning || datasets.length === 0) return;
  if (!session.model.components.some((c) => c.active)) {
    alert('Add a component before fitting.');
    return;
  }
  store.setState({ fitRunning: true, fitProgress: null });
  const run = startSequential({ datasets, model: session.model, settings: session.fit }, (p) => store.setState({ fitProgress: p }));
  running = run;
  try {
    const results = await run.result;
    const ok: { name: string; result: FitResult }[] = [];
    results.forEach((r, i) => {
      if ('error' in r) alert(r.error);
      else ok.push({ name: datasets[i].name, result: r });
    });
    if (ok.length > 0) store.setState((s) => ({ session: { ...s.session, result: combineSequential(ok) } }));
  } catch (e) {
    alert(message(e));
  } finally {
    running = null;
    store.setState({ fitRunning: false, fitProgress: null });
  }
}

/** Rebuilds a delimited-text dataset with other x / y / sigma columns. */
export function setColumns(datasetName: string, choice: ColumnChoice): void {
  const src = store.getState().sources[datasetName];
  if (!src) return;
  try {
    const d = tableToSpectrum(src.table, choice);
    d.name = datasetName;
    store.setState((s) => ({
      sources: { ...s.sources, [datasetName]: { table: src.table, choice } },
      session: { ...s.session, datasets: s.session.datasets.map((x) => (x.name === datasetName ? d : x)), result: null },
    }));
  } catch (e) {
    alert(message(e));
  }
}

export function addComponent(type: string, options?: ComponentOptions): string | null {
  const { session } = store.getState();
  try {
    let model = session.model;
    const c = edit.newComponent(model, type, options);
    model = edit.addComponent(model, c);
    setModel(model);
    // peaks start where the data say, so a new component is visible at once
    const d = activeDataset();
    if (d && edit.isPeak(type)) {
      try {
        const guess = estimateComponent(d, model, c.name, session.fit.ranges);
        setModel(setComponentValues(model, c.name, guess));
      } catch {
        // keep defaults when the data give no estimate
      }
    }
    return c.name;
  } catch (e) {
    alert(message(e));
    return null;
  }
}

function setComponentValues(model: ModelDoc, name: string, values: Record<string, number>): ModelDoc {
  const keyed: Record<string, number> = {};
  for (const [p, v] of Object.entries(values)) keyed[paramKey(name, p)] = v;
  return edit.setValues(model, keyed);
}

export function removeComponent(name: string): void {
  setModel(edit.removeComponent(store.getState().session.model, name));
}

export function setComponentActive(name: string, active: boolean): void {
  setModel(edit.updateComponent(store.getState().session.model, name, (c) => ({ ...c, active })));
}

export function setParameter(component: string, param: string, patch: Partial<ParameterDoc>): void {
  const { session } = store.getState();
  const model = edit.updateParameter(session.model, component, param, patch);
  // after a joint or sequential fit the plot draws each dataset's fitted values; an edit hands
  // the plot back to the model being edited (the table keeps the fitted numbers)
  if (session.result?.datasetValues) {
    store.setState({ session: { ...session, model, result: { ...session.result, datasetValues: undefined } } });
  } else setModel(model);
}

export function estimate(name: string): void {
  const d = activeDataset();
  if (!d) return;
  const { session } = store.getState();
  try {
    setModel(setComponentValues(session.model, name, estimateComponent(d, session.model, name, session.fit.ranges)));
  } catch (e) {
    alert(message(e));
  }
}

export function toggleComponentCurve(name: string): void {
  const { session } = store.getState();
  const hidden = session.view.hiddenComponents;
  setSession({
    view: { ...session.view, hiddenComponents: hidden.includes(name) ? hidden.filter((n) => n !== name) : [...hidden, name] },
  });
}

export function setFitSettings(patch: Partial<FitSettings>): void {
  const { session } = store.getState();
  setSession({ fit: { ...session.fit, ...patch } });
}

export function addRange(range: FitRange): void {
  const { session } = store.getState();
  setSession({ fit: { ...session.fit, ranges: [...session.fit.ranges, range] } });
}

export function clearRanges(): void {
  setFitSettings({ ranges: [] });
}

export function setRangeMode(mode: 'include' | 'exclude' | null): void {
  store.setState({ rangeMode: mode });
}

let running: RunningFit | RunningSequential | null = null;

export async function runFit(joint?: { datasets: Dataset[]; doc: JointDoc }): Promise<void> {
  const d = activeDataset();
  const { session, fitRunning } = store.getState();
  if (!d || fitRunning) return;
  if (session.model.components.filter((c) => c.active).length === 0) {
    alert('Add a component before fitting.');
    return;
  }
  store.setState({ fitRunning: true, fitProgress: null });
  const job = { dataset: d, model: session.model, settings: session.fit, joint };
  running = startFit(job, (p) => store.setState({ fitProgress: p }));
  try {
    const raw = await running.result;
    // image position angles are defined modulo 180 degrees: shown in [0, 180)
    const result = d.kind === 'image' && !joint ? wrapImageAngles(raw, session.model) : raw;
    // a joint result's values carry [i] suffixes; the model keeps the shared ones
    store.setState((s) => ({
      session: withPixelFit({ ...s.session, model: edit.setValues(s.session.model, joint ? Object.assign({}, ...[...(result.datasetValues ?? [])].reverse()) : result.values), result }, result),
    }));
  } catch (e) {
    if (e instanceof FitFailed && e.lastProgress) {
      const values = e.lastProgress.values;
      store.setState((s) => ({ session: { ...s.session, model: edit.setValues(s.session.model, values) } }));
      if (!(e instanceof CancelledWithoutResult)) alert(`${message(e)} The best point reached was kept.`);
      else alert(message(e));
    } else alert(message(e));
  } finally {
    running = null;
    store.setState({ fitRunning: false, fitProgress: null });
  }
}

export function cancelFit(): void {
  running?.cancel();
}

/** Changes a polynomial's order, keeping the coefficients it already had. */
export function setComponentOrder(name: string, order: number): void {
  const { session } = store.getState();
  const old = session.model.components.find((c) => c.name === name);
  if (!old) return;
  const fresh = edit.newComponent({ components: [] }, old.type, { ...old.options, order });
  const params = { ...fresh.params };
  for (const p of Object.keys(params)) if (old.params[p]) params[p] = old.params[p];
  setModel(edit.updateComponent(session.model, name, (c) => ({ ...c, options: { ...c.options, order }, params })));
}

/** Replaces the whole model (scripts, stored models, loaded sessions). */
export function replaceModel(model: ModelDoc): void {
  store.setState((s) => ({ session: { ...s.session, model, result: null } }));
}

/** Links a parameter to another (optionally through a function of x, the source value), or unlinks it. */
export function setTwin(component: string, param: string, twin: TwinDoc | null): boolean {
  const { session } = store.getState();
  const d = activeDataset();
  try {
    const model = withTwin(session.model, component, param, twin, d ? Object.keys(d.coords) : ['x']);
    store.setState((s) => ({ session: { ...s.session, model } }));
    return true;
  } catch (e) {
    alert(`Cannot link ${component}.${param}: ${message(e)}`);
    return false;
  }
}

export function setPrior(component: string, param: string, prior: PriorDoc | null): boolean {
  if (prior) {
    const problem = priorProblem(prior);
    if (problem) {
      alert(`Prior of ${component}.${param}: ${problem}`);
      return false;
    }
  }
  const { session } = store.getState();
  const model = edit.updateComponent(session.model, component, (c) => {
    const doc = { ...c.params[param] };
    if (prior) doc.prior = prior;
    else delete doc.prior;
    return { ...c, params: { ...c.params, [param]: doc } };
  });
  store.setState((s) => ({ session: { ...s.session, model } }));
  return true;
}
