/** Test aids for the PSF code: a seeded uniform generator and the PSF sum written out plainly. */

export function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** out[i][j] = sum_(a,b) psf[a][b] canvas[i + 2h - a][j + 2h - b], written out plainly */
export function directPsf(canvas: Float64Array, rows: number, cols: number, psf: Float64Array, size: number): Float64Array {
  const h = (size - 1) / 2;
  const C = cols + 2 * h;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) s += psf[a * size + b] * canvas[(i + 2 * h - a) * C + (j + 2 * h - b)];
      out[i * cols + j] = s;
    }
  }
  return out;
}
