import { beforeEach, describe, expect, it } from 'vitest';
import { store } from './store';
import { imageViewStore } from './image-view';
import {
  addImageComponent,
  applyAuxiliaryFiles,
  clearImagePlane,
  estimateImageComponent,
  IMAGE_DEMO_NAME,
  loadImageDemo,
  modelForImage,
  moveImageComponent,
  setImagePlaneFile,
  setParametricPsf,
  wrapImageAngles,
} from './image-actions';
import { emptySession } from '../core/session/document';
import { writeFitsImage } from '../core/data/readers/fits-write';
import { TUTORIAL_TRUTH } from '../core/image/tutorial';
import type { FitResult } from '../core/fit/result';
import type { ModelDoc } from '../core/model/document';

const session = () => store.getState().session;
const image = () => session().datasets[session().activeDataset];
const param = (c: string, p: string) => session().model.components.find((x) => x.name === c)!.params[p].value;

beforeEach(() => {
  store.setState({ session: emptySession(), alerts: [] });
  imageViewStore.setState({ sources: {}, placing: null });
});

describe('image demo and components', () => {
  it('opens the tutorial with its starting model; a new Sersic waits for a click, which places it from the moments', () => {
    loadImageDemo();
    expect(image().name).toBe(IMAGE_DEMO_NAME);
    expect(image().shape).toEqual([99, 99]);
    expect(image().psf!.size).toBe(21);
    expect(session().model.components.map((c) => c.name)).toEqual(['FlatSky', 'Sersic', 'Sersic_1', 'Sersic_2']);
    const name = addImageComponent('Sersic');
    expect(name).toBe('Sersic_3');
    expect(imageViewStore.getState().placing).toBe('Sersic_3');
    expect(param('Sersic_3', 'x')).toBe(49);
    // take the others out so that the new one is estimated on the data minus the sky only
    store.setState((s) => ({ session: { ...s.session, model: { components: s.session.model.components.map((c) => (c.name.startsWith('Sersic') && c.name !== 'Sersic_3' ? { ...c, active: false } : c)) } } }));
    const t = TUTORIAL_TRUTH.sersics[1];
    expect(estimateImageComponent('Sersic_3', { x: t.x + 1, y: t.y + 1 })).toBe(true);
    expect(Math.hypot(param('Sersic_3', 'x') - t.x, param('Sersic_3', 'y') - t.y)).toBeLessThan(0.5);
    expect(Math.abs(param('Sersic_3', 'PA') - t.PA)).toBeLessThan((5 * Math.PI) / 180);
    expect(Math.abs(param('Sersic_3', 'q') - t.q)).toBeLessThan(0.1);
    expect(param('Sersic_3', 'n')).toBe(2); // kept: the estimate is for the current n
    expect(store.getState().alerts).toEqual([]);
  });

  it('starts a sky at the median of the data minus the other components, and moves centres', () => {
    loadImageDemo();
    addImageComponent('FlatSky');
    // the tutorial's 3 Sersics at their start values take most of the galaxy light out
    const F = param('FlatSky_1', 'F');
    expect(F).toBeGreaterThan(0.9);
    expect(F).toBeLessThan(1.9);
    expect(imageViewStore.getState().placing).toBeNull();
    moveImageComponent('Sersic_2', 12.5, 30.25);
    expect([param('Sersic_2', 'x'), param('Sersic_2', 'y')]).toEqual([12.5, 30.25]);
  });

  it('refuses 2D components without an image', () => {
    expect(addImageComponent('Sersic')).toBeNull();
    expect(store.getState().alerts[0]).toMatch(/Open an image first/);
  });
});

