import { describe, expect, it } from 'vitest';
import { buildHeatmapFigure, buildHistogramFigure } from './map-figures';

describe('heatmap figure', () => {
  it('stretches into [0, 1], keeps data values for hover, outlines the selected pixel', () => {
    const f = buildHeatmapFigure({ values: [0, 5, 10, NaN, 2.5, 7.5], rows: 2, cols: 3, selected: 4, marked: [0] });
    const t = f.data[0] as unknown as { z: (number | null)[][]; customdata: (number | null)[][]; colorbar: { tickvals: number[]; ticktext: string[] } };
    expect(t.z).toEqual([
      [0, 0.5, 1],
      [null, 0.25, 0.75],
    ]);
    expect(t.customdata[1]).toEqual([null, 2.5, 7.5]);
    expect(t.colorbar.ticktext).toEqual(['0', '2', '4', '6', '8', '10']);
    expect(t.colorbar.tickvals[5]).toBe(1);
    const shapes = f.layout.shapes!;
    // the seed first, the selection on top: pixel 4 = row 1, column 1
    expect(shapes[1]).toMatchObject({ x0: 0.5, x1: 1.5, y0: 0.5, y1: 1.5 });
    expect(shapes[0]).toMatchObject({ x0: -0.5, x1: 0.5, y0: -0.5, y1: 0.5 });
    // row 0 at the top
    expect(f.layout.yaxis!.range).toEqual([1.5, -0.5]);
  });
  it('log stretch with explicit limits; the failed mask on its own scale', () => {
    const f = buildHeatmapFigure({ values: [1, 1001], rows: 1, cols: 2, stretch: 'log', limits: [1, 1001] });
    const z = (f.data[0] as unknown as { z: number[][] }).z;
    expect(z[0][0]).toBe(0);
    expect(z[0][1]).toBeCloseTo(1, 14);
    const m = buildHeatmapFigure({ values: [0, 1, NaN], rows: 1, cols: 3, colourScale: 'failed' });
    const mt = m.data[0] as unknown as { z: (number | null)[][]; colorbar: { ticktext: string[] } };
    expect(mt.z).toEqual([[0, 1, null]]);
    expect(mt.colorbar.ticktext).toEqual(['fitted', 'failed']);
  });
});

describe('histogram figure', () => {
  it('bars at bin centres with the counts', () => {
    const f = buildHistogramFigure({ values: [0, 1, 1, 2, 3, 4, NaN], bins: 4 });
    const t = f.data[0] as unknown as { x: number[]; y: number[]; width: number[] };
    expect(t.x).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(t.y).toEqual([1, 2, 1, 2]);
    expect(t.width).toEqual([1, 1, 1, 1]);
  });
});
