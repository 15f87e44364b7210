/**
 * The compiled model of an image dataset.
 *
 * Profiles (Sersic, Gaussian2D, expressions in x and y, ...) are integrated over the pixels of a
 * canvas padded by the PSF half-width (integrate.ts: one evaluation per pixel where the profile is
 * smooth, Gauss rules and adaptive subdivision where it is not), summed, passed through the PSF
 * (psf-operator.ts: separable, direct or FFT) and cropped to the frame. Sky components (FlatSky,
 * PlaneSky) are linear in x and y, so their pixel means are their values at the pixel centres and
 * the PSF only shifts a plane by the PSF's centroid: they are written straight onto the frame, as
 * are point sources (the PSF itself, shifted; components/point-source.ts). The fitted points are
 * then picked from the frame (masked pixels still receive light, they are only left out of the
 * statistic).
 *
 * Derivatives:
 *  - Jacobian columns (Levenberg-Marquardt): one component at a time, its columns integrated with
 *    the same rules as its values and each passed through the PSF (linear: d(PSF * f)/dp =
 *    PSF * df/dp). Memory: the n x nFree matrix asked for plus one component's canvases.
 *  - Column blocks (`jacobianColumnBlock`): only the components owning the requested free
 *    parameters are rendered, for the chunked LM that never holds all of J.
 *  - Gradients of a scalar statistic S(model) (`evaluateWithAdjoint`, for NUTS/HMC, L-BFGS-B,
 *    Adam): g = J^T w with w = dS/dmodel, by the adjoint method: w is carried back through the
 *    PSF once (its transpose) and through each component's pixel integration (the transpose of
 *    the level-A stencil, and the Gauss / subdivided pixels directly), so a gradient costs one
 *    evaluation with derivatives at the nodes and two PSF operations, whatever the number of
 *    parameters.
 */
import type { ComponentOptions, ComponentType } from '../model/component-type';
import type { CompiledModel } from '../model/compile';
import { expandParameters, ModelError, type ParameterLayout } from '../model/parameter-layout';
import { bandGrid, PixelIntegrator, SharedAdjoint, type IntegrationOptions, type IntegrationStats } from './integrate';
import type { Psf } from './psf';
import { getPsfOperator, type PsfOperator } from './psf-operator';
import { renderPointSource } from './components/point-source';

const LN10 = Math.LN10;

export interface ImageFrame {
  rows: number;
  cols: number;
  psf?: Psf | null;
  /** frame pixel (row-major) of each fitted point; absent: every pixel, in order */
  indices?: Int32Array;
  integration?: IntegrationOptions;
}

export interface ImageComponent {
  name: string;
  type: ComponentType;
  options: ComponentOptions | undefined;
  firstSlot: number;
  nParams: number;
}