describe('planes of the active image', () => {
  it('sets a parametric PSF, replaces the noise from a weight file, and names files of the wrong shape', () => {
    loadImageDemo();
    setParametricPsf({ kind: 'moffat', n: 3, Rd: 2, size: 15 });
    expect(image().psf!.size).toBe(15);
    expect(image().psf!.source).toBe('Moffat n 3, Rd 2 px, 15 × 15');
    expect(image().psf!.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    setParametricPsf({ kind: 'gaussian', sigma: -1 });
    expect(store.getState().alerts.pop()).toBe('Gaussian PSF sigma must be > 0, got -1');
    expect(image().psf!.size).toBe(15);

    setImagePlaneFile('weight', { name: 'w.fits', bytes: writeFitsImage(new Float64Array(99 * 99).fill(0.04), 99, 99) });
    expect(image().sigma![100]).toBeCloseTo(5, 12);
    expect(image().psf!.size).toBe(15); // kept
    setImagePlaneFile('variance', { name: 'v.fits', bytes: writeFitsImage(new Float64Array(50 * 99).fill(1), 50, 99) });
    expect(store.getState().alerts.pop()).toBe(`v.fits: the variance has shape 50 × 99 but the image ${IMAGE_DEMO_NAME} is 99 × 99`);
    expect(image().sigma![100]).toBeCloseTo(5, 12);
    const mask = new Float64Array(99 * 99);
    mask[5] = 1;
    mask[7] = 1;
    applyAuxiliaryFiles([{ role: 'mask', plane: { name: 'm.fits', data: mask, shape: [99, 99] } }]);
    expect(image().mask!.reduce((a, b) => a + b, 0)).toBe(2);
    clearImagePlane('mask');
    expect(image().mask).toBeUndefined();
    clearImagePlane('noise');
    expect(image().sigma).toBeUndefined();
    clearImagePlane('psf');
    expect(image().psf).toBeUndefined();
    expect(store.getState().alerts).toEqual([]);
  });

  it('says where a plane dropped alone cannot go', () => {
    applyAuxiliaryFiles([{ role: 'variance', plane: { name: 'v.fits', data: new Float64Array(4), shape: [2, 2] } }]);
    expect(store.getState().alerts).toEqual(['v.fits: looks like a variance (from its name) but there is no image open to apply it to; drop it together with its image.']);
  });
});

describe('modelForImage and wrapImageAngles', () => {
  it('moves a 1D model to the stored models', () => {
    const oneD: ModelDoc = { components: [{ name: 'Gaussian', type: 'Gaussian', active: true, params: {} }] };
    const r = modelForImage(oneD, [], 'img.fits');
    expect(r.model.components).toEqual([]);
    expect(r.stored.map((s) => s.name)).toEqual(['1D model (before img.fits)']);
    const twoD: ModelDoc = { components: [{ name: 'Sersic', type: 'Sersic', active: true, params: {} }] };
    expect(modelForImage(twoD, [], 'img.fits').model).toBe(twoD);
  });

  it('brings free unbounded PAs to [0, pi) and leaves bounded, fixed or twinned ones alone', () => {
    const p = (value: number, extra: object = {}) => ({ value, lower: null, upper: null, fixed: false, ...extra });
    const model: ModelDoc = {
      components: [
        { name: 'A', type: 'Sersic', active: true, params: { PA: p(-457.3362834843685) } },
        { name: 'B', type: 'Sersic', active: true, params: { PA: p(4, { lower: 3, upper: 5 }) } },
        { name: 'C', type: 'Sersic', active: true, params: { PA: p(-1, { fixed: true }) } },
        { name: 'D', type: 'Gaussian2D', active: true, params: { PA: p(7) } },
      ],
    };
    const pr = (value: number) => ({ value, error: 0.01, atBound: null });
    const result = {
      parameters: { 'A.PA': pr(-457.3362834843685), 'B.PA': pr(4), 'D.PA': pr(7) },
      values: { 'A.PA': -457.3362834843685, 'B.PA': 4, 'C.PA': -1, 'D.PA': 7 },
    } as unknown as FitResult;
    const w = wrapImageAngles(result, model);
    expect(w.parameters['A.PA'].value).toBeCloseTo(-457.3362834843685 + 146 * Math.PI, 9);
    expect(w.parameters['A.PA'].error).toBe(0.01);
    expect(w.values['A.PA']).toBeCloseTo(1.3362, 4);
    expect(w.values['B.PA']).toBe(4);
    expect(w.values['C.PA']).toBe(-1);
    expect(w.values['D.PA']).toBeCloseTo(7 - 2 * Math.PI, 12);
    expect(result.values['A.PA']).toBe(-457.3362834843685); // not modified in place
  });
});
