/**
 * Parameter maps of a spectrum image as kept in the session document (SessionDoc.cube, keyed by
 * dataset name; stored models keep a copy): value maps of every parameter, error maps of the
 * free ones, the reduced statistic and the pixel status (PIXEL_STATUS), plus the navigator's
 * selected pixel, the user's seed pixels and the multifit settings.
 *
 * Documents are immutable: every function here returns new objects and copies only the arrays it
 * changes (unchanged maps are shared), so undo history and React see a change as a new reference.
 */
import type { StatisticName } from '../fit/settings';
import { PIXEL_STATUS, type MultifitOrder, type MultifitSeed } from './multifit';
import type { VarianceMode } from './pixel-fitter';

export interface CubeMaps {
  rows: number;
  cols: number;
  /** every parameter key -> value per pixel (NaN: no value) */
  values: Record<string, Float64Array>;
  /** free parameter key -> standard error per pixel */
  errors: Record<string, Float64Array>;
  /** reduced chi-square (reduced Cash / -ln L per dof for the Poisson statistics) per pixel */
  redChi2: Float64Array;
  /** PIXEL_STATUS per pixel: 0 not fitted, 1 accepted, 2 accepted after a retry, 3 failed */
  status: Uint8Array;
  /** the statistic the reduced values belong to */
  statistic: StatisticName;
}

export interface CubeView {
  /** the navigator's pixel, r * cols + c */
  selected: number;
  /** pixels fitted (or set) by the user that start a smart multifit */
  seeds: number[];
  order: MultifitOrder;
  variance: VarianceMode;
  /** accepted reduced-statistic window; null: [0, 3 x median of the seeds' values] */
  chi2Window: [number, number] | null;
  maps: CubeMaps | null;
}

export const MAP_KINDS = ['value', 'error', 'redChi2', 'failed', 'status'] as const;
export type MapKind = (typeof MAP_KINDS)[number];

export function defaultCubeView(): CubeView {
  return { selected: 0, seeds: [], order: 'smart', variance: 'poisson', chi2Window: null, maps: null };
}

/** Maps of the given keys, all NaN (status 0). */
export function emptyMaps(rows: number, cols: number, keys: string[], freeKeys: string[], statistic: StatisticName): CubeMaps {
  const P = rows * cols;
  const nan = () => new Float64Array(P).fill(NaN);
  return {
    rows,
    cols,
    values: Object.fromEntries(keys.map((k) => [k, nan()])),
    errors: Object.fromEntries(freeKeys.map((k) => [k, nan()])),
    redChi2: nan(),
    status: new Uint8Array(P),
    statistic,
  };
}

/** Maps from a multifit-shaped result (maps of every parameter, errors of the free ones). */
export function mapsFromResult(
  rows: number,
  cols: number,
  r: { maps: Record<string, Float64Array>; errors: Record<string, Float64Array>; redChi2: Float64Array; status: Uint8Array },
  statistic: StatisticName,
): CubeMaps {
  const P = rows * cols;
  const check = (a: ArrayLike<number>, what: string) => {
    if (a.length !== P) throw new RangeError(`${what} has ${a.length} pixels, the map ${rows} x ${cols} needs ${P}`);
  };
  for (const [k, a] of Object.entries(r.maps)) check(a, k);
  for (const [k, a] of Object.entries(r.errors)) check(a, `${k} error`);
  check(r.redChi2, 'reduced chi-square');
  check(r.status, 'status');
  return { rows, cols, values: { ...r.maps }, errors: { ...r.errors }, redChi2: r.redChi2, status: r.status, statistic };
}

/**
 * `fresh` laid over `old`: pixels that `fresh` fitted (status != 0) come from `fresh`, the others
 * keep `old`'s numbers where `old` has the same key (a cancelled run keeps earlier fits). Keys
 * are `fresh`'s.
 */
export function mergeMaps(old: CubeMaps | null, fresh: CubeMaps): CubeMaps {
  if (!old || old.rows !== fresh.rows || old.cols !== fresh.cols) return fresh;
  const P = fresh.rows * fresh.cols;
  const take = (a: Float64Array, b: Float64Array | undefined): Float64Array => {
    if (!b) return a;
    const out = a.slice();
    for (let p = 0; p < P; p++) if (fresh.status[p] === PIXEL_STATUS.notFitted) out[p] = b[p];
    return out;
  };
  const status = fresh.status.slice();
  const redChi2 = fresh.redChi2.slice();
  for (let p = 0; p < P; p++) {
    if (status[p] === PIXEL_STATUS.notFitted) {
      status[p] = old.status[p];
      redChi2[p] = old.redChi2[p];
    }
  }
  return {
    rows: fresh.rows,
    cols: fresh.cols,
    values: Object.fromEntries(Object.entries(fresh.values).map(([k, a]) => [k, take(a, old.values[k])])),
    errors: Object.fromEntries(Object.entries(fresh.errors).map(([k, a]) => [k, take(a, old.errors[k])])),
    redChi2,
    status,
    statistic: fresh.statistic,
  };
}

/** The finite values of a pixel by parameter key. */
export function pixelValues(maps: CubeMaps, pixel: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, a] of Object.entries(maps.values)) if (Number.isFinite(a[pixel])) out[k] = a[pixel];
  return out;
}

