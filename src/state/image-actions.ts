/**
 * Actions of the image workflow: the image demo, auxiliary planes (variance, weight, mask, PSF,
 * parametric PSF) of the active image, 2D components (add, estimate from a click, drag), and the
 * clean-up of fitted position angles. Numerics are calls into src/core.
 */
import { store } from './store';
import { imageViewStore, setPlacing } from './image-view';
import type { Dataset } from '../core/data/dataset';
import { paramKey, type ComponentDoc, type ModelDoc, type ParameterDoc } from '../core/model/document';
import * as edit from '../core/model/edit';
import type { FitResult } from '../core/fit/result';
import type { StoredModel } from '../core/session/document';
import { compileForDataset } from '../core/fit/compile-view';
import { getComponentType } from '../core/model/components/registry';
import { getImageComponentType, imageComponentTypeNames } from '../core/image/components/registry';
import { gaussianPsf, moffatPsf } from '../core/image/psf';
import { simulateTutorialImage, tutorialModel, TUTORIAL_START } from '../core/image/tutorial';
import { estimateFromMoments, wrapPA } from '../core/image/moments';
import {
  buildImage,
  psfFromPlane,
  readImagePlane,
  sourceFromDataset,
  withPlane,
  type AuxRole,
  type ImageAuxiliary,
  type ImageSource,
} from '../core/data/readers/image-files';
import type { ImagePlane } from '../core/image/image-dataset';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function alert(msg: string): void {
  store.setState((s) => ({ alerts: [...s.alerts, msg] }));
}

function activeDataset(): Dataset | null {
  const { session } = store.getState();
  return session.datasets[session.activeDataset] ?? null;
}

function activeImage(): Dataset | null {
  const d = activeDataset();
  if (!d || d.kind !== 'image') {
    alert('Open an image first (drop a FITS or .npy image, or use "Load image demo").');
    return null;
  }
  return d;
}

export const SKY_TYPES = new Set(['FlatSky', 'PlaneSky']);
export const IMAGE_DEMO_NAME = 'tutorial (simulated).fits';

/** 1 for 1D component types, 2 for 2D ones, 0 for unknown and expression components. */
export function componentDims(type: string): 0 | 1 | 2 {
  if (getComponentType(type)) return 1;
  if (getImageComponentType(type)) return 2;
  return 0;
}

/** The image source of a dataset: kept from loading, or rebuilt from the dataset. */
export function imageSource(d: Dataset): ImageSource {
  return imageViewStore.getState().sources[d.name] ?? sourceFromDataset(d);
}

/** Remembers the planes images were read from (by dataset name). */
export function rememberSources(sources: Map<string, ImageSource> | Record<string, ImageSource>): void {
  const add = sources instanceof Map ? Object.fromEntries(sources) : sources;
  imageViewStore.setState((s) => ({ sources: { ...s.sources, ...add } }));
}

/**
 * The model to use when an image becomes the active dataset: a model of 1D components cannot
 * draw an image, so it is moved to the stored models (restorable) and the model starts empty.
 */
export function modelForImage(model: ModelDoc, stored: StoredModel[], datasetName: string): { model: ModelDoc; stored: StoredModel[] } {
  if (!model.components.some((c) => componentDims(c.type) !== 2)) return { model, stored };
  const name = `1D model (before ${datasetName})`.slice(0, 200);
  const entry: StoredModel = { name, model, result: null, dataset: '', savedAt: new Date().toISOString() };
  return { model: { components: [] }, stored: [...stored.filter((s) => s.name !== name), entry] };
}

/** Opens the AstroPhot tutorial image (simulated: 3 Sersics, sky, Gaussian PSF) with the tutorial's start. */
export function loadImageDemo(): void {
  const { dataset, variance } = simulateTutorialImage();
  dataset.name = IMAGE_DEMO_NAME;
  dataset.notes = [
    "AstroPhot's fitting-methods tutorial, simulated with Fitbench's seeded generator: FlatSky + 3 Sersics, Gaussian PSF sigma 2 px (21 x 21), variance = model / 4",
    `image ${dataset.shape[0]} × ${dataset.shape[1]} (rows × columns); x = column, y = row`,
    'sigma = sqrt(variance) from the simulation (variance = model / 4)',
    `PSF ${dataset.psf!.size} × ${dataset.psf!.size} from ${dataset.psf!.source}`,
  ];
  dataset.labels = { x: 'column (pixel)', y: 'row (pixel)' };
  const shape = [...dataset.shape];
  rememberSources({
    [dataset.name]: {
      image: { name: dataset.name, data: Float64Array.from(dataset.values), shape },
      variance: { name: 'simulated variance', data: variance, shape },
      notes: [dataset.notes[0]],
    },
  });
  store.setState((s) => ({
    session: { ...s.session, datasets: [dataset], activeDataset: 0, model: tutorialModel(TUTORIAL_START), result: null, fit: { ...s.session.fit, ranges: [] }, joint: undefined },
    sources: {},
  }));
  imageViewStore.setState({ viewport: null, placing: null });
}

