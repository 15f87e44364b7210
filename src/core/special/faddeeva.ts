/**
 * Faddeeva function w(z) = exp(-z^2) erfc(-i z) for complex z = x + i y.
 *
 * Two methods, chosen by region (upper half plane; the lower half plane uses
 * w(z) = 2 exp(-z^2) - w(-z)):
 *
 * 1. Near the origin and near the real axis: the trapezoidal (midpoint) rule for
 *    w(z) = (i/pi) * integral exp(-t^2) / (z - t) dt with the pole correction of
 *    Chiarella & Reichel (Math. Comp. 22, 1968) / Matta & Reichel (Math. Comp. 25, 1971),
 *    with the nodes shifted so that x lies halfway between two of them, the "modified
 *    midpoint rule" of Al Azah & Chandler-Wilde (SIAM J. Numer. Anal. 59, 2021):
 *      w(z) ~= (h/pi) sum_k exp(-(x-d_k)^2) (y + i d_k) / (d_k^2 + y^2)
 *              + 2 exp(-z^2) / (1 + exp(2 pi y / h)),        d_k = (k + 1/2) h.
 *    Derivation: Poisson summation of the trapezoidal error; the pole at t = z gives the
 *    second term exactly, the rest is O(exp(-pi^2/h^2)) (h = 0.5: ~7e-18) while y < pi/h - 1.
 *    With the shifted nodes no term is singular and nothing cancels on the real axis,
 *    where Re w(x) = exp(-x^2) comes out of the second term alone.
 * 2. Large |z|: the Laplace continued fraction (Gautschi 1970; Poppe & Wijers, ACM TOMS 16,
 *    1990) w(z) = (i/sqrt(pi)) / (z - (1/2)/(z - 1/(z - (3/2)/(z - ...)))), truncated at a
 *    depth fitted here to give double precision.
 *
 * Checked in faddeeva.test.ts against scipy.special.wofz (1e-13 relative) on the imaginary and
 * real axes, on both sides of the method switch, in the far tail and in the lower half plane.
 */

const INV_SQRT_PI = 0.5641895835477562869480794515607726; // 1/sqrt(pi)
const H = 0.5; // midpoint-rule step
const H_OVER_PI = H / Math.PI;
const TWO_PI_OVER_H = (2 * Math.PI) / H;
const EXP_M2H2 = Math.exp(-2 * H * H);
/** |t| beyond which exp(-t^2) < 1e-18 is dropped from the midpoint sum */
const T_MAX = 6.45;
/** |z| from which the continued fraction is used (above Y_NEAR_AXIS or beyond X_FAR) */
const R_CF = 6;
/** below this y the continued fraction would miss the exp(-x^2) part of Re w (unless |x| > X_FAR) */
const Y_NEAR_AXIS = 1e-6;
/** beyond this |x|, exp(-x^2) underflows relative to anything the continued fraction returns */
const X_FAR = 27;

/**
 * w(x + i y) for y >= 0 (not checked), written into out[0] (real part) and out[1] (imaginary part).
 * Allocation-free; the hot path of the Voigt profile.
 */
function wUpper(x: number, y: number, out: Float64Array): void {
  const ax = Math.abs(x);
  const r2 = x * x + y * y;
  if (r2 >= R_CF * R_CF && (y >= Y_NEAR_AXIS || ax > X_FAR)) {
    continuedFraction(x, y, r2, out);
    return;
  }
  midpoint(ax, y, out);
  if (x < 0) out[1] = -out[1]; // w(-x + iy) = conj(w(x + iy))
}

/** Laplace continued fraction, evaluated bottom-up. */
function continuedFraction(x: number, y: number, r2: number, out: Float64Array): void {
  // depth: fitted so that the truncation error is below ~1e-16 relative for |z| >= 6
  const r = Math.sqrt(r2);
  let nu: number;
  if (r > 1e8) nu = 1;
  else if (r > 2e3) nu = 4;
  else if (r > 100) nu = 8;
  else nu = Math.ceil(4 + 900 / (r * r) + 150 / r);
  let re = x;
  let im = y;
  for (let k = nu; k >= 1; k--) {
    // q <- z - (k/2) / q
    const s = (0.5 * k) / (re * re + im * im);
    re = x - re * s;
    im = y + im * s;
  }
  // w = i / (sqrt(pi) q)
  const s = INV_SQRT_PI / (re * re + im * im);
  out[0] = im * s;
  out[1] = re * s;
}

