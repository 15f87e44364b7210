import { describe, expect, it } from 'vitest';
import { makeCube } from '../cube/cube';
import { defaultCubeView, emptyMaps, writePixel } from '../cube/session-maps';
import { emptySession, type SessionDoc } from './document';
import { loadSessionText, SessionLoadError } from './load';
import { sessionToJson, sessionToText } from './serialize';
import { decodeShareFragment, encodeShareFragment } from './share-link';

function cubeSession(): SessionDoc {
  const x = [1, 2, 3, 4];
  const values = Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => 10 + (i % 7));
  const cube = makeCube('map.npy', 2, 3, x, values);
  let maps = emptyMaps(2, 3, ['g.A', 'g.centre'], ['g.A'], 'cash');
  maps = writePixel(maps, 4, { values: { 'g.A': 12.5, 'g.centre': 2.25 }, errors: { 'g.A': 0.75 }, redChi2: 1.125, status: 1 });
  maps = writePixel(maps, 5, { values: { 'g.A': 3 }, redChi2: 40, status: 3 });
  const doc = emptySession();
  doc.datasets = [cube];
  doc.model = { components: [{ name: 'g', type: 'Gaussian', active: true, params: { A: { value: 12.5, lower: 0, upper: null, fixed: false }, sigma: { value: 0.5, lower: null, upper: null, fixed: true }, centre: { value: 2.25, lower: null, upper: null, fixed: true } } }] };
  doc.cube = { 'map.npy': { ...defaultCubeView(), selected: 4, seeds: [4], order: 'smart', variance: 'poisson', chi2Window: [0, 2.5], maps } };
  doc.stored = [{ name: 'first', model: doc.model, result: null, dataset: 'map.npy', savedAt: '2026-01-01T00:00:00.000Z', cube: maps }];
  return doc;
}

describe('spectrum-image maps in the session', () => {
  it('round-trip through a session file: maps (NaN kept), status, seeds, window, stored models keep their maps', () => {
    const doc = cubeSession();
    const back = loadSessionText(sessionToText(doc), 'cube.fitbench.json');
    const view = back.cube!['map.npy'];
    expect(view.selected).toBe(4);
    expect(view.seeds).toEqual([4]);
    expect(view.chi2Window).toEqual([0, 2.5]);
    expect(view.order).toBe('smart');
    expect(view.maps!.values['g.A'][4]).toBe(12.5);
    expect(view.maps!.values['g.centre'][4]).toBe(2.25);
    expect(Number.isNaN(view.maps!.values['g.A'][0])).toBe(true);
    expect(view.maps!.errors['g.A'][4]).toBe(0.75);
    expect(Array.from(view.maps!.status)).toEqual([0, 0, 0, 0, 1, 3]);
    expect(view.maps!.status).toBeInstanceOf(Uint8Array);
    expect(view.maps!.redChi2[5]).toBe(40);
    expect(view.maps!.statistic).toBe('cash');
    expect(back.stored[0].cube!.values['g.A'][5]).toBe(3);
    // the cube itself: signal axis of 4 channels, 24 values
    expect(back.datasets[0].kind).toBe('cube');
    expect(Array.from(back.datasets[0].coords.x)).toEqual([1, 2, 3, 4]);
    expect(back).toEqual(doc);
  });

  it('sessions without maps stay as they were (no cube key)', () => {
    const doc = emptySession();
    const json = sessionToJson(doc);
    expect('cube' in json).toBe(false);
    expect(loadSessionText(sessionToText(doc), 's').cube).toBeUndefined();
  });

  it('goes through a share link when small', () => {
    const doc = cubeSession();
    const back = decodeShareFragment(encodeShareFragment(doc));
    expect(back.cube!['map.npy'].maps!.values['g.A'][4]).toBe(12.5);
  });

  it('refuses maps that do not fit the spectrum image, bad status codes, pixels outside and odd keys', () => {
    const refuse = (edit: (j: Record<string, any>) => void): string => {
      const j = JSON.parse(sessionToText(cubeSession()));
      edit(j);
      try {
        loadSessionText(JSON.stringify(j), 'bad.json');
      } catch (e) {
        expect(e).toBeInstanceOf(SessionLoadError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refuse((j) => j.cube['map.npy'].maps.values['g.A'].pop())).toMatch(/cube\["map\.npy"\]\.maps\.values\["g\.A"\].*5 entries.*needs 6/);
    expect(refuse((j) => (j.cube['map.npy'].maps.status[0] = 7))).toMatch(/status\[0\].*0, 1, 2 or 3/);
    expect(refuse((j) => (j.cube['map.npy'].selected = 6))).toMatch(/selected.*pixel 6 is outside the 2 x 3 map/);
    expect(refuse((j) => (j.cube['map.npy'].seeds = [1, 99]))).toMatch(/seeds\[1\].*outside/);
    expect(refuse((j) => {
      const m = j.cube['map.npy'].maps;
      m.rows = 3;
      m.cols = 2;
    })).toMatch(/are 3 x 2, but the spectrum image is 2 x 3/);
    expect(refuse((j) => (j.cube['map.npy'].chi2Window = [3, 1]))).toMatch(/window/);
    expect(refuse((j) => (j.cube['map.npy'].maps.values.constructor = [1, 2, 3, 4, 5, 6]))).toMatch(/not allowed/);
    expect(refuse((j) => (j.stored[0].cube.redChi2 = [1]))).toMatch(/stored\[0\]\.cube\.redChi2.*needs 6/);
  });

  it('a cube dataset with a per-channel signal axis passes the shape checks; a wrong axis does not', () => {
    const j = JSON.parse(sessionToText(cubeSession()));
    j.datasets[0].coords.x = [1, 2, 3];
    expect(() => loadSessionText(JSON.stringify(j), 'x.json')).toThrow(/coords\.x.*3 entries/);
  });
});
