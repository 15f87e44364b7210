/**
 * The sparse engine of the pixel fits: the windowed model (sparse-model.ts) against the compiled
 * model, its second derivatives against finite differences, and the normal-equation LM
 * (sparse-lm.ts) against the general QR-based LM on the same pixels, with and without active bounds.
 */
import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile';
import type { ModelDoc } from '../model/document';
import { createRng } from '../random/rng';
import { scanOrder } from './cube';
import { multifit, PIXEL_STATUS } from './multifit';
import { PixelFitter } from './pixel-fitter';
import { edsModel, simulateEdsMap, withValues } from './simulate';
import { SparseLm } from './sparse-lm';
import { GAUSSIAN_WINDOW_SIGMAS, SparseModel } from './sparse-model';

const axis = (m: number, x0 = 0.2, dx = 0.01) => Float64Array.from({ length: m }, (_, i) => x0 + dx * i);

/** a model with twins (one with a function), a fixed component's parameter and dense components */
function twinnedModel(): ModelDoc {
  const doc = edsModel();
  doc.components[2].params.sigma = { ...doc.components[2].params.sigma, twin: { source: 'Si.sigma', expr: '1.1*x' } };
  doc.components[4].params.centre = { ...doc.components[4].params.centre, fixed: true };
  doc.components.push({ name: 'off', type: 'Offset', active: true, params: { offset: { value: 3, lower: null, upper: null, fixed: false } } });
  doc.components.push({
    name: 'lz',
    type: 'Lorentzian',
    active: true,
    params: { A: { value: 5, lower: 0, upper: null, fixed: false }, gamma: { value: 0.1, lower: 0.01, upper: 1, fixed: false }, centre: { value: 3.5, lower: null, upper: null, fixed: false } },
  });
  return doc;
}

function randomTheta(lower: Float64Array, upper: Float64Array, theta0: Float64Array, seed: number): Float64Array {
  const rng = createRng(seed);
  return theta0.map((v, k) => {
    const lo = Number.isFinite(lower[k]) ? lower[k] : v - 1;
    const hi = Number.isFinite(upper[k]) ? upper[k] : v + 1;
    const a = Math.max(lo, Math.min(v * 0.5, hi));
    const b = Math.min(hi, Math.max(v * 1.5, lo));
    return a + (b - a) * rng.uniform();
  });
}

