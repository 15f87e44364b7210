/**
 * Values of every parameter with twin links applied (a twin shows g(source value)), and the check
 * that a proposed link is valid (source exists, function parses and uses only x, no cycle).
 */
import { compileExpression } from '../expr';
import { resolveComponent } from './compile';
import { paramKey, type ModelDoc, type TwinDoc } from './document';
import { buildLayout, expandParameters, ModelError } from './parameter-layout';

function layoutFor(model: ModelDoc, variables: string[]) {
  const params = new Map<string, string[]>();
  for (const c of model.components) if (c.active) params.set(c.name, resolveComponent(c, variables).paramNames);
  return buildLayout(model, params, true);
}

/** Every active parameter's value, twins resolved from their sources. Throws ModelError on a bad link. */
export function resolvedValues(model: ModelDoc, variables: string[] = ['x']): Record<string, number> {
  const layout = layoutFor(model, variables);
  const values = new Float64Array(layout.slots.length);
  expandParameters(layout, layout.theta0, values);
  const out: Record<string, number> = {};
  layout.slots.forEach((s, i) => (out[s.key] = values[i]));
  return out;
}

/** The model with `key` twinned to twin.source (or unlinked when twin is null); throws ModelError with the reason. */
export function withTwin(model: ModelDoc, component: string, param: string, twin: TwinDoc | null, variables: string[] = ['x']): ModelDoc {
  const key = paramKey(component, param);
  if (twin) {
    if (twin.source === key) throw new ModelError(`${key} cannot be twinned to itself`);
    if (twin.expr !== undefined && twin.expr.trim() !== '') {
      const fn = compileExpression(twin.expr, { variables: ['x'] });
      if (fn.parameters.length > 0) throw new ModelError(`The twin function may only use x (the value of ${twin.source}); found ${fn.parameters.join(', ')}`);
    }
  }
  const next: ModelDoc = {
    components: model.components.map((c) => {
      if (c.name !== component || !Object.prototype.hasOwnProperty.call(c.params, param)) return c;
      const doc = { ...c.params[param] };
      if (twin) doc.twin = twin.expr && twin.expr.trim() !== '' ? { source: twin.source, expr: twin.expr.trim() } : { source: twin.source };
      else delete doc.twin;
      return { ...c, params: { ...c.params, [param]: doc } };
    }),
  };
  resolvedValues(next, variables); // validates: source active, no cycle
  return next;
}
