/**
 * Trace and corner plots of a hierarchical model's posterior: the sampler figures
 * (sampler-figures.ts) drawn for the chosen parameters only (a model has hundreds), without the
 * best-fit marks (there is no fit). At most MAX_TRACE_PARAMETERS traces and MAX_CORNER_PARAMETERS
 * corner axes are drawn; the panel says when the choice is longer.
 */
import type { ChainResult } from '../core/sample';
import { cornerFigure, traceFigure, type Figure } from './sampler-figures';

export const MAX_TRACE_PARAMETERS = 8;
export const MAX_CORNER_PARAMETERS = 6;

/** A chain result with only the columns `idx` (rows kept; works for ensembles too). */
export function selectColumns(r: ChainResult, idx: number[], keys: string[]): ChainResult {
  const n = r.n;
  const m = idx.length;
  const rows = Math.min(r.nDraws, Math.floor(r.draws.length / Math.max(1, n)));
  const draws = new Float64Array(rows * m);
  for (let i = 0; i < rows; i++) for (let j = 0; j < m; j++) draws[i * m + j] = r.draws[i * n + idx[j]];
  return { ...r, n: m, keys, draws };
}

function indices(allKeys: string[], selected: string[], max: number): { idx: number[]; keys: string[] } {
  const index = new Map(allKeys.map((k, i) => [k, i]));
  const idx: number[] = [];
  const keys: string[] = [];
  for (const k of selected) {
    const i = index.get(k);
    if (i === undefined || idx.length >= max) continue;
    idx.push(i);
    keys.push(k);
  }
  return { idx, keys };
}

function withoutBestFit(f: Figure): Figure {
  return { data: f.data.filter((d) => (d as { name?: string }).name !== 'best fit'), layout: { ...f.layout, shapes: [] } };
}

export interface HierarchyTraceInput {
  /** all natural keys, in draw order */
  keys: string[];
  selected: string[];
  chains: (ChainResult | null)[];
  map: { chain: number; index: number; theta: number[] } | null;
  width: number;
}

export function hierarchyTraceFigure(input: HierarchyTraceInput): Figure | null {
  const { idx, keys } = indices(input.keys, input.selected, MAX_TRACE_PARAMETERS);
  if (idx.length === 0) return null;
  const chains = input.chains.map((c) => (c && c.nDraws > 0 ? selectColumns(c, idx, keys) : null));
  if (chains.every((c) => c === null)) return null;
  const map = input.map ? { ...input.map, theta: idx.map((i) => input.map!.theta[i]) } : null;
  return withoutBestFit(traceFigure({ keys, chains, best: keys.map(() => NaN), map, width: input.width }));
}

export interface HierarchyCornerInput {
  keys: string[];
  selected: string[];
  results: ChainResult[];
  map: number[] | null;
  width: number;
}

export function hierarchyCornerFigure(input: HierarchyCornerInput): Figure | null {
  const { idx, keys } = indices(input.keys, input.selected, MAX_CORNER_PARAMETERS);
  const results = input.results.filter((r) => r.nDraws > 0);
  if (idx.length === 0 || results.length === 0) return null;
  return withoutBestFit(
    cornerFigure({
      keys,
      selected: keys,
      results: results.map((r) => selectColumns(r, idx, keys)),
      best: keys.map(() => NaN),
      covariance: null,
      showEllipses: false,
      map: input.map ? idx.map((i) => input.map![i]) : null,
      width: input.width,
    }),
  );
}
