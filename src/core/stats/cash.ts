/**
 * Cash statistic in the XSPEC / gammapy form, zero for a perfect fit:
 *   C = 2 sum [ m - y + y ln(y / m) ]   (the y ln(y/m) term is 0 where y = 0); errordef 1.
 * It differs from Cash's 2 sum (m - y ln m) by a data-only constant. sigma is ignored.
 * m <= 0 where y > 0, m < 0, or y < 0 give +Infinity (see statistic.ts).
 */
import type { Statistic } from './statistic';

export const cash: Statistic = {
  name: 'cash',
  errordef: 1,
  leastSquares: false,
  value(y, m, _sigma, mask, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (mask !== null && mask[i] === 1) continue;
      const yi = y[i];
      const mi = m[i];
      if (yi > 0) {
        if (!(mi > 0)) return Infinity;
        s += mi - yi + yi * Math.log(yi / mi);
      } else if (yi === 0 && mi >= 0) s += mi;
      else return Infinity;
    }
    s *= 2;
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
        s += mi - yi + yi * Math.log(yi / mi);
        d[i] = 2 * (1 - yi / mi);
      } else if (yi === 0 && mi >= 0) {
        s += mi;
        d[i] = 2;
      } else bad = true;
    }
    s *= 2;
    return bad || !Number.isFinite(s) ? Infinity : s;
  },
  secondDerivative(y, m, _sigma, mask, n, d2) {
    for (let i = 0; i < n; i++) {
      const yi = y[i];
      const mi = m[i];
      d2[i] = (mask !== null && mask[i] === 1) || !(yi > 0) || !(mi > 0) ? 0 : (2 * yi) / (mi * mi);
    }
  },
};
