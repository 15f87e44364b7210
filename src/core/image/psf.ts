/**
 * Point-spread functions on odd square grids (centre pixel = the PSF centre), normalised to sum 1,
 * and PSF convolution of model images.
 *
 * Convolution follows AstroPhot's approach: the model is evaluated on a canvas padded by the PSF
 * half-width h on every side, so light from sources just outside the frame is scattered into it;
 * the padded canvas is convolved and cropped back to the frame (a 'valid' convolution):
 *   out[i][j] = sum_(a,b) psf[a][b] padded[i + 2h - a][j + 2h - b],  i < rows, j < cols
 * where padded pixel (i', j') is frame pixel (i' - h, j' - h).
 */
import { erf } from '../special/erf';
import { Convolver2D, convolve2dDirect } from './fft';

export interface Psf {
  /** size x size values, row-major, sum 1 */
  data: Float64Array;
  /** odd */
  size: number;
}

export class PsfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PsfError';
  }
}

/** The PSF half-width h = (size - 1) / 2; the padding on each side of a convolved frame. */
export function psfHalfWidth(size: number): number {
  return (size - 1) >> 1;
}

/** Shape of the canvas a model is evaluated on before convolution with a PSF of this size. */
export function paddedShape(rows: number, cols: number, psfSize: number): { rows: number; cols: number; pad: number } {
  const pad = psfHalfWidth(psfSize);
  return { rows: rows + 2 * pad, cols: cols + 2 * pad, pad };
}

/**
 * A PSF from an image: square with an odd side, finite values, positive sum, centred (centroid of
 * the positive pixels within one pixel of the centre pixel). Returns a normalised copy.
 */
export function psfFromImage(data: ArrayLike<number>, rows: number, cols: number, name = 'PSF'): Psf {
  if (rows !== cols) throw new PsfError(`${name}: the PSF image must be square with an odd side; it is ${rows} × ${cols}`);
  if (rows % 2 !== 1) throw new PsfError(`${name}: the PSF image must have an odd side so that its centre is a pixel; it is ${rows} × ${cols}`);
  if (data.length !== rows * cols) throw new PsfError(`${name}: ${data.length} values for a ${rows} × ${cols} image`);
  let sum = 0;
  let sp = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0, k = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++, k++) {
      const v = data[k];
      if (!Number.isFinite(v)) throw new PsfError(`${name}: pixel (row ${i}, column ${j}) is ${v}; a PSF must be finite everywhere`);
      sum += v;
      if (v > 0) {
        sp += v;
        sx += v * j;
        sy += v * i;
      }
    }
  }
  if (!(sum > 0)) throw new PsfError(`${name}: the PSF sums to ${sum}; it must have a positive total`);
  const h = psfHalfWidth(rows);
  const cx = sx / sp;
  const cy = sy / sp;
  if (Math.abs(cx - h) > 1 || Math.abs(cy - h) > 1) {
    throw new PsfError(
      `${name}: the PSF is not centred: its centroid is at (x ${cx.toFixed(2)}, y ${cy.toFixed(2)}) but the centre pixel is (${h}, ${h}); recentre it`,
    );
  }
  const out = new Float64Array(rows * cols);
  for (let k = 0; k < out.length; k++) out[k] = data[k] / sum;
  return { data: out, size: rows };
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size % 2 !== 1) throw new PsfError(`PSF size must be a positive odd integer, got ${size}`);
}

/**
 * Circular Gaussian PSF, each pixel the exact mean of the Gaussian over the pixel (products of erf
 * differences), renormalised to sum 1 on the grid. Default size 2 ceil(4 sigma) + 1.
 */
export function gaussianPsf(sigma: number, size?: number): Psf {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new PsfError(`Gaussian PSF sigma must be > 0, got ${sigma}`);
  const s = size ?? 2 * Math.ceil(4 * sigma) + 1;
  checkSize(s);
  const h = psfHalfWidth(s);
  const g = new Float64Array(s);
  const k = 1 / (Math.SQRT2 * sigma);
  for (let a = 0; a < s; a++) {
    const u = a - h;
    g[a] = 0.5 * (erf((u + 0.5) * k) - erf((u - 0.5) * k));
  }
  return outer(g, s);
}

function outer(g: Float64Array, s: number): Psf {
  const data = new Float64Array(s * s);
  let sum = 0;
  for (let a = 0; a < s; a++) for (let b = 0; b < s; b++) sum += data[a * s + b] = g[a] * g[b];
  for (let k = 0; k < data.length; k++) data[k] /= sum;
  return { data, size: s };
}

