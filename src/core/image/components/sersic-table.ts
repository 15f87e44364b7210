/**
 * The Sersic profile as a function of R^2, tabulated for one (n, Re, Ie) and evaluated by cubic
 * Hermite interpolation: the pixel integrator evaluates one profile at 10^4 - 10^5 points per
 * render with the same n, Re, Ie, and exp(lnI - b exp(ln(R^2) / 2n - ln(Re) / n)) costs one log
 * and two exps per point (~45 ns in V8; with the 7 derivatives ~65 ns), where a table lookup costs
 * a few multiply-adds.
 *
 * Segments: every binary octave of R^2 in [2^MIN_EXP, 2^MAX_EXP) is cut into SEGMENTS equal parts,
 * so a point's segment comes straight from the top bits of its IEEE-754 double (exponent and the
 * first 7 mantissa bits) and its local coordinate u = R^2 2^-e SEGMENTS - (SEGMENTS + j) in [0, 1)
 * is computed exactly. A segment is 1/128 of its octave wide: 0.0078 in ln R^2.
 * Per segment, three functions of R^2 as cubic polynomials in u (Hermite: values and derivatives
 * at both ends, from the closed forms), from which the value and every derivative follow:
 *   F = f = exp(lnI - b s),  G = f s,  K = f s ln R^2,   s = (R/Re)^(1/n)
 *   f,  df/dR / R = -b G / (n R^2),  df/dn = -b'(n) (G - F) + b / n^2 (K / 2 - ln(Re) G),
 *   df/dRe = b G / (n Re),  df/dIe = F ln 10.
 * Accuracy: the Hermite error is (h^4 / 384) max |d^4 F / d(ln R^2)^4| with h = 0.0078, i.e.
 * about 1e-11 (b s / 2n)^4 relative, largest in the faint wings. Measured against the closed form
 * where f is above 1e-5 of its central value (sersic-table.test.ts): relative error below 2e-8 for
 * n >= 1, 2e-7 at n = 0.5, 5e-7 at n = 0.36, and below 1e-9 for the brighter half of the profile
 * at any n; the pixel integration's tolerance is 2e-6. Octaves are built when first needed (129
 * knots, one exp each: s = (R/Re)^(1/n) is a per-octave factor times a per-knot factor shared by
 * all octaves), so a render touches ~20 of them. Points outside the octaves (R^2 = 0 at the centre,
 * R^2 below 2^MIN_EXP or at/above 2^MAX_EXP), and every point on a big-endian platform, use the
 * closed form. The table depends only on (n, Re, Ie), so results do not depend on the order of
 * calls; it is rebuilt when they change. sersic.ts looks up whole arrays of points (valuesAt(),
 * fgkAt()).
 */
import { sersicB, sersicBDerivative } from '../sersic-math';
import type { EllipseFrame } from './geometry';

const LN10 = Math.LN10;
const LN2 = Math.LN2;
/** segments per octave (a power of two) and its log2 */
const SEGMENTS = 128;
const SEG_BITS = 7;
const SEG_MASK = SEGMENTS - 1;
const MIN_EXP = -12;
const MAX_EXP = 30;
const OCTAVES = MAX_EXP - MIN_EXP;
const NSEG = OCTAVES * SEGMENTS;
/** the high 32 bits of a double shifted right by 20 - SEG_BITS give exponent and first mantissa bits */
const SHIFT = 20 - SEG_BITS;
const INDEX0 = (1023 + MIN_EXP) << SEG_BITS;
/** per segment: F, G, K as c0 + u (c1 + u (c2 + u c3)) */
const STRIDE = 12;

const bits = new Float64Array(1);
const bitsHi = new Int32Array(bits.buffer, 4, 1);
/** little-endian check: the high word of 1.0 is 0x3ff00000 */
bits[0] = 1;
const LITTLE = bitsHi[0] === 0x3ff00000;

/** F, G, K of one point outside the built octaves (fgkAt) */
const FGK1 = new Float64Array(3);

/** ln(1 + j / SEGMENTS), j = 0 .. SEGMENTS */
const LOG_MANT = Float64Array.from({ length: SEGMENTS + 1 }, (_, j) => Math.log1p(j / SEGMENTS));

/** the segment index of R^2 from its top bits (may lie outside 0 .. NSEG - 1) */
function rawSegment(R2: number): number {
  bits[0] = R2;
  return (bitsHi[0] >>> SHIFT) - INDEX0;
}

// The lookup in pieces small enough for V8 to inline into the loops of valuesAt() and fgkAt(),
// which read the table's arrays once per call: the loops over many points live in this module
// because a function imported from another module is reached through a getter at every call under
// the CommonJS transforms of tsx and Vitest (which run the CLI, the bench and the tests), and the
// per-point lookup then no longer inlines (~60 % slower).

