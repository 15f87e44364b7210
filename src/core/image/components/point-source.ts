/**
 * Point source (AstroPhot `point model`): the image's PSF, scaled to a total flux 10^flux and
 * shifted to (x, y) with sub-pixel accuracy by cubic convolution interpolation of the PSF image
 * (Keys 1981, a = -1/2: C1, exact for quadratics, and a partition of unity, so the shifted PSF
 * keeps its sum). Pixel (i, j) of the frame gets
 *   10^flux sum_(a,b) psf[a][b] K(i - y + h - a) K(j - x + h - b),   h = (size - 1) / 2,
 * and d/dx, d/dy are the exact derivatives of this interpolant (K is C1, so the Jacobian is
 * continuous in x, y). The PSF already holds the pixel response, so there is no further pixel
 * integration or convolution (image-model.ts renders point sources straight onto the frame).
 * Without a PSF the 1 x 1 PSF [1] is used: K(j - x) K(i - y), a compact blob of four to sixteen
 * pixels carrying the flux; `evaluate` (used outside an image model) is that blob.
 * Parameters: x, y (pixels, pixel centres at integers), flux (log10 of the total flux).
 */
import type { ComponentType } from '../../model/component-type';

const LN10 = Math.LN10;
const A = -0.5;

/** Keys cubic convolution kernel */
export function keys(t: number): number {
  const x = t < 0 ? -t : t;
  if (x < 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

/** d keys / dt */
export function keysDerivative(t: number): number {
  const x = t < 0 ? -t : t;
  const sg = t < 0 ? -1 : 1;
  if (x < 1) return sg * (3 * (A + 2) * x - 2 * (A + 3)) * x;
  if (x < 2) return sg * ((3 * A * x - 10 * A) * x + 8 * A);
  return 0;
}

const UNIT_PSF = { data: Float64Array.of(1), size: 1 };

/**
 * Adds the point source to `out` (rows x cols, row-major) and, when `jac` is given, writes
 * d/dx, d/dy, d/dflux into jac[0..2] (zero outside the source's footprint: the columns are
 * cleared first). Returns nothing; the footprint is (size + 3) x (size + 3) pixels at most.
 */
export function renderPointSource(
  p: ArrayLike<number>,
  psf: { data: Float64Array; size: number } | null,
  rows: number,
  cols: number,
  out: Float64Array | null,
  jac: Float64Array[] | null,
): void {
  const { data, size } = psf ?? UNIT_PSF;
  const h = (size - 1) >> 1;
  const x0 = p[0];
  const y0 = p[1];
  const F = Math.pow(10, p[2]);
  if (jac) for (let k = 0; k < 3; k++) jac[k].fill(0, 0, rows * cols);
  // frame pixels that can see the PSF: |i - y0 + h - a| < 2 for some a in [0, size)
  const i0 = Math.max(0, Math.ceil(y0 - h - 2));
  const i1 = Math.min(rows - 1, Math.floor(y0 + h + 2));
  const j0 = Math.max(0, Math.ceil(x0 - h - 2));
  const j1 = Math.min(cols - 1, Math.floor(x0 + h + 2));
  for (let i = i0; i <= i1; i++) {
    const v = i - y0 + h; // PSF row coordinate
    const aLo = Math.max(0, Math.floor(v) - 1);
    const aHi = Math.min(size - 1, Math.floor(v) + 2);
    for (let j = j0; j <= j1; j++) {
      const u = j - x0 + h;
      const bLo = Math.max(0, Math.floor(u) - 1);
      const bHi = Math.min(size - 1, Math.floor(u) + 2);
      let s = 0;
      let sx = 0;
      let sy = 0;
      for (let a = aLo; a <= aHi; a++) {
        const ka = keys(v - a);
        const dka = jac ? keysDerivative(v - a) : 0;
        const o = a * size;
        for (let b = bLo; b <= bHi; b++) {
          const d = data[o + b];
          if (d === 0) continue;
          const kb = keys(u - b);
          s += d * ka * kb;
          if (jac) {
            sx += d * ka * keysDerivative(u - b);
            sy += d * dka * kb;
          }
        }
      }
      const pix = i * cols + j;
      const val = F * s;
      if (out) out[pix] += val;
      if (jac) {
        // u = j - x0 + h: d/dx0 = -d/du
        jac[0][pix] = -F * sx;
        jac[1][pix] = -F * sy;
        jac[2][pix] = val * LN10;
      }
    }
  }
}

export const pointSource: ComponentType = {
  type: 'PointSource',
  dims: 2,
  formula: '10^flux PSF(x - x0, y - y0)  (the image PSF shifted by cubic convolution interpolation)',
  peak: false,
  params: () => [
    { name: 'x', value: 0, lower: null, upper: null, description: 'position, column coordinate (pixels; pixel centres at integers)' },
    { name: 'y', value: 0, lower: null, upper: null, description: 'position, row coordinate (pixels)' },
    { name: 'flux', value: 0, lower: null, upper: null, description: 'log10 of the total flux' },
  ],
  evaluate(p, coords, out, jac, n) {
    // outside an image model: the 1 x 1 PSF, K(x - x0) K(y - y0) 10^flux
    const xs = coords.x;
    const ys = coords.y;
    const F = Math.pow(10, p[2]);
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - p[0];
      const dy = ys[i] - p[1];
      const kx = keys(dx);
      const ky = keys(dy);
      const v = F * kx * ky;
      out[i] = v;
      if (jac) {
        jac[0][i] = -F * keysDerivative(dx) * ky;
        jac[1][i] = -F * kx * keysDerivative(dy);
        jac[2][i] = v * LN10;
      }
    }
  },
};
