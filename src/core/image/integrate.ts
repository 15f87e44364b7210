/**
 * Pixel integration and model images.
 *
 * Each pixel's value is the MEAN of the profile over the pixel (its integral, pixels having unit
 * area), as a detector records it, computed at three levels:
 *
 * A. Every pixel: the profile at the pixel centres (one evaluation per pixel, on a grid extended
 *    by 3 pixels on each side) and the mean by the corrected midpoint rule of order 6, the tensor
 *    product of the 1D rule  mean = f + delta^2 f / 24 - 17 delta^4 f / 5760  (delta^k: central
 *    differences of the centre values at unit spacing; from the Euler-Maclaurin-type expansion
 *    mean = f + f2/24 + f4/1920 + ... in the k-th derivatives fk, replaced by differences). Its
 *    error is about 3.8e-4 (f_xxxxxx + f_yyyyyy), estimated from the sixth differences with a safety factor
 *    of 3 and taken as the largest over the 5 x 5 pixels whose centres enter the stencil
 *    (calibrated on Sersic, Gaussian and Moffat profiles against tol = 1e-10 renders: at 5 tol
 *    = 1e-5 no accepted pixel was off by more than 1.5e-6). Pixels whose estimate exceeds 5 tol
 *    relative to the pixel (or to 1e-5 of the brightest pixel, for the faint outskirts), and pixels
 *    within `oversampleRadius` of the centre (parameters x, y) of a component with a cusp there
 *    (Sersic, exponential; not Gaussian2D, Moffat2D) go on to
 * B. the 3 x 3 Gauss-Legendre product rule (exact for polynomials of degree 5 in each axis) with its
 *    error estimated from the 2 x 2 rule and the midpoint rules (see errorEstimates); where that
 *    exceeds `tol`, and near the centre,
 * C. the pixel is subdivided adaptively (globally adaptive cubature with embedded-rule error
 *    estimates, as in QUADPACK and Genz & Malik 1980): its squares are kept in a max-heap by error
 *    estimate and the worst is split into quarters until the estimates sum to at most the
 *    tolerance, down to `maxDepth` levels (side 2^-maxDepth), within a budget of 1024 splits per
 *    pixel. The square holding the component centre (the cusp of a Sersic or exponential profile)
 *    is always split down to maxDepth.
 * Level A costs one evaluation per pixel where the old 3 x 3 + 2 x 2 pass cost 13. Derivatives are
 * integrated with the same rule and subdivision as the values, so the Jacobian is the exact
 * derivative of the image wherever the choice of levels does not change (it can change between
 * parameter values: a step of about tol in the image). maxDepth 0 is the fixed 3 x 3 rule on every
 * pixel (no levels).
 *
 * With a PSF, the components are integrated on a canvas padded by the PSF half-width on every side,
 * the canvas and every Jacobian column are convolved with the PSF (two per complex FFT) and
 * cropped to the frame (see ./psf.ts; image-model.ts uses psf-operator.ts instead).
 */
