/**
 * Poisson negative log-likelihood including the data term:
 *   S = sum [ m - y ln m + ln(y!) ]   (y ln m is 0 where y = 0); errordef 0.5.
 * ln(y!) = ln Gamma(y + 1) (lgamma.ts), so non-integer y are accepted. sigma is ignored.
 * m <= 0 where y > 0, m < 0, or y < 0 give +Infinity (see statistic.ts).
 */
import { logFactorial } from './lgamma';
import type { Statistic } from './statistic';

export const poisson: Statistic = {
  name: 'poisson',
  errordef: 0.5,
  leastSquares: false,
  value(y, m, _sigma, mask, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (mask !== null && mask[i] === 1) continue;
      const yi = y[i];
      const mi = m[i];
      if (yi > 0) {
        if (!(mi > 0)) return Infinity;
        s += mi - yi * Math.log(mi) + logFactorial(yi);
      } else if (yi === 0 && mi >= 0) s += mi;
      else return Infinity;
    }
    return Number.isFinite(s) ? s : Infinity;
  },
  valueAndDerivative(y, m, _sigma, mask, n, d) {
    let s = 0;
    let bad = false;
    for (let i = 0; i < n; i++) {
      d[i] = 0;
      if (mask !== null && mask[i] === 1) continue;
      const yi = y[i];
      const mi = m[i];
      if (yi > 0) {
        if (!(mi > 0)) {
          bad = true;
          continue;
        }
        s += mi - yi * Math.log(mi) + logFactorial(yi);
        d[i] = 1 - yi / mi;
      } else if (yi === 0 && mi >= 0) {
        s += mi;
        d[i] = 1;
      } else bad = true;
    }
    return bad || !Number.isFinite(s) ? Infinity : s;
  },
  secondDerivative(y, m, _sigma, mask, n, d2) {
    for (let i = 0; i < n; i++) {
      const yi = y[i];
      const mi = m[i];
      d2[i] = (mask !== null && mask[i] === 1) || !(yi > 0) || !(mi > 0) ? 0 : yi / (mi * mi);
    }
  },
};