/**
 * The segment of R^2 when its octave is built, else -1 (outside the octaves, not built yet, or a
 * big-endian platform, where no octave is ever built): then valueSlow() / fgkSlow() build it or
 * use the closed form.
 */
function tableSegment(built: Uint8Array, R2: number): number {
  const seg = rawSegment(R2);
  return seg >= 0 && seg < NSEG && built[seg >> SEG_BITS] !== 0 ? seg : -1;
}

/** the local coordinate u in [0, 1) of R^2 in segment seg (from tableSegment) */
function segmentU(scale: Float64Array, seg: number, R2: number): number {
  return R2 * scale[seg >> SEG_BITS] - (SEGMENTS + (seg & SEG_MASK));
}

/** one of F, G, K at u: the cubic at coef[o .. o + 3], o = seg * STRIDE (+ 4 for G, + 8 for K) */
function cubic(coef: Float64Array, o: number, u: number): number {
  return coef[o] + u * (coef[o + 1] + u * (coef[o + 2] + u * coef[o + 3]));
}

/** R^2 of point (x, y) in the elliptical frame (x0, y0, cos PA, sin PA, 1/q) of geometry.ts */
function frameR2(x0: number, y0: number, c: number, sn: number, iq: number, x: number, y: number): number {
  const dx = x - x0;
  const dy = y - y0;
  const X = c * dx + sn * dy;
  const Y = (-sn * dx + c * dy) * iq;
  return X * X + Y * Y;
}

export class SersicTable {
  private n = NaN;
  private Re = NaN;
  private Ie = NaN;
  /** derived constants of the current parameters */
  b = 0;
  db = 0;
  invN = 0;
  lnRe = 0;
  lnI = 0;
  private h = 0;
  private cOff = 0;
  readonly coef = new Float64Array(NSEG * STRIDE);
  /** (1 + j / SEGMENTS)^h */
  private readonly mant = new Float64Array(SEGMENTS + 1);
  readonly built = new Uint8Array(OCTAVES);
  /** 2^-e SEGMENTS of octave k (e = MIN_EXP + k) */
  readonly scale = Float64Array.from({ length: OCTAVES }, (_, k) => SEGMENTS * 2 ** -(MIN_EXP + k));

  matches(n: number, Re: number, Ie: number): boolean {
    return n === this.n && Re === this.Re && Ie === this.Ie;
  }

  /** the table for these parameters (cleared when they changed) */
  prepare(n: number, Re: number, Ie: number): void {
    if (n === this.n && Re === this.Re && Ie === this.Ie) return;
    this.n = n;
    this.Re = Re;
    this.Ie = Ie;
    this.b = sersicB(n);
    this.db = sersicBDerivative(n);
    this.invN = 1 / n;
    this.lnRe = Math.log(Re);
    this.lnI = Ie * LN10 + this.b;
    this.h = 0.5 / n;
    this.cOff = -this.lnRe / n;
    // s at knot j of any octave e: exp(h e ln 2 + cOff) (1 + j / SEGMENTS)^h, the second factor shared by all octaves
    for (let j = 0; j <= SEGMENTS; j++) this.mant[j] = Math.exp(this.h * LOG_MANT[j]);
    this.built.fill(0);
  }

  /** out[i] = f at the points (xs[i], ys[i]), i < n, of an elliptical frame (geometry.ts) */
  valuesAt(frame: EllipseFrame, xs: Float64Array, ys: Float64Array, n: number, out: Float64Array): void {
    const { x0, y0, c, sn, iq } = frame;
    const { coef, built, scale } = this;
    for (let i = 0; i < n; i++) {
      const R2 = frameR2(x0, y0, c, sn, iq, xs[i], ys[i]);
      const seg = tableSegment(built, R2);
      out[i] = seg >= 0 ? cubic(coef, seg * STRIDE, segmentU(scale, seg, R2)) : this.valueSlow(R2, rawSegment(R2));
    }
  }

  /** f[i], g[i], k[i] = F, G, K (see above) at the points of an elliptical frame, as valuesAt */
  fgkAt(frame: EllipseFrame, xs: Float64Array, ys: Float64Array, n: number, f: Float64Array, g: Float64Array, k: Float64Array): void {
    const { x0, y0, c, sn, iq } = frame;
    const { coef, built, scale } = this;
    const one = FGK1;
    for (let i = 0; i < n; i++) {
      const R2 = frameR2(x0, y0, c, sn, iq, xs[i], ys[i]);
      const seg = tableSegment(built, R2);
      if (seg >= 0) {
        const u = segmentU(scale, seg, R2);
        const o = seg * STRIDE;
        f[i] = cubic(coef, o, u);
        g[i] = cubic(coef, o + 4, u);
        k[i] = cubic(coef, o + 8, u);
      } else {
        this.fgkSlow(R2, rawSegment(R2), one);
        f[i] = one[0];
        g[i] = one[1];
        k[i] = one[2];
      }
    }
  }