// 8-point Gauss-Legendre nodes and weights on [-1, 1] (Abramowitz & Stegun 25.4.30)
const GL8_X = [-0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498, 0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363];
const GL8_W = [0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620, 0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

/**
 * Circular Moffat PSF (1 + r^2 / Rd^2)^(-n), n > 1, each pixel the mean over the pixel by an 8 x 8
 * Gauss-Legendre rule, renormalised to sum 1 on the grid. Default size: the odd grid holding
 * 99.5% of the total light, 1 - (1 + r^2/Rd^2)^(1-n) = 0.995, capped at 101.
 */
export function moffatPsf(n: number, Rd: number, size?: number): Psf {
  if (!(n > 1) || !Number.isFinite(n)) throw new PsfError(`Moffat PSF n must be > 1 (finite total light), got ${n}`);
  if (!(Rd > 0) || !Number.isFinite(Rd)) throw new PsfError(`Moffat PSF Rd must be > 0, got ${Rd}`);
  const r = Rd * Math.sqrt(Math.pow(0.005, 1 / (1 - n)) - 1);
  const s = size ?? Math.min(101, 2 * Math.ceil(r) + 1);
  checkSize(s);
  const h = psfHalfWidth(s);
  const data = new Float64Array(s * s);
  const inv = 1 / (Rd * Rd);
  let sum = 0;
  for (let a = 0; a < s; a++) {
    for (let b = 0; b < s; b++) {
      let v = 0;
      for (let p = 0; p < 8; p++) {
        const y = a - h + 0.5 * GL8_X[p];
        for (let q = 0; q < 8; q++) {
          const x = b - h + 0.5 * GL8_X[q];
          v += GL8_W[p] * GL8_W[q] * Math.pow(1 + (x * x + y * y) * inv, -n);
        }
      }
      data[a * s + b] = v;
      sum += v;
    }
  }
  for (let k = 0; k < data.length; k++) data[k] /= sum;
  return { data, size: s };
}

export type ConvolutionMethod = 'auto' | 'fft' | 'direct';

/**
 * Convolution of padded model canvases ((rows + 2h) x (cols + 2h)) with one PSF, cropped to the
 * frame (rows x cols). 'auto' sums directly for PSFs up to 9 x 9 and uses the FFT above; the
 * kernel's transform and all buffers are made once.
 */
export class PsfConvolver {
  readonly rows: number;
  readonly cols: number;
  readonly pad: number;
  readonly paddedRows: number;
  readonly paddedCols: number;
  readonly psf: Float64Array;
  readonly psfSize: number;
  readonly method: 'fft' | 'direct';
  private readonly fft: Convolver2D | null;

  constructor(rows: number, cols: number, psf: ArrayLike<number>, psfSize: number, method: ConvolutionMethod = 'auto') {
    checkSize(psfSize);
    if (psf.length !== psfSize * psfSize) throw new PsfError(`PSF has ${psf.length} values, expected ${psfSize} × ${psfSize}`);
    this.rows = rows;
    this.cols = cols;
    this.pad = psfHalfWidth(psfSize);
    this.paddedRows = rows + 2 * this.pad;
    this.paddedCols = cols + 2 * this.pad;
    this.psf = Float64Array.from(psf);
    this.psfSize = psfSize;
    this.method = method === 'auto' ? (psfSize <= 9 ? 'direct' : 'fft') : method;
    this.fft = this.method === 'fft' ? new Convolver2D(this.paddedRows, this.paddedCols, this.psf, psfSize, psfSize, 'valid') : null;
  }

  /** out (rows x cols) = PSF * padded canvas */
  convolve(padded: ArrayLike<number>, out: Float64Array): void {
    this.convolvePair(padded, null, out, null);
  }

  /** Two canvases at once (one complex FFT on the FFT path). */
  convolvePair(a: ArrayLike<number>, b: ArrayLike<number> | null, outA: Float64Array, outB: Float64Array | null): void {
    if (this.fft) {
      this.fft.convolvePair(a, b, outA, outB);
      return;
    }
    const s = this.psfSize;
    convolve2dDirect(a, this.paddedRows, this.paddedCols, this.psf, s, s, outA, 'valid');
    if (b && outB) convolve2dDirect(b, this.paddedRows, this.paddedCols, this.psf, s, s, outB, 'valid');
  }

  /** true when this convolver was made for these sizes and this PSF (compared by value) */
  matches(rows: number, cols: number, psf: ArrayLike<number>, psfSize: number): boolean {
    if (rows !== this.rows || cols !== this.cols || psfSize !== this.psfSize || psf.length !== this.psf.length) return false;
    for (let k = 0; k < psf.length; k++) if (psf[k] !== this.psf[k]) return false;
    return true;
  }
}

const cache: PsfConvolver[] = [];
const CACHE_SIZE = 4;

/** A convolver for these sizes and PSF, reused from a small cache (PSF compared by value). */
export function getPsfConvolver(rows: number, cols: number, psf: ArrayLike<number>, psfSize: number): PsfConvolver {
  for (let k = 0; k < cache.length; k++) {
    const c = cache[k];
    if (c.matches(rows, cols, psf, psfSize)) {
      if (k > 0) {
        cache.splice(k, 1);
        cache.unshift(c);
      }
      return c;
    }
  }
  const c = new PsfConvolver(rows, cols, psf, psfSize);
  cache.unshift(c);
  if (cache.length > CACHE_SIZE) cache.pop();
  return c;
}

/**
 * Convolves a model evaluated on the padded canvas ((rows + 2h) x (cols + 2h), h = (psfSize - 1)/2,
 * canvas pixel (i', j') = frame pixel (i' - h, j' - h)) with the PSF and writes the rows x cols frame
 * to `out`. Plans and buffers are cached across calls.
 */
export function convolveWithPsf(image: ArrayLike<number>, rows: number, cols: number, psf: ArrayLike<number>, psfSize: number, out: Float64Array): void {
  const c = getPsfConvolver(rows, cols, psf, psfSize);
  if (image.length !== c.paddedRows * c.paddedCols) {
    throw new RangeError(`convolveWithPsf: the canvas must be ${c.paddedRows} × ${c.paddedCols} (frame padded by ${c.pad}); got ${image.length} values`);
  }
  c.convolve(image, out);
}
