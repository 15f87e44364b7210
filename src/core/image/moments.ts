/**
 * Starting values for a 2D component from image moments around a clicked point ("estimate from
 * data"). Pixel (i, j) has its centre at x = j, y = i; PA is measured from +x towards +y (counter-
 * clockwise with y up), radians in [0, pi); q = b/a; Re in pixels (see components/geometry.ts).
 *
 * 1. Start at the brightest 3 x 3 box sum within 3 px of the click.
 * 2. Centre and size: adaptive Gaussian-weighted moments (Bernstein & Jarvis 2002): weight
 *    exp(-d' S^-1 d / 2), S <- 2 M (M the weighted second moments), centre <- weighted centroid,
 *    until both settle. The weight keeps neighbouring sources out.
 * 3. Axis ratio and angle: moments with a weight of the adaptive size (at least 3 px) and the
 *    measured shape, iterated, converted to unweighted-equivalent moments C = (M^-1 - W^-1)^-1,
 *    minus 1/12 px^2 per axis (pixel averaging) and minus the PSF's moments (moments of a
 *    convolution add); q = sqrt(l2 / l1), PA = atan2(2 Cxy, Cxx - Cyy) / 2.
 * 4. Size and total light from the curve of growth in an elliptical aperture (4 weight-sigmas,
 *    at least 8 px): the half-flux radius R_h and the aperture flux F_a; for the profile of the
 *    component type (Sersic of the given n, Gaussian, Moffat of the given n) the scale s solves
 *    L(<R_h; s) = L(<a; s) / 2, and the total light is F_a / (L(<a; s) / L), which corrects for
 *    the light outside the aperture. R_h is scaled by sqrt(l1 after / before the PSF correction).
 * Background: by default the median of a ring around the source (3 to 5 weight-sigmas in step 2,
 * a to 1.5 a in step 4), which also takes out the light of a larger source underneath; or a
 * given number. The image passed in is typically the data minus the model's other components.
 */
import { gammaP } from '../special/incomplete-gamma';
import { sersicB, sersicTotalFlux } from './sersic-math';

export interface MomentOptions {
  /** 1 = pixel excluded */
  mask?: Uint8Array | null;
  /** a number, or 'local' (annulus median, the default) */
  background?: number | 'local';
  /** largest aperture semi-major axis (pixels); default half the larger image side */
  maxRadius?: number;
  /** PSF (size x size, sum 1) whose moments are removed from the shape */
  psf?: { data: ArrayLike<number>; size: number } | null;
}

export interface MomentShape {
  x: number;
  y: number;
  /** b/a after the PSF correction */
  q: number;
  /** radians in [0, pi) */
  PA: number;
  /** semi-major axis of the final aperture (pixels) */
  aperture: number;
  /** background-subtracted flux inside the aperture */
  flux: number;
  /** semi-major radius holding half of `flux`, PSF-corrected (pixels) */
  halfRadius: number;
  /** sqrt(l1 / l1 before the PSF correction), applied to halfRadius */
  psfScale: number;
  background: number;
  /** number of unmasked pixels in the aperture */
  pixels: number;
}

export class MomentError extends Error {}

/** An angle modulo pi in [0, pi) (the ellipse is the same after a half turn). */
export function wrapPA(pa: number): number {
  const r = pa - Math.PI * Math.floor(pa / Math.PI);
  return r >= Math.PI ? 0 : r;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Second moments of a PSF about its centre pixel (px^2). */
function psfMoments(psf: { data: ArrayLike<number>; size: number }): [number, number, number] {
  const h = (psf.size - 1) / 2;
  let sum = 0;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < psf.size; i++) {
    for (let j = 0; j < psf.size; j++) {
      const v = psf.data[i * psf.size + j];
      const dx = j - h;
      const dy = i - h;
      sum += v;
      xx += v * dx * dx;
      yy += v * dy * dy;
      xy += v * dx * dy;
    }
  }
  return sum > 0 ? [xx / sum, yy / sum, xy / sum] : [0, 0, 0];
}

/** Eigen-decomposition of the symmetric 2 x 2 [[a, c], [c, b]]: [l1 >= l2, angle of l1's axis]. */
function eigen(a: number, b: number, c: number): [number, number, number] {
  const mean = 0.5 * (a + b);
  const d = Math.hypot(0.5 * (a - b), c);
  return [mean + d, mean - d, 0.5 * Math.atan2(2 * c, a - b)];
}

