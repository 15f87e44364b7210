/**
 * HyperSpy .hspy reading against files written by HyperSpy 1.7.3 (testdata/hspy, made by
 * make_hspy_fixtures.py): each signal's array was also saved with numpy.save, and expected.json
 * holds HyperSpy's own axes (axes_manager), so values and axes are compared exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHdf5, loadHdf5, readHspy, readHspyDetailed } from './hspy';
import { parseNpy } from './npy';
import { readDataFilesAsync } from './read-async';
import expected from './testdata/hspy/expected.json';

const DIR = new URL('./testdata/hspy/', import.meta.url);

function file(name: string): { name: string; bytes: Uint8Array } {
  return { name, bytes: new Uint8Array(readFileSync(new URL(name, DIR))) };
}

/** NumPy's array of a fixture, from its .npy twin. */
function numpy(name: string): Float64Array {
  return parseNpy(`${name}.npy`, file(`${name}.npy`).bytes).data;
}

/** Number of entries that differ (bit-exact comparison; NaN equals NaN). */
function differences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

async function loadError(f: { name: string; bytes: Uint8Array }): Promise<string> {
  try {
    await readHspy(f);
  } catch (e) {
    expect((e as Error).name).toBe('LoadError');
    return (e as Error).message;
  }
  throw new Error(`${f.name} was read without an error`);
}

interface Expected {
  title: string;
  dtype: string;
  shape: number[];
  axes: { index_in_array: number; name: string | null; units: string | null; scale: number; offset: number; size: number; navigate: boolean; axis: number[] }[];
}
const files: Record<string, Expected> = expected.files;

describe('readHspy: values and axes as HyperSpy wrote them', () => {
  const spectra: [string, number[], string][] = [
    ['spectrum-f64', [64], 'float64'],
    ['spectrum-f8be', [64], 'float64'],
    ['cube-f32', [4, 5, 64], 'float32'],
    ['cube-f64', [4, 5, 64], 'float64'],
    ['cube-i64', [4, 5, 64], 'int64'],
    ['line-u16', [1, 5, 32], 'uint16'],
  ];
  for (const [name, shape, dtype] of spectra) {
    it(`${name}: ${dtype} data, shape and signal axis exactly`, async () => {
      const exp = files[name];
      const r = await readHspyDetailed(file(`${name}.hspy`));
      expect(r.title).toBe(exp.title);
      expect(r.dtype).toBe(dtype);
      expect(r.shape).toEqual(exp.shape);
      expect(r.dataset.kind).toBe(shape.length === 1 ? 'spectrum' : 'cube');
      expect(r.dataset.shape).toEqual(shape);
      expect(r.dataset.name).toBe(`${name}.hspy`);
      const values = numpy(name);
      expect(r.dataset.values.length).toBe(values.length);
      expect(differences(r.dataset.values, values)).toBe(0);
      // the axes, in array order, as HyperSpy's axes_manager has them
      expect(r.axes.length).toBe(exp.axes.length);
      exp.axes.forEach((a, i) => {
        const ours = r.axes[i];
        expect(ours.index).toBe(a.index_in_array);
        expect(ours.name).toBe(a.name);
        expect(ours.units).toBe(a.units);
        expect(ours.size).toBe(a.size);
        expect(ours.scale).toBe(a.scale);
        expect(ours.offset).toBe(a.offset);
        expect(ours.navigate).toBe(a.navigate);
        expect(differences(ours.values, a.axis)).toBe(0);
      });
      // the signal axis is the last one; the dataset's x is HyperSpy's axis, bit for bit
      const signal = exp.axes[exp.axes.length - 1];
      expect(signal.navigate).toBe(false);
      expect(differences(r.dataset.coords.x, signal.axis)).toBe(0);
      expect(r.dataset.labels?.x).toBe('keV');
    });
  }

  it('keeps the calibration in the numbers: the 4 x 5 x 64 cube runs 0.5 .. 2.39 keV', async () => {
    const d = await readHspy(file('cube-f32.hspy'));
    const x = d.coords.x;
    expect(x.length).toBe(64);
    expect(x[0]).toBe(0.5);
    expect(x[1]).toBe(0.5 + 0.03);
    expect(x[63]).toBeCloseTo(2.39, 12);
    // pixel (row 3, col 4), channel 10: the same value as numpy's a[3, 4, 10]
    expect(d.values[(3 * 5 + 4) * 64 + 10]).toBe(numpy('cube-f32')[(3 * 5 + 4) * 64 + 10]);
    expect(d.notes?.[0]).toMatch(/^HyperSpy file \(format 3\.1, written by hyperspy 1\.7\.3\): "gaussian map", float32 data of shape \(4, 5, 64\)/);
    expect(d.notes).toContain('signal axis Energy: 0.5 + 0.03 * channel keV (64 channels)');
    expect(d.notes).toContain('navigation: rows (y): 4, 2.5 nm apart from -5 nm; columns (x): 5, 2.5 nm apart from 10 nm');
  });

  it('int64 counts stay exact integers', async () => {
    const d = await readHspy(file('cube-i64.hspy'));
    let sum = 0;
    for (const v of d.values) {
      expect(Number.isInteger(v)).toBe(true);
      sum += v;
    }
    let ref = 0;
    for (const v of numpy('cube-i64')) ref += v;
    expect(sum).toBe(ref);
    expect(sum).toBeGreaterThan(10_000);
  });

  it('a 2-D signal is an image (pixel coordinates; the calibration in the notes)', async () => {
    const d = await readHspy(file('image-f32.hspy'));
    expect(d.kind).toBe('image');
    expect(d.shape).toEqual([6, 8]);
    expect(differences(d.values, numpy('image-f32'))).toBe(0);
    // pixel (row 2, col 5): x = column, y = row
    expect(d.coords.x[2 * 8 + 5]).toBe(5);
    expect(d.coords.y[2 * 8 + 5]).toBe(2);
    expect(d.notes?.some((n) => n.includes('rows (y): 6, 0.25 nm apart from -2 nm; columns (x): 8, 0.5 nm apart from 1 nm'))).toBe(true);
  });
});

