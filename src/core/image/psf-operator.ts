/**
 * The PSF as a linear operator from the padded canvas ((rows + 2h) x (cols + 2h)) to the frame
 * (rows x cols), and its adjoint (transpose) from the frame back to the canvas:
 *   forward:  out[i][j]    = sum_(a,b) K[a][b] canvas[i + 2h - a][j + 2h - b]     ('valid' convolution)
 *   adjoint:  canvas[r][c] = sum_(a,b) K[a][b] w[r - 2h + a][c - 2h + b]          (w = 0 outside the frame)
 * The adjoint carries a gradient with respect to the model image back onto the canvas, so the
 * gradient of a statistic needs two PSF operations in all, whatever the number of parameters
 * (image-model.ts, evaluateWithAdjoint).
 *
 * Three ways, chosen once per PSF:
 *   - separable (the PSF is an outer product u v^T to 1e-13, e.g. a Gaussian on a square grid):
 *     two 1D passes, (rows + 2h) cols s + rows cols s multiply-adds, exact;
 *   - direct 2D sums for PSFs up to 9 x 9;
 *   - FFT (fft.ts Convolver2D, power-of-two sizes) otherwise: 'valid' for the forward operator,
 *     'full' with the flipped kernel for the adjoint.
 * The first moments of the PSF (mx, my) give the exact image of a linear sky through it:
 * forward(a + b x + c y) = a + b (x - mx) + c (y - my).
 */
import { Convolver2D } from './fft';
import { psfHalfWidth, type Psf } from './psf';

export type PsfMethod = 'separable' | 'direct' | 'fft';

/** u, v with K[a][b] = u[a] v[b] to 1e-13 of the largest value, or null */
export function separablePsf(data: ArrayLike<number>, size: number): { u: Float64Array; v: Float64Array } | null {
  let ai = 0;
  let bi = 0;
  let peak = -Infinity;
  for (let a = 0; a < size; a++) {
    for (let b = 0; b < size; b++) {
      const x = data[a * size + b];
      if (x > peak) {
        peak = x;
        ai = a;
        bi = b;
      }
    }
  }
  if (!(peak > 0)) return null;
  const u = new Float64Array(size);
  const v = new Float64Array(size);
  for (let a = 0; a < size; a++) u[a] = data[a * size + bi];
  for (let b = 0; b < size; b++) v[b] = data[ai * size + b] / peak;
  const tol = 1e-13 * peak;
  for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) if (Math.abs(data[a * size + b] - u[a] * v[b]) > tol) return null;
  return { u, v };
}

export class PsfOperator {
  readonly rows: number;
  readonly cols: number;
  readonly pad: number;
  readonly canvasRows: number;
  readonly canvasCols: number;
  readonly size: number;
  readonly method: PsfMethod;
  /** first moments of the PSF: column and row offsets of its centroid from the centre pixel */
  readonly mx: number;
  readonly my: number;
  private readonly kernel: Float64Array;
  private readonly u: Float64Array | null = null;
  private readonly v: Float64Array | null = null;
  private readonly tmp: Float64Array;
  /** separable adjoint: the frame padded by 2h zero columns, and the row pass padded by 2h zero rows */
  private readonly wPad: Float64Array;
  private readonly tPad: Float64Array;
  private readonly fwd: Convolver2D | null = null;
  private readonly adj: Convolver2D | null = null;

