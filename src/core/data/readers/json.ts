/**
 * Spectra from JSON: an array of numbers (y, x = index), an object {x, y, sigma?}, an array of
 * [x, y(, sigma)] rows or {x, y} records, and PyAutoFit's data.json + noise_map.json pair.
 * null, NaN and Infinity entries drop their point (counted in the notes).
 */
import type { Dataset } from '../dataset';
import { LoadError, quote } from './load-error';
import { JsonSyntaxError, parseJson } from './json-parse';
import { decodeText } from './text';
import { checkSigma, columnsToSpectrum, indexArray } from './spectrum-columns';

const Y_KEYS = ['y', 'data', 'values', 'counts', 'intensity', 'flux', 'signal'];
const X_KEYS = ['x', 'energy', 'wavelength', 'time', 'channel', 'frequency', 'xvalues'];
const SIGMA_KEYS = ['sigma', 'yerr', 'y_err', 'error', 'err', 'errors', 'noise_map', 'noise', 'dy', 'uncertainty'];

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return quote(v);
  return String(v);
}

/** Parses the file's text as JSON; syntax errors become LoadErrors with line and column. */
export function parseJsonFile(file: string, bytes: Uint8Array): { value: unknown; notes: string[] } {
  const text = decodeText(bytes);
  if (text.trim().length === 0) throw new LoadError(file, 'the file is empty');
  try {
    const { value, extended } = parseJson(text);
    return { value, notes: extended ? ['non-standard NaN/Infinity literals accepted'] : [] };
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new LoadError(file, e.message);
    throw e;
  }
}

/** Numbers of a JSON array; null/NaN/Infinity become NaN (dropped later); other values are errors at `path[i]`. */
export function numberArray(file: string, v: unknown, path: string): Float64Array {
  // "" -> element [i]; "[3]" -> element [3][i]; "y" -> y[i]
  const label = path === '' || path.startsWith('[') ? `element ${path}` : path;
  if (!Array.isArray(v)) throw new LoadError(file, `${label} is ${describe(v)}, expected an array of numbers`);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    if (typeof e === 'number') out[i] = Number.isFinite(e) ? e : NaN;
    else if (e === null) out[i] = NaN;
    else throw new LoadError(file, `${label}[${i}] is ${describe(e)}, expected a number`);
  }
  return out;
}

