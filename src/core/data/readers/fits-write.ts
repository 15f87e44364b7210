/**
 * A small FITS writer (FITS Standard 4.0): primary and IMAGE-extension HDUs with BITPIX -64 or -32
 * (big-endian IEEE floats), and a minimal one-column BINTABLE (for tests of non-image HDUs).
 * Headers are 80-character cards padded with blanks to 2880-byte blocks; data are padded with
 * zeros. Used to export model / residual images from the app and to write test fixtures.
 * A 2D array of shape [rows, cols] is written with NAXIS1 = cols (fastest), NAXIS2 = rows.
 */

export type FitsCardValue = string | number | boolean;

export interface FitsHduSpec {
  /** 'image' in first position is written as the primary HDU; later ones as IMAGE extensions */
  kind: 'image' | 'bintable';
  /** numpy order, e.g. [rows, cols]; [] or absent: no data (an empty primary) */
  shape?: number[];
  /** row-major values (image) or the single column's values (bintable) */
  data?: ArrayLike<number>;
  bitpix?: -32 | -64;
  /** extra cards, e.g. { EXTNAME: 'SCI', BUNIT: 'counts' } */
  cards?: Record<string, FitsCardValue>;
}

const BLOCK = 2880;

function card(key: string, value: FitsCardValue, comment = ''): string {
  let v: string;
  if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`FITS card ${key}: ${value} is not a finite number`);
    const text = Number.isInteger(value) ? String(value) : value.toExponential(15).replace('e', 'E');
    v = text.padStart(20);
  } else v = `'${value.replace(/'/g, "''").padEnd(8)}'`;
  let c = `${key.padEnd(8)}= ${v}`;
  if (comment) c += ` / ${comment}`;
  if (c.length > 80) throw new Error(`FITS card ${key} is longer than 80 characters`);
  return c.padEnd(80);
}

function header(cards: string[]): Uint8Array {
  const text = [...cards, 'END'.padEnd(80)].join('');
  const out = new Uint8Array(Math.ceil(text.length / BLOCK) * BLOCK).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

function padded(bytes: number): Uint8Array {
  return new Uint8Array(Math.ceil(bytes / BLOCK) * BLOCK);
}

function imageHdu(spec: FitsHduSpec, primary: boolean): Uint8Array[] {
  const shape = spec.shape ?? [];
  const bitpix = spec.bitpix ?? -64;
  const count = shape.length === 0 ? 0 : shape.reduce((a, b) => a * b, 1);
  const data = spec.data ?? [];
  if (data.length !== count) throw new Error(`FITS image: ${data.length} values for shape [${shape.join(', ')}]`);
  const cards = [
    primary ? card('SIMPLE', true, 'conforms to FITS standard') : card('XTENSION', 'IMAGE', 'image extension'),
    card('BITPIX', bitpix),
    card('NAXIS', shape.length),
  ];
  for (let k = 0; k < shape.length; k++) cards.push(card(`NAXIS${k + 1}`, shape[shape.length - 1 - k]));
  if (primary) cards.push(card('EXTEND', true));
  else cards.push(card('PCOUNT', 0), card('GCOUNT', 1));
  for (const [k, v] of Object.entries(spec.cards ?? {})) cards.push(card(k, v));
  const size = Math.abs(bitpix) / 8;
  const body = padded(count * size);
  const view = new DataView(body.buffer);
  for (let i = 0; i < count; i++) {
    if (bitpix === -64) view.setFloat64(i * 8, data[i], false);
    else view.setFloat32(i * 4, data[i], false);
  }
  return [header(cards), body];
}

function bintableHdu(spec: FitsHduSpec): Uint8Array[] {
  const data = spec.data ?? [];
  const cards = [
    card('XTENSION', 'BINTABLE', 'binary table extension'),
    card('BITPIX', 8),
    card('NAXIS', 2),
    card('NAXIS1', 8),
    card('NAXIS2', data.length),
    card('PCOUNT', 0),
    card('GCOUNT', 1),
    card('TFIELDS', 1),
    card('TFORM1', '1D'),
    card('TTYPE1', 'VALUE'),
  ];
  for (const [k, v] of Object.entries(spec.cards ?? {})) cards.push(card(k, v));
  const body = padded(data.length * 8);
  const view = new DataView(body.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i], false);
  return [header(cards), body];
}

/** The bytes of a FITS file holding `hdus` (the first must be an image: the primary HDU). */
export function writeFits(hdus: FitsHduSpec[]): Uint8Array {
  if (hdus.length === 0 || hdus[0].kind !== 'image') throw new Error('a FITS file starts with a primary (image) HDU');
  const parts = hdus.flatMap((h, i) => (h.kind === 'image' ? imageHdu(h, i === 0) : bintableHdu(h)));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A one-HDU FITS file with a 2D image of shape [rows, cols]. */
export function writeFitsImage(data: ArrayLike<number>, rows: number, cols: number, cards: Record<string, FitsCardValue> = {}, bitpix: -32 | -64 = -64): Uint8Array {
  return writeFits([{ kind: 'image', shape: [rows, cols], data, bitpix, cards }]);
}