/** The extra entry points of an image model (compileImageModel returns them beside CompiledModel's). */
export interface ImageModelExtras {
  readonly isImageModel: true;
  rows: number;
  cols: number;
  /**
   * out = model at the fitted points; calls weights(out, w) which fills w (length n) with
   * dS/dmodel and returns S; then g (length nFree) = J^T w. Returns S. Two PSF operations.
   */
  evaluateWithAdjoint(theta: ArrayLike<number>, out: Float64Array, weights: (model: Float64Array, w: Float64Array) => number, g: Float64Array): number;
  /**
   * Free columns first .. first + count - 1 of the Jacobian, column-major (J[k * n + i], k from
   * 0), times rowScale[i] when given; renders only the components that own those parameters.
   */
  jacobianColumnBlock(theta: ArrayLike<number>, first: number, count: number, J: Float64Array, rowScale?: Float64Array): void;
  /** the free-parameter indices each component's parameters move (for fitting one component at a time) */
  componentFree: number[][];
  /** pixel-integration statistics of the last render, summed over components */
  stats: IntegrationStats;
  /**
   * What a banded gradient needs (see BandedGradientSpec), or null when this model's gradient
   * cannot be split in bands: no profile component, a PSF that is not separable, or maxDepth 0.
   */
  bandSpec(): BandedGradientSpec | null;
  /**
   * Band `index` of a gradient split at canvas rows `cuts` (cuts[0] = 0 < ... < cuts[bands] = the
   * canvas rows): its phases read and write `buffers` (allocateBandBuffers). Each thread that takes
   * part compiles the same model and makes its own band over buffers on the same shared memory.
   */
  gradientBand(index: number, cuts: readonly number[], buffers: BandBuffers): GradientBand;
  /**
   * From now on evaluateWithAdjoint (and so evaluateWithGradient) runs band 0 here and calls
   * team.sync(phase) after each step; sync must return only when every band has done that step
   * (in threads: a barrier; in one thread: running the other bands' phase). phase is the phase
   * just run (0 - 4), or -1 after the main thread's own steps (start, and the weights). If
   * anything throws during a gradient, team.abort() is called and the model goes back to serial.
   * null: serial again. The model values are those of evaluateWithAdjoint; the gradient differs
   * only by rounding (the bands' sums are added in band order).
   */
  useBands(band0: GradientBand | null, buffers?: BandBuffers, team?: BandTeam): void;
  /**
   * Cuts of the canvas rows into `bands` bands of about equal work at theta: every canvas row
   * costs its level-A nodes, plus the evaluations its pixels spent in levels B and C (one serial
   * render at theta).
   */
  bandCuts(theta: ArrayLike<number>, bands: number): number[];
}

/** The sizes of a banded gradient's shared buffers. */
export interface BandedGradientSpec {
  canvasRows: number;
  canvasCols: number;
  /** parameter slots (the bands' partial gradients are per slot) */
  nSlots: number;
  nFree: number;
  /** profile components (one peak per profile and band) */
  nProfiles: number;
  /** frame pixels */
  framePixels: number;
  /** the PSF passes' buffers (0 without a PSF) */
  psfForward: number;
  psfAdjoint: number;
}

/** The arrays the bands of one gradient share (SharedArrayBuffers across threads); allocateBandBuffers. */
export interface BandBuffers {
  /** the free parameters, written by the main thread before each gradient */
  theta: Float64Array;
  /** largest level-A mean per profile and band: peaks[profile * bands + band] */
  peaks: Float64Array;
  /** the canvas: sum of the profiles' pixel means */
  canvas: Float64Array;
  psfForward: Float64Array;
  /** the profiles' light on the frame (PSF applied) */
  frame: Float64Array;
  /** dS/d(frame pixel), written by the main thread */
  wFrame: Float64Array;
  /** between the adjoint passes; its first and last 2h rows stay zero */
  psfAdjoint: Float64Array;
  wCanvas: Float64Array;
  /** each band's gradient by parameter slot: slotGrad[band * nSlots + slot] */
  slotGrad: Float64Array;
}

/** How the main thread meets the other bands (ImageModelExtras.useBands). */
export interface BandTeam {
  sync(phase: number): void;
  /** the gradient was abandoned part way (the other bands must not wait for its remaining phases) */
  abort(): void;
}

/** One band's share of a gradient, in five phases run in order with every band done before the next. */
export interface GradientBand {
  readonly index: number;
  /**
   * 0: parameters from buffers.theta, level A of each profile on the band, its peaks;
   * 1: levels B and C (floor from every band's peak), the band's canvas rows, the PSF's row pass;
   * 2: the PSF's column pass on the band's frame rows;
   * (the main thread then forms the weights into buffers.wFrame)
   * 3: the adjoint's row pass on the band's frame rows;
   * 4: the adjoint's column pass on the band's canvas rows and the band's gradient sums.
   */
  run(phase: number): void;
}

