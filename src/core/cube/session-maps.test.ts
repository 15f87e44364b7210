import { describe, expect, it } from 'vitest';
import { PIXEL_STATUS } from './multifit';
import { defaultChi2Window, defaultCubeView, emptyMaps, mapOf, mapsFromResult, mergeMaps, pixelValues, seedRedChi2, seedsFromView, statusCounts, writePixel } from './session-maps';

describe('cube session maps', () => {
  it('writePixel copies only what changes and adds missing keys', () => {
    const m = emptyMaps(2, 2, ['g.A', 'g.sigma'], ['g.A'], 'chi2');
    const w = writePixel(m, 3, { values: { 'g.A': 5 }, errors: { 'g.A': 0.5 }, redChi2: 1.2, status: PIXEL_STATUS.accepted });
    expect(w).not.toBe(m);
    expect(w.values['g.A'][3]).toBe(5);
    expect(Number.isNaN(m.values['g.A'][3])).toBe(true);
    expect(w.values['g.sigma']).toBe(m.values['g.sigma']);
    expect(w.errors['g.A'][3]).toBe(0.5);
    expect(w.redChi2[3]).toBe(1.2);
    expect(w.status[3]).toBe(1);
    // the same values again: nothing to copy
    expect(writePixel(w, 3, { values: { 'g.A': 5 } })).toBe(w);
    const added = writePixel(w, 0, { values: { 'h.A': 2 } });
    expect(added.values['h.A'][0]).toBe(2);
    expect(Number.isNaN(added.values['h.A'][1])).toBe(true);
    expect(() => writePixel(w, 4, { values: { 'g.A': 1 } })).toThrow(/outside/);
  });

  it('mergeMaps keeps old numbers where the new run fitted nothing', () => {
    let old = emptyMaps(1, 3, ['a'], ['a'], 'chi2');
    old = writePixel(old, 0, { values: { a: 1 }, errors: { a: 0.1 }, redChi2: 1, status: 1 });
    old = writePixel(old, 2, { values: { a: 3 }, errors: { a: 0.3 }, redChi2: 3, status: 3 });
    const fresh = mapsFromResult(
      1,
      3,
      { maps: { a: Float64Array.from([NaN, 20, NaN]) }, errors: { a: Float64Array.from([NaN, 2, NaN]) }, redChi2: Float64Array.from([NaN, 0.9, NaN]), status: Uint8Array.from([0, 1, 0]) },
      'chi2',
    );
    const m = mergeMaps(old, fresh);
    expect(Array.from(m.values.a)).toEqual([1, 20, 3]);
    expect(Array.from(m.errors.a)).toEqual([0.1, 2, 0.3]);
    expect(Array.from(m.status)).toEqual([1, 1, 3]);
    expect(Array.from(m.redChi2)).toEqual([1, 0.9, 3]);
    expect(mergeMaps(null, fresh)).toBe(fresh);
    expect(() => mapsFromResult(2, 2, { maps: { a: new Float64Array(3) }, errors: {}, redChi2: new Float64Array(4), status: new Uint8Array(4) }, 'chi2')).toThrow(/needs 4/);
  });

  it('display maps: failed mask and status', () => {
    let m = emptyMaps(1, 4, ['a'], ['a'], 'cash');
    m = writePixel(m, 1, { status: PIXEL_STATUS.accepted });
    m = writePixel(m, 2, { status: PIXEL_STATUS.retriedAccepted });
    m = writePixel(m, 3, { status: PIXEL_STATUS.failed });
    const failed = mapOf(m, 'failed', null)!;
    expect(Number.isNaN(failed[0])).toBe(true);
    expect(Array.from(failed.slice(1))).toEqual([0, 0, 1]);
    expect(Array.from(mapOf(m, 'status', null)!)).toEqual([0, 1, 2, 3]);
    expect(mapOf(m, 'value', 'nope')).toBeNull();
    expect(statusCounts(m.status)).toEqual({ notFitted: 1, accepted: 1, retried: 1, failed: 1 });
  });

  it('seeds: the free values of the seed pixels, and the default window from their fits', () => {
    let m = emptyMaps(2, 2, ['a', 'b', 'c'], ['a', 'b'], 'chi2');
    m = writePixel(m, 1, { values: { a: 1, b: 2, c: 3 }, redChi2: 1.1, status: 1 });
    m = writePixel(m, 2, { values: { a: 4 }, redChi2: 0.9, status: 1 });
    m = writePixel(m, 3, { values: { a: 7 }, redChi2: 50, status: 3 });
    const view = { ...defaultCubeView(), seeds: [1, 2, 3, 0, 9], maps: m };
    expect(seedsFromView(view, ['a', 'b'])).toEqual([
      { pixel: 1, values: { a: 1, b: 2 } },
      { pixel: 2, values: { a: 4 } },
      { pixel: 3, values: { a: 7 } },
    ]);
    // the failed seed does not set the window
    expect(seedRedChi2(view)).toEqual([1.1, 0.9]);
    expect(defaultChi2Window(seedRedChi2(view))).toEqual([0, 3]);
    expect(defaultChi2Window([2])).toEqual([0, 6]);
    expect(defaultChi2Window([])).toBeNull();
    expect(pixelValues(m, 2)).toEqual({ a: 4 });
  });
});