/** The moments of the light around `click` in a rows x cols image (row-major). */
export function imageMoments(image: ArrayLike<number>, rows: number, cols: number, click: { x: number; y: number }, opts: MomentOptions = {}): MomentShape {
  const mask = opts.mask ?? null;
  const maxRadius = opts.maxRadius ?? 0.5 * Math.max(rows, cols);
  const ok = (k: number) => (mask === null || !mask[k]) && Number.isFinite(image[k]);
  if (!(click.x >= -0.5 && click.x <= cols - 0.5 && click.y >= -0.5 && click.y <= rows - 0.5)) {
    throw new MomentError(`the point (x ${click.x.toFixed(1)}, y ${click.y.toFixed(1)}) is outside the image`);
  }
  // 1. the brightest 3 x 3 box sum within 3 px of the click
  let cx = Math.round(click.x);
  let cy = Math.round(click.y);
  {
    let best = -Infinity;
    const i0 = cy;
    const j0 = cx;
    for (let i = Math.max(0, i0 - 3); i <= Math.min(rows - 1, i0 + 3); i++) {
      for (let j = Math.max(0, j0 - 3); j <= Math.min(cols - 1, j0 + 3); j++) {
        if ((i - i0) ** 2 + (j - j0) ** 2 > 9) continue;
        let s = 0;
        for (let u = i - 1; u <= i + 1; u++) for (let v = j - 1; v <= j + 1; v++) if (u >= 0 && u < rows && v >= 0 && v < cols && ok(u * cols + v)) s += image[u * cols + v];
        if (s > best) {
          best = s;
          cx = j;
          cy = i;
        }
      }
    }
  }
  const borderMedian = (): number => {
    const v: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (i > 1 && i < rows - 2 && j > 1 && j < cols - 2) continue;
        const k = i * cols + j;
        if (ok(k)) v.push(image[k]);
      }
    }
    return median(v);
  };
  const local = opts.background === undefined || opts.background === 'local';
  let bg = typeof opts.background === 'number' ? opts.background : 0;

  // 2. adaptive Gaussian-weighted moments, weight exp(-d' S^-1 d / 2). For a Gaussian source of
  // moments C the weighted moments M obey M^-1 = S^-1 + C^-1, so S <- 2 M settles at S = C; for
  // any elliptical profile S keeps the source's axis ratio and angle.
  let sxx = 9;
  let syy = 9;
  let sxy = 0;
  for (let iter = 0; iter < 200; iter++) {
    const det = sxx * syy - sxy * sxy;
    const ixx = syy / det;
    const iyy = sxx / det;
    const ixy = -sxy / det;
    const [l1] = eigen(sxx, syy, sxy);
    // the weight is below exp(-12.5) beyond 5 sigma: no need to look further
    const reach = Math.min(Math.max(rows, cols), Math.ceil(5 * Math.sqrt(l1)) + 1);
    const i0 = Math.max(0, Math.floor(cy - reach));
    const i1 = Math.min(rows - 1, Math.ceil(cy + reach));
    const j0 = Math.max(0, Math.floor(cx - reach));
    const j1 = Math.min(cols - 1, Math.ceil(cx + reach));
    if (local) {
      // background: median of the ring 3 to 5 weight-sigmas out
      const ring: number[] = [];
      for (let i = i0; i <= i1; i++) {
        for (let j = j0; j <= j1; j++) {
          const k = i * cols + j;
          if (!ok(k)) continue;
          const dx = j - cx;
          const dy = i - cy;
          const e = dx * dx * ixx + dy * dy * iyy + 2 * dx * dy * ixy;
          if (e >= 9 && e <= 25) ring.push(image[k]);
        }
      }
      bg = ring.length >= 8 ? median(ring) : borderMedian();
      if (!Number.isFinite(bg)) bg = 0;
    }
    let sw = 0;
    let sx = 0;
    let sy = 0;
    let xx = 0;
    let yy = 0;
    let xy = 0;
    for (let i = i0; i <= i1; i++) {
      for (let j = j0; j <= j1; j++) {
        const k = i * cols + j;
        if (!ok(k)) continue;
        const dx = j - cx;
        const dy = i - cy;
        const e = dx * dx * ixx + dy * dy * iyy + 2 * dx * dy * ixy;
        if (e > 25) continue;
        const w = (image[k] - bg) * Math.exp(-0.5 * e);
        sw += w;
        sx += w * dx;
        sy += w * dy;
        xx += w * dx * dx;
        yy += w * dy * dy;
        xy += w * dx * dy;
      }
    }
    if (!(sw > 0)) throw new MomentError('there is no light above the background around this point; click on a source');
    const mx = sx / sw;
    const my = sy / sw;
    // keep each step within one weight sigma (noise can throw a faint source's centroid far)
    const step = Math.hypot(mx, my);
    const lim = Math.sqrt(l1);
    const f = step > lim ? lim / step : 1;
    cx += f * mx;
    cy += f * my;
    const nxx = Math.min(maxRadius * maxRadius, Math.max(2 * (xx / sw - mx * mx), 0.25));
    const nyy = Math.min(maxRadius * maxRadius, Math.max(2 * (yy / sw - my * my), 0.25));
    let nxy = 2 * (xy / sw - mx * my);
    const bound = 0.995 * Math.sqrt(nxx * nyy);
    if (Math.abs(nxy) > bound) nxy = Math.sign(nxy) * bound;
    const change = Math.abs(nxx - sxx) + Math.abs(nyy - syy) + Math.abs(nxy - sxy);
    sxx = nxx;
    syy = nyy;
    sxy = nxy;
    if (iter > 3 && step < 1e-6 && change < 1e-7 * (sxx + syy)) break;
  }

  // 3. axis ratio and angle from moments with a Gaussian weight of the adaptive size but at least
  // 3 px (the adaptive weight of a cuspy profile sees only the core,
  // which the pixels round off) whose shape follows the measured one: for an elliptical profile a
  // weight of the source's own shape gives moments of that shape. The weighted moments M are
  // turned into unweighted-equivalent ones C = (M^-1 - W^-1)^-1 (exact for Gaussians).
  const [w1, w2, wAngle] = eigen(sxx, syy, sxy);
  const sw2 = Math.max(9, w1);
  const a = Math.min(maxRadius, Math.max(8, 4 * Math.sqrt(w1)));
  let pa = wAngle;
  let q = Math.min(1, Math.max(0.05, Math.sqrt(w2 / w1)));
  let mxx = sxx;
  let myy = syy;
  let mxy = sxy;
  for (let iter = 0; iter < 50; iter++) {
    const c = Math.cos(pa);
    const s = Math.sin(pa);
    // weight matrix W = R diag(sw2, q^2 sw2) R^T and its inverse
    const wa = sw2;
    const wb = q * q * sw2;
    const Wxx = c * c * wa + s * s * wb;
    const Wyy = s * s * wa + c * c * wb;
    const Wxy = c * s * (wa - wb);
    const det = Wxx * Wyy - Wxy * Wxy;
    const ixx = Wyy / det;
    const iyy = Wxx / det;
    const ixy = -Wxy / det;
    const reach = Math.ceil(5 * Math.sqrt(sw2)) + 1;
    let sw = 0;
    let xx = 0;
    let yy = 0;
    let xy = 0;
    for (let i = Math.max(0, Math.floor(cy - reach)); i <= Math.min(rows - 1, Math.ceil(cy + reach)); i++) {
      for (let j = Math.max(0, Math.floor(cx - reach)); j <= Math.min(cols - 1, Math.ceil(cx + reach)); j++) {
        const k = i * cols + j;
        if (!ok(k)) continue;
        const dx = j - cx;
        const dy = i - cy;
        const e = dx * dx * ixx + dy * dy * iyy + 2 * dx * dy * ixy;
        if (e > 25) continue;
        const w = (image[k] - bg) * Math.exp(-0.5 * e);
        sw += w;
        xx += w * dx * dx;
        yy += w * dy * dy;
        xy += w * dx * dy;
      }
    }
    if (!(sw > 0)) break;
    // C = (M^-1 - W^-1)^-1, then the pixel averaging (1/12 px^2 per axis) taken out
    const Mxx = xx / sw;
    const Myy = yy / sw;
    const Mxy = xy / sw;
    const dM = Mxx * Myy - Mxy * Mxy;
    let pxx = Myy / dM - ixx;
    let pyy = Mxx / dM - iyy;
    let pxy = -Mxy / dM - ixy;
    const dP = pxx * pyy - pxy * pxy;
    if (!(dP > 0) || !(pxx > 0)) {
      // the light is flatter than the weight: keep the weighted moments
      pxx = Myy / dM;
      pyy = Mxx / dM;
      pxy = -Mxy / dM;
    }
    const dC = pxx * pyy - pxy * pxy;
    mxx = Math.max(pyy / dC - 1 / 12, 1e-6);
    myy = Math.max(pxx / dC - 1 / 12, 1e-6);
    mxy = -pxy / dC;
    const [e1, e2, angle] = eigen(mxx, myy, mxy);
    const nq = Math.min(1, Math.max(0.05, Math.sqrt(Math.max(e2, 1e-9) / e1)));
    const done = Math.abs(nq - q) < 1e-6 && Math.abs(angle - pa) < 1e-6;
    q = nq;
    pa = angle;
    if (done) break;
  }
  const [l1] = eigen(mxx, myy, mxy);
  // the PSF adds its own moments
  let cq = q;
  let cpa = pa;
  let scale = 1;
  if (opts.psf && opts.psf.size > 1) {
    const [pxx, pyy, pxy] = psfMoments(opts.psf);
    const [d1, d2, dAngle] = eigen(mxx - pxx, myy - pyy, mxy - pxy);
    if (d1 > 0) {
      cq = Math.min(1, Math.max(0.05, Math.sqrt(Math.max(d2, 0.0025 * d1) / d1)));
      cpa = dAngle;
      scale = Math.sqrt(d1 / l1);
    }
  }

  // 4. the curve of growth in the same aperture
  const c = Math.cos(pa);
  const s = Math.sin(pa);
  const reach = Math.ceil(a) + 1;
  const pts: [number, number][] = [];
  if (local) {
    const ring: number[] = [];
    for (let i = Math.max(0, Math.floor(cy - 1.5 * reach)); i <= Math.min(rows - 1, Math.ceil(cy + 1.5 * reach)); i++) {
      for (let j = Math.max(0, Math.floor(cx - 1.5 * reach)); j <= Math.min(cols - 1, Math.ceil(cx + 1.5 * reach)); j++) {
        const k = i * cols + j;
        const r = ellipticalRadius(j - cx, i - cy, c, s, q);
        if (ok(k) && r > a && r <= 1.5 * a) ring.push(image[k]);
      }
    }
    if (ring.length >= 8) bg = median(ring);
  }
  for (let i = Math.max(0, Math.floor(cy - reach)); i <= Math.min(rows - 1, Math.ceil(cy + reach)); i++) {
    for (let j = Math.max(0, Math.floor(cx - reach)); j <= Math.min(cols - 1, Math.ceil(cx + reach)); j++) {
      const k = i * cols + j;
      if (!ok(k)) continue;
      const r = ellipticalRadius(j - cx, i - cy, c, s, q);
      if (r <= a) pts.push([r, image[k] - bg]);
    }
  }
  pts.sort((u, v) => u[0] - v[0]);
  const total = pts.reduce((t, p) => t + p[1], 0);
  if (!(total > 0)) throw new MomentError('there is no light above the background around this point; click on a source');
  let acc = 0;
  let half = a;
  let prevR = 0;
  let prevC = 0;
  for (const [r, w] of pts) {
    const mid = acc + 0.5 * w; // a pixel's light counts half at its own radius
    if (mid >= 0.5 * total) {
      const t = mid > prevC ? (0.5 * total - prevC) / (mid - prevC) : 0;
      half = prevR + Math.min(1, Math.max(0, t)) * (r - prevR);
      break;
    }
    acc += w;
    prevR = r;
    prevC = mid;
  }
  return {
    x: cx,
    y: cy,
    q: cq,
    PA: wrapPA(cpa),
    aperture: a,
    flux: total,
    halfRadius: half * scale,
    psfScale: scale,
    background: bg,
    pixels: pts.length,
  };
}

