/** Shared by the JSON and .npy readers: aligned columns to a spectrum, dropping missing points. */
import { makeSpectrum, type Dataset } from '../dataset';
import { LoadError } from './load-error';

/** Drops points where any column is NaN; returns kept columns and the dropped indices. */
export function dropMissing(columns: Float64Array[]): { kept: Float64Array[]; dropped: number[] } {
  const n = columns[0].length;
  const keep = new Uint8Array(n);
  const dropped: number[] = [];
  let count = 0;
  for (let i = 0; i < n; i++) {
    let ok = 1;
    for (const c of columns) if (Number.isNaN(c[i])) ok = 0;
    keep[i] = ok;
    if (ok) count++;
    else dropped.push(i);
  }
  if (count === n) return { kept: columns, dropped };
  const kept = columns.map((c) => {
    const out = new Float64Array(count);
    for (let i = 0, j = 0; i < n; i++) if (keep[i]) out[j++] = c[i];
    return out;
  });
  return { kept, dropped };
}

export function droppedNote(dropped: number[]): string {
  const shown = dropped.slice(0, 5).map((i) => `[${i}]`).join(', ');
  return `${dropped.length} point${dropped.length === 1 ? '' : 's'} with null/NaN/Inf dropped (${shown}${dropped.length > 5 ? ', …' : ''})`;
}

export function indexArray(n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = i;
  return x;
}

/** Checks sigma > 0 and finite; `where(i)` names the element for the message. */
export function checkSigma(file: string, sigma: Float64Array, where: (i: number) => string, label = 'sigma'): void {
  for (let i = 0; i < sigma.length; i++) {
    const s = sigma[i];
    if (Number.isNaN(s)) continue; // dropped with its point
    if (!(s > 0) || s === Infinity) throw new LoadError(file, `${where(i)} is ${s}; ${label} must be finite and > 0`);
  }
}

/** Builds the spectrum from aligned columns, dropping points with missing values. */
export function columnsToSpectrum(
  name: string,
  x: Float64Array,
  y: Float64Array,
  sigma: Float64Array | null,
  notes: string[],
  file: string = name,
): Dataset {
  const cols = sigma ? [x, y, sigma] : [x, y];
  const { kept, dropped } = dropMissing(cols);
  if (kept[0].length === 0) throw new LoadError(file, dropped.length > 0 ? `no usable points: all ${dropped.length} have null/NaN/Inf values` : 'no data points (empty array)');
  const d = makeSpectrum(name, kept[0], kept[1], sigma ? kept[2] : undefined);
  d.notes = dropped.length > 0 ? [...notes, droppedNote(dropped)] : notes;
  return d;
}

