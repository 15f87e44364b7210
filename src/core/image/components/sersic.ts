/**
 * Sersic profile (AstroPhot `sersic galaxy model`): I(R) = 10^Ie exp(-b_n ((R/Re)^(1/n) - 1)),
 * R the elliptical radius of ./geometry.ts, b_n from Ciotti & Bertin (1999) so that Re is the
 * half-light radius. Parameters: x, y, q, PA, n, Re (pixels), Ie (log10 intensity per pixel at Re).
 * Derivatives, with s = (R/Re)^(1/n) and f = I(R):
 *   df/dR = -f b s / (n R);  df/dRe = f b s / (n Re);  df/dIe = f ln 10;
 *   df/dn = f (-b'(n) (s - 1) + b s ln(R/Re) / n^2)
 * The profile and these derivatives come from a table in R^2 (sersic-table.ts: relative error
 * below 2e-8 for n >= 1 and 5e-7 at n = 0.36 down to 1e-5 of the central value, below 1e-9 on the
 * bright half), the closed form at the centre and outside the table.
 */
import type { AdjointCache, ComponentType } from '../../model/component-type';
import { frameOf, GEOMETRY_PARAMS } from './geometry';
import { sersicTable } from './sersic-table';

const LN10 = Math.LN10;

/**
 * The hot loop: the profile from the table of sersic-table.ts (three cubic polynomials in the
 * point's R^2 segment; the closed form outside it). With F = f, G = f s, K = f s ln R^2:
 *   g = (df/dR) / R = -b G / (n R^2) (0 at the centre) for the geometric derivatives of geometry.ts,
 *   df/dn = -b' (G - F) + b / n^2 (K / 2 - ln(Re) G),  df/dRe = b G / (n Re),  df/dIe = F ln 10.
 */
function evaluateSersic(p: ArrayLike<number>, coords: Record<string, Float64Array>, out: Float64Array, jac: Float64Array[] | null, n: number): void {
  const xs = coords.x;
  const ys = coords.y;
  const frame = frameOf(p);
  const { x0, y0, c, sn, iq } = frame;
  const T = sersicTable(p[4], p[5], p[6]);
  if (jac === null) {
    T.valuesAt(frame, xs, ys, n, out);
    return;
  }
  // F into out, G into jre and K into jn (each read back below before its derivative overwrites it)
  const [jx, jy, jq, jpa, jn, jre, jie] = jac;
  T.fgkAt(frame, xs, ys, n, out, jre, jn);
  const { b, db, invN, lnRe } = T;
  const paFactor = p[2] - iq;
  const bInvN = b * invN;
  const bInvN2 = bInvN * invN;
  const bInvNRe = bInvN / p[5];
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - x0;
    const dy = ys[i] - y0;
    const X = c * dx + sn * dy;
    const Y = (-sn * dx + c * dy) * iq;
    const R2 = X * X + Y * Y;
    const f = out[i];
    const G = jre[i];
    const K = jn[i];
    // the cusp's geometric derivatives are defined as 0 at the centre (symmetry)
    const g = R2 > 0 ? (-bInvN * G) / R2 : 0;
    jx[i] = g * (-c * X + sn * Y * iq);
    jy[i] = g * (-sn * X - c * Y * iq);
    jq[i] = -g * Y * Y * iq;
    jpa[i] = g * X * Y * paFactor;
    jn[i] = -db * (G - f) + bInvN2 * (0.5 * K - lnRe * G);
    jre[i] = bInvNRe * G;
    jie[i] = f * LN10;
  }
}

/** F, G, K per point of the last forward pass (SersicAdjointCache; f is the caller's `out`) */
interface StoredFGK {
  f: Float64Array;
  g: Float64Array;
  k: Float64Array;
}

/**
 * sum_i w_i d f_i / d p (ComponentType.gradientDot): the derivatives of evaluateSersic without
 * storing them, as seven sums (with wg = w G / R^2):
 *   x0, y0, q, PA from sum wg X, sum wg Y, sum wg Y^2, sum wg X Y (geometry.ts, Y here = Y/q);
 *   n, Re, Ie from sum w F, sum w G, sum w K.
 * F, G, K come from `stored`: the forward pass's (SersicAdjointCache), same points and parameters.
 * Sums over points start .. end - 1 (added to g).
 */
