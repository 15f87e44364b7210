/**
 * HyperSpy .hspy files (HDF5; HyperSpy 1.x writes file_format 'HyperSpy', file_format_version
 * 3.x). The layout, checked against files written by HyperSpy 1.7.3 (testdata/hspy):
 *
 *   /Experiments/<title>/data            the array, in HyperSpy's array order: navigation axes
 *                                        first (rows, then columns), signal axes last
 *   /Experiments/<title>/axis-<i>        one group per array dimension i, attributes size, scale,
 *                                        offset, units, name, navigate (0/1), _type
 *   /Experiments/<title>/metadata/...    General.title, Signal.quantity, ...
 *
 * One signal axis is a spectrum (no navigation axis), a line of spectra (one: a cube
 * [1, n, channels]) or a spectrum image (two: a cube [rows, cols, channels]); two signal axes and
 * no navigation axis are an image (pixel coordinates, as every image dataset; the calibration goes
 * into the notes). Were the navigation axes not first in the array, the values are reordered so
 * that they are. The signal axis is offset + scale * channel (in float64, as HyperSpy computes
 * it); a non-uniform axis ('DataAxis') takes its stored 'axis' values.
 *
 * HDF5 is read with h5wasm (a WebAssembly build of the HDF5 library), loaded on first use by a
 * dynamic import (so that bundles without .hspy files do not carry it), its init awaited once.
 * The bytes go into h5wasm's in-memory file system, never the host's. Every problem is a LoadError
 * naming the file: not an HDF5 file, a truncated file (checked against the end-of-file address in
 * the superblock before HDF5 sees it), no /Experiments group, data that the axes do not match, an
 * unsupported data type (complex, string, float16, ...).
 */
import type { Dataset } from '../dataset';
import { arrayToImage } from '../../image/image-dataset';
import { LoadError } from './load-error';

type H5Api = typeof import('h5wasm').default;
type H5Group = InstanceType<H5Api['Group']>;
type H5Dataset = InstanceType<H5Api['Dataset']>;

/** One axis of the file, in array order. */
export interface HspyAxis {
  /** index in the stored array */
  index: number;
  name: string | null;
  units: string | null;
  size: number;
  scale: number;
  offset: number;
  navigate: boolean;
  /** the axis values (offset + scale * i, or the stored ones of a non-uniform axis) */
  values: Float64Array;
}

export interface HspyRead {
  dataset: Dataset;
  /** metadata.General.title (or the group name) */
  title: string;
  /** every axis, in the stored array order */
  axes: HspyAxis[];
  /** the file's dtype, numpy style ('float32', 'int64', ...) */
  dtype: string;
  /** the stored array shape */
  shape: number[];
}

// ---------------------------------------------------------------- h5wasm, loaded once

interface MemoryFs {
  writeFile(path: string, data: Uint8Array): void;
  unlink(path: string): void;
}

/** h5wasm's API with the in-memory file system of its module. */
export interface Hdf5 {
  api: H5Api;
  fs: MemoryFs;
}

let loading: Promise<Hdf5> | null = null;
let loaded: Hdf5 | null = null;

