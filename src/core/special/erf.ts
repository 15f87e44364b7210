/**
 * Error function erf and complementary error function erfc for real arguments.
 * W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
 * (1969) 631-637, with the coefficients of his CALERF routine (maximal relative error about
 * 1e-16 to 1e-15 in each range):
 *   |x| <= 0.5       erf(x)  = x P1(x^2) / Q1(x^2)
 *   0.5 < |x| <= 4   erfc(x) = exp(-x^2) P2(x) / Q2(x)
 *   |x| > 4          erfc(x) = exp(-x^2) / x (1/sqrt(pi) + R(1/x^2) / x^2)
 * exp(-x^2) is computed as exp(-t^2) exp(-(x-t)(x+t)) with t = x rounded down to 1/16, which
 * avoids the rounding error of x^2 (Cody's device).
 */

const A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
const B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
const C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909,
  1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
];
const D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963,
  4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
];
const P = [0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4, 0.0163153871373020978];
const Q = [2.56852019228982242, 1.87295284992346725, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185];

const INV_SQRT_PI = 0.56418958354775628695; // 1/sqrt(pi)
/** erfc(x) underflows to 0 beyond this */
const X_BIG = 26.543;

/** x P1(x^2)/Q1(x^2) for |x| <= 0.5 */
function erfSmall(x: number): number {
  const z = x * x;
  let num = A[4] * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]) * z;
    den = (den + B[i]) * z;
  }
  return (x * (num + A[3])) / (den + B[3]);
}

/** exp(-y^2) with y^2 split to avoid its rounding error */
function expMinusSquare(y: number): number {
  const t = Math.trunc(y * 16) / 16;
  return Math.exp(-t * t) * Math.exp(-(y - t) * (y + t));
}

/** erfc(y) for y > 0.5 */
function erfcLarge(y: number): number {
  if (y >= X_BIG) return 0;
  let r: number;
  if (y <= 4) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    r = (num + C[7]) / (den + D[7]);
  } else {
    const z = 1 / (y * y);
    let num = P[5] * z;
    let den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]) * z;
      den = (den + Q[i]) * z;
    }
    r = (z * (num + P[4])) / (den + Q[4]);
    r = (INV_SQRT_PI - r) / y;
  }
  return expMinusSquare(y) * r;
}

export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.5) return erfSmall(x);
  if (!(y === y)) return NaN;
  const r = 0.5 - erfcLarge(y) + 0.5;
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.5) return 1 - erfSmall(x);
  if (!(y === y)) return NaN;
  const r = erfcLarge(y);
  return x < 0 ? 2 - r : r;
}