  /** f where the octave of segment seg is not built yet (built now) or R^2 is outside the table (closed form) */
  private valueSlow(R2: number, seg: number): number {
    if (LITTLE && seg >= 0 && seg < NSEG) {
      this.buildOctave(seg >> SEG_BITS);
      return cubic(this.coef, seg * STRIDE, segmentU(this.scale, seg, R2));
    }
    return R2 > 0 ? Math.exp(this.lnI - this.b * Math.exp(this.h * Math.log(R2) + this.cOff)) : Math.exp(this.lnI);
  }

  /** out[0..2] = F, G, K as valueSlow; at the centre f(0), 0, 0 */
  private fgkSlow(R2: number, seg: number, out: Float64Array): void {
    if (LITTLE && seg >= 0 && seg < NSEG) {
      this.buildOctave(seg >> SEG_BITS);
      const u = segmentU(this.scale, seg, R2);
      const o = seg * STRIDE;
      out[0] = cubic(this.coef, o, u);
      out[1] = cubic(this.coef, o + 4, u);
      out[2] = cubic(this.coef, o + 8, u);
      return;
    }
    if (R2 > 0) {
      const L = Math.log(R2);
      const s = Math.exp(this.h * L + this.cOff);
      const f = Math.exp(this.lnI - this.b * s);
      out[0] = f;
      out[1] = f * s;
      out[2] = f * s * L;
    } else {
      out[0] = Math.exp(this.lnI);
      out[1] = 0;
      out[2] = 0;
    }
  }

  /** builds octave k: knots R^2 = 2^e (1 + j / SEGMENTS), j = 0 .. SEGMENTS */
  buildOctave(k: number): void {
    const e = MIN_EXP + k;
    const p2 = 2 ** e;
    const w = p2 / SEGMENTS;
    const { b, h, cOff, lnI, mant } = this;
    const c = this.coef;
    const sOct = Math.exp(h * e * LN2 + cOff);
    let f0 = 0;
    let g0 = 0;
    let k0 = 0;
    let df0 = 0;
    let dg0 = 0;
    let dk0 = 0;
    for (let j = 0; j <= SEGMENTS; j++) {
      const L = e * LN2 + LOG_MANT[j];
      const s = sOct * mant[j];
      const f = Math.exp(lnI - b * s);
      const g = f * s;
      const kk = g * L;
      // d/dL of F, G, K times w / R^2 (= the derivative in u over the segment)
      const dl = w / (p2 * (1 + j / SEGMENTS));
      const fL = -b * h * s * f;
      const gL = g * h * (1 - b * s);
      const kL = gL * L + g;
      const df = fL * dl;
      const dg = gL * dl;
      const dk = kL * dl;
      if (j > 0) {
        const o = ((k << SEG_BITS) + j - 1) * STRIDE;
        hermite(c, o, f0, f, df0, df);
        hermite(c, o + 4, g0, g, dg0, dg);
        hermite(c, o + 8, k0, kk, dk0, dk);
      }
      f0 = f;
      g0 = g;
      k0 = kk;
      df0 = df;
      dg0 = dg;
      dk0 = dk;
    }
    this.built[k] = 1;
  }
}

function hermite(c: Float64Array, o: number, y0: number, y1: number, d0: number, d1: number): void {
  c[o] = y0;
  c[o + 1] = d0;
  c[o + 2] = 3 * (y1 - y0) - 2 * d0 - d1;
  c[o + 3] = 2 * (y0 - y1) + d0 + d1;
}

/** the table's layout constants (tests) */
export const SERSIC_TABLE = { SEGMENTS, MIN_EXP, MAX_EXP } as const;

const CACHE = 4;
const tables: SersicTable[] = [];
let next = 0;

/**
 * A prepared table for (n, Re, Ie): one of the last CACHE parameter sets (an LM iteration renders
 * the same components for the value and the Jacobian; several Sersics alternate).
 */
export function sersicTable(n: number, Re: number, Ie: number): SersicTable {
  for (const t of tables) if (t.matches(n, Re, Ie)) return t;
  let t: SersicTable;
  if (tables.length < CACHE) {
    t = new SersicTable();
    tables.push(t);
  } else {
    t = tables[next];
    next = (next + 1) % CACHE;
  }
  t.prepare(n, Re, Ie);
  return t;
}
