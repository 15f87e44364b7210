/**
 * Pure builders for the uncertainty panel's plots: profile (Delta statistic vs value with the
 * n-sigma levels and the covariance parabola), contours (closed curves, best fit, covariance
 * ellipses, the convention in the legend), the surface (sqrt(TS) heatmap with contour lines)
 * and the correlation matrix. Partial results (streaming in from the workers) draw as they are.
 */
import type { Data, Layout, Shape, Annotations } from 'plotly.js';
import type { FitResult } from '../core/fit/result';
import type { ContourData, MinosEntry, ProfileData, SurfaceData } from '../state/uncertainty';

export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

const LEVEL_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];

function baseLayout(width: number, height: number): Partial<Layout> {
  return {
    width,
    height,
    margin: { l: 62, r: 16, t: 28, b: 48 },
    hovermode: 'closest',
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: -0.2, yanchor: 'top', font: { size: 11 } },
    font: { size: 11 },
  };
}

/** short axis label: the key (component.parameter) */
function axisTitle(key: string): Partial<Layout['xaxis']> {
  return { title: { text: key }, zeroline: false };
}

export function profileFigure(p: ProfileData, minos: MinosEntry | null, size: { width: number; height: number }): Figure {
  const order = p.values.map((_, i) => i).filter((i) => p.delta[i] !== null);
  order.sort((a, b) => p.values[a] - p.values[b]);
  const data: Data[] = [];
  const lo = Math.min(...p.values);
  const hi = Math.max(...p.values);
  data.push({
    type: 'scatter',
    mode: 'lines+markers',
    name: p.reoptimized ? 'profile (others re-optimised)' : 'cut (others at the best fit)',
    x: order.map((i) => p.values[i]),
    y: order.map((i) => p.delta[i] as number),
    line: { color: '#d62728', width: 2 },
    marker: { size: 5, color: '#d62728' },
  });
  if (p.error !== null) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let q = 0; q <= 120; q++) {
      const v = lo + ((hi - lo) * q) / 120;
      xs.push(v);
      ys.push(p.errordef * ((v - p.best) / p.error) ** 2);
    }
    data.push({ type: 'scatter', mode: 'lines', name: 'covariance parabola', x: xs, y: ys, line: { color: '#344054', width: 1.5, dash: 'dash' }, hoverinfo: 'skip' });
  }
  const shapes: Partial<Shape>[] = [];
  const annotations: Partial<Annotations>[] = [];
  [1, 2].forEach((n) => {
    const y = p.errordef * n * n;
    shapes.push({ type: 'line', xref: 'paper', x0: 0, x1: 1, yref: 'y', y0: y, y1: y, line: { color: '#475467', width: 1, dash: 'dot' } });
    annotations.push({ xref: 'paper', x: 1, xanchor: 'right', yref: 'y', y, yanchor: 'bottom', text: `${n}σ`, showarrow: false, font: { size: 11, color: '#475467' } });
  });
  shapes.push({ type: 'line', xref: 'x', x0: p.best, x1: p.best, yref: 'paper', y0: 0, y1: 1, line: { color: '#98a2b3', width: 1 } });
  if (minos && minos.lower !== null && minos.upper !== null) {
    data.push({
      type: 'scatter',
      mode: 'markers',
      name: 'MINOS 1σ',
      x: [p.best + minos.lower, p.best + minos.upper],
      y: [p.errordef, p.errordef],
      marker: { symbol: 'diamond', size: 9, color: '#1f77b4' },
    });
  }
  let yMax = 4.8 * p.errordef;
  for (const i of order) yMax = Math.max(yMax, Math.min(p.delta[i] as number, 12 * p.errordef));
  const layout: Partial<Layout> = {
    ...baseLayout(size.width, size.height),
    xaxis: axisTitle(p.key),
    yaxis: { title: { text: 'Δ statistic' }, range: [Math.min(0, ...order.map((i) => p.delta[i] as number)) - 0.05 * yMax, yMax * 1.05] },
    shapes,
    annotations,
  };
  return { data, layout };
}

function conventionText(c: ContourData['convention']): string {
  return c === 'gammapy' ? 'gammapy: nσ ↔ Δχ² = n²' : 'coverage: nσ = 2D region with the 1D nσ coverage';
}

/** closes a curve by repeating its first point (plotting only) */
function closed(x: number[], y: number[]): { x: number[]; y: number[] } {
  return x.length > 2 ? { x: [...x, x[0]], y: [...y, y[0]] } : { x, y };
}

