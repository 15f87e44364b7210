/**
 * Pure builder: dataset + model curves + fit ranges -> plotly figure (data panel over a residual
 * panel sharing x). Every trace is decimated to the plot's pixel width.
 */
import type { Data, Layout, Shape } from 'plotly.js';
import type { Dataset } from '../core/data/dataset';
import type { ModelCurves } from '../core/model/display';
import type { FitRange } from '../core/fit/settings';
import { decimateMinMax, envelope } from './decimate';

export interface SpectrumFigureInput {
  dataset: Dataset;
  curves: ModelCurves | null;
  hiddenComponents: string[];
  ranges: FitRange[];
  /** plot width in pixels (decimation target) */
  width: number;
  /**
   * draw data as markers with error bars up to this many points, above that as a line with a
   * +-sigma band: SVG markers cost ~0.05 ms each per redraw (1000 markers with error bars: 88 ms
   * per slider step in headless Chromium, as a line: 13 ms), and a slider must redraw within a frame
   */
  markerLimit?: number;
  /** model confidence band (lower / upper per dataset point), drawn under the model */
  band?: { lower: Float64Array; upper: Float64Array; z: number } | null;
}

export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

const COMPONENT_COLORS = ['#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#ff7f0e'];

/** Sorted order of x (identity when already sorted). */
function sortOrder(x: Float64Array): Int32Array | null {
  for (let i = 1; i < x.length; i++) {
    if (x[i] < x[i - 1]) {
      const idx = Int32Array.from(x, (_, k) => k);
      idx.sort((a, b) => x[a] - x[b]);
      return idx;
    }
  }
  return null;
}

function permute(a: Float64Array, order: Int32Array | null): Float64Array {
  if (!order) return a;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[order[i]];
  return out;
}

interface DataPart {
  dataset: Dataset;
  columns: number;
  markerLimit: number;
  order: Int32Array | null;
  x: Float64Array;
  y: Float64Array;
  sigma: Float64Array | null;
  traces: Data[];
}

/** The data traces depend only on the dataset and the width: built once, reused while sliders move. */
let dataCache: DataPart | null = null;

function dataPart(dataset: Dataset, columns: number, markerLimit: number): DataPart {
  if (dataCache && dataCache.dataset === dataset && dataCache.columns === columns && dataCache.markerLimit === markerLimit) return dataCache;
  const order = sortOrder(dataset.coords.x);
  const x = permute(dataset.coords.x, order);
  const y = permute(dataset.values, order);
  const sigma = dataset.sigma ? permute(dataset.sigma, order) : null;
  const data: Data[] = [];
  const n = x.length;

  if (n <= markerLimit) {
    data.push({
      type: 'scatter',
      mode: 'markers',
      name: 'data',
      x: Array.from(x),
      y: Array.from(y),
      marker: { size: 4, color: '#1f77b4' },
      error_y: sigma ? { type: 'data', array: Array.from(sigma), visible: true, thickness: 1, width: 0, color: '#9ecae1' } : undefined,
      xaxis: 'x',
      yaxis: 'y',
    });
  } else {
    if (sigma) {
      const lo = new Float64Array(n);
      const hi = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        lo[i] = y[i] - sigma[i];
        hi[i] = y[i] + sigma[i];
      }
      const e = envelope(x, lo, hi, columns);
      const band = { type: 'scatter' as const, mode: 'lines' as const, x: Array.from(e.x), line: { width: 0 }, hoverinfo: 'skip' as const, showlegend: false, xaxis: 'x', yaxis: 'y' };
      data.push({ ...band, name: 'data - sigma', y: Array.from(e.lo) });
      data.push({ ...band, name: 'data + sigma', y: Array.from(e.hi), fill: 'tonexty', fillcolor: 'rgba(31,119,180,0.18)' });
    }
    const d = decimateMinMax(x, y, columns);
    data.push({ type: 'scatter', mode: 'lines', name: 'data', x: Array.from(d.x), y: Array.from(d.y), line: { color: '#1f77b4', width: 1 }, xaxis: 'x', yaxis: 'y' });
  }
  dataCache = { dataset, columns, markerLimit, order, x, y, sigma, traces: data };
  return dataCache;
}

