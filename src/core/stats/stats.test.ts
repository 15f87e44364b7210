import { describe, expect, it } from 'vitest';
import { cash, chi2, gauss, getStatistic, lgamma, logFactorial, poisson, type Statistic } from './index';

// a small data set (y), model (m) and sigma; reference values from scipy.stats 1.17:
// poisson: -poisson.logpmf(y, m).sum(); gauss: -norm.logpdf(y, m, s).sum()
const Y = new Float64Array([0, 1, 3, 10, 0, 7]);
const M = new Float64Array([0.5, 1.2, 2.5, 12, 3, 7]);
const S = new Float64Array([1, 2, 0.5, 1.5, 1, 3]);
const N = 6;

describe('lgamma', () => {
  it('matches mpmath.loggamma', () => {
    const ref: [number, number][] = [
      [0.001, 6.9071788853838536617],
      [0.5, 0.57236494292470008707],
      [1.5, -0.12078223763524522235],
      [2.5, 0.28468287047291915963],
      [3, 0.69314718055994530942],
      [7.25, 7.0521854507385394449],
      [14.9, 24.9241320022172783],
      [15, 25.1912211827386815],
      [20.5, 40.83150097453079811],
      [100, 359.13420536957539878],
      [1000, 5905.2204232091812118],
      [1e6, 12815504.56914761166],
    ];
    for (const [x, v] of ref) expect(Math.abs(lgamma(x) - v)).toBeLessThan(4e-15 * Math.max(1, Math.abs(v)));
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    expect(lgamma(0)).toBe(Infinity);
    expect(logFactorial(0)).toBe(0);
    expect(logFactorial(10)).toBeCloseTo(Math.log(3628800), 14);
    expect(logFactorial(2.5)).toBeCloseTo(lgamma(3.5), 14);
  });
});

describe('statistic values against closed forms', () => {
  it('chi2', () => {
    expect(chi2.value(Y, M, S, null, N)).toBeCloseTo(12.037777777777777, 12);
    let unit = 0;
    for (let i = 0; i < N; i++) unit += (Y[i] - M[i]) ** 2;
    expect(chi2.value(Y, M, null, null, N)).toBeCloseTo(unit, 12);
    expect(chi2.errordef).toBe(1);
    expect(chi2.leastSquares).toBe(true);
  });
  it('gauss (-ln L with the normalisation) and its least-squares equivalent', () => {
    expect(gauss.value(Y, M, S, null, N)).toBeCloseTo(13.0365974848932, 12);
    const eq = gauss.leastSquaresEquivalent!;
    expect(eq.scale * chi2.value(Y, M, S, null, N) + eq.offset(Y, S, null, N)).toBeCloseTo(13.0365974848932, 12);
    expect(gauss.errordef).toBe(0.5);
    expect(gauss.leastSquares).toBe(false);
  });
  it('cash (zero for a perfect fit)', () => {
    expect(cash.value(Y, M, null, null, N)).toBeCloseTo(7.482855091296726, 12);
    expect(cash.value(Y, Y.map((v) => (v === 0 ? 0 : v)), null, null, N)).toBe(0);
    expect(cash.errordef).toBe(1);
  });
  it('poisson (-ln L with ln y!)', () => {
    expect(poisson.value(Y, M, null, null, N)).toBeCloseTo(10.21970210968537, 12);
    expect(poisson.errordef).toBe(0.5);
  });
  it('cash = 2 (poisson - poisson at m = y)', () => {
    const sat = poisson.value(Y, Y, null, null, N);
    expect(cash.value(Y, M, null, null, N)).toBeCloseTo(2 * (poisson.value(Y, M, null, null, N) - sat), 12);
  });
});

describe('masks and invalid models', () => {
  it('excludes masked points from value and derivatives', () => {
    const mask = new Uint8Array([0, 1, 0, 0, 1, 0]);
    const keep = [0, 2, 3, 5];
    const sub = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
    for (const st of [chi2, gauss, cash, poisson]) {
      expect(st.value(Y, M, S, mask, N)).toBeCloseTo(st.value(sub(Y), sub(M), sub(S), null, 4), 12);
      const d = new Float64Array(N).fill(99);
      const d2 = new Float64Array(N).fill(99);
      st.valueAndDerivative(Y, M, S, mask, N, d);
      st.secondDerivative(Y, M, S, mask, N, d2);
      expect(d[1]).toBe(0);
      expect(d2[4]).toBe(0);
    }
  });
  it('gives +Infinity, never NaN, for m <= 0 where counts are positive', () => {
    const m0 = new Float64Array([0.5, 0, 2.5, 12, 3, 7]);
    const mneg = new Float64Array([-0.1, 1, 2.5, 12, 3, 7]);
    for (const st of [cash, poisson]) {
      expect(st.value(Y, m0, null, null, N)).toBe(Infinity);
      expect(st.value(Y, mneg, null, null, N)).toBe(Infinity);
      const d = new Float64Array(N);
      expect(st.valueAndDerivative(Y, m0, null, null, N, d)).toBe(Infinity);
      expect(d.every((v) => Number.isFinite(v))).toBe(true);
      // m = 0 where y = 0 is allowed
      const ok = new Float64Array([0, 1.2, 2.5, 12, 0, 7]);
      expect(Number.isFinite(st.value(Y, ok, null, null, N))).toBe(true);
    }
  });
});

describe('derivatives against finite differences', () => {
  const check = (st: Statistic, sigma: Float64Array | null) => {
    const d = new Float64Array(N);
    const d2 = new Float64Array(N);
    const v = st.valueAndDerivative(Y, M, sigma, null, N, d);
    expect(v).toBeCloseTo(st.value(Y, M, sigma, null, N), 13);
    st.secondDerivative(Y, M, sigma, null, N, d2);
    const mm = Float64Array.from(M);
    for (let i = 0; i < N; i++) {
      const h = 1e-4 * M[i];
      mm[i] = M[i] + h;
      const fp = st.value(Y, mm, sigma, null, N);
      mm[i] = M[i] - h;
      const fm = st.value(Y, mm, sigma, null, N);
      mm[i] = M[i];
      expect(d[i]).toBeCloseTo((fp - fm) / (2 * h), 6);
      expect(d2[i]).toBeCloseTo((fp + fm - 2 * v) / (h * h), 3);
    }
  };
  it.each([
    ['chi2', S],
    ['chi2', null],
    ['gauss', S],
    ['cash', null],
    ['poisson', null],
  ] as const)('%s', (name, sigma) => check(getStatistic(name), sigma));

  it('closed-form derivatives', () => {
    const d = new Float64Array(N);
    poisson.valueAndDerivative(Y, M, null, null, N, d);
    expect(d[3]).toBeCloseTo(1 - 10 / 12, 15);
    cash.valueAndDerivative(Y, M, null, null, N, d);
    expect(d[3]).toBeCloseTo(2 * (1 - 10 / 12), 15);
    const d2 = new Float64Array(N);
    chi2.secondDerivative(Y, M, S, null, N, d2);
    expect(d2[2]).toBe(8); // 2 / 0.5^2
    gauss.secondDerivative(Y, M, S, null, N, d2);
    expect(d2[2]).toBe(4);
  });
});