import type { AdjointCache, ComponentOptions, ComponentType } from '../model/component-type';
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
/** relative floor of the tolerance: 1e-5 of the brightest pixel (fainter pixels get that absolute accuracy) */
const FLOOR = 1e-5;
const CHUNK = 512;
/** subdivisions allowed per pixel (52 evaluations each); past it squares are accepted as they are */
const SPLITS_PER_PIXEL = 1024;
/** level A: the node grid extends this many pixels beyond the canvas (sixth differences) */
const EXT = 3;
/** level A error estimate per unit sixth difference: 3 x the leading error term 3.8e-4 f^(6) */
const EST6 = 1.14e-3;
/** level A accepts a pixel whose estimate is at most this many times tol (relative) */
const LEVEL_A_FACTOR = 5;
/** the 1D corrected midpoint rule of order 6: weights of f(-2) .. f(2) */
const W5_0 = -17 / 5760;
const W5_1 = 1 / 24 + 68 / 5760;
const W5_2 = 1 - 2 / 24 - 102 / 5760;
const W5_ARRAY = [W5_0, W5_1, W5_2, W5_1, W5_0];
/** component types whose profile is smooth (analytic) at the centre: no forced subdivision there */
const SMOOTH_CENTRE_TYPES = new Set(['Gaussian2D', 'Moffat2D']);

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
  /** pixels passed from level A (centre values) to the 3 x 3 rule */
  flagged?: number;
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
  readonly stats: IntegrationStats = { pixels: 0, refined: 0, evaluations: 0, depth: 0, exhausted: 0, flagged: 0 };
  /** when set, levels B and C add their profile evaluations per pixel row of the grid here (the banded gradient balances its bands by it) */
  rowCost: Float64Array | null = null;
  // level A: the extended node grid and its buffers
  private gridKey = { rows: -1, cols: -1, xOff: NaN, yOff: NaN };
  private nodeX = new Float64Array(0);
  private nodeY = new Float64Array(0);
  private nodeCoords: Record<string, Float64Array> = { x: this.nodeX, y: this.nodeY };
  private nodeV = new Float64Array(0);
  private nodeW = new Float64Array(0);
  private nodeJ: Float64Array[] = [];
  // the integration in progress (levelA, then refine)
  private out: Float64Array = new Float64Array(0);
  private jac: Float64Array[] | null = null;
  private tol = 2e-6;
  private radius = 2;
  private xOff = 0;
  private yOff = 0;
  private centre: [number, number] | null = null;
  /** pixel rows that get flags (all rows, or a band's own) */
  private flagFirst = 0;
  private flagEnd = 0;
  // band mode: the band's grid means and derivatives, and its own rows within that grid
  private bandOut = new Float64Array(0);
  private bandJac: Float64Array[] = [];
  private bandRows: [number, number] = [0, 0];
  private cacheType: ComponentType | null = null;
  private cache: AdjointCache | null = null;
  /** the last node-mode integrate left the level-A derivatives to type.gradientDot */
  private fusedNodes = false;
  private gradScratch = new Float64Array(0);
  private tmp = new Float64Array(0);
  private wMasked = new Float64Array(0);
  private flagList = new Int32Array(0);
  private eRaw = new Float64Array(0);
  private eMax = new Float64Array(0);
  /** largest estimate of each (padded) row, and which rows of eMax are formed */
  private eRowMax = new Float64Array(0);
  private eMaxDone = new Uint8Array(0);
  private nFlagged = 0;
  private gridRows = 0;
  private gridCols = 0;
  /** the last integrate kept derivatives at the nodes (accumulateGradient may be called) */
  private nodeMode = false;
  private nodeNp = 0;
  /** node mode: derivatives of the flagged pixels, flagJ[k * nFlagged + t] */
  private flagJ = new Float64Array(0);

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
   *
   * Level A (every pixel): the profile at the pixel centres of a grid extended by 3 pixels on
   * each side, and the pixel mean from the centres by the corrected midpoint rule of order 6 (see
   * the header) with its error estimate from sixth differences. Level B (pixels whose estimate exceeds 5 tol relative, or near the component centre):
   * the 3 x 3 Gauss-Legendre rule with its embedded estimates. Level C: adaptive subdivision.
   *
   * `nodeJacobian`: derivatives are kept at the level-A nodes (not combined into pixel columns);
   * `jac` (scratch) receives only the pixels of levels B and C, which are kept too, and
   * `accumulateGradient` forms sum_pixels w * d(pixel)/dp from both (the adjoint route of
   * image-model.ts).
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
    nodeJacobian = false,
  ): IntegrationStats {
    const peak = this.levelA(type, p, rows, cols, xOff, yOff, 0, rows, out, jac, opts, options, nodeJacobian);
    return peak === null ? this.stats : this.refine(peak);
  }

  /**
   * Band mode: integrates only canvas rows first .. end - 1 of a rows x cols grid, so that threads
   * can share one canvas (image-model.ts, the banded gradient). Node derivatives are kept (as
   * integrate with nodeJacobian). The band's own grid also holds the 2 rows on each side that the
   * 5 x 5 windows of its estimates reach (and their 3 node rows beyond), so its flags, levels B and
   * C, and therefore its pixel means are those of the whole-canvas integrate, bit for bit, given
   * the same peak. Returns the largest |level-A mean| of the band; finishBand then needs the
   * largest over all bands (the floor of the tolerance is relative to the whole canvas's peak).
   */
  beginBand(type: ComponentType, p: ArrayLike<number>, rows: number, cols: number, xOff: number, yOff: number, first: number, end: number, opts: IntegrationOptions, options?: ComponentOptions): number {
    const { e0, e1 } = bandGrid(first, end, rows);
    const n = (e1 - e0) * cols;
    const np = type.params(options).length;
    if (this.bandOut.length < n) this.bandOut = new Float64Array(n);
    if (this.bandJac.length !== np || (np > 0 && this.bandJac[0].length < n)) this.bandJac = Array.from({ length: np }, () => new Float64Array(n));
    this.bandRows = [first - e0, end - e0];
    const peak = this.levelA(type, p, e1 - e0, cols, xOff, yOff + e0, first - e0, end - e0, this.bandOut, this.bandJac, opts, options, true);
    if (peak === null) throw new RangeError('band integration needs maxDepth > 0 (level-A nodes)');
    return peak;
  }

  /** levels B and C of the band begun by beginBand, with `peak` the largest |level-A mean| over every band */
  finishBand(peak: number): IntegrationStats {
    return this.refine(peak);
  }

  /** the band's pixel means (its canvas rows, row-major), after finishBand */
  bandMeans(): Float64Array {
    const cols = this.gridCols;
    return this.bandOut.subarray(this.bandRows[0] * cols, this.bandRows[1] * cols);
  }

  /**
   * Level A (see integrate): node values, the stencil means into out, and the flags of pixel rows
   * flagFirst .. flagEnd - 1. Returns the largest |mean| over those rows, or null when maxDepth is
   * 0 (the fixed 3 x 3 rule, already applied to every pixel).
   */
  private levelA(
    type: ComponentType,
    p: ArrayLike<number>,
    rows: number,
    cols: number,
    xOff: number,
    yOff: number,
    flagFirst: number,
    flagEnd: number,
    out: Float64Array,
    jac: Float64Array[] | null,
    opts: IntegrationOptions,
    options: ComponentOptions | undefined,
    nodeJacobian: boolean,
  ): number | null {
    const tol = opts.tol ?? 2e-6;
    const maxDepth = Math.max(0, Math.min(20, Math.floor(opts.maxDepth ?? 12)));
    const np = jac ? jac.length : 0;
    const n = rows * cols;
    this.ensure(np, n, maxDepth);
    this.type = type;
    this.p = p;
    this.options = options;
    this.withJac = jac !== null;
    this.depthCap = maxDepth;
    this.gridRows = rows;
    this.gridCols = cols;
    this.nodeMode = false;
    this.out = out;
    this.jac = jac;
    this.tol = tol;
    this.radius = opts.oversampleRadius ?? 2;
    this.xOff = xOff;
    this.yOff = yOff;
    this.flagFirst = flagFirst;
    this.flagEnd = flagEnd;
    const st = this.stats;
    st.pixels = (flagEnd - flagFirst) * cols;
    st.refined = 0;
    st.evaluations = 0;
    st.depth = 0;
    st.exhausted = 0;
    st.flagged = 0;
    if (maxDepth === 0) {
      // the fixed 3 x 3 rule on every pixel
      this.gaussPass(null, n, cols, xOff, yOff, out, jac, false);
      return null;
    }
    // profiles smooth at their centre (Gaussian, Moffat) need no forced refinement there: the
    // error estimates hold; cusps (Sersic, exponential) do
    this.centre = SMOOTH_CENTRE_TYPES.has(type.type) ? null : centreIndices(type, options);
    const ci = this.centre;
    this.x0 = ci ? p[ci[0]] : NaN;
    this.y0 = ci ? p[ci[1]] : NaN;

    // level A: centres of the extended grid, the order-6 corrected midpoint rule, its estimate
    const RE = rows + 2 * EXT;
    const CE = cols + 2 * EXT;
    const NE = RE * CE;
    this.ensureGrid(rows, cols, xOff, yOff, np);
    const { nodeV } = this;
    // node mode with a fused adjoint (type.gradientDot): the level-A nodes' derivatives are
    // formed later, in accumulateGradient, straight into the sums
    this.fusedNodes = jac !== null && nodeJacobian && type.gradientDot !== undefined;
    const nj = jac && !this.fusedNodes ? this.nodeJ : null;
    const cache = this.fusedNodes ? this.adjointCacheFor(type) : null;
    if (cache) cache.evaluate(p, this.nodeCoords, nodeV, NE, options);
    else type.evaluate(p, this.nodeCoords, nodeV, nj, NE, options);
    st.evaluations += NE;
    this.stencil(nodeV, out, rows, cols);
    if (jac) {
      if (nodeJacobian) {
        this.nodeMode = true;
        this.nodeNp = np;
      }
      else for (let k = 0; k < np; k++) this.stencil(this.nodeJ[k], jac[k], rows, cols);
    }
    let peak = 0;
    for (let pix = flagFirst * cols; pix < flagEnd * cols; pix++) {
      const a = Math.abs(out[pix]);
      if (a > peak) peak = a;
    }
    return peak;
  }

  /**
   * The flags of level A (floor = FLOOR x peak), then levels B and C on the flagged pixels; in
   * node mode the flagged pixels' derivatives are kept for accumulateGradient.
   */
  private refine(peak: number): IntegrationStats {
    const { nodeV, err, out, jac, tol, xOff, yOff, x0, y0, gridRows: rows, gridCols: cols, flagFirst, flagEnd } = this;
    const ci = this.centre;
    const radius = this.radius;
    const np = jac ? jac.length : 0;
    const st = this.stats;
    const CE = cols + 2 * EXT;
    const floor = FLOOR * peak;
    // the estimate of every pixel (on a grid with a zero border of 2), then its maximum over the
    // 5 x 5 pixels whose centres enter the stencil (a spike at a diagonal neighbour shows in the
    // neighbour's sixth differences only)
    const e = this.eRaw;
    const rowMax = this.eRowMax;
    const EC = cols + 4;
    for (let i = 0; i < rows; i++) {
      const base = (i + EXT) * CE + EXT;
      const eo = (i + 2) * EC + 2;
      let rm = 0;
      // the row's values slide through m3 .. p3 (each loaded once for the x differences)
      let m3 = nodeV[base - 3];
      let m2 = nodeV[base - 2];
      let m1 = nodeV[base - 1];
      let c0 = nodeV[base];
      let p1 = nodeV[base + 1];
      let p2 = nodeV[base + 2];
      for (let j = 0; j < cols; j++) {
        const o = base + j;
        const p3 = nodeV[o + 3];
        const d6x = m3 + p3 - 6 * (m2 + p2) + 15 * (m1 + p1) - 20 * c0;
        const d6y = nodeV[o - 3 * CE] + nodeV[o + 3 * CE] - 6 * (nodeV[o - 2 * CE] + nodeV[o + 2 * CE]) + 15 * (nodeV[o - CE] + nodeV[o + CE]) - 20 * c0;
        m3 = m2;
        m2 = m1;
        m1 = c0;
        c0 = p1;
        p1 = p2;
        p2 = p3;
        const v = EST6 * (Math.abs(d6x) + Math.abs(d6y));
        // NaN (a non-finite profile) must flag: stored as +Infinity
        if (v === v) {
          e[eo + j] = v;
          if (v > rm) rm = v;
        } else {
          e[eo + j] = Infinity;
          rm = Infinity;
        }
      }
      rowMax[i + 2] = rm;
    }
    const list = this.flagList;
    let nFlag = 0;
    const r2 = radius * radius;
    const limit = LEVEL_A_FACTOR * tol;
    const limitFloor = limit * floor;
    // em[a][j] = max e[a][j .. j + 4] (padded columns), formed only for the rows a flag row needs:
    // a pixel row whose 5 estimate rows all stay at or below limitFloor flags nothing by its
    // estimate (m <= limitFloor passes), which holds for most rows of a faint or smooth profile
    const em = this.eMax;
    const emDone = this.eMaxDone;
    emDone.fill(0, 0, rows + 4);
    for (let i = flagFirst; i < flagEnd; i++) {
      const cy = yOff + i;
      const t = i * cols;
      let windowMax = rowMax[i];
      for (let a = i + 1; a <= i + 4; a++) if (rowMax[a] > windowMax) windowMax = rowMax[a];
      if (!(windowMax > limitFloor)) {
        // only the centre's neighbourhood can flag pixels on this row
        if (!ci) continue;
        const dy = cy - y0;
        if (!(Math.abs(dy) <= Math.max(radius, 0.5))) continue;
        for (let j = 0; j < cols; j++) {
          const dx = xOff + j - x0;
          if ((dx <= 0.5 && dx >= -0.5 && dy <= 0.5 && dy >= -0.5) || dx * dx + dy * dy <= r2) list[nFlag++] = t + j;
        }
        continue;
      }
      for (let a = i; a <= i + 4; a++) {
        if (emDone[a] !== 0) continue;
        emDone[a] = 1;
        const o = a * EC;
        const ta = a * cols;
        for (let j = 0; j < cols; j++) {
          const q = o + j;
          let m = e[q];
          const m1 = e[q + 1];
          const m2 = e[q + 2];
          const m3 = e[q + 3];
          const m4 = e[q + 4];
          if (m1 > m) m = m1;
          if (m2 > m) m = m2;
          if (m3 > m) m = m3;
          if (m4 > m) m = m4;
          em[ta + j] = m;
        }
      }
      for (let j = 0; j < cols; j++) {
        const q = t + j;
        let m = em[q];
        const m1 = em[q + cols];
        const m2 = em[q + 2 * cols];
        const m3 = em[q + 3 * cols];
        const m4 = em[q + 4 * cols];
        if (m1 > m) m = m1;
        if (m2 > m) m = m2;
        if (m3 > m) m = m3;
        if (m4 > m) m = m4;
        const aq = Math.abs(out[q]);
        let need = !(m <= limitFloor || m <= limit * aq);
        if (!need && ci) {
          const dx = xOff + j - x0;
          const dy = cy - y0;
          need = (dx <= 0.5 && dx >= -0.5 && dy <= 0.5 && dy >= -0.5) || dx * dx + dy * dy <= r2;
        }
        if (need) list[nFlag++] = q;
      }
    }
    this.nFlagged = nFlag;
    st.flagged = nFlag;

    // level B on the flagged pixels, then level C where B's estimate fails or near the centre
    this.gaussPass(list, nFlag, cols, xOff, yOff, out, jac, true);
    const rowCost = this.rowCost;
    for (let t = 0; t < nFlag; t++) {
      const pix = list[t];
      const i = Math.floor(pix / cols);
      if (rowCost) rowCost[i] += 13;
      const cx = xOff + (pix - i * cols);
      const cy = yOff + i;
      const q9 = out[pix];
      const tolAbs = tol * Math.max(Math.abs(q9), floor);
      let need = err[pix] > tolAbs || !(err[pix] === err[pix]);
      if (!need && ci) {
        const dx = cx - x0;
        const dy = cy - y0;
        need = (Math.abs(dx) <= 0.5 && Math.abs(dy) <= 0.5) || dx * dx + dy * dy <= r2;
      }
      if (!need) continue;
      st.refined++;
      const before = st.evaluations;
      if (this.subdivide(pix, cx, cy, tolAbs, out, jac)) st.exhausted++;
      if (rowCost) rowCost[i] += st.evaluations - before;
    }
    if (this.nodeMode && jac) {
      if (this.flagJ.length < np * nFlag) this.flagJ = new Float64Array(np * nFlag);
      for (let k = 0; k < np; k++) {
        const col = jac[k];
        const o = k * nFlag;
        for (let t = 0; t < nFlag; t++) this.flagJ[o + t] = col[list[t]];
      }
    }
    return st;
  }

  /**
   * g[offset + k] += sum over the pixels of w[pixel] * d(pixel mean)/dp_k for the last `integrate`
   * called with nodeJacobian. Level A pixels are a fixed linear stencil S of the node values, so
   * their part is (S^T w) . nodeJ_k, or, where the component has a fused adjoint
   * (ComponentType.gradientDot, e.g. the Sersic), the node derivatives are never stored and
   * gradientDot forms the sums from S^T w directly; the pixels of levels B and C use their own
   * derivatives.
   */
  accumulateGradient(w: Float64Array, g: Float64Array, offset: number, shared?: SharedAdjoint): void {
    if (!this.nodeMode) throw new Error('accumulateGradient needs the last integrate() to keep node derivatives');
    const rows = this.gridRows;
    const cols = this.gridCols;
    const CE = cols + 2 * EXT;
    const list = this.flagList;
    const nFlag = this.nFlagged;
    const np = this.nodeNp;
    const fj = this.flagJ;
    for (let t = 0; t < nFlag; t++) {
      const wp = w[list[t]];
      if (wp === 0) continue;
      for (let k = 0; k < np; k++) g[offset + k] += wp * fj[k * nFlag + t];
    }
    const W = this.nodeW;
    if (shared && shared.matches(w, rows, cols)) {
      // S^T w of the whole grid, computed once for every component on this canvas, less the
      // flagged pixels' stencils (their means come from levels B and C instead)
      W.set(shared.W);
      for (let t = 0; t < nFlag; t++) {
        const pix = list[t];
        const wp = w[pix];
        if (wp === 0) continue;
        const i = Math.floor(pix / cols);
        const j = pix - i * cols;
        for (let a = 0; a < 5; a++) {
          const o = (i + 1 + a) * CE + j + 1;
          const wa = W5_ARRAY[a] * wp;
          for (let b = 0; b < 5; b++) W[o + b] -= wa * W5_ARRAY[b];
        }
      }
    } else {
      const wm = this.wMasked;
      wm.set(w.subarray(0, rows * cols));
      for (let t = 0; t < nFlag; t++) wm[list[t]] = 0;
      stencilAdjoint(wm, W, rows, cols, this.tmp);
    }
    if (this.fusedNodes) {
      const gd = this.gradScratch.length >= np ? this.gradScratch : (this.gradScratch = new Float64Array(np));
      gd.fill(0, 0, np);
      const NE = (rows + 2 * EXT) * CE;
      const cache = this.adjointCacheFor(this.type);
      if (cache) cache.gradientDot(this.p, this.nodeCoords, W, NE, gd, this.options);
      else this.type.gradientDot!(this.p, this.nodeCoords, W, NE, gd, this.options);
      for (let k = 0; k < np; k++) g[offset + k] += gd[k];
      return;
    }
    // only node rows 1 .. rows + 4 and columns 1 .. cols + 4 carry weight; four columns per pass
    const nodeJ = this.nodeJ;
    let k = 0;
    for (; k + 3 < np; k += 4) {
      const J0 = nodeJ[k];
      const J1 = nodeJ[k + 1];
      const J2 = nodeJ[k + 2];
      const J3 = nodeJ[k + 3];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let a = 1; a <= rows + 4; a++) {
        const o = a * CE;
        for (let b = o + 1; b <= o + cols + 4; b++) {
          const wb = W[b];
          s0 += wb * J0[b];
          s1 += wb * J1[b];
          s2 += wb * J2[b];
          s3 += wb * J3[b];
        }
      }
      g[offset + k] += s0;
      g[offset + k + 1] += s1;
      g[offset + k + 2] += s2;
      g[offset + k + 3] += s3;
    }
    for (; k < np; k++) {
      const J = nodeJ[k];
      let s = 0;
      for (let a = 1; a <= rows + 4; a++) {
        const o = a * CE;
        for (let b = o + 1; b <= o + cols + 4; b++) s += W[b] * J[b];
      }
      g[offset + k] += s;
    }
  }

  /** the type's adjoint cache (ComponentType.adjointCache) for the level-A nodes, kept per integrator; null when it has none */
  private adjointCacheFor(type: ComponentType): AdjointCache | null {
    if (this.cacheType !== type) {
      this.cacheType = type;
      this.cache = type.adjointCache ? type.adjointCache() : null;
    }
    return this.cache;
  }

  /** node grid (coordinates cached per geometry) and its buffers */
  private ensureGrid(rows: number, cols: number, xOff: number, yOff: number, np: number): void {
    const RE = rows + 2 * EXT;
    const CE = cols + 2 * EXT;
    const NE = RE * CE;
    if (this.gridKey.rows !== rows || this.gridKey.cols !== cols || this.gridKey.xOff !== xOff || this.gridKey.yOff !== yOff) {
      if (this.nodeX.length !== NE) {
        this.nodeX = new Float64Array(NE);
        this.nodeY = new Float64Array(NE);
        this.nodeV = new Float64Array(NE);
        this.nodeW = new Float64Array(NE);
        this.nodeJ = [];
      }
      for (let a = 0; a < RE; a++) {
        for (let b = 0; b < CE; b++) {
          this.nodeX[a * CE + b] = xOff + b - EXT;
          this.nodeY[a * CE + b] = yOff + a - EXT;
        }
      }
      this.nodeCoords = { x: this.nodeX, y: this.nodeY };
      this.gridKey = { rows, cols, xOff, yOff };
      this.tmp = new Float64Array(RE * cols);
      this.wMasked = new Float64Array(rows * cols);
      this.flagList = new Int32Array(rows * cols);
      this.eRaw = new Float64Array((rows + 4) * (cols + 4));
      this.eMax = new Float64Array((rows + 4) * cols);
      this.eRowMax = new Float64Array(rows + 4);
      this.eMaxDone = new Uint8Array(rows + 4);
    }
    while (this.nodeJ.length < np) this.nodeJ.push(new Float64Array(NE));
  }

  /** dst (rows x cols) = S src: the 5 x 5 tensor stencil of the order-6 corrected midpoint rule */
  private stencil(src: Float64Array, dst: Float64Array, rows: number, cols: number): void {
    const CE = cols + 2 * EXT;
    const tmp = this.tmp;
    for (let a = 1; a <= rows + 4; a++) {
      const o = a * CE + 1;
      const t = a * cols;
      for (let j = 0; j < cols; j++) {
        const s = o + j;
        tmp[t + j] = W5_0 * (src[s] + src[s + 4]) + W5_1 * (src[s + 1] + src[s + 3]) + W5_2 * src[s + 2];
      }
    }
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      const t0 = (i + 1) * cols;
      const t1 = t0 + cols;
      const t2 = t1 + cols;
      const t3 = t2 + cols;
      const t4 = t3 + cols;
      for (let j = 0; j < cols; j++) dst[o + j] = W5_0 * (tmp[t0 + j] + tmp[t4 + j]) + W5_1 * (tmp[t1 + j] + tmp[t3 + j]) + W5_2 * tmp[t2 + j];
    }
  }


  /**
   * The 3 x 3 Gauss-Legendre rule (and, with `estimate`, the 2 x 2 rule and the error estimates
   * into err) on the listed pixels (list null: pixels 0 .. count - 1), in chunks.
   */
  private gaussPass(list: Int32Array | null, count: number, cols: number, xOff: number, yOff: number, out: Float64Array, jac: Float64Array[] | null, estimate: boolean): void {
    const { px9, py9, v9, px4, py4, v4, j9, err, c9, c4, est, type, p, options } = this;
    const np = jac ? jac.length : 0;
    const j9v = jac ? j9 : null;
    const st = this.stats;
    for (let start = 0; start < count; start += CHUNK) {
      const m = Math.min(CHUNK, count - start);
      for (let t = 0; t < m; t++) {
        const pix = list ? list[start + t] : start + t;
        const i = Math.floor(pix / cols);
        const cx = xOff + (pix - i * cols);
        const cy = yOff + i;
        for (let k = 0; k < 9; k++) {
          px9[9 * t + k] = cx + NODE_DX[k];
          py9[9 * t + k] = cy + NODE_DY[k];
        }
        if (estimate) {
          for (let k = 0; k < 4; k++) {
            px4[4 * t + k] = cx + NODE4_DX[k];
            py4[4 * t + k] = cy + NODE4_DY[k];
          }
        }
      }
      type.evaluate(p, c9, v9, j9v, 9 * m, options);
      if (estimate) type.evaluate(p, c4, v4, null, 4 * m, options);
      st.evaluations += (estimate ? 13 : 9) * m;
      for (let t = 0; t < m; t++) {
        const pix = list ? list[start + t] : start + t;
        let q9 = 0;
        for (let k = 0; k < 9; k++) q9 += NODE_W[k] * v9[9 * t + k];
        out[pix] = q9;
        if (jac) {
          for (let c = 0; c < np; c++) {
            const src = j9[c];
            let s = 0;
            for (let k = 0; k < 9; k++) s += NODE_W[k] * src[9 * t + k];
            jac[c][pix] = s;
          }
        }
        if (estimate) {
          let q4 = 0;
          for (let k = 0; k < 4; k++) q4 += NODE4_W[k] * v4[4 * t + k];
          errorEstimates(v9, 9 * t, q9, q4, est);
          err[pix] = est[1];
        }
      }
    }
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
      // (split down to maxDepth); every other square, its neighbours included, uses the smooth
      // estimate (the raw one on the neighbours cost ~12 % more evaluations in levels B and C on
      // the tutorial's Sersics and gave the same worst pixel against tol = 1e-10 renders: 2e-5 over
      // 150 random Sersics with 0.5 <= n <= 7.5 and 0.3 <= Re <= 6.3 at the default tol)
      const ax = Math.abs(ccx - this.x0);
      const ay = Math.abs(ccy - this.y0);
      const cusp = ax <= half && ay <= half;
      sqX[k] = ccx;
      sqY[k] = ccy;
      sqA[k] = h;
      sqD[k] = depth;
      sqQ[k] = q9 * area;
      sqE[k] = cusp && depth < this.depthCap ? Infinity : (cusp ? this.est[0] : this.est[1]) * area;
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

/**
 * The grid a band integrates (PixelIntegrator.beginBand): canvas rows e0 .. e1 - 1, i.e. its rows
 * first .. end - 1 and the 2 rows beyond each side that its estimates' windows reach.
 */
export function bandGrid(first: number, end: number, rows: number): { e0: number; e1: number } {
  return { e0: Math.max(0, first - 2), e1: Math.min(rows, end + 2) };
}

/** dst (extended grid) = S^T w, the transpose of the level-A stencil; zero outside node rows/columns 1 .. rows + 4 / cols + 4 */
function stencilAdjoint(w: Float64Array, dst: Float64Array, rows: number, cols: number, tmp: Float64Array): void {
  const CE = cols + 2 * EXT;
  // tmp: (rows + 6) x cols: tmp[a][j] = sum_d W5[d] w[a - 3 - d][j]
  tmp.fill(0, 0, (rows + 2 * EXT) * cols);
  const W5 = W5_ARRAY;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let d = -2; d <= 2; d++) {
      const c = W5[d + 2];
      const t = (i + 3 + d) * cols;
      for (let j = 0; j < cols; j++) tmp[t + j] += c * w[o + j];
    }
  }
  dst.fill(0);
  for (let a = 1; a <= rows + 4; a++) {
    const t = a * cols;
    const o = a * CE + 3;
    for (let j = 0; j < cols; j++) {
      const v = tmp[t + j];
      if (v === 0) continue;
      const s = o + j;
      dst[s - 2] += W5_0 * v;
      dst[s - 1] += W5_1 * v;
      dst[s] += W5_2 * v;
      dst[s + 1] += W5_1 * v;
      dst[s + 2] += W5_0 * v;
    }
  }
}

