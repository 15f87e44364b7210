import { describe, expect, it } from 'vitest';
import { makeSpectrum } from '../data/dataset';
import { readDataFiles } from '../data/readers';
import type { ModelDoc } from '../model/document';
import { fitModel, FitError } from './fit-model';
import { defaultFitSettings } from './settings';

function line(): ModelDoc {
  return {
    components: [
      { name: '', type: 'Expression', active: true, options: { expr: 'a*x + b' }, params: { a: { value: 1, lower: null, upper: null, fixed: false }, b: { value: 0, lower: null, upper: null, fixed: false } } },
    ],
  };
}

/** closed-form unweighted straight line through (x_i, y_i) */
function lsLine(x: number[], y: number[]) {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  return { a: sxy / sxx, b: my - (sxy / sxx) * mx };
}

describe('fit ranges', () => {
  const x = Array.from({ length: 40 }, (_, i) => i * 0.5);
  // a straight line, spoiled by a bump between x = 8 and 12
  const y = x.map((v, i) => 2 * v + 1 + (v >= 8 && v <= 12 ? 30 : 0) + 0.01 * Math.sin(3 * i));
  const d = makeSpectrum('bumpy', Float64Array.from(x), Float64Array.from(y));

  it('exclude ranges drop their points from the fit and from chi-square', () => {
    const r = fitModel(d, line(), { ...defaultFitSettings(), ranges: [{ min: 7.9, max: 12.1, mode: 'exclude' }] });
    const keep = x.map((v, i) => [v, y[i]]).filter(([v]) => !(v >= 7.9 && v <= 12.1));
    const t = lsLine(keep.map((p) => p[0]), keep.map((p) => p[1]));
    expect(r.nPoints).toBe(keep.length);
    expect(r.parameters.a.value).toBeCloseTo(t.a, 10);
    expect(r.parameters.b.value).toBeCloseTo(t.b, 10);
    expect(r.dof).toBe(keep.length - 2);
  });

  it('include ranges keep only their points', () => {
    const r = fitModel(d, line(), { ...defaultFitSettings(), ranges: [{ min: 0, max: 5, mode: 'include' }, { min: 15, max: 20, mode: 'include' }] });
    const keep = x.map((v, i) => [v, y[i]]).filter(([v]) => v <= 5 || v >= 15);
    const t = lsLine(keep.map((p) => p[0]), keep.map((p) => p[1]));
    expect(r.nPoints).toBe(keep.length);
    expect(r.parameters.a.value).toBeCloseTo(t.a, 10);
  });

  it('no points left is a clear error, not NaN', () => {
    expect(() => fitModel(d, line(), { ...defaultFitSettings(), ranges: [{ min: 100, max: 200, mode: 'include' }] })).toThrow(FitError);
    expect(() => fitModel(d, line(), { ...defaultFitSettings(), ranges: [{ min: 100, max: 200, mode: 'include' }] })).toThrow(/no points left/);
  });
});

describe('data columns as formula variables', () => {
  it('a formula can use another column of the file', () => {
    const rows = ['x,y,temp'];
    for (let i = 0; i < 20; i++) rows.push(`${i},${3 * i + 0.5 * (i % 4)},${i % 4}`);
    const { datasets } = readDataFiles([{ name: 't.csv', bytes: new TextEncoder().encode(rows.join('\n')) }]);
    const model: ModelDoc = {
      components: [
        { name: '', type: 'Expression', active: true, options: { expr: 'a*x + c*temp' }, params: { a: { value: 1, lower: null, upper: null, fixed: false }, c: { value: 0, lower: null, upper: null, fixed: false } } },
      ],
    };
    const r = fitModel(datasets[0], model, defaultFitSettings());
    expect(r.parameters.a.value).toBeCloseTo(3, 10);
    expect(r.parameters.c.value).toBeCloseTo(0.5, 10);
  });
});

