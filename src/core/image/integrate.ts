/**
 * Pixel integration and model images.
 *
 * Each pixel's value is the MEAN of the profile over the pixel (its integral, pixels having unit
 * area), as a detector records it. For every pixel the mean is first taken with a 3 x 3
 * Gauss-Legendre product rule (exact for polynomials of degree 5 in each axis) and its error
 * estimated from the 2 x 2 rule and the midpoint rules (see errorEstimates). Where the estimate
 * exceeds `tol` relative to the pixel (or to 1e-7 of the brightest pixel, for the faint
 * outskirts), and in pixels within `oversampleRadius` of a component's centre (parameters x, y),
 * the pixel is subdivided adaptively (globally adaptive cubature with embedded-rule error
 * estimates, as in QUADPACK and Genz & Malik 1980): its squares are kept in a max-heap by error
 * estimate and the worst is split into quarters until the estimates sum to at most the tolerance,
 * down to `maxDepth` levels (side 2^-maxDepth), within a budget of 1024 splits per pixel. The
 * square holding the component centre (the cusp of a Sersic or exponential profile) is always
 * split down to maxDepth. Derivatives are integrated with the same rule and subdivision as the
 * values, so the Jacobian is the exact derivative of the image wherever the subdivision pattern
 * does not change (it can change between parameter values: a step of about tol in the image).
 *
 * With a PSF, the components are integrated on a canvas padded by the PSF half-width on every side,
 * the canvas and every Jacobian column are convolved with the PSF (two per complex FFT) and
 * cropped to the frame (see ./psf.ts).
 */
import type { ComponentOptions, ComponentType } from '../model/component-type';
import { getPsfConvolver, psfHalfWidth, type Psf } from './psf';

// Gauss-Legendre nodes on [-1/2, 1/2] and weights summing to 1
const G3 = Math.sqrt(0.6) / 2;
const N3 = [-G3, 0, G3];
const W3 = [5 / 18, 8 / 18, 5 / 18];
const G2 = 1 / (2 * Math.sqrt(3));
const N2 = [-G2, G2];
const W2 = [0.5, 0.5];
/** the 9 node offsets and product weights of the 3 x 3 rule */
const NODE_DX = new Float64Array(9);
const NODE_DY = new Float64Array(9);
const NODE_W = new Float64Array(9);
for (let a = 0, k = 0; a < 3; a++) {
  for (let b = 0; b < 3; b++, k++) {
    NODE_DY[k] = N3[a];
    NODE_DX[k] = N3[b];
    NODE_W[k] = W3[a] * W3[b];
  }
}
const NODE4_DX = new Float64Array(4);
const NODE4_DY = new Float64Array(4);
const NODE4_W = new Float64Array(4);
for (let a = 0, k = 0; a < 2; a++) {
  for (let b = 0; b < 2; b++, k++) {
    NODE4_DY[k] = N2[a];
    NODE4_DX[k] = N2[b];
    NODE4_W[k] = W2[a] * W2[b];
  }
}
const CHILD_DX = [-0.25, 0.25, -0.25, 0.25];
const CHILD_DY = [-0.25, -0.25, 0.25, 0.25];
/** relative floor of the tolerance: 1e-7 of the brightest pixel */
const FLOOR = 1e-7;
const CHUNK = 512;
/** subdivisions allowed per pixel (52 evaluations each); past it squares are accepted as they are */
const SPLITS_PER_PIXEL = 1024;

/**
 * Error estimates of the 3 x 3 Gauss-Legendre mean q9 over a square (values v[o..o+8], row-major
 * nodes, rows along y), from cheaper rules embedded or evaluated beside it:
 *   d4 = |q9 - q4| (2 x 2 rule), dx = |q9 - midpoint-in-x rule|, dy likewise in y.
 * `raw` = max(d4, dx, dy): the estimate where the integrand may not be smooth (a cusp).
 * `smooth`: for an integrand smooth on the square the errors scale as h^6 (3-point), h^4 (2-point)
 * and h^2 (midpoint), so err9 ~ 0.14 d4^(3/2) v^(-1/2) and ~ 0.007 dx^3 v^(-2) (constants from the
 * Gauss-Legendre error formula, Abramowitz & Stegun 25.4.30, and the midpoint rule's h^2 f''/24);
 * we take 4 and 0.2 (about 30 times the constants: near a centre, and for flattened profiles, the
 * scaling holds only roughly) and the largest of the three, so that one rule agreeing with q9 by
 * coincidence (e.g. where f_xx + f_yy vanishes) does not hide the error. Tuned on 60 random
 * Sersic/Gaussian/Moffat profiles against tol = 1e-10 renders: worst pixel 1.2e-5 at tol = 2e-6.
 */
