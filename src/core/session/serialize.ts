/**
 * Session document <-> plain JSON. Typed arrays become number arrays (non-finite numbers,
 * which JSON cannot hold, become null and come back as NaN).
 */
import type { Dataset } from '../data/dataset';
import type { SessionDoc } from './document';
import { cubeToJson, storedModelToJson, type CubeViewJson, type StoredModelJson } from './cube-json';

export interface DatasetJson {
  name: string;
  kind: Dataset['kind'];
  shape: number[];
  coords: Record<string, (number | null)[]>;
  values: (number | null)[];
  sigma?: (number | null)[];
  mask?: number[];
  notes?: string[];
  labels?: Record<string, string>;
  psf?: { data: (number | null)[]; size: number; source?: string };
}

export type SessionJson = Omit<SessionDoc, 'datasets' | 'stored' | 'cube'> & {
  format: 'fitbench-session';
  datasets: DatasetJson[];
  stored: StoredModelJson[];
  cube?: Record<string, CubeViewJson>;
};

function toArray(a: Float64Array): (number | null)[] {
  const out = new Array<number | null>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number.isFinite(a[i]) ? a[i] : null;
  return out;
}

function fromArray(a: (number | null)[]): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] === null ? NaN : (a[i] as number);
  return out;
}

export function datasetToJson(d: Dataset): DatasetJson {
  const coords: Record<string, (number | null)[]> = {};
  for (const [k, v] of Object.entries(d.coords)) coords[k] = toArray(v);
  return {
    name: d.name,
    kind: d.kind,
    shape: [...d.shape],
    coords,
    values: toArray(d.values),
    sigma: d.sigma ? toArray(d.sigma) : undefined,
    mask: d.mask ? Array.from(d.mask) : undefined,
    notes: d.notes,
    labels: d.labels,
    ...(d.psf ? { psf: { data: toArray(d.psf.data), size: d.psf.size, ...(d.psf.source ? { source: d.psf.source } : {}) } } : {}),
  };
}

export function datasetFromJson(j: DatasetJson): Dataset {
  const coords: Record<string, Float64Array> = Object.create(null);
  for (const [k, v] of Object.entries(j.coords)) coords[k] = fromArray(v);
  return {
    name: j.name,
    kind: j.kind,
    shape: [...j.shape],
    coords,
    values: fromArray(j.values),
    sigma: j.sigma ? fromArray(j.sigma) : undefined,
    mask: j.mask ? Uint8Array.from(j.mask) : undefined,
    notes: j.notes,
    labels: j.labels,
    ...(j.psf ? { psf: { data: fromArray(j.psf.data), size: j.psf.size, ...(j.psf.source ? { source: j.psf.source } : {}) } } : {}),
  };
}

export function sessionToJson(s: SessionDoc): SessionJson {
  const { cube, ...rest } = s;
  return { format: 'fitbench-session', ...rest, datasets: s.datasets.map(datasetToJson), stored: s.stored.map(storedModelToJson), ...(cube ? { cube: cubeToJson(cube) } : {}) };
}

export function sessionToText(s: SessionDoc): string {
  return JSON.stringify(sessionToJson(s));
}

/**
 * The same document text (keys in another order) with each dataset's JSON text taken from
 * `datasetText` — e.g. a cache by dataset object, so that autosaving a session with a large cube
 * after a click re-serialises the small parts only (datasets are replaced, never mutated).
 */
export function sessionToTextWith(s: SessionDoc, datasetText: (d: Dataset) => string): string {
  const { datasets: _none, ...others } = sessionToJson({ ...s, datasets: [] });
  const body = JSON.stringify(others);
  const head = `{"datasets":[${s.datasets.map(datasetText).join(',')}]`;
  return body.length > 2 ? `${head},${body.slice(1)}` : `${head}}`;
}
