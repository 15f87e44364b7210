/**
 * Shared starting-value estimates for the 1D components' `guess`.
 * Input: x ascending (estimate.ts sorts it), y with the other components already subtracted.
 * These run once per "estimate from data", not in the fit loop, so allocation is fine here.
 */
import { erf } from '../../special/erf';

/** 2 sqrt(2 ln 2): Gaussian FWHM / sigma */
export const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);
/** height * FWHM / area of a Gaussian (2 sqrt(2 ln 2) / sqrt(2 pi)) */
const SHAPE_GAUSS = FWHM_PER_SIGMA / Math.sqrt(2 * Math.PI);
/** height * FWHM / area of a Lorentzian (2 / pi) */
const SHAPE_LORENTZ = 2 / Math.PI;

export interface PeakEstimate {
  /** position of the maximum (refined by a parabola through the three highest samples) */
  centre: number;
  /** full width at half maximum, from linearly interpolated half-maximum crossings */
  fwhm: number;
  /** maximum of y */
  height: number;
  /** trapezoid integral of the positive part of y over the data range */
  area: number;
}

function finiteOr(v: number, fallback: number): number {
  return Number.isFinite(v) ? v : fallback;
}

/** Trapezoid integral of max(y, 0). */
export function positiveArea(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) {
    const a = y[i - 1] > 0 ? y[i - 1] : 0;
    const b = y[i] > 0 ? y[i] : 0;
    s += 0.5 * (a + b) * (x[i] - x[i - 1]);
  }
  return Math.abs(s);
}

/** Position, width, height and area of the highest peak in (x, y). */
export function estimatePeak(x: Float64Array, y: Float64Array): PeakEstimate {
  const n = Math.min(x.length, y.length);
  const span = n > 1 ? x[n - 1] - x[0] : 1;
  if (n === 0) return { centre: 0, fwhm: 1, height: 0, area: 0 };
  let imax = 0;
  for (let i = 1; i < n; i++) if (y[i] > y[imax]) imax = i;
  const height = y[imax];
  let centre = x[imax];
  // parabola through the three samples around the maximum (works for uneven spacing)
  if (imax > 0 && imax < n - 1) {
    const x0 = x[imax - 1], x1 = x[imax], x2 = x[imax + 1];
    const y0 = y[imax - 1], y1 = y[imax], y2 = y[imax + 1];
    const d1 = (y1 - y0) / (x1 - x0);
    const d2 = (y2 - y1) / (x2 - x1);
    const curv = (d2 - d1) / (x2 - x0); // half the second derivative
    if (curv < 0) {
      const v = 0.5 * (x0 + x1) - d1 / (2 * curv);
      if (v > x0 && v < x2) centre = v;
    }
  }
  if (!(height > 0)) {
    return { centre: 0.5 * (x[0] + x[n - 1]), fwhm: finiteOr(Math.abs(span) / 10, 1) || 1, height: 0, area: 0 };
  }
  const half = 0.5 * height;
  let left = NaN;
  for (let j = imax - 1; j >= 0; j--) {
    if (y[j] <= half) {
      const t = (half - y[j]) / (y[j + 1] - y[j]);
      left = x[j] + t * (x[j + 1] - x[j]);
      break;
    }
  }
  let right = NaN;
  for (let j = imax + 1; j < n; j++) {
    if (y[j] <= half) {
      const t = (y[j - 1] - half) / (y[j - 1] - y[j]);
      right = x[j - 1] + t * (x[j] - x[j - 1]);
      break;
    }
  }
  let fwhm: number;
  if (Number.isFinite(left) && Number.isFinite(right)) fwhm = right - left;
  else if (Number.isFinite(left)) fwhm = 2 * (centre - left);
  else if (Number.isFinite(right)) fwhm = 2 * (right - centre);
  else fwhm = Math.abs(span) / 2;
  if (!(fwhm > 0)) {
    // single-sample spike: one sample spacing
    fwhm = n > 1 ? Math.abs(span) / (n - 1) : 1;
    if (!(fwhm > 0)) fwhm = 1;
  }
  return { centre, fwhm, height, area: positiveArea(x, y) };
}

/** Fraction of a unit-area Gaussian (centre, sigma) inside [a, b]. */
export function gaussianFraction(a: number, b: number, centre: number, sigma: number): number {
  const s = Math.SQRT2 * sigma;
  return 0.5 * (erf((b - centre) / s) - erf((a - centre) / s));
}

/** Fraction of a unit-area Lorentzian (centre, gamma = HWHM) inside [a, b]. */
export function lorentzianFraction(a: number, b: number, centre: number, gamma: number): number {
  return (Math.atan((b - centre) / gamma) - Math.atan((a - centre) / gamma)) / Math.PI;
}

/** Divides a truncated area by the captured fraction (never by less than 0.5). */
function correctArea(area: number, fraction: number): number {
  return area / Math.max(0.5, Math.min(1, Number.isFinite(fraction) ? fraction : 1));
}

/** Area corrected for the tails of a Gaussian outside the data range. */
export function gaussianArea(x: Float64Array, p: PeakEstimate): number {
  const n = x.length;
  if (n < 2) return p.area;
  return correctArea(p.area, gaussianFraction(x[0], x[n - 1], p.centre, p.fwhm / FWHM_PER_SIGMA));
}

