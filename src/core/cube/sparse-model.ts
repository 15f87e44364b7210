/**
 * The model of a pixel fit with a sparse (banded) Jacobian, for the per-pixel least squares of
 * multifit (sparse-lm.ts). Same parameter layout and values as compileModel (model/compile.ts);
 * what differs is where the work is done:
 *
 * - Gaussian: evaluated only on the channels within +-GAUSSIAN_WINDOW_SIGMAS sigma of its centre
 *   (found by binary search on the increasing signal axis). Outside, exp(-u^2 / 2) < 1e-18 of the
 *   peak, below the last bit of the peak's own value, so the model changes by less than the
 *   rounding of a full evaluation; inside, every value is computed with the component's
 *   expression, with exp from fast-exp.ts (within ~2 ulp of Math.exp, 1.8x faster), so the values
 *   agree with the compiled model's to a few ulp. Its Jacobian columns are zero outside
 *   the window and are stored as a range [lo, hi) of channels: an EDS line of sigma 0.05 keV on
 *   a 0.01 keV axis covers ~90 of 1024 channels, and the Gram matrix J^T W J only needs the
 *   products over the overlap of two ranges.
 * - PowerLaw: ln(x - origin) is cached while the origin does not change (it is usually fixed),
 *   so a value costs one (fast) exp; the origin's column is computed only when the origin is free.
 * - every other component: its own evaluate() over all channels (dense columns).
 *
 * Twins: a free column collects d value / d theta through the chain of twins (chainFactor, as
 * compileModel does); a free parameter with one slot and factor 1 uses that slot's column as is.
 */
import type { ComponentOptions, ComponentType } from '../model/component-type';
import { resolveComponent } from '../model/compile';
import { paramKey, type ModelDoc } from '../model/document';
import { expandParameters, type ParameterLayout } from '../model/parameter-layout';
import { fastExp } from './fast-exp';

/** exp(-k^2 / 2) = 1e-18: the Gaussian tail left out is below 1e-18 of the peak (k = 9.10) */
export const GAUSSIAN_WINDOW_SIGMAS = Math.sqrt(2 * Math.log(1e18));

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

type Kind = 0 | 1 | 2; // dense, Gaussian, PowerLaw
const DENSE: Kind = 0;
const GAUSSIAN: Kind = 1;
const POWER_LAW: Kind = 2;

interface Part {
  kind: Kind;
  type: ComponentType;
  options: ComponentOptions | undefined;
  firstSlot: number;
  nParams: number;
  params: Float64Array;
  jac: Float64Array[];
}

export interface SparseModelOptions {
  /** half-width of a Gaussian's window in sigmas (default GAUSSIAN_WINDOW_SIGMAS; Infinity: all channels) */
  gaussianWindow?: number;
}

export class SparseModel {
  readonly m: number;
  readonly n: number;
  /**
   * After evaluate(theta, out, true): column k of d model / d theta is col[k][i] for lo[k] <= i < hi[k],
   * and zero elsewhere (entries outside the range are stale, never read).
   */
  readonly col: Float64Array[];
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /**
   * whether secondOrderTerm() is available: every free parameter is an A, sigma or centre of a
   * Gaussian or an A or r of a PowerLaw (origin fixed), with no twin depending on it
   */
  readonly secondOrder: boolean;

  private readonly x: Float64Array;
  private readonly coords: Record<string, Float64Array>;
  private readonly layout: ParameterLayout;
  private readonly parts: Part[];
  private readonly values: Float64Array;
  private readonly chainFree: Int32Array;
  private readonly chainFactor: Float64Array;
  /** per slot: its Jacobian column, its range, whether a free parameter depends on it */
  private readonly slotCol: Float64Array[];
  private readonly slotLo: Int32Array;
  private readonly slotHi: Int32Array;
  private readonly needed: Uint8Array;
  /** per free parameter: its contributing slots; own accumulation buffer when there are several */
  private readonly contributors: Int32Array[];
  private readonly ownCol: (Float64Array | null)[];
  private readonly tmp: Float64Array;
  private readonly increasing: boolean;
  private readonly window: number;
  private logOrigin = NaN;
  /** first channel with x > origin when those are a suffix, else -1 */
  private logFrom = 0;
  private readonly logD: Float64Array;
  /** power law: exp(-rBase ln(x - origin)) per channel, and the largest |ln(x - origin)| (see powerLaw) */
  private rBase = NaN;
  private readonly gBase: Float64Array;
  private logMaxAbs = 0;

