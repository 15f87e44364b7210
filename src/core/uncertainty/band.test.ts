import { describe, expect, it } from 'vitest';
import { modelBand, modelJacobianByDifferences } from './band';
import { LINE_DATA, lineChi2Objective } from './test-objectives';

describe('modelBand', () => {
  it('propagates the line covariance: var = x^2 Caa + 2 x Cab + Cbb', () => {
    const { x, y, sigma } = LINE_DATA;
    const obj = lineChi2Objective(x, y, sigma);
    const C = obj.covariance;
    const xs = [-2, 0, 3.5, 12];
    const model = xs.map((v) => obj.best[0] * v + obj.best[1]);
    const { jacobian } = modelJacobianByDifferences((t) => xs.map((v) => t[0] * v + t[1]), obj.best, {
      errors: [Math.sqrt(C[0][0]), Math.sqrt(C[1][1])],
    });
    for (let i = 0; i < xs.length; i++) {
      expect(jacobian[2 * i]).toBeCloseTo(xs[i], 8);
      expect(jacobian[2 * i + 1]).toBeCloseTo(1, 8);
    }
    const band = modelBand(model, jacobian, C, 2, { cl: 0.95 });
    expect(band.z).toBeCloseTo(1.959963984540054, 12);
    for (let i = 0; i < xs.length; i++) {
      const sd = Math.sqrt(xs[i] ** 2 * C[0][0] + 2 * xs[i] * C[0][1] + C[1][1]);
      expect(band.sigma[i]).toBeCloseTo(sd, 8);
      expect(band.upper[i] - model[i]).toBeCloseTo(band.z * sd, 8);
      expect(model[i] - band.lower[i]).toBeCloseTo(band.z * sd, 8);
    }
    // a parameter with NaN covariance (held at a bound) is left out
    const Cn = [
      [NaN, NaN],
      [NaN, C[1][1]],
    ];
    const b2 = modelBand(model, jacobian, Cn, 2);
    expect(b2.skipped).toEqual([0]);
    for (let i = 0; i < xs.length; i++) expect(b2.sigma[i]).toBeCloseTo(Math.sqrt(C[1][1]), 8);
  });
});
