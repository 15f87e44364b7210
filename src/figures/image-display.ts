/**
 * Pure helpers for drawing images (the app's data / model / residual panels): display limits,
 * stretches, colour maps into RGBA bytes, colour-bar ticks, component ellipses and slider ranges
 * of 2D parameters. Row 0 of an image is drawn at the BOTTOM (y up, as astronomers display
 * images), so a position angle measured from +x towards +y turns counter-clockwise on screen.
 *
 * Stretches map t = (v - lo) / (hi - lo), clipped to [0, 1], to a display level s in [0, 1]
 * (the DS9 / astropy.visualization definitions):
 *   linear  s = t
 *   log     s = log10(1 + a t) / log10(1 + a),   a = 1000
 *   asinh   s = asinh(t / b) / asinh(1 / b),       b = 0.1
 */

export type Stretch = 'linear' | 'log' | 'asinh';
export const STRETCHES: Stretch[] = ['linear', 'log', 'asinh'];

const LOG_A = 1000;
const ASINH_B = 0.1;

export function stretchLevel(t: number, stretch: Stretch): number {
  const u = t < 0 ? 0 : t > 1 ? 1 : t;
  if (stretch === 'log') return Math.log10(1 + LOG_A * u) / Math.log10(1 + LOG_A);
  if (stretch === 'asinh') return Math.asinh(u / ASINH_B) / Math.asinh(1 / ASINH_B);
  return u;
}

/** The inverse of stretchLevel (display level -> t). */
export function stretchInverse(s: number, stretch: Stretch): number {
  const u = s < 0 ? 0 : s > 1 ? 1 : s;
  if (stretch === 'log') return (Math.pow(1 + LOG_A, u) - 1) / LOG_A;
  if (stretch === 'asinh') return ASINH_B * Math.sinh(u * Math.asinh(1 / ASINH_B));
  return u;
}

function finiteSorted(values: ArrayLike<number>, mask?: Uint8Array | null): Float64Array {
  let n = 0;
  const tmp = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) if ((!mask || !mask[i]) && Number.isFinite(values[i])) tmp[n++] = values[i];
  return tmp.subarray(0, n).sort();
}

/** The p-th percentile (0..100) of sorted values, linear between ranks (numpy's default). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const r = (p / 100) * (sorted.length - 1);
  const i = Math.floor(r);
  const f = r - i;
  return i + 1 < sorted.length ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** Display limits [lo, hi] of an image: the 0.5th and 99.5th percentiles of its unmasked pixels. */
export function displayLimits(values: ArrayLike<number>, mask?: Uint8Array | null, lowPct = 0.5, highPct = 99.5): [number, number] {
  const s = finiteSorted(values, mask);
  if (s.length === 0) return [0, 1];
  let lo = percentile(s, lowPct);
  let hi = percentile(s, highPct);
  if (!(hi > lo)) {
    lo = s[0];
    hi = s[s.length - 1];
  }
  if (!(hi > lo)) hi = lo + (Math.abs(lo) || 1);
  return [lo, hi];
}

/** Symmetric limits [-m, m] for a residual: m = the 99th percentile of |r| (at least 1e-12). */
export function residualLimits(values: ArrayLike<number>): [number, number] {
  const abs = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) abs[i] = Math.abs(values[i]);
  const s = finiteSorted(abs);
  const m = s.length ? Math.max(percentile(s, 99), 1e-12) : 1;
  return [-m, m];
}

/** A colour map: 256 RGB triples. */
export type ColorMap = Uint8Array;

function lut(stops: [number, number, number, number][]): ColorMap {
  const out = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) {
    const t = k / 255;
    let j = 0;
    while (j < stops.length - 2 && t > stops[j + 1][0]) j++;
    const [t0, r0, g0, b0] = stops[j];
    const [t1, r1, g1, b1] = stops[j + 1];
    const f = t1 > t0 ? Math.min(1, Math.max(0, (t - t0) / (t1 - t0))) : 0;
    out[3 * k] = Math.round(r0 + f * (r1 - r0));
    out[3 * k + 1] = Math.round(g0 + f * (g1 - g0));
    out[3 * k + 2] = Math.round(b0 + f * (b1 - b0));
  }
  return out;
}

/** Sequential map for data and model (viridis anchors, matplotlib). */
export const SEQUENTIAL: ColorMap = lut([
  [0, 68, 1, 84],
  [0.25, 59, 82, 139],
  [0.5, 33, 145, 140],
  [0.75, 94, 201, 98],
  [1, 253, 231, 37],
]);

/** Diverging map for residuals: blue - white - red (ColorBrewer RdBu anchors). */
export const DIVERGING: ColorMap = lut([
  [0, 5, 48, 97],
  [0.25, 67, 147, 195],
  [0.5, 247, 247, 247],
  [0.75, 214, 96, 77],
  [1, 103, 0, 31],
]);

/** Colour of masked or non-finite pixels (RGBA). */
export const MASKED_RGBA: [number, number, number, number] = [160, 160, 160, 255];

/**
 * Fills `out` (rows x cols x 4 bytes, canvas ImageData order, top row first) with the image's
 * colours: row i of the image goes to canvas row rows - 1 - i (y up).
 */