export function buildSpectrumFigure(input: SpectrumFigureInput): Figure {
  const { dataset, curves, width } = input;
  const markerLimit = input.markerLimit ?? 400;
  const columns = Math.max(100, Math.round(width));
  const part = dataPart(dataset, columns, markerLimit);
  const { order, x, y, sigma } = part;
  const n = x.length;
  const data: Data[] = [...part.traces];

  if (input.band && input.band.lower.length === n) {
    const bl = decimateMinMax(x, permute(input.band.lower, order), columns);
    const bu = decimateMinMax(x, permute(input.band.upper, order), columns);
    const name = `model ${input.band.z === 1 ? '1σ' : `${input.band.z}σ`} band`;
    data.push({ type: 'scatter', mode: 'lines', name: 'band lower', x: Array.from(bl.x), y: Array.from(bl.y), line: { width: 0, color: 'rgba(214,39,40,0)' }, showlegend: false, hoverinfo: 'skip', xaxis: 'x', yaxis: 'y' });
    data.push({ type: 'scatter', mode: 'lines', name, x: Array.from(bu.x), y: Array.from(bu.y), fill: 'tonexty', fillcolor: 'rgba(214,39,40,0.25)', line: { width: 0, color: 'rgba(214,39,40,0)' }, hoverinfo: 'skip', xaxis: 'x', yaxis: 'y' });
  }

  if (curves) {
    curves.components.forEach((c, i) => {
      if (input.hiddenComponents.includes(c.name)) return;
      const d = decimateMinMax(x, permute(c.values, order), columns);
      data.push({
        type: 'scatter',
        mode: 'lines',
        name: c.name,
        x: Array.from(d.x),
        y: Array.from(d.y),
        line: { color: COMPONENT_COLORS[i % COMPONENT_COLORS.length], width: 1, dash: 'dot' },
        xaxis: 'x',
        yaxis: 'y',
      });
    });
    const total = permute(curves.total, order);
    const dm = decimateMinMax(x, total, columns);
    data.push({ type: 'scatter', mode: 'lines', name: 'model', x: Array.from(dm.x), y: Array.from(dm.y), line: { color: '#d62728', width: 2 }, xaxis: 'x', yaxis: 'y' });

    const res = new Float64Array(n);
    for (let i = 0; i < n; i++) res[i] = sigma ? (y[i] - total[i]) / sigma[i] : y[i] - total[i];
    const dr = decimateMinMax(x, res, columns);
    data.push({
      type: 'scatter',
      mode: n <= markerLimit ? 'markers' : 'lines',
      name: sigma ? 'residual / sigma' : 'residual',
      x: Array.from(dr.x),
      y: Array.from(dr.y),
      marker: { size: 3, color: '#555' },
      line: { color: '#555', width: 1 },
      xaxis: 'x',
      yaxis: 'y2',
      showlegend: false,
    });
  }

  const shapes: Partial<Shape>[] = input.ranges.map((r) => ({
    type: 'rect',
    xref: 'x',
    yref: 'paper',
    x0: Math.min(r.min, r.max),
    x1: Math.max(r.min, r.max),
    y0: 0,
    y1: 1,
    fillcolor: r.mode === 'include' ? 'rgba(44,160,44,0.12)' : 'rgba(120,120,120,0.25)',
    line: { width: 0 },
    layer: 'below',
  }));

  const xLabel = dataset.labels?.x ?? 'x';
  const yLabel = dataset.labels?.y ?? 'y';
  const layout: Partial<Layout> = {
    margin: { l: 60, r: 20, t: 30, b: 45 },
    showlegend: true,
    legend: { orientation: 'h', y: 1.08, x: 0 },
    xaxis: { title: { text: xLabel }, anchor: 'y2', zeroline: false },
    yaxis: { title: { text: yLabel }, domain: [0.3, 1], zeroline: false },
    yaxis2: { title: { text: sigma ? 'res/σ' : 'residual' }, domain: [0, 0.22], zeroline: true },
    shapes,
    uirevision: dataset.name,
    hovermode: 'closest',
  };
  return { data, layout };
}
