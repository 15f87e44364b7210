/**
 * The reference Faddeeva function against values recorded from scipy.special.wofz (Faddeeva
 * package, ~1e-13 relative): imaginary axis (erfcx), real axis (exp(-x^2) + 2i Dawson(x)/sqrt(pi)),
 * both sides of the midpoint/continued-fraction switch at |z| = 6, the far tail and the lower half plane.
 */
import { describe, expect, it } from 'vitest';
import { faddeeva, faddeevaWithDerivative } from './faddeeva';

const REF: [number, number, number, number][] = [
  [0, 0, 1.0, 0.0],
  [0, 1, 0.427583576155807, 0.0],
  [0, 0.5, 0.6156903441929258, 0.0],
  [0, 10, 0.05614099274382259, 0.0],
  [0, 100, 0.005641613782989433, 0.0],
  [1, 0, 0.36787944117144233, 0.6071577058413937],
  [2, 0, 0.01831563888873418, 0.3400262170660662],
  [0.5, 0, 0.7788007830714049, 0.4789251729010434],
  [1, 1, 0.30474420525691254, 0.2082189382028316],
  [3, 0.2, 0.015626770455552136, 0.19966856321866638],
  [-2.5, 0.7, 0.07508765293733201, -0.21954582524890132],
  [6.5, 0.01, 0.0001385831851760758, 0.08786420324374435],
  [30, 1e-7, 6.279250241310933e-11, 0.018816784868660726],
  [5.9, 2.1, 0.03123658195003643, 0.08545993156273453],
  [0.1, -0.3, 1.433338206090713, 0.19832682648544908],
];

describe('faddeeva (reference implementation)', () => {
  it('matches scipy.special.wofz', () => {
    const w = new Float64Array(2);
    for (const [x, y, re, im] of REF) {
      faddeeva(x, y, w);
      const tol = 1e-13 * Math.hypot(re, im);
      expect(Math.abs(w[0] - re), `Re w(${x}+${y}i)`).toBeLessThanOrEqual(Math.max(tol, 1e-13 * Math.abs(re)));
      expect(Math.abs(w[1] - im), `Im w(${x}+${y}i)`).toBeLessThanOrEqual(tol);
    }
  });

  it("gives w'(z) = -2 z w(z) + 2i/sqrt(pi), checked by central differences", () => {
    const d = new Float64Array(4);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    const h = 1e-6;
    for (const [x, y] of [[0.3, 0.4], [2, 1], [-4, 0.2], [7, 3]]) {
      faddeevaWithDerivative(x, y, d);
      faddeeva(x + h, y, a);
      faddeeva(x - h, y, b);
      // w is analytic: dw/dz = dw/dx
      expect(d[2]).toBeCloseTo((a[0] - b[0]) / (2 * h), 7);
      expect(d[3]).toBeCloseTo((a[1] - b[1]) / (2 * h), 7);
    }
  });
});