  constructor(model: ModelDoc, x: Float64Array, layout: ParameterLayout, options: SparseModelOptions = {}) {
    const m = x.length;
    this.m = m;
    this.x = x;
    this.coords = { x };
    this.layout = layout;
    this.n = layout.freeKeys.length;
    this.window = options.gaussianWindow ?? GAUSSIAN_WINDOW_SIGMAS;
    let inc = true;
    for (let i = 1; i < m; i++) if (!(x[i] > x[i - 1])) inc = false;
    this.increasing = inc;
    const nSlots = layout.slots.length;
    this.values = new Float64Array(nSlots);
    this.slotCol = Array.from({ length: nSlots }, () => new Float64Array(m));
    this.slotLo = new Int32Array(nSlots);
    this.slotHi = new Int32Array(nSlots).fill(m);
    this.chainFree = new Int32Array(nSlots);
    this.chainFactor = new Float64Array(nSlots);
    expandParameters(layout, layout.theta0, this.values, this.chainFree, this.chainFactor);
    this.needed = new Uint8Array(nSlots);
    for (let s = 0; s < nSlots; s++) this.needed[s] = this.chainFree[s] >= 0 ? 1 : 0;
    this.parts = [];
    for (const c of model.components) {
      if (!c.active) continue;
      const { type, paramNames } = resolveComponent(c, ['x']);
      const firstSlot = layout.slotIndex.get(paramKey(c.name, paramNames[0])) ?? 0;
      const kind: Kind = c.type === 'Gaussian' ? GAUSSIAN : c.type === 'PowerLaw' ? POWER_LAW : DENSE;
      this.parts.push({
        kind,
        type,
        options: c.options,
        firstSlot,
        nParams: paramNames.length,
        params: this.values.subarray(firstSlot, firstSlot + paramNames.length),
        jac: this.slotCol.slice(firstSlot, firstSlot + paramNames.length),
      });
    }
    const n = this.n;
    this.contributors = [];
    this.ownCol = [];
    for (let k = 0; k < n; k++) {
      const list: number[] = [];
      for (let s = 0; s < nSlots; s++) if (this.chainFree[s] === k) list.push(s);
      this.contributors.push(Int32Array.from(list));
      this.ownCol.push(list.length === 1 ? null : new Float64Array(m));
    }
    this.col = this.contributors.map((list, k) => this.ownCol[k] ?? this.slotCol[list[0]]);
    this.lo = new Int32Array(n);
    this.hi = new Int32Array(n).fill(m);
    this.tmp = new Float64Array(m);
    this.logD = new Float64Array(m);
    this.gBase = new Float64Array(m);
    let second = true;
    for (let k = 0; k < n; k++) if (this.contributors[k].length !== 1) second = false;
    for (const part of this.parts) {
      for (let j = 0; j < part.nParams; j++) {
        const sl = part.firstSlot + j;
        if (this.chainFree[sl] < 0) continue;
        if (layout.slots[sl].twinSource >= 0) second = false; // a twin's chain factor may vary
        if (part.kind === DENSE || (part.kind === POWER_LAW && j === 2)) second = false;
      }
    }
    this.secondOrder = second;
  }

