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
import { PixelIntegrator, SharedAdjoint, type IntegrationOptions, type IntegrationStats } from './integrate';
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
    if (indices) {
      wFrame.fill(0);
      for (let i = 0; i < n; i++) wFrame[indices[i]] = wPoints[i];
    } else wFrame.set(wPoints.subarray(0, N));
    slotGrad.fill(0);
    if (profiles.length > 0 && op) op.adjoint(wFrame, wCanvas);
    ensureJac();
    // several profiles on one canvas share S^T w (each then takes out its own flagged pixels)
    const shared = profiles.length > 1 ? sharedAdjoint : undefined;
    if (shared) shared.compute(wCanvas, R, C);
    for (let c = 0; c < components.length; c++) {
      const comp = components[c];
      if (kinds[c] === 'profile') {
        integrators[c]!.accumulateGradient(wCanvas, slotGrad, comp.firstSlot, shared);
        continue;
      }
      const p = paramViews[c];
      if (kinds[c] === 'flat') {
        let s = 0;
        for (let i = 0; i < N; i++) s += wFrame[i];
        slotGrad[comp.firstSlot] += s * Math.pow(10, p[0]) * LN10;
      } else if (kinds[c] === 'plane') {
        let s = 0;
        let sx = 0;
        let sy = 0;
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) {
            const w = wFrame[i * cols + j];
            s += w;
            sx += w * (j - mx);
            sy += w * (i - my);
          }
        }
        slotGrad[comp.firstSlot] += s * Math.pow(10, p[0]) * LN10;
        slotGrad[comp.firstSlot + 1] += sx;
        slotGrad[comp.firstSlot + 2] += sy;
      } else {
        renderPointSource(p, psf, rows, cols, null, jacFrame);
        for (let k = 0; k < 3; k++) {
          let s = 0;
          const col = jacFrame[k];
          for (let i = 0; i < N; i++) s += wFrame[i] * col[i];
          slotGrad[comp.firstSlot + k] += s;
        }
      }
    }
    shared?.invalidate();
    g.fill(0, 0, nFree);
    for (let s = 0; s < nSlots; s++) {
      const f = chainFree[s];
      if (f >= 0) g[f] += chainFactor[s] * slotGrad[s];
    }
    return S;
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
  };
}
