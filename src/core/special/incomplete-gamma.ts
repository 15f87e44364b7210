/**
 * Regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x): the series for
 * x < a + 1 and the continued fraction (modified Lentz) otherwise (Numerical Recipes 6.2).
 * Used by chi-square levels (uncertainty/levels.ts) and the Sersic b_n (image/sersic-math.ts).
 */
import { lgamma } from '../stats/lgamma';

/** regularized lower incomplete gamma P(a, x), a > 0, x >= 0 */
export function gammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  const lnPre = a * Math.log(x) - x - lgamma(a);
  if (x < a + 1) {
    // P = x^a e^-x / Gamma(a + 1) * sum_k x^k / ((a+1)...(a+k))
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 10000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.min(1, sum * Math.exp(lnPre));
  }
  return Math.max(0, 1 - gammaQContinuedFraction(a, x, lnPre));
}

/** regularized upper incomplete gamma Q(a, x) = 1 - P(a, x) */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < a + 1) return 1 - gammaP(a, x);
  return gammaQContinuedFraction(a, x, a * Math.log(x) - x - lgamma(a));
}

/** Q(a, x) by the continued fraction 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))), modified Lentz */
function gammaQContinuedFraction(a: number, x: number, lnPre: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(lnPre) * h;
}

/** chi2 CDF with k degrees of freedom */
