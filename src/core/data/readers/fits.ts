/**
 * FITS images (FITS Standard 4.0, IAU FITS Working Group 2016): a file is a sequence of HDUs, each a
 * header of 80-character ASCII cards in 2880-byte blocks ending with END, then the data padded to
 * a multiple of 2880 bytes. Data are big-endian; BITPIX 8 (unsigned byte), 16, 32, 64 (two's
 * complement integers), -32, -64 (IEEE floats). Physical value = BZERO + BSCALE * stored value; for
 * integer data a stored value equal to BLANK is undefined (NaN here). NAXIS1 varies fastest, so a
 * 2D image is read as [NAXIS2 rows, NAXIS1 columns] in row-major order, like astropy's `data[i, j]`.
 *
 * `readFits` takes the primary HDU, or the first IMAGE extension with data when the primary is
 * empty; gzip-compressed files (.fits.gz) are inflated first. Tables, random groups and
 * tile-compressed images are not read.
 */
import { gunzipSync } from 'fflate';
import type { Dataset } from '../dataset';
import { LoadError } from './load-error';
import { arrayToImage, type ImagePlanes } from '../../image/image-dataset';

export type FitsHeader = Record<string, string | number | boolean>;

export interface FitsImage {
  /** physical values (BSCALE/BZERO applied, BLANK -> NaN), row-major with NAXIS1 fastest */
  data: Float64Array;
  /** numpy order: [NAXISn, ..., NAXIS2, NAXIS1]; an image is [rows, cols] */
  shape: number[];
  header: FitsHeader;
  /** index of the HDU read (0 = primary) */
  hdu: number;
  bitpix: number;
}

export interface FitsHduInfo {
  index: number;
  /** 'PRIMARY' or the XTENSION value ('IMAGE', 'BINTABLE', 'TABLE', ...) */
  kind: string;
  extname?: string;
  bitpix: number;
  /** numpy order, [] when there is no data */
  shape: number[];
  headerStart: number;
  dataStart: number;
  /** data bytes without the padding */
  dataBytes: number;
  header: FitsHeader;
}

export interface FitsReadOptions {
  /** read this HDU (0 = primary) instead of the first one with image data */
  hdu?: number;
}

const BLOCK = 2880;
const CARD = 80;

/** True when the bytes start like a FITS file ("SIMPLE  =") or a gzip stream (checked later). */
export function isFits(bytes: Uint8Array): boolean {
  const magic = 'SIMPLE  =';
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function cardText(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < CARD; i++) s += String.fromCharCode(bytes[at + i]);
  return s;
}

/** The value field of a card (text after "= "): string, logical, number, or the raw text. */
function parseValue(field: string): { value: string | number | boolean | null; continued: boolean } {
  const t = field.trimStart();
  if (t.startsWith("'")) {
    // a string: '' inside is a quote; ends at a single quote; trailing blanks are not significant
    let s = '';
    let i = 1;
    for (; i < t.length; i++) {
      if (t[i] === "'") {
        if (t[i + 1] === "'") {
          s += "'";
          i++;
        } else break;
      } else s += t[i];
    }
    s = s.replace(/ +$/, '');
    return { value: s, continued: s.endsWith('&') };
  }
  const slash = t.indexOf('/');
  const v = (slash >= 0 ? t.slice(0, slash) : t).trim();
  if (v === '') return { value: null, continued: false };
  if (v === 'T') return { value: true, continued: false };
  if (v === 'F') return { value: false, continued: false };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/.test(v)) return { value: Number(v.replace(/[Dd]/, 'E')), continued: false };
  return { value: v, continued: false };
}

interface ParsedHeader {
  header: FitsHeader;
  /** offset just after the header's last block */
  end: number;
}

/** Parses the header that starts at `start`; throws when there is no END card before the file ends. */
function parseHeader(file: string, bytes: Uint8Array, start: number, index: number): ParsedHeader {
  const header: FitsHeader = Object.create(null);
  // key of a string value ending in '&' that CONTINUE cards extend (the long-string convention)
  let longKey: string | null = null;
  for (let at = start; ; at += CARD) {
    if (at + CARD > bytes.length) {
      throw new LoadError(file, `truncated: the header of HDU ${index} has no END card before the file ends (at byte ${bytes.length})`);
    }
    const card = cardText(bytes, at);
    const key = card.slice(0, 8).trimEnd();
    if (key === 'END') {
      const used = at + CARD - start;
      return { header, end: start + Math.ceil(used / BLOCK) * BLOCK };
    }
    if (key === 'CONTINUE' && longKey !== null) {
      const { value } = parseValue(card.slice(8));
      const prev = header[longKey];
      if (typeof value === 'string' && typeof prev === 'string') {
        const joined = prev.slice(0, -1) + value;
        header[longKey] = joined;
        if (!joined.endsWith('&')) longKey = null;
        continue;
      }
    }
    longKey = null;
    if (key === 'COMMENT' || key === 'HISTORY') {
      const text = card.slice(8).trimEnd().trimStart();
      const prev = header[key];
      header[key] = typeof prev === 'string' ? `${prev}\n${text}` : text;
      continue;
    }
    let name = key;
    let field: string;
    if (key === 'HIERARCH') {
      const eq = card.indexOf('=', 8);
      if (eq < 0) continue;
      name = card.slice(9, eq).trim().replace(/\s+/g, ' ');
      field = card.slice(eq + 1);
    } else {
      if (card.slice(8, 10) !== '= ' || key === '') continue; // commentary card
      field = card.slice(10);
    }
    if (Object.prototype.hasOwnProperty.call(header, name)) continue; // the first of duplicates wins
    const { value, continued } = parseValue(field);
    if (value === null) continue;
    header[name] = value;
    if (continued) longKey = name;
  }
}