/** The finite errors of a pixel by parameter key. */
export function pixelErrors(maps: CubeMaps, pixel: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, a] of Object.entries(maps.errors)) if (Number.isFinite(a[pixel])) out[k] = a[pixel];
  return out;
}

export interface PixelPatch {
  values?: Record<string, number>;
  /** null: no error (NaN) */
  errors?: Record<string, number | null>;
  redChi2?: number;
  status?: number;
}

/**
 * A copy of `maps` with one pixel changed. Only the arrays that change are copied; a key not in
 * the maps yet gets a new map (NaN elsewhere). Returns `maps` itself when nothing changes.
 */
export function writePixel(maps: CubeMaps, pixel: number, patch: PixelPatch): CubeMaps {
  const P = maps.rows * maps.cols;
  if (!Number.isInteger(pixel) || pixel < 0 || pixel >= P) throw new RangeError(`pixel ${pixel} is outside 0..${P - 1}`);
  let changed = false;
  const setIn = (rec: Record<string, Float64Array>, entries: [string, number][]): Record<string, Float64Array> => {
    let out = rec;
    for (const [k, v] of entries) {
      const old = rec[k];
      if (old && Object.is(old[pixel], v)) continue;
      const a = old ? old.slice() : new Float64Array(P).fill(NaN);
      a[pixel] = v;
      if (out === rec) out = { ...rec };
      out[k] = a;
      changed = true;
    }
    return out;
  };
  const values = patch.values ? setIn(maps.values, Object.entries(patch.values)) : maps.values;
  const errors = patch.errors ? setIn(maps.errors, Object.entries(patch.errors).map(([k, v]) => [k, v ?? NaN])) : maps.errors;
  let redChi2 = maps.redChi2;
  if (patch.redChi2 !== undefined && !Object.is(redChi2[pixel], patch.redChi2)) {
    redChi2 = redChi2.slice();
    redChi2[pixel] = patch.redChi2;
    changed = true;
  }
  let status = maps.status;
  if (patch.status !== undefined && status[pixel] !== patch.status) {
    status = status.slice();
    status[pixel] = patch.status;
    changed = true;
  }
  return changed ? { ...maps, values, errors, redChi2, status } : maps;
}

/** A display map: a parameter's values or errors, the reduced statistic, the failed mask (1 failed, 0 fitted, NaN not fitted) or the status. */
export function mapOf(maps: CubeMaps, kind: MapKind, key: string | null): Float64Array | null {
  switch (kind) {
    case 'value':
      return key !== null ? (maps.values[key] ?? null) : null;
    case 'error':
      return key !== null ? (maps.errors[key] ?? null) : null;
    case 'redChi2':
      return maps.redChi2;
    case 'failed':
      return Float64Array.from(maps.status, (s) => (s === PIXEL_STATUS.notFitted ? NaN : s === PIXEL_STATUS.failed ? 1 : 0));
    case 'status':
      return Float64Array.from(maps.status);
  }
}

export interface StatusCounts {
  notFitted: number;
  accepted: number;
  retried: number;
  failed: number;
}

export function statusCounts(status: Uint8Array): StatusCounts {
  const out = { notFitted: 0, accepted: 0, retried: 0, failed: 0 };
  for (const s of status) {
    if (s === PIXEL_STATUS.accepted) out.accepted++;
    else if (s === PIXEL_STATUS.retriedAccepted) out.retried++;
    else if (s === PIXEL_STATUS.failed) out.failed++;
    else out.notFitted++;
  }
  return out;
}

/**
 * Multifit seeds from the user's seed pixels: each seed's finite map values of the free
 * parameters (a key without a value starts from the document's value). Seeds without any value
 * are left out.
 */
export function seedsFromView(view: CubeView, freeKeys: string[]): MultifitSeed[] {
  const maps = view.maps;
  if (!maps) return [];
  const P = maps.rows * maps.cols;
  const out: MultifitSeed[] = [];
  for (const pixel of view.seeds) {
    if (!Number.isInteger(pixel) || pixel < 0 || pixel >= P) continue;
    const values: Record<string, number> = {};
    for (const k of freeKeys) {
      const v = maps.values[k]?.[pixel];
      if (v !== undefined && Number.isFinite(v)) values[k] = v;
    }
    if (Object.keys(values).length > 0) out.push({ pixel, values });
  }
  return out;
}

/** Reduced statistic of the seed pixels that were fitted (accepted) and have a finite value. */
export function seedRedChi2(view: CubeView): number[] {
  const maps = view.maps;
  if (!maps) return [];
  const out: number[] = [];
  for (const p of view.seeds) {
    const s = maps.status[p];
    const v = maps.redChi2[p];
    if ((s === PIXEL_STATUS.accepted || s === PIXEL_STATUS.retriedAccepted) && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** The default goodness window from the seeds' reduced statistics: [0, factor x median]; null without seeds. */
export function defaultChi2Window(seedValues: number[], factor = 3): [number, number] | null {
  const fin = seedValues.filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  if (fin.length === 0) return null;
  const h = fin.length >> 1;
  const med = fin.length % 2 ? fin[h] : 0.5 * (fin[h - 1] + fin[h]);
  return [0, factor * med];
}
