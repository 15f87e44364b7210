/**
 * The compiled model of an image dataset: every component is integrated over the pixels of the
 * whole frame (adaptive sub-pixel sampling, integrate.ts), on a canvas padded by the PSF half-width,
 * convolved with the PSF (psf.ts) and cropped; the fitted points are then picked from the frame
 * (masked pixels still receive light, they are only left out of the statistic).
 *
 * The Jacobian is built one component at a time: the renderer holds the columns of one
 * component only (at most 7 frames for a Sersic), so memory stays O(pixels x largest component)
 * plus the n x nFree matrix the optimizer asked for, instead of AstroPhot's O(pixels x parameters)
 * working set on top of it. PSF convolution is linear, so d(PSF * f)/dp = PSF * (df/dp).
 */
import type { ComponentOptions, ComponentType } from '../model/component-type';
import type { CompiledModel } from '../model/compile';
import { expandParameters, type ParameterLayout } from '../model/parameter-layout';
import { ImageRenderer, type IntegrationOptions } from './integrate';
import type { Psf } from './psf';

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

export function compileImageModel(layout: ParameterLayout, components: ImageComponent[], frame: ImageFrame): CompiledModel {
  const { rows, cols } = frame;
  const N = rows * cols;
  const indices = frame.indices ?? null;
  const n = indices ? indices.length : N;
  const nSlots = layout.slots.length;
  const nFree = layout.freeKeys.length;
  const values = new Float64Array(nSlots);
  const chainFree = new Int32Array(nSlots);
  const chainFactor = new Float64Array(nSlots);
  const renderer = new ImageRenderer(rows, cols);
  const opts = { ...(frame.integration ?? {}), psf: frame.psf ?? null };
  const types = components.map((c) => c.type);
  const options = components.map((c) => c.options);
  const paramViews = components.map((c) => values.subarray(c.firstSlot, c.firstSlot + c.nParams));
  const maxParams = components.reduce((m, c) => Math.max(m, c.nParams), 0);
  const frameOut = new Float64Array(N);
  const compOut = new Float64Array(N);
  const compJac = Array.from({ length: maxParams }, () => new Float64Array(N));
  const jacViews = components.map((c) => compJac.slice(0, c.nParams));

  /** out[i] = frame[indices[i]] (or a copy of the frame) */
  const pick = (frameValues: Float64Array, out: Float64Array): void => {
    if (!indices) {
      out.set(frameValues.subarray(0, N));
      return;
    }
    for (let i = 0; i < n; i++) out[i] = frameValues[indices[i]];
  };

  const evaluateFrame = (theta: ArrayLike<number>, out: Float64Array): void => {
    expandParameters(layout, theta, values);
    renderer.render(types, paramViews, out, null, opts, options);
  };

  const evaluate = (theta: ArrayLike<number>, out: Float64Array): void => {
    evaluateFrame(theta, frameOut);
    pick(frameOut, out);
  };

  const fillJacobian = (theta: ArrayLike<number>, out: Float64Array, J: Float64Array, rowStride: number, colStride: number, rowScale?: Float64Array): void => {
    expandParameters(layout, theta, values, chainFree, chainFactor);
    frameOut.fill(0);
    J.fill(0, 0, n * nFree);
    for (let c = 0; c < components.length; c++) {
      const comp = components[c];
      const jac = jacViews[c];
      renderer.render([comp.type], [paramViews[c]], compOut, jac, opts, [comp.options]);
      for (let p = 0; p < N; p++) frameOut[p] += compOut[p];
      for (let k = 0; k < comp.nParams; k++) {
        const f = chainFree[comp.firstSlot + k];
        if (f < 0) continue;
        const factor = chainFactor[comp.firstSlot + k];
        const col = jac[k];
        const o = f * colStride;
        for (let i = 0; i < n; i++) {
          const v = factor * col[indices ? indices[i] : i];
          J[o + i * rowStride] += rowScale ? v * rowScale[i] : v;
        }
      }
    }
    pick(frameOut, out);
  };

  const evaluateComponent = (index: number, theta: ArrayLike<number>, out: Float64Array): void => {
    expandParameters(layout, theta, values);
    const comp = components[index];
    renderer.render([comp.type], [paramViews[index]], compOut, null, opts, [comp.options]);
    pick(compOut, out);
  };

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
  };
}