function intKey(file: string, h: FitsHeader, key: string, index: number, fallback?: number): number {
  const v = h[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new LoadError(file, `HDU ${index}: ${key} is ${v === undefined ? 'missing' : JSON.stringify(v)}; expected an integer`);
  }
  return v;
}

/** Walks all HDUs; stops quietly after the last complete header (the caller checks the data it needs). */
export function listFitsHdus(file: string, bytes: Uint8Array): FitsHduInfo[] {
  const raw = isGzip(bytes) ? gunzip(file, bytes) : bytes;
  return walk(file, raw);
}

function walk(file: string, bytes: Uint8Array): FitsHduInfo[] {
  if (!isFits(bytes)) {
    throw new LoadError(file, "not a FITS file (a FITS file starts with the card 'SIMPLE  =      T')");
  }
  const out: FitsHduInfo[] = [];
  let at = 0;
  for (let index = 0; at < bytes.length; index++) {
    if (index > 0 && bytes.length - at < CARD) break; // trailing bytes shorter than a card
    const { header, end } = parseHeader(file, bytes, at, index);
    const kind = index === 0 ? 'PRIMARY' : typeof header.XTENSION === 'string' ? header.XTENSION.trim().toUpperCase() : '?';
    if (index > 0 && kind === '?') break; // not an extension: trailing garbage after the last HDU
    const bitpix = intKey(file, header, 'BITPIX', index);
    if (![8, 16, 32, 64, -32, -64].includes(bitpix)) throw new LoadError(file, `HDU ${index}: BITPIX = ${bitpix} is not a FITS data type (8, 16, 32, 64, -32, -64)`);
    const naxis = intKey(file, header, 'NAXIS', index);
    if (naxis < 0 || naxis > 999) throw new LoadError(file, `HDU ${index}: NAXIS = ${naxis} is out of range`);
    const axes: number[] = [];
    for (let k = 1; k <= naxis; k++) {
      const len = intKey(file, header, `NAXIS${k}`, index);
      if (len < 0) throw new LoadError(file, `HDU ${index}: NAXIS${k} = ${len} is negative`);
      axes.push(len);
    }
    const pcount = intKey(file, header, 'PCOUNT', index, 0);
    const gcount = intKey(file, header, 'GCOUNT', index, 1);
    let count = naxis === 0 ? 0 : 1;
    // random groups: NAXIS1 = 0 and the group size is the product of the other axes
    for (let k = 0; k < naxis; k++) count *= k === 0 && axes[0] === 0 && header.GROUPS === true ? 1 : axes[k];
    const dataBytes = (Math.abs(bitpix) / 8) * gcount * (pcount + count);
    const extname = typeof header.EXTNAME === 'string' ? header.EXTNAME : undefined;
    out.push({
      index,
      kind,
      extname,
      bitpix,
      shape: count > 0 ? axes.slice().reverse() : [],
      headerStart: at,
      dataStart: end,
      dataBytes,
      header,
    });
    at = end + Math.ceil(dataBytes / BLOCK) * BLOCK;
  }
  return out;
}

function gunzip(file: string, bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new LoadError(file, `gzip data could not be inflated (${e instanceof Error ? e.message : String(e)})`);
  }
}

function isImageHdu(h: FitsHduInfo): boolean {
  if (h.kind !== 'PRIMARY' && h.kind !== 'IMAGE') return false;
  if (h.header.GROUPS === true) return false;
  return h.shape.length > 0 && h.shape.every((d) => d > 0);
}

