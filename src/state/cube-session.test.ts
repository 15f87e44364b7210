import { describe, expect, it } from 'vitest';
import { makeCube } from '../core/cube/cube';
import { defaultCubeView, emptyMaps } from '../core/cube/session-maps';
import type { FitResult } from '../core/fit/result';
import { emptySession, type SessionDoc } from '../core/session/document';
import { cubeShareProblem, pixelDataset, viewDataset, withModelInMaps, withPixelFit, withStoredMaps } from './cube-session';

function session(): SessionDoc {
  // 2 x 2 pixels, 3 channels; pixel p has counts 10 p + k (pixel 0: 0, 1, 2)
  const values = Float64Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3));
  const doc = emptySession();
  doc.datasets = [makeCube('c.npy', 2, 2, [1, 2, 3], values)];
  doc.model = { components: [{ name: 'o', type: 'Offset', active: true, params: { offset: { value: 5, lower: null, upper: null, fixed: false } } }] };
  doc.cube = { 'c.npy': { ...defaultCubeView(), selected: 2 } };
  return doc;
}

describe('cube session helpers', () => {
  it('the selected pixel is the spectrum the app shows, with the Poisson weights of the multifit', () => {
    const doc = session();
    const d = viewDataset(doc)!;
    expect(d.kind).toBe('spectrum');
    expect(d.name).toBe('c.npy (1, 0)');
    expect(Array.from(d.values)).toEqual([20, 21, 22]);
    expect(Array.from(d.sigma!)).toEqual([Math.sqrt(20), Math.sqrt(21), Math.sqrt(22)]);
    // the same object while nothing changes (the plot and the sliders keep their state)
    expect(viewDataset(doc)).toBe(d);
    const unit = { ...doc, cube: { 'c.npy': { ...doc.cube!['c.npy'], variance: 'unit' as const } } };
    expect(pixelDataset(unit)!.sigma).toBeUndefined();
    // pixel 0 with counts 0: the estimate is floored at 1
    const p0 = { ...doc, cube: { 'c.npy': { ...doc.cube!['c.npy'], selected: 0 } } };
    expect(Array.from(pixelDataset(p0)!.sigma!)).toEqual([1, 1, Math.sqrt(2)]);
  });

  it('a fit of the pixel makes maps, fills the pixel and makes it a seed; model edits then follow into the maps', () => {
    const result = {
      parameters: { 'o.offset': { value: 21, error: 0.5, atBound: null } },
      parameterOrder: ['o.offset'],
      values: { 'o.offset': 21 },
      statistic: { name: 'chi2', value: 1.9 },
      reducedStatistic: 0.95,
      converged: true,
    } as unknown as FitResult;
    const doc = withPixelFit(session(), result);
    const maps = doc.cube!['c.npy'].maps!;
    expect(maps.values['o.offset'][2]).toBe(21);
    expect(maps.errors['o.offset'][2]).toBe(0.5);
    expect(maps.redChi2[2]).toBe(0.95);
    expect(maps.status[2]).toBe(1);
    expect(Number.isNaN(maps.values['o.offset'][0])).toBe(true);
    expect(doc.cube!['c.npy'].seeds).toEqual([2]);
    const edited = withModelInMaps(doc, { components: [{ ...doc.model.components[0], params: { offset: { value: 23.5, lower: null, upper: null, fixed: false } } }] });
    expect(edited.cube!['c.npy'].maps!.values['o.offset'][2]).toBe(23.5);
    expect(edited.model.components[0].params.offset.value).toBe(23.5);
    // the old document is untouched (undo keeps it)
    expect(maps.values['o.offset'][2]).toBe(21);
    // a failed fit is flagged
    const failed = withPixelFit(session(), { ...result, converged: false });
    expect(failed.cube!['c.npy'].maps!.status[2]).toBe(3);
  });

  it('a stored model brings its maps back to a cube of the same size only', () => {
    const doc = session();
    const maps = emptyMaps(2, 2, ['o.offset'], ['o.offset'], 'chi2');
    maps.values['o.offset'][1] = 7;
    const back = withStoredMaps(doc, { name: 'm', model: doc.model, result: null, dataset: 'c.npy', savedAt: '', cube: maps });
    expect(back.cube!['c.npy'].maps!.values['o.offset'][1]).toBe(7);
    expect(back.cube!['c.npy'].selected).toBe(2);
    const wrong = withStoredMaps(doc, { name: 'm', model: doc.model, result: null, dataset: 'c.npy', savedAt: '', cube: emptyMaps(1, 4, [], [], 'chi2') });
    expect(wrong).toBe(doc);
  });

  it('share links: large cubes are refused before encoding', () => {
    const doc = session();
    expect(cubeShareProblem(doc, 32_000)).toBeNull();
    const big = emptySession();
    big.datasets = [makeCube('big.npy', 20, 20, Array.from({ length: 200 }, (_, k) => k), new Float64Array(80_000))];
    expect(cubeShareProblem(big, 32_000)).toMatch(/big\.npy \(20 x 20 x 200\) holds 80,000 values: too large for a share link.*Save session/);
  });
});

describe('a cube dataset renamed or removed', () => {
  it('its maps follow the rename and go with the removal', async () => {
    const { store } = await import('./store');
    const { renameDataset, removeDataset } = await import('./actions');
    const doc = session();
    doc.datasets.push(makeCube('other.npy', 1, 1, [1, 2, 3], new Float64Array(3)));
    doc.cube = { ...doc.cube, 'other.npy': defaultCubeView() };
    store.setState({ session: doc });
    renameDataset(0, 'renamed.npy');
    let s = store.getState().session;
    expect(Object.keys(s.cube!).sort()).toEqual(['other.npy', 'renamed.npy']);
    expect(s.cube!['renamed.npy'].selected).toBe(2);
    removeDataset(0);
    s = store.getState().session;
    expect(Object.keys(s.cube!)).toEqual(['other.npy']);
    expect(s.datasets.map((d) => d.name)).toEqual(['other.npy']);
  });
});
