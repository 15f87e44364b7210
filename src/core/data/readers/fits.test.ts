import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'fflate';
import { fitsToImage, isFits, listFitsHdus, readFits, readFitsImage } from './fits';
import { LoadError } from './load-error';
import { writeNpy } from './npy-write';
import { parseNpy } from './npy';
import { npyToImage } from '../../image/image-dataset';

// written by bench/peers/make_fits_fixtures.py with astropy; expected.json holds what astropy reads
const DIR = fileURLToPath(new URL('./testdata/fits/', import.meta.url));
const load = (name: string) => new Uint8Array(readFileSync(DIR + name));
interface HduExpect {
  index: number;
  type: string;
  hdrLoc: number;
  datLoc: number;
  datSpan: number;
  bitpix: number;
  shape?: number[];
  values?: (number | null)[];
  header?: Record<string, string | number | boolean>;
}
const expected = JSON.parse(readFileSync(DIR + 'expected.json', 'utf8')) as { files: Record<string, HduExpect[]> };
const IMAGES = load('images.fits');
const TABLE = load('bintable.fits');

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return (e as LoadError).message;
  }
  throw new Error('expected a LoadError');
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** bytes of HDU k of images.fits (header + padded data) */
function hduBytes(k: number): Uint8Array {
  const e = expected.files['images.fits'][k];
  return IMAGES.subarray(e.hdrLoc, e.datLoc + e.datSpan);
}

/** A FITS file by hand: header cards (padded to 80 characters) and big-endian data. */
function handMade(cards: string[], data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = [...cards, 'END'].map((c) => c.padEnd(80, ' ')).join('');
  const hlen = Math.ceil(text.length / 2880) * 2880;
  const dlen = Math.ceil(data.length / 2880) * 2880;
  const out = new Uint8Array(hlen + dlen);
  out.fill(32, 0, hlen);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  out.set(data, hlen);
  return out;
}

const card = (key: string, value: string) => `${key.padEnd(8, ' ')}= ${value.padStart(20, ' ')}`;

function float64Data(values: number[]): Uint8Array {
  const b = new Uint8Array(8 * values.length);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setFloat64(8 * i, x, false));
  return b;
}

function expectValues(got: Float64Array, want: (number | null)[]) {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    if (w === null) expect(Number.isNaN(got[i])).toBe(true);
    else expect(got[i]).toBe(w);
  });
}

describe('readFits on astropy-written files', () => {
  const hdus = expected.files['images.fits'];

  it('primary HDU: BITPIX 16 with BSCALE/BZERO applied and BLANK -> NaN; header values', () => {
    const f = readFits('images.fits', IMAGES);
    const e = hdus[0];
    expect(f.hdu).toBe(0);
    expect(f.bitpix).toBe(16);
    expect(f.shape).toEqual(e.shape);
    expectValues(f.data, e.values!);
    for (const [k, v] of Object.entries(e.header!)) expect(f.header[k], k).toBe(v);
    expect(f.header.OBJECT).toBe("O'Neil galaxy");
    expect(f.header.FLAG).toBe(true);
  });

  it.each(hdus.slice(1).map((h) => [h.bitpix, h.index] as const))('BITPIX %i (HDU %i) equals astropy', (bitpix, index) => {
    const f = readFits('images.fits', IMAGES, { hdu: index });
    const e = hdus[index];
    expect(f.bitpix).toBe(bitpix);
    expect(f.shape).toEqual(e.shape);
    expectValues(f.data, e.values!);
    expect(f.header.EXTNAME).toBe(e.header!.EXTNAME);
  });

  it('lists the HDUs at astropy\'s offsets', () => {
    const list = listFitsHdus('images.fits', IMAGES);
    expect(list.map((h) => [h.index, h.headerStart, h.dataStart, h.bitpix])).toEqual(hdus.map((h) => [h.index, h.hdrLoc, h.datLoc, h.bitpix]));
    expect(list.map((h) => h.kind)).toEqual(['PRIMARY', 'IMAGE', 'IMAGE', 'IMAGE', 'IMAGE', 'IMAGE']);
    const t = listFitsHdus('bintable.fits', TABLE);
    expect(t.map((h) => h.kind)).toEqual(['PRIMARY', 'BINTABLE']);
    expect(t[1].extname).toBe('TAB');
  });

  it('an empty primary then an IMAGE extension: reads the extension', () => {
    const file = concat(TABLE.subarray(0, 2880), hduBytes(4)); // empty primary + the float32 image
    const f = readFits('ext.fits', file);
    expect(f.hdu).toBe(1);
    expectValues(f.data, hdus[4].values!);
  });

  it('skips a BINTABLE before the first image', () => {
    const f = readFits('mixed.fits', concat(TABLE, hduBytes(5)));
    expect(f.hdu).toBe(2);
    expectValues(f.data, hdus[5].values!);
  });

  it('gzip-compressed files are inflated', () => {
    const f = readFits('images.fits.gz', gzipSync(IMAGES));
    expectValues(f.data, hdus[0].values!);
  });
});

