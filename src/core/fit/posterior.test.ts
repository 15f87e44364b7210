import { describe, it, expect } from 'vitest';
import { makeSpectrum } from '../data/dataset';
import type { ModelDoc, ParameterDoc, PriorDoc } from '../model/document';
import { createRng } from '../random/rng';
import { FitError } from './fit-model';
import { buildPosterior } from './posterior';
import type { FitSettings } from './settings';

const x = [0, 1, 2, 3, 4, 5];
const y = [-1.9, -0.6, 1.2, 2.4, 4.1, 5.6];
const sig = [0.3, 0.4, 0.3, 0.5, 0.3, 0.4];
const data = makeSpectrum('line', x, y, sig);
const free = (value: number, prior?: PriorDoc, extra: Partial<ParameterDoc> = {}): ParameterDoc => ({ value, lower: null, upper: null, fixed: false, ...(prior ? { prior } : {}), ...extra });
const line = (a: ParameterDoc, b: ParameterDoc): ModelDoc => ({
  components: [{ name: '', type: 'Expression', active: true, options: { expr: 'a*x+b' }, params: { a, b } }],
});
const settings = (statistic: FitSettings['statistic']): FitSettings => ({ method: 'auto', statistic, ranges: [] });
const chi2 = (a: number, b: number) => x.reduce((s, xi, i) => s + ((y[i] - (a * xi + b)) / sig[i]) ** 2, 0);

function checkGradient(post: ReturnType<typeof buildPosterior>, theta: number[]): void {
  const g = new Float64Array(post.n);
  const t = Float64Array.from(theta);
  const v = post.logDensityAndGradient(t, g);
  expect(v).toBeCloseTo(post.logDensity(t), 12);
  for (let k = 0; k < post.n; k++) {
    const h = 1e-6 * Math.max(1, Math.abs(theta[k]));
    const tp = Float64Array.from(theta);
    const tm = Float64Array.from(theta);
    tp[k] += h;
    tm[k] -= h;
    expect(g[k]).toBeCloseTo((post.logDensity(tp) - post.logDensity(tm)) / (2 * h), 5);
  }
}

describe('buildPosterior', () => {
  it('is -chi2/2 with flat priors, with the analytic gradient', () => {
    const post = buildPosterior(data, line(free(1), free(0)), settings('chi2'));
    expect(post.keys).toEqual(['a', 'b']);
    expect(Array.from(post.lower)).toEqual([-Infinity, -Infinity]);
    expect(post.logDensity(Float64Array.of(1.5, -2))).toBeCloseTo(-chi2(1.5, -2) / 2, 12);
    checkGradient(post, [1.5, -2]);
  });
  it('gives the same posterior (up to a constant) for chi2 and the Gaussian -ln L', () => {
    const p1 = buildPosterior(data, line(free(1), free(0)), settings('chi2'));
    const p2 = buildPosterior(data, line(free(1), free(0)), settings('gauss'));
    const d1 = p1.logDensity(Float64Array.of(1.2, -1)) - p1.logDensity(Float64Array.of(1.6, -2.2));
    const d2 = p2.logDensity(Float64Array.of(1.2, -1)) - p2.logDensity(Float64Array.of(1.6, -2.2));
    expect(d2).toBeCloseTo(d1, 10);
  });
  it('adds the log priors and narrows the bounds to their support', () => {
    const a = free(1.4, { kind: 'gaussian', mu: 1.5, sigma: 0.2 });
    const b = free(-1, { kind: 'uniform', lower: -3, upper: 0 }, { lower: -5, upper: 1 });
    const post = buildPosterior(data, line(a, b), settings('chi2'));
    expect(Array.from(post.lower)).toEqual([-Infinity, -3]);
    expect(Array.from(post.upper)).toEqual([Infinity, 0]);
    const t = Float64Array.of(1.3, -1.5);
    const lpa = -0.5 * ((1.3 - 1.5) / 0.2) ** 2 - Math.log(0.2 * Math.sqrt(2 * Math.PI));
    expect(post.logPrior(t)).toBeCloseTo(lpa - Math.log(3), 12);
    expect(post.logLikelihood(t)).toBeCloseTo(-chi2(1.3, -1.5) / 2, 12);
    expect(post.logDensity(t)).toBeCloseTo(-chi2(1.3, -1.5) / 2 + lpa - Math.log(3), 12);
    expect(post.logDensity(Float64Array.of(1.3, 0.5))).toBe(-Infinity);
    checkGradient(post, [1.3, -1.5]);
    // draws from the proper priors for initialisation
    const out = new Float64Array(2);
    expect(post.samplePrior(createRng(1), out)).toEqual(['a', 'b']);
    expect(out[1] >= -3 && out[1] <= 0).toBe(true);
  });
  it('takes loguniform and truncated gaussian priors (gradient included)', () => {
    const a = free(1.4, { kind: 'loguniform', lower: 0.1, upper: 10 });
    const b = free(-1, { kind: 'truncgaussian', mu: -1.5, sigma: 1, upper: 0 });
    const post = buildPosterior(data, line(a, b), settings('chi2'));
    expect(Array.from(post.lower)).toEqual([0.1, -Infinity]);
    expect(Array.from(post.upper)).toEqual([10, 0]);
    checkGradient(post, [1.3, -1.5]);
  });
  it('uses the Poisson likelihood for counts (cash and poisson agree up to a constant)', () => {
    const counts = makeSpectrum('counts', [1, 2, 1.5], [1, 0, 2]);
    const rate: ModelDoc = { components: [{ name: '', type: 'Expression', active: true, options: { expr: 'r*x' }, params: { r: free(1, undefined, { lower: 0 }) } }] };
    const pp = buildPosterior(counts, rate, settings('poisson'));
    const pc = buildPosterior(counts, rate, settings('cash'));
    // ln L = K ln r - r T + const with K = 3, T = 4.5
    const d = (p: typeof pp) => p.logDensity(Float64Array.of(0.5)) - p.logDensity(Float64Array.of(1.5));
    const exact = 3 * Math.log(0.5) - 0.5 * 4.5 - (3 * Math.log(1.5) - 1.5 * 4.5);
    expect(d(pp)).toBeCloseTo(exact, 12);
    expect(d(pc)).toBeCloseTo(exact, 12);
    expect(pp.logDensity(Float64Array.of(-0.1))).toBe(-Infinity);
    checkGradient(pp, [0.7]);
  });
  it('ignores priors of fixed parameters and reports bad priors by name', () => {
    const post = buildPosterior(data, line(free(1), free(0, { kind: 'gaussian', mu: 0, sigma: 1 }, { fixed: true })), settings('chi2'));
    expect(post.keys).toEqual(['a']);
    expect(post.priors).toEqual([null]);
    expect(() => buildPosterior(data, line(free(1, { kind: 'gaussian', mu: 0, sigma: -1 }), free(0)), settings('chi2'))).toThrow(/Prior of a: .*sigma/);
    expect(() => buildPosterior(data, line(free(1, { kind: 'uniform', lower: 5, upper: 6 }, { upper: 2 }), free(0)), settings('chi2'))).toThrow(FitError);
    expect(() => buildPosterior(data, line(free(1, undefined, { fixed: true }), free(0, undefined, { fixed: true })), settings('chi2'))).toThrow(/no free parameters/);
  });
});