/** Area corrected for the tails of a Lorentzian outside the data range. */
export function lorentzianArea(x: Float64Array, p: PeakEstimate): number {
  const n = x.length;
  if (n < 2) return p.area;
  return correctArea(p.area, lorentzianFraction(x[0], x[n - 1], p.centre, p.fwhm / 2));
}

/**
 * Lorentzian fraction eta of a pseudo-Voigt of the same FWHM, from the shape ratio
 * height * FWHM / area (Gaussian 0.9394, Lorentzian 0.6366), with the area corrected for
 * the tails outside the data; returns eta in [0, 1] and the corrected area.
 */
export function estimateMix(x: Float64Array, p: PeakEstimate): { eta: number; area: number } {
  const n = x.length;
  let area = p.area;
  let eta = 0.5;
  if (!(area > 0) || !(p.height > 0) || n < 2) return { eta, area };
  const sigma = p.fwhm / FWHM_PER_SIGMA;
  const gamma = p.fwhm / 2;
  const fg = gaussianFraction(x[0], x[n - 1], p.centre, sigma);
  const fl = lorentzianFraction(x[0], x[n - 1], p.centre, gamma);
  for (let pass = 0; pass < 3; pass++) {
    const ratio = (p.height * p.fwhm) / area;
    eta = (SHAPE_GAUSS - ratio) / (SHAPE_GAUSS - SHAPE_LORENTZ);
    eta = Math.min(1, Math.max(0, finiteOr(eta, 0.5)));
    area = correctArea(p.area, eta * fl + (1 - eta) * fg);
  }
  return { eta, area };
}

export interface StepEstimate {
  /** mean of y over the first tenth of the points */
  low: number;
  /** mean of y over the last tenth of the points */
  high: number;
  /** x where y first crosses low + f (high - low), f = 0.25, 0.5, 0.75 */
  x25: number;
  x50: number;
  x75: number;
}

/** First x at which y crosses `level` (linear interpolation); NaN if it never does. */
function crossing(x: Float64Array, y: Float64Array, level: number, rising: boolean): number {
  for (let i = 1; i < x.length; i++) {
    const a = y[i - 1] - level;
    const b = y[i] - level;
    if (rising ? a < 0 && b >= 0 : a > 0 && b <= 0) {
      return x[i - 1] + (a / (a - b)) * (x[i] - x[i - 1]);
    }
  }
  return NaN;
}

/** Levels at both ends and the positions of the 25 / 50 / 75 % crossings of a step-like signal. */
export function estimateStep(x: Float64Array, y: Float64Array): StepEstimate {
  const n = Math.min(x.length, y.length);
  if (n === 0) return { low: 0, high: 0, x25: -1, x50: 0, x75: 1 };
  const m = Math.max(1, Math.floor(n / 10));
  let low = 0;
  let high = 0;
  for (let i = 0; i < m; i++) {
    low += y[i];
    high += y[n - 1 - i];
  }
  low /= m;
  high /= m;
  const rising = high >= low;
  const mid = 0.5 * (x[0] + x[n - 1]);
  const span = Math.abs(x[n - 1] - x[0]) || 1;
  let x50 = crossing(x, y, low + 0.5 * (high - low), rising);
  if (!Number.isFinite(x50)) x50 = mid;
  let x25 = crossing(x, y, low + 0.25 * (high - low), rising);
  let x75 = crossing(x, y, low + 0.75 * (high - low), rising);
  if (!Number.isFinite(x25) || x25 > x50) x25 = Number.isFinite(x75) && x75 > x50 ? 2 * x50 - x75 : x50 - span / 20;
  if (!Number.isFinite(x75) || x75 < x50) x75 = x50 + (x50 - x25);
  if (!(x75 > x25)) {
    x25 = x50 - span / 20;
    x75 = x50 + span / 20;
  }
  return { low, high, x25, x50, x75 };
}

/**
 * Least-squares solution of A c = b for a small dense symmetric system (normal equations),
 * Gaussian elimination with partial pivoting; m x m matrix stored row-major. Returns null if singular.
 */
export function solveSmall(a: Float64Array, b: Float64Array, m: number): Float64Array | null {
  const M = Float64Array.from(a);
  const v = Float64Array.from(b);
  let scale = 0;
  for (let i = 0; i < m * m; i++) scale = Math.max(scale, Math.abs(M[i]));
  if (!(scale > 0)) return null;
  for (let col = 0; col < m; col++) {
    let piv = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(M[r * m + col]) > Math.abs(M[piv * m + col])) piv = r;
    if (!(Math.abs(M[piv * m + col]) > 1e-14 * scale)) return null;
    if (piv !== col) {
      for (let c = 0; c < m; c++) {
        const t = M[col * m + c];
        M[col * m + c] = M[piv * m + c];
        M[piv * m + c] = t;
      }
      const t = v[col];
      v[col] = v[piv];
      v[piv] = t;
    }
    const d = M[col * m + col];
    for (let r = col + 1; r < m; r++) {
      const f = M[r * m + col] / d;
      if (f === 0) continue;
      for (let c = col; c < m; c++) M[r * m + c] -= f * M[col * m + c];
      v[r] -= f * v[col];
    }
  }
  const out = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let s = v[r];
    for (let c = r + 1; c < m; c++) s -= M[r * m + c] * out[c];
    out[r] = s / M[r * m + r];
  }
  return out;
}