  /**
   * S[k][l] = sum_i e_i d^2 model_i / d theta_k d theta_l with e_i = w2_i res_i (w2 null: 1), at
   * the point of the last evaluate(theta, out, true) (only when `secondOrder`). Analytic:
   * Gaussian f = A g, g = exp(-u^2 / (2 s^2)) / (s sqrt(2 pi)), u = x - centre:
   *   f_AA = 0, f_As = g (u^2 - s^2) / s^3, f_Ac = g u / s^2, f_ss = f (u^4 - 5 u^2 s^2 + 2 s^4) / s^6,
   *   f_sc = f u (u^2 - 3 s^2) / s^5, f_cc = f (u^2 - s^2) / s^4;
   * PowerLaw f = A g, g = exp(-r l), l = ln(x - origin): f_AA = 0, f_Ar = -g l, f_rr = f l^2.
   */
  secondOrderTerm(res: Float64Array, w2: Float64Array | null, S: Float64Array): void {
    const n = this.n;
    const x = this.x;
    S.fill(0, 0, n * n);
    for (let c = 0; c < this.parts.length; c++) {
      const part = this.parts[c];
      const s0 = part.firstSlot;
      const fA = this.chainFree[s0];
      const f1 = this.chainFree[s0 + 1];
      const f2 = part.nParams > 2 ? this.chainFree[s0 + 2] : -1;
      if (fA < 0 && f1 < 0 && f2 < 0) continue;
      const a = this.slotLo[s0];
      const b = this.slotHi[s0];
      const g = part.jac[0];
      const A = part.params[0];
      if (part.kind === GAUSSIAN) {
        const sg = part.params[1];
        const ce = part.params[2];
        const s2 = sg * sg;
        let tAs = 0;
        let tAc = 0;
        let tss = 0;
        let tsc = 0;
        for (let i = a; i < b; i++) {
          const t = (w2 === null ? res[i] : w2[i] * res[i]) * g[i];
          const u = x[i] - ce;
          const u2 = u * u;
          const q = t * (u2 - s2);
          tAs += q;
          tAc += t * u;
          tss += t * (u2 * (u2 - 5 * s2) + 2 * s2 * s2);
          tsc += t * u * (u2 - 3 * s2);
        }
        const s3 = s2 * sg;
        addSym(S, n, fA, f1, tAs / s3);
        addSym(S, n, fA, f2, tAc / s2);
        addSym(S, n, f1, f1, (A * tss) / (s3 * s3));
        addSym(S, n, f1, f2, (A * tsc) / (s3 * s2));
        addSym(S, n, f2, f2, (A * tAs) / (s2 * s2));
      } else if (part.kind === POWER_LAW) {
        const ld = this.logD;
        let tAr = 0;
        let trr = 0;
        const from = this.logFrom;
        if (from >= 0 && w2 === null) {
          for (let i = a; i < b; i++) {
            const l = ld[i];
            const t = res[i] * g[i] * l;
            tAr += t;
            trr += t * l;
          }
        } else if (from >= 0) {
          for (let i = a; i < b; i++) {
            const l = ld[i];
            const t = w2![i] * res[i] * g[i] * l;
            tAr += t;
            trr += t * l;
          }
        } else {
          for (let i = a; i < b; i++) {
            const l = ld[i];
            if (l !== l) continue;
            const t = (w2 === null ? res[i] : w2[i] * res[i]) * g[i] * l;
            tAr += t;
            trr += t * l;
          }
        }
        addSym(S, n, fA, f1, -tAr);
        addSym(S, n, f1, f1, A * trr);
      }
    }
  }

  /** first index with x[i] >= v */
  private lowerIndex(v: number): number {
    const x = this.x;
    let a = 0;
    let b = this.m;
    while (a < b) {
      const h = (a + b) >> 1;
      if (x[h] < v) a = h + 1;
      else b = h;
    }
    return a;
  }

  /** out = model(theta) at every channel; with the Jacobian columns (col, lo, hi) when `jacobian` */
  evaluate(theta: ArrayLike<number>, out: Float64Array, jacobian: boolean): void {
    const m = this.m;
    expandParameters(this.layout, theta, this.values, this.chainFree, this.chainFactor);
    out.fill(0, 0, m);
    for (let c = 0; c < this.parts.length; c++) {
      const part = this.parts[c];
      if (part.kind === GAUSSIAN) this.gaussian(part, out, jacobian);
      else if (part.kind === POWER_LAW) this.powerLaw(part, out, jacobian);
      else {
        const tmp = this.tmp;
        part.type.evaluate(part.params, this.coords, tmp, jacobian ? part.jac : null, m, part.options);
        for (let i = 0; i < m; i++) out[i] += tmp[i];
        for (let k = 0; k < part.nParams; k++) {
          this.slotLo[part.firstSlot + k] = 0;
          this.slotHi[part.firstSlot + k] = m;
        }
      }
    }
    if (jacobian) this.assemble();
  }

