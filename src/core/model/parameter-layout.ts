/**
 * Optimization layout: maps every parameter of the model to a slot, folds fixed and twinned
 * parameters away and hands optimizers only the free vector (the NMRium/mljs idea).
 * A twin's value is g(source value) with g an expression in `x`; its derivative with respect
 * to a free parameter follows the chain of twins (chain rule), so fits and errors stay exact.
 */
import { compileExpression, type CompiledExpression } from '../expr';
import type { ModelDoc } from './document';
import { paramKey } from './document';

export interface Slot {
  key: string;
  component: string;
  param: string;
  /** index into the free vector, or -1 */
  free: number;
  /** index of the source slot for twins, or -1 */
  twinSource: number;
  twinFn: CompiledExpression | null;
  fixedValue: number;
}

export interface ParameterLayout {
  slots: Slot[];
  /** slots in evaluation order (sources before their twins) */
  order: Int32Array;
  slotIndex: Map<string, number>;
  freeKeys: string[];
  /** slot of each free parameter */
  freeSlots: number[];
  theta0: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

export class ModelError extends Error {}

/**
 * `allFree`: fixed parameters get free slots too (ignoring bounds); used to evaluate the model for
 * display, where every parameter value comes from the document.
 */
export function buildLayout(model: ModelDoc, componentParams: Map<string, string[]>, allFree = false): ParameterLayout {
  const slots: Slot[] = [];
  const slotIndex = new Map<string, number>();
  for (const c of model.components) {
    if (!c.active) continue;
    for (const name of componentParams.get(c.name) ?? []) {
      const key = paramKey(c.name, name);
      slotIndex.set(key, slots.length);
      slots.push({ key, component: c.name, param: name, free: -1, twinSource: -1, twinFn: null, fixedValue: 0 });
    }
  }
  const freeKeys: string[] = [];
  const freeSlots: number[] = [];
  const theta0: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (const c of model.components) {
    if (!c.active) continue;
    for (const name of componentParams.get(c.name) ?? []) {
      const key = paramKey(c.name, name);
      const s = slots[slotIndex.get(key)!];
      const doc = Object.prototype.hasOwnProperty.call(c.params, name) ? c.params[name] : undefined;
      if (!doc) throw new ModelError(`Parameter ${key} has no value`);
      if (!Number.isFinite(doc.value)) throw new ModelError(`Parameter ${key} has a non-finite value`);
      s.fixedValue = doc.value;
      if (doc.twin) {
        const src = slotIndex.get(doc.twin.source);
        if (src === undefined) throw new ModelError(`${key} is twinned to ${doc.twin.source}, which is not an active parameter`);
        s.twinSource = src;
        if (doc.twin.expr && doc.twin.expr.trim() !== '' && doc.twin.expr.trim() !== 'x') {
          const fn = compileExpression(doc.twin.expr, { variables: ['x'] });
          if (fn.parameters.length > 0)
            throw new ModelError(`The twin function of ${key} may only use x (the source value); found ${fn.parameters.join(', ')}`);
          s.twinFn = fn;
        }
        continue;
      }
      const lo = allFree ? -Infinity : (doc.lower ?? -Infinity);
      const hi = allFree ? Infinity : (doc.upper ?? Infinity);
      if (lo > hi) throw new ModelError(`${key}: lower bound ${lo} is above upper bound ${hi}`);
      if (!allFree && (doc.fixed || lo === hi)) continue;
      s.free = freeKeys.length;
      freeKeys.push(key);
      freeSlots.push(slotIndex.get(key)!);
      theta0.push(Math.min(hi, Math.max(lo, doc.value)));
      lower.push(lo);
      upper.push(hi);
    }
  }
  // detect twin cycles
  for (let i = 0; i < slots.length; i++) {
    let j = i;
    for (let steps = 0; slots[j].twinSource >= 0; steps++) {
      if (steps > slots.length) throw new ModelError(`Twin links of ${slots[i].key} form a cycle`);
      j = slots[j].twinSource;
    }
  }
  return {
    slots,
    order: evaluationOrder(slots),
    slotIndex,
    freeKeys,
    freeSlots,
    theta0: Float64Array.from(theta0),
    lower: Float64Array.from(lower),
    upper: Float64Array.from(upper),
  };
}

const twinVars = new Map<string, number>();
const noParams = new Float64Array(0);

/** Slots ordered so that every twin comes after its source. */
function evaluationOrder(slots: Slot[]): Int32Array {
  const order: number[] = [];
  const placed = new Uint8Array(slots.length);
  const place = (s: number): void => {
    if (placed[s]) return;
    if (slots[s].twinSource >= 0) place(slots[s].twinSource);
    placed[s] = 1;
    order.push(s);
  };
  for (let s = 0; s < slots.length; s++) place(s);
  return Int32Array.from(order);
}

/**
 * Fills `values` (one per slot) from the free vector and, when `chainFree` is given, fills
 * chainFree[s] (the free index a slot depends on, or -1) and chainFactor[s] (d value_s / d theta_free).
 */
export function expandParameters(
  layout: ParameterLayout,
  theta: ArrayLike<number>,
  values: Float64Array,
  chainFree?: Int32Array,
  chainFactor?: Float64Array,
): void {
  const slots = layout.slots;
  const order = layout.order;
  for (let o = 0; o < order.length; o++) {
    const s = order[o];
    const slot = slots[s];
    if (slot.free >= 0) {
      values[s] = theta[slot.free];
      if (chainFree) { chainFree[s] = slot.free; chainFactor![s] = 1; }
    } else if (slot.twinSource >= 0) {
      const x = values[slot.twinSource];
      let v = x;
      let d = 1;
      if (slot.twinFn) {
        twinVars.set('x', x);
        v = slot.twinFn.scalar(twinVars, noParams);
        d = slot.twinFn.scalarDerivative('x', twinVars, noParams);
      }
      values[s] = v;
      if (chainFree) {
        chainFree[s] = chainFree[slot.twinSource];
        chainFactor![s] = chainFactor![slot.twinSource] * d;
      }
    } else {
      values[s] = slot.fixedValue;
      if (chainFree) { chainFree[s] = -1; chainFactor![s] = 0; }
    }
  }
}