/** Shifted trapezoidal (midpoint) rule with pole correction, for x >= 0, 0 <= y < ~4.5 or |z| < R_CF. */
function midpoint(x: number, y: number, out: Float64Array): void {
  const y2 = y * y;
  // node t = x - d nearest to 0, with d = (k + 1/2) h
  const k0 = Math.round(x / H - 0.5);
  const d0 = (k0 + 0.5) * H;
  const t0 = x - d0;
  let sr = 0;
  let si = 0;
  // upward in t (downward in d): E(t + h) = E(t) exp(-2 t h - h^2)
  let e = Math.exp(-t0 * t0);
  let ratio = Math.exp(-2 * t0 * H - H * H);
  let t = t0;
  let d = d0;
  while (t <= T_MAX) {
    const inv = e / (d * d + y2);
    sr += inv;
    si += inv * d;
    e *= ratio;
    ratio *= EXP_M2H2;
    t += H;
    d -= H;
  }
  // downward in t: E(t - h) = E(t) exp(2 t h - h^2)
  e = Math.exp(-t0 * t0);
  ratio = Math.exp(2 * t0 * H - H * H);
  t = t0;
  d = d0;
  for (;;) {
    e *= ratio;
    ratio *= EXP_M2H2;
    t -= H;
    d += H;
    if (t < -T_MAX) break;
    const inv = e / (d * d + y2);
    sr += inv;
    si += inv * d;
  }
  let re = H_OVER_PI * sr * y;
  let im = H_OVER_PI * si;
  // pole term 2 exp(-z^2) / (1 + exp(2 pi y / h)), exp(-z^2) = exp(y^2 - x^2) (cos 2xy - i sin 2xy)
  const expo = y2 - x * x - log1pExp(TWO_PI_OVER_H * y);
  if (expo > -745) {
    const mag = 2 * Math.exp(expo);
    const phase = 2 * x * y;
    re += mag * Math.cos(phase);
    im -= mag * Math.sin(phase);
  }
  out[0] = re;
  out[1] = im;
}

/** log(1 + exp(a)) for a >= 0 */
function log1pExp(a: number): number {
  return a > 36 ? a + Math.exp(-a) : Math.log1p(Math.exp(a));
}

/**
 * Faddeeva function w(z), z = x + i y, anywhere in the complex plane.
 * Writes Re w into out[0] and Im w into out[1]; allocates nothing.
 * In the lower half plane w grows like 2 exp(-z^2) and may overflow to +-Infinity.
 */
export function faddeeva(x: number, y: number, out: Float64Array): void {
  if (y >= 0) {
    wUpper(x, y, out);
    return;
  }
  // w(z) = 2 exp(-z^2) - w(-z); -z = -x - i y is in the upper half plane
  wUpper(-x, -y, out);
  const mag = 2 * Math.exp(y * y - x * x);
  const phase = -2 * x * y; // exp(-z^2) = exp(y^2 - x^2) exp(-2 i x y)
  out[0] = mag * Math.cos(phase) - out[0];
  out[1] = mag * Math.sin(phase) - out[1];
}

/** Convenience (allocating) form for tests and non-hot code: [Re w, Im w]. */
export function wofz(x: number, y: number): [number, number] {
  const out = new Float64Array(2);
  faddeeva(x, y, out);
  return [out[0], out[1]];
}

/**
 * w(z) and its derivative w'(z) = -2 z w(z) + 2 i / sqrt(pi).
 * out = [Re w, Im w, Re w', Im w'] (length >= 4).
 */
export function faddeevaWithDerivative(x: number, y: number, out: Float64Array): void {
  faddeeva(x, y, out);
  const wr = out[0];
  const wi = out[1];
  out[2] = -2 * (x * wr - y * wi);
  out[3] = -2 * (x * wi + y * wr) + 2 * INV_SQRT_PI;
}