function replaceActive(d: Dataset): void {
  store.setState((s) => ({
    session: { ...s.session, datasets: s.session.datasets.map((o, i) => (i === s.session.activeDataset ? d : o)), result: null },
  }));
}

/** Rebuilds the active image with a plane replaced (null removes it); the PSF is kept. */
function rebuildWith(d: Dataset, role: 'variance' | 'weight' | 'mask', plane: ImagePlane | null): void {
  const source = withPlane(imageSource(d), role, plane);
  const next = buildImage(d.name, source, d.psf);
  rememberSources({ [d.name]: source });
  replaceActive(next);
}

/** Sets a variance, weight, mask or PSF of the active image from a FITS or .npy file. */
export function setImagePlaneFile(role: AuxRole, file: { name: string; bytes: Uint8Array }): void {
  const d = activeImage();
  if (!d) return;
  try {
    const p = readImagePlane(file);
    const plane: ImagePlane = { name: p.name, data: p.data, shape: p.shape };
    if (role === 'psf') setPsf(d, psfFromPlane(plane));
    else rebuildWith(d, role, plane);
  } catch (e) {
    alert(message(e));
  }
}

/** Applies auxiliary files dropped without an image to the active image (or says why not). */
export function applyAuxiliaryFiles(aux: ImageAuxiliary[]): void {
  if (aux.length === 0) return;
  const d = activeDataset();
  if (!d || d.kind !== 'image') {
    for (const a of aux) alert(`${a.plane.name}: looks like a ${a.role} (from its name) but there is no image open to apply it to; drop it together with its image.`);
    return;
  }
  for (const a of aux) {
    const cur = activeDataset()!;
    try {
      if (a.role === 'psf') setPsf(cur, psfFromPlane(a.plane));
      else rebuildWith(cur, a.role, a.plane);
    } catch (e) {
      alert(message(e));
    }
  }
}

function setPsf(d: Dataset, psf: Dataset['psf']): void {
  const notes = (d.notes ?? []).filter((n) => !n.startsWith('PSF '));
  if (psf) notes.push(`PSF ${psf.size} × ${psf.size} from ${psf.source ?? 'unknown'}`);
  const next: Dataset = { ...d, psf, notes };
  if (!psf) delete next.psf;
  replaceActive(next);
}

export type ParametricPsf = { kind: 'gaussian'; sigma: number; size?: number } | { kind: 'moffat'; n: number; Rd: number; size?: number };

/** A Gaussian or Moffat PSF for the active image (psf.ts; normalised on its grid). */
export function setParametricPsf(spec: ParametricPsf): void {
  const d = activeImage();
  if (!d) return;
  try {
    const p = spec.kind === 'gaussian' ? gaussianPsf(spec.sigma, spec.size) : moffatPsf(spec.n, spec.Rd, spec.size);
    const source = spec.kind === 'gaussian' ? `Gaussian sigma ${spec.sigma} px, ${p.size} × ${p.size}` : `Moffat n ${spec.n}, Rd ${spec.Rd} px, ${p.size} × ${p.size}`;
    setPsf(d, { data: p.data, size: p.size, source });
  } catch (e) {
    alert(message(e));
  }
}

/** Removes a plane (or the PSF) of the active image. */
export function clearImagePlane(role: 'noise' | 'mask' | 'psf'): void {
  const d = activeImage();
  if (!d) return;
  try {
    if (role === 'psf') setPsf(d, undefined);
    else if (role === 'noise') rebuildWith(d, 'variance', null);
    else {
      const src = imageSource(d);
      if (src.derived) {
        alert(`${d.name}: this image was restored from a session, which does not keep which pixels were NaN; its mask cannot be removed (load the image file again).`);
        return;
      }
      rebuildWith(d, 'mask', null);
    }
  } catch (e) {
    alert(message(e));
  }
}

/** A new 2D component document with the type's defaults, centred on the image. */
function newImageComponent(model: ModelDoc, type: string, d: Dataset): ComponentDoc {
  const t = getImageComponentType(type);
  if (!t) throw new Error(`Unknown 2D component type '${type}'; known: ${imageComponentTypeNames.join(', ')}`);
  const [rows, cols] = d.shape;
  const start: Record<string, number> = { x: (cols - 1) / 2, y: (rows - 1) / 2, Re: Math.max(2, Math.min(rows, cols) / 10), sigma: Math.max(1, Math.min(rows, cols) / 20) };
  const params: Record<string, ParameterDoc> = Object.create(null);
  for (const s of t.params()) params[s.name] = { value: Object.prototype.hasOwnProperty.call(start, s.name) ? start[s.name] : s.value, lower: s.lower, upper: s.upper, fixed: false };
  return { name: edit.uniqueComponentName(model, type), type, active: true, params };
}

