/**
 * Complex FFT of any length and 2D real convolution.
 *
 * - Powers of two: iterative radix-2 Cooley-Tukey (decimation in time, bit-reversed input order),
 *   twiddles from a table computed with cos/sin directly (no recurrence, so no error build-up).
 * - Other lengths: Bluestein's chirp-z algorithm (Bluestein 1970): with jk = (j^2 + k^2 - (k-j)^2)/2,
 *   X_k = w_k^* sum_j (x_j w_j^*) w_(k-j), w_m = exp(i pi m^2 / n), a circular convolution done with
 *   a power-of-two FFT of length >= 2n - 1. m^2 is reduced mod 2n in integers for accurate chirps.
 * - 2D: rows, then columns. Convolution of real images packs two images into one complex transform
 *   (real and imaginary parts; the kernel is real so they do not mix).
 *
 * Plans hold every buffer; transforms allocate nothing.
 */

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/** In-place radix-2 transform of contiguous arrays of length n (a power of two). */
class Radix2 {
  readonly n: number;
  private readonly rev: Uint32Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.rev = new Uint32Array(n);
    let bits = 0;
    while (1 << bits < n) bits++;
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
      this.rev[i] = r;
    }
    const half = Math.max(1, n >> 1);
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      const a = (-2 * Math.PI * k) / n;
      this.cos[k] = Math.cos(a);
      this.sin[k] = Math.sin(a);
    }
  }

  /** forward: exp(-2 pi i jk/n); inverse: exp(+2 pi i jk/n), unnormalised */
  run(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const n = this.n;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    const cs = this.cos;
    const sn = this.sin;
    const sign = inverse ? -1 : 1;
    for (let size = 2; size <= n; size *= 2) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0, t = 0; k < half; k++, t += step) {
          const wr = cs[t];
          const wi = sign * sn[t];
          const a = start + k;
          const b = a + half;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

/** A 1D complex FFT of length n (any n >= 1). */
export class FftPlan {
  readonly n: number;
  private readonly r2: Radix2;
  private readonly bluestein: boolean;
  /** contiguous work arrays (length n for radix-2, m for Bluestein) */
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  /** Bluestein: chirp w_j^* = exp(-i pi j^2 / n) and the FFT of the filter w_m */
  private readonly chirpRe!: Float64Array;
  private readonly chirpIm!: Float64Array;
  private readonly filtRe!: Float64Array;
  private readonly filtIm!: Float64Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
    this.n = n;
    this.bluestein = !isPowerOfTwo(n);
    if (!this.bluestein) {
      this.r2 = new Radix2(n);
      this.wr = new Float64Array(n);
      this.wi = new Float64Array(n);
      return;
    }
    const m = nextPowerOfTwo(2 * n - 1);
    this.r2 = new Radix2(m);
    this.wr = new Float64Array(m);
    this.wi = new Float64Array(m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    this.filtRe = new Float64Array(m);
    this.filtIm = new Float64Array(m);
    const twoN = 2 * n;
    for (let j = 0, j2 = 0; j < n; j++) {
      // j2 = j^2 mod 2n, kept exact in integers: (j + 1)^2 = j^2 + 2j + 1
      if (j > 0) j2 = (j2 + 2 * j - 1) % twoN;
      const a = (Math.PI * j2) / n;
      this.chirpRe[j] = Math.cos(a);
      this.chirpIm[j] = -Math.sin(a);
      // filter b_m = exp(+i pi m^2 / n) at m and at -m (wrapped to m_total - m)
      this.filtRe[j] = Math.cos(a);
      this.filtIm[j] = Math.sin(a);
      if (j > 0) {
        this.filtRe[m - j] = Math.cos(a);
        this.filtIm[m - j] = Math.sin(a);
      }
    }
    this.r2.run(this.filtRe, this.filtIm, false);
  }

  /**
   * In-place transform of the n elements re[offset + k * stride], im[...]: forward
   * X_k = sum_j x_j exp(-2 pi i jk / n); inverse includes the 1/n factor.
   */
  transform(re: Float64Array, im: Float64Array, inverse = false, offset = 0, stride = 1): void {
    const n = this.n;
    const wr = this.wr;
    const wi = this.wi;
    if (!this.bluestein) {
      for (let k = 0, p = offset; k < n; k++, p += stride) {
        wr[k] = re[p];
        wi[k] = im[p];
      }
      this.r2.run(wr, wi, inverse);
      const s = inverse ? 1 / n : 1;
      for (let k = 0, p = offset; k < n; k++, p += stride) {
        re[p] = wr[k] * s;
        im[p] = wi[k] * s;
      }
      return;
    }
    // inverse(x) = conj(forward(conj(x))) / n
    const sg = inverse ? -1 : 1;
    const cr = this.chirpRe;
    const ci = this.chirpIm;
    const m = wr.length;
    for (let k = 0, p = offset; k < n; k++, p += stride) {
      const xr = re[p];
      const xi = sg * im[p];
      wr[k] = xr * cr[k] - xi * ci[k];
      wi[k] = xr * ci[k] + xi * cr[k];
    }
    wr.fill(0, n, m);
    wi.fill(0, n, m);
    this.r2.run(wr, wi, false);
    const fr = this.filtRe;
    const fi = this.filtIm;
    for (let k = 0; k < m; k++) {
      const a = wr[k];
      const b = wi[k];
      wr[k] = a * fr[k] - b * fi[k];
      wi[k] = a * fi[k] + b * fr[k];
    }
    this.r2.run(wr, wi, true);
    const s = (inverse ? 1 / n : 1) / m; // 1/m completes the inner inverse transform
    for (let k = 0, p = offset; k < n; k++, p += stride) {
      const a = wr[k];
      const b = wi[k];
      re[p] = (a * cr[k] - b * ci[k]) * s;
      im[p] = sg * (a * ci[k] + b * cr[k]) * s;
    }
  }
}

/** 2D complex FFT in place on row-major arrays (rows x cols); inverse includes 1/(rows cols). */
export class Fft2dPlan {
  readonly rows: number;
  readonly cols: number;
  private readonly rowPlan: FftPlan;
  private readonly colPlan: FftPlan;

  constructor(rows: number, cols: number) {
    this.rows = rows;
    this.cols = cols;
    this.rowPlan = new FftPlan(cols);
    this.colPlan = rows === cols ? this.rowPlan : new FftPlan(rows);
  }

  /** `activeRows`: only rows below this may be non-zero on input (forward only; saves work on padding) */
  transform(re: Float64Array, im: Float64Array, inverse = false, activeRows = this.rows): void {
    const { rows, cols } = this;
    const nr = inverse ? rows : Math.min(rows, activeRows);
    for (let r = 0; r < nr; r++) this.rowPlan.transform(re, im, inverse, r * cols, 1);
    for (let c = 0; c < cols; c++) this.colPlan.transform(re, im, inverse, c, cols);
  }
}

export type ConvolutionMode = 'full' | 'same' | 'valid';

/** Output size of a 2D convolution of an (rows x cols) image with a (krows x kcols) kernel. */
export function convolutionShape(rows: number, cols: number, krows: number, kcols: number, mode: ConvolutionMode): [number, number] {
  if (mode === 'full') return [rows + krows - 1, cols + kcols - 1];
  if (mode === 'same') return [rows, cols];
  return [Math.max(0, rows - krows + 1), Math.max(0, cols - kcols + 1)];
}

/** Offset of the output window inside the full convolution. */
function modeOffset(krows: number, kcols: number, mode: ConvolutionMode): [number, number] {
  if (mode === 'full') return [0, 0];
  if (mode === 'same') return [krows >> 1, kcols >> 1];
  return [krows - 1, kcols - 1];
}

/**
 * Direct 2D convolution: full[m][n] = sum_(a,b) k[a][b] img[m - a][n - b] (zero outside), cropped
 * by the mode ('same': kernel centre at (krows >> 1, kcols >> 1); 'valid': no zero padding used).
 */
export function convolve2dDirect(
  img: ArrayLike<number>,
  rows: number,
  cols: number,
  kernel: ArrayLike<number>,
  krows: number,
  kcols: number,
  out: Float64Array,
  mode: ConvolutionMode = 'same',
): void {
  const [orows, ocols] = convolutionShape(rows, cols, krows, kcols, mode);
  const [r0, c0] = modeOffset(krows, kcols, mode);
  for (let i = 0; i < orows; i++) {
    const m = i + r0;
    const aLo = Math.max(0, m - rows + 1);
    const aHi = Math.min(krows - 1, m);
    for (let j = 0; j < ocols; j++) {
      const nn = j + c0;
      const bLo = Math.max(0, nn - cols + 1);
      const bHi = Math.min(kcols - 1, nn);
      let s = 0;
      for (let a = aLo; a <= aHi; a++) {
        const irow = (m - a) * cols + nn;
        const krow = a * kcols;
        for (let b = bLo; b <= bHi; b++) s += kernel[krow + b] * img[irow - b];
      }
      out[i * ocols + j] = s;
    }
  }
}

/**
 * FFT convolution of real (rows x cols) images with one fixed real kernel. The transform size is
 * the next power of two that avoids wrap-around in the requested output window; the kernel's
 * spectrum and all buffers are made once.
 */
export class Convolver2D {
  readonly rows: number;
  readonly cols: number;
  readonly krows: number;
  readonly kcols: number;
  readonly mode: ConvolutionMode;
  readonly outRows: number;
  readonly outCols: number;
  private readonly nr: number;
  private readonly nc: number;
  private readonly r0: number;
  private readonly c0: number;
  private readonly plan: Fft2dPlan;
  private readonly kre: Float64Array;
  private readonly kim: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(rows: number, cols: number, kernel: ArrayLike<number>, krows: number, kcols: number, mode: ConvolutionMode = 'same') {
    if (kernel.length !== krows * kcols) throw new RangeError(`kernel has ${kernel.length} values, expected ${krows} x ${kcols}`);
    this.rows = rows;
    this.cols = cols;
    this.krows = krows;
    this.kcols = kcols;
    this.mode = mode;
    [this.outRows, this.outCols] = convolutionShape(rows, cols, krows, kcols, mode);
    [this.r0, this.c0] = modeOffset(krows, kcols, mode);
    // a circular convolution of length N equals the linear one at every output index m whose terms
    // img[m - a] do not wrap into the data: 'valid' (m in [krows - 1, rows)) never wraps once
    // N >= rows; 'same' and 'full' need N >= rows + krows - 1 (wrapped indices land in zero padding).
    const needR = mode === 'valid' ? rows : rows + krows - 1;
    const needC = mode === 'valid' ? cols : cols + kcols - 1;
    this.nr = nextPowerOfTwo(Math.max(needR, krows));
    this.nc = nextPowerOfTwo(Math.max(needC, kcols));
    this.plan = new Fft2dPlan(this.nr, this.nc);
    const size = this.nr * this.nc;
    this.kre = new Float64Array(size);
    this.kim = new Float64Array(size);
    for (let a = 0; a < krows; a++) for (let b = 0; b < kcols; b++) this.kre[a * this.nc + b] = kernel[a * kcols + b];
    this.plan.transform(this.kre, this.kim, false);
    this.re = new Float64Array(size);
    this.im = new Float64Array(size);
  }

  /** out = conv(a) (outRows x outCols) */
  convolve(a: ArrayLike<number>, out: Float64Array): void {
    this.convolvePair(a, null, out, null);
  }

  /** Two images in one complex transform: outA = conv(a), outB = conv(b) (b may be null). */
  convolvePair(a: ArrayLike<number>, b: ArrayLike<number> | null, outA: Float64Array, outB: Float64Array | null): void {
    const { rows, cols, nc, re, im, kre, kim } = this;
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < rows; i++) {
      const src = i * cols;
      const dst = i * nc;
      for (let j = 0; j < cols; j++) re[dst + j] = a[src + j];
      if (b) for (let j = 0; j < cols; j++) im[dst + j] = b[src + j];
    }
    this.plan.transform(re, im, false, rows);
    for (let k = 0; k < re.length; k++) {
      const xr = re[k];
      const xi = im[k];
      re[k] = xr * kre[k] - xi * kim[k];
      im[k] = xr * kim[k] + xi * kre[k];
    }
    this.plan.transform(re, im, true);
    const { outRows, outCols, r0, c0 } = this;
    for (let i = 0; i < outRows; i++) {
      const src = (i + r0) * nc + c0;
      const dst = i * outCols;
      for (let j = 0; j < outCols; j++) outA[dst + j] = re[src + j];
      if (outB) for (let j = 0; j < outCols; j++) outB[dst + j] = im[src + j];
    }
  }
}