  private gaussian(part: Part, out: Float64Array, jacobian: boolean): void {
    const x = this.x;
    const p = part.params;
    const A = p[0];
    const sigma = p[1];
    const centre = p[2];
    let i0 = 0;
    let i1 = this.m;
    const half = this.window * Math.abs(sigma);
    if (this.increasing && half > 0 && Number.isFinite(half) && Number.isFinite(centre)) {
      i0 = this.lowerIndex(centre - half);
      i1 = this.lowerIndex(centre + half);
    }
    const inv2s2 = 1 / (2 * sigma * sigma);
    const norm = INV_SQRT_2PI / sigma;
    const s = part.firstSlot;
    if (!jacobian) {
      for (let i = i0; i < i1; i++) {
        const u = x[i] - centre;
        out[i] += A * (norm * fastExp(-u * u * inv2s2));
      }
      return;
    }
    for (let k = 0; k < 3; k++) {
      this.slotLo[s + k] = i0;
      this.slotHi[s + k] = i1;
    }
    const jA = part.jac[0];
    const jS = part.jac[1];
    const jC = part.jac[2];
    const invS2 = 1 / (sigma * sigma);
    const invS = 1 / sigma;
    // the expressions of components/gaussian.ts
    if (this.needed[s + 1] || this.needed[s + 2]) {
      for (let i = i0; i < i1; i++) {
        const u = x[i] - centre;
        const g = norm * fastExp(-u * u * inv2s2);
        const f = A * g;
        out[i] += f;
        jA[i] = g;
        jS[i] = f * (u * u * invS2 - 1) * invS;
        jC[i] = f * u * invS2;
      }
    } else {
      for (let i = i0; i < i1; i++) {
        const u = x[i] - centre;
        const g = norm * fastExp(-u * u * inv2s2);
        out[i] += A * g;
        jA[i] = g;
      }
    }
  }

