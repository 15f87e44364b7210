/**
 * Evaluates the model at document values for plots and sliders. The compiled model is cached
 * by structure (components, types, options, twins), so a slider move only re-evaluates.
 */
import { paramKey, type ModelDoc } from './document';
import { compileModel, type CompiledModel } from './compile';

export interface ModelCurves {
  total: Float64Array;
  components: { name: string; values: Float64Array }[];
}

interface CacheEntry {
  key: string;
  coords: Record<string, Float64Array>;
  compiled: CompiledModel;
  theta: Float64Array;
}

let cache: CacheEntry | null = null;

function structureKey(model: ModelDoc): string {
  return JSON.stringify(
    model.components.map((c) => [
      c.name,
      c.type,
      c.active,
      c.options ?? null,
      Object.entries(c.params).map(([p, d]) => [p, d.twin ?? null]),
    ]),
  );
}

function compiledFor(model: ModelDoc, coords: Record<string, Float64Array>, n: number): CacheEntry {
  const key = structureKey(model) + '|' + n;
  if (cache && cache.key === key && cache.coords === coords) return cache;
  const compiled = compileModel(model, coords, n, { allFree: true });
  cache = { key, coords, compiled, theta: new Float64Array(compiled.nFree) };
  return cache;
}

function thetaFromDocument(entry: CacheEntry, model: ModelDoc, overrides?: Record<string, number>): Float64Array {
  const byKey = new Map<string, number>();
  for (const c of model.components) for (const [p, d] of Object.entries(c.params)) byKey.set(paramKey(c.name, p), d.value);
  if (overrides) for (const [k, v] of Object.entries(overrides)) byKey.set(k, v);
  const keys = entry.compiled.layout.freeKeys;
  for (let k = 0; k < keys.length; k++) entry.theta[k] = byKey.get(keys[k]) ?? 0;
  return entry.theta;
}

/** Total model and every active component at the dataset's points. Throws ModelError/ExprError. */
export function evaluateCurves(
  model: ModelDoc,
  coords: Record<string, Float64Array>,
  n: number,
  overrides?: Record<string, number>,
): ModelCurves {
  const entry = compiledFor(model, coords, n);
  const theta = thetaFromDocument(entry, model, overrides);
  const total = new Float64Array(n);
  entry.compiled.evaluate(theta, total);
  const components = entry.compiled.componentNames.map((name, i) => {
    const values = new Float64Array(n);
    entry.compiled.evaluateComponent(i, theta, values);
    return { name, values };
  });
  return { total, components };
}
