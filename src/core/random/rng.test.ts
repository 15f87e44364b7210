import { describe, expect, it } from 'vitest';
import { Rng, createRng, type RngState } from './rng';
import { logFactorial } from './log-factorial';

const N = 100_000;

function moments(draw: () => number, n = N): { mean: number; variance: number } {
  let mean = 0;
  let m2 = 0;
  for (let i = 1; i <= n; i++) {
    const x = draw();
    const d = x - mean;
    mean += d / i;
    m2 += d * (x - mean);
  }
  return { mean, variance: m2 / (n - 1) };
}

/** |observed - truth| in units of the standard error */
function zscore(observed: number, truth: number, se: number): number {
  return Math.abs(observed - truth) / se;
}

describe('xoshiro128** core', () => {
  it('matches the published reference generator from state (1, 2, 3, 4)', () => {
    // reference C code of xoshiro128** 1.1 (prng.di.unimi.it) compiled with gcc: 11520 0 5927040 70819200 2031721883
    const r = new Rng(0);
    r.setState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4], spareNormal: null });
    expect([r.uint32(), r.uint32(), r.uint32(), r.uint32(), r.uint32()]).toEqual([11520, 0, 5927040, 70819200, 2031721883]);
  });

  it('seeds through splitmix/fmix32 exactly like the C reference', () => {
    // values printed by the same C program with the seeding written in C (uint32 arithmetic)
    const r1 = createRng(1);
    expect(r1.getState().s).toEqual([2335864025, 1917354273, 3181618148, 2152839343]);
    expect([1, 2, 3, 4, 5, 6].map(() => r1.uint32())).toEqual([1599694725, 1712420748, 1191534354, 3820912405, 521780123, 1360512779]);
    const r42 = createRng(42);
    expect(r42.getState().s).toEqual([2434684888, 2031930073, 1515282556, 171992138]);
    expect([1, 2, 3, 4, 5, 6].map(() => r42.uint32())).toEqual([131339294, 1640464037, 3806549446, 4218314521, 2849528503, 28268177]);
    // seed 2^32 uses the high word: lo = 0, hi = 1
    const rHi = createRng(4294967296);
    expect(rHi.getState().s).toEqual([4074205336, 2883810658, 2814033789, 1940616558]);
  });

  it('builds 53-bit uniforms like the C reference', () => {
    // C: ((next() >> 5) * 2^26 + (next() >> 6)) / 2^53, printed with %.17g
    const r = createRng(1);
    expect(r.uniform()).toBe(0.3724579542778732);
    expect(r.uniform()).toBe(0.27742571301479257);
    expect(r.uniform()).toBe(0.12148639795757132);
    const r42 = createRng(42);
    expect(r42.uniform()).toBe(0.03057980821989692);
    expect(r42.uniform()).toBe(0.88628136353308618);
  });
});

describe('reproducibility', () => {
  it('the same seed gives the same stream, another seed another', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const sa = Array.from({ length: 50 }, () => a.normal());
    const sb = Array.from({ length: 50 }, () => b.normal());
    const sc = Array.from({ length: 50 }, () => c.normal());
    expect(sb).toEqual(sa);
    expect(sc).not.toEqual(sa);
  });

  it('continues exactly after getState / JSON / setState, including a cached normal', () => {
    const r = createRng(123);
    for (let i = 0; i < 17; i++) r.uniform();
    r.normal(); // leaves the spare of the polar pair in the state
    const saved: RngState = JSON.parse(JSON.stringify(r.getState()));
    expect(saved.spareNormal).not.toBeNull();
    const mix = (g: Rng) => [g.normal(), g.uniform(), g.poisson(3.5), g.poisson(250), g.exponential(), g.normal(), g.int(10)];
    const expected = mix(r);
    const restored = new Rng(999);
    restored.setState(saved);
    expect(mix(restored)).toEqual(expected);
    const cl = createRng(5);
    cl.normal();
    const copy = cl.clone();
    expect(copy.normal()).toBe(cl.normal());
  });

  it('rejects invalid states and seeds', () => {
    const r = createRng(1);
    expect(() => r.setState({ algorithm: 'xoshiro128**', s: [0, 0, 0, 0], spareNormal: null })).toThrow(/all-zero/);
    expect(() => r.setState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 2 ** 32], spareNormal: null })).toThrow(/32-bit/);
    expect(() => r.setState({ algorithm: 'pcg' as 'xoshiro128**', s: [1, 2, 3, 4], spareNormal: null })).toThrow();
    expect(() => createRng(NaN)).toThrow(RangeError);
    expect(() => r.poisson(-1)).toThrow(RangeError);
    expect(() => r.int(0)).toThrow(RangeError);
  });
});