/** Loads h5wasm once (dynamic import + its async init); later calls return the same promise. */
export function loadHdf5(): Promise<Hdf5> {
  if (!loading) {
    loading = import('h5wasm').then(async (m) => {
      const api = m.default;
      const module = await api.ready;
      // HDF5 errors thrown as JS errors (instead of printed to stderr and returned as -1)
      module.activate_throwing_error_handler();
      loaded = { api, fs: module.FS as unknown as MemoryFs };
      return loaded;
    });
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** h5wasm when loadHdf5() has finished, else null (for synchronous readers). */
export function hdf5Loaded(): Hdf5 | null {
  return loaded;
}

// ---------------------------------------------------------------- checks on the raw bytes

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89HDF\r\n\x1a\n

function signatureAt(bytes: Uint8Array, at: number): boolean {
  if (at + 8 > bytes.length) return false;
  for (let i = 0; i < 8; i++) if (bytes[at + i] !== SIGNATURE[i]) return false;
  return true;
}

/** Where the HDF5 superblock starts (0, 512, 1024, 2048, ...: after a user block), or -1. */
export function hdf5SignatureOffset(bytes: Uint8Array): number {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) if (signatureAt(bytes, at)) return at;
  return -1;
}

/** Whether the bytes are an HDF5 file (the signature at 0 or after a user block). */
export function isHdf5(bytes: Uint8Array): boolean {
  return hdf5SignatureOffset(bytes) >= 0;
}

/** An unsigned little-endian integer of `size` bytes (null when undefined: all bits set, or past the end). */
function readAddress(bytes: Uint8Array, at: number, size: number): number | null {
  if (at + size > bytes.length || size < 1 || size > 8) return null;
  let v = 0;
  let allSet = true;
  for (let i = size - 1; i >= 0; i--) {
    const b = bytes[at + i];
    if (b !== 0xff) allSet = false;
    v = v * 256 + b;
  }
  return allSet ? null : v;
}

/**
 * The size the superblock says the file has (base address + end-of-file address); Infinity when
 * the bytes end inside the superblock; null when it cannot be read (unknown version, undefined
 * address). HDF5 file format specification, "Superblock": versions 0 and 1 keep the
 * end-of-file address after the base and free-space addresses (from byte 24, or 28 in version 1);
 * versions 2 and 3 after the base and superblock-extension addresses (from byte 12).
 */
function storedFileSize(bytes: Uint8Array, at: number): number | null {
  const version = bytes[at + 8];
  let sizeOfOffsets: number;
  let baseAt: number;
  if (version === 0 || version === 1) {
    sizeOfOffsets = bytes[at + 13];
    baseAt = at + (version === 0 ? 24 : 28);
  } else if (version === 2 || version === 3) {
    sizeOfOffsets = bytes[at + 9];
    baseAt = at + 12;
  } else return null;
  if (baseAt + 3 * sizeOfOffsets > bytes.length) return Infinity; // cut inside the superblock
  const base = readAddress(bytes, baseAt, sizeOfOffsets);
  const eof = readAddress(bytes, baseAt + 2 * sizeOfOffsets, sizeOfOffsets);
  if (base === null || eof === null) return null;
  return base + eof;
}

function kB(n: number): string {
  return n < 10_000 ? `${n} bytes` : `${(n / 1024).toFixed(1)} kB`;
}

/** Throws a LoadError unless the bytes look like a whole HDF5 file. */
function checkBytes(name: string, bytes: Uint8Array): void {
  if (bytes.length === 0) throw new LoadError(name, 'the file is empty (0 bytes)');
  const at = hdf5SignatureOffset(bytes);
  if (at < 0) {
    throw new LoadError(name, 'not an HDF5 file (no HDF5 signature): a HyperSpy .hspy file is HDF5; was it saved with another format, or is this a different file?');
  }
  const need = storedFileSize(bytes, at);
  if (need === Infinity) throw new LoadError(name, `the file is truncated: only ${kB(bytes.length)}, cut inside its HDF5 header`);
  if (need !== null && bytes.length < need) {
    throw new LoadError(name, `the file is truncated: ${kB(bytes.length)} of the ${kB(need)} its HDF5 header announces (copy or download it again)`);
  }
}

/** The innermost line of an HDF5 error stack ("...: file signature not found (Not an HDF5 file)"). */
function hdf5Reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.split('\n');
  let last = '';
  let minor = '';
  for (const line of lines) {
    const m = /#\d+:.* in [\w.]+\(\): (.*)$/.exec(line);
    if (m) last = m[1].trim();
    const n = /^\s*minor: (.*)$/.exec(line);
    if (n) minor = n[1].trim();
  }
  if (last) return minor && minor.toLowerCase() !== last.toLowerCase() ? `${last} (${minor})` : last;
  return text.split('\n')[0] || 'unknown error';
}

