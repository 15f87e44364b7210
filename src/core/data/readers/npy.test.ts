import { describe, expect, it } from 'vitest';
import { npyToSpectrum, parseNpy, readNpy } from './npy';
import { writeNpy } from './npy-write';
import { LoadError } from './load-error';
import { NPY_FIXTURES, fromHex } from './npy.fixtures';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return (e as LoadError).message;
  }
  throw new Error('expected a LoadError');
}

/** A .npy file by hand: any header text, any data bytes. */
function handMade(header: string, data: number[], version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  let h = header;
  while ((pre + h.length + 1) % 16 !== 0) h += ' ';
  h += '\n';
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, h.length, true);
  else view.setUint32(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[pre + i] = h.charCodeAt(i);
  out.set(data, pre + h.length);
  return out;
}

describe('files written by numpy', () => {
  const readable = Object.entries(NPY_FIXTURES).filter(([k]) => k !== 'c16_1d');
  it.each(readable)('%s', (name, f) => {
    const arr = parseNpy(`${name}.npy`, fromHex(f.hex));
    expect(arr.shape).toEqual(f.shape);
    expect(arr.dtype).toBe(f.descr);
    expect(Array.from(arr.data)).toEqual(f.values);
  });

  it('refuses complex data naming the dtype', () => {
    expect(message(() => parseNpy('c.npy', fromHex(NPY_FIXTURES.c16_1d.hex)))).toBe(
      "c.npy: unsupported dtype '<c16' (supported: float16/32/64, int8-64, uint8-64, bool)",
    );
  });
});

describe('writeNpy', () => {
  it('writes exactly the bytes numpy writes', () => {
    // np.save of np.array([1.5, -2.25, 1e300, 0.1]) (numpy 2.4.6)
    const bytes = writeNpy([4], Float64Array.from([1.5, -2.25, 1e300, 0.1]));
    expect(Array.from(bytes)).toEqual(Array.from(fromHex(NPY_FIXTURES.f8_1d.hex)));
  });

  it('round-trips 1D, 2D and scalar arrays through parseNpy', () => {
    const data = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i) * 1e-7 + i);
    for (const shape of [[12], [4, 3], [2, 3, 2]]) {
      const bytes = writeNpy(shape, data);
      expect((bytes.length - data.length * 8) % 64).toBe(0);
      const back = parseNpy('rt.npy', bytes);
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
    const scalar = parseNpy('s.npy', writeNpy([], Float64Array.of(2.5)));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([2.5]);
    expect(() => writeNpy([3], new Float64Array(2))).toThrow(RangeError);
  });
});

describe('hand-made headers', () => {
  it('a 2D Fortran-order int16 array with double quotes and extra spaces', () => {
    // shape (2, 3), Fortran order: memory holds column 0 (1, 4), column 1 (2, 5), column 2 (3, 6)
    const bytes = handMade(`{"descr": "<i2", "fortran_order": True, "shape": (2,3)}`, [1, 0, 4, 0, 2, 0, 5, 0, 3, 0, 6, 0]);
    const a = parseNpy('f.npy', bytes);
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('big-endian uint32 and a version 2.0 header', () => {
    const bytes = handMade(`{'descr': '>u4', 'fortran_order': False, 'shape': (2,), }`, [0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff], 2);
    expect(Array.from(parseNpy('b.npy', bytes).data)).toEqual([256, 4294967295]);
  });

  it('bool arrays read as 0/1', () => {
    const bytes = handMade(`{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }`, [1, 0, 1]);
    expect(Array.from(parseNpy('b.npy', bytes).data)).toEqual([1, 0, 1]);
  });
});

describe('errors name the file', () => {
  const good = fromHex(NPY_FIXTURES.f8_1d.hex);
  it.each([
    ['bad magic', () => parseNpy('x.npy', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0])), 'x.npy: not a NumPy .npy file (bad magic bytes; expected \\x93NUMPY)'],
    ['too short', () => parseNpy('x.npy', good.subarray(0, 5)), 'x.npy: truncated: only 5 bytes, too short for a .npy file'],
    ['truncated header', () => parseNpy('x.npy', good.subarray(0, 60)), 'x.npy: truncated: the header should be 118 bytes but the file ends after 50'],
    ['truncated data', () => parseNpy('x.npy', good.subarray(0, good.length - 3)), 'x.npy: truncated: shape (4,) of float64 needs 32 bytes of data but only 29 follow the header'],
    ['version', () => parseNpy('x.npy', Uint8Array.from([...good.subarray(0, 6), 9, 0, ...good.subarray(8)])), 'x.npy: unsupported .npy format version 9.0 (supported: 1.0, 2.0, 3.0)'],
    ['dtype', () => parseNpy('x.npy', handMade(`{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }`, new Array(20).fill(0))), "x.npy: unsupported dtype '<U5' (supported: float16/32/64, int8-64, uint8-64, bool)"],
    ['structured', () => parseNpy('x.npy', handMade(`{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }`, new Array(8).fill(0))), 'x.npy: structured .npy arrays (record dtypes) are not supported; save a plain numeric array'],
    ['missing key', () => parseNpy('x.npy', handMade(`{'descr': '<f8', 'shape': (1,), }`, new Array(8).fill(0))), "x.npy: bad .npy header: no 'fortran_order'"],
    ['bad shape', () => parseNpy('x.npy', handMade(`{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }`, [])), "x.npy: bad .npy header: 'shape' must be a tuple of non-negative integers"],
  ])('%s', (_, fn, expected) => {
    expect(message(fn)).toBe(expected);
  });

  it('a header that is not a literal dict', () => {
    expect(message(() => parseNpy('x.npy', handMade(`{'descr': '<f8', 'fortran_order': __import__('os'), 'shape': (1,)}`, [])))).toMatch(
      /^x\.npy: bad \.npy header at character 35: unexpected "__import__"/,
    );
  });
});