describe('sparse model', () => {
  const m = 1024;
  const x = axis(m);

  for (const [name, doc] of [
    ['EDS model', edsModel()],
    ['twins, a fixed parameter, Offset and Lorentzian', twinnedModel()],
  ] as const) {
    it(`equals the compiled model and its Jacobian (${name})`, () => {
      const compiled = compileModel(doc, { x }, m);
      const { layout } = compiled;
      const n = compiled.nFree;
      const sparse = new SparseModel(doc, x, layout);
      const full = new SparseModel(doc, x, layout, { gaussianWindow: Infinity });
      const ref = new Float64Array(m);
      const J = new Float64Array(m * n);
      const out = new Float64Array(m);
      for (let trial = 0; trial < 5; trial++) {
        const theta = randomTheta(layout.lower, layout.upper, layout.theta0, trial + 1);
        compiled.evaluateWithJacobianColumns(theta, ref, J);
        let scale = 0;
        for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(ref[i]));
        // all channels: the same numbers up to a few ulp (fast-exp.ts, the order of the sums)
        full.evaluate(theta, out, true);
        for (let i = 0; i < m; i++) expect(Math.abs(out[i] - ref[i])).toBeLessThanOrEqual(1e-15 * scale);
        for (let k = 0; k < n; k++) {
          expect(full.lo[k]).toBe(0);
          expect(full.hi[k]).toBe(m);
          let peak = 0;
          for (let i = 0; i < m; i++) peak = Math.max(peak, Math.abs(J[k * m + i]));
          for (let i = 0; i < m; i++) expect(Math.abs(full.col[k][i] - J[k * m + i])).toBeLessThanOrEqual(1e-15 * peak);
        }
        // windowed: equal inside the ranges; what is left out is below 1e-17 of the column's peak
        sparse.evaluate(theta, out, true);
        for (let i = 0; i < m; i++) expect(Math.abs(out[i] - ref[i])).toBeLessThanOrEqual(1e-15 * scale);
        let windowed = 0;
        for (let k = 0; k < n; k++) {
          let peak = 0;
          for (let i = 0; i < m; i++) peak = Math.max(peak, Math.abs(J[k * m + i]));
          if (sparse.hi[k] - sparse.lo[k] < m) windowed++;
          for (let i = 0; i < m; i++) {
            if (i >= sparse.lo[k] && i < sparse.hi[k]) expect(Math.abs(sparse.col[k][i] - J[k * m + i])).toBeLessThanOrEqual(1e-15 * peak);
            else expect(Math.abs(J[k * m + i])).toBeLessThan(1e-16 * peak);
          }
        }
        expect(windowed).toBeGreaterThanOrEqual(8); // the Gaussians' columns
        // value-only evaluation agrees with the Jacobian's
        const v = new Float64Array(m);
        sparse.evaluate(theta, v, false);
        expect(Array.from(v)).toEqual(Array.from(out));
      }
    });
  }

  it('the power law reuses exp(-r0 ln x) while the exponent moves a little: the same values as the compiled model', () => {
    const doc = edsModel();
    const compiled = compileModel(doc, { x }, m);
    const { layout } = compiled;
    const n = compiled.nFree;
    const kr = layout.freeKeys.indexOf('bg.r');
    expect(kr).toBeGreaterThanOrEqual(0);
    const sparse = new SparseModel(doc, x, layout);
    const ref = new Float64Array(m);
    const J = new Float64Array(m * n);
    const out = new Float64Array(m);
    const theta = Float64Array.from(layout.theta0);
    const r0 = theta[kr];
    // steps inside the reuse range (|dr| ln(10.43) <= 0.1), one beyond it, then back near the first base
    for (const dr of [0, 0.003, -0.011, 0.04, 0.3, 0.29, -0.02, 0.001]) {
      theta[kr] = r0 + dr;
      compiled.evaluateWithJacobianColumns(theta, ref, J);
      sparse.evaluate(theta, out, true);
      let scale = 0;
      for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(ref[i]));
      for (let i = 0; i < m; i++) expect(Math.abs(out[i] - ref[i]), `r = ${theta[kr]}, channel ${i}`).toBeLessThanOrEqual(1e-15 * scale);
      for (const k of [layout.freeKeys.indexOf('bg.A'), kr]) {
        let peak = 0;
        for (let i = 0; i < m; i++) peak = Math.max(peak, Math.abs(J[k * m + i]));
        for (let i = 0; i < m; i++) expect(Math.abs(sparse.col[k][i] - J[k * m + i])).toBeLessThanOrEqual(2e-15 * peak);
      }
      const v = new Float64Array(m);
      sparse.evaluate(theta, v, false);
      expect(Array.from(v)).toEqual(Array.from(out));
    }
  });

  it('a line of sigma 0.05 keV on a 0.01 keV axis covers ~2 x 9.1 sigma', () => {
    const doc = withValues(edsModel(), { 'S.sigma': 0.05, 'S.centre': 2.31 });
    const compiled = compileModel(doc, { x }, m);
    const sparse = new SparseModel(doc, x, compiled.layout);
    sparse.evaluate(compiled.layout.theta0, new Float64Array(m), true);
    const k = compiled.layout.freeKeys.indexOf('S.centre');
    expect(GAUSSIAN_WINDOW_SIGMAS).toBeCloseTo(9.1, 2);
    expect(sparse.hi[k] - sparse.lo[k]).toBe(91);
    expect(x[sparse.lo[k]]).toBeGreaterThanOrEqual(2.31 - 9.1 * 0.05);
    expect(x[sparse.lo[k] - 1]).toBeLessThan(2.31 - 9.1 * 0.05);
  });

  it('a decreasing axis falls back to every channel', () => {
    const xd = Float64Array.from(x).reverse();
    const doc = edsModel();
    const compiled = compileModel(doc, { x: xd }, m);
    const sparse = new SparseModel(doc, xd, compiled.layout);
    const out = new Float64Array(m);
    const ref = new Float64Array(m);
    sparse.evaluate(compiled.layout.theta0, out, true);
    compiled.evaluate(compiled.layout.theta0, ref);
    for (let k = 0; k < compiled.nFree; k++) expect([sparse.lo[k], sparse.hi[k]]).toEqual([0, m]);
    for (let i = 0; i < m; i++) expect(out[i]).toBeCloseTo(ref[i], 12);
  });

  it('second-order term equals finite differences of the Jacobian', () => {
    const doc = edsModel();
    const compiled = compileModel(doc, { x }, m);
    const { layout } = compiled;
    const n = compiled.nFree;
    const sparse = new SparseModel(doc, x, layout, { gaussianWindow: Infinity });
    expect(sparse.secondOrder).toBe(true);
    expect(new SparseModel(twinnedModel(), x, compileModel(twinnedModel(), { x }, m).layout).secondOrder).toBe(false);
    const theta = randomTheta(layout.lower, layout.upper, layout.theta0, 9);
    const rng = createRng(3);
    const res = Float64Array.from({ length: m }, () => rng.normal() * 5);
    const w2 = Float64Array.from({ length: m }, () => 0.5 + rng.uniform());
    const S = new Float64Array(n * n);
    sparse.evaluate(theta, new Float64Array(m), true);
    sparse.secondOrderTerm(res, w2, S);
    const Jp = new Float64Array(m * n);
    const Jm = new Float64Array(m * n);
    const tmp = new Float64Array(m);
    for (let l = 0; l < n; l++) {
      const h = 1e-6 * Math.max(1e-3, Math.abs(theta[l]));
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[l] += h;
      tm[l] -= h;
      compiled.evaluateWithJacobianColumns(tp, tmp, Jp);
      compiled.evaluateWithJacobianColumns(tm, tmp, Jm);
      for (let k = 0; k < n; k++) {
        let fd = 0;
        let mag = 0;
        for (let i = 0; i < m; i++) {
          const d = (w2[i] * res[i] * (Jp[k * m + i] - Jm[k * m + i])) / (2 * h);
          fd += d;
          mag += Math.abs(d);
        }
        expect(Math.abs(S[k * n + l] - fd), `${layout.freeKeys[k]}, ${layout.freeKeys[l]}`).toBeLessThan(1e-6 * mag + 1e-12);
      }
    }
  });
});