// ---------------------------------------------------------------- attributes and types

function attr(obj: { attrs: Record<string, { value: unknown }> }, key: string): unknown {
  const attrs = obj.attrs;
  if (!Object.prototype.hasOwnProperty.call(attrs, key)) return undefined;
  return attrs[key].value;
}

/** A string attribute; HyperSpy's '_None_' and traits' '<undefined>' are absent. */
function stringAttr(obj: { attrs: Record<string, { value: unknown }> }, key: string): string | null {
  const v = attr(obj, key);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s === '' || s === '_None_' || s === '<undefined>' ? null : s;
}

function numberAttr(obj: { attrs: Record<string, { value: unknown }> }, key: string): number | undefined {
  const v = attr(obj, key);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === 1) return Number((v as unknown as ArrayLike<number | bigint>)[0]);
  return undefined;
}

function shapeText(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

interface DataType {
  /** numpy-style name */
  name: string;
  supported: boolean;
}

/** The stored type of the data (HDF5 class and size, h5wasm metadata). */
function dataType(d: H5Dataset): DataType {
  const m = d.metadata as { type: number; size: number; signed?: boolean; vlen?: boolean; compound_type?: { members?: { name: string }[] } };
  if (m.type === 0) {
    const name = `${m.signed ? 'int' : 'uint'}${8 * m.size}`;
    return { name, supported: [1, 2, 4, 8].includes(m.size) };
  }
  if (m.type === 1) return { name: `float${8 * m.size}`, supported: m.size === 4 || m.size === 8 };
  if (m.type === 6) {
    const members = (m.compound_type?.members ?? []).map((x) => x.name);
    if (members.length === 2 && members[0] === 'r' && members[1] === 'i') return { name: `complex${8 * m.size}`, supported: false };
    return { name: `compound (${members.join(', ')})`, supported: false };
  }
  const classes: Record<number, string> = { 2: 'time', 3: 'string', 4: 'bit field', 5: 'opaque', 7: 'reference', 8: 'enum (bool)', 9: 'variable length (ragged)', 10: 'array' };
  return { name: classes[m.type] ?? `HDF5 class ${m.type}`, supported: false };
}

/** The values as float64; int64 beyond 2^53 lose digits (counted). */
function toFloat64(values: unknown, count: number, name: string, where: string): { data: Float64Array; inexact: number } {
  if (!ArrayBuffer.isView(values)) throw new LoadError(name, `${where}: the data could not be read as numbers`);
  const src = values as unknown as ArrayLike<number | bigint>;
  if (src.length !== count) throw new LoadError(name, `${where}: ${src.length} values read, the shape needs ${count}`);
  if (values instanceof Float64Array) return { data: values.slice(), inexact: 0 };
  const out = new Float64Array(count);
  let inexact = 0;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    for (let i = 0; i < count; i++) {
      const v = values[i];
      out[i] = Number(v);
      if (BigInt(out[i]) !== v) inexact++;
    }
  } else {
    for (let i = 0; i < count; i++) out[i] = src[i] as number;
  }
  return { data: out, inexact };
}