describe('statistics', () => {
  it('Cash on counts: a constant rate fits to the mean count (the Poisson MLE)', () => {
    const counts = [3, 7, 4, 6, 5, 2, 8, 5];
    const d = makeSpectrum('counts', Float64Array.from(counts, (_, i) => i), Float64Array.from(counts));
    const model: ModelDoc = { components: [{ name: '', type: 'Expression', active: true, options: { expr: 'mu' }, params: { mu: { value: 1, lower: 0, upper: null, fixed: false } } }] };
    const r = fitModel(d, model, { ...defaultFitSettings(), statistic: 'cash' });
    const mean = counts.reduce((s, v) => s + v, 0) / counts.length;
    expect(r.parameters.mu.value).toBeCloseTo(mean, 6);
    // Fisher information n / mu: error sqrt(mu / n)
    expect(r.parameters.mu.error!).toBeCloseTo(Math.sqrt(mean / counts.length), 6);
    // C = 2 sum (mu - y + y ln(y / mu))
    const c = 2 * counts.reduce((s, y) => s + mean - y + y * Math.log(y / mean), 0);
    expect(r.statistic.value).toBeCloseTo(c, 8);
  });

  it('Gaussian -ln L gives the chi-square minimum and errors with errordef 0.5', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i);
    const y = x.map((v) => 2 * v + 1 + (v % 2 ? 0.1 : -0.1));
    const d = makeSpectrum('g', x, y, new Float64Array(10).fill(0.2));
    const chi = fitModel(d, line(), defaultFitSettings());
    const gl = fitModel(d, line(), { ...defaultFitSettings(), statistic: 'gauss' });
    expect(gl.parameters.a.value).toBeCloseTo(chi.parameters.a.value, 9);
    expect(gl.parameters.a.error!).toBeCloseTo(chi.parameters.a.error!, 9);
    // -ln L = chi2 / 2 + sum ln(sigma sqrt(2 pi))
    expect(gl.statistic.value).toBeCloseTo(chi.statistic.value / 2 + 10 * Math.log(0.2 * Math.sqrt(2 * Math.PI)), 9);
  });
});

describe('maximum a posteriori', () => {
  it('a straight line with Gaussian priors gives the conjugate posterior mode and covariance', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = [1.2, 2.8, 5.3, 6.9, 9.2, 10.8];
    const s = 0.5;
    const d = makeSpectrum('line', Float64Array.from(x), Float64Array.from(y), new Float64Array(6).fill(s));
    const model = line();
    model.components[0].params.a.prior = { kind: 'gaussian', mu: 1.5, sigma: 0.1 };
    model.components[0].params.b.prior = { kind: 'gaussian', mu: 0, sigma: 2 };
    const r = fitModel(d, model, { ...defaultFitSettings(), objective: 'posterior' });
    // precision P = X^T X / s^2 + diag(1/0.1^2, 1/2^2); mode = P^-1 (X^T y / s^2 + (1.5/0.01, 0))
    let sxx = 0;
    let sx = 0;
    let sxy = 0;
    let sy = 0;
    for (let i = 0; i < 6; i++) {
      sxx += x[i] * x[i];
      sx += x[i];
      sxy += x[i] * y[i];
      sy += y[i];
    }
    const w = 1 / (s * s);
    const P = [
      [w * sxx + 100, w * sx],
      [w * sx, w * 6 + 0.25],
    ];
    const rhs = [w * sxy + 150, w * sy];
    const det = P[0][0] * P[1][1] - P[0][1] * P[1][0];
    const a = (P[1][1] * rhs[0] - P[0][1] * rhs[1]) / det;
    const b = (P[0][0] * rhs[1] - P[1][0] * rhs[0]) / det;
    expect(r.parameters.a.value).toBeCloseTo(a, 6);
    expect(r.parameters.b.value).toBeCloseTo(b, 6);
    expect(r.parameters.a.error!).toBeCloseTo(Math.sqrt(P[1][1] / det), 5);
    expect(r.parameters.b.error!).toBeCloseTo(Math.sqrt(P[0][0] / det), 5);
    expect(r.objective).toBe('posterior');
    // the likelihood fit ignores the priors
    const ml = fitModel(d, model, defaultFitSettings());
    expect(Math.abs(ml.parameters.a.value - a)).toBeGreaterThan(0.05);
  });

  it('a uniform prior bounds the parameter', () => {
    const x = [0, 1, 2, 3];
    const d = makeSpectrum('l', Float64Array.from(x), Float64Array.from(x.map((v) => 2 * v + 1)), new Float64Array(4).fill(0.1));
    const model = line();
    model.components[0].params.a.prior = { kind: 'uniform', lower: 0, upper: 1.5 };
    const r = fitModel(d, model, { ...defaultFitSettings(), objective: 'posterior' });
    expect(r.parameters.a.value).toBeCloseTo(1.5, 8);
    expect(r.parameters.a.atBound).toBe('upper');
  });
});
