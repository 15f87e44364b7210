/**
 * Canonical position angles. The elliptical profiles (Sersic, ExponentialDisk, Gaussian2D,
 * Moffat2D) depend on PA only through cos(2 PA) and sin(2 PA) terms (the ellipse is the same
 * after a half turn), so PA and PA + k pi are the same model; with q <= 1 the major axis is the
 * one PA points along, and the canonical answer is PA in [0, pi). Optimizers treat such a PA as
 * cyclic: the fitted value (and, for the optimizers that take a `wrap` hook, every iterate) is
 * reduced modulo pi. A PA is left alone when it has bounds, a prior, or other parameters tied to
 * it (the tie may not be periodic).
 */
import type { ModelDoc } from '../model/document';
import type { ParameterLayout } from '../model/parameter-layout';

/** 2D component types whose PA is pi-periodic */
export const PI_PERIODIC_PA_TYPES = new Set(['Sersic', 'ExponentialDisk', 'Gaussian2D', 'Moffat2D']);

/** x reduced to [0, period) */
export function wrapInto(x: number, period: number): number {
  if (!Number.isFinite(x)) return x;
  let v = x - Math.floor(x / period) * period;
  if (v >= period) v -= period;
  if (v < 0) v += period;
  return v;
}

/** The free indices of cyclic position angles in the layout (see the header). */
export function cyclicAngles(model: ModelDoc, layout: ParameterLayout): number[] {
  const types = new Map(model.components.map((c) => [c.name, c]));
  const twinned = new Set<number>();
  for (const s of layout.slots) if (s.twinSource >= 0) twinned.add(s.twinSource);
  const out: number[] = [];
  layout.freeSlots.forEach((slot, k) => {
    const s = layout.slots[slot];
    if (s.param !== 'PA') return;
    const c = types.get(s.component);
    if (!c || !PI_PERIODIC_PA_TYPES.has(c.type)) return;
    const doc = c.params[s.param];
    if (!doc || doc.prior || twinned.has(slot)) return;
    if (Number.isFinite(layout.lower[k]) || Number.isFinite(layout.upper[k])) return;
    out.push(k);
  });
  return out;
}

/** A function reducing the cyclic angles of a free vector modulo pi in place, or undefined when there are none. */
export function angleWrapper(model: ModelDoc, layout: ParameterLayout): ((theta: Float64Array) => void) | undefined {
  const idx = cyclicAngles(model, layout);
  if (idx.length === 0) return undefined;
  return (theta) => {
    for (const k of idx) theta[k] = wrapInto(theta[k], Math.PI);
  };
}