/** `data` (C order, `shape`) with its axes permuted: new axis k is old axis order[k]. */
function transpose(data: Float64Array, shape: number[], order: number[]): Float64Array {
  const n = shape.length;
  const strides = new Array<number>(n);
  let s = 1;
  for (let k = n - 1; k >= 0; k--) {
    strides[k] = s;
    s *= shape[k];
  }
  const newShape = order.map((k) => shape[k]);
  const newStrides = order.map((k) => strides[k]);
  const out = new Float64Array(data.length);
  const idx = new Array<number>(n).fill(0);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let k = 0; k < n; k++) src += idx[k] * newStrides[k];
    out[i] = data[src];
    for (let k = n - 1; k >= 0; k--) {
      if (++idx[k] < newShape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------- reading

function readAxes(name: string, exp: H5Group, where: string, shape: number[]): HspyAxis[] {
  const axes: HspyAxis[] = [];
  const keys = exp.keys();
  const axisKeys = keys.filter((k) => /^axis-\d+$/.test(k));
  const sizes = (): string =>
    axisKeys
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
      .map((k) => {
        const g = exp.get(k) as H5Group | null;
        return `${k}: ${g ? numberAttr(g, 'size') : '?'}`;
      })
      .join(', ');
  if (axisKeys.length !== shape.length) {
    throw new LoadError(name, `${where}: the data of shape ${shapeText(shape)} have ${shape.length} dimensions but the file describes ${axisKeys.length} axes (${sizes() || 'none'})`);
  }
  for (let i = 0; i < shape.length; i++) {
    const g = exp.get(`axis-${i}`);
    if (entityType(g) !== 'Group') throw new LoadError(name, `${where}: axis-${i} is missing (axes: ${sizes()})`);
    const group = g as H5Group;
    const axisName = stringAttr(group, 'name');
    const label = `axis-${i}${axisName ? ` (${axisName})` : ''}`;
    const size = numberAttr(group, 'size');
    if (size !== shape[i]) {
      throw new LoadError(name, `${where}: the data of shape ${shapeText(shape)} do not match the axes: ${label} has size ${size ?? 'missing'}, the data ${shape[i]} (axes: ${sizes()})`);
    }
    const type = stringAttr(group, '_type') ?? 'UniformDataAxis';
    const units = stringAttr(group, 'units');
    const navigate = Number(attr(group, 'navigate') ?? 0) !== 0;
    let scale = numberAttr(group, 'scale') ?? 1;
    let offset = numberAttr(group, 'offset') ?? 0;
    let values: Float64Array;
    if (type === 'UniformDataAxis') {
      if (!Number.isFinite(scale) || scale === 0) throw new LoadError(name, `${where}: ${label} has scale ${scale}; it must be a finite non-zero number`);
      if (!Number.isFinite(offset)) throw new LoadError(name, `${where}: ${label} has offset ${offset}; it must be finite`);
      values = new Float64Array(size);
      // HyperSpy: axis = offset + scale * arange(size), in float64
      for (let k = 0; k < size; k++) values[k] = offset + scale * k;
    } else if (type === 'DataAxis') {
      let stored: unknown = attr(group, 'axis');
      if (stored === undefined) {
        const ds = group.get('axis');
        stored = entityType(ds) === 'Dataset' ? (ds as H5Dataset).value : undefined;
      }
      const arr = ArrayBuffer.isView(stored) ? Array.from(stored as unknown as ArrayLike<number | bigint>, Number) : null;
      if (!arr || arr.length !== size || !arr.every(Number.isFinite)) {
        throw new LoadError(name, `${where}: ${label} is a non-uniform axis without ${size} finite stored values`);
      }
      values = Float64Array.from(arr);
      offset = values[0];
      scale = size > 1 ? (values[size - 1] - values[0]) / (size - 1) : 1;
    } else {
      throw new LoadError(name, `${where}: ${label} is a ${type}, not supported; convert it in HyperSpy (axis.convert_to_uniform_axis()) and save again`);
    }
    axes.push({ index: i, name: axisName, units, size, scale, offset, navigate, values });
  }
  return axes;
}

/** e.g. "rows (y): 4, 2.5 nm apart from -5 nm" */
function describeAxis(a: HspyAxis, what: string): string {
  const u = a.units ? ` ${a.units}` : '';
  return `${what}${a.name ? ` (${a.name})` : ''}: ${a.size}, ${a.scale}${u} apart from ${a.offset}${u}`;
}

/** 'Group', 'Dataset', ... of an h5wasm entity (undefined for references and missing objects). */
function entityType(e: unknown): string | undefined {
  return e && typeof e === 'object' ? (e as { type?: string }).type : undefined;
}

function groupAt(root: H5Group, path: string): H5Group | null {
  const g = root.get(path);
  return entityType(g) === 'Group' ? (g as H5Group) : null;
}

/** Reads an opened file (see the module comment). */
function readOpened(name: string, root: H5Group, byteLength: number): HspyRead {
  const ex = groupAt(root, 'Experiments');
  if (!ex) {
    const top = root.keys();
    throw new LoadError(name, `no /Experiments group: an HDF5 file but not a HyperSpy .hspy file (top level: ${top.length ? top.slice(0, 8).join(', ') : 'empty'})`);
  }
  const titles = ex.keys();
  if (titles.length === 0) throw new LoadError(name, 'the /Experiments group is empty: the file holds no signal');
  const groupName = titles[0];
  const where = `/Experiments/${groupName}`;
  const exp = groupAt(ex, groupName);
  if (!exp) throw new LoadError(name, `${where} is not a group`);
  const node = exp.get('data');
  if (entityType(node) !== 'Dataset') throw new LoadError(name, `${where} has no 'data' array`);
  const data = node as H5Dataset;
  const shape = data.shape;
  if (!shape || shape.length === 0) throw new LoadError(name, `${where}/data is a scalar, not an array`);
  const type = dataType(data);
  if (!type.supported) {
    throw new LoadError(name, `${where}/data has the unsupported data type ${type.name}: integer and float32/float64 data are read (a complex signal: save its real part or its amplitude)`);
  }
  const count = shape.reduce((p, q) => p * q, 1);
  if (count === 0) throw new LoadError(name, `${where}/data is empty (shape ${shapeText(shape)})`);
  const axes = readAxes(name, exp, where, shape);

  let values: unknown;
  try {
    values = data.value;
  } catch (e) {
    throw new LoadError(name, `${where}/data could not be read: ${hdf5Reason(e)}`);
  }
  const { data: flat, inexact } = toFloat64(values, count, name, `${where}/data`);

  const nav = axes.filter((a) => a.navigate);
  const sig = axes.filter((a) => !a.navigate);
  const order = [...nav, ...sig].map((a) => a.index);
  const inOrder = order.every((k, i) => k === i);
  const values64 = inOrder ? flat : transpose(flat, shape, order);

  const title = stringAttr(groupAt(exp, 'metadata/General') ?? exp, 'title') ?? groupName;
  const quantity = stringAttr(groupAt(exp, 'metadata/Signal') ?? exp, 'quantity');
  const format = stringAttr(root, 'file_format');
  const version = stringAttr(root, 'file_format_version');
  const writer = stringAttr(exp, 'package') ? `${stringAttr(exp, 'package')} ${stringAttr(exp, 'package_version') ?? ''}`.trim() : null;
  const notes = [
    `${format ?? 'HDF5'} file${version ? ` (format ${version}${writer ? `, written by ${writer}` : ''})` : ''}: "${title}", ${type.name} data of shape ${shapeText(shape)}, ${kB(byteLength)}`,
  ];
  if (titles.length > 1) notes.push(`${titles.length} signals in /Experiments; read the first (${groupName}), not ${titles.slice(1).join(', ')}`);
  if (!inOrder) notes.push(`axes reordered to navigation first, signal last (stored order ${axes.map((a) => (a.navigate ? 'nav' : 'sig')).join(', ')})`);
  if (inexact > 0) notes.push(`${inexact} integer value${inexact === 1 ? '' : 's'} beyond 2^53 rounded to float64`);
  let bad = 0;
  for (let i = 0; i < values64.length; i++) if (!Number.isFinite(values64[i])) bad++;

  let dataset: Dataset;
  if (sig.length === 1) {
    if (nav.length > 2) {
      throw new LoadError(name, `${where}: ${nav.length} navigation axes; a spectrum image has at most 2 (rows, columns) — slice or sum the others in HyperSpy first`);
    }
    const s = sig[0];
    const channels = s.size;
    notes.push(`signal axis${s.name ? ` ${s.name}` : ''}: ${s.offset} + ${s.scale} * channel${s.units ? ` ${s.units}` : ''} (${channels} channels)`);
    const labels: Record<string, string> = {};
    const xLabel = s.units ?? s.name;
    if (xLabel) labels.x = xLabel;
    if (quantity) labels.y = quantity;
    if (nav.length === 0) {
      dataset = { name, kind: 'spectrum', shape: [channels], coords: { x: s.values.slice() }, values: values64 };
    } else {
      const rows = nav.length === 2 ? nav[0].size : 1;
      const cols = nav.length === 2 ? nav[1].size : nav[0].size;
      if (nav.length === 2) notes.push(`navigation: ${describeAxis(nav[0], 'rows')}; ${describeAxis(nav[1], 'columns')}`);
      else notes.push(`navigation: one line (a cube of 1 row); ${describeAxis(nav[0], 'columns')}`);
      dataset = { name, kind: 'cube', shape: [rows, cols, channels], coords: { x: s.values.slice() }, values: values64 };
    }
    if (bad > 0) notes.push(`${bad} value${bad === 1 ? '' : 's'} NaN/Inf kept (excluded from fits)`);
    dataset.notes = notes;
    if (Object.keys(labels).length > 0) dataset.labels = labels;
  } else if (sig.length === 2 && nav.length === 0) {
    const [ay, ax] = sig;
    notes.push(`image calibration (the dataset keeps pixel coordinates): ${describeAxis(ay, 'rows')}; ${describeAxis(ax, 'columns')}`);
    dataset = arrayToImage(name, { data: values64, shape: [ay.size, ax.size] }, {}, notes);
  } else if (sig.length === 0) {
    throw new LoadError(name, `${where}: every axis is a navigation axis; there is no signal axis to fit`);
  } else {
    throw new LoadError(
      name,
      `${where}: ${sig.length} signal and ${nav.length} navigation axes (shape ${shapeText(shape)}); read are a spectrum (1 signal axis, up to 2 navigation axes) or an image (2 signal axes)`,
    );
  }
  return { dataset, title, axes, dtype: type.name, shape: shape.slice() };
}

let fileCounter = 0;

/** Reads a .hspy file with h5wasm already loaded (synchronous); every problem is a LoadError naming the file. */
export function readHspyWith(h5: Hdf5, file: { name: string; bytes: Uint8Array }): HspyRead {
  const name = file.name;
  checkBytes(name, file.bytes);
  const { api, fs } = h5;
  const path = `/fitbench-${++fileCounter}.h5`;
  fs.writeFile(path, file.bytes);
  let f: InstanceType<H5Api['File']> | null = null;
  try {
    try {
      f = new api.File(path, 'r');
    } catch (e) {
      throw new LoadError(name, `HDF5 could not open the file: ${hdf5Reason(e)}`);
    }
    if (f.file_id < 0n) throw new LoadError(name, 'HDF5 could not open the file');
    return readOpened(name, f, file.bytes.length);
  } catch (e) {
    if (e instanceof LoadError) throw e;
    throw new LoadError(name, `could not be read as HDF5: ${hdf5Reason(e)}`);
  } finally {
    try {
      f?.close();
    } catch {
      // already failed; the error above is the one to report
    }
    try {
      fs.unlink(path);
    } catch {
      // nothing to remove
    }
  }
}

/** Reads a HyperSpy .hspy file: the dataset with its calibration, the axes and the stored type. */
export async function readHspyDetailed(file: { name: string; bytes: Uint8Array }): Promise<HspyRead> {
  checkBytes(file.name, file.bytes);
  let h5: Hdf5;
  try {
    h5 = await loadHdf5();
  } catch (e) {
    throw new LoadError(file.name, `the HDF5 reader (h5wasm) could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  return readHspyWith(h5, file);
}

/** Reads a HyperSpy .hspy file into a spectrum, a cube or an image (see the module comment). */
export async function readHspy(file: { name: string; bytes: Uint8Array }): Promise<Dataset> {
  return (await readHspyDetailed(file)).dataset;
}
