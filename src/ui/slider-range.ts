import type { Dataset } from '../core/data/dataset';
import type { ParameterDoc } from '../core/model/document';

/** Names of parameters that live on the x axis (their slider spans the data's x range). */
const POSITION_PARAMS = new Set(['centre', 'origin', 'x0', 'n']);

/**
 * A slider range for a parameter: its bounds when both are finite, the data's x range for
 * positions, else a span around the value. Widened to include the value.
 */
export function sliderRange(param: string, doc: ParameterDoc, dataset: Dataset | null): [number, number] {
  let lo: number;
  let hi: number;
  if (doc.lower !== null && doc.upper !== null && Number.isFinite(doc.lower) && Number.isFinite(doc.upper)) {
    lo = doc.lower;
    hi = doc.upper;
  } else if (POSITION_PARAMS.has(param) && dataset && dataset.coords.x && dataset.coords.x.length > 0) {
    let a = Infinity;
    let b = -Infinity;
    for (const v of dataset.coords.x) {
      if (v < a) a = v;
      if (v > b) b = v;
    }
    lo = a;
    hi = b;
  } else {
    const span = Math.max(Math.abs(doc.value), 1e-3) * 2;
    lo = doc.lower !== null && doc.lower > doc.value - span ? doc.lower : doc.value - span;
    hi = doc.upper !== null && doc.upper < doc.value + span ? doc.upper : doc.value + span;
    if (doc.lower === 0 || (doc.lower !== null && doc.value >= 0 && lo < 0)) lo = Math.max(lo, doc.lower ?? lo);
  }
  if (doc.value < lo) lo = doc.value;
  if (doc.value > hi) hi = doc.value;
  if (hi <= lo) hi = lo + 1;
  return [lo, hi];
}
