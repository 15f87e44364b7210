/**
 * Gaussian negative log-likelihood: S = sum [ (y - m)^2 / (2 sigma^2) + ln(sigma sqrt(2 pi)) ]
 * (sigma = 1 when absent); errordef 0.5. S = chi2 / 2 + sum ln(sigma sqrt(2 pi)), so it may be
 * minimised by least squares on the chi2 residuals (leastSquaresEquivalent: scale 1/2, offset the
 * normalisation terms) and converted afterwards; same minimiser, same covariance.
 */
import type { Statistic } from './statistic';

const HALF_LN_2PI = 0.9189385332046728;

function normalisation(_y: Float64Array, sigma: Float64Array | null, mask: Uint8Array | null, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (mask !== null && mask[i] === 1) continue;
    s += HALF_LN_2PI + (sigma === null ? 0 : Math.log(sigma[i]));
  }
  return s;
}

export const gauss: Statistic = {
  name: 'gauss',
  errordef: 0.5,
  leastSquares: false,
  leastSquaresEquivalent: { scale: 0.5, offset: normalisation },
  value(y, m, sigma, mask, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (mask !== null && mask[i] === 1) continue;
      const sg = sigma === null ? 1 : sigma[i];
      const r = (y[i] - m[i]) / sg;
      s += 0.5 * r * r + HALF_LN_2PI + Math.log(sg);
    }
    return Number.isNaN(s) ? Infinity : s;
  },
  valueAndDerivative(y, m, sigma, mask, n, d) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (mask !== null && mask[i] === 1) {
        d[i] = 0;
        continue;
      }
      const sg = sigma === null ? 1 : sigma[i];
      const e = y[i] - m[i];
      const w = 1 / (sg * sg);
      s += 0.5 * e * e * w + HALF_LN_2PI + Math.log(sg);
      d[i] = -e * w;
    }
    return Number.isNaN(s) ? Infinity : s;
  },
  secondDerivative(_y, _m, sigma, mask, n, d2) {
    for (let i = 0; i < n; i++) {
      d2[i] = mask !== null && mask[i] === 1 ? 0 : sigma === null ? 1 : 1 / (sigma[i] * sigma[i]);
    }
  },
};
