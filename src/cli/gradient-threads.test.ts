import { describe, expect, it } from 'vitest';
import { compileForDataset } from '../core/fit/compile-view';
import { isImageModel, type ImageCompiledModel } from '../core/image/image-model';
import { moffatPsf } from '../core/image/psf';
import { simulateTutorialImage, tutorialModel, TUTORIAL_TRUTH } from '../core/image/tutorial';
import type { Dataset } from '../core/data/dataset';
import { GradientThreads } from './gradient-threads';

const sim = simulateTutorialImage();
const model = tutorialModel(TUTORIAL_TRUTH);
const iv = Float64Array.from(sim.variance, (v) => 1 / v);
const weights = (m: Float64Array, w: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < m.length; i++) {
    const r = m[i] - sim.dataset.values[i];
    s += r * r * iv[i];
    w[i] = 2 * r * iv[i];
  }
  return s;
};

function image(d: Dataset): ImageCompiledModel {
  const c = compileForDataset(model, d);
  if (!isImageModel(c)) throw new Error('not an image model');
  return c;
}

function gradient(c: ImageCompiledModel, theta: ArrayLike<number>) {
  const out = new Float64Array(c.n);
  const g = new Float64Array(c.nFree);
  const S = c.evaluateWithAdjoint(theta, out, weights, g);
  return { out, g, S };
}

describe('GradientThreads (one image gradient split across worker threads)', () => {
  it('two threads give the serial model bit for bit and its gradient to 1e-12; close() goes back to one thread', () => {
    const serial = image(sim.dataset);
    const c = image(sim.dataset);
    const team = GradientThreads.start(c, model, sim.dataset, { threads: 2 });
    expect(team).not.toBeNull();
    try {
      expect(team!.threads).toBe(2);
      expect(team!.cuts[0]).toBe(0);
      expect(team!.cuts[2]).toBe(119);
      for (const scale of [0, 1e-3, -2e-3]) {
        const theta = Float64Array.from(c.layout.theta0, (v, k) => v * (1 + scale * Math.cos(k)));
        const a = gradient(serial, theta);
        const b = gradient(c, theta);
        expect(b.S).toBe(a.S);
        expect(b.out.every((v, i) => v === a.out[i])).toBe(true);
        const big = Math.max(...a.g.map(Math.abs));
        for (let k = 0; k < a.g.length; k++) expect(Math.abs(b.g[k] - a.g[k]) / big).toBeLessThan(1e-12);
      }
    } finally {
      team?.close();
    }
    // serial again after close
    const a = gradient(serial, c.layout.theta0);
    const b = gradient(c, c.layout.theta0);
    expect(b.g).toEqual(a.g);
  });

  it('a gradient that throws part way (the weights) ends the threads; the model goes on in one thread', () => {
    const serial = image(sim.dataset);
    const c = image(sim.dataset);
    const team = GradientThreads.start(c, model, sim.dataset, { threads: 2, timeoutMs: 2000 });
    expect(team).not.toBeNull();
    const out = new Float64Array(c.n);
    const g = new Float64Array(c.nFree);
    expect(() =>
      c.evaluateWithAdjoint(c.layout.theta0, out, () => {
        throw new Error('bad weights');
      }, g),
    ).toThrow('bad weights');
    const a = gradient(serial, c.layout.theta0);
    const b = gradient(c, c.layout.theta0);
    expect(b.g).toEqual(a.g);
    team!.close();
  });

  it('returns null where threads cannot help: one thread, a non-separable PSF, a spectrum', () => {
    expect(GradientThreads.start(image(sim.dataset), model, sim.dataset, { threads: 1 })).toBeNull();
    const moffat: Dataset = { ...sim.dataset, psf: moffatPsf(3, 2, 15) };
    expect(GradientThreads.start(image(moffat), model, moffat, { threads: 2 })).toBeNull();
    const spectrum: Dataset = { name: 's', kind: 'spectrum', coords: { x: Float64Array.from({ length: 50 }, (_, i) => i) }, values: new Float64Array(50), shape: [50] } as Dataset;
    const line = compileForDataset({ components: [{ name: 'Offset', type: 'Offset', active: true, params: { offset: { value: 1, lower: null, upper: null, fixed: false } } }] }, spectrum);
    expect(GradientThreads.start(line, model, spectrum, { threads: 2 })).toBeNull();
  });
});
