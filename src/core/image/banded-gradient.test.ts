import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset';
import { compileForDataset, compileForView } from '../fit/compile-view';
import { makeFitView } from '../fit/fit-view';
import type { ModelDoc } from '../model/document';
import { allocateBandBuffers, isImageModel, type GradientBand, type ImageCompiledModel } from './image-model';
import { moffatPsf } from './psf';
import { simulateTutorialImage, tutorialModel, TUTORIAL_TRUTH, emptyImage } from './tutorial';

function compiled(model: ModelDoc, d: Dataset): ImageCompiledModel {
  const c = compileForDataset(model, d);
  if (!isImageModel(c)) throw new Error('not an image model');
  return c;
}

/** chi-square against data y with inverse variances iv: its weights dS/dmodel */
function chi2(y: Float64Array, iv: Float64Array) {
  return (m: Float64Array, w: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < m.length; i++) {
      const r = m[i] - y[i];
      s += r * r * iv[i];
      w[i] = 2 * r * iv[i];
    }
    return s;
  };
}

/**
 * The model's gradient split at `cuts` with every band in this thread: sync(phase) runs the other
 * bands' phase, as the threads would between barriers. Each band belongs to its own compiled model,
 * as in a worker thread.
 */
function bandedInOneThread(main: ImageCompiledModel, others: ImageCompiledModel[], cuts: number[]): void {
  const spec = main.bandSpec()!;
  const buf = allocateBandBuffers(spec, cuts.length - 1);
  const bands: GradientBand[] = [main.gradientBand(0, cuts, buf), ...others.map((o, k) => o.gradientBand(k + 1, cuts, buf))];
  main.useBands(bands[0], buf, {
    sync: (phase) => {
      if (phase >= 0) for (const b of bands.slice(1)) b.run(phase);
    },
    abort: () => undefined,
  });
}

function compare(serial: ImageCompiledModel, banded: ImageCompiledModel, theta: ArrayLike<number>, weights: (m: Float64Array, w: Float64Array) => number) {
  const a = new Float64Array(serial.n);
  const b = new Float64Array(serial.n);
  const ga = new Float64Array(serial.nFree);
  const gb = new Float64Array(serial.nFree);
  const sa = serial.evaluateWithAdjoint(theta, a, weights, ga);
  const sb = banded.evaluateWithAdjoint(theta, b, weights, gb);
  let worst = 0;
  let scale = 0;
  for (let k = 0; k < ga.length; k++) scale = Math.max(scale, Math.abs(ga[k]));
  for (let k = 0; k < ga.length; k++) worst = Math.max(worst, Math.abs(ga[k] - gb[k]) / scale);
  return { sameModel: a.every((v, i) => v === b[i]), sameStatistic: sa === sb, worst, ga, gb };
}

