/**
 * NumPy .npy files, format versions 1.0, 2.0 and 3.0 (numpy.lib.format, NEP 1): magic
 * "\x93NUMPY", version, header length (uint16 for v1, uint32 for v2/v3), a Python dict literal
 * {'descr', 'fortran_order', 'shape'} (parsed here without eval), then the raw array.
 */
import type { Dataset } from '../dataset';
import { LoadError } from './load-error';
import { checkSigma, columnsToSpectrum, indexArray } from './spectrum-columns';

export interface NpyArray {
  shape: number[];
  /** values in C (row-major) order */
  data: Float64Array;
  /** the descr string, e.g. '<f8' */
  dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** Tokenises and parses the header's Python literal: dicts, tuples, lists, strings, ints, True/False/None. */
function parsePyLiteral(file: string, text: string): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new LoadError(file, `bad .npy header at character ${pos + 1}: ${what} (header: ${JSON.stringify(text.slice(0, 80))})`);
  };
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const value = (depth: number): PyValue => {
    if (depth > 16) fail('nested too deeply');
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const out: { [k: string]: PyValue } = {};
      for (;;) {
        ws();
        if (text[pos] === '}') {
          pos++;
          return out;
        }
        const k = value(depth + 1);
        if (typeof k !== 'string') fail('dict keys must be strings');
        ws();
        if (text[pos] !== ':') fail("expected ':'");
        pos++;
        Object.defineProperty(out, k as string, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== '}') fail("expected ',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      pos++;
      const out: PyValue[] = [];
      for (;;) {
        ws();
        if (text[pos] === close) {
          pos++;
          return out;
        }
        out.push(value(depth + 1));
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    const m = /^(True|False|None|[+-]?\d+L?)/.exec(text.slice(pos, pos + 40));
    if (!m) fail(`unexpected ${JSON.stringify(text.slice(pos, pos + 10))}`);
    const tok = m![0];
    pos += tok.length;
    if (tok === 'True') return true;
    if (tok === 'False') return false;
    if (tok === 'None') return null;
    return Number(tok.replace('L', ''));
  };
  const v = value(0);
  ws();
  if (pos < text.length) fail('unexpected text after the dict');
  return v;
}

interface DtypeInfo {
  kind: 'f' | 'i' | 'u' | 'b';
  size: number;
  little: boolean;
  name: string;
}

function parseDescr(file: string, descr: PyValue): DtypeInfo {
  if (typeof descr !== 'string') throw new LoadError(file, 'structured .npy arrays (record dtypes) are not supported; save a plain numeric array');
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  const supported: Record<string, number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };
  if (!m || !(m[2] in supported) || !supported[m[2]].includes(Number(m[3]))) {
    throw new LoadError(file, `unsupported dtype '${descr}' (supported: float16/32/64, int8-64, uint8-64, bool)`);
  }
  const kind = m[2] as DtypeInfo['kind'];
  const size = Number(m[3]);
  const names: Record<string, string> = { f: 'float', i: 'int', u: 'uint', b: 'bool' };
  return { kind, size, little: m[1] !== '>', name: kind === 'b' ? 'bool' : `${names[kind]}${size * 8}` };
}

/** IEEE 754 binary16 to a double. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f === 0 ? sign * Infinity : NaN;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

function readValues(view: DataView, offset: number, count: number, t: DtypeInfo): Float64Array {
  const out = new Float64Array(count);
  const le = t.little;
  const s = t.size;
  switch (`${t.kind}${s}`) {
    case 'f8':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, le);
      break;
    case 'f4':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, le);
      break;
    case 'f2':
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(offset + 2 * i, le));
      break;
    case 'i1':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(offset + i);
      break;
    case 'u1':
    case 'b1':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(offset + i);
      break;
    case 'i2':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, le);
      break;
    case 'u2':
      for (let i = 0; i < count; i++) out[i] = view.getUint16(offset + 2 * i, le);
      break;
    case 'i4':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, le);
      break;
    case 'u4':
      for (let i = 0; i < count; i++) out[i] = view.getUint32(offset + 4 * i, le);
      break;
    case 'i8':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(offset + 8 * i, le));
      break;
    case 'u8':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigUint64(offset + 8 * i, le));
      break;
  }
  return out;
}

/** Fortran (column-major) order to C (row-major) order for any number of dimensions. */
function fortranToC(src: Float64Array, shape: number[]): Float64Array {
  const nd = shape.length;
  if (nd < 2) return src;
  const out = new Float64Array(src.length);
  const fStride = new Array<number>(nd);
  fStride[0] = 1;
  for (let k = 1; k < nd; k++) fStride[k] = fStride[k - 1] * shape[k - 1];
  const idx = new Array<number>(nd).fill(0);
  let f = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = src[f];
    // advance the C-order multi-index (last axis fastest), keeping the Fortran offset in step
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]++;
      f += fStride[k];
      if (idx[k] < shape[k]) break;
      f -= fStride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

function shapeText(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Reads a .npy file; every problem is a LoadError naming the file. */
export function parseNpy(file: string, bytes: Uint8Array): NpyArray {
  if (bytes.length < 10) throw new LoadError(file, `truncated: only ${bytes.length} byte${bytes.length === 1 ? '' : 's'}, too short for a .npy file`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new LoadError(file, 'not a NumPy .npy file (bad magic bytes; expected \\x93NUMPY)');
  }
  const major = bytes[6];
  const minor = bytes[7];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new LoadError(file, 'truncated .npy header');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new LoadError(file, `unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new LoadError(file, `truncated: the header should be ${headerLen} bytes but the file ends after ${bytes.length - headerStart}`);
  if (headerLen > 1 << 20) throw new LoadError(file, `bad .npy header: ${headerLen} bytes is implausibly long`);
  const headerBytes = bytes.subarray(headerStart, dataStart);
  let header = '';
  if (major === 3) header = new TextDecoder('utf-8').decode(headerBytes);
  else for (let i = 0; i < headerBytes.length; i++) header += String.fromCharCode(headerBytes[i]); // latin-1
  const dict = parsePyLiteral(file, header.trim());
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) throw new LoadError(file, 'bad .npy header: not a dict');
  for (const k of ['descr', 'fortran_order', 'shape']) {
    if (!Object.prototype.hasOwnProperty.call(dict, k)) throw new LoadError(file, `bad .npy header: no '${k}'`);
  }
  const dtype = parseDescr(file, dict.descr);
  const fortran = dict.fortran_order;
  if (typeof fortran !== 'boolean') throw new LoadError(file, "bad .npy header: 'fortran_order' must be True or False");
  const shapeValue = dict.shape;
  if (!Array.isArray(shapeValue) || shapeValue.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw new LoadError(file, "bad .npy header: 'shape' must be a tuple of non-negative integers");
  }
  const shape = shapeValue as number[];
  let count = 1;
  for (const d of shape) count *= d;
  const needed = count * dtype.size;
  const available = bytes.length - dataStart;
  if (needed > available) {
    throw new LoadError(file, `truncated: shape ${shapeText(shape)} of ${dtype.name} needs ${needed} bytes of data but only ${available} follow the header`);
  }
  const data = readValues(view, dataStart, count, dtype);
  return { shape: [...shape], data: fortran ? fortranToC(data, shape) : data, dtype: dict.descr as string };
}

/**
 * A spectrum from an array: (n,) or (n, 1) -> y with x = index; (n, 2) -> x, y; (n, 3) -> x, y,
 * sigma; (2, n) and (3, n) with n > 3 are read as rows x, y(, sigma).
 */
export function npyToSpectrum(file: string, arr: NpyArray): Dataset {
  const { shape, data } = arr;
  const notes = [`.npy ${arr.dtype} array of shape ${shapeText(shape)}`];
  const count = data.length;
  if (count === 0) throw new LoadError(file, `the array is empty (shape ${shapeText(shape)})`);
  if (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) {
    return columnsToSpectrum(file, indexArray(count), data.slice(), null, [...notes, 'y, with x = index 0, 1, 2, …']);
  }
  if (shape.length === 2 && (shape[1] === 2 || shape[1] === 3)) {
    const [n, w] = shape;
    const cols = Array.from({ length: w }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) for (let c = 0; c < w; c++) cols[c][i] = data[i * w + c];
    if (w === 3) checkSigma(file, cols[2], (i) => `sigma (row ${i}, column 2)`);
    return columnsToSpectrum(file, cols[0], cols[1], w === 3 ? cols[2] : null, [...notes, `columns: x, y${w === 3 ? ', sigma' : ''}`]);
  }
  if (shape.length === 2 && (shape[0] === 2 || shape[0] === 3) && shape[1] > 3) {
    const [w, n] = shape;
    const cols = Array.from({ length: w }, (_, c) => data.slice(c * n, (c + 1) * n));
    if (w === 3) checkSigma(file, cols[2], (i) => `sigma (row 2, column ${i})`);
    return columnsToSpectrum(file, cols[0], cols[1], w === 3 ? cols[2] : null, [...notes, `rows: x, y${w === 3 ? ', sigma' : ''}`]);
  }
  throw new LoadError(file, `shape ${shapeText(shape)} is not a spectrum: expected (n,), (n, 2) [x, y] or (n, 3) [x, y, sigma]`);
}

/** A spectrum from .npy bytes. */
export function readNpy(file: { name: string; bytes: Uint8Array }): Dataset {
  return npyToSpectrum(file.name, parseNpy(file.name, file.bytes));
}

/** True when the bytes start with the .npy magic. */
export function isNpy(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return false;
  return true;
}