describe('readHspy: messages naming the file', () => {
  it('a truncated file (HyperSpy default format, superblock v0)', async () => {
    const whole = file('cube-f32.hspy').bytes;
    expect(whole.length).toBe(25832);
    const msg = await loadError({ name: 'cut.hspy', bytes: whole.slice(0, 15000) });
    expect(msg).toBe('cut.hspy: the file is truncated: 14.6 kB of the 25.2 kB its HDF5 header announces (copy or download it again)');
  });

  it('a truncated file (superblock v3), one byte short', async () => {
    const whole = file('cube-i64.hspy').bytes;
    const msg = await loadError({ name: 'short.hspy', bytes: whole.slice(0, whole.length - 1) });
    expect(msg).toBe(`short.hspy: the file is truncated: ${((whole.length - 1) / 1024).toFixed(1)} kB of the ${(whole.length / 1024).toFixed(1)} kB its HDF5 header announces (copy or download it again)`);
  });

  it('a file cut inside the superblock still gives a message naming it', async () => {
    const whole = file('cube-f32.hspy').bytes;
    const msg = await loadError({ name: 'stub.hspy', bytes: whole.slice(0, 30) });
    expect(msg).toBe('stub.hspy: the file is truncated: only 30 bytes, cut inside its HDF5 header');
  });

  it('not an HDF5 file, and an empty one', async () => {
    const text = new TextEncoder().encode('x,y\n1,2\n3,4\n');
    expect(isHdf5(text)).toBe(false);
    expect(await loadError({ name: 'table.hspy', bytes: text })).toMatch(/^table\.hspy: not an HDF5 file \(no HDF5 signature\)/);
    expect(await loadError({ name: 'empty.hspy', bytes: new Uint8Array(0) })).toBe('empty.hspy: the file is empty (0 bytes)');
  });

  it('an HDF5 file without /Experiments', async () => {
    const f = file('plain.h5');
    expect(isHdf5(f.bytes)).toBe(true);
    expect(await loadError(f)).toBe('plain.h5: no /Experiments group: an HDF5 file but not a HyperSpy .hspy file (top level: values)');
  });

  it('data whose shape the axes do not match', async () => {
    expect(await loadError(file('mismatch.hspy'))).toBe(
      'mismatch.hspy: /Experiments/counts: the data of shape (4, 5, 64) do not match the axes: axis-2 (Energy) has size 60, the data 64 (axes: axis-0: 4, axis-1: 5, axis-2: 60)',
    );
  });

  it('an unsupported dtype (a complex signal)', async () => {
    expect(await loadError(file('complex.hspy'))).toMatch(/^complex\.hspy: \/Experiments\/complex\/data has the unsupported data type complex128: /);
  });
});