  constructor(rows: number, cols: number, psf: Psf, method?: PsfMethod) {
    const s = psf.size;
    this.rows = rows;
    this.cols = cols;
    this.size = s;
    this.pad = psfHalfWidth(s);
    this.canvasRows = rows + 2 * this.pad;
    this.canvasCols = cols + 2 * this.pad;
    this.kernel = Float64Array.from(psf.data);
    const h = this.pad;
    let mx = 0;
    let my = 0;
    for (let a = 0; a < s; a++) {
      for (let b = 0; b < s; b++) {
        const k = this.kernel[a * s + b];
        mx += k * (b - h);
        my += k * (a - h);
      }
    }
    this.mx = mx;
    this.my = my;
    const sep = method === undefined || method === 'separable' ? separablePsf(this.kernel, s) : null;
    this.method = sep ? 'separable' : method && method !== 'separable' ? method : s <= 9 ? 'direct' : 'fft';
    this.tmp = new Float64Array(Math.max(this.canvasRows * cols, rows * this.canvasCols));
    this.wPad = new Float64Array(sep ? rows * (cols + 4 * this.pad) : 0);
    this.tPad = new Float64Array(sep ? (rows + 4 * this.pad) * this.canvasCols : 0);
    if (sep) {
      this.u = sep.u;
      this.v = sep.v;
    } else if (this.method === 'fft') {
      this.fwd = new Convolver2D(this.canvasRows, this.canvasCols, this.kernel, s, s, 'valid');
      const flipped = new Float64Array(s * s);
      for (let k = 0; k < s * s; k++) flipped[k] = this.kernel[s * s - 1 - k];
      this.adj = new Convolver2D(rows, cols, flipped, s, s, 'full');
    }
  }

  /** out (rows x cols) = PSF applied to canvas ((rows + 2h) x (cols + 2h)) */
  forward(canvas: Float64Array, out: Float64Array): void {
    if (this.fwd) {
      this.fwd.convolve(canvas, out);
      return;
    }
    if (this.u) this.forwardSeparable(canvas, out);
    else this.forwardDirect(canvas, out);
  }

  /** two canvases at once (one complex FFT on the FFT path) */
  forwardPair(a: Float64Array, b: Float64Array | null, outA: Float64Array, outB: Float64Array | null): void {
    if (this.fwd) {
      this.fwd.convolvePair(a, b, outA, outB);
      return;
    }
    this.forward(a, outA);
    if (b && outB) this.forward(b, outB);
  }

  /** canvas ((rows + 2h) x (cols + 2h)) = transpose of the PSF operator applied to w (rows x cols) */
  adjoint(w: Float64Array, canvas: Float64Array): void {
    if (this.adj) {
      this.adj.convolve(w, canvas);
      return;
    }
    if (this.u) this.adjointSeparable(w, canvas);
    else this.adjointDirect(w, canvas);
  }

  // The separable passes accumulate four outputs at a time in registers (about three times faster
  // in V8 than one output per inner loop or streaming updates of a row).

  private forwardSeparable(canvas: Float64Array, out: Float64Array): void {
    this.forwardRows(canvas, this.tmp, 0, this.canvasRows);
    this.forwardColumns(this.tmp, out, 0, this.rows);
  }

  private adjointSeparable(w: Float64Array, canvas: Float64Array): void {
    this.adjointRows(w, this.tPad, 0, this.rows);
    this.adjointColumns(this.tPad, canvas, 0, this.canvasRows);
  }

  // The separable operator split by rows, so that threads can share one application (the banded
  // gradient of image-model.ts): each pass writes only the rows it is given, and a pass may start
  // once the rows it reads are written (forwardColumns reads tmp rows i .. i + 2h of frame row i,
  // adjointColumns reads tPad rows r .. r + 2h of canvas row r).

  /** whether the banded passes below apply (a separable PSF) */
  get banded(): boolean {
    return this.u !== null;
  }

  /** the length of the buffer between the forward passes ((rows + 2h) x cols) */
  get forwardBufferLength(): number {
    return this.canvasRows * this.cols;
  }

  /** the length of the buffer between the adjoint passes ((rows + 4h) x (cols + 2h)); its first and last 2h rows must be zero */
  get adjointBufferLength(): number {
    return (this.rows + 4 * this.pad) * this.canvasCols;
  }

  /** forward, first pass: tmp[r][j] = sum_b v[b] canvas[r][j + 2h - b] for canvas rows r0 .. r1 - 1 */
  forwardRows(canvas: Float64Array, tmp: Float64Array, r0: number, r1: number): void {
    this.rowPass(canvas, r0, r1, this.canvasCols, this.pad * 2, tmp, this.cols, this.v!, this.size);
  }