describe('readFits errors', () => {
  it('not FITS', () => {
    expect(message(() => readFits('notes.txt', new TextEncoder().encode('x,y\n1,2\n')))).toMatch(/^notes.txt: not a FITS file/);
    expect(isFits(IMAGES)).toBe(true);
    expect(isFits(new Uint8Array(3))).toBe(false);
  });

  it('a BINTABLE-only file has no image', () => {
    expect(message(() => readFits('bintable.fits', TABLE))).toBe(
      "bintable.fits: no image data in the file: HDU 0 is an empty primary; HDU 1 'TAB' is a BINTABLE",
    );
    expect(message(() => readFits('bintable.fits', TABLE, { hdu: 1 }))).toMatch(/HDU 1 'TAB' is a BINTABLE, not an image/);
    expect(message(() => readFits('images.fits', IMAGES, { hdu: 9 }))).toMatch(/there is no HDU 9; the file has 6/);
  });

  it('truncated data and truncated headers', () => {
    expect(message(() => readFits('cut.fits', IMAGES.subarray(0, 2880 + 10)))).toBe(
      'cut.fits: truncated: the image of HDU 0 (3 × 4, BITPIX 16) needs 24 bytes of data but only 10 follow its header',
    );
    expect(message(() => readFits('cut.fits', IMAGES.subarray(0, 800)))).toMatch(/truncated: the header of HDU 0 has no END card/);
    // the data without the final padding is fine
    const e = hdus0();
    expect(readFits('short.fits', IMAGES.subarray(0, e.datLoc + 24)).data.length).toBe(12);
  });

  it('bad BITPIX / missing NAXISn', () => {
    expect(message(() => readFits('b.fits', handMade(['SIMPLE  =                    T', card('BITPIX', '12'), card('NAXIS', '0')])))).toMatch(/BITPIX = 12 is not a FITS data type/);
    expect(message(() => readFits('b.fits', handMade(['SIMPLE  =                    T', card('BITPIX', '8'), card('NAXIS', '2'), card('NAXIS1', '3')])))).toMatch(
      /HDU 0: NAXIS2 is missing; expected an integer/,
    );
  });
});

function hdus0(): HduExpect {
  return expected.files['images.fits'][0];
}

