import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset';
import { compileModel } from '../model/compile';
import { createRng } from '../random/rng';
import { boundedLeastSquares, makeBoundedLsqWork } from './bounded-lsq';
import { linearDesign, linearMultifit } from './linear';
import { multifit, PIXEL_STATUS, type MultifitResult } from './multifit';
import { edsModel, edsTruthAt, simulateEdsMap, withValues } from './simulate';

const TIGHT = { ftol: 1e-15, xtol: 1e-15, gtol: 1e-15 };

function maxRelDiff(a: MultifitResult, b: MultifitResult, keys: string[], what: 'maps' | 'errors', floor = 0): number {
  let worst = 0;
  for (const key of keys) {
    const x = a[what][key];
    const y = b[what][key];
    for (let p = 0; p < x.length; p++) {
      if (Number.isNaN(x[p]) && Number.isNaN(y[p])) continue;
      worst = Math.max(worst, Math.abs(x[p] - y[p]) / Math.max(Math.abs(x[p]), floor));
    }
  }
  return worst;
}

/** A cube from a per-pixel truth (noise-free or Poisson) for the EDS model with shapes fixed. */
function cubeFrom(rows: number, cols: number, truth: (r: number, c: number) => Record<string, number>, seed: number | null): Dataset {
  const ch = 256;
  const x = Float64Array.from({ length: ch }, (_, k) => 0.2 + 0.04 * k);
  const doc = edsModel({ shapesFixed: true });
  const values = new Float64Array(rows * cols * ch);
  const out = new Float64Array(ch);
  const rng = createRng(seed ?? 1);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const compiled = compileModel(withValues(doc, truth(r, c)), { x }, ch, { allFree: true });
      compiled.evaluate(compiled.layout.theta0, out);
      for (let k = 0; k < ch; k++) values[(r * cols + c) * ch + k] = seed === null ? out[k] : rng.poisson(out[k]);
    }
  }
  return { name: 'test cube', kind: 'cube', shape: [rows, cols, ch], coords: { x }, values };
}