export function contourFigure(c: ContourData, size: { width: number; height: number }): Figure {
  const data: Data[] = [];
  c.levels.forEach((lv, L) => {
    const color = LEVEL_COLORS[L % LEVEL_COLORS.length];
    const pts = lv.points.filter((p): p is NonNullable<typeof p> => p !== null);
    const complete = pts.length === lv.points.length;
    const curve = complete ? closed(pts.map((p) => p.x), pts.map((p) => p.y)) : { x: pts.map((p) => p.x), y: pts.map((p) => p.y) };
    data.push({
      type: 'scatter',
      mode: complete ? 'lines' : 'markers',
      name: lv.label,
      legendgroup: `level${L}`,
      x: curve.x,
      y: curve.y,
      line: { color, width: 2 },
      marker: { color, size: 5 },
      meta: complete ? 'contour closed' : 'contour partial',
    } as Data);
    const bad = pts.filter((p) => !p.valid);
    if (bad.length > 0) {
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: 'not converged',
        x: bad.map((p) => p.x),
        y: bad.map((p) => p.y),
        marker: { color: '#b42318', symbol: 'x', size: 8 },
        showlegend: L === 0,
      });
    }
  });
  c.ellipses?.forEach((e, L) => {
    data.push({
      type: 'scatter',
      mode: 'lines',
      name: 'covariance ellipses',
      legendgroup: 'ellipses',
      showlegend: L === 0,
      x: e.x,
      y: e.y,
      text: e.label,
      line: { color: '#344054', width: 1.2, dash: 'dash' },
      hoverinfo: 'text',
    });
  });
  data.push({ type: 'scatter', mode: 'markers', name: 'best fit', x: [c.best[0]], y: [c.best[1]], marker: { symbol: 'cross', size: 10, color: '#101828' } });
  const layout: Partial<Layout> = {
    ...baseLayout(size.width, size.height),
    xaxis: axisTitle(c.keys[0]),
    yaxis: axisTitle(c.keys[1]),
    legend: { ...baseLayout(0, 0).legend, title: { text: `Convention: ${conventionText(c.convention)}`, side: 'top' } },
  };
  return { data, layout };
}

export function surfaceFigure(s: SurfaceData, size: { width: number; height: number }): Figure {
  const sqrtTS = s.delta.map((row) => row.map((d) => (d === null ? null : Math.sqrt(Math.max(d / s.errordef, 0)))));
  const data: Data[] = [
    {
      type: 'heatmap',
      name: '√TS',
      x: s.x,
      y: s.y,
      z: sqrtTS,
      colorscale: 'Viridis',
      reversescale: true,
      zmin: 0,
      colorbar: { title: { text: '√TS' }, thickness: 12, len: 0.8 },
      hovertemplate: `${s.keys[0]} %{x}<br>${s.keys[1]} %{y}<br>√TS %{z:.3f}<extra></extra>`,
      showlegend: false,
    } as Data,
  ];
  s.levels.forEach((lv, L) => {
    const v = Math.sqrt(lv.deltaChi2);
    data.push({
      type: 'contour',
      name: lv.label,
      x: s.x,
      y: s.y,
      z: sqrtTS,
      showscale: false,
      hoverinfo: 'skip',
      contours: { coloring: 'none', start: v, end: v, size: 1, showlabels: false },
      line: { color: '#101828', width: 2, dash: L === 0 ? 'solid' : 'dash' },
      showlegend: true,
    } as Data);
  });
  data.push({ type: 'scatter', mode: 'markers', name: 'best fit', x: [s.best[0]], y: [s.best[1]], marker: { symbol: 'cross', size: 10, color: '#d62728' } });
  const layout: Partial<Layout> = {
    ...baseLayout(size.width, size.height),
    xaxis: { ...axisTitle(s.keys[0]), range: [s.x[0], s.x[s.x.length - 1]] },
    yaxis: { ...axisTitle(s.keys[1]), range: [s.y[0], s.y[s.y.length - 1]] },
    legend: { ...baseLayout(0, 0).legend, title: { text: `${s.reoptimized ? 'Others re-optimised' : 'Others at the best fit'}; ${conventionText(s.convention)}`, side: 'top' } },
  };
  return { data, layout };
}

export function correlationFigure(r: FitResult, size: { width: number; height: number }): Figure | null {
  if (!r.correlation) return null;
  const keys = r.parameterOrder;
  const z = r.correlation.map((row) => row.map((v) => (Number.isFinite(v) ? v : null)));
  const data: Data[] = [
    {
      type: 'heatmap',
      x: keys,
      y: keys,
      z,
      zmin: -1,
      zmax: 1,
      colorscale: 'RdBu',
      reversescale: true,
      texttemplate: '%{z:.2f}',
      textfont: { size: 10 },
      colorbar: { title: { text: 'ρ' }, thickness: 12 },
      hovertemplate: '%{y} / %{x}: %{z:.4f}<extra></extra>',
    } as Data,
  ];
  const layout: Partial<Layout> = {
    ...baseLayout(size.width, size.height),
    margin: { l: 110, r: 16, t: 16, b: 100 },
    showlegend: false,
    xaxis: { tickangle: -45, automargin: true },
    yaxis: { autorange: 'reversed', automargin: true },
  };
  return { data, layout };
}
