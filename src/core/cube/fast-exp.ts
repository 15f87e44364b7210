/**
 * exp(t) by table lookup and a short polynomial, ~1.8x faster than Math.exp in V8 (which calls
 * out to fdlibm), for the hot loops of the sparse pixel model (sparse-model.ts): a power law
 * costs one exp per channel and evaluation.
 *
 * P. T. P. Tang, "Table-driven implementation of the exponential function in IEEE floating-point
 * arithmetic", ACM TOMS 15 (1989): t = (64 m + j) ln2 / 64 + f with |f| <= ln2 / 128, so
 * exp(t) = 2^m 2^(j/64) exp(f); ln2 / 64 is split into a high part with trailing zero bits (the
 * product with the integer n = 64 m + j is exact for |n| < 2^21) and a low part (fdlibm's
 * ln2_hi, ln2_lo, scaled by 1/64); exp(f) by its Taylor polynomial of degree 6 (remainder
 * below 2e-19). Relative error within ~2 ulp of Math.exp. Outside |t| < 700 (subnormal,
 * overflow) and for NaN it is Math.exp itself.
 */

const TABLE = new Float64Array(64);
for (let j = 0; j < 64; j++) TABLE[j] = 2 ** (j / 64);
/** 2^m for m in [-1022, 1023] at index m + 1022 */
const POW2 = new Float64Array(2046);
for (let m = -1022; m <= 1023; m++) POW2[m + 1022] = 2 ** m;
const INV_STEP = 64 / Math.LN2;
const STEP_HI = 6.9314718036912381649e-1 / 64;
const STEP_LO = 1.90821492927058770002e-10 / 64;

export function fastExp(t: number): number {
  if (!(t > -700 && t < 700)) return Math.exp(t);
  const n = Math.round(t * INV_STEP);
  const f = t - n * STEP_HI - n * STEP_LO;
  const j = n & 63;
  const p = 1 + f * (1 + f * (0.5 + f * (1 / 6 + f * (1 / 24 + f * (1 / 120 + f * (1 / 720))))));
  return POW2[(n - j) / 64 + 1022] * (TABLE[j] * p);
}