function findKey(obj: Record<string, unknown>, keys: string[]): string | undefined {
  const own = Object.keys(obj);
  for (const k of keys) {
    const hit = own.find((o) => o.toLowerCase() === k);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function fromObject(file: string, obj: Record<string, unknown>, notes: string[]): Dataset {
  const yKey = findKey(obj, Y_KEYS);
  if (yKey === undefined) {
    const keys = Object.keys(obj).slice(0, 8).join(', ');
    throw new LoadError(file, `no data found: expected an array of numbers or an object with a "y" array (found keys: ${keys || 'none'})`);
  }
  const xKey = findKey(obj, X_KEYS);
  const sKey = findKey(obj, SIGMA_KEYS);
  const y = numberArray(file, obj[yKey], yKey);
  const x = xKey !== undefined ? numberArray(file, obj[xKey], xKey) : indexArray(y.length);
  const sigma = sKey !== undefined ? numberArray(file, obj[sKey], sKey) : null;
  if (x.length !== y.length) throw new LoadError(file, `"${xKey}" has ${x.length} elements but "${yKey}" has ${y.length}`);
  if (sigma && sigma.length !== y.length) throw new LoadError(file, `"${sKey}" has ${sigma.length} elements but "${yKey}" has ${y.length}`);
  if (sigma) checkSigma(file, sigma, (i) => `${sKey}[${i}]`);
  const note = `JSON object: x = ${xKey !== undefined ? `"${xKey}"` : 'index 0, 1, 2, …'}, y = "${yKey}", sigma = ${sKey !== undefined ? `"${sKey}"` : 'none (unit weights)'}`;
  return columnsToSpectrum(file, x, y, sigma, [...notes, note]);
}

/** [[x, y], ...] or [[x, y, sigma], ...] rows, or [[x...], [y...](, [sigma...])] columns. */
function fromNested(file: string, arr: unknown[], notes: string[]): Dataset {
  const widths = arr.map((r) => (Array.isArray(r) ? r.length : -1));
  const bad = widths.findIndex((w) => w < 0);
  if (bad >= 0) throw new LoadError(file, `element [${bad}] is ${describe(arr[bad])}, expected an array like element [0]`);
  const w0 = widths[0];
  if ((w0 === 2 || w0 === 3) && widths.every((w) => w === w0) && !(arr.length <= 3 && w0 > arr.length)) {
    const cols = Array.from({ length: w0 }, () => new Float64Array(arr.length));
    for (let i = 0; i < arr.length; i++) {
      const row = numberArray(file, arr[i], `[${i}]`);
      for (let c = 0; c < w0; c++) cols[c][i] = row[c];
    }
    if (w0 === 3) checkSigma(file, cols[2], (i) => `element [${i}][2] (sigma)`);
    return columnsToSpectrum(file, cols[0], cols[1], w0 === 3 ? cols[2] : null, [...notes, `JSON rows of [x, y${w0 === 3 ? ', sigma' : ''}]`]);
  }
  if ((arr.length === 2 || arr.length === 3) && widths.every((w) => w === w0)) {
    const cols = arr.map((c, i) => numberArray(file, c, `[${i}]`));
    if (arr.length === 3) checkSigma(file, cols[2], (i) => `element [2][${i}] (sigma)`);
    return columnsToSpectrum(file, cols[0], cols[1], arr.length === 3 ? cols[2] : null, [...notes, `JSON columns [x], [y]${arr.length === 3 ? ', [sigma]' : ''}`]);
  }
  const mismatch = widths.findIndex((w) => w !== w0);
  if (mismatch >= 0 && (w0 === 2 || w0 === 3)) throw new LoadError(file, `element [${mismatch}] has ${widths[mismatch]} entries, expected ${w0} like element [0]`);
  throw new LoadError(file, `a ${arr.length} x ${w0} array is not a spectrum: expected numbers, [x, y] / [x, y, sigma] rows, or 2-3 columns (images are not supported)`);
}

/** [{x, y, sigma?}, ...] records. */
function fromRecords(file: string, arr: unknown[], notes: string[]): Dataset {
  const first = arr[0] as Record<string, unknown>;
  const yKey = findKey(first, Y_KEYS);
  if (yKey === undefined) throw new LoadError(file, `element [0] has no "y" (found keys: ${Object.keys(first).slice(0, 8).join(', ') || 'none'})`);
  const xKey = findKey(first, X_KEYS);
  const sKey = findKey(first, SIGMA_KEYS);
  const n = arr.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const s = sKey !== undefined ? new Float64Array(n) : null;
  const get = (i: number, key: string): number => {
    const rec = arr[i];
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) throw new LoadError(file, `element [${i}] is ${describe(rec)}, expected an object like element [0]`);
    const v = (rec as Record<string, unknown>)[key];
    if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
    if (v === null) return NaN;
    throw new LoadError(file, `element [${i}].${key} is ${v === undefined ? 'missing' : describe(v)}, expected a number`);
  };
  for (let i = 0; i < n; i++) {
    y[i] = get(i, yKey);
    x[i] = xKey !== undefined ? get(i, xKey) : i;
    if (s && sKey !== undefined) s[i] = get(i, sKey);
  }
  if (s && sKey !== undefined) checkSigma(file, s, (i) => `element [${i}].${sKey}`);
  return columnsToSpectrum(file, x, y, s, [...notes, `JSON records: x = ${xKey ?? 'index'}, y = ${yKey}, sigma = ${sKey ?? 'none (unit weights)'}`]);
}

/** A spectrum from one parsed JSON value. */
export function jsonValueToSpectrum(file: string, value: unknown, notes: string[] = []): Dataset {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new LoadError(file, 'the JSON array is empty');
    const e0 = value[0];
    if (Array.isArray(e0)) return fromNested(file, value, notes);
    if (e0 !== null && typeof e0 === 'object') return fromRecords(file, value, notes);
    const y = numberArray(file, value, '');
    return columnsToSpectrum(file, indexArray(y.length), y, null, [...notes, 'JSON array: y, with x = index 0, 1, 2, …']);
  }
  if (value !== null && typeof value === 'object') return fromObject(file, value as Record<string, unknown>, notes);
  throw new LoadError(file, `the JSON value is ${describe(value)}; expected an array of numbers or an object with x and y arrays`);
}

/** A spectrum from a JSON file. */
export function readJson(file: { name: string; bytes: Uint8Array }): Dataset {
  const { value, notes } = parseJsonFile(file.name, file.bytes);
  return jsonValueToSpectrum(file.name, value, notes);
}

/**
 * PyAutoFit's pair: data.json (array) and noise_map.json (array, used as sigma), x = 0..n-1.
 * `name` is the dataset's name (the folder's).
 */
export function readDataNoisePair(name: string, data: { name: string; bytes: Uint8Array }, noise: { name: string; bytes: Uint8Array }): Dataset {
  const d = parseJsonFile(data.name, data.bytes);
  const nm = parseJsonFile(noise.name, noise.bytes);
  const oneD = (file: string, v: unknown) => {
    if (Array.isArray(v) && v.length > 0 && Array.isArray(v[0])) {
      throw new LoadError(file, `is a ${v.length} x ${(v[0] as unknown[]).length} array (an image?); only 1D data with a noise map are supported`);
    }
    if (!Array.isArray(v)) throw new LoadError(file, `the JSON value is ${describe(v)}; expected an array of numbers`);
    return numberArray(file, v, '');
  };
  const y = oneD(data.name, d.value);
  const sigma = oneD(noise.name, nm.value);
  if (y.length !== sigma.length) {
    throw new LoadError(data.name, `has ${y.length} values but ${noise.name} has ${sigma.length}; they must match`);
  }
  checkSigma(noise.name, sigma, (i) => `element [${i}]`, 'a noise map');
  const notes = [...new Set([...d.notes, ...nm.notes])];
  notes.push(`PyAutoFit pair: y from ${data.name}, sigma from ${noise.name}, x = index 0, 1, 2, …`);
  return columnsToSpectrum(name, indexArray(y.length), y, sigma, notes, data.name);
}