/**
 * A file in HyperSpy's layout written here with h5wasm, for what HyperSpy itself does not write:
 * the signal axis first in the array, a non-uniform axis, a functional one.
 */
async function writeHspyLike(axes: Record<string, number | string | Float64Array>[], shape: number[], data: Float64Array): Promise<Uint8Array> {
  const { api, fs } = await loadHdf5();
  const path = `/made-${Math.random().toString(36).slice(2)}.h5`;
  const f = new api.File(path, 'w');
  f.create_attribute('file_format', 'HyperSpy');
  const exp = f.create_group('Experiments').create_group('made');
  exp.create_dataset({ name: 'data', data, shape });
  axes.forEach((a, i) => {
    const g = exp.create_group(`axis-${i}`);
    for (const [k, v] of Object.entries(a)) g.create_attribute(k, v);
  });
  f.close();
  const bytes = (fs as unknown as { readFile(p: string): Uint8Array }).readFile(path);
  fs.unlink(path);
  return bytes;
}

describe('readHspy: layouts HyperSpy 1.7.3 does not write', () => {
  it('the signal axis first in the array: reordered to navigation first', async () => {
    // data[k, r, c] = 100 k + 10 r + c, shape (6 channels, 2 rows, 3 columns)
    const data = Float64Array.from({ length: 36 }, (_, i) => 100 * Math.floor(i / 6) + 10 * Math.floor((i % 6) / 3) + (i % 3));
    const bytes = await writeHspyLike(
      [
        { size: 6, scale: 0.5, offset: 1, units: 'eV', navigate: 0, _type: 'UniformDataAxis' },
        { size: 2, scale: 1, offset: 0, navigate: 1 },
        { size: 3, scale: 1, offset: 0, navigate: 1 },
      ],
      [6, 2, 3],
      data,
    );
    const d = await readHspy({ name: 'sig-first.hspy', bytes });
    expect(d.shape).toEqual([2, 3, 6]);
    for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 6; k++) expect(d.values[(r * 3 + c) * 6 + k]).toBe(100 * k + 10 * r + c);
    expect(Array.from(d.coords.x)).toEqual([1, 1.5, 2, 2.5, 3, 3.5]);
    expect(d.notes).toContain('axes reordered to navigation first, signal last (stored order sig, nav, nav)');
  });

  it('a non-uniform axis takes its stored values; a functional one is refused', async () => {
    const axis = Float64Array.from([0.1, 0.2, 0.4, 0.8]);
    const bytes = await writeHspyLike([{ size: 4, navigate: 0, _type: 'DataAxis', axis }], [4], Float64Array.from([1, 2, 3, 4]));
    const d = await readHspy({ name: 'nonuniform.hspy', bytes });
    expect(Array.from(d.coords.x)).toEqual([0.1, 0.2, 0.4, 0.8]);
    const functional = await writeHspyLike([{ size: 4, navigate: 0, _type: 'FunctionalDataAxis', expression: 'a / x' }], [4], Float64Array.from([1, 2, 3, 4]));
    expect(await loadError({ name: 'functional.hspy', bytes: functional })).toBe(
      'functional.hspy: /Experiments/made: axis-0 is a FunctionalDataAxis, not supported; convert it in HyperSpy (axis.convert_to_uniform_axis()) and save again',
    );
  });
});

describe('readDataFilesAsync', () => {
  it('reads .hspy through readHspy and the rest through readDataFiles, errors naming their files', async () => {
    const r = await readDataFilesAsync([
      file('spectrum-f64.npy'),
      file('cube-f32.hspy'),
      { name: 'bad.hspy', bytes: new TextEncoder().encode('hello') },
      { name: 'cube-f32.hspy', bytes: file('cube-f64.hspy').bytes },
    ]);
    expect(r.datasets.map((d) => [d.name, d.kind, d.shape.join('x')])).toEqual([
      ['spectrum-f64.npy', 'spectrum', '64'],
      ['cube-f32.hspy', 'cube', '4x5x64'],
      ['cube-f32.hspy (2)', 'cube', '4x5x64'],
    ]);
    expect(r.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^bad\.hspy: not an HDF5 file/)]);
    // the second cube is the float64 one
    expect(differences(r.datasets[2].values, numpy('cube-f64'))).toBe(0);
  });
});
