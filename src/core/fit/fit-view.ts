/**
 * The points a fit sees: unmasked, finite, inside the fit ranges. Built once per fit;
 * coordinates are copied so compiled models run on contiguous arrays.
 */
import type { Dataset } from '../data/dataset';
import type { FitRange } from './settings';

export interface FitView {
  n: number;
  /** index of each fitted point in the dataset */
  indices: Int32Array;
  coords: Record<string, Float64Array>;
  y: Float64Array;
  sigma: Float64Array | undefined;
}

export function pointIncluded(x: number, ranges: FitRange[]): boolean {
  let hasInclude = false;
  let inInclude = false;
  for (const r of ranges) {
    const lo = Math.min(r.min, r.max);
    const hi = Math.max(r.min, r.max);
    const inside = x >= lo && x <= hi;
    if (r.mode === 'exclude' && inside) return false;
    if (r.mode === 'include') {
      hasInclude = true;
      if (inside) inInclude = true;
    }
  }
  return !hasInclude || inInclude;
}

/** Include flag per point (1 = fitted). Ranges apply to coordinate `x`. */
export function includedPoints(d: Dataset, ranges: FitRange[]): Uint8Array {
  const n = d.values.length;
  const inc = new Uint8Array(n);
  const x = d.coords.x;
  for (let i = 0; i < n; i++) {
    if (d.mask && d.mask[i]) continue;
    if (!Number.isFinite(d.values[i])) continue;
    if (x && ranges.length > 0 && !pointIncluded(x[i], ranges)) continue;
    inc[i] = 1;
  }
  return inc;
}

export function makeFitView(d: Dataset, ranges: FitRange[]): FitView {
  const inc = includedPoints(d, ranges);
  let n = 0;
  for (let i = 0; i < inc.length; i++) n += inc[i];
  const indices = new Int32Array(n);
  for (let i = 0, k = 0; i < inc.length; i++) if (inc[i]) indices[k++] = i;
  const pick = (a: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = a[indices[k]];
    return out;
  };
  const coords: Record<string, Float64Array> = {};
  for (const [name, arr] of Object.entries(d.coords)) coords[name] = pick(arr);
  return { n, indices, coords, y: pick(d.values), sigma: d.sigma ? pick(d.sigma) : undefined };
}