function errorEstimates(v: Float64Array, o: number, q9: number, q4: number, out: Float64Array): void {
  let mx = 0;
  let my = 0;
  for (let k = 0; k < 3; k++) {
    mx += W3[k] * v[o + 3 * k + 1];
    my += W3[k] * v[o + 3 + k];
  }
  const d4 = Math.abs(q9 - q4);
  const dx = Math.abs(q9 - mx);
  const dy = Math.abs(q9 - my);
  out[0] = Math.max(d4, dx, dy);
  const a = Math.abs(q9);
  if (!(a > 0) || !(out[0] > 0)) {
    out[1] = out[0];
    return;
  }
  const r4 = d4 / a;
  const rx = dx / a;
  const ry = dy / a;
  out[1] = a * Math.min(1, Math.max(4 * r4 * Math.sqrt(r4), 0.2 * rx * rx * rx, 0.2 * ry * ry * ry));
}

export interface IntegrationOptions {
  /** relative tolerance of each pixel's mean (default 2e-6; the error estimates are conservative but not bounds) */
  tol?: number;
  /** maximum subdivision levels (default 12: squares down to 1/4096 pixel, needed by the n = 8 Sersic cusp); 0 = the 3 x 3 rule only */
  maxDepth?: number;
  /** pixels whose centres are within this distance (pixels) of a component centre are always subdivided (default 2) */
  oversampleRadius?: number;
}

export interface IntegrationStats {
  pixels: number;
  /** pixels subdivided */
  refined: number;
  /** profile evaluations */
  evaluations: number;
  /** deepest subdivision level used */
  depth: number;
  /** pixels that used up their subdivision budget (1024 splits) before meeting the tolerance */
  exhausted: number;
}

const centreIndexCache = new WeakMap<ComponentType, [number, number] | null>();

/** Indices of parameters 'x' and 'y' (the component centre), or null. */
function centreIndices(type: ComponentType, options?: ComponentOptions): [number, number] | null {
  let v = centreIndexCache.get(type);
  if (v === undefined) {
    const names = type.params(options).map((p) => p.name);
    const ix = names.indexOf('x');
    const iy = names.indexOf('y');
    v = ix >= 0 && iy >= 0 ? [ix, iy] : null;
    centreIndexCache.set(type, v);
  }
  return v;
}

/** Integrates one component over the pixels of a grid; holds all scratch buffers (reused). */
export class PixelIntegrator {
  private np = -1;
  private px9 = new Float64Array(9 * CHUNK);
  private py9 = new Float64Array(9 * CHUNK);
  private v9 = new Float64Array(9 * CHUNK);
  private px4 = new Float64Array(4 * CHUNK);
  private py4 = new Float64Array(4 * CHUNK);
  private v4 = new Float64Array(4 * CHUNK);
  private j9: Float64Array[] = [];
  private err = new Float64Array(0);
  // refinement: 4 children x 9 nodes per evaluation
  private rx = new Float64Array(36);
  private ry = new Float64Array(36);
  private rv = new Float64Array(36);
  private rx4 = new Float64Array(16);
  private ry4 = new Float64Array(16);
  private rv4 = new Float64Array(16);
  private rj: Float64Array[] = [];
  private readonly rc = { x: this.rx, y: this.ry };
  private readonly rc4 = { x: this.rx4, y: this.ry4 };
  private readonly c9 = { x: this.px9, y: this.py9 };
  private readonly c4 = { x: this.px4, y: this.py4 };
  // squares of the pixel being subdivided (records) and a max-heap of them by error estimate
  private cap = 0;
  private sqX = new Float64Array(0);
  private sqY = new Float64Array(0);
  private sqA = new Float64Array(0);
  private sqQ = new Float64Array(0);
  private sqE = new Float64Array(0);
  private sqD = new Int32Array(0);
  private sqJ = new Float64Array(0);
  private heap = new Int32Array(0);
  private heapSize = 0;
  private finals = new Int32Array(0);
  private finalCount = 0;
  private records = 0;
  /** sum of the finite error estimates of the leaves, and the number of infinite ones */
  private errSum = 0;
  private errInf = 0;
  private depthCap = 0;
  private readonly est = new Float64Array(2);
  /** the component centre (NaN when it has none) */
  private x0 = NaN;
  private y0 = NaN;
  private withJac = false;
  private type!: ComponentType;
  private p!: ArrayLike<number>;
  private options?: ComponentOptions;
  readonly stats: IntegrationStats = { pixels: 0, refined: 0, evaluations: 0, depth: 0, exhausted: 0 };