  /** forward, second pass: out[i][j] = sum_a u[a] tmp[i + 2h - a][j] for frame rows i0 .. i1 - 1 */
  forwardColumns(tmp: Float64Array, out: Float64Array, i0: number, i1: number): void {
    this.columnPass(tmp, i0, i1, this.cols, out, this.u!, this.size);
  }

  /** adjoint, first pass: tPad[2h + i][c] = sum_b v[b] w[i][c - 2h + b] for frame rows i0 .. i1 - 1 */
  adjointRows(w: Float64Array, tPad: Float64Array, i0: number, i1: number): void {
    const { cols, canvasCols: C, size: s } = this;
    const h2 = 2 * this.pad;
    // wPad: w with h2 zero columns on each side (rows i0 .. i1 - 1 written here, the padding stays zero)
    const wPad = this.wPad;
    const WC = cols + 2 * h2;
    for (let i = i0; i < i1; i++) wPad.set(w.subarray(i * cols, (i + 1) * cols), i * WC + h2);
    this.rowPassReversed(wPad, i0, i1, WC, tPad.subarray(h2 * C), C, this.v!, s);
  }

  /** adjoint, second pass: canvas[r][c] = sum_a u[a] tPad[r + a][c] for canvas rows r0 .. r1 - 1 */
  adjointColumns(tPad: Float64Array, canvas: Float64Array, r0: number, r1: number): void {
    this.columnPassForward(tPad, r0, r1, this.canvasCols, canvas, this.u!, this.size);
  }