describe('readFitsImage (2D required) and hand-made headers', () => {
  const base = ['SIMPLE  =                    T', card('BITPIX', '-64')];

  it('NAXIS = 3 is not an image; degenerate axes of length 1 are dropped', () => {
    const cube = handMade([...base, card('NAXIS', '3'), card('NAXIS1', '2'), card('NAXIS2', '2'), card('NAXIS3', '2')], float64Data([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(readFits('cube.fits', cube).shape).toEqual([2, 2, 2]);
    expect(message(() => readFitsImage('cube.fits', cube))).toBe(
      'cube.fits: HDU 0 has NAXIS = 3 (NAXIS1 = 2, NAXIS2 = 2, NAXIS3 = 2); an image needs NAXIS = 2',
    );
    const line = handMade([...base, card('NAXIS', '1'), card('NAXIS1', '3')], float64Data([1, 2, 3]));
    expect(message(() => readFitsImage('line.fits', line))).toMatch(/NAXIS = 1 \(NAXIS1 = 3\); an image needs NAXIS = 2/);
    const radio = handMade(
      [...base, card('NAXIS', '4'), card('NAXIS1', '3'), card('NAXIS2', '2'), card('NAXIS3', '1'), card('NAXIS4', '1')],
      float64Data([1, 2, 3, 4, 5, 6]),
    );
    const r = readFitsImage('radio.fits', radio);
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('row-major order with NAXIS1 fastest: data[i * NAXIS1 + j] is column j of row i', () => {
    const f = readFitsImage('r.fits', handMade([...base, card('NAXIS', '2'), card('NAXIS1', '3'), card('NAXIS2', '2')], float64Data([1, 2, 3, 4, 5, 6])));
    expect(f.shape).toEqual([2, 3]);
    expect(f.data[1 * 3 + 0]).toBe(4);
  });

  it('header strings with quotes, CONTINUE long strings, HIERARCH, D exponents, comments', () => {
    const f = readFits(
      'h.fits',
      handMade(
        [
          ...base,
          card('NAXIS', '2'),
          card('NAXIS1', '1'),
          card('NAXIS2', '1'),
          "OBSERVER= 'it''s me  '           / trailing blanks are not significant",
          "LONGSTR = 'first part &'",
          "CONTINUE  'second part'",
          'HIERARCH ESO DET CHIP = 7 / a HIERARCH card',
          card('EXPO', '1.5D+02'),
          'HISTORY made by hand',
          'HISTORY twice',
          card('SIMPLEQ', 'F'),
        ],
        float64Data([42]),
      ),
    );
    expect(f.header.OBSERVER).toBe("it's me");
    expect(f.header.LONGSTR).toBe('first part second part');
    expect(f.header['ESO DET CHIP']).toBe(7);
    expect(f.header.EXPO).toBe(150);
    expect(f.header.HISTORY).toBe('made by hand\ntwice');
    expect(f.header.SIMPLEQ).toBe(false);
    expect(f.data[0]).toBe(42);
  });

  it('BLANK for 64-bit integers and BSCALE on BITPIX 8', () => {
    const d = new Uint8Array(24);
    const v = new DataView(d.buffer);
    v.setBigInt64(0, -99n, false);
    v.setBigInt64(8, 5n, false);
    v.setBigInt64(16, -(2n ** 40n), false);
    const f = readFits('i64.fits', handMade(['SIMPLE  =                    T', card('BITPIX', '64'), card('NAXIS', '1'), card('NAXIS1', '3'), card('BLANK', '-99'), card('BSCALE', '2')], d));
    expect(Number.isNaN(f.data[0])).toBe(true);
    expect(f.data[1]).toBe(10);
    expect(f.data[2]).toBe(-(2 ** 41));
    const b = readFits('u8.fits', handMade(['SIMPLE  =                    T', card('BITPIX', '8'), card('NAXIS', '1'), card('NAXIS1', '2'), card('BZERO', '-128')], Uint8Array.of(0, 255)));
    expect(Array.from(b.data)).toEqual([-128, 127]);
  });
});

describe('fitsToImage / npyToImage', () => {
  it('builds an image dataset: shape [rows, cols], x = column, y = row, row-major', () => {
    const f = readFitsImage('images.fits', IMAGES, { hdu: 5 }); // 2 x 3 float64
    const d = fitsToImage('images.fits', f);
    expect(d.kind).toBe('image');
    expect(d.shape).toEqual([2, 3]);
    expect(Array.from(d.coords.x)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(d.coords.y)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(d.values)).toEqual(Array.from(f.data));
    expect(d.sigma).toBeUndefined();
    expect(d.mask).toBeUndefined();
    expect(d.notes![0]).toBe('FITS image from HDU 5 (BITPIX -64)');
  });

  it('NaN pixels are masked and counted; variance -> sigma; mask plane', () => {
    const f = readFitsImage('images.fits', IMAGES, { hdu: 4 }); // 3 x 4 float32 with one NaN at (0, 2)
    const variance = { name: 'var.fits', shape: [3, 4], data: new Float64Array(12).fill(4) };
    variance.data[2] = NaN; // under the NaN pixel: fine, it is masked
    const mask = { name: 'mask.fits', shape: [3, 4], data: new Float64Array(12) };
    mask.data[11] = 3;
    const d = fitsToImage('img.fits', f, { variance, mask });
    expect(Array.from(d.mask!)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(d.values[2]).toBe(0);
    expect(d.sigma![0]).toBe(2);
    expect(d.notes).toContain('1 pixel with NaN/Inf masked');
    expect(d.notes).toContain('1 pixel masked by mask.fits');
    expect(d.notes).toContain('sigma = sqrt(variance) from var.fits');
    const weight = { name: 'wht.fits', shape: [3, 4], data: new Float64Array(12).fill(0.25) };
    weight.data[5] = 0;
    const w = fitsToImage('img.fits', f, { weight });
    expect(w.sigma![0]).toBe(2);
    expect(w.mask![5]).toBe(1);
    expect(w.notes).toContain('1 pixel with zero weight masked');
  });

  it('errors name the file at fault', () => {
    const f = readFitsImage('images.fits', IMAGES, { hdu: 5 });
    const bad = (data: number[], shape = [2, 3]) => ({ name: 'var.fits', shape, data: Float64Array.from(data) });
    expect(message(() => fitsToImage('img.fits', f, { variance: bad([1, 1, 1, 1], [2, 2]) }))).toBe('var.fits: the variance has shape 2 × 2 but the image img.fits is 2 × 3');
    expect(message(() => fitsToImage('img.fits', f, { variance: bad([1, 1, -1, 1, 1, 1]) }))).toBe(
      'var.fits: variance at pixel (row 0, column 2) is -1; it must be finite and >= 0 (or mask the pixel)',
    );
    expect(message(() => fitsToImage('img.fits', f, { variance: bad([1, 1, 1, 1, Infinity, 1]) }))).toMatch(/^var.fits: variance at pixel \(row 1, column 1\) is Infinity/);
    expect(message(() => fitsToImage('img.fits', f, { variance: bad([1, 0, 1, 1, 1, 1]) }))).toMatch(/^var.fits: variance at pixel \(row 0, column 1\) is 0/);
    expect(message(() => fitsToImage('img.fits', f, { variance: bad([1, 1, 1, 1, 1, 1]), weight: { ...bad([1, 1, 1, 1, 1, 1]), name: 'w.fits' } }))).toMatch(
      /^w.fits: both a variance \(var.fits\) and a weight map/,
    );
    expect(message(() => fitsToImage('cube.fits', { data: new Float64Array(8), shape: [2, 2, 2] }))).toMatch(/^cube.fits: shape 2 × 2 × 2 is not an image/);
  });

  it('npyToImage reads a 2D .npy array the same way', () => {
    const bytes = writeNpy([2, 3], Float64Array.of(1, 2, NaN, 4, 5, 6));
    const d = npyToImage('img.npy', parseNpy('img.npy', bytes), { variance: { name: 'var.npy', shape: [2, 3], data: new Float64Array(6).fill(9) } });
    expect(d.shape).toEqual([2, 3]);
    expect(Array.from(d.coords.x)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(d.mask![2]).toBe(1);
    expect(d.sigma![4]).toBe(3);
    expect(message(() => npyToImage('v.npy', parseNpy('v.npy', writeNpy([4], new Float64Array(4)))))).toMatch(/^v.npy: shape 4 is not an image/);
  });
});
