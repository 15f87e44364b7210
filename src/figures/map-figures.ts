/**
 * Pure builders for 2-D maps (spectrum-image navigator and parameter maps, images): a heatmap
 * with a colour bar in data units under a linear / log / asinh stretch, the selected pixel
 * outlined; and the histogram of a map. Row 0 is drawn at the top, pixels square.
 */
import type { Data, Layout, Shape } from 'plotly.js';
import { colourbarTicks, finiteRange, histogram, mapRows, stretchMap, type Stretch } from '../core/cube/display';

export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

export type ColourScale = 'Viridis' | 'Greys' | 'Hot' | 'failed' | 'status';

/** Discrete scales: the failed mask (0 fitted, 1 failed) and the status codes 0..3. */
const SCALES: Record<string, [number, string][]> = {
  failed: [
    [0, '#d9ead3'],
    [0.5, '#d9ead3'],
    [0.5, '#d62728'],
    [1, '#d62728'],
  ],
  status: [
    [0, '#eeeeee'],
    [0.25, '#eeeeee'],
    [0.25, '#2ca02c'],
    [0.5, '#2ca02c'],
    [0.5, '#98df8a'],
    [0.75, '#98df8a'],
    [0.75, '#d62728'],
    [1, '#d62728'],
  ],
};

export interface HeatmapInput {
  values: ArrayLike<number>;
  rows: number;
  cols: number;
  stretch?: Stretch;
  /** display interval (default: finite min..max) */
  limits?: [number, number] | null;
  colourScale?: ColourScale;
  colourbarTitle?: string;
  /** outlined pixel (r * cols + c) */
  selected?: number | null;
  /** extra outlined pixels (e.g. seeds) */
  marked?: number[];
  height?: number;
  /** formats colour-bar tick labels */
  format?: (v: number) => string;
}

function defaultFormat(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

function pixelBox(p: number, cols: number, colour: string, width: number, dash?: 'dot'): Partial<Shape> {
  const r = Math.floor(p / cols);
  const c = p - r * cols;
  return { type: 'rect', xref: 'x', yref: 'y', x0: c - 0.5, x1: c + 0.5, y0: r - 0.5, y1: r + 0.5, line: { color: colour, width, ...(dash ? { dash } : {}) }, fillcolor: 'rgba(0,0,0,0)' };
}

export function buildHeatmapFigure(input: HeatmapInput): Figure {
  const { rows, cols } = input;
  const stretch = input.stretch ?? 'linear';
  const format = input.format ?? defaultFormat;
  const discrete = input.colourScale === 'failed' || input.colourScale === 'status';
  const lim = discrete ? (input.colourScale === 'failed' ? ([0, 1] as [number, number]) : ([0, 3] as [number, number])) : (input.limits ?? finiteRange(input.values) ?? [0, 1]);
  const [lo, hi] = lim;
  const z = mapRows(discrete ? stretchMap(input.values, 'linear', lo, hi) : stretchMap(input.values, stretch, lo, hi), rows, cols);
  const ticks = discrete
    ? input.colourScale === 'failed'
      ? { tickvals: [0.25, 0.75], ticktext: ['fitted', 'failed'] }
      : { tickvals: [0.125, 0.375, 0.625, 0.875], ticktext: ['not fitted', 'accepted', 'retried', 'failed'] }
    : (() => {
        const t = colourbarTicks(stretch, lo, hi);
        return { tickvals: t.tickvals, ticktext: t.values.map(format) };
      })();
  const scale = discrete ? SCALES[input.colourScale!] : (input.colourScale ?? 'Viridis');
  const shapes: Partial<Shape>[] = [];
  for (const p of input.marked ?? []) if (p >= 0 && p < rows * cols) shapes.push(pixelBox(p, cols, '#ffffff', 1.5, 'dot'));
  if (input.selected !== null && input.selected !== undefined && input.selected >= 0 && input.selected < rows * cols) shapes.push(pixelBox(input.selected, cols, '#ff2a2a', 2.5));
  const heat = {
    type: 'heatmap',
    z,
    zmin: 0,
    zmax: 1,
    customdata: mapRows(input.values, rows, cols),
    colorscale: scale,
    hovertemplate: 'row %{y}, col %{x}: %{customdata}<extra></extra>',
    // pixels without a value stay clickable (the navigator selects them)
    hoverongaps: true,
    xgap: 0,
    ygap: 0,
    colorbar: { title: { text: input.colourbarTitle ?? '', side: 'right' }, thickness: 14, len: 0.9, tickvals: ticks.tickvals, ticktext: ticks.ticktext, tickmode: 'array' },
  } as unknown as Data;
  return {
    data: [heat],
    layout: {
      height: input.height ?? 360,
      margin: { l: 44, r: 8, t: 8, b: 36 },
      xaxis: { title: { text: 'column' }, range: [-0.5, cols - 0.5], constrain: 'domain', showgrid: false, zeroline: false },
      yaxis: { title: { text: 'row' }, range: [rows - 0.5, -0.5], scaleanchor: 'x', constrain: 'domain', showgrid: false, zeroline: false },
      shapes,
      dragmode: false,
      plot_bgcolor: '#bdbdbd',
    } as Partial<Layout>,
  };
}

export interface HistogramInput {
  values: ArrayLike<number>;
  bins?: number;
  title?: string;
  height?: number;
}

export function buildHistogramFigure(input: HistogramInput): Figure {
  const h = histogram(input.values, input.bins ?? 30);
  const nb = h.counts.length;
  const width = h.edges[1] - h.edges[0];
  const x = Array.from({ length: nb }, (_, b) => h.edges[b] + width / 2);
  return {
    data: [
      {
        type: 'bar',
        x,
        y: Array.from(h.counts),
        width: Array.from({ length: nb }, () => width),
        marker: { color: '#1f77b4' },
        hovertemplate: '%{x}: %{y} pixels<extra></extra>',
        name: 'pixels',
      } as Data,
    ],
    layout: {
      height: input.height ?? 220,
      margin: { l: 44, r: 8, t: 8, b: 36 },
      xaxis: { title: { text: input.title ?? '' } },
      yaxis: { title: { text: 'pixels' } },
      bargap: 0,
      showlegend: false,
    },
  };
}
