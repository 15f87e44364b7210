/**
 * compile(model, coords) -> CompiledModel: built once per (document, dataset view), then
 * evaluated many times by optimizers and sliders without allocation.
 *   evaluate(theta, out)   total model at the n points
 *   jacobian(theta, J)     n x nFree row-major, d model / d theta (analytic, chain rule through twins)
 */
import { compileExpression, type CompiledExpression } from '../expr';
import type { ComponentOptions, ComponentType } from './component-type';
import { paramKey, type ComponentDoc, type ModelDoc } from './document';
import { getComponentType } from './components/registry';
import { getImageComponentType } from '../image/components/registry';
import { compileImageModel, type ImageFrame } from '../image/image-model';
import { buildLayout, expandParameters, ModelError, type ParameterLayout } from './parameter-layout';

export const EXPRESSION_TYPE = 'Expression';

interface CompiledComponent {
  name: string;
  type: ComponentType;
  options: ComponentOptions | undefined;
  /** first slot of this component's parameters (slots of a component are consecutive) */
  firstSlot: number;
  nParams: number;
}

export interface CompiledModel {
  layout: ParameterLayout;
  n: number;
  nFree: number;
  componentNames: string[];
  /** all slot values for a free vector (twins applied) */
  expand(theta: ArrayLike<number>, values: Float64Array): void;
  evaluate(theta: ArrayLike<number>, out: Float64Array): void;
  /** fills out with the model and J (n x nFree, row-major) with its derivatives */
  evaluateWithJacobian(theta: ArrayLike<number>, out: Float64Array, J: Float64Array): void;
  /**
   * as evaluateWithJacobian, with J column-major (J[k*n + i]): contiguous writes, for tall problems;
   * rowScale (optional) multiplies row i of J (e.g. -1/sigma_i for residual Jacobians)
   */
  evaluateWithJacobianColumns(theta: ArrayLike<number>, out: Float64Array, J: Float64Array, rowScale?: Float64Array): void;
  /** value of one component (by index in componentNames) */
  evaluateComponent(index: number, theta: ArrayLike<number>, out: Float64Array): void;
  /**
   * The gradient of a statistic S(model) without forming the n x nFree Jacobian: fills out with
   * the model, calls statistic(out, dS) which returns S and writes dS_i = dS/dmodel_i, then sets
   * g = J^T dS (one dot product per free parameter and component). Returns S.
   * Optional: callers fall back to evaluateWithJacobian when absent (images).
   */
  evaluateWithGradient?(theta: ArrayLike<number>, out: Float64Array, statistic: (model: Float64Array, dS: Float64Array) => number, g: Float64Array): number;
}

/** A ComponentType wrapping a user formula (free symbols = parameters, coords = variables). */
export function expressionComponentType(expr: string, variables: string[]): { type: ComponentType; compiled: CompiledExpression } {
  const compiled = compileExpression(expr, { variables });
  const type: ComponentType = {
    type: EXPRESSION_TYPE,
    dims: variables.includes('y') ? 2 : 1,
    formula: expr,
    peak: false,
    params: () => compiled.parameters.map((name) => ({ name, value: 1, lower: null, upper: null, description: `symbol ${name} of ${expr}` })),
    evaluate: (p, coords, out, jac, n) => compiled.evaluate(coords, p, out, jac, n),
  };
  return { type, compiled };
}

/** Resolves a component document to its type and parameter names. */
export function resolveComponent(c: ComponentDoc, variables: string[]): { type: ComponentType; paramNames: string[] } {
  if (c.type === EXPRESSION_TYPE) {
    if (!c.options?.expr) throw new ModelError(`Component ${c.name} has no formula`);
    const { type } = expressionComponentType(c.options.expr, variables);
    return { type, paramNames: type.params(c.options).map((p) => p.name) };
  }
  const type = getComponentType(c.type) ?? (variables.includes('y') ? getImageComponentType(c.type) : undefined);
  if (!type) throw new ModelError(`Component ${c.name} has unknown type '${c.type}'`);
  return { type, paramNames: type.params(c.options).map((p) => p.name) };
}

export interface CompileOptions {
  /** every non-twinned parameter is free (display evaluation from document values) */
  allFree?: boolean;
  /**
   * the points are pixels of an image: components are integrated over each pixel of the whole
   * frame, convolved with the frame's PSF and picked at `indices` (core/image/image-model.ts)
   */
  image?: ImageFrame;
}