describe('banded gradient (one gradient split across bands of canvas rows)', () => {
  const sim = simulateTutorialImage();
  const iv = Float64Array.from(sim.variance, (v) => 1 / v);
  const weights = chi2(sim.dataset.values, iv);

  it('gives the serial model bit for bit and its gradient to rounding on the tutorial, for 2 and 3 bands at any cut', () => {
    for (const values of [undefined, TUTORIAL_TRUTH]) {
      const serial = compiled(tutorialModel(values), sim.dataset);
      const theta = serial.layout.theta0;
      for (const cuts of [[0, 60, 119], [0, 47, 119], [0, 76, 119], [0, 30, 77, 119], [0, 1, 118, 119]]) {
        const main = compiled(tutorialModel(values), sim.dataset);
        const others = cuts.slice(2).map(() => compiled(tutorialModel(values), sim.dataset));
        bandedInOneThread(main, others, cuts);
        const r = compare(serial, main, theta, weights);
        expect(r.sameModel, `cuts ${cuts}`).toBe(true);
        expect(r.sameStatistic).toBe(true);
        expect(r.worst, `cuts ${cuts}`).toBeLessThan(1e-12);
        // and again at another point (buffers, peaks and flags are per call)
        const moved = Float64Array.from(theta, (v, k) => v * (1 + 1e-3 * Math.sin(k + 1)));
        const r2 = compare(serial, main, moved, weights);
        expect(r2.sameModel).toBe(true);
        expect(r2.worst).toBeLessThan(1e-12);
      }
    }
  });

  it('handles a masked frame (fitted pixels only), no PSF, and says when a model cannot be banded', () => {
    // mask a block: the weights reach the frame through the picked indices
    const d = { ...sim.dataset, mask: new Uint8Array(sim.dataset.values.length) } as Dataset;
    for (let i = 20; i < 40; i++) for (let j = 10; j < 50; j++) d.mask![i * 99 + j] = 1;
    const view = makeFitView(d, []);
    const build = () => {
      const c = compileForView(tutorialModel(), d, view);
      if (!isImageModel(c)) throw new Error('not an image model');
      return c;
    };
    const serial = build();
    const main = build();
    bandedInOneThread(main, [build()], [0, 55, 119]);
    const y = Float64Array.from(view.indices!, (k) => d.values[k]);
    const ivm = Float64Array.from(view.indices!, (k) => iv[k]);
    const r = compare(serial, main, serial.layout.theta0, chi2(y, ivm));
    expect(r.sameModel).toBe(true);
    expect(r.worst).toBeLessThan(1e-12);

    // no PSF: the canvas is the frame
    const plain = emptyImage('plain', 40, 50);
    plain.values.fill(3);
    const model = tutorialModel({ F: 0.3, sersics: [{ x: 20.3, y: 18.6, q: 0.7, PA: 0.4, n: 2.5, Re: 6, Ie: 0.5 }, { x: 31, y: 25, q: 0.5, PA: 2, n: 1, Re: 3, Ie: 0.2 }] });
    const s2 = compiled(model, plain);
    const m2 = compiled(model, plain);
    bandedInOneThread(m2, [compiled(model, plain)], [0, 19, 40]);
    const r2 = compare(s2, m2, s2.layout.theta0, chi2(plain.values, new Float64Array(2000).fill(1)));
    expect(r2.sameModel).toBe(true);
    expect(r2.worst).toBeLessThan(1e-12);
    expect(r2.ga.every((v) => v !== 0)).toBe(true);

    // a Moffat PSF is not separable (FFT path): no bands
    const moffat = { ...plain, psf: moffatPsf(3, 2, 15) };
    expect(compiled(model, moffat).bandSpec()).toBeNull();
    expect(() => compiled(model, moffat).gradientBand(0, [0, 54], allocateBandBuffers(s2.bandSpec()!, 1))).toThrow(/cannot split/);
    // cuts must cover the canvas in increasing rows
    expect(() => m2.gradientBand(0, [0, 19, 39], allocateBandBuffers(s2.bandSpec()!, 2))).toThrow(/canvas rows 0 .. 40/);
    expect(() => m2.gradientBand(1, [0, 19, 19, 40], allocateBandBuffers(s2.bandSpec()!, 3))).toThrow(/increase/);
  });

  it('balances its cuts by the work per canvas row (the refined pixels cluster at the galaxy centres)', () => {
    const c = compiled(tutorialModel(TUTORIAL_TRUTH), sim.dataset);
    const cuts = c.bandCuts(c.layout.theta0, 2);
    expect(cuts[0]).toBe(0);
    expect(cuts[2]).toBe(119);
    // centres at canvas rows 50, 70 and 76 (y + 10): the cut lies between the middle (59.5) and the two lower centres
    expect(cuts[1]).toBeGreaterThan(59);
    expect(cuts[1]).toBeLessThan(70);
    const three = c.bandCuts(c.layout.theta0, 3);
    expect(three).toHaveLength(4);
    expect(three[1] < three[2] && three[2] < 119).toBe(true);
  });
});