export function renderRgba(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  limits: [number, number],
  stretch: Stretch,
  cmap: ColorMap,
  out: Uint8ClampedArray,
  mask?: Uint8Array | null,
): void {
  const [lo, hi] = limits;
  const inv = hi > lo ? 1 / (hi - lo) : 0;
  // a table of the stretch (4096 levels) keeps the per-pixel cost to one multiply and a lookup
  const N = 4096;
  const table = new Uint8Array(N + 1);
  for (let k = 0; k <= N; k++) table[k] = Math.round(255 * stretchLevel(k / N, stretch));
  for (let i = 0; i < rows; i++) {
    const row = (rows - 1 - i) * cols;
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const o = 4 * (row + j);
      const v = values[k];
      if ((mask && mask[k]) || !Number.isFinite(v)) {
        out[o] = MASKED_RGBA[0];
        out[o + 1] = MASKED_RGBA[1];
        out[o + 2] = MASKED_RGBA[2];
        out[o + 3] = MASKED_RGBA[3];
        continue;
      }
      let t = (v - lo) * inv;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const c = 3 * table[Math.round(t * N)];
      out[o] = cmap[c];
      out[o + 1] = cmap[c + 1];
      out[o + 2] = cmap[c + 2];
      out[o + 3] = 255;
    }
  }
}

/** "Nice" tick values in [lo, hi] (1, 2, 5 x 10^k steps), about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.abs(v) < 1e-12 * step ? 0 : v);
  return out;
}

/**
 * Colour-bar ticks: values with their display level s in [0, 1] under the stretch. For log and
 * asinh the ticks are nice values of the stretched axis, so they spread over the bar.
 */
export function colorbarTicks(limits: [number, number], stretch: Stretch, count = 5): { value: number; level: number }[] {
  const [lo, hi] = limits;
  if (!(hi > lo)) return [];
  const level = (v: number) => stretchLevel((v - lo) / (hi - lo), stretch);
  if (stretch === 'linear') return niceTicks(lo, hi, count).map((value) => ({ value, level: level(value) }));
  // values at evenly spaced levels, rounded to 2 significant digits
  const out: { value: number; level: number }[] = [];
  for (let k = 0; k <= count; k++) {
    const v = lo + stretchInverse(k / count, stretch) * (hi - lo);
    const r = v === 0 ? 0 : Number(v.toPrecision(2));
    if (r < lo || r > hi) continue;
    if (out.length && Math.abs(level(r) - out[out.length - 1].level) < 0.06) continue;
    out.push({ value: r, level: level(r) });
  }
  return out;
}

export interface ComponentEllipse {
  x: number;
  y: number;
  /** semi-major and semi-minor axes (pixels) */
  a: number;
  b: number;
  /** radians from +x towards +y */
  pa: number;
}

/**
 * The half-light ellipse of a 2D component (Re for Sersic and ExponentialDisk; the half-light
 * radius sigma sqrt(2 ln 2) for Gaussian2D and Rd sqrt(2^(1/(n-1)) - 1) for Moffat2D), or null
 * for components without a centre (sky).
 */
export function componentEllipse(type: string, p: Record<string, number>): ComponentEllipse | null {
  if (!('x' in p) || !('y' in p)) return null;
  let r: number;
  switch (type) {
    case 'Sersic':
    case 'ExponentialDisk':
      r = p.Re;
      break;
    case 'Gaussian2D':
      r = p.sigma * Math.sqrt(2 * Math.LN2);
      break;
    case 'Moffat2D':
      r = p.n > 1 ? p.Rd * Math.sqrt(Math.pow(2, 1 / (p.n - 1)) - 1) : p.Rd;
      break;
    default:
      return null;
  }
  const q = Math.min(1, Math.max(0, p.q ?? 1));
  if (!Number.isFinite(r) || !(r > 0)) r = 0.5;
  return { x: p.x, y: p.y, a: r, b: Math.max(r * q, 0.05), pa: p.PA ?? 0 };
}

/** Degrees shown for radians stored (PA), and back. */
export const DEG_PER_RAD = 180 / Math.PI;

/**
 * Slider range of a 2D parameter, in the units shown (PA in degrees): positions span the image,
 * PA 0..180 degrees, sizes 0..the larger image side, q its bounds; widened to hold the value.
 * Null: use the generic range.
 */
export function imageSliderRange(param: string, value: number, shape: number[], lower: number | null, upper: number | null): [number, number] | null {
  const [rows, cols] = shape;
  let r: [number, number] | null = null;
  if (param === 'x') r = [-0.5, cols - 0.5];
  else if (param === 'y') r = [-0.5, rows - 0.5];
  else if (param === 'PA') r = [0, 180];
  else if (param === 'Re' || param === 'sigma' || param === 'Rd') r = [0, Math.max(rows, cols)];
  else if (param === 'q') r = [lower ?? 0, upper ?? 1];
  else if (param === 'n' && lower !== null && upper !== null) r = [lower, upper];
  if (!r) return null;
  if (value < r[0]) r[0] = value;
  if (value > r[1]) r[1] = value;
  return r;
}