export function compileModel(
  model: ModelDoc,
  coords: Record<string, Float64Array>,
  n: number,
  options: CompileOptions = {},
): CompiledModel {
  const variables = Object.keys(coords);
  const seen = new Set<string>();
  const parts: { doc: ComponentDoc; type: ComponentType; paramNames: string[] }[] = [];
  const paramsByComponent = new Map<string, string[]>();
  for (const c of model.components) {
    if (seen.has(c.name)) throw new ModelError(`Two components are named ${c.name}`);
    seen.add(c.name);
    if (!c.active) continue;
    const { type, paramNames } = resolveComponent(c, variables);
    parts.push({ doc: c, type, paramNames });
    paramsByComponent.set(c.name, paramNames);
  }
  const layout = buildLayout(model, paramsByComponent, options.allFree ?? false);
  const components: CompiledComponent[] = parts.map((p) => ({
    name: p.doc.name,
    type: p.type,
    options: p.doc.options,
    firstSlot: layout.slotIndex.get(paramKey(p.doc.name, p.paramNames[0])) ?? 0,
    nParams: p.paramNames.length,
  }));
  if (options.image) {
    for (const p of parts) if (p.type.dims !== 2) throw new ModelError(`${p.doc.name} (${p.doc.type}) is a 1D component; an image needs 2D components (Sersic, FlatSky, ...)`);
    return compileImageModel(layout, components, options.image);
  }
  const nSlots = layout.slots.length;
  const nFree = layout.freeKeys.length;
  const values = new Float64Array(nSlots);
  const chainFree = new Int32Array(nSlots);
  const chainFactor = new Float64Array(nSlots);
  const tmp = new Float64Array(n);
  const maxParams = components.reduce((m, c) => Math.max(m, c.nParams), 0);
  const jacBuffers = Array.from({ length: maxParams }, () => new Float64Array(n));
  const paramViews = components.map((c) => values.subarray(c.firstSlot, c.firstSlot + c.nParams));
  const jacViews = components.map((c) => jacBuffers.slice(0, c.nParams));

  const evaluate = (theta: ArrayLike<number>, out: Float64Array): void => {
    expandParameters(layout, theta, values);
    out.fill(0, 0, n);
    for (let c = 0; c < components.length; c++) {
      const comp = components[c];
      comp.type.evaluate(paramViews[c], coords, tmp, null, n, comp.options);
      for (let i = 0; i < n; i++) out[i] += tmp[i];
    }
  };

  /**
   * Model and Jacobian; entry (point i, free parameter f) goes to J[i * rowStride + f * colStride]
   * (row-major: rowStride nFree, colStride 1; column-major: 1, n), optionally times rowScale[i].
   */
  const fillJacobian = (theta: ArrayLike<number>, out: Float64Array, J: Float64Array, rowStride: number, colStride: number, rowScale?: Float64Array): void => {
    expandParameters(layout, theta, values, chainFree, chainFactor);
    out.fill(0, 0, n);
    J.fill(0, 0, n * nFree);
    for (let c = 0; c < components.length; c++) {
      const comp = components[c];
      const jac = jacViews[c];
      comp.type.evaluate(paramViews[c], coords, tmp, jac, n, comp.options);
      for (let i = 0; i < n; i++) out[i] += tmp[i];
      for (let k = 0; k < comp.nParams; k++) {
        const s = comp.firstSlot + k;
        const f = chainFree[s];
        if (f < 0) continue;
        const factor = chainFactor[s];
        const col = jac[k];
        const o = f * colStride;
        if (rowScale) for (let i = 0; i < n; i++) J[o + i * rowStride] += factor * col[i] * rowScale[i];
        else for (let i = 0; i < n; i++) J[o + i * rowStride] += factor * col[i];
      }
    }
  };

  const evaluateWithJacobian = (theta: ArrayLike<number>, out: Float64Array, J: Float64Array): void => fillJacobian(theta, out, J, nFree, 1);

  const evaluateWithJacobianColumns = (theta: ArrayLike<number>, out: Float64Array, J: Float64Array, rowScale?: Float64Array): void =>
    fillJacobian(theta, out, J, 1, n, rowScale);

  const evaluateComponent = (index: number, theta: ArrayLike<number>, out: Float64Array): void => {
    expandParameters(layout, theta, values);
    const comp = components[index];
    comp.type.evaluate(paramViews[index], coords, out, null, n, comp.options);
  };

  // every component keeps its own derivative columns for the gradient (allocated on first use)
  let ownJac: Float64Array[][] | null = null;
  let dS: Float64Array | null = null;
  const evaluateWithGradient = (theta: ArrayLike<number>, out: Float64Array, statistic: (model: Float64Array, dS: Float64Array) => number, g: Float64Array): number => {
    if (!ownJac) ownJac = components.map((c) => Array.from({ length: c.nParams }, () => new Float64Array(n)));
    if (!dS) dS = new Float64Array(n);
    expandParameters(layout, theta, values, chainFree, chainFactor);
    out.fill(0, 0, n);
    for (let c = 0; c < components.length; c++) {
      const comp = components[c];
      comp.type.evaluate(paramViews[c], coords, tmp, ownJac[c], n, comp.options);
      for (let i = 0; i < n; i++) out[i] += tmp[i];
    }
    const s = statistic(out, dS);
    g.fill(0, 0, nFree);
    for (let c = 0; c < components.length; c++) {
      const comp = components[c];
      const jac = ownJac[c];
      for (let k = 0; k < comp.nParams; k++) {
        const f = chainFree[comp.firstSlot + k];
        if (f < 0) continue;
        const col = jac[k];
        let dot = 0;
        for (let i = 0; i < n; i++) dot += dS[i] * col[i];
        g[f] += chainFactor[comp.firstSlot + k] * dot;
      }
    }
    return s;
  };

  return {
    layout,
    n,
    nFree,
    componentNames: components.map((c) => c.name),
    expand: (theta, v) => expandParameters(layout, theta, v),
    evaluate,
    evaluateWithJacobian,
    evaluateWithJacobianColumns,
    evaluateComponent,
    evaluateWithGradient,
  };
}
