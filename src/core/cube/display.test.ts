import { describe, expect, it } from 'vitest';
import { makeCube } from './cube';
import { colourbarTicks, finiteRange, histogram, mapRows, mapStatistics, niceTicks, stepPixel, stretchMap, stretchValue, sumImage, unstretchValue } from './display';

describe('sumImage', () => {
  const x = [0, 1, 2];
  // 1 x 2 pixels, 3 channels; pixel 1 has a NaN
  const cube = makeCube('c', 1, 2, x, Float64Array.from([1, 2, 3, 10, NaN, 30]));
  it('sums every channel, skipping NaN', () => {
    expect(Array.from(sumImage(cube))).toEqual([6, 40]);
  });
  it('sums the given channels only', () => {
    expect(Array.from(sumImage(cube, Int32Array.from([1, 2])))).toEqual([5, 30]);
    expect(Number.isNaN(sumImage(cube, Int32Array.from([1]))[1])).toBe(true);
  });
});

describe('stretches', () => {
  it('linear maps [lo, hi] to [0, 1] and clips', () => {
    expect(stretchValue(5, 'linear', 0, 10)).toBe(0.5);
    expect(stretchValue(-3, 'linear', 0, 10)).toBe(0);
    expect(stretchValue(30, 'linear', 0, 10)).toBe(1);
    expect(Number.isNaN(stretchValue(NaN, 'linear', 0, 10))).toBe(true);
  });
  it('log and asinh follow astropy (a = 1000, a = 0.1)', () => {
    expect(stretchValue(1, 'log', 0, 10)).toBeCloseTo(Math.log10(101) / Math.log10(1001), 14);
    expect(stretchValue(1, 'asinh', 0, 10)).toBeCloseTo(Math.asinh(1) / Math.asinh(10), 14);
    expect(stretchValue(10, 'log', 0, 10)).toBeCloseTo(1, 14);
    expect(stretchValue(0, 'asinh', 0, 10)).toBe(0);
  });
  it('unstretch inverts stretch', () => {
    for (const mode of ['linear', 'log', 'asinh'] as const) {
      for (const v of [2, 3.5, 7, 9.9]) expect(unstretchValue(stretchValue(v, mode, 2, 10), mode, 2, 10)).toBeCloseTo(v, 10);
    }
  });
  it('stretchMap keeps NaN and infinities as NaN', () => {
    const out = stretchMap([0, 5, NaN, Infinity, 10], 'linear', 0, 10);
    expect(Array.from(out.slice(0, 2))).toEqual([0, 0.5]);
    expect(Number.isNaN(out[2]) && Number.isNaN(out[3])).toBe(true);
    expect(out[4]).toBe(1);
  });
});

describe('ticks', () => {
  it('niceTicks picks round steps', () => {
    expect(niceTicks(0, 10, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.13, 0.91, 5)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-1, 1, 5)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
  it('colour-bar ticks sit at the stretched positions of their values', () => {
    const lin = colourbarTicks('linear', 0, 100);
    expect(lin.values).toEqual([0, 20, 40, 60, 80, 100]);
    expect(lin.tickvals[1]).toBeCloseTo(0.2, 14);
    const log = colourbarTicks('log', 1, 1001);
    expect(log.values[0]).toBe(1);
    expect(log.values[log.values.length - 1]).toBe(1001);
    // the middle tick: value 1 + 1000 (1001^0.5 - 1) / 1000 = 31.6..., rounded to 2 digits
    expect(log.values).toContain(32);
    log.values.forEach((v, i) => expect(log.tickvals[i]).toBeCloseTo(stretchValue(v, 'log', 1, 1001), 14));
  });
});

describe('histogram and statistics', () => {
  it('bins finite values, the last bin closed', () => {
    const h = histogram([0, 1, 1, 2, 3, 4, NaN, Infinity], 4);
    expect(Array.from(h.edges)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(h.counts)).toEqual([1, 2, 1, 2]);
    expect(h.nonFinite).toBe(2);
    expect(h.outside).toBe(0);
  });
  it('counts values outside an explicit range', () => {
    const h = histogram([-1, 0.5, 1.5, 5], 2, [0, 2]);
    expect(Array.from(h.counts)).toEqual([1, 1]);
    expect(h.outside).toBe(2);
  });
  it('one value: a unit-wide range around it', () => {
    const h = histogram([7, 7, 7], 3);
    expect(h.edges[0]).toBe(6.5);
    expect(h.edges[3]).toBe(7.5);
    expect(Array.from(h.counts)).toEqual([0, 3, 0]);
  });
  it('mapStatistics: mean, sample std, median of finite values', () => {
    const s = mapStatistics([2, 4, 4, 4, 5, 5, 7, 9, NaN]);
    expect(s.count).toBe(8);
    expect(s.nonFinite).toBe(1);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(s.median).toBe(4.5);
    expect([s.min, s.max]).toEqual([2, 9]);
    expect(mapStatistics([NaN]).count).toBe(0);
    expect(Number.isNaN(mapStatistics([3]).std)).toBe(true);
  });
  it('finiteRange', () => {
    expect(finiteRange([NaN, 3, -2, Infinity])).toEqual([-2, 3]);
    expect(finiteRange([NaN])).toBeNull();
  });
});

describe('map helpers', () => {
  it('mapRows: rows of the row-major map, NaN as null', () => {
    expect(mapRows([1, 2, 3, NaN, 5, 6], 2, 3)).toEqual([
      [1, 2, 3],
      [null, 5, 6],
    ]);
    expect(() => mapRows([1, 2], 2, 3)).toThrow(/do not fill/);
  });
  it('stepPixel moves and clamps at the edges', () => {
    expect(stepPixel(4, 3, 3, 0, 1)).toBe(5);
    expect(stepPixel(4, 3, 3, -1, 0)).toBe(1);
    expect(stepPixel(2, 3, 3, 0, 1)).toBe(2);
    expect(stepPixel(6, 3, 3, 1, 0)).toBe(6);
  });
});