function sersicGradientDot(p: ArrayLike<number>, coords: Record<string, Float64Array>, w: Float64Array, start: number, end: number, g: Float64Array, stored: StoredFGK): void {
  const xs = coords.x;
  const ys = coords.y;
  const { x0, y0, c, sn, iq } = frameOf(p);
  const { b, db, invN, lnRe } = sersicTable(p[4], p[5], p[6]);
  const q = p[2];
  const Re = p[5];
  const fs = stored.f;
  const gs = stored.g;
  const ks = stored.k;
  let sX = 0;
  let sY = 0;
  let sYY = 0;
  let sXY = 0;
  let sF = 0;
  let sG = 0;
  let sK = 0;
  for (let i = start; i < end; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    const dx = xs[i] - x0;
    const dy = ys[i] - y0;
    const X = c * dx + sn * dy;
    const Y = (-sn * dx + c * dy) * iq;
    const R2 = X * X + Y * Y;
    const G = gs[i];
    sF += wi * fs[i];
    sG += wi * G;
    sK += wi * ks[i];
    if (!(R2 > 0)) continue; // the centre: only d/dn and d/dIe (G = K = 0 there)
    const wg = (wi * G) / R2;
    sX += wg * X;
    sY += wg * Y;
    sYY += wg * Y * Y;
    sXY += wg * X * Y;
  }
  const bInvN = b * invN;
  g[0] += -bInvN * (-c * sX + sn * iq * sY);
  g[1] += -bInvN * (-sn * sX - c * iq * sY);
  g[2] += bInvN * iq * sYY;
  g[3] += -bInvN * (q - iq) * sXY;
  g[4] += -db * (sG - sF) + bInvN * invN * (0.5 * sK - lnRe * sG);
  g[5] += (bInvN * sG) / Re;
  g[6] += sF * LN10;
}

/** points per sersicGradientDot call (see SersicAdjointCache.gradientDot) */
const ADJOINT_CHUNK = 256;

/**
 * The adjoint cache (ComponentType.adjointCache): the forward pass looks up F, G and K (one
 * table segment, three cubics) instead of F alone and keeps them, so that gradientDot needs no
 * second lookup. Used by the pixel integrator on its level-A nodes (~47,000 per tutorial gradient).
 */
class SersicAdjointCache implements AdjointCache {
  private stored: StoredFGK = { f: new Float64Array(0), g: new Float64Array(0), k: new Float64Array(0) };

  evaluate(p: ArrayLike<number>, coords: Record<string, Float64Array>, out: Float64Array, n: number): void {
    // F is `out` itself (the caller leaves it as it is until gradientDot)
    if (this.stored.g.length < n) this.stored = { f: out, g: new Float64Array(n), k: new Float64Array(n) };
    else this.stored.f = out;
    const { g, k } = this.stored;
    sersicTable(p[4], p[5], p[6]).fgkAt(frameOf(p), coords.x, coords.y, n, out, g, k);
  }

  gradientDot(p: ArrayLike<number>, coords: Record<string, Float64Array>, w: Float64Array, n: number, g: Float64Array): void {
    // in short chunks: V8 (Node 20) compiles a loop that runs long in a function's first call on
    // stack replacement (OSR) before the code after it has ever run; that code, without type
    // feedback, then deoptimises at the loop's end, and later calls, entering the loop in the
    // interpreter, jump into the same cached OSR code again: a deoptimisation on every call and the
    // first part of every loop interpreted, its sums boxed (~9 per tutorial gradient, ~5 MB of
    // garbage). Calls of 256 points finish in the interpreter and are optimised between calls
    // (1024 still let it happen).
    for (let start = 0; start < n; start += ADJOINT_CHUNK) sersicGradientDot(p, coords, w, start, Math.min(n, start + ADJOINT_CHUNK), g, this.stored);
  }
}

const scratchCache = new SersicAdjointCache();
let scratchOut = new Float64Array(0);

export const sersic: ComponentType = {
  type: 'Sersic',
  dims: 2,
  formula: '10^Ie exp(-b_n ((R/Re)^(1/n) - 1)),  R^2 = X^2 + (Y/q)^2,  b_n: Ciotti & Bertin (1999)',
  peak: false,
  params: () => [
    ...GEOMETRY_PARAMS.map((p) => ({ ...p })),
    { name: 'n', value: 2, lower: 0.36, upper: 8, description: 'Sersic index' },
    { name: 'Re', value: 5, lower: 0, upper: null, description: 'effective (half-light) radius along the major axis (pixels)' },
    { name: 'Ie', value: 0, lower: null, upper: null, description: 'log10 of the intensity per pixel at Re' },
  ],
  evaluate(p, coords, out, jac, n) {
    evaluateSersic(p, coords, out, jac, n);
  },
  gradientDot(p, coords, w, n, g) {
    // without a cache of its own (the integrator keeps one per component): a forward pass into a scratch cache
    scratchCache.evaluate(p, coords, scratchOut.length >= n ? scratchOut : (scratchOut = new Float64Array(n)), n);
    scratchCache.gradientDot(p, coords, w, n, g);
  },
  adjointCache: () => new SersicAdjointCache(),
};
