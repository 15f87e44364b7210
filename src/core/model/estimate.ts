/**
 * "Estimate from data": a peak component's position, width and area from the data minus the
 * other active components (the current residual), restricted to the fit ranges.
 */
import type { Dataset } from '../data/dataset';
import type { FitRange } from '../fit/settings';
import { includedPoints } from '../fit/fit-view';
import type { ModelDoc } from './document';
import { requireComponentType } from './components/registry';
import { evaluateCurves } from './display';
import { ModelError } from './parameter-layout';

export function estimateComponent(
  dataset: Dataset,
  model: ModelDoc,
  name: string,
  ranges: FitRange[],
): Record<string, number> {
  const comp = model.components.find((c) => c.name === name);
  if (!comp) throw new ModelError(`No component named ${name}`);
  const type = requireComponentType(comp.type);
  if (!type.guess) throw new ModelError(`${comp.type} has no estimate from data`);
  const others: ModelDoc = { components: model.components.filter((c) => c.name !== name) };
  const n = dataset.values.length;
  const background = others.components.some((c) => c.active)
    ? evaluateCurves(others, dataset.coords, n).total
    : new Float64Array(n);
  const inc = includedPoints(dataset, ranges);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!inc[i]) continue;
    xs.push(dataset.coords.x[i]);
    ys.push(dataset.values[i] - background[i]);
  }
  if (xs.length < 3) throw new ModelError('Too few points in the fit range to estimate from');
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const x = Float64Array.from(order, (i) => xs[i]);
  const y = Float64Array.from(order, (i) => ys[i]);
  const guess = type.guess({ x, y }, comp.options);
  for (const [k, v] of Object.entries(guess)) if (!Number.isFinite(v)) delete guess[k];
  return guess;
}