function describeHdu(h: FitsHduInfo): string {
  const name = h.extname ? ` '${h.extname}'` : '';
  if (h.kind === 'PRIMARY') {
    if (h.header.GROUPS === true) return `HDU 0 is random groups`;
    return h.shape.length === 0 ? 'HDU 0 is an empty primary' : `HDU 0 is a primary image`;
  }
  if (h.kind === 'BINTABLE' && h.header.ZIMAGE === true) return `HDU ${h.index}${name} is a tile-compressed image (not supported; uncompress it with funpack)`;
  return `HDU ${h.index}${name} is a${/^[AEIOU]/.test(h.kind) ? 'n' : ''} ${h.kind}${h.kind === 'IMAGE' ? ' without data' : ''}`;
}

function readData(bytes: Uint8Array, h: FitsHduInfo): Float64Array {
  let count = 1;
  for (const d of h.shape) count *= d;
  const view = new DataView(bytes.buffer, bytes.byteOffset + h.dataStart, count * (Math.abs(h.bitpix) / 8));
  const out = new Float64Array(count);
  const bscale = typeof h.header.BSCALE === 'number' ? h.header.BSCALE : 1;
  const bzero = typeof h.header.BZERO === 'number' ? h.header.BZERO : 0;
  const blank = h.bitpix > 0 && typeof h.header.BLANK === 'number' ? h.header.BLANK : null;
  switch (h.bitpix) {
    case 8:
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
    case 16:
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false);
      break;
    case 32:
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false);
      break;
    case 64: {
      const blank64 = blank !== null ? BigInt(blank) : null;
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, false);
        out[i] = blank64 !== null && v === blank64 ? NaN : Number(v);
      }
      break;
    }
    case -32:
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false);
      break;
    case -64:
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false);
      break;
  }
  if (blank !== null && h.bitpix !== 64) for (let i = 0; i < count; i++) if (out[i] === blank) out[i] = NaN;
  if (bscale !== 1 || bzero !== 0) for (let i = 0; i < count; i++) out[i] = bzero + bscale * out[i];
  return out;
}

function shapeText(shape: number[]): string {
  return shape.join(' × ');
}

/** The primary image, or the first IMAGE extension with data (or the HDU named in options). */
export function readFits(file: string, bytes: Uint8Array, options: FitsReadOptions = {}): FitsImage {
  const raw = isGzip(bytes) ? gunzip(file, bytes) : bytes;
  const hdus = walk(file, raw);
  let chosen: FitsHduInfo | undefined;
  if (options.hdu !== undefined) {
    chosen = hdus[options.hdu];
    if (!chosen) throw new LoadError(file, `there is no HDU ${options.hdu}; the file has ${hdus.length} (0 to ${hdus.length - 1})`);
    if (!isImageHdu(chosen)) throw new LoadError(file, `${describeHdu(chosen)}, not an image`);
  } else {
    chosen = hdus.find(isImageHdu);
    if (!chosen) {
      throw new LoadError(file, `no image data in the file: ${hdus.map(describeHdu).join('; ')}`);
    }
  }
  const available = raw.length - chosen.dataStart;
  if (available < chosen.dataBytes) {
    throw new LoadError(
      file,
      `truncated: the image of HDU ${chosen.index} (${shapeText(chosen.shape)}, BITPIX ${chosen.bitpix}) needs ${chosen.dataBytes} bytes of data but only ${Math.max(0, available)} follow its header`,
    );
  }
  return { data: readData(raw, chosen), shape: chosen.shape.slice(), header: chosen.header, hdu: chosen.index, bitpix: chosen.bitpix };
}

/**
 * As `readFits`, but requires a 2D image: NAXIS = 2, or more axes when all beyond the first two
 * have length 1 (dropped, e.g. radio images with degenerate frequency and Stokes axes).
 */
export function readFitsImage(file: string, bytes: Uint8Array, options: FitsReadOptions = {}): FitsImage {
  const f = readFits(file, bytes, options);
  const naxis = f.shape.length;
  const fitsAxes = f.shape
    .slice()
    .reverse()
    .map((d, k) => `NAXIS${k + 1} = ${d}`)
    .join(', ');
  if (naxis < 2 || f.shape.slice(0, naxis - 2).some((d) => d !== 1)) {
    throw new LoadError(file, `HDU ${f.hdu} has NAXIS = ${naxis} (${fitsAxes}); an image needs NAXIS = 2`);
  }
  return { ...f, shape: f.shape.slice(naxis - 2) };
}

/**
 * An image dataset from a FITS image (see `arrayToImage`): coords x = column j and y = row i,
 * optional variance/weight/mask planes of the same shape.
 */
export function fitsToImage(name: string, fits: Pick<FitsImage, 'data' | 'shape'> & Partial<FitsImage>, planes: ImagePlanes = {}): Dataset {
  const note = fits.bitpix !== undefined ? `FITS image from HDU ${fits.hdu ?? 0} (BITPIX ${fits.bitpix})` : 'FITS image';
  return arrayToImage(name, { data: fits.data, shape: fits.shape }, planes, [note]);
}
