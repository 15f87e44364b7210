import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset';
import { compileForDataset, compileForView } from '../fit/compile-view';
import { makeFitView } from '../fit/fit-view';
import { fitModel } from '../fit/fit-model';
import { defaultFitSettings } from '../fit/settings';
import type { ModelDoc } from '../model/document';
import { createRng } from '../random';
import { isImageModel, type ImageCompiledModel } from './image-model';
import { gaussianPsf, moffatPsf, psfFromImage, type Psf } from './psf';
import { sersicTotalFlux } from './sersic-math';
import { emptyImage } from './tutorial';
import { keys, keysDerivative } from './components/point-source';

const p = (value: number, lower: number | null = null, upper: number | null = null) => ({ value, lower, upper, fixed: false });

function image(rows: number, cols: number, psf: Psf | null): Dataset {
  const d = emptyImage('test', rows, cols);
  if (psf) d.psf = psf;
  return d;
}

function compiled(model: ModelDoc, d: Dataset): ImageCompiledModel {
  const c = compileForDataset(model, d);
  if (!isImageModel(c)) throw new Error('not an image model');
  return c;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

/** an off-centre, asymmetric 7 x 7 PSF (not separable): exercises the direct path and the centroid shift */
function lopsided(): Psf {
  const img = Array.from({ length: 49 }, (_, k) => {
    const a = Math.floor(k / 7) - 3;
    const b = (k % 7) - 3;
    return Math.exp(-((a - 0.4) ** 2 + (b + 0.3) ** 2 + 0.5 * a * b) / 3) * (1 + 0.1 * Math.sin(k));
  });
  return psfFromImage(img, 7, 7);
}

describe('image model: forward model end to end', () => {
  it('a PSF-convolved Sersic well inside the frame sums to its closed-form total flux (1e-4)', () => {
    const [n, Re, Ie, q] = [1.5, 4, 1.2, 0.6];
    const d = image(91, 97, gaussianPsf(2, 21));
    const model: ModelDoc = { components: [{ name: 'S', type: 'Sersic', active: true, params: { x: p(48.3), y: p(45.6), q: p(q), PA: p(0.7), n: p(n), Re: p(Re), Ie: p(Ie) } }] };
    const c = compiled(model, d);
    const out = new Float64Array(91 * 97);
    c.evaluate(c.layout.theta0, out);
    // n = 1.5, Re = 4 leaves 2e-4 of the light beyond R = 44: Q(3, b (44/4)^(2/3)) = 1.9e-4
    expect(Math.abs(sum(out) / sersicTotalFlux(n, Re, 10 ** Ie, q) - 1)).toBeLessThan(3e-4);
    // and with the FFT path (a Moffat PSF of 15 x 15) the same light
    const d2 = image(91, 97, moffatPsf(3, 2, 15));
    const c2 = compiled(model, d2);
    const out2 = new Float64Array(91 * 97);
    c2.evaluate(c2.layout.theta0, out2);
    expect(Math.abs(sum(out2) / sum(out) - 1)).toBeLessThan(1e-6);
  });

  it('a flat sky stays flat and a plane shifts by the PSF centroid', () => {
    const psf = lopsided();
    let mx = 0;
    let my = 0;
    for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) {
      mx += psf.data[a * 7 + b] * (b - 3);
      my += psf.data[a * 7 + b] * (a - 3);
    }
    const d = image(9, 11, psf);
    const model: ModelDoc = {
      components: [
        { name: 'Sky', type: 'FlatSky', active: true, params: { F: p(1.5) } },
        { name: 'Plane', type: 'PlaneSky', active: true, params: { F: p(0.5), dFdx: p(0.2), dFdy: p(-0.3) } },
      ],
    };
    const c = compiled(model, d);
    const out = new Float64Array(99);
    c.evaluate(c.layout.theta0, out);
    for (let i = 0; i < 9; i++) for (let j = 0; j < 11; j++) expect(out[i * 11 + j]).toBeCloseTo(10 ** 1.5 + 10 ** 0.5 + 0.2 * (j - mx) - 0.3 * (i - my), 10);
  });

  it('PointSource: the PSF itself at integer positions, its flux conserved at sub-pixel shifts', () => {
    const psf = gaussianPsf(1.5, 13);
    const d = image(31, 33, psf);
    const at = (x: number, y: number) => {
      const c = compiled({ components: [{ name: 'P', type: 'PointSource', active: true, params: { x: p(x), y: p(y), flux: p(2) } }] }, d);
      const out = new Float64Array(31 * 33);
      c.evaluate(c.layout.theta0, out);
      return out;
    };
    const a = at(15, 14);
    for (let r = 0; r < 13; r++) for (let s = 0; s < 13; s++) expect(a[(14 - 6 + r) * 33 + 15 - 6 + s]).toBeCloseTo(100 * psf.data[r * 13 + s], 12);
    const b = at(15.37, 14.81);
    expect(sum(b)).toBeCloseTo(100, 10);
    // the centroid follows the position
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < 31; i++) for (let j = 0; j < 33; j++) {
      sx += b[i * 33 + j] * j;
      sy += b[i * 33 + j] * i;
    }
    expect(sx / 100).toBeCloseTo(15.37, 2);
    expect(sy / 100).toBeCloseTo(14.81, 2);
    // Keys kernel: partition of unity and its derivative
    for (const t of [0.13, 0.5, 0.91]) {
      expect(keys(t - 2) + keys(t - 1) + keys(t) + keys(t + 1)).toBeCloseTo(1, 14);
      expect((keys(t + 1e-6) - keys(t - 1e-6)) / 2e-6).toBeCloseTo(keysDerivative(t), 6);
    }
  });

  it('an expression in x and y is integrated over the pixels like the built-in Gaussian2D', () => {
    const d = image(25, 27, gaussianPsf(1, 9));
    const expr: ModelDoc = {
      components: [
        {
          name: 'E',
          type: 'Expression',
          active: true,
          options: { expr: 'A * exp(-((x - x0)^2 + (y - y0)^2) / (2 * s^2))' },
          params: { A: p(50), x0: p(12.3), y0: p(11.8), s: p(0.9) },
        },
      ],
    };
    // Gaussian2D normalised to total 10^flux: peak 10^flux / (2 pi s^2)
    const flux = Math.log10(50 * 2 * Math.PI * 0.81);
    const g: ModelDoc = { components: [{ name: 'G', type: 'Gaussian2D', active: true, params: { x: p(12.3), y: p(11.8), q: p(1), PA: p(0), sigma: p(0.9), flux: p(flux) } }] };
    const a = new Float64Array(25 * 27);
    const b = new Float64Array(25 * 27);
    const ce = compiled(expr, d);
    ce.evaluate(ce.layout.theta0, a);
    const cg = compiled(g, d);
    cg.evaluate(cg.layout.theta0, b);
    let worst = 0;
    let peak = 0;
    for (let k = 0; k < a.length; k++) {
      worst = Math.max(worst, Math.abs(a[k] - b[k]));
      peak = Math.max(peak, b[k]);
    }
    expect(worst / peak).toBeLessThan(1e-6);
    // the pixel means differ from the centre values: the integration is real
    const centreValue = 50 * Math.exp(-((12 - 12.3) ** 2 + (12 - 11.8) ** 2) / (2 * 0.81));
    expect(Math.abs(a[12 * 27 + 12] - centreValue) / centreValue).toBeGreaterThan(1e-3);
  });
});

