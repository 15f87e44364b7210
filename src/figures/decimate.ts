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