describe('distribution moments of 10^5 draws (within 5 standard errors)', () => {
  it('uniform: mean 1/2, variance 1/12, range [0, 1)', () => {
    const r = createRng(11);
    let min = 1;
    let max = 0;
    const m = moments(() => {
      const u = r.uniform();
      if (u < min) min = u;
      if (u > max) max = u;
      return u;
    });
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(zscore(m.mean, 0.5, Math.sqrt(1 / 12 / N))).toBeLessThan(5);
    // Var(s^2) ~ (mu4 - sigma^4)/n with mu4 = 1/80 for U(0,1)
    expect(zscore(m.variance, 1 / 12, Math.sqrt((1 / 80 - 1 / 144) / N))).toBeLessThan(5);
  });

  it('normal: mean 0, variance 1 (and a shifted/scaled one)', () => {
    const r = createRng(12);
    const m = moments(() => r.normal());
    expect(zscore(m.mean, 0, Math.sqrt(1 / N))).toBeLessThan(5);
    // mu4 = 3 sigma^4 -> se(s^2) = sigma^2 sqrt(2/n)
    expect(zscore(m.variance, 1, Math.sqrt(2 / N))).toBeLessThan(5);
    const m2 = moments(() => r.normal(10, 3));
    expect(zscore(m2.mean, 10, 3 / Math.sqrt(N))).toBeLessThan(5);
    expect(zscore(m2.variance, 9, 9 * Math.sqrt(2 / N))).toBeLessThan(5);
  });

  it('normal: tail fraction beyond 3 sd matches 2(1 - Phi(3)) = 0.0026997961', () => {
    // 2 * norm.sf(3) from scipy 1.17: 0.0026997960632601866
    const r = createRng(13);
    const p = 0.0026997960632601866;
    let count = 0;
    for (let i = 0; i < N; i++) if (Math.abs(r.normal()) > 3) count++;
    expect(zscore(count / N, p, Math.sqrt((p * (1 - p)) / N))).toBeLessThan(5);
  });

  it('exponential: mean 1, variance 1', () => {
    const r = createRng(14);
    const m = moments(() => r.exponential());
    expect(zscore(m.mean, 1, Math.sqrt(1 / N))).toBeLessThan(5);
    // mu4 = 9 for Exp(1) -> se(s^2) = sqrt(8/n)
    expect(zscore(m.variance, 1, Math.sqrt(8 / N))).toBeLessThan(5);
    const m2 = moments(() => r.exponential(2.5));
    expect(zscore(m2.mean, 2.5, 2.5 / Math.sqrt(N))).toBeLessThan(5);
  });

  for (const lambda of [0.5, 7, 10, 120, 1e6]) {
    it(`poisson(${lambda}): mean and variance lambda, integer values`, () => {
      const r = createRng(1000 + lambda);
      let nonInteger = 0;
      const m = moments(() => {
        const k = r.poisson(lambda);
        if (!Number.isInteger(k) || k < 0) nonInteger++;
        return k;
      });
      expect(nonInteger).toBe(0);
      expect(zscore(m.mean, lambda, Math.sqrt(lambda / N))).toBeLessThan(5);
      // central mu4 = lambda (1 + 3 lambda) -> Var(s^2) ~ (lambda + 2 lambda^2)/n
      expect(zscore(m.variance, lambda, Math.sqrt((lambda + 2 * lambda * lambda) / N))).toBeLessThan(5);
    });
  }

  it('poisson(0) is always 0', () => {
    const r = createRng(3);
    for (let i = 0; i < 100; i++) expect(r.poisson(0)).toBe(0);
  });
});

/** Pearson chi-square of poisson draws against the exact pmf, bins with expectation >= 5, tails pooled. */
function poissonChiSquare(lambda: number, seed: number): { chi2: number; df: number } {
  const r = createRng(seed);
  const kmax = Math.ceil(lambda + 12 * Math.sqrt(lambda) + 20);
  const counts = new Float64Array(kmax + 1);
  for (let i = 0; i < N; i++) counts[Math.min(r.poisson(lambda), kmax)]++;
  // exact pmf by the recursion p_k = p_{k-1} lambda / k (independent of logFactorial)
  const pmf = new Float64Array(kmax + 1);
  pmf[0] = Math.exp(-lambda);
  for (let k = 1; k <= kmax; k++) pmf[k] = (pmf[k - 1] * lambda) / k;
  let tail = 1;
  for (let k = 0; k < kmax; k++) tail -= pmf[k];
  pmf[kmax] = Math.max(tail, 0);
  const bins: { o: number; e: number }[] = [];
  let o = 0;
  let e = 0;
  for (let k = 0; k <= kmax; k++) {
    o += counts[k];
    e += N * pmf[k];
    if (e >= 5) {
      bins.push({ o, e });
      o = 0;
      e = 0;
    }
  }
  bins[bins.length - 1].o += o;
  bins[bins.length - 1].e += e;
  let chi2 = 0;
  for (const b of bins) chi2 += ((b.o - b.e) * (b.o - b.e)) / b.e;
  return { chi2, df: bins.length - 1 };
}

describe('poisson shape: chi-square against the exact pmf', () => {
  // upper 1e-6 points of chi-square, scipy.stats.chi2.isf(1e-6, df) (scipy 1.17)
  const crit: Record<number, number> = { 5: 35.888186879672865, 19: 63.677052285677995, 82: 157.82165781575162 };
  it.each([
    [0.5, 21],
    [7, 22],
    [120, 23],
  ])('lambda %s', (lambda, seed) => {
    const { chi2, df } = poissonChiSquare(lambda, seed);
    expect(crit[df], `df = ${df}`).toBeDefined();
    expect(chi2).toBeLessThan(crit[df]);
    // and not absurdly small either (a broken histogram would give 0): lower 1e-6 point is > 0
    expect(chi2).toBeGreaterThan(0);
  });
});

describe('logFactorial', () => {
  it.each([
    // mpmath.loggamma(k + 1), 30 digits
    [0, 0],
    [1, 0],
    [5, 4.7874917427820459942],
    [20, 42.33561646075348503],
    [255, 1161.7121011184006508],
    [256, 1167.2572785628802133],
    [300, 1414.9058499450679885],
    [1000, 5912.1281784881633489],
    [123456, 1323904.4924837976795],
  ])('ln(%d!)', (k, v) => {
    expect(Math.abs(logFactorial(k) - v)).toBeLessThanOrEqual(4e-16 * Math.max(1, v) + 1e-300);
  });
});