describe('image model: derivatives', () => {
  const model: ModelDoc = {
    components: [
      { name: 'Sky', type: 'PlaneSky', active: true, params: { F: p(0.3), dFdx: p(0.01), dFdy: p(-0.02) } },
      { name: 'S', type: 'Sersic', active: true, params: { x: p(10.3), y: p(8.7), q: p(0.6, 0.01, 1), PA: p(0.8), n: p(2.2, 0.36, 8), Re: p(3.5, 0.01), Ie: p(0.4) } },
      { name: 'M', type: 'Moffat2D', active: true, params: { x: p(5.2), y: p(12.4), q: p(0.8), PA: p(2.0), n: p(2.5), Rd: p(1.7), I0: p(0.9) } },
      { name: 'P', type: 'PointSource', active: true, params: { x: p(14.6), y: p(4.3), flux: p(1.8) } },
    ],
  };
  const cases: [string, Psf | null][] = [
    ['no PSF', null],
    ['separable PSF', gaussianPsf(1.2, 9)],
    ['lopsided direct PSF', lopsided()],
    ['FFT PSF', moffatPsf(2.5, 1.5, 13)],
  ];
  it.each(cases)('%s: Jacobian vs finite differences (1e-4 of each column), adjoint = J^T w (1e-11), column blocks = J', (_l, psf) => {
    const d = image(17, 19, psf);
    // fit every other pixel: the picked (masked) path
    d.mask = Uint8Array.from({ length: 17 * 19 }, (_, k) => (k % 3 === 0 ? 1 : 0));
    const view = makeFitView(d, []);
    const c = compileForView(model, d, view);
    if (!isImageModel(c)) throw new Error('not an image model');
    const n = c.n;
    const nf = c.nFree;
    const th = c.layout.theta0;
    const out = new Float64Array(n);
    const J = new Float64Array(n * nf);
    c.evaluateWithJacobianColumns(th, out, J);
    const plain = new Float64Array(n);
    c.evaluate(th, plain);
    for (let i = 0; i < n; i++) expect(out[i]).toBeCloseTo(plain[i], 12);
    for (let k = 0; k < nf; k++) {
      const h = 1e-6 * Math.max(1, Math.abs(th[k]));
      const up = Float64Array.from(th);
      const dn = Float64Array.from(th);
      up[k] += h;
      dn[k] -= h;
      const fu = new Float64Array(n);
      const fd = new Float64Array(n);
      c.evaluate(up, fu);
      c.evaluate(dn, fd);
      let scale = 0;
      let worst = 0;
      for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(J[k * n + i]));
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs((fu[i] - fd[i]) / (2 * h) - J[k * n + i]));
      expect(scale, c.layout.freeKeys[k]).toBeGreaterThan(0);
      expect(worst / scale, c.layout.freeKeys[k]).toBeLessThan(1e-4);
    }
    const w = Float64Array.from({ length: n }, (_, i) => Math.sin(0.7 * i) + 0.2);
    const g = new Float64Array(nf);
    const S = c.evaluateWithAdjoint(th, out, (_m, ww) => {
      ww.set(w);
      return 42;
    }, g);
    expect(S).toBe(42);
    for (let k = 0; k < nf; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += J[k * n + i] * w[i];
      expect(Math.abs(g[k] - s), c.layout.freeKeys[k]).toBeLessThan(1e-11 * (Math.abs(s) + 1e-3 * Math.sqrt(n)));
    }
    const blk = new Float64Array(n * 5);
    c.jacobianColumnBlock(th, 4, 5, blk);
    for (let i = 0; i < n * 5; i++) expect(blk[i]).toBeCloseTo(J[4 * n + i], 12);
  });
});

