/**
 * Pure edits of a model document (return a new document; never mutate the input),
 * shared by the UI store and the headless runner.
 */
import type { ComponentOptions } from './component-type';
import { paramKey, type ComponentDoc, type ModelDoc, type ParameterDoc } from './document';
import { requireComponentType } from './components/registry';
import { EXPRESSION_TYPE, expressionComponentType } from './compile';

/** Unique name in HyperSpy's style: `Gaussian`, then `Gaussian_1`, `Gaussian_2`, ... */
export function uniqueComponentName(model: ModelDoc, base: string): string {
  const taken = new Set(model.components.map((c) => c.name));
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** A new component document with default parameters (overridden by `values`). */
export function newComponent(
  model: ModelDoc,
  type: string,
  options?: ComponentOptions,
  values: Record<string, number> = {},
  variables: string[] = ['x'],
): ComponentDoc {
  const specs =
    type === EXPRESSION_TYPE
      ? expressionComponentType(options?.expr ?? '', variables).type.params(options)
      : requireComponentType(type).params(options);
  const params: Record<string, ParameterDoc> = Object.create(null);
  for (const s of specs) {
    const v = Object.prototype.hasOwnProperty.call(values, s.name) ? values[s.name] : s.value;
    params[s.name] = { value: v, lower: s.lower, upper: s.upper, fixed: false };
  }
  return { name: uniqueComponentName(model, type), type, active: true, options, params };
}

export function addComponent(model: ModelDoc, component: ComponentDoc): ModelDoc {
  return { ...model, components: [...model.components, component] };
}

export function removeComponent(model: ModelDoc, name: string): ModelDoc {
  return { ...model, components: model.components.filter((c) => c.name !== name) };
}

export function updateComponent(model: ModelDoc, name: string, f: (c: ComponentDoc) => ComponentDoc): ModelDoc {
  return { ...model, components: model.components.map((c) => (c.name === name ? f(c) : c)) };
}

export function updateParameter(
  model: ModelDoc,
  component: string,
  param: string,
  patch: Partial<ParameterDoc>,
): ModelDoc {
  return updateComponent(model, component, (c) => ({
    ...c,
    params: { ...c.params, [param]: { ...c.params[param], ...patch } },
  }));
}

/** Writes values (keyed `<component>.<param>`) into the document. */
export function setValues(model: ModelDoc, values: Record<string, number>): ModelDoc {
  return {
    ...model,
    components: model.components.map((c) => {
      let params = c.params;
      for (const name of Object.keys(c.params)) {
        const key = paramKey(c.name, name);
        if (Object.prototype.hasOwnProperty.call(values, key)) {
          if (params === c.params) params = { ...c.params };
          params[name] = { ...params[name], value: values[key] };
        }
      }
      return params === c.params ? c : { ...c, params };
    }),
  };
}

/** Every parameter key of the active components, with its value. */
export function parameterValues(model: ModelDoc): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of model.components) for (const [p, d] of Object.entries(c.params)) out[paramKey(c.name, p)] = d.value;
  return out;
}

/** Peak components (offer "estimate from data"); expression components are not. */
export function isPeak(type: string): boolean {
  return type !== EXPRESSION_TYPE && requireComponentType(type).peak;
}
