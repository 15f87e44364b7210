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
import type { ComponentType } from '../../model/component-type';
import { GEOMETRY_PARAMS } from './geometry';
import { SERSIC_TABLE, sersicTable, tableBits } from './sersic-table';

const { SEGMENTS, SEG_BITS, STRIDE, SHIFT, INDEX0 } = SERSIC_TABLE;
const SEG_MASK = SEGMENTS - 1;

const LN10 = Math.LN10;

/**
 * The closed form at one point (outside the table's octaves): with L = ln R^2,
 * s = exp(L / (2n) - ln(Re) / n) = (R/Re)^(1/n) and f = exp(Ie ln 10 + b (1 - s)).
 */
function closedForm(R2: number, lnI: number, b: number, halfInvN: number, cOff: number): number {
  return R2 > 0 ? Math.exp(lnI - b * Math.exp(halfInvN * Math.log(R2) + cOff)) : Math.exp(lnI);
}

/**
 * The hot loop: the profile from the table of sersic-table.ts (three cubic polynomials in the
 * point's R^2 segment), the closed form outside it. The geometric derivatives follow geometry.ts
 * with g = (df/dR) / R = -b G / (n R^2).
 */
function evaluateSersic(p: ArrayLike<number>, coords: Record<string, Float64Array>, out: Float64Array, jac: Float64Array[] | null, n: number): void {
  const xs = coords.x;
  const ys = coords.y;
  const x0 = p[0];
  const y0 = p[1];
  const q = p[2];
  const pa = p[3];
  const ns = p[4];
  const Re = p[5];
  const c = Math.cos(pa);
  const sn = Math.sin(pa);
  const iq = 1 / q;
  const T = sersicTable(ns, Re, p[6]);
  const { b, db, invN, lnRe, lnI } = T;
  const halfInvN = 0.5 * invN;
  const cOff = -invN * lnRe;
  const coef = T.coef;
  const built = T.built;
  const scale = T.scale;
  const tb = tableBits;
  const bits = tb ? tb.bits : null;
  const hiWord = tb ? tb.bitsHi : null;
  const NSEG = tb ? SERSIC_TABLE.NSEG : 0;
  if (jac === null) {
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - x0;
      const dy = ys[i] - y0;
      const X = c * dx + sn * dy;
      const Y = (-sn * dx + c * dy) * iq;
      const R2 = X * X + Y * Y;
      let seg = -1;
      if (bits !== null) {
        bits[0] = R2;
        seg = (hiWord![0] >>> SHIFT) - INDEX0;
      }
      if (seg >= 0 && seg < NSEG) {
        const oct = seg >> SEG_BITS;
        if (built[oct] === 0) T.buildOctave(oct);
        const u = R2 * scale[oct] - (SEGMENTS + (seg & SEG_MASK));
        const o = seg * STRIDE;
        out[i] = coef[o] + u * (coef[o + 1] + u * (coef[o + 2] + u * coef[o + 3]));
      } else out[i] = closedForm(R2, lnI, b, halfInvN, cOff);
    }
    return;
  }
  const invRe = 1 / Re;
  const jx = jac[0];
  const jy = jac[1];
  const jq = jac[2];
  const jpa = jac[3];
  const jn = jac[4];
  const jre = jac[5];
  const jie = jac[6];
  const paFactor = q - iq;
  const bInvN = b * invN;
  const bInvN2 = bInvN * invN;
  const fCentre = Math.exp(lnI);
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - x0;
    const dy = ys[i] - y0;
    const X = c * dx + sn * dy;
    const Y = (-sn * dx + c * dy) * iq;
    const R2 = X * X + Y * Y;
    let seg = -1;
    if (bits !== null) {
      bits[0] = R2;
      seg = (hiWord![0] >>> SHIFT) - INDEX0;
    }
    let f: number;
    let G: number;
    let K: number;
    if (seg >= 0 && seg < NSEG) {
      const oct = seg >> SEG_BITS;
      if (built[oct] === 0) T.buildOctave(oct);
      const u = R2 * scale[oct] - (SEGMENTS + (seg & SEG_MASK));
      const o = seg * STRIDE;
      f = coef[o] + u * (coef[o + 1] + u * (coef[o + 2] + u * coef[o + 3]));
      G = coef[o + 4] + u * (coef[o + 5] + u * (coef[o + 6] + u * coef[o + 7]));
      K = coef[o + 8] + u * (coef[o + 9] + u * (coef[o + 10] + u * coef[o + 11]));
    } else if (R2 > 0) {
      const L = Math.log(R2);
      const sr = Math.exp(halfInvN * L + cOff);
      f = Math.exp(lnI - b * sr);
      G = f * sr;
      K = G * L;
    } else {
      // the centre: f = 10^Ie e^b; the cusp's derivatives are defined as 0 there (symmetry), and
      // d/dn, d/dRe of (R/Re)^(1/n) vanish at R = 0
      out[i] = fCentre;
      jx[i] = 0;
      jy[i] = 0;
      jq[i] = 0;
      jpa[i] = 0;
      jn[i] = fCentre * db;
      jre[i] = 0;
      jie[i] = fCentre * LN10;
      continue;
    }
    out[i] = f;
    const g = (-bInvN * G) / R2;
    jx[i] = g * (-c * X + sn * Y * iq);
    jy[i] = g * (-sn * X - c * Y * iq);
    jq[i] = -g * Y * Y * iq;
    jpa[i] = g * X * Y * paFactor;
    jn[i] = -db * (G - f) + bInvN2 * (0.5 * K - lnRe * G);
    jre[i] = bInvN * G * invRe;
    jie[i] = f * LN10;
  }
}

