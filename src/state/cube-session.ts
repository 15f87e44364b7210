/**
 * Spectrum images in the session document, the parts the 1D app's actions call (actions.ts):
 * which spectrum the plot, the model panel and Fit see when the active dataset is a cube (the
 * selected pixel's spectrum), and how model edits and single-pixel fits write into the maps.
 * No imports from actions.ts (it imports this file).
 */
import { cubeSpectrum } from '../core/cube/cube';
import { defaultCubeView, emptyMaps, writePixel, type CubeView } from '../core/cube/session-maps';
import { PIXEL_STATUS } from '../core/cube/multifit';
import type { Dataset } from '../core/data/dataset';
import type { FitResult } from '../core/fit/result';
import type { ModelDoc } from '../core/model/document';
import type { SessionDoc, StoredModel } from '../core/session/document';
import { cubeStore } from './cube-store';

export function activeCube(session: SessionDoc): Dataset | null {
  const d = session.datasets[session.activeDataset];
  return d && d.kind === 'cube' ? d : null;
}

export function cubeViewOf(session: SessionDoc, name: string): CubeView {
  return session.cube?.[name] ?? defaultCubeView();
}

/** The session with one cube's view replaced. */
export function withCubeView(session: SessionDoc, name: string, view: CubeView): SessionDoc {
  return { ...session, cube: { ...(session.cube ?? {}), [name]: view } };
}

let memo: { cube: Dataset; pixel: number; variance: string; spectrum: Dataset } | null = null;

/**
 * The selected pixel's spectrum as a spectrum dataset (the same object while cube, pixel and
 * variance mode stay), with the weights the multifit uses: the cube's sigma ('sigma', or 'auto'
 * with a noise map), the Poisson estimate sqrt(max(y, 1)) ('poisson'), none otherwise.
 */
export function pixelDataset(session: SessionDoc): Dataset | null {
  const cube = activeCube(session);
  if (!cube) return null;
  const view = cubeViewOf(session, cube.name);
  const P = cube.shape[0] * cube.shape[1];
  const pixel = Math.min(Math.max(0, view.selected), P - 1);
  if (memo && memo.cube === cube && memo.pixel === pixel && memo.variance === view.variance) return memo.spectrum;
  const s = cubeSpectrum(cube, pixel);
  const mode = view.variance;
  if (mode === 'poisson') s.sigma = s.values.map((y) => Math.sqrt(Math.max(Number.isFinite(y) ? y : 1, 1)));
  else if (mode === 'unit') delete s.sigma;
  memo = { cube, pixel, variance: mode, spectrum: s };
  return s;
}

/** What the spectrum plot, the model panel and Fit work on: the selected pixel's spectrum for a cube, else the active dataset. */
export function viewDataset(session: SessionDoc): Dataset | null {
  const d = session.datasets[session.activeDataset] ?? null;
  if (d && d.kind === 'cube') return pixelDataset(session);
  return d;
}

/**
 * The session with `model`, and, when a spectrum image with maps is shown (and no multifit is
 * running), the model's values written into the maps at the selected pixel (keys the maps have).
 */
export function withModelInMaps(session: SessionDoc, model: ModelDoc): SessionDoc {
  const next = { ...session, model };
  const cube = activeCube(session);
  if (!cube || cubeStore.getState().running) return next;
  const view = session.cube?.[cube.name];
  if (!view?.maps) return next;
  const values: Record<string, number> = {};
  for (const c of model.components) {
    for (const [p, doc] of Object.entries(c.params)) {
      const key = `${c.name}.${p}`;
      if (key in view.maps.values && Number.isFinite(doc.value) && !doc.twin) values[key] = doc.value;
    }
  }
  const maps = writePixel(view.maps, view.selected, { values });
  return maps === view.maps ? next : withCubeView(next, cube.name, { ...view, maps });
}

/**
 * After a fit of the selected pixel: its values, errors, reduced statistic and status go into
 * the maps (made when there are none yet) and the pixel becomes a seed.
 */
export function withPixelFit(session: SessionDoc, result: FitResult): SessionDoc {
  const cube = activeCube(session);
  if (!cube || result.datasets) return session;
  const view = cubeViewOf(session, cube.name);
  const [rows, cols] = cube.shape;
  const keys = Object.keys(result.values);
  const free = result.parameterOrder.filter((k) => k in result.values);
  let maps = view.maps && view.maps.rows === rows && view.maps.cols === cols ? view.maps : emptyMaps(rows, cols, keys, free, result.statistic.name);
  const errors: Record<string, number | null> = {};
  for (const k of free) errors[k] = result.parameters[k]?.error ?? null;
  const red = result.reducedStatistic ?? NaN;
  maps = writePixel({ ...maps, statistic: result.statistic.name }, view.selected, {
    values: result.values,
    errors,
    redChi2: red,
    status: result.converged ? PIXEL_STATUS.accepted : PIXEL_STATUS.failed,
  });
  const seeds = view.seeds.includes(view.selected) ? view.seeds : [...view.seeds, view.selected];
  return withCubeView(session, cube.name, { ...view, maps, seeds });
}

/** A stored model's maps go back to its spectrum image (when that is open with the same size). */
export function withStoredMaps(session: SessionDoc, stored: StoredModel): SessionDoc {
  if (!stored.cube) return session;
  const d = session.datasets.find((x) => x.name === stored.dataset);
  if (!d || d.kind !== 'cube' || d.shape[0] !== stored.cube.rows || d.shape[1] !== stored.cube.cols) return session;
  return withCubeView(session, d.name, { ...cubeViewOf(session, d.name), maps: stored.cube });
}

/**
 * Spectrum images of more values than this are not even encoded for a share link: noisy counts
 * compress to about 1 to 2 bytes a value, so a 32,000-character link holds at most ~20,000.
 */
export const SHARE_CUBE_MAX_VALUES = 50_000;

/** Why the session cannot go into a share link because of its spectrum images, or null. */
export function cubeShareProblem(session: SessionDoc, maxChars: number): string | null {
  const cubes = session.datasets.filter((d) => d.kind === 'cube');
  const values = cubes.reduce((n, d) => n + d.values.length, 0);
  if (values <= SHARE_CUBE_MAX_VALUES) return null;
  const names = cubes.map((d) => `${d.name} (${d.shape.join(' x ')})`).join(', ');
  return `The spectrum image${cubes.length === 1 ? '' : 's'} ${names} ${cubes.length === 1 ? 'holds' : 'hold'} ${values.toLocaleString('en')} values: too large for a share link (links work up to ${maxChars.toLocaleString('en')} characters). Use "Save session" and send the .fitbench.json file instead; it keeps the cube, the model and every map.`;
}
