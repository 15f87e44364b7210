import { describe, expect, it } from 'vitest';
import { gammaP, gammaQ, sersicB, sersicBDerivative, sersicBExact, sersicRadialIntegral, sersicTotalFlux } from './sersic-math';

describe('incomplete gamma', () => {
  it('matches closed forms', () => {
    // P(1, x) = 1 - e^-x; P(2, x) = 1 - (1 + x) e^-x; P(1/2, x) = erf(sqrt x)
    for (const x of [0.01, 0.5, 1, 2, 5, 20, 60]) {
      expect(gammaP(1, x)).toBeCloseTo(1 - Math.exp(-x), 14);
      expect(gammaQ(2, x) / ((1 + x) * Math.exp(-x))).toBeCloseTo(1, 12);
    }
    // P(8, 16.2) from the finite sum Q(8, x) = e^-x sum_{k<8} x^k / k!
    let term = 1;
    let sum = 1;
    for (let k = 1; k < 8; k++) {
      term *= 16.2 / k;
      sum += term;
    }
    expect(gammaQ(8, 16.2) / (Math.exp(-16.2) * sum)).toBeCloseTo(1, 12);
    expect(gammaP(8, 3) + gammaQ(8, 3)).toBeCloseTo(1, 14);
  });
});

describe('Sersic b_n', () => {
  it('Ciotti & Bertin series vs the exact root of P(2n, b) = 1/2 (1e-4 at n = 1 and 4)', () => {
    const exact1 = sersicBExact(1);
    const exact4 = sersicBExact(4);
    expect(exact1).toBeCloseTo(1.678346990016661, 10); // Graham & Driver (2005): b_1 = 1.678
    expect(exact4).toBeCloseTo(7.669249442500804, 9); // b_4 = 7.669 (both roots checked with mpmath, 30 digits)
    expect(Math.abs(sersicB(1) / exact1 - 1)).toBeLessThan(1e-4);
    expect(Math.abs(sersicB(4) / exact4 - 1)).toBeLessThan(1e-6);
    expect(gammaP(2, exact1)).toBeCloseTo(0.5, 14);
    for (const n of [2, 8]) expect(Math.abs(sersicB(n) / sersicBExact(n) - 1)).toBeLessThan(1e-5);
    // the series is asymptotic in 1/n: worse at small n (3.6e-4 relative at n = 0.5)
    expect(Math.abs(sersicB(0.5) / sersicBExact(0.5) - 1)).toBeLessThan(1e-3);
  });

  it('derivative of the series vs finite differences', () => {
    for (const n of [0.36, 0.7, 1, 2.5, 8]) {
      const h = 1e-6 * n;
      expect(sersicBDerivative(n)).toBeCloseTo((sersicB(n + h) - sersicB(n - h)) / (2 * h), 8);
    }
  });

  it('Re is the half-light radius of the radial integral; total flux closed form', () => {
    for (const n of [1, 4]) {
      const b = sersicBExact(n);
      const G = (R: number) => sersicRadialIntegral(R, n, 3, 2, b);
      expect(G(3) / G(1e6)).toBeCloseTo(0.5, 12);
      expect((2 * Math.PI * 0.6 * G(1e9)) / sersicTotalFlux(n, 3, 2, 0.6, b)).toBeCloseTo(1, 12);
    }
    // n = 1 by hand: 2 pi q Re^2 Ie e^b / b^2
    const b = sersicB(1);
    expect(sersicTotalFlux(1, 2, 5, 0.5)).toBeCloseTo((2 * Math.PI * 0.5 * 4 * 5 * Math.exp(b)) / (b * b), 10);
  });
});