/**
 * S^T w on the level-A node grid of a canvas, for every component integrated on it: computed once
 * per gradient (image-model.ts), then each component's accumulateGradient subtracts the stencils
 * of its own flagged pixels instead of applying S^T to its masked weights.
 */
export class SharedAdjoint {
  W = new Float64Array(0);
  private w: Float64Array | null = null;
  private rows = -1;
  private cols = -1;
  private tmp = new Float64Array(0);
  /** W = S^T w for a rows x cols canvas */
  compute(w: Float64Array, rows: number, cols: number): void {
    const NE = (rows + 2 * EXT) * (cols + 2 * EXT);
    if (this.W.length !== NE) this.W = new Float64Array(NE);
    if (this.tmp.length < (rows + 2 * EXT) * cols) this.tmp = new Float64Array((rows + 2 * EXT) * cols);
    stencilAdjoint(w, this.W, rows, cols, this.tmp);
    this.w = w;
    this.rows = rows;
    this.cols = cols;
  }
  /** whether W was computed from this very array (not copied, not modified since) on this canvas */
  matches(w: Float64Array, rows: number, cols: number): boolean {
    return this.w === w && this.rows === rows && this.cols === cols;
  }
  /** forget w (call when its values change) */
  invalidate(): void {
    this.w = null;
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