/** Zeroed buffers for `bands` bands of a model's banded gradient; alloc(n) gives a Float64Array of n (e.g. on a SharedArrayBuffer). */
export function allocateBandBuffers(spec: BandedGradientSpec, bands: number, alloc: (n: number) => Float64Array = (n) => new Float64Array(n)): BandBuffers {
  const NC = spec.canvasRows * spec.canvasCols;
  return {
    theta: alloc(spec.nFree),
    peaks: alloc(spec.nProfiles * bands),
    canvas: alloc(NC),
    psfForward: alloc(spec.psfForward),
    frame: alloc(spec.framePixels),
    wFrame: alloc(spec.framePixels),
    psfAdjoint: alloc(spec.psfAdjoint),
    wCanvas: alloc(spec.psfForward > 0 ? NC : 0),
    slotGrad: alloc(spec.nSlots * bands),
  };
}

export type ImageCompiledModel = CompiledModel & ImageModelExtras;

export function isImageModel(c: CompiledModel): c is ImageCompiledModel {
  return (c as Partial<ImageModelExtras>).isImageModel === true;
}

type Kind = 'profile' | 'flat' | 'plane' | 'point';

function kindOf(t: ComponentType): Kind {
  if (t.type === 'FlatSky') return 'flat';
  if (t.type === 'PlaneSky') return 'plane';
  if (t.type === 'PointSource') return 'point';
  return 'profile';
}

