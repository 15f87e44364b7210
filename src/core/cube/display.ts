/**
 * Numbers behind the map displays of spectrum images (and any 2-D map): the sum image, display
 * stretches with their colour-bar ticks, histograms and summary statistics. Pure: the heatmap and
 * histogram figures (src/figures) and the panels only draw what these return.
 *
 * Stretches map the display interval [lo, hi] onto [0, 1] (values outside are clipped, NaN stays
 * NaN), following astropy.visualization: linear t = u; log t = log10(1 + a u) / log10(1 + a) with
 * a = 1000 (LogStretch); asinh t = asinh(u / a) / asinh(1 / a) with a = 0.1 (AsinhStretch), where
 * u = (v - lo) / (hi - lo).
 */
import type { Dataset } from '../data/dataset';
import { cubeDims } from './cube';

export type Stretch = 'linear' | 'log' | 'asinh';
export const STRETCHES: Stretch[] = ['linear', 'log', 'asinh'];

const LOG_A = 1000;
const ASINH_A = 0.1;

/**
 * Sum of each pixel's spectrum over the given channels (all channels when absent), NaN/Inf
 * values skipped; a pixel with no finite value in those channels is NaN.
 */
export function sumImage(cube: Dataset, channels?: Int32Array): Float64Array {
  const { pixels, channels: nch } = cubeDims(cube);
  const v = cube.values;
  const out = new Float64Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const o = p * nch;
    let s = 0;
    let n = 0;
    if (channels) {
      for (let i = 0; i < channels.length; i++) {
        const y = v[o + channels[i]];
        if (Number.isFinite(y)) {
          s += y;
          n++;
        }
      }
    } else {
      for (let k = 0; k < nch; k++) {
        const y = v[o + k];
        if (Number.isFinite(y)) {
          s += y;
          n++;
        }
      }
    }
    out[p] = n > 0 ? s : NaN;
  }
  return out;
}

/** [min, max] of the finite values, or null when there are none. */
export function finiteRange(values: ArrayLike<number>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** The stretched value of v in [0, 1] for the display interval [lo, hi] (NaN for NaN). */
export function stretchValue(v: number, mode: Stretch, lo: number, hi: number): number {
  if (Number.isNaN(v)) return NaN;
  const span = hi - lo;
  let u = span > 0 ? (v - lo) / span : 0.5;
  if (u < 0) u = 0;
  else if (u > 1) u = 1;
  if (mode === 'log') return Math.log10(1 + LOG_A * u) / Math.log10(1 + LOG_A);
  if (mode === 'asinh') return Math.asinh(u / ASINH_A) / Math.asinh(1 / ASINH_A);
  return u;
}

/** The data value whose stretched value is t (inverse of stretchValue inside [lo, hi]). */
export function unstretchValue(t: number, mode: Stretch, lo: number, hi: number): number {
  let u = t;
  if (mode === 'log') u = (Math.pow(1 + LOG_A, t) - 1) / LOG_A;
  else if (mode === 'asinh') u = ASINH_A * Math.sinh(t * Math.asinh(1 / ASINH_A));
  return lo + u * (hi - lo);
}

/** Every value stretched (see stretchValue). */
export function stretchMap(values: ArrayLike<number>, mode: Stretch, lo: number, hi: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isFinite(v) ? stretchValue(v, mode, lo, hi) : NaN;
  }
  return out;
}

/** Round tick values ("nice numbers", Heckbert 1990) covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const out: number[] = [];
  const first = Math.ceil(lo / step - 1e-9) * step;
  for (let v = first; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/**
 * Colour-bar ticks for a stretched display: positions in the stretched [0, 1] scale and the data
 * values they stand for. Linear: nice ticks; log / asinh: the interval ends plus values spread
 * evenly in the stretched scale (rounded to 2 significant digits), so the bar stays readable.
 */
export function colourbarTicks(mode: Stretch, lo: number, hi: number, count = 5): { tickvals: number[]; values: number[] } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { tickvals: [], values: [] };
  let values: number[];
  if (mode === 'linear' || hi <= lo) values = niceTicks(lo, hi, count);
  else {
    const set = new Set<number>();
    for (let i = 0; i < count; i++) {
      const v = unstretchValue(i / (count - 1), mode, lo, hi);
      set.add(i === 0 ? lo : i === count - 1 ? hi : Number(v.toPrecision(2)));
    }
    values = [...set].sort((a, b) => a - b);
  }
  return { tickvals: values.map((v) => stretchValue(v, mode, lo, hi)), values };
}

export interface Histogram {
  /** bin edges (bins + 1), equal widths */
  edges: Float64Array;
  counts: Int32Array;
  /** finite values outside [edges[0], edges[bins]] */
  outside: number;
  /** NaN / Inf values (not counted) */
  nonFinite: number;
}

/**
 * Histogram of the finite values in `bins` equal bins over `range` (default: min..max of the
 * values); the last bin includes its right edge. All values equal: one bin of width 1 around them.
 */
export function histogram(values: ArrayLike<number>, bins = 30, range?: [number, number]): Histogram {
  const nb = Math.max(1, Math.floor(bins));
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) nonFinite++;
  let [lo, hi] = range ?? finiteRange(values) ?? [0, 1];
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(nb + 1);
  for (let b = 0; b <= nb; b++) edges[b] = lo + ((hi - lo) * b) / nb;
  const counts = new Int32Array(nb);
  let outside = 0;
  const scale = nb / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo || v > hi) {
      outside++;
      continue;
    }
    let b = Math.floor((v - lo) * scale);
    if (b >= nb) b = nb - 1;
    counts[b]++;
  }
  return { edges, counts, outside, nonFinite };
}

export interface MapStatistics {
  /** finite values */
  count: number;
  /** NaN / Inf values */
  nonFinite: number;
  min: number;
  max: number;
  mean: number;
  /** sample standard deviation (n - 1); NaN for fewer than 2 values */
  std: number;
  median: number;
}

/** Summary statistics of the finite values of a map (NaN fields when it has none). */
export function mapStatistics(values: ArrayLike<number>): MapStatistics {
  const fin: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) fin.push(values[i]);
  const n = fin.length;
  if (n === 0) return { count: 0, nonFinite: values.length, min: NaN, max: NaN, mean: NaN, std: NaN, median: NaN };
  fin.sort((a, b) => a - b);
  // mean and variance by Welford's update (numerically stable)
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const d = fin[i] - mean;
    mean += d / (i + 1);
    m2 += d * (fin[i] - mean);
  }
  const h = n >> 1;
  return {
    count: n,
    nonFinite: values.length - n,
    min: fin[0],
    max: fin[n - 1],
    mean,
    std: n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN,
    median: n % 2 ? fin[h] : 0.5 * (fin[h - 1] + fin[h]),
  };
}

/** A row-major map as rows of numbers for a plotting library (NaN and infinities as null). */
export function mapRows(values: ArrayLike<number>, rows: number, cols: number): (number | null)[][] {
  if (values.length !== rows * cols) throw new RangeError(`mapRows: ${values.length} values do not fill ${rows} x ${cols}`);
  const out: (number | null)[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = new Array<number | null>(cols);
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      row[c] = Number.isFinite(v) ? v : null;
    }
    out.push(row);
  }
  return out;
}

/** The pixel one step from `pixel` in a rows x cols map (clamped at the edges). */
export function stepPixel(pixel: number, rows: number, cols: number, dr: number, dc: number): number {
  const r = Math.min(rows - 1, Math.max(0, Math.floor(pixel / cols) + dr));
  const c = Math.min(cols - 1, Math.max(0, (pixel % cols) + dc));
  return r * cols + c;
}