  /** dst[r][j] = sum_b k[b] src[r][j + off - b], rows r0 .. r1 - 1, j < dcols (4 at a time) */
  private rowPass(src: Float64Array, r0: number, r1: number, scols: number, off: number, dst: Float64Array, dcols: number, k: Float64Array, s: number): void {
    for (let r = r0; r < r1; r++) {
      const t = r * dcols;
      const o = r * scols + off;
      let j = 0;
      for (; j + 3 < dcols; j += 4) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        const base = o + j;
        for (let b = 0; b < s; b++) {
          const kb = k[b];
          const q = base - b;
          a0 += kb * src[q];
          a1 += kb * src[q + 1];
          a2 += kb * src[q + 2];
          a3 += kb * src[q + 3];
        }
        dst[t + j] = a0;
        dst[t + j + 1] = a1;
        dst[t + j + 2] = a2;
        dst[t + j + 3] = a3;
      }
      for (; j < dcols; j++) {
        let acc = 0;
        const base = o + j;
        for (let b = 0; b < s; b++) acc += k[b] * src[base - b];
        dst[t + j] = acc;
      }
    }
  }

  /** dst[r][c] = sum_b k[b] src[r][c + b], rows r0 .. r1 - 1, c < dcols (4 at a time) */
  private rowPassReversed(src: Float64Array, r0: number, r1: number, scols: number, dst: Float64Array, dcols: number, k: Float64Array, s: number): void {
    for (let r = r0; r < r1; r++) {
      const t = r * dcols;
      const o = r * scols;
      let c = 0;
      for (; c + 3 < dcols; c += 4) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        const base = o + c;
        for (let b = 0; b < s; b++) {
          const kb = k[b];
          const q = base + b;
          a0 += kb * src[q];
          a1 += kb * src[q + 1];
          a2 += kb * src[q + 2];
          a3 += kb * src[q + 3];
        }
        dst[t + c] = a0;
        dst[t + c + 1] = a1;
        dst[t + c + 2] = a2;
        dst[t + c + 3] = a3;
      }
      for (; c < dcols; c++) {
        let acc = 0;
        const base = o + c;
        for (let b = 0; b < s; b++) acc += k[b] * src[base + b];
        dst[t + c] = acc;
      }
    }
  }

  /** dst[i][j] = sum_a k[a] src[i + 2h - a][j], rows i0 .. i1 - 1 */
  private columnPass(src: Float64Array, i0: number, i1: number, ncols: number, dst: Float64Array, k: Float64Array, s: number): void {
    const h2 = 2 * this.pad;
    for (let i = i0; i < i1; i++) {
      const o = i * ncols;
      let j = 0;
      for (; j + 3 < ncols; j += 4) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let a = 0; a < s; a++) {
          const ka = k[a];
          const q = (i + h2 - a) * ncols + j;
          a0 += ka * src[q];
          a1 += ka * src[q + 1];
          a2 += ka * src[q + 2];
          a3 += ka * src[q + 3];
        }
        dst[o + j] = a0;
        dst[o + j + 1] = a1;
        dst[o + j + 2] = a2;
        dst[o + j + 3] = a3;
      }
      for (; j < ncols; j++) {
        let acc = 0;
        for (let a = 0; a < s; a++) acc += k[a] * src[(i + h2 - a) * ncols + j];
        dst[o + j] = acc;
      }
    }
  }

  /** dst[r][c] = sum_a k[a] src[r + a][c], rows r0 .. r1 - 1 */
  private columnPassForward(src: Float64Array, r0: number, r1: number, ncols: number, dst: Float64Array, k: Float64Array, s: number): void {
    for (let r = r0; r < r1; r++) {
      const o = r * ncols;
      let c = 0;
      for (; c + 3 < ncols; c += 4) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let a = 0; a < s; a++) {
          const ka = k[a];
          const q = (r + a) * ncols + c;
          a0 += ka * src[q];
          a1 += ka * src[q + 1];
          a2 += ka * src[q + 2];
          a3 += ka * src[q + 3];
        }
        dst[o + c] = a0;
        dst[o + c + 1] = a1;
        dst[o + c + 2] = a2;
        dst[o + c + 3] = a3;
      }
      for (; c < ncols; c++) {
        let acc = 0;
        for (let a = 0; a < s; a++) acc += k[a] * src[(r + a) * ncols + c];
        dst[o + c] = acc;
      }
    }
  }

  private forwardDirect(canvas: Float64Array, out: Float64Array): void {
    const { rows, cols, canvasCols: C, size: s, kernel } = this;
    const h2 = 2 * this.pad;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let acc = 0;
        for (let a = 0; a < s; a++) {
          const o = (i + h2 - a) * C + j + h2;
          const ka = a * s;
          for (let b = 0; b < s; b++) acc += kernel[ka + b] * canvas[o - b];
        }
        out[i * cols + j] = acc;
      }
    }
  }

  private adjointDirect(w: Float64Array, canvas: Float64Array): void {
    const { rows, cols, canvasRows: R, canvasCols: C, size: s, kernel } = this;
    const h2 = 2 * this.pad;
    canvas.fill(0, 0, R * C);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const x = w[i * cols + j];
        if (x === 0) continue;
        for (let a = 0; a < s; a++) {
          const o = (i + h2 - a) * C + j + h2;
          const ka = a * s;
          for (let b = 0; b < s; b++) canvas[o - b] += kernel[ka + b] * x;
        }
      }
    }
  }

  matches(rows: number, cols: number, psf: Psf): boolean {
    if (rows !== this.rows || cols !== this.cols || psf.size !== this.size || psf.data.length !== this.kernel.length) return false;
    for (let k = 0; k < this.kernel.length; k++) if (psf.data[k] !== this.kernel[k]) return false;
    return true;
  }
}

const cache: PsfOperator[] = [];
const CACHE_SIZE = 4;

/** An operator for this frame and PSF, reused from a small cache (PSF compared by value). */
export function getPsfOperator(rows: number, cols: number, psf: Psf): PsfOperator {
  for (let k = 0; k < cache.length; k++) {
    const c = cache[k];
    if (c.matches(rows, cols, psf)) {
      if (k > 0) {
        cache.splice(k, 1);
        cache.unshift(c);
      }
      return c;
    }
  }
  const c = new PsfOperator(rows, cols, psf);
  cache.unshift(c);
  if (cache.length > CACHE_SIZE) cache.pop();
  return c;
}