function ellipticalRadius(dx: number, dy: number, c: number, s: number, q: number): number {
  const X = c * dx + s * dy;
  const Y = (-s * dx + c * dy) / q;
  return Math.sqrt(X * X + Y * Y);
}

/** Fraction of a profile's light inside semi-major radius R, for scale s (Re, sigma or Rd). */
export type EnclosedFraction = (R: number, s: number) => number;

export function sersicEnclosed(n: number): EnclosedFraction {
  const b = sersicB(n);
  return (R, Re) => (R <= 0 ? 0 : gammaP(2 * n, b * Math.pow(R / Re, 1 / n)));
}

export const gaussianEnclosed: EnclosedFraction = (R, sigma) => 1 - Math.exp((-R * R) / (2 * sigma * sigma));

export function moffatEnclosed(n: number): EnclosedFraction {
  return (R, Rd) => 1 - Math.pow(1 + (R * R) / (Rd * Rd), 1 - n);
}

/**
 * The scale s for which half of the light inside the aperture a lies inside R_h:
 * frac(R_h, s) = frac(a, s) / 2 (bisection in log s). Also the fraction of all light inside a.
 */
export function solveScale(frac: EnclosedFraction, halfRadius: number, aperture: number): { scale: number; inside: number } {
  const g = (s: number) => frac(halfRadius, s) - 0.5 * frac(aperture, s);
  let lo = Math.max(1e-3, 1e-3 * halfRadius);
  let hi = 1e3 * aperture;
  if (!(halfRadius > 0) || !(halfRadius < aperture) || g(lo) <= 0 || g(hi) >= 0) {
    // no solution (noise, or light spread evenly): take the half-light radius as it is
    const s = Math.max(halfRadius, 0.5);
    return { scale: s, inside: frac(aperture, s) };
  }
  for (let k = 0; k < 100; k++) {
    const mid = Math.sqrt(lo * hi);
    if (g(mid) > 0) lo = mid;
    else hi = mid;
    if (hi / lo < 1 + 1e-10) break;
  }
  const s = Math.sqrt(lo * hi);
  return { scale: s, inside: frac(aperture, s) };
}

