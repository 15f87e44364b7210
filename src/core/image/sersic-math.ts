/**
 * Sersic-profile mathematics.
 *
 * I(R) = Ie exp(-b_n ((R/Re)^(1/n) - 1)), where b_n makes Re the half-light radius:
 * gamma(2n, b_n) = Gamma(2n) / 2 (lower incomplete gamma).
 * - b_n: the asymptotic series of Ciotti & Bertin (1999, A&A 352, 447, eq. 18), as AstroPhot uses:
 *   b = 2n - 1/3 + 4/(405 n) + 46/(25515 n^2) + 131/(1148175 n^3) - 2194697/(30690717750 n^4)
 * - total light of the elliptical profile (R^2 = X^2 + (Y/q)^2):
 *   L = 2 pi q n Re^2 Ie e^(b) Gamma(2n) / b^(2n)  (Graham & Driver 2005, eq. 4, times q)
 * - light inside radius R: L P(2n, b (R/Re)^(1/n)) with P the regularised lower incomplete gamma.
 */
import { lgamma } from '../stats/lgamma';
import { gammaP, gammaQ } from '../special/incomplete-gamma';

const C1 = 4 / 405;
const C2 = 46 / 25515;
const C3 = 131 / 1148175;
const C4 = -2194697 / 30690717750;

/** Ciotti & Bertin (1999) b_n. */
export function sersicB(n: number): number {
  const x = 1 / n;
  return 2 * n - 1 / 3 + x * (C1 + x * (C2 + x * (C3 + x * C4)));
}

/** d b_n / d n of the series. */
export function sersicBDerivative(n: number): number {
  const x = 1 / n;
  return 2 - x * x * (C1 + x * (2 * C2 + x * (3 * C3 + x * 4 * C4)));
}

export { gammaP, gammaQ };

/** The exact b_n: root of P(2n, b) = 1/2 by bisection refined with Newton steps. */
export function sersicBExact(n: number): number {
  const a = 2 * n;
  let lo = Math.max(1e-6, a - 1); // the median of Gamma(a) lies in (a - 1, a) (Chen & Rubin 1986)
  let hi = a + 0.5;
  while (gammaP(a, lo) > 0.5) lo /= 2;
  while (gammaP(a, hi) < 0.5) hi *= 2;
  for (let k = 0; k < 200 && hi - lo > 1e-15 * hi; k++) {
    const mid = 0.5 * (lo + hi);
    if (gammaP(a, mid) < 0.5) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Total light of an elliptical Sersic profile with intensity Ie at Re (linear, not log10). */
export function sersicTotalFlux(n: number, Re: number, Ie: number, q = 1, b = sersicB(n)): number {
  return 2 * Math.PI * q * n * Re * Re * Ie * Math.exp(b + lgamma(2 * n) - 2 * n * Math.log(b));
}

/**
 * G(R) = integral_0^R I(r) r dr of the circular profile (light inside R is 2 pi q G(R) for the
 * elliptical one): n Re^2 Ie e^b Gamma(2n) b^(-2n) P(2n, b (R/Re)^(1/n)).
 */
export function sersicRadialIntegral(R: number, n: number, Re: number, Ie: number, b = sersicB(n)): number {
  if (R <= 0) return 0;
  const full = n * Re * Re * Ie * Math.exp(b + lgamma(2 * n) - 2 * n * Math.log(b));
  return full * gammaP(2 * n, b * Math.pow(R / Re, 1 / n));
}