/**
 * sum_i w_i d f_i / d p (ComponentType.gradientDot): the derivatives of evaluateSersic without
 * storing them, as seven sums (with wg = w G / R^2):
 *   x0, y0, q, PA from sum wg X, sum wg Y, sum wg Y^2, sum wg X Y (geometry.ts, Y here = Y/q);
 *   n, Re, Ie from sum w f, sum w G, sum w K.
 */
function sersicGradientDot(p: ArrayLike<number>, coords: Record<string, Float64Array>, w: Float64Array, n: number, g: Float64Array): void {
  const xs = coords.x;
  const ys = coords.y;
  const x0 = p[0];
  const y0 = p[1];
  const q = p[2];
  const pa = p[3];
  const ns = p[4];
  const Re = p[5];
  const c = Math.cos(pa);
  const sn = Math.sin(pa);
  const iq = 1 / q;
  const T = sersicTable(ns, Re, p[6]);
  const { b, db, invN, lnRe, lnI } = T;
  const halfInvN = 0.5 * invN;
  const cOff = -invN * lnRe;
  const coef = T.coef;
  const built = T.built;
  const scale = T.scale;
  const tb = tableBits;
  const bits = tb ? tb.bits : null;
  const hiWord = tb ? tb.bitsHi : null;
  const NSEG = tb ? SERSIC_TABLE.NSEG : 0;
  const fCentre = Math.exp(lnI);
  let sX = 0;
  let sY = 0;
  let sYY = 0;
  let sXY = 0;
  let sF = 0;
  let sG = 0;
  let sK = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    const dx = xs[i] - x0;
    const dy = ys[i] - y0;
    const X = c * dx + sn * dy;
    const Y = (-sn * dx + c * dy) * iq;
    const R2 = X * X + Y * Y;
    let seg = -1;
    if (bits !== null) {
      bits[0] = R2;
      seg = (hiWord![0] >>> SHIFT) - INDEX0;
    }
    let f: number;
    let G: number;
    let K: number;
    if (seg >= 0 && seg < NSEG) {
      const oct = seg >> SEG_BITS;
      if (built[oct] === 0) T.buildOctave(oct);
      const u = R2 * scale[oct] - (SEGMENTS + (seg & SEG_MASK));
      const o = seg * STRIDE;
      f = coef[o] + u * (coef[o + 1] + u * (coef[o + 2] + u * coef[o + 3]));
      G = coef[o + 4] + u * (coef[o + 5] + u * (coef[o + 6] + u * coef[o + 7]));
      K = coef[o + 8] + u * (coef[o + 9] + u * (coef[o + 10] + u * coef[o + 11]));
    } else if (R2 > 0) {
      const L = Math.log(R2);
      const sr = Math.exp(halfInvN * L + cOff);
      f = Math.exp(lnI - b * sr);
      G = f * sr;
      K = G * L;
    } else {
      // the centre: only d/dn (= f b') and d/dIe (= f ln 10); G = K = 0 there
      sF += wi * fCentre;
      continue;
    }
    const wg = (wi * G) / R2;
    sX += wg * X;
    sY += wg * Y;
    sYY += wg * Y * Y;
    sXY += wg * X * Y;
    sF += wi * f;
    sG += wi * G;
    sK += wi * K;
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
    sersicGradientDot(p, coords, w, n, g);
  },
};