describe('sparse LM', () => {
  const sim = simulateEdsMap({ rows: 4, cols: 8, channels: 1024, scale: 0.01, seed: 4 });
  const TIGHT = { ftol: 1e-15, xtol: 1e-15, gtol: 1e-15 };

  /** fits every pixel (serpentine) with both engines; returns the largest |difference| / error */
  function compare(model: ModelDoc, variance: 'unit' | 'poisson'): { worst: number; worstErr: number; atBound: number } {
    const dense = new PixelFitter(sim.cube, model, {}, { engine: 'dense', variance, ...TIGHT });
    const sparse = new PixelFitter(sim.cube, model, {}, { variance });
    const n = dense.nFree;
    const { lower, upper } = dense.compiled.layout;
    let worst = 0;
    let worstErr = 0;
    let atBound = 0;
    let prevD: ArrayLike<number> = dense.theta0;
    let prevS: ArrayLike<number> = sparse.theta0;
    const eD = new Float64Array(n);
    const eS = new Float64Array(n);
    for (const p of scanOrder(4, 8, 'serpentine')) {
      dense.load(p);
      sparse.load(p);
      const fd = dense.fit(prevD);
      const fs = sparse.fit(prevS);
      expect(fd.converged && fs.converged).toBe(true);
      dense.errors(fd.theta, fd.redChi2, eD);
      sparse.errors(fs.theta, fs.redChi2, eS);
      for (let k = 0; k < n; k++) {
        expect(fs.theta[k]).toBeGreaterThanOrEqual(lower[k]);
        expect(fs.theta[k]).toBeLessThanOrEqual(upper[k]);
        if (fs.theta[k] === lower[k] || fs.theta[k] === upper[k]) {
          atBound++;
          expect(fd.theta[k]).toBe(fs.theta[k]);
          expect(eS[k]).toBeNaN();
          continue;
        }
        worst = Math.max(worst, Math.abs(fs.theta[k] - fd.theta[k]) / eD[k]);
        worstErr = Math.max(worstErr, Math.abs(eS[k] / eD[k] - 1));
      }
      // chi2 of the sparse fit is the statistic at its theta (to rounding), and not above the dense one's
      expect(Math.abs(fs.statistic - sparse.statisticAt(fs.theta))).toBeLessThan(1e-10 * fs.statistic);
      expect(fs.statistic).toBeLessThan(fd.statistic * (1 + 1e-10));
      prevD = fd.theta;
      prevS = fs.theta;
    }
    return { worst, worstErr, atBound };
  }

  it('agrees with the QR-based LM (tight) within 1e-5 error, at the default tolerances', () => {
    for (const variance of ['unit', 'poisson'] as const) {
      const r = compare(edsModel(), variance);
      console.log(`sparse vs QR LM, variance ${variance}: values within ${r.worst.toExponential(1)} error, errors within ${r.worstErr.toExponential(1)} (relative)`);
      expect(r.atBound).toBe(0);
      expect(r.worst).toBeLessThan(1e-5);
      expect(r.worstErr).toBeLessThan(1e-5);
    }
  });

  it('bounds hold and active bounds match the QR-based LM', () => {
    // Fe's sigma capped below its true 0.07, S's line forced away from its true centre, and a line
    // at 3.3 keV that is not in the data (area at its lower bound 0)
    const doc = edsModel();
    doc.components[4].params.sigma = { value: 0.05, lower: 0.02, upper: 0.055, fixed: false };
    doc.components[2].params.centre = { value: 2.3, lower: 2.2, upper: 2.29, fixed: false };
    doc.components.push({
      name: 'X',
      type: 'Gaussian',
      active: true,
      params: { A: { value: 5, lower: 0, upper: null, fixed: false }, sigma: { value: 0.05, lower: 0.04, upper: 0.06, fixed: false }, centre: { value: 3.3, lower: 3.25, upper: 3.35, fixed: false } },
    });
    const r = compare(doc, 'poisson');
    console.log(`sparse vs QR LM with active bounds: ${r.atBound} values on a bound, the others within ${r.worst.toExponential(1)} error`);
    expect(r.atBound).toBeGreaterThanOrEqual(2 * 32);
    expect(r.worst).toBeLessThan(1e-4);
  });

  it('a linear model converges to the exact least-squares solution', () => {
    const doc = edsModel({ shapesFixed: true });
    const res = multifit(sim.cube, doc, {}, { order: 'serpentine', variance: 'poisson' });
    const dense = multifit(sim.cube, doc, {}, { order: 'serpentine', variance: 'poisson', engine: 'dense', ...TIGHT });
    for (const key of res.freeKeys) {
      for (let p = 0; p < 32; p++) {
        expect(res.status[p]).toBe(PIXEL_STATUS.accepted);
        expect(Math.abs(res.maps[key][p] - dense.maps[key][p])).toBeLessThan(1e-9 * dense.errors[key][p]);
      }
    }
  });

  it('stops on request and reports non-finite data', () => {
    const fitter = new PixelFitter(sim.cube, edsModel(), {}, {});
    const lm = new SparseLm(new SparseModel(edsModel(), axis(1024), fitter.compiled.layout));
    const y = Float64Array.from(sim.cube.values.subarray(0, 1024));
    const { lower, upper, theta0 } = fitter.compiled.layout;
    const stopped = lm.fit(y, null, theta0, lower, upper, { shouldStop: () => true });
    expect(stopped.cancelled).toBe(true);
    expect(stopped.converged).toBe(false);
    y[10] = NaN;
    const bad = lm.fit(y, null, theta0, lower, upper);
    expect(bad.converged).toBe(false);
    expect(bad.reason).toBe('nonfinite');
  });
});