  private ensure(np: number, pixels: number, maxDepth: number): void {
    if (np !== this.np) {
      this.np = np;
      this.j9 = Array.from({ length: np }, () => new Float64Array(9 * CHUNK));
      this.rj = Array.from({ length: np }, () => new Float64Array(36));
    }
    if (this.err.length < pixels) this.err = new Float64Array(pixels);
    // each split turns one record into 4; the cusp square may be split maxDepth times beyond the budget
    const cap = 1 + 4 * (SPLITS_PER_PIXEL + maxDepth + 1);
    if (this.cap < cap || this.sqJ.length < cap * np) {
      this.cap = cap;
      this.sqX = new Float64Array(cap);
      this.sqY = new Float64Array(cap);
      this.sqA = new Float64Array(cap);
      this.sqQ = new Float64Array(cap);
      this.sqE = new Float64Array(cap);
      this.sqD = new Int32Array(cap);
      this.sqJ = new Float64Array(cap * Math.max(np, 1));
      this.heap = new Int32Array(cap);
      this.finals = new Int32Array(cap);
    }
  }

  /**
   * out[i * cols + j] = mean of the component over pixel (i, j), whose centre is at
   * (x, y) = (xOff + j, yOff + i); jac[k] likewise for the derivative by parameter k.
   */
  integrate(
    type: ComponentType,
    p: ArrayLike<number>,
    rows: number,
    cols: number,
    xOff: number,
    yOff: number,
    out: Float64Array,
    jac: Float64Array[] | null,
    opts: IntegrationOptions = {},
    options?: ComponentOptions,
  ): IntegrationStats {
    const tol = opts.tol ?? 2e-6;
    const maxDepth = Math.max(0, Math.min(20, Math.floor(opts.maxDepth ?? 12)));
    const radius = opts.oversampleRadius ?? 2;
    const np = jac ? jac.length : 0;
    const n = rows * cols;
    this.ensure(np, n, maxDepth);
    this.type = type;
    this.p = p;
    this.options = options;
    this.withJac = jac !== null;
    this.depthCap = maxDepth;
    const st = this.stats;
    st.pixels = n;
    st.refined = 0;
    st.evaluations = 0;
    st.depth = 0;
    st.exhausted = 0;

    // pass 1: 3 x 3 and 2 x 2 rules on every pixel, in chunks
    const { px9, py9, v9, px4, py4, v4, j9, err, c9, c4, est } = this;
    const j9v = jac ? j9 : null;
    let peak = 0;
    for (let start = 0; start < n; start += CHUNK) {
      const m = Math.min(CHUNK, n - start);
      for (let t = 0; t < m; t++) {
        const pix = start + t;
        const i = Math.floor(pix / cols);
        const cx = xOff + (pix - i * cols);
        const cy = yOff + i;
        for (let k = 0; k < 9; k++) {
          px9[9 * t + k] = cx + NODE_DX[k];
          py9[9 * t + k] = cy + NODE_DY[k];
        }
        for (let k = 0; k < 4; k++) {
          px4[4 * t + k] = cx + NODE4_DX[k];
          py4[4 * t + k] = cy + NODE4_DY[k];
        }
      }
      type.evaluate(p, c9, v9, j9v, 9 * m, options);
      if (maxDepth > 0) type.evaluate(p, c4, v4, null, 4 * m, options);
      st.evaluations += (maxDepth > 0 ? 13 : 9) * m;
      for (let t = 0; t < m; t++) {
        const pix = start + t;
        let q9 = 0;
        for (let k = 0; k < 9; k++) q9 += NODE_W[k] * v9[9 * t + k];
        out[pix] = q9;
        const a = Math.abs(q9);
        if (a > peak) peak = a;
        if (jac) {
          for (let c = 0; c < np; c++) {
            const src = j9[c];
            let s = 0;
            for (let k = 0; k < 9; k++) s += NODE_W[k] * src[9 * t + k];
            jac[c][pix] = s;
          }
        }
        if (maxDepth > 0) {
          let q4 = 0;
          for (let k = 0; k < 4; k++) q4 += NODE4_W[k] * v4[4 * t + k];
          errorEstimates(v9, 9 * t, q9, q4, est);
          err[pix] = est[1];
        }
      }
    }
    if (maxDepth === 0) return st;

    // pass 2: subdivide pixels that fail the test or lie near the centre
    const ci = centreIndices(type, options);
    const x0 = ci ? p[ci[0]] : NaN;
    const y0 = ci ? p[ci[1]] : NaN;
    this.x0 = x0;
    this.y0 = y0;
    const floor = FLOOR * peak;
    for (let pix = 0; pix < n; pix++) {
      const i = Math.floor(pix / cols);
      const cx = xOff + (pix - i * cols);
      const cy = yOff + i;
      const q9 = out[pix];
      const tolAbs = tol * Math.max(Math.abs(q9), floor);
      let need = err[pix] > tolAbs || !(err[pix] === err[pix]);
      if (!need && ci) {
        const dx = cx - x0;
        const dy = cy - y0;
        need = (Math.abs(dx) <= 0.5 && Math.abs(dy) <= 0.5) || dx * dx + dy * dy <= radius * radius;
      }
      if (!need) continue;
      st.refined++;
      if (this.subdivide(pix, cx, cy, tolAbs, out, jac)) st.exhausted++;
    }
    return st;
  }