/** The data minus every active component but `name` (for estimates), over all pixels. */
function dataMinusOthers(d: Dataset, model: ModelDoc, name: string): Float64Array {
  const others: ModelDoc = { components: model.components.filter((c) => c.active && c.name !== name) };
  const img = Float64Array.from(d.values);
  if (others.components.length === 0) return img;
  const c = compileForDataset(others, d, { allFree: true });
  const m = new Float64Array(d.values.length);
  c.evaluate(c.layout.theta0, m);
  for (let i = 0; i < img.length; i++) img[i] -= m[i];
  return img;
}

function setComponentValues(model: ModelDoc, name: string, values: Record<string, number>): ModelDoc {
  const keyed: Record<string, number> = {};
  for (const [p, v] of Object.entries(values)) keyed[paramKey(name, p)] = v;
  return edit.setValues(model, keyed);
}

/**
 * Adds a 2D component to the model of the active image. A sky starts at the median of the data
 * (minus the other components); others wait for a click on the image (estimate from data).
 */
export function addImageComponent(type: string): string | null {
  const d = activeImage();
  if (!d) return null;
  try {
    const { session } = store.getState();
    const c = newImageComponent(session.model, type, d);
    let model = edit.addComponent(session.model, c);
    if (SKY_TYPES.has(type)) {
      try {
        const [rows, cols] = d.shape;
        model = setComponentValues(model, c.name, estimateFromMoments(type, dataMinusOthers(d, model, c.name), rows, cols, { x: 0, y: 0 }, {}, { mask: d.mask }));
      } catch {
        // keep the defaults when the data give no estimate
      }
    }
    store.setState((s) => ({ session: { ...s.session, model } }));
    if (!SKY_TYPES.has(type)) setPlacing(c.name);
    return c.name;
  } catch (e) {
    alert(message(e));
    return null;
  }
}

/** Starting values of component `name` from the image moments around (x, y) (one undo step). */
export function estimateImageComponent(name: string, at: { x: number; y: number }): boolean {
  const d = activeImage();
  if (!d) return false;
  const { session } = store.getState();
  const comp = session.model.components.find((c) => c.name === name);
  if (!comp) return false;
  try {
    const [rows, cols] = d.shape;
    const current: Record<string, number> = {};
    for (const [p, doc] of Object.entries(comp.params)) current[p] = doc.value;
    const est = estimateFromMoments(comp.type, dataMinusOthers(d, session.model, name), rows, cols, at, current, { mask: d.mask, psf: d.psf ?? null });
    // only parameters that are free to change (not fixed, not twinned)
    const values: Record<string, number> = {};
    for (const [p, v] of Object.entries(est)) {
      const doc = comp.params[p];
      if (doc && !doc.fixed && !doc.twin && Number.isFinite(v)) values[p] = v;
    }
    store.setState((s) => ({ session: { ...s.session, model: setComponentValues(s.session.model, name, values) } }));
    return true;
  } catch (e) {
    alert(`Estimate of ${name}: ${message(e)}`);
    return false;
  }
}

/** Moves a component's centre (ellipse drag); wrap in begin/endGesture for one undo step per drag. */
export function moveImageComponent(name: string, x: number, y: number): void {
  store.setState((s) => ({ session: { ...s.session, model: setComponentValues(s.session.model, name, { x, y }) } }));
}

/**
 * Position angles of elliptical 2D components are defined modulo pi; a fit may end at any
 * equivalent angle (PA + k pi). Brings free, unbounded, untwinned PAs (that no twin depends on)
 * back to [0, pi) in the result and its values; errors and covariances are unchanged.
 */
export function wrapImageAngles(result: FitResult, model: ModelDoc): FitResult {
  const sources = new Set<string>();
  for (const c of model.components) for (const p of Object.values(c.params)) if (p.twin) sources.add(p.twin.source);
  let parameters = result.parameters;
  let values = result.values;
  for (const c of model.components) {
    if (componentDims(c.type) !== 2 || !c.params.PA) continue;
    const doc = c.params.PA;
    const key = paramKey(c.name, 'PA');
    if (doc.fixed || doc.twin || doc.lower !== null || doc.upper !== null || sources.has(key)) continue;
    if (parameters[key] && Number.isFinite(parameters[key].value)) {
      parameters = parameters === result.parameters ? { ...parameters } : parameters;
      parameters[key] = { ...parameters[key], value: wrapPA(parameters[key].value) };
    }
    if (Number.isFinite(values[key])) {
      values = values === result.values ? { ...values } : values;
      values[key] = wrapPA(values[key]);
    }
  }
  return parameters === result.parameters && values === result.values ? result : { ...result, parameters, values };
}