/** Median of the unmasked pixels (a sky level). */
export function imageMedian(image: ArrayLike<number>, mask?: Uint8Array | null): number {
  const v: number[] = [];
  for (let k = 0; k < image.length; k++) if ((!mask || !mask[k]) && Number.isFinite(image[k])) v.push(image[k]);
  return median(v);
}

/**
 * Starting values of a 2D component of `type` from the moments (others, e.g. the Sersic index n or
 * the Moffat index, come from `current`). Sky types take the median of the image.
 */
export function estimateFromMoments(
  type: string,
  image: ArrayLike<number>,
  rows: number,
  cols: number,
  click: { x: number; y: number },
  current: Record<string, number>,
  opts: MomentOptions = {},
): Record<string, number> {
  if (type === 'FlatSky' || type === 'PlaneSky') {
    const m = imageMedian(image, opts.mask);
    if (!(m > 0)) throw new MomentError(`the median of the image is ${Number.isFinite(m) ? m.toPrecision(3) : m}; a sky of 10^F needs a positive level`);
    return type === 'FlatSky' ? { F: Math.log10(m) } : { F: Math.log10(m), dFdx: 0, dFdy: 0 };
  }
  const m = imageMoments(image, rows, cols, click, opts);
  const geo = { x: m.x, y: m.y, q: m.q, PA: m.PA };
  const fluxOf = (inside: number) => m.flux / Math.max(inside, 1e-6);
  // the aperture in the PSF-corrected frame
  const aperture = m.aperture * m.psfScale;
  switch (type) {
    case 'Sersic':
    case 'ExponentialDisk': {
      const n = type === 'Sersic' ? Math.min(8, Math.max(0.36, current.n ?? 2)) : 1;
      const { scale: Re, inside } = solveScale(sersicEnclosed(n), m.halfRadius, aperture);
      const L = fluxOf(inside);
      const Ie = Math.log10(L / sersicTotalFlux(n, Re, 1, m.q));
      return type === 'Sersic' ? { ...geo, n, Re, Ie } : { ...geo, Re, Ie };
    }
    case 'Gaussian2D': {
      const { scale: sigma, inside } = solveScale(gaussianEnclosed, m.halfRadius, aperture);
      return { ...geo, sigma, flux: Math.log10(fluxOf(inside)) };
    }
    case 'Moffat2D': {
      const n = Math.max(1.2, current.n ?? 2);
      const { scale: Rd, inside } = solveScale(moffatEnclosed(n), m.halfRadius, aperture);
      const L = fluxOf(inside);
      return { ...geo, n, Rd, I0: Math.log10((L * (n - 1)) / (Math.PI * Rd * Rd * m.q)) };
    }
    default:
      throw new MomentError(`no estimate from moments for a ${type}`);
  }
}
