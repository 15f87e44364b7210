import { describe, expect, it } from 'vitest';
import type { ComponentType } from '../model/component-type';
import { ImageRenderer, PixelIntegrator, renderImage } from './integrate';
import { exponentialDisk, flatSky, gaussian2d, moffat2d, planeSky, sersic } from './components/registry';
import { sersicB, sersicRadialIntegral, sersicTotalFlux } from './sersic-math';
import { gaussianPsf, moffatPsf } from './psf';
import { convolve2dDirect } from './fft';

/** Gauss-Legendre nodes/weights on [-1, 1] by Newton iteration on P_n (Abramowitz & Stegun 25.4.29) */
function gaussLegendre(n: number): { x: number[]; w: number[] } {
  const x: number[] = [];
  const w: number[] = [];
  for (let i = 1; i <= n; i++) {
    let z = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x.push(z);
    w.push(2 / ((1 - z * z) * dp * dp));
  }
  return { x, w };
}
const GL = gaussLegendre(24);

function integrate1d(f: (u: number) => number, a: number, b: number, pieces = 16): number {
  let s = 0;
  const h = (b - a) / pieces;
  for (let k = 0; k < pieces; k++) {
    const m = a + (k + 0.5) * h;
    for (let i = 0; i < GL.x.length; i++) s += GL.w[i] * f(m + 0.5 * h * GL.x[i]);
  }
  return 0.5 * h * s;
}

/**
 * Exact integral of an elliptical profile over the rectangle [xa, xb] x [ya, yb]: inclusion-exclusion
 * of rectangles with one corner at the centre; each is a 1D integral over the polar angle u of
 * G(k(u) tmax(u)) / k(u)^2, where G(rho) = int_0^rho I(r) r dr, R = t k(u) along the ray, and tmax
 * the distance to the far edge. Independent of the code under test.
 */
function rectIntegral(G: (rho: number) => number, x0: number, y0: number, q: number, pa: number, xa: number, xb: number, ya: number, yb: number): number {
  const c = Math.cos(pa);
  const s = Math.sin(pa);
  const corner = (X: number, Y: number): number => {
    if (X === 0 || Y === 0) return 0;
    const sx = Math.sign(X);
    const sy = Math.sign(Y);
    const ax = Math.abs(X);
    const ay = Math.abs(Y);
    const f = (u: number) => {
      const dx = sx * Math.cos(u);
      const dy = sy * Math.sin(u);
      const Xr = c * dx + s * dy;
      const Yr = (-s * dx + c * dy) / q;
      const k2 = Xr * Xr + Yr * Yr;
      const t = Math.min(ax / Math.cos(u), ay / Math.sin(u));
      return G(Math.sqrt(k2) * t) / k2;
    };
    const uc = Math.atan2(ay, ax);
    return sx * sy * (integrate1d(f, 0, uc) + integrate1d(f, uc, Math.PI / 2));
  };
  return corner(xb - x0, yb - y0) - corner(xa - x0, yb - y0) - corner(xb - x0, ya - y0) + corner(xa - x0, ya - y0);
}

