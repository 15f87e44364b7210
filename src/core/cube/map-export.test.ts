/** Map export: .npy bytes equal to numpy.save's (testdata/map-export/make_map_fixtures.py), CSV text and its round trip. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDelimitedText } from '../data/readers/delimited';
import { parseNpy } from '../data/readers/npy';
import { mapsToCsv, mapToNpy, mapToNpyU8 } from './map-export';

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./testdata/map-export/${name}`, import.meta.url)));
}

/** The 4 x 5 map of make_map_fixtures.py. */
function map4x5(): Float64Array {
  const m = Float64Array.from({ length: 20 }, (_, k) => k * 0.1 - 0.7);
  m[0] = Math.PI;
  m[1] = NaN;
  m[1 * 5 + 2] = Infinity;
  m[2 * 5 + 3] = -Infinity;
  m[3 * 5 + 4] = -0;
  m[3 * 5 + 0] = 1e-300;
  return m;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

describe('mapToNpy', () => {
  it('writes the bytes numpy.save writes (4 x 5 float64 with NaN, +-Inf, -0, 1e-300)', () => {
    const ours = mapToNpy([4, 5], map4x5());
    const numpy = fixture('map-4x5.npy');
    expect(ours.length).toBe(288);
    expect(firstDifference(ours, numpy)).toBe(-1);
    // the data start at 128, a multiple of 64, after a header ending in '\n'
    expect(new DataView(ours.buffer).getUint16(8, true) + 10).toBe(128);
    expect(ours[127]).toBe(0x0a);
  });

  it('other shapes: (1, 7) and (2, 3, 4)', () => {
    const line = Float64Array.from({ length: 7 }, (_, i) => -1.5 + 0.5 * i);
    expect(firstDifference(mapToNpy([1, 7], line), fixture('map-1x7.npy'))).toBe(-1);
    const cube = Float64Array.from({ length: 24 }, (_, k) => k / 3);
    expect(firstDifference(mapToNpy([2, 3, 4], cube), fixture('cube-2x3x4.npy'))).toBe(-1);
  });

  it('reads back with the repo parser, bit for bit', () => {
    const m = map4x5();
    const back = parseNpy('m.npy', mapToNpy([4, 5], m));
    expect(back.shape).toEqual([4, 5]);
    expect(back.dtype).toBe('<f8');
    for (let i = 0; i < 20; i++) expect(Object.is(back.data[i], m[i]), `entry ${i}`).toBe(true);
  });

  it('a uint8 status map equals numpy.save of uint8', () => {
    const s = Uint8Array.from({ length: 20 }, (_, k) => k % 4);
    expect(firstDifference(mapToNpyU8([4, 5], s), fixture('status-4x5.npy'))).toBe(-1);
  });

  it('refuses a shape that does not hold the data', () => {
    expect(() => mapToNpy([4, 4], map4x5())).toThrow('mapToNpy: shape (4, 4) holds 16 values, the map has 20');
    expect(() => mapToNpyU8([2, -1], new Uint8Array(0))).toThrow('bad dimension -1');
  });
});

describe('mapsToCsv', () => {
  it('one line per pixel: row, col, then each map', () => {
    const csv = mapsToCsv(
      {
        'Gaussian.centre': Float64Array.from([1.25, 1.5, 0.1 + 0.2, NaN, -Infinity, 1e-300]),
        'a,b': Float64Array.from([1, 2, 3, 4, 5, -0]),
      },
      2,
      3,
    );
    expect(csv).toBe(
      [
        'row,col,Gaussian.centre,"a,b"',
        '0,0,1.25,1',
        '0,1,1.5,2',
        '0,2,0.30000000000000004,3',
        '1,0,nan,4',
        '1,1,-inf,5',
        '1,2,1e-300,-0',
        '',
      ].join('\n'),
    );
  });

  it('reads back through the app reader to the same float64 values', () => {
    const rows = 3;
    const cols = 4;
    const centre = Float64Array.from({ length: 12 }, (_, k) => 1.2 + 0.04 * Math.floor(k / cols) + 0.02 * (k % cols) + 1e-13 * k);
    const area = Float64Array.from({ length: 12 }, (_, k) => Math.exp(k) / 7);
    const table = parseDelimitedText('maps.csv', mapsToCsv({ centre, area }, rows, cols));
    expect(table.columns).toEqual(['row', 'col', 'centre', 'area']);
    expect(Array.from(table.data[0])).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(Array.from(table.data[1])).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(Array.from(table.data[2])).toEqual(Array.from(centre));
    expect(Array.from(table.data[3])).toEqual(Array.from(area));
  });

  it('refuses maps of the wrong size', () => {
    expect(() => mapsToCsv({ a: new Float64Array(5) }, 2, 3)).toThrow('mapsToCsv: map a has 5 values, a 2 x 3 map needs 6');
  });
});