describe('npyToSpectrum', () => {
  it('1D -> y with x = index; (n, 2) -> x, y; (n, 3) -> x, y, sigma (also Fortran order)', () => {
    const one = readNpy({ name: 'y.npy', bytes: fromHex(NPY_FIXTURES.f8_v2.hex) });
    expect(Array.from(one.coords.x)).toEqual([0, 1, 2]);
    expect(Array.from(one.values)).toEqual([3, 4, 5]);
    const two = readNpy({ name: 'xy.npy', bytes: fromHex(NPY_FIXTURES.f4_nx2.hex) });
    expect(Array.from(two.coords.x)).toEqual([0, 1, 2]);
    expect(Array.from(two.values)).toEqual([1.5, 2.5, -3.25]);
    const three = readNpy({ name: 'xys.npy', bytes: fromHex(NPY_FIXTURES.fortran_nx3.hex) });
    expect(Array.from(three.coords.x)).toEqual([0, 1, 2, 3]);
    expect(Array.from(three.values)).toEqual([10, 11, 12, 13]);
    expect(Array.from(three.sigma!)).toEqual([1, 2, 3, 4]);
    const be = readNpy({ name: 'be.npy', bytes: fromHex(NPY_FIXTURES.be_f8_nx3.hex) });
    expect(Array.from(be.sigma!)).toEqual([0.5, 0.25, 0.5, 0.25]);
  });

  it('(2, n) and (3, n) are read as rows', () => {
    const d = npyToSpectrum('rows.npy', { shape: [3, 4], data: Float64Array.from([0, 1, 2, 3, 5, 6, 7, 8, 1, 1, 2, 2]), dtype: '<f8' });
    expect(Array.from(d.coords.x)).toEqual([0, 1, 2, 3]);
    expect(Array.from(d.values)).toEqual([5, 6, 7, 8]);
    expect(Array.from(d.sigma!)).toEqual([1, 1, 2, 2]);
  });

  it('drops NaN rows and refuses bad sigma and non-spectrum shapes', () => {
    const d = npyToSpectrum('n.npy', { shape: [3, 2], data: Float64Array.from([0, 1, 1, NaN, 2, 3]), dtype: '<f8' });
    expect(Array.from(d.values)).toEqual([1, 3]);
    expect(d.notes).toContain('1 point with null/NaN/Inf dropped ([1])');
    expect(message(() => npyToSpectrum('s.npy', { shape: [2, 3], data: Float64Array.from([0, 1, 1, 1, 2, -1]), dtype: '<f8' }))).toBe(
      's.npy: sigma (row 1, column 2) is -1; sigma must be finite and > 0',
    );
    expect(message(() => readNpy({ name: 'img.npy', bytes: fromHex(NPY_FIXTURES.f8_5x5.hex) }))).toBe(
      'img.npy: shape (5, 5) is not a spectrum: expected (n,), (n, 2) [x, y] or (n, 3) [x, y, sigma]',
    );
    expect(message(() => readNpy({ name: 'cube.npy', bytes: fromHex(NPY_FIXTURES.fortran_3d.hex) }))).toMatch(/^cube\.npy: shape \(2, 3, 4\) is not a spectrum/);
    expect(message(() => npyToSpectrum('e.npy', { shape: [0], data: new Float64Array(0), dtype: '<f8' }))).toBe('e.npy: the array is empty (shape (0,))');
  });
});