  private push(r: number): void {
    const { heap, sqE } = this;
    let i = this.heapSize++;
    heap[i] = r;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!(sqE[heap[parent]] < sqE[heap[i]])) break;
      const t = heap[parent];
      heap[parent] = heap[i];
      heap[i] = t;
      i = parent;
    }
  }

  private pop(): number {
    const { heap, sqE } = this;
    const top = heap[0];
    const last = heap[--this.heapSize];
    let i = 0;
    const n = this.heapSize;
    if (n > 0) {
      heap[0] = last;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n && sqE[heap[l]] > sqE[heap[m]]) m = l;
        if (r < n && sqE[heap[r]] > sqE[heap[m]]) m = r;
        if (m === i) break;
        const t = heap[m];
        heap[m] = heap[i];
        heap[i] = t;
        i = m;
      }
    }
    return top;
  }

  /** adds leaf r: to the heap, or to the finished list at maxDepth (whose errors cannot be reduced, so do not count) */
  private addLeaf(r: number): void {
    if (this.sqD[r] >= this.depthCap) {
      this.finals[this.finalCount++] = r;
      return;
    }
    const e = this.sqE[r];
    if (e === Infinity) this.errInf++;
    else if (e === e) this.errSum += e;
    this.push(r);
  }

  /**
   * Globally adaptive subdivision of one pixel (cf. QUADPACK's strategy in 2D): squares are kept in
   * a max-heap by error estimate and the worst is split into quarters until the estimates sum to
   * at most tolAbs or the budget of splits is spent. The quarter holding the component centre
   * has an infinite estimate until maxDepth, so it is always split down (52 evaluations a level).
   * Writes the pixel's mean and derivatives; returns true when the budget ran out.
   */
  private subdivide(pix: number, cx: number, cy: number, tolAbs: number, out: Float64Array, jac: Float64Array[] | null): boolean {
    const np = this.np;
    const { sqX, sqY, sqA, sqQ, sqE, sqD, sqJ } = this;
    this.heapSize = 0;
    this.finalCount = 0;
    this.records = 1;
    this.errSum = 0;
    this.errInf = 0;
    sqX[0] = cx;
    sqY[0] = cy;
    sqA[0] = 1;
    sqQ[0] = out[pix];
    sqE[0] = Infinity; // split at least once
    sqD[0] = 0;
    if (jac) for (let m = 0; m < np; m++) sqJ[m] = jac[m][pix];
    this.addLeaf(0);
    let budget = SPLITS_PER_PIXEL;
    while (this.heapSize > 0) {
      if (this.errInf === 0 && (this.errSum <= tolAbs || budget <= 0)) break;
      const r = this.pop();
      const e = sqE[r];
      if (e === Infinity) this.errInf--;
      else if (e === e) this.errSum -= e;
      this.split(r);
      budget--;
    }
    let v = 0;
    for (let k = 0; k < this.heapSize; k++) v += sqQ[this.heap[k]];
    for (let k = 0; k < this.finalCount; k++) v += sqQ[this.finals[k]];
    out[pix] = v;
    if (jac) {
      for (let m = 0; m < np; m++) {
        let s = 0;
        for (let k = 0; k < this.heapSize; k++) s += sqJ[this.heap[k] * np + m];
        for (let k = 0; k < this.finalCount; k++) s += sqJ[this.finals[k] * np + m];
        jac[m][pix] = s;
      }
    }
    return budget <= 0 && this.errSum > tolAbs;
  }

  /** Splits record r into 4 children (3 x 3 and 2 x 2 rules on each) and adds them as leaves. */
  private split(r: number): void {
    const { rx, ry, rv, rx4, ry4, rv4, rj, np, sqX, sqY, sqA, sqQ, sqE, sqD, sqJ } = this;
    const cx = sqX[r];
    const cy = sqY[r];
    const a = sqA[r];
    const depth = sqD[r] + 1;
    const h = a / 2; // child side
    for (let c = 0; c < 4; c++) {
      const ccx = cx + CHILD_DX[c] * a;
      const ccy = cy + CHILD_DY[c] * a;
      for (let k = 0; k < 9; k++) {
        rx[9 * c + k] = ccx + NODE_DX[k] * h;
        ry[9 * c + k] = ccy + NODE_DY[k] * h;
      }
      for (let k = 0; k < 4; k++) {
        rx4[4 * c + k] = ccx + NODE4_DX[k] * h;
        ry4[4 * c + k] = ccy + NODE4_DY[k] * h;
      }
    }
    this.type.evaluate(this.p, this.rc, rv, this.withJac ? rj : null, 36, this.options);
    this.type.evaluate(this.p, this.rc4, rv4, null, 16, this.options);
    this.stats.evaluations += 52;
    if (depth > this.stats.depth) this.stats.depth = depth;
    const area = h * h;
    const half = h / 2;
    for (let c = 0; c < 4; c++) {
      const k = this.records++;
      const ccx = cx + CHILD_DX[c] * a;
      const ccy = cy + CHILD_DY[c] * a;
      let q9 = 0;
      for (let t = 0; t < 9; t++) q9 += NODE_W[t] * rv[9 * c + t];
      let q4 = 0;
      for (let t = 0; t < 4; t++) q4 += NODE4_W[t] * rv4[4 * c + t];
      errorEstimates(rv, 9 * c, q9, q4, this.est);
      // profiles are smooth except at their centre: the square holding it has an infinite estimate
      // (split down to maxDepth); its neighbours, where the smooth scaling does not hold yet, use
      // the raw estimate
      const ax = Math.abs(ccx - this.x0);
      const ay = Math.abs(ccy - this.y0);
      const cusp = ax <= half && ay <= half;
      const near = ax <= 3 * half && ay <= 3 * half;
      sqX[k] = ccx;
      sqY[k] = ccy;
      sqA[k] = h;
      sqD[k] = depth;
      sqQ[k] = q9 * area;
      sqE[k] = cusp && depth < this.depthCap ? Infinity : (near || cusp ? this.est[0] : this.est[1]) * area;
      if (this.withJac) {
        for (let m = 0; m < np; m++) {
          const src = rj[m];
          let s = 0;
          for (let t = 0; t < 9; t++) s += NODE_W[t] * src[9 * c + t];
          sqJ[k * np + m] = s * area;
        }
      }
      this.addLeaf(k);
    }
  }
}

