/** chi-square: S = sum ((y - m) / sigma)^2 (sigma = 1 when absent); errordef 1. */
import type { Statistic } from './statistic';

export const chi2: Statistic = {
  name: 'chi2',
  errordef: 1,
  leastSquares: true,
  leastSquaresEquivalent: { scale: 1, offset: () => 0 },
  value(y, m, sigma, mask, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (mask !== null && mask[i] === 1) continue;
      const r = sigma === null ? y[i] - m[i] : (y[i] - m[i]) / sigma[i];
      s += r * r;
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
      const w = sigma === null ? 1 : 1 / (sigma[i] * sigma[i]);
      const e = y[i] - m[i];
      s += e * e * w;
      d[i] = -2 * e * w;
    }
    return Number.isNaN(s) ? Infinity : s;
  },
  secondDerivative(_y, _m, sigma, mask, n, d2) {
    for (let i = 0; i < n; i++) {
      d2[i] = mask !== null && mask[i] === 1 ? 0 : sigma === null ? 2 : 2 / (sigma[i] * sigma[i]);
    }
  },
};