function render(t: ComponentType, p: number[], rows: number, cols: number, opts = {}): Float64Array {
  const out = new Float64Array(rows * cols);
  renderImage([t], [p], rows, cols, opts, out);
  return out;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

describe('pixel integration: Sersic pixels vs exact rectangle integrals', () => {
  const cases: [string, number, number, number][] = [
    ['off-centre', 10.3, 9.8, 4],
    ['on a pixel centre', 10, 10, 4],
    ['on a pixel corner', 9.5, 10.5, 4],
    ['n = 1', 10.2, 9.6, 1],
    ['n = 8', 10.1, 10.35, 8],
  ];
  it.each(cases)('%s (x0 = %f, y0 = %f, n = %f): the 7 x 7 central pixels within 1e-4 relative', (_label, x0, y0, n) => {
    const q = 0.7;
    const pa = 0.5;
    const Re = 3;
    const Ie = 0.2;
    const rows = 21;
    const cols = 21;
    const img = render(sersic, [x0, y0, q, pa, n, Re, Ie], rows, cols);
    const b = sersicB(n);
    const G = (rho: number) => sersicRadialIntegral(rho, n, Re, 10 ** Ie, b);
    let worst = 0;
    for (let i = 7; i <= 13; i++) {
      for (let j = 7; j <= 13; j++) {
        const exact = rectIntegral(G, x0, y0, q, pa, j - 0.5, j + 0.5, i - 0.5, i + 0.5);
        worst = Math.max(worst, Math.abs(img[i * cols + j] / exact - 1));
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('the centre pixel needs deep subdivision but few pixels are subdivided', () => {
    const integ = new PixelIntegrator();
    const out = new Float64Array(41 * 41);
    const st = integ.integrate(sersic, [20.2, 19.7, 0.6, 1, 4, 5, 0], 41, 41, 0, 0, out, null);
    expect(st.depth).toBeGreaterThanOrEqual(4);
    expect(st.refined).toBeLessThan(0.1 * 41 * 41);
    // the fixed 3 x 3 rule alone is far off in the centre pixel
    const coarse = new Float64Array(41 * 41);
    integ.integrate(sersic, [20.2, 19.7, 0.6, 1, 4, 5, 0], 41, 41, 0, 0, coarse, null, { maxDepth: 0 });
    const k = 20 * 41 + 20;
    expect(Math.abs(coarse[k] / out[k] - 1)).toBeGreaterThan(1e-2);
  });
});

describe('pixel integration: random profiles converge (default tolerance vs tol = 1e-9)', () => {
  it('16 random Sersic / Gaussian / Moffat profiles: worst pixel (above 1e-5 of the peak) within 1e-4', () => {
    let s = 2024;
    const r = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const N = 25;
    let worstAll = 0;
    for (let t = 0; t < 16; t++) {
      const x0 = 12 + r() - 0.5;
      const y0 = 12 + r() - 0.5;
      const q = 0.2 + 0.8 * r();
      const pa = 3 * r();
      const kind = t % 4;
      const type = kind === 1 ? gaussian2d : kind === 2 ? moffat2d : sersic;
      const p =
        kind === 1 ? [x0, y0, q, pa, 0.3 + 4 * r(), 0] : kind === 2 ? [x0, y0, q, pa, 0.8 + 5 * r(), 0.3 + 4 * r(), 0] : [x0, y0, q, pa, 0.5 + 7.5 * r() ** 1.5, 0.5 + 6 * r(), 0];
      const a = new Float64Array(N * N);
      const b = new Float64Array(N * N);
      const st = new PixelIntegrator().integrate(type, p, N, N, 0, 0, a, null);
      expect(st.exhausted).toBe(0);
      new PixelIntegrator().integrate(type, p, N, N, 0, 0, b, null, { tol: 1e-9, maxDepth: 16 });
      let peak = 0;
      for (const v of b) peak = Math.max(peak, v);
      for (let k = 0; k < a.length; k++) if (b[k] > 1e-5 * peak) worstAll = Math.max(worstAll, Math.abs(a[k] / b[k] - 1));
    }
    expect(worstAll).toBeLessThan(1e-4);
  });
});

describe('total light', () => {
  it('Sersic n = 2.5: sum of pixels = exact light inside the frame (1e-5) ', () => {
    const [x0, y0, q, pa, n, Re, Ie] = [24.4, 20.7, 0.55, 2.2, 2.5, 4, 0.5];
    const rows = 41;
    const cols = 49;
    const s = sum(render(sersic, [x0, y0, q, pa, n, Re, Ie], rows, cols));
    const b = sersicB(n);
    const exact = rectIntegral((rho) => sersicRadialIntegral(rho, n, Re, 10 ** Ie, b), x0, y0, q, pa, -0.5, cols - 0.5, -0.5, rows - 0.5);
    expect(Math.abs(s / exact - 1)).toBeLessThan(1e-5);
    // and most, not all, of the closed-form total light 2 pi Re^2 Ie e^b n q Gamma(2n) / b^(2n)
    const total = sersicTotalFlux(n, Re, 10 ** Ie, q);
    expect(s / total).toBeGreaterThan(0.97);
    expect(s / total).toBeLessThan(1);
  });

  it('Sersic n = 1 and n = 4 on large frames: sum = closed-form total (1e-3)', () => {
    const s1 = sum(render(sersic, [40.3, 39.6, 0.7, 0.4, 1, 3, 0], 81, 81));
    expect(Math.abs(s1 / sersicTotalFlux(1, 3, 1, 0.7) - 1)).toBeLessThan(1e-3);
    // n = 4 has wide wings: Re = 1.5 on a 161 x 161 frame leaves < 0.1% outside
    const s4 = sum(render(sersic, [80.3, 79.6, 0.8, 0.4, 4, 1.5, 0], 161, 161));
    expect(Math.abs(s4 / sersicTotalFlux(4, 1.5, 1, 0.8) - 1)).toBeLessThan(1e-3);
  });

  it('exponential disk = Sersic n = 1; Gaussian2D sums to 10^flux; Moffat to 10^I0 pi Rd^2 q / (n - 1)', () => {
    const e = render(exponentialDisk, [20.3, 19.6, 0.7, 0.4, 3, 0.1], 41, 41);
    const s = render(sersic, [20.3, 19.6, 0.7, 0.4, 1, 3, 0.1], 41, 41);
    // the Sersic profile comes from a table (sersic-table.ts: 2e-8 relative at n = 1 down to 1e-5 of
    // the peak, growing as (b s)^4 beyond), the disk from its closed form; the corners are 5e-7 of the peak
    for (let k = 0; k < e.length; k++) expect(Math.abs(e[k] / s[k] - 1)).toBeLessThan(2e-7);
    const g = render(gaussian2d, [15.2, 14.7, 0.6, 1.1, 1.5, 2.3], 31, 31);
    expect(Math.abs(sum(g) / 10 ** 2.3 - 1)).toBeLessThan(1e-6);
    // a narrow Gaussian (sigma 0.3 px) is resolved by subdivision
    const g2 = render(gaussian2d, [15.2, 14.7, 0.5, 1.1, 0.3, 0], 31, 31);
    expect(Math.abs(sum(g2) - 1)).toBeLessThan(1e-5);
    const m = render(moffat2d, [40.1, 39.8, 0.7, 0.3, 4, 2, 0.5], 81, 81);
    expect(Math.abs(sum(m) / ((10 ** 0.5 * Math.PI * 4 * 0.7) / 3) - 1)).toBeLessThan(1e-5);
  });

  it('sky: a flat sky is 10^F everywhere; a plane is exact at pixel centres (linear, pixel mean = centre value)', () => {
    const f = render(flatSky, [1.5], 5, 7);
    for (const v of f) expect(v).toBeCloseTo(10 ** 1.5, 12);
    const p = render(planeSky, [0.5, 0.2, -0.1], 5, 7);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) expect(p[i * 7 + j]).toBeCloseTo(10 ** 0.5 + 0.2 * j - 0.1 * i, 12);
  });
});

/** finite-difference check of the rendered image's Jacobian */
function checkJacobian(components: ComponentType[], params: number[][], rows: number, cols: number, opts: object, tol: number): number {
  const n = rows * cols;
  const np = params.reduce((a, p) => a + p.length, 0);
  const out = new Float64Array(n);
  const jac = Array.from({ length: np }, () => new Float64Array(n));
  const r = new ImageRenderer(rows, cols);
  r.render(components, params, out, jac, opts);
  const plain = new Float64Array(n);
  r.render(components, params, plain, null, opts);
  for (let k = 0; k < n; k++) expect(Math.abs(plain[k] - out[k])).toBeLessThanOrEqual(1e-13 * Math.abs(out[k]) + 1e-300);
  let worstAll = 0;
  let col = 0;
  for (let c = 0; c < params.length; c++) {
    for (let k = 0; k < params[c].length; k++, col++) {
      const h = 1e-6 * Math.max(1, Math.abs(params[c][k]));
      const up = params.map((p) => p.slice());
      const dn = params.map((p) => p.slice());
      up[c][k] += h;
      dn[c][k] -= h;
      const fu = new Float64Array(n);
      const fd = new Float64Array(n);
      r.render(components, up, fu, null, opts);
      r.render(components, dn, fd, null, opts);
      let scale = 0;
      for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(jac[col][i]));
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs((fu[i] - fd[i]) / (2 * h) - jac[col][i]) / scale);
      expect(worst, `component ${c} parameter ${k}`).toBeLessThan(tol);
      worstAll = Math.max(worstAll, worst);
    }
  }
  return worstAll;
}

describe('Jacobian of the rendered image vs finite differences', () => {
  const comps = [sersic, gaussian2d, moffat2d, exponentialDisk, planeSky];
  const params = [
    [8.3, 7.6, 0.7, 0.5, 2.2, 3, 0.4],
    [4.2, 10.6, 0.6, -0.3, 1.2, 1.5],
    [12.3, 3.4, 0.8, 1.3, 2.5, 1.8, 0.2],
    [10.7, 11.2, 0.5, 2.0, 2.5, -0.2],
    [-1, 0.01, -0.02],
  ];
  it('fixed 3 x 3 rule (maxDepth 0), every parameter of 5 components: 1e-6 of each column', () => {
    checkJacobian(comps, params, 15, 17, { maxDepth: 0 }, 1e-6);
  });

  it('fixed rule with a PSF (FFT path, 11 x 11 Moffat): 1e-6', () => {
    checkJacobian(comps, params, 15, 17, { maxDepth: 0, psf: moffatPsf(3, 1.5, 11) }, 1e-6);
  });

  it('adaptive integration (subdivision pattern fixed by the tolerance) with a small PSF: 1e-4', () => {
    checkJacobian([sersic, gaussian2d], [params[0], params[1]], 15, 17, { psf: gaussianPsf(0.8) }, 1e-4);
  });
});

describe('PSF convolution in renderImage', () => {
  it('equals integrating on the padded canvas then the direct sum (1e-12), for both convolution paths', () => {
    const rows = 19;
    const cols = 23;
    for (const psf of [gaussianPsf(0.9, 7), moffatPsf(2.5, 2, 15)]) {
      const pad = (psf.size - 1) / 2;
      const p = [10.4, 9.3, 0.6, 0.8, 3, 2.5, 0.3];
      const out = new Float64Array(rows * cols);
      renderImage([sersic], [p], rows, cols, { psf }, out);
      const R = rows + 2 * pad;
      const C = cols + 2 * pad;
      const canvas = new Float64Array(R * C);
      new PixelIntegrator().integrate(sersic, p, R, C, -pad, -pad, canvas, null);
      const ref = new Float64Array(rows * cols);
      convolve2dDirect(canvas, R, C, psf.data, psf.size, psf.size, ref, 'valid');
      let worst = 0;
      let peak = 0;
      for (let k = 0; k < ref.length; k++) {
        worst = Math.max(worst, Math.abs(out[k] - ref[k]));
        peak = Math.max(peak, Math.abs(ref[k]));
      }
      expect(worst / peak).toBeLessThan(1e-12);
    }
  });

  it('light from a source just outside the frame reaches the edge pixels', () => {
    const rows = 12;
    const cols = 10;
    const psf = gaussianPsf(1.5, 13); // pad 6
    // a compact source 2.5 px left of column 0 (its light inside the frame is < 1e-12 of it)
    const src = [-2.5, 5.3, 1, 0, 0.25, 2];
    const out = new Float64Array(rows * cols);
    renderImage([gaussian2d], [src], rows, cols, { psf }, out);
    const edge = out[5 * cols + 0];
    expect(edge).toBeGreaterThan(1e-2 * 100); // > 1% of the flux of 100 in one edge pixel
    // without the PSF the frame is dark
    const bare = new Float64Array(rows * cols);
    renderImage([gaussian2d], [src], rows, cols, {}, bare);
    expect(bare[5 * cols]).toBeLessThan(1e-10);
    // the same as rendering a frame extended 8 columns to the left and cropping it
    const wide = new Float64Array(rows * (cols + 8));
    renderImage([gaussian2d], [[src[0] + 8, ...src.slice(1)]], rows, cols + 8, { psf }, wide);
    let worst = 0;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) worst = Math.max(worst, Math.abs(out[i * cols + j] - wide[i * (cols + 8) + j + 8]));
    expect(worst / edge).toBeLessThan(1e-9);
    // the light in the frame: the PSF-spread fraction of the source right of x = -0.5
    expect(sum(out)).toBeGreaterThan(0.05 * 100);
  });

  it('a flat sky stays flat through the PSF (the padding supplies the light beyond the edges)', () => {
    const out = new Float64Array(8 * 9);
    renderImage([flatSky], [[0.8]], 8, 9, { psf: moffatPsf(2.5, 2, 15) }, out);
    for (const v of out) expect(v / 10 ** 0.8).toBeCloseTo(1, 12);
  });

  it('flux is conserved through the PSF for a source well inside the frame', () => {
    const out = new Float64Array(61 * 61);
    renderImage([gaussian2d], [[30.2, 29.7, 0.7, 0.3, 2, 1]], 61, 61, { psf: gaussianPsf(1.2) }, out);
    const bare = new Float64Array(61 * 61);
    renderImage([gaussian2d], [[30.2, 29.7, 0.7, 0.3, 2, 1]], 61, 61, {}, bare);
    expect(Math.abs(sum(out) / sum(bare) - 1)).toBeLessThan(1e-12);
    expect(sum(out) / 10).toBeCloseTo(1, 6);
  });
});