export interface RenderOptions extends IntegrationOptions {
  /** PSF (odd size, sum 1); the model is integrated on a padded canvas, convolved and cropped */
  psf?: Psf | null;
}

/**
 * Renders sums of 2D components into rows x cols images, with their Jacobian; holds the integrator,
 * the padded canvases and the Jacobian buffers, so repeated renders allocate nothing.
 */
export class ImageRenderer {
  readonly rows: number;
  readonly cols: number;
  private readonly integrator = new PixelIntegrator();
  private comp = new Float64Array(0);
  private total = new Float64Array(0);
  private jacPad: Float64Array[] = [];
  private views: Float64Array[][] = [];
  /** statistics of the last render, summed over components */
  readonly stats: IntegrationStats = { pixels: 0, refined: 0, evaluations: 0, depth: 0, exhausted: 0 };

  constructor(rows: number, cols: number) {
    this.rows = rows;
    this.cols = cols;
  }

  private view(c: number, np: number): Float64Array[] {
    while (this.views.length <= c) this.views.push([]);
    const v = this.views[c];
    v.length = np;
    return v;
  }

  /**
   * out = sum of the components' pixel means (convolved with opts.psf when given); jac, when not
   * null, gets one column per parameter of all components in order (length rows * cols each).
   */
  render(
    components: readonly ComponentType[],
    params: readonly ArrayLike<number>[],
    out: Float64Array,
    jac: Float64Array[] | null = null,
    opts: RenderOptions = {},
    options?: readonly (ComponentOptions | undefined)[],
  ): void {
    const { rows, cols } = this;
    if (components.length !== params.length) throw new RangeError(`${components.length} components but ${params.length} parameter vectors`);
    const psf = opts.psf ?? null;
    const pad = psf ? psfHalfWidth(psf.size) : 0;
    const R = rows + 2 * pad;
    const C = cols + 2 * pad;
    const n = R * C;
    if (this.comp.length < n) {
      this.comp = new Float64Array(n);
      this.total = new Float64Array(n);
    }
    let npTotal = 0;
    for (const p of params) npTotal += p.length;
    if (jac && jac.length !== npTotal) throw new RangeError(`jac has ${jac.length} columns; the components have ${npTotal} parameters`);
    if (psf && jac) {
      while (this.jacPad.length < npTotal) this.jacPad.push(new Float64Array(n));
      for (let k = 0; k < npTotal; k++) if (this.jacPad[k].length < n) this.jacPad[k] = new Float64Array(n);
    }
    const comp = this.comp.length === n ? this.comp : this.comp.subarray(0, n);
    const total = psf ? (this.total.length === n ? this.total : this.total.subarray(0, n)) : out;
    const st = this.stats;
    st.pixels = n;
    st.refined = 0;
    st.evaluations = 0;
    st.depth = 0;
    st.exhausted = 0;
    total.fill(0, 0, n);
    let offset = 0;
    for (let c = 0; c < components.length; c++) {
      const np = params[c].length;
      let jv: Float64Array[] | null = null;
      if (jac) {
        jv = this.view(c, np);
        for (let k = 0; k < np; k++) {
          const col = psf ? this.jacPad[offset + k] : jac[offset + k];
          jv[k] = col.length === n ? col : col.subarray(0, n);
        }
      }
      const s = this.integrator.integrate(components[c], params[c], R, C, -pad, -pad, comp, jv, opts, options?.[c]);
      st.refined += s.refined;
      st.evaluations += s.evaluations;
      st.depth = Math.max(st.depth, s.depth);
      st.exhausted += s.exhausted;
      for (let k = 0; k < n; k++) total[k] += comp[k];
      offset += np;
    }
    if (!psf) return;
    const conv = getPsfConvolver(rows, cols, psf.data, psf.size);
    if (!jac || npTotal === 0) {
      conv.convolve(total, out);
      return;
    }
    conv.convolvePair(total, this.jacPad[0], out, jac[0]);
    for (let k = 1; k < npTotal; k += 2) {
      const hasB = k + 1 < npTotal;
      conv.convolvePair(this.jacPad[k], hasB ? this.jacPad[k + 1] : null, jac[k], hasB ? jac[k + 1] : null);
    }
  }
}

let lastRenderer: ImageRenderer | null = null;

/**
 * The model image of `components` with `params` (one vector per component) on a rows x cols frame:
 * pixel means (adaptive sub-pixel integration), convolved with opts.psf when given (evaluated on
 * the padded canvas, convolved, cropped). jac: null, or one column per parameter of all
 * components in order. Reuses one cached renderer while the frame size stays the same.
 */
export function renderImage(
  components: readonly ComponentType[],
  params: readonly ArrayLike<number>[],
  rows: number,
  cols: number,
  opts: RenderOptions,
  out: Float64Array,
  jac: Float64Array[] | null = null,
): void {
  if (!lastRenderer || lastRenderer.rows !== rows || lastRenderer.cols !== cols) lastRenderer = new ImageRenderer(rows, cols);
  lastRenderer.render(components, params, out, jac, opts);
}
