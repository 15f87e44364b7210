/** The hierarchy's trace and corner figures draw the chosen columns only, without best-fit marks. */
import { describe, expect, it } from 'vitest';
import type { ChainResult } from '../core/sample';
import { hierarchyCornerFigure, hierarchyTraceFigure, MAX_CORNER_PARAMETERS, MAX_TRACE_PARAMETERS, selectColumns } from './hierarchy-figures';

const keys = ['mu', 'sigma', 'r[0]', 'r[1]', 'r[2]', 'r[3]', 'r[4]', 'r[5]', 'r[6]', 'r[7]', 'r[8]'];
const n = keys.length;

/** draws[i, k] = 1000 c + 10 i + k: every value says where it came from */
function chain(c: number, rows: number): ChainResult {
  const draws = new Float64Array(rows * n);
  for (let i = 0; i < rows; i++) for (let k = 0; k < n; k++) draws[i * n + k] = 1000 * c + 10 * i + k + 0.01 * Math.sin(i * (k + 1));
  return { sampler: 'nuts', n, keys, seed: c, nDraws: rows, draws, logDensity: new Float64Array(rows), acceptRate: 0.8, divergences: 0, tuneDone: 0, cancelled: false, evaluations: 0 };
}

type Trace = { name?: string; meta?: string; y?: number[]; x?: number[]; xaxis?: string };

describe('hierarchy figures', () => {
  it('selectColumns keeps the rows and the chosen columns', () => {
    const r = selectColumns(chain(1, 5), [0, 4], ['mu', 'r[2]']);
    expect(r.n).toBe(2);
    expect(r.keys).toEqual(['mu', 'r[2]']);
    expect(r.nDraws).toBe(5);
    expect(Math.round(r.draws[3 * 2 + 1])).toBe(1000 + 30 + 4);
    expect(Math.round(r.draws[3 * 2])).toBe(1000 + 30);
  });

  it('trace: one line per chain and chosen parameter, at most MAX_TRACE_PARAMETERS, no best fit', () => {
    const f = hierarchyTraceFigure({ keys, selected: ['sigma', 'r[3]'], chains: [chain(0, 40), null, chain(2, 40)], map: { chain: 2, index: 5, theta: Array.from(keys, (_, k) => k) }, width: 500 })!;
    const traces = (f.data as Trace[]).filter((d) => d.meta?.startsWith('trace'));
    expect(traces.map((t) => t.meta)).toEqual(['trace sigma 0', 'trace sigma 2', 'trace r[3] 0', 'trace r[3] 2']);
    expect(Math.round(traces[3].y![7])).toBe(2000 + 70 + 5);
    expect((f.data as Trace[]).some((d) => d.name === 'best fit')).toBe(false);
    const stars = (f.data as Trace[]).filter((d) => d.name === 'MAP sample');
    expect(stars.map((s) => s.y![0])).toEqual([1, 5]);
    const many = hierarchyTraceFigure({ keys, selected: keys, chains: [chain(0, 10)], map: null, width: 500 })!;
    expect((many.data as Trace[]).filter((d) => d.meta?.startsWith('trace')).length).toBe(MAX_TRACE_PARAMETERS);
    expect(hierarchyTraceFigure({ keys, selected: ['nope'], chains: [chain(0, 10)], map: null, width: 500 })).toBeNull();
  });

  it('corner: histograms of the chosen parameters, at most MAX_CORNER_PARAMETERS', () => {
    const f = hierarchyCornerFigure({ keys, selected: ['mu', 'r[8]'], results: [chain(0, 200), chain(1, 200)], map: null, width: 400 })!;
    const hist = (f.data as Trace[]).filter((d) => d.meta?.startsWith('hist'));
    expect(hist.map((h) => h.meta)).toEqual(['hist mu', 'hist r[8]']);
    // histogram area = all 400 draws
    const area = hist[0].y!.reduce((s, v, i) => s + (i % 2 === 0 ? v : 0), 0);
    expect(area).toBeGreaterThan(390);
    expect((f.data as Trace[]).some((d) => d.name === 'best fit')).toBe(false);
    const big = hierarchyCornerFigure({ keys, selected: keys, results: [chain(0, 50)], map: null, width: 400 })!;
    expect((big.data as Trace[]).filter((d) => d.meta?.startsWith('hist')).length).toBe(MAX_CORNER_PARAMETERS);
  });
});
