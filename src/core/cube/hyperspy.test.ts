/**
 * HyperSpy 1.7.3 reference (bench/peers/hyperspy_multifit.py): an 8 x 8 x 256 EDS-like map
 * (testdata/hs-cube.npy, uint16 counts) fitted by HyperSpy's multifit loop, serpentine,
 * optimizer 'lm' (MINPACK leastsq) with analytical gradients and variance max(y, 1); and its
 * vectorised linear fit (optimizer 'lstsq') with the shapes fixed. Our fits of the same counts
 * with the same model and starting values must agree within a tenth of an error where both
 * converge.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNpyCube } from '../data/readers/npy-cube';
import { linearMultifit } from './linear';
import { multifit, PIXEL_STATUS } from './multifit';
import { edsModel } from './simulate';
import ref from './testdata/hs-reference.json';

const bytes = new Uint8Array(readFileSync(new URL('./testdata/hs-cube.npy', import.meta.url)));

describe('HyperSpy multifit reference', () => {
  const cube = readNpyCube({ name: 'hs-cube.npy', bytes }, { start: ref.axis.offset, step: ref.axis.scale, units: 'keV' });
  const P = 64;

  it('reads the cube HyperSpy fitted', () => {
    expect(cube.shape).toEqual(ref.shape);
    // the model's starting values are HyperSpy's
    const model = edsModel();
    for (const c of model.components) for (const [name, doc] of Object.entries(c.params)) expect(doc.value, `${c.name}.${name}`).toBeCloseTo((ref.start as Record<string, number>)[`${c.name}.${name}`], 12);
  });

  it('non-linear maps agree within 0.1 error (serpentine, LM, Poisson variance)', () => {
    const res = multifit(cube, edsModel(), { statistic: 'chi2' }, { order: 'serpentine', variance: 'poisson', scaleErrors: true });
    const hs = ref.nonlinear;
    expect([...res.freeKeys].sort()).toEqual([...hs.freeKeys].sort());
    let compared = 0;
    let worst = 0;
    let worstErr = 0;
    let worstRed = 0;
    for (let p = 0; p < P; p++) {
      if (!hs.success[p] || (res.status[p] !== PIXEL_STATUS.accepted && res.status[p] !== PIXEL_STATUS.retriedAccepted)) continue;
      compared++;
      for (const key of hs.freeKeys) {
        const v = (hs.values as Record<string, number[]>)[key][p];
        const s = (hs.std as Record<string, number[]>)[key][p];
        const d = Math.abs(res.maps[key][p] - v) / s;
        worst = Math.max(worst, d);
        expect(d, `${key} at pixel ${p}: ours ${res.maps[key][p]}, HyperSpy ${v} +- ${s}`).toBeLessThan(0.1);
        worstErr = Math.max(worstErr, Math.abs(res.errors[key][p] / s - 1));
      }
      // HyperSpy's red_chisq divides by channels - free - 1 (model.py, red_chisq); ours by channels - free
      const nFree = hs.freeKeys.length;
      const chi2Ours = res.redChi2[p] * (256 - nFree);
      const chi2Hs = hs.redChi2[p] * (256 - nFree - 1);
      worstRed = Math.max(worstRed, Math.abs(chi2Ours / chi2Hs - 1));
    }
    console.log(
      `HyperSpy ${ref.hyperspy}: ${compared}/${P} pixels compared; largest |ours - HyperSpy| = ${worst.toExponential(2)} error; ` +
        `errors within ${(worstErr * 100).toExponential(2)} %; chi2 within ${worstRed.toExponential(2)} (relative); ` +
        `speed ours ${((P / res.elapsedMs) * 1000).toFixed(0)} px/s, HyperSpy ${hs.pixelsPerSecond} px/s`,
    );
    expect(compared).toBeGreaterThanOrEqual(60);
    expect(worstErr).toBeLessThan(0.01);
    expect(worstRed).toBeLessThan(1e-6);
  });

  it('linear maps equal HyperSpy lstsq (shapes fixed, unit weights)', () => {
    const res = linearMultifit(cube, edsModel({ shapesFixed: true }), {}, { variance: 'unit' });
    let worst = 0;
    for (const [key, values] of Object.entries(ref.linear.values as Record<string, number[]>)) {
      for (let p = 0; p < P; p++) worst = Math.max(worst, Math.abs(res.maps[key][p] - values[p]) / Math.abs(values[p]));
    }
    console.log(`linear vs HyperSpy lstsq: largest relative difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-9);
  });
});