describe('linear fast path', () => {
  const sim = simulateEdsMap({ rows: 16, cols: 16, channels: 256, seed: 5 });
  const model = edsModel({ shapesFixed: true });

  it('detects linear models and names the parameter that is not', () => {
    const x = sim.cube.coords.x;
    expect(linearDesign(model, x).linear).toBe(true);
    const free = linearDesign(edsModel(), x);
    expect(free.linear).toBe(false);
    expect(free.reason).toMatch(/^bg\.r is free and is not an amplitude/);
    expect(() => linearMultifit(sim.cube, edsModel())).toThrow(/not linear: bg\.r is free/);
    // Fe.A = (Ti.A)^2 is not linear: found numerically
    const twinned = withValues(model, {});
    twinned.components[4].params.A.twin = { source: 'Ti.A', expr: 'x^2' };
    expect(linearDesign(twinned, x).reason).toMatch(/depends on the parameters/);
    // an affine twin is fine: Fe.A = 0.5 Ti.A + 3
    twinned.components[4].params.A.twin = { source: 'Ti.A', expr: '0.5*x + 3' };
    expect(linearDesign(twinned, x).linear).toBe(true);
    expect(() => linearMultifit(sim.cube, model, { statistic: 'cash' })).toThrow(/needs multifit/);
  });

  for (const variance of ['unit', 'poisson'] as const) {
    it(`equals the non-linear fit's amplitudes when the shapes are fixed (variance ${variance})`, () => {
      const nl = multifit(sim.cube, model, {}, { order: 'serpentine', variance, ...TIGHT });
      const lin = linearMultifit(sim.cube, model, {}, { variance });
      expect(lin.freeKeys).toEqual(['bg.A', 'Si.A', 'S.A', 'Ti.A', 'Fe.A']);
      expect(lin.status.every((s) => s === PIXEL_STATUS.accepted)).toBe(true);
      const dv = maxRelDiff(nl, lin, lin.freeKeys, 'maps');
      const de = maxRelDiff(nl, lin, lin.freeKeys, 'errors');
      let dr = 0;
      for (let p = 0; p < 256; p++) dr = Math.max(dr, Math.abs(nl.redChi2[p] - lin.redChi2[p]) / nl.redChi2[p]);
      console.log(`linear vs LM (${variance}): values ${dv.toExponential(1)}, errors ${de.toExponential(1)}, red chi2 ${dr.toExponential(1)} (relative)`);
      expect(dv).toBeLessThan(1e-8);
      expect(de).toBeLessThan(1e-6);
      expect(dr).toBeLessThan(1e-8);
      // fixed parameters are mapped too
      expect(lin.maps['Fe.sigma'].every((v) => v === 0.07)).toBe(true);
    });
  }

  it('NNLS: zero lower bounds hold and match the bounded non-linear fit', () => {
    // Ti absent in the left half: the unconstrained Ti.A is negative in about half of those pixels
    const truth = (r: number, c: number) => ({ ...edsTruthAt(r, c, 8, 8), 'Ti.A': c < 4 ? 0 : 30, 'S.A': r < 2 ? 0 : 20 });
    const cube = cubeFrom(8, 8, truth, 3);
    const unbounded = withValues(model, {});
    for (const c of unbounded.components) c.params.A.lower = null;
    const free = linearMultifit(cube, unbounded);
    const negatives = Array.from(free.maps['Ti.A']).filter((v) => v < 0).length + Array.from(free.maps['S.A']).filter((v) => v < 0).length;
    expect(negatives).toBeGreaterThan(8);

    for (const variance of ['unit', 'poisson'] as const) {
      const lin = linearMultifit(cube, model, {}, { variance });
      const nl = multifit(cube, model, {}, { order: 'flyback', variance, ...TIGHT });
      let zeros = 0;
      for (const key of lin.freeKeys) {
        for (let p = 0; p < 64; p++) {
          expect(lin.maps[key][p]).toBeGreaterThanOrEqual(0);
          if (lin.maps[key][p] === 0) {
            zeros++;
            expect(nl.maps[key][p]).toBe(0); // LM reaches the bound exactly
            expect(lin.errors[key][p]).toBeNaN();
          }
          expect(Math.abs(lin.maps[key][p] - nl.maps[key][p])).toBeLessThan(1e-8 * Math.max(1, Math.abs(nl.maps[key][p])));
        }
      }
      expect(zeros).toBeGreaterThan(8);
      for (let p = 0; p < 64; p++) expect(Math.abs(lin.redChi2[p] - nl.redChi2[p])).toBeLessThan(1e-9 * nl.redChi2[p]);
    }
  });

  it('upper bounds hold (bounded-variable least squares)', () => {
    const capped = withValues(model, {});
    capped.components[4].params.A.upper = 35; // below the truth (25 .. 55) in part of the map
    const lin = linearMultifit(sim.cube, capped);
    const nl = multifit(sim.cube, capped, {}, { order: 'serpentine', ...TIGHT });
    let atCap = 0;
    for (let p = 0; p < 256; p++) {
      expect(lin.maps['Fe.A'][p]).toBeLessThanOrEqual(35);
      if (lin.maps['Fe.A'][p] === 35) atCap++;
      for (const key of lin.freeKeys) expect(Math.abs(lin.maps[key][p] - nl.maps[key][p])).toBeLessThan(1e-8 * Math.max(1, Math.abs(nl.maps[key][p])));
    }
    expect(atCap).toBeGreaterThan(50);
  });

  it('Lawson-Hanson meets the KKT conditions on random problems', () => {
    const rng = createRng(9);
    const k = 6;
    const work = makeBoundedLsqWork(k);
    for (let trial = 0; trial < 200; trial++) {
      const m = 20;
      const D = Float64Array.from({ length: m * k }, () => rng.normal());
      const y = Float64Array.from({ length: m }, () => rng.normal() * 3);
      const G = new Float64Array(k * k);
      const b = new Float64Array(k);
      for (let a = 0; a < k; a++) {
        for (let i = 0; i < m; i++) b[a] += D[i * k + a] * y[i];
        for (let c = 0; c < k; c++) for (let i = 0; i < m; i++) G[a * k + c] += D[i * k + a] * D[i * k + c];
      }
      const lower = Float64Array.from({ length: k }, (_, j) => (j % 3 === 2 ? -Infinity : j % 3 === 1 ? -0.5 : 0));
      const upper = Float64Array.from({ length: k }, (_, j) => (j === 4 ? 0.3 : Infinity));
      const theta = new Float64Array(k);
      const at = new Int8Array(k);
      expect(boundedLeastSquares(G, b, lower, upper, theta, work, at)).toBeGreaterThanOrEqual(0);
      for (let j = 0; j < k; j++) {
        let w = b[j];
        for (let c = 0; c < k; c++) w -= G[j * k + c] * theta[c];
        expect(theta[j]).toBeGreaterThanOrEqual(lower[j]);
        expect(theta[j]).toBeLessThanOrEqual(upper[j]);
        if (at[j] === 0) expect(Math.abs(w)).toBeLessThan(1e-9 * 100);
        if (at[j] < 0) expect(w).toBeLessThanOrEqual(1e-9);
        if (at[j] > 0) expect(w).toBeGreaterThanOrEqual(-1e-9);
      }
    }
  });

  it('handles excluded points per pixel and fit ranges', () => {
    const cube = { ...sim.cube, values: sim.cube.values.slice() };
    cube.values[3 * 256 + 10] = NaN;
    const ranges = [{ min: 1, max: 8, mode: 'include' as const }];
    const lin = linearMultifit(cube, model, { ranges });
    const nl = multifit(cube, model, { ranges }, { order: 'flyback', ...TIGHT, pixels: Int32Array.from([2, 3, 4]) });
    for (const p of [2, 3, 4]) for (const key of lin.freeKeys) expect(Math.abs(lin.maps[key][p] - nl.maps[key][p])).toBeLessThan(1e-8 * Math.abs(nl.maps[key][p]));
  });

  it('1024 channels: the equal-weights path (QR) equals the per-pixel normal equations with unit sigma', () => {
    // speed is measured by bench/multifit-bench.ts; here the two paths must give the same maps
    const big = simulateEdsMap({ rows: 8, cols: 8, channels: 1024, scale: 0.01, seed: 2 });
    const qr = linearMultifit(big.cube, model, {}, { variance: 'unit' });
    const ne = linearMultifit({ ...big.cube, sigma: new Float64Array(big.cube.values.length).fill(1) }, model, {}, { variance: 'sigma', scaleErrors: true });
    const dv = maxRelDiff(qr, ne, qr.freeKeys, 'maps');
    const de = maxRelDiff(qr, ne, qr.freeKeys, 'errors');
    console.log(`linear path, 1024 channels: QR vs normal equations, values ${dv.toExponential(1)}, errors ${de.toExponential(1)} (relative); ${((64 / qr.elapsedMs) * 1000).toFixed(0)} vs ${((64 / ne.elapsedMs) * 1000).toFixed(0)} px/s`);
    expect(dv).toBeLessThan(1e-10);
    expect(de).toBeLessThan(1e-10);
    for (let p = 0; p < 64; p++) expect(Math.abs(qr.redChi2[p] / ne.redChi2[p] - 1)).toBeLessThan(1e-10);
  });
});