describe('image fits beyond chi-square and LM', () => {
  /** a Gaussian2D on a sky, counts drawn from Poisson */
  function countImage(): { d: Dataset; model: ModelDoc; truth: Record<string, number> } {
    const d = image(31, 31, gaussianPsf(1, 9));
    const truth: Record<string, number> = { 'Sky.F': 1, 'G.x': 15.3, 'G.y': 14.6, 'G.q': 0.7, 'G.PA': 0.9, 'G.sigma': 2.2, 'G.flux': 3.3 };
    const mk = (v: Record<string, number>): ModelDoc => ({
      components: [
        { name: 'Sky', type: 'FlatSky', active: true, params: { F: p(v['Sky.F']) } },
        { name: 'G', type: 'Gaussian2D', active: true, params: { x: p(v['G.x']), y: p(v['G.y']), q: p(v['G.q'], 0.01, 1), PA: p(v['G.PA']), sigma: p(v['G.sigma'], 0.01), flux: p(v['G.flux']) } },
      ],
    });
    const c = compileForDataset(mk(truth), d);
    const mean = new Float64Array(31 * 31);
    c.evaluate(c.layout.theta0, mean);
    const rng = createRng(7);
    for (let k = 0; k < mean.length; k++) d.values[k] = rng.poisson(mean[k]);
    const start = { ...truth, 'Sky.F': 0.9, 'G.x': 15, 'G.y': 15, 'G.q': 0.8, 'G.PA': 0.6, 'G.sigma': 2.5, 'G.flux': 3.1 };
    return { d, model: mk(start), truth };
  }

  it('Poisson likelihood on a count image (L-BFGS-B with the adjoint gradient): within 3 errors of the truth', () => {
    const { d, model, truth } = countImage();
    const r = fitModel(d, model, { ...defaultFitSettings(), statistic: 'poisson' });
    expect(r.converged).toBe(true);
    for (const [k, v] of Object.entries(truth)) {
      const e = r.parameters[k].error!;
      expect(e, k).toBeGreaterThan(0);
      expect(Math.abs(r.parameters[k].value - v) / e, k).toBeLessThan(3);
    }
  });

  it('Adam and L-BFGS-B reach the LM chi-square (1e-4 relative) on a small image', () => {
    const { d, model } = countImage();
    d.sigma = Float64Array.from(d.values, (v) => Math.sqrt(Math.max(v, 1)));
    const lm = fitModel(d, model, { ...defaultFitSettings(), method: 'lm' });
    const lb = fitModel(d, model, { ...defaultFitSettings(), method: 'lbfgsb' });
    const ad = fitModel(d, model, { ...defaultFitSettings(), method: 'adam', maxIterations: 3000 });
    expect(lm.converged).toBe(true);
    expect(Math.abs(lb.statistic.value / lm.statistic.value - 1)).toBeLessThan(1e-4);
    expect(Math.abs(ad.statistic.value / lm.statistic.value - 1)).toBeLessThan(1e-3);
    expect(lm.values['G.PA']).toBeGreaterThanOrEqual(0);
    expect(lm.values['G.PA']).toBeLessThan(Math.PI);
  });
});
