/**
 * Min/max decimation per pixel column: a line drawn through the result looks the same as the
 * full line at that width, with at most ~4 points per column, so redraws stay under a frame.
 * x must be sorted ascending.
 */
export interface XY {
  x: Float64Array;
  y: Float64Array;
}

export function decimateMinMax(x: ArrayLike<number>, y: ArrayLike<number>, columns: number): XY {
  const n = x.length;
  if (n <= 4 * columns || n < 2) return { x: Float64Array.from(x), y: Float64Array.from(y) };
  const x0 = x[0];
  const span = x[n - 1] - x0 || 1;
  const outX: number[] = [];
  const outY: number[] = [];
  let i = 0;
  while (i < n) {
    const col = Math.min(columns - 1, Math.floor(((x[i] - x0) / span) * columns));
    const start = i;
    let iMin = i;
    let iMax = i;
    while (i < n && Math.min(columns - 1, Math.floor(((x[i] - x0) / span) * columns)) === col) {
      if (y[i] < y[iMin]) iMin = i;
      if (y[i] > y[iMax]) iMax = i;
      i++;
    }
    const end = i - 1;
    // keep first, extremes in x order, last: the column's vertical extent and its joins to neighbours
    const picks = [start, Math.min(iMin, iMax), Math.max(iMin, iMax), end];
    let prev = -1;
    for (const p of picks) {
      if (p === prev) continue;
      outX.push(x[p]);
      outY.push(y[p]);
      prev = p;
    }
  }
  return { x: Float64Array.from(outX), y: Float64Array.from(outY) };
}

export interface Envelope {
  x: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

/**
 * Band envelope per pixel column (min of lo, max of hi, at the column's mean x); the points
 * themselves when there are at most 2 per column. x must be sorted ascending.
 */
export function envelope(x: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, columns: number): Envelope {
  const n = x.length;
  if (n <= 2 * columns || n < 2) return { x: Float64Array.from(x), lo: Float64Array.from(lo), hi: Float64Array.from(hi) };
  const x0 = x[0];
  const span = x[n - 1] - x0 || 1;
  const outX: number[] = [];
  const outLo: number[] = [];
  const outHi: number[] = [];
  let i = 0;
  while (i < n) {
    const col = Math.min(columns - 1, Math.floor(((x[i] - x0) / span) * columns));
    let sx = 0;
    let k = 0;
    let l = Infinity;
    let h = -Infinity;
    while (i < n && Math.min(columns - 1, Math.floor(((x[i] - x0) / span) * columns)) === col) {
      sx += x[i];
      k++;
      if (lo[i] < l) l = lo[i];
      if (hi[i] > h) h = hi[i];
      i++;
    }
    outX.push(sx / k);
    outLo.push(l);
    outHi.push(h);
  }
  return { x: Float64Array.from(outX), lo: Float64Array.from(outLo), hi: Float64Array.from(outHi) };
}