  private powerLaw(part: Part, out: Float64Array, jacobian: boolean): void {
    const m = this.m;
    const x = this.x;
    const p = part.params;
    const A = p[0];
    const r = p[1];
    const origin = p[2];
    const ld = this.logD;
    if (!Object.is(origin, this.logOrigin)) {
      // ln(x - origin), NaN where x <= origin (the component is 0 there); on an increasing axis
      // those points are a prefix [0, logFrom), left out of the loops and of the columns' ranges
      let from = 0;
      for (let i = 0; i < m; i++) {
        const d = x[i] - origin;
        ld[i] = d > 0 ? Math.log(d) : NaN;
        if (!(d > 0) && from === i) from = i + 1;
      }
      let prefix = true;
      let maxAbs = 0;
      for (let i = from; i < m; i++) {
        if (ld[i] !== ld[i]) prefix = false;
        else if (Math.abs(ld[i]) > maxAbs) maxAbs = Math.abs(ld[i]);
      }
      this.logFrom = prefix ? from : -1;
      this.logOrigin = origin;
      this.logMaxAbs = maxAbs;
      this.rBase = NaN;
    }
    const s = part.firstSlot;
    const jA = part.jac[0];
    const jR = part.jac[1];
    const jO = part.jac[2];
    const needR = this.needed[s + 1];
    const needO = this.needed[s + 2];
    const from = this.logFrom;
    if (from < 0) {
      // points with x <= origin scattered: the general loop over all channels
      for (let i = 0; i < m; i++) {
        const l = ld[i];
        if (l === l) {
          const g = fastExp(-r * l);
          const f = A * g;
          out[i] += f;
          if (jacobian) {
            jA[i] = g;
            jR[i] = -f * l;
            jO[i] = (f * r) / (x[i] - origin);
          }
        } else if (jacobian) {
          jA[i] = 0;
          jR[i] = 0;
          jO[i] = 0;
        }
      }
      if (jacobian) {
        this.slotLo[s] = this.slotLo[s + 1] = this.slotLo[s + 2] = 0;
        this.slotHi[s] = this.slotHi[s + 1] = this.slotHi[s + 2] = m;
      }
      return;
    }
    // the expression of components/power-law.ts: A * exp(-r ln(x - origin)), as
    // exp(-rBase l) exp(-(r - rBase) l) with the first factor kept from an earlier evaluation
    // (the exponent moves little between the evaluations of a pixel and from pixel to pixel) and
    // the second by its Taylor polynomial of degree 10 while |(r - rBase) l| <= 0.1 (remainder
    // below 3e-19): ~3 ns a channel instead of an exp, within a few ulp of it
    const gb = this.gBase;
    if (!(Math.abs(r - this.rBase) * this.logMaxAbs <= 0.1)) {
      for (let i = from; i < m; i++) gb[i] = fastExp(-r * ld[i]);
      this.rBase = r;
    }
    const d = this.rBase - r;
    if (!jacobian) {
      for (let i = from; i < m; i++) out[i] += A * (gb[i] * expSmall(d * ld[i]));
      return;
    }
    this.slotLo[s] = this.slotLo[s + 1] = this.slotLo[s + 2] = from;
    this.slotHi[s] = this.slotHi[s + 1] = this.slotHi[s + 2] = m;
    if (needO) {
      for (let i = from; i < m; i++) {
        const l = ld[i];
        const g = gb[i] * expSmall(d * l);
        const f = A * g;
        out[i] += f;
        jA[i] = g;
        jR[i] = -f * l;
        jO[i] = (f * r) / (x[i] - origin);
      }
    } else if (needR) {
      for (let i = from; i < m; i++) {
        const l = ld[i];
        const g = gb[i] * expSmall(d * l);
        const f = A * g;
        out[i] += f;
        jA[i] = g;
        jR[i] = -f * l;
      }
    } else {
      for (let i = from; i < m; i++) {
        const g = gb[i] * expSmall(d * ld[i]);
        out[i] += A * g;
        jA[i] = g;
      }
    }
  }

  /** free columns from the slots' columns (chain factors of twins) */
  private assemble(): void {
    const n = this.n;
    for (let k = 0; k < n; k++) {
      const list = this.contributors[k];
      const own = this.ownCol[k];
      if (!own) {
        const s = list[0];
        const f = this.chainFactor[s];
        const lo = this.slotLo[s];
        const hi = this.slotHi[s];
        this.lo[k] = lo;
        this.hi[k] = hi;
        if (f !== 1) {
          const c = this.slotCol[s];
          for (let i = lo; i < hi; i++) c[i] *= f;
        }
        continue;
      }
      let lo = this.m;
      let hi = 0;
      for (const s of list) {
        if (this.slotLo[s] < lo) lo = this.slotLo[s];
        if (this.slotHi[s] > hi) hi = this.slotHi[s];
      }
      if (hi < lo) hi = lo;
      own.fill(0, lo, hi);
      for (const s of list) {
        const f = this.chainFactor[s];
        const c = this.slotCol[s];
        for (let i = this.slotLo[s]; i < this.slotHi[s]; i++) own[i] += f * c[i];
      }
      this.lo[k] = lo;
      this.hi[k] = hi;
    }
  }
}

/** exp(t) for |t| <= 0.1: Taylor polynomial of degree 10 (remainder below 3e-19) */
function expSmall(t: number): number {
  return (
    1 +
    t * (1 + t * (1 / 2 + t * (1 / 6 + t * (1 / 24 + t * (1 / 120 + t * (1 / 720 + t * (1 / 5040 + t * (1 / 40320 + t * (1 / 362880 + t * (1 / 3628800))))))))))
  );
}

/** S[k][l] += v and S[l][k] += v (once on the diagonal); nothing when k or l is not free (< 0) */
function addSym(S: Float64Array, n: number, k: number, l: number, v: number): void {
  if (k < 0 || l < 0) return;
  S[k * n + l] += v;
  if (k !== l) S[l * n + k] += v;
}
