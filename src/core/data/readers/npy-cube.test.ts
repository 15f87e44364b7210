import { describe, expect, it } from 'vitest';
import { LoadError } from './load-error';
import { parseNpy } from './npy';
import { npyToCube, readNpyCube } from './npy-cube';
import { writeNpy } from './npy-write';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return (e as LoadError).message;
  }
  throw new Error('expected a LoadError');
}

describe('NPY spectrum images', () => {
  it('round-trips a (rows, cols, channels) array: pixel-major, channel fastest', () => {
    const rows = 2, cols = 3, ch = 4;
    const data = Float64Array.from({ length: rows * cols * ch }, (_, i) => i * 0.5 - 3);
    const d = readNpyCube({ name: 'map.npy', bytes: writeNpy([rows, cols, ch], data) }, { start: 0.2, step: 0.01, units: 'keV' });
    expect(d.kind).toBe('cube');
    expect(d.shape).toEqual([2, 3, 4]);
    expect(Array.from(d.values)).toEqual(Array.from(data));
    // value (r, c, k) at (r * cols + c) * ch + k
    expect(d.values[(1 * cols + 2) * ch + 3]).toBe(data[23]);
    expect(d.coords.x.length).toBe(4);
    expect(d.coords.x[3]).toBeCloseTo(0.23, 15);
    expect(d.labels).toEqual({ x: 'keV' });
  });

  it('reads Fortran-ordered and integer arrays (the header says so)', () => {
    // np.asfortranarray(np.arange(8, dtype='<u2').reshape(2, 2, 2)): data bytes in column-major order
    const header = "{'descr': '<u2', 'fortran_order': True, 'shape': (2, 2, 2), }";
    let h = header;
    while ((10 + h.length + 1) % 64 !== 0) h += ' ';
    h += '\n';
    const fortran = [0, 4, 2, 6, 1, 5, 3, 7];
    const bytes = new Uint8Array(10 + h.length + 16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(bytes.buffer).setUint16(8, h.length, true);
    for (let i = 0; i < h.length; i++) bytes[10 + i] = h.charCodeAt(i);
    fortran.forEach((v, i) => new DataView(bytes.buffer).setUint16(10 + h.length + 2 * i, v, true));
    const d = readNpyCube({ name: 'f.npy', bytes });
    expect(Array.from(d.values)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(d.coords.x)).toEqual([0, 1]);
  });

  it('reads (pixels, channels) as one line and counts NaN values', () => {
    const data = Float64Array.from([1, 2, NaN, 4, 5, 6]);
    const d = npyToCube('line.npy', parseNpy('line.npy', writeNpy([3, 2], data)));
    expect(d.shape).toEqual([1, 3, 2]);
    expect(d.notes?.some((n) => n.includes('1 value NaN/Inf kept'))).toBe(true);
  });

  it('names the file and the problem', () => {
    const bytes = writeNpy([2, 3, 4], new Float64Array(24));
    expect(message(() => readNpyCube({ name: 'cut.npy', bytes: bytes.subarray(0, bytes.length - 9) }))).toBe(
      'cut.npy: truncated: shape (2, 3, 4) of float64 needs 192 bytes of data but only 183 follow the header',
    );
    expect(message(() => readNpyCube({ name: 'v.npy', bytes: writeNpy([5], new Float64Array(5)) }))).toBe(
      'v.npy: shape (5,) is not a spectrum image: expected (rows, cols, channels) with the signal axis last, or (pixels, channels)',
    );
    expect(message(() => readNpyCube({ name: '4d.npy', bytes: writeNpy([1, 2, 2, 2], new Float64Array(8)) }))).toContain('4d.npy: shape (1, 2, 2, 2) is not a spectrum image');
    expect(message(() => readNpyCube({ name: 'e.npy', bytes: writeNpy([2, 0, 4], new Float64Array(0)) }))).toBe('e.npy: the array is empty (shape (2, 0, 4))');
    expect(message(() => readNpyCube({ name: 's.npy', bytes }, { step: 0 }))).toBe('s.npy: the signal axis step must be a finite non-zero number; got 0');
  });
});