export function compileImageModel(layout: ParameterLayout, components: ImageComponent[], frame: ImageFrame): ImageCompiledModel {
  const { rows, cols } = frame;
  const N = rows * cols;
  const indices = frame.indices ?? null;
  const n = indices ? indices.length : N;
  const nSlots = layout.slots.length;
  const nFree = layout.freeKeys.length;
  const values = new Float64Array(nSlots);
  const chainFree = new Int32Array(nSlots);
  const chainFactor = new Float64Array(nSlots);
  const psf = frame.psf ?? null;
  const op: PsfOperator | null = psf ? getPsfOperator(rows, cols, psf) : null;
  const pad = op ? op.pad : 0;
  const R = rows + 2 * pad;
  const C = cols + 2 * pad;
  const NC = R * C;
  const mx = op ? op.mx : 0;
  const my = op ? op.my : 0;
  const integration = frame.integration ?? {};
  const nodeAdjoint = (integration.maxDepth ?? 12) > 0;
  const kinds = components.map((c) => kindOf(c.type));
  const profiles = components.map((_, c) => c).filter((c) => kinds[c] === 'profile');
  const integrators = components.map((_, c) => (kinds[c] === 'profile' ? new PixelIntegrator() : null));
  const paramViews = components.map((c) => values.subarray(c.firstSlot, c.firstSlot + c.nParams));
  const maxParams = components.reduce((m, c) => Math.max(m, c.nParams), 0);
  const componentFree = components.map((c) => {
    const s = new Set<number>();
    expandParameters(layout, layout.theta0, values, chainFree, chainFactor);
    for (let k = 0; k < c.nParams; k++) if (chainFree[c.firstSlot + k] >= 0) s.add(chainFree[c.firstSlot + k]);
    return [...s].sort((a, b) => a - b);
  });

  // buffers (allocated once)
  const canvas = profiles.length > 0 ? new Float64Array(NC) : new Float64Array(0);
  const compCanvas = profiles.length > 0 ? new Float64Array(NC) : new Float64Array(0);
  const frameOut = new Float64Array(N);
  let jacCanvas: Float64Array[] = [];
  let jacFrame: Float64Array[] = [];
  const wFrame = new Float64Array(N);
  const wCanvas = op ? new Float64Array(NC) : wFrame;
  const slotGrad = new Float64Array(nSlots);
  const sharedAdjoint = new SharedAdjoint();
  const wPoints = new Float64Array(n);
  const stats: IntegrationStats = { pixels: 0, refined: 0, evaluations: 0, depth: 0, exhausted: 0, flagged: 0 };
  const ensureJac = (): void => {
    if (jacFrame.length >= maxParams) return;
    jacCanvas = profiles.length > 0 ? Array.from({ length: maxParams }, () => (op ? new Float64Array(NC) : new Float64Array(0))) : [];
    jacFrame = Array.from({ length: maxParams }, () => new Float64Array(N));
  };

  const resetStats = (): void => {
    stats.pixels = 0;
    stats.refined = 0;
    stats.evaluations = 0;
    stats.depth = 0;
    stats.exhausted = 0;
    stats.flagged = 0;
  };
  const addStats = (s: IntegrationStats): void => {
    stats.pixels += s.pixels;
    stats.refined += s.refined;
    stats.evaluations += s.evaluations;
    stats.depth = Math.max(stats.depth, s.depth);
    stats.exhausted += s.exhausted;
    stats.flagged = (stats.flagged ?? 0) + (s.flagged ?? 0);
  };

  /** profile c integrated on the canvas into `dst` (jac: its canvas columns, or node mode) */
  const integrateProfile = (c: number, dst: Float64Array, jac: Float64Array[] | null, nodeMode: boolean): void => {
    const comp = components[c];
    const s = integrators[c]!.integrate(comp.type, paramViews[c], R, C, -pad, -pad, dst, jac, integration, comp.options, nodeMode);
    addStats(s);
  };

  /** a sky or point-source component added onto the frame */
  const addDirectOne = (c: number, out: Float64Array): void => {
    const k = kinds[c];
    const p = paramViews[c];
    if (k === 'flat') {
      const f = Math.pow(10, p[0]);
      for (let i = 0; i < N; i++) out[i] += f;
    } else if (k === 'plane') {
      const f = Math.pow(10, p[0]);
      const gx = p[1];
      const gy = p[2];
      for (let i = 0; i < rows; i++) {
        const base = f + gy * (i - my) - gx * mx;
        const o = i * cols;
        for (let j = 0; j < cols; j++) out[o + j] += base + gx * j;
      }
    } else if (k === 'point') renderPointSource(p, psf, rows, cols, out, null);
  };

  /** the sky and point-source components added onto the frame */
  const addDirect = (out: Float64Array): void => {
    for (let c = 0; c < components.length; c++) if (kinds[c] !== 'profile') addDirectOne(c, out);
  };

  /** the frame columns of a direct (sky or point) component */
  const directColumns = (c: number, cols_: Float64Array[]): void => {
    const k = kinds[c];
    const p = paramViews[c];
    if (k === 'flat') cols_[0].fill(Math.pow(10, p[0]) * LN10, 0, N);
    else if (k === 'plane') {
      cols_[0].fill(Math.pow(10, p[0]) * LN10, 0, N);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          cols_[1][i * cols + j] = j - mx;
          cols_[2][i * cols + j] = i - my;
        }
      }
    } else renderPointSource(p, psf, rows, cols, null, cols_);
  };

  /** frame = PSF * canvas (+ direct components) */
  const renderFrame = (out: Float64Array, jacNodes: boolean): void => {
    resetStats();
    if (profiles.length > 0) {
      canvas.fill(0);
      for (const c of profiles) {
        integrateProfile(c, compCanvas, jacNodes ? jacCanvasFor(c) : null, jacNodes);
        for (let k = 0; k < NC; k++) canvas[k] += compCanvas[k];
      }
      if (op) op.forward(canvas, out);
      else out.set(canvas);
    } else out.fill(0, 0, N);
    addDirect(out);
  };

  /** scratch canvases for a component's derivatives (node mode keeps them inside its integrator) */
  const jacCanvasFor = (c: number): Float64Array[] => {
    ensureJac();
    const np = components[c].nParams;
    return (op ? jacCanvas : jacFrame).slice(0, np);
  };

  const pick = (frameValues: Float64Array, out: Float64Array): void => {
    if (!indices) {
      out.set(frameValues.subarray(0, N));
      return;
    }
    for (let i = 0; i < n; i++) out[i] = frameValues[indices[i]];
  };

  /** the transpose of pick: values at the fitted points onto the frame (0 at the others) */
  const unpick = (points: Float64Array, frameValues: Float64Array): void => {
    if (!indices) {
      frameValues.set(points.subarray(0, N));
      return;
    }
    frameValues.fill(0);
    for (let i = 0; i < n; i++) frameValues[indices[i]] = points[i];
  };

  const evaluate = (theta: ArrayLike<number>, out: Float64Array): void => {
    expandParameters(layout, theta, values);
    renderFrame(frameOut, false);
    pick(frameOut, out);
  };

  /**
   * Jacobian columns of component c (on the frame) into jacFrame[0..np-1], only those whose slot
   * maps to a free column in [lo, hi); returns false when none does.
   */
  const componentColumns = (c: number, lo: number, hi: number, withValue: Float64Array | null): boolean => {
    const comp = components[c];
    let any = false;
    for (let k = 0; k < comp.nParams; k++) {
      const f = chainFree[comp.firstSlot + k];
      if (f >= lo && f < hi) any = true;
    }
    if (!any && !withValue) return false;
    ensureJac();
    if (kinds[c] !== 'profile') {
      // (their values are added to the frame after the PSF, by addDirect)
      if (any) directColumns(c, jacFrame);
      return any;
    }
    const jc = op ? jacCanvas.slice(0, comp.nParams) : jacFrame.slice(0, comp.nParams);
    integrateProfile(c, compCanvas, any ? jc : null, false);
    if (withValue) for (let k = 0; k < NC; k++) withValue[k] += compCanvas[k];
    if (!any || !op) return any;
    // pass the needed columns through the PSF, two at a time
    let pending = -1;
    for (let k = 0; k < comp.nParams; k++) {
      const f = chainFree[comp.firstSlot + k];
      if (!(f >= lo && f < hi)) continue;
      if (pending < 0) pending = k;
      else {
        op.forwardPair(jacCanvas[pending], jacCanvas[k], jacFrame[pending], jacFrame[k]);
        pending = -1;
      }
    }
    if (pending >= 0) op.forward(jacCanvas[pending], jacFrame[pending]);
    return true;
  };

  /** adds the component's needed columns into J (entry (i, f - lo) at J[i * rowStride + (f - lo) * colStride]) */
  const scatterColumns = (c: number, lo: number, hi: number, J: Float64Array, rowStride: number, colStride: number, rowScale?: Float64Array): void => {
    const comp = components[c];
    for (let k = 0; k < comp.nParams; k++) {
      const f = chainFree[comp.firstSlot + k];
      if (!(f >= lo && f < hi)) continue;
      const factor = chainFactor[comp.firstSlot + k];
      const col = jacFrame[k];
      const o = (f - lo) * colStride;
      if (indices) {
        if (rowScale) for (let i = 0; i < n; i++) J[o + i * rowStride] += factor * col[indices[i]] * rowScale[i];
        else for (let i = 0; i < n; i++) J[o + i * rowStride] += factor * col[indices[i]];
      } else if (rowScale) for (let i = 0; i < n; i++) J[o + i * rowStride] += factor * col[i] * rowScale[i];
      else for (let i = 0; i < n; i++) J[o + i * rowStride] += factor * col[i];
    }
  };

  const fillJacobian = (theta: ArrayLike<number>, out: Float64Array, J: Float64Array, rowStride: number, colStride: number, rowScale?: Float64Array): void => {
    expandParameters(layout, theta, values, chainFree, chainFactor);
    J.fill(0, 0, n * nFree);
    resetStats();
    if (profiles.length > 0) canvas.fill(0);
    for (let c = 0; c < components.length; c++) {
      if (componentColumns(c, 0, nFree, kinds[c] === 'profile' ? canvas : null)) scatterColumns(c, 0, nFree, J, rowStride, colStride, rowScale);
    }
    if (profiles.length > 0) {
      if (op) op.forward(canvas, frameOut);
      else frameOut.set(canvas);
    } else frameOut.fill(0);
    addDirect(frameOut);
    pick(frameOut, out);
  };

  const jacobianColumnBlock = (theta: ArrayLike<number>, first: number, count: number, J: Float64Array, rowScale?: Float64Array): void => {
    expandParameters(layout, theta, values, chainFree, chainFactor);
    J.fill(0, 0, n * count);
    resetStats();
    const hi = first + count;
    for (let c = 0; c < components.length; c++) {
      if (componentColumns(c, first, hi, null)) scatterColumns(c, first, hi, J, 1, n, rowScale);
    }
  };

  let fullJ: Float64Array | null = null;
  const evaluateWithAdjoint = (theta: ArrayLike<number>, out: Float64Array, weights: (model: Float64Array, w: Float64Array) => number, g: Float64Array): number => {
    if (banded) return evaluateBanded(theta, out, weights, g);
    expandParameters(layout, theta, values, chainFree, chainFactor);
    if (!nodeAdjoint) {
      // fixed 3 x 3 rule: no level-A nodes to carry the adjoint; use the full Jacobian
      fullJ ??= new Float64Array(n * nFree);
      const J = fullJ;
      fillJacobian(theta, out, J, nFree, 1);
      const S = weights(out, wPoints);
      g.fill(0, 0, nFree);
      for (let i = 0; i < n; i++) {
        const w = wPoints[i];
        if (w === 0) continue;
        for (let k = 0; k < nFree; k++) g[k] += w * J[i * nFree + k];
      }
      return S;
    }
    renderFrame(frameOut, true);
    pick(frameOut, out);
    const S = weights(out, wPoints);
    unpick(wPoints, wFrame);
    slotGrad.fill(0);
    if (profiles.length > 0 && op) op.adjoint(wFrame, wCanvas);
    ensureJac();
    // several profiles on one canvas share S^T w (each then takes out its own flagged pixels)
    const shared = profiles.length > 1 ? sharedAdjoint : undefined;
    if (shared) shared.compute(wCanvas, R, C);
    for (const c of profiles) integrators[c]!.accumulateGradient(wCanvas, slotGrad, components[c].firstSlot, shared);
    shared?.invalidate();
    directGradient(wFrame);
    freeGradient(g);
    return S;
  };

  /** the sky and point-source components' parts of the gradient, into slotGrad */
  const directGradient = (wF: Float64Array): void => {
    for (let c = 0; c < components.length; c++) {
      const comp = components[c];
      if (kinds[c] === 'profile') continue;
      const p = paramViews[c];
      if (kinds[c] === 'flat') {
        let s = 0;
        for (let i = 0; i < N; i++) s += wF[i];
        slotGrad[comp.firstSlot] += s * Math.pow(10, p[0]) * LN10;
      } else if (kinds[c] === 'plane') {
        let s = 0;
        let sx = 0;
        let sy = 0;
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) {
            const w = wF[i * cols + j];
            s += w;
            sx += w * (j - mx);
            sy += w * (i - my);
          }
        }
        slotGrad[comp.firstSlot] += s * Math.pow(10, p[0]) * LN10;
        slotGrad[comp.firstSlot + 1] += sx;
        slotGrad[comp.firstSlot + 2] += sy;
      } else {
        ensureJac();
        renderPointSource(p, psf, rows, cols, null, jacFrame);
        for (let k = 0; k < 3; k++) {
          let s = 0;
          const col = jacFrame[k];
          for (let i = 0; i < N; i++) s += wF[i] * col[i];
          slotGrad[comp.firstSlot + k] += s;
        }
      }
    }
  };

  /** g (free parameters) from slotGrad through the links' chain factors */
  const freeGradient = (g: Float64Array): void => {
    g.fill(0, 0, nFree);
    for (let s = 0; s < nSlots; s++) {
      const f = chainFree[s];
      if (f >= 0) g[f] += chainFactor[s] * slotGrad[s];
    }
  };

  // the banded gradient (see ImageModelExtras.useBands)
  const bandable = nodeAdjoint && profiles.length > 0 && (!op || op.banded);
  const bandSpec = (): BandedGradientSpec | null =>
    bandable
      ? {
          canvasRows: R,
          canvasCols: C,
          nSlots,
          nFree,
          nProfiles: profiles.length,
          framePixels: N,
          psfForward: op ? op.forwardBufferLength : 0,
          psfAdjoint: op ? op.adjointBufferLength : 0,
        }
      : null;

  const gradientBand = (index: number, cuts: readonly number[], buf: BandBuffers): GradientBand => {
    if (!bandable) throw new ModelError('this image model cannot split its gradient in bands');
    const bands = cuts.length - 1;
    if (!(index >= 0 && index < bands) || cuts[0] !== 0 || cuts[bands] !== R) throw new RangeError(`band ${index} of cuts [${cuts.join(', ')}] (canvas rows 0 .. ${R})`);
    for (let b = 0; b < bands; b++) if (!(cuts[b + 1] > cuts[b])) throw new RangeError(`band cuts must increase: [${cuts.join(', ')}]`);
    const r0 = cuts[index];
    const r1 = cuts[index + 1];
    // frame rows in the same proportion (the PSF passes' share)
    const frameCut = (b: number): number => (b === 0 ? 0 : b === bands ? rows : Math.min(rows, Math.max(0, Math.round((cuts[b] * rows) / R))));
    const f0 = frameCut(index);
    const f1 = frameCut(index + 1);
    const vals = new Float64Array(nSlots);
    const views = components.map((c) => vals.subarray(c.firstSlot, c.firstSlot + c.nParams));
    const ints = profiles.map(() => new PixelIntegrator());
    const { e0, e1 } = bandGrid(r0, r1, R);
    const wLocal = new Float64Array((e1 - e0) * C);
    const shared = profiles.length > 1 ? new SharedAdjoint() : undefined;
    const grad = buf.slotGrad.subarray(index * nSlots, (index + 1) * nSlots);
    const run = (phase: number): void => {
      if (phase === 0) {
        expandParameters(layout, buf.theta, vals);
        for (let k = 0; k < profiles.length; k++) {
          const comp = components[profiles[k]];
          buf.peaks[k * bands + index] = ints[k].beginBand(comp.type, views[profiles[k]], R, C, -pad, -pad, r0, r1, integration, comp.options);
        }
      } else if (phase === 1) {
        const dst = buf.canvas.subarray(r0 * C, r1 * C);
        dst.fill(0);
        for (let k = 0; k < profiles.length; k++) {
          let peak = 0;
          for (let b = 0; b < bands; b++) peak = Math.max(peak, buf.peaks[k * bands + b]);
          ints[k].finishBand(peak);
          const m = ints[k].bandMeans();
          for (let i = 0; i < m.length; i++) dst[i] += m[i];
        }
        if (op) op.forwardRows(buf.canvas, buf.psfForward, r0, r1);
      } else if (phase === 2) {
        if (op) op.forwardColumns(buf.psfForward, buf.frame, f0, f1);
        else buf.frame.set(buf.canvas.subarray(r0 * C, r1 * C), r0 * C);
      } else if (phase === 3) {
        if (op) op.adjointRows(buf.wFrame, buf.psfAdjoint, f0, f1);
      } else if (phase === 4) {
        if (op) op.adjointColumns(buf.psfAdjoint, buf.wCanvas, r0, r1);
        const w = op ? buf.wCanvas : buf.wFrame;
        // the band's own weights on its grid; the rows beyond it belong to the next bands
        wLocal.fill(0);
        wLocal.set(w.subarray(r0 * C, r1 * C), (r0 - e0) * C);
        grad.fill(0);
        if (shared) shared.compute(wLocal, e1 - e0, C);
        for (let k = 0; k < profiles.length; k++) ints[k].accumulateGradient(wLocal, grad, components[profiles[k]].firstSlot, shared);
        shared?.invalidate();
      } else throw new RangeError(`no gradient phase ${phase}`);
    };
    return { index, run };
  };

  let banded: { band0: GradientBand; buf: BandBuffers; team: BandTeam; bands: number } | null = null;
  const useBands = (band0: GradientBand | null, buf?: BandBuffers, team?: BandTeam): void => {
    if (!band0) {
      banded = null;
      return;
    }
    if (!buf || !team) throw new RangeError('useBands needs the buffers and a team');
    banded = { band0, buf, team, bands: buf.slotGrad.length / nSlots };
  };

  const evaluateBanded = (theta: ArrayLike<number>, out: Float64Array, weights: (model: Float64Array, w: Float64Array) => number, g: Float64Array): number => {
    const { team } = banded!;
    try {
      return evaluateBandedSteps(theta, out, weights, g);
    } catch (e) {
      banded = null;
      team.abort();
      throw e;
    }
  };

  const evaluateBandedSteps = (theta: ArrayLike<number>, out: Float64Array, weights: (model: Float64Array, w: Float64Array) => number, g: Float64Array): number => {
    const { band0, buf, team, bands } = banded!;
    const sync = (phase: number): void => team.sync(phase);
    expandParameters(layout, theta, values, chainFree, chainFactor);
    for (let k = 0; k < nFree; k++) buf.theta[k] = theta[k];
    sync(-1);
    for (let phase = 0; phase < 3; phase++) {
      band0.run(phase);
      sync(phase);
    }
    frameOut.set(buf.frame);
    addDirect(frameOut);
    pick(frameOut, out);
    const S = weights(out, wPoints);
    const wF = buf.wFrame;
    unpick(wPoints, wF);
    sync(-1);
    for (let phase = 3; phase < 5; phase++) {
      band0.run(phase);
      sync(phase);
    }
    slotGrad.fill(0);
    for (let b = 0; b < bands; b++) {
      const o = b * nSlots;
      for (let s = 0; s < nSlots; s++) slotGrad[s] += buf.slotGrad[o + s];
    }
    directGradient(wF);
    freeGradient(g);
    return S;
  };

  const bandCuts = (theta: ArrayLike<number>, bands: number): number[] => {
    const cost = new Float64Array(R);
    for (const c of profiles) integrators[c]!.rowCost = cost;
    try {
      evaluate(theta, new Float64Array(n));
    } finally {
      for (const c of profiles) integrators[c]!.rowCost = null;
    }
    let total = 0;
    for (let r = 0; r < R; r++) {
      cost[r] += profiles.length * (C + 6);
      total += cost[r];
    }
    const cuts = [0];
    let acc = 0;
    for (let r = 0; r < R && cuts.length < bands; r++) {
      acc += cost[r];
      if (acc >= (total * cuts.length) / bands) cuts.push(r + 1);
    }
    while (cuts.length < bands) cuts.push(Math.min(R - 1, cuts[cuts.length - 1] + 1));
    cuts.push(R);
    return cuts;
  };

  const evaluateComponent = (index: number, theta: ArrayLike<number>, out: Float64Array): void => {
    expandParameters(layout, theta, values);
    resetStats();
    if (kinds[index] === 'profile') {
      integrateProfile(index, compCanvas, null, false);
      if (op) op.forward(compCanvas, frameOut);
      else frameOut.set(compCanvas);
    } else {
      frameOut.fill(0);
      addDirectOne(index, frameOut);
    }
    pick(frameOut, out);
  };

  for (const c of components) {
    if (c.type.dims !== 2) throw new ModelError(`${c.name} (${c.type.type}) is a 1D component; an image needs 2D components`);
  }

  return {
    layout,
    n,
    nFree,
    componentNames: components.map((c) => c.name),
    expand: (theta, v) => expandParameters(layout, theta, v),
    evaluate,
    evaluateWithJacobian: (theta, out, J) => fillJacobian(theta, out, J, nFree, 1),
    evaluateWithJacobianColumns: (theta, out, J, rowScale) => fillJacobian(theta, out, J, 1, n, rowScale),
    evaluateComponent,
    evaluateWithGradient: evaluateWithAdjoint,
    isImageModel: true,
    rows,
    cols,
    evaluateWithAdjoint,
    jacobianColumnBlock,
    componentFree,
    stats,
    bandSpec,
    gradientBand,
    useBands,
    bandCuts,
  };
}
