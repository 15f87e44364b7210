/**
 * Pure builders for the sampler panel's plots (SVG traces only):
 * - traces: one stacked panel per parameter, one line per chain (ensembles: a few walkers of each),
 *   the best fit as a dashed line and the MAP sample as a star; partial chains draw as they stream;
 * - corner: 1D histograms on the diagonal, 2D posterior density contours enclosing 68.3 % and
 *   95.4 % of the draws below it (the coverage convention of the uncertainty panel: the 2D regions
 *   with the 1D 1σ / 2σ coverage), the best fit (cross), the MAP sample (star) and optionally the
 *   optimizer's covariance ellipses at the same coverages (Δχ² 2.30 / 6.18);
 * - posterior predictive: the data with the 94 % band of the model curve, the 94 % band of
 *   replicated data, the median model and the MAP sample's model.
 * The 2D density is a histogram on a 30 x 30 grid smoothed by a Gaussian of one bin; a level holds
 * the highest-density cells that together carry the wanted fraction of the draws.
 */
import type { Data, Layout, Shape } from 'plotly.js';
import type { ChainResult, EnsembleChainResult } from '../core/sample';
import { covarianceEllipse } from '../core/uncertainty/contour';
import type { PredictiveBand } from '../state/sampler-predictive';

export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

export const CHAIN_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

/** Δχ² of the 2D regions with the 1D 1σ and 2σ coverage (68.27 %, 95.45 %): -2 ln(1 - CL) */
export const CORNER_LEVELS = [
  { sigma: 1, mass: 0.6826894921370859, deltaChi2: 2.295748928898636 },
  { sigma: 2, mass: 0.9544997361036416, deltaChi2: 6.180074306244173 },
];

const MAX_TRACE_POINTS = 800;

function axisName(prefix: 'x' | 'y', i: number): string {
  return i === 1 ? prefix : `${prefix}${i}`;
}

function layoutAxis(prefix: 'x' | 'y', i: number): string {
  return i === 1 ? `${prefix}axis` : `${prefix}axis${i}`;
}

/** rows of one chain as series per walker (plain chains: one series) */
function chainSeries(r: ChainResult, k: number, maxWalkers: number): { walker: number; values: Float64Array }[] {
  const n = r.n;
  if (r.sampler === 'ensemble') {
    const e = r as EnsembleChainResult;
    const out: { walker: number; values: Float64Array }[] = [];
    for (let w = 0; w < Math.min(e.walkers, maxWalkers); w++) {
      const v = new Float64Array(e.steps);
      for (let s = 0; s < e.steps; s++) v[s] = r.draws[(w * e.steps + s) * n + k];
      out.push({ walker: w, values: v });
    }
    return out;
  }
  const v = new Float64Array(r.nDraws);
  for (let i = 0; i < r.nDraws; i++) v[i] = r.draws[i * n + k];
  return [{ walker: 0, values: v }];
}

function stride(values: Float64Array, max: number): { x: number[]; y: number[] } {
  const step = Math.max(1, Math.ceil(values.length / max));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < values.length; i += step) {
    x.push(i);
    y.push(values[i]);
  }
  return { x, y };
}

export interface TraceInput {
  keys: string[];
  /** per chain (index = chain number), null while it has no draws */
  chains: (ChainResult | null)[];
  best: number[];
  /** the MAP sample: chain number and row index in that chain's draws */
  map: { chain: number; index: number; theta: number[] } | null;
  width: number;
}

export function traceFigure(input: TraceInput): Figure {
  const { keys, chains, best } = input;
  const n = keys.length;
  const data: Data[] = [];
  const shapes: Partial<Shape>[] = [];
  const gap = 0.03;
  const h = (1 - gap * (n - 1)) / Math.max(1, n);
  const layout: Partial<Layout> = {
    width: input.width,
    height: 70 + 78 * n,
    margin: { l: 70, r: 12, t: 24, b: 40 },
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1, yanchor: 'bottom', font: { size: 10 } },
    font: { size: 10 },
    hovermode: 'closest',
    xaxis: { title: { text: 'draw' }, anchor: axisName('y', n) as 'y', zeroline: false },
  };
  const ensemble = chains.some((c) => c?.sampler === 'ensemble');
  const legendSeen = new Set<string>();
  for (let k = 0; k < n; k++) {
    const yi = k + 1;
    const top = 1 - k * (h + gap);
    (layout as Record<string, unknown>)[layoutAxis('y', yi)] = {
      domain: [Math.max(0, top - h), top],
      title: { text: keys[k].length > 14 ? keys[k].replace('.', '.<br>') : keys[k], font: { size: 9 } },
      zeroline: false,
      nticks: 4,
    };
    chains.forEach((r, c) => {
      if (!r) return;
      for (const s of chainSeries(r, k, 3)) {
        const pts = stride(s.values, MAX_TRACE_POINTS);
        const name = ensemble ? `ensemble ${c + 1}` : `chain ${c + 1}`;
        data.push({
          type: 'scatter',
          mode: 'lines',
          name,
          legendgroup: name,
          showlegend: !legendSeen.has(name),
          x: pts.x,
          y: pts.y,
          xaxis: 'x',
          yaxis: axisName('y', yi),
          line: { color: CHAIN_COLORS[c % CHAIN_COLORS.length], width: 1 },
          opacity: ensemble ? 0.6 : 0.85,
          hoverinfo: 'skip',
          meta: `trace ${keys[k]} ${c}`,
        } as Data);
        legendSeen.add(name);
      }
    });
    if (Number.isFinite(best[k])) {
      shapes.push({ type: 'line', xref: 'paper', x0: 0, x1: 1, yref: axisName('y', yi) as 'y', y0: best[k], y1: best[k], line: { color: '#101828', width: 1, dash: 'dash' } });
    }
    if (input.map && !ensemble) {
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: 'MAP sample',
        legendgroup: 'map',
        showlegend: k === 0,
        x: [input.map.index],
        y: [input.map.theta[k]],
        xaxis: 'x',
        yaxis: axisName('y', yi),
        marker: { symbol: 'star', size: 11, color: '#fde047', line: { color: '#101828', width: 1 } },
      } as Data);
    }
  }
  if (n > 0) {
    data.push({ type: 'scatter', mode: 'lines', name: 'best fit', x: [null], y: [null], line: { color: '#101828', width: 1, dash: 'dash' }, hoverinfo: 'skip' } as Data);
  }
  layout.shapes = shapes;
  return { data, layout };
}

/* ------------------------------------------------------------------------ corner */

function range(values: Float64Array): [number, number] {
  const s = Float64Array.from(values).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
  let lo = q(0.002);
  let hi = q(0.998);
  if (!(hi > lo)) {
    lo = s[0] - 0.5 * Math.max(1e-12, Math.abs(s[0]));
    hi = s[s.length - 1] + 0.5 * Math.max(1e-12, Math.abs(s[0]));
  }
  const pad = 0.08 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** histogram counts on `bins` equal bins of [lo, hi] */
function histogram(values: Float64Array, lo: number, hi: number, bins: number): Float64Array {
  const c = new Float64Array(bins);
  const w = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor((values[i] - lo) / w);
    if (b >= 0 && b < bins) c[b]++;
  }
  return c;
}

function smooth1(a: Float64Array, nx: number, ny: number): Float64Array {
  // separable Gaussian, sigma one bin (kernel 1-4-6-4-1 / 16 is close; use exact weights)
  const k = [Math.exp(-2), Math.exp(-0.5), 1, Math.exp(-0.5), Math.exp(-2)];
  const tmp = new Float64Array(a.length);
  const out = new Float64Array(a.length);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      let s = 0;
      for (let d = -2; d <= 2; d++) if (i + d >= 0 && i + d < nx) s += k[d + 2] * a[j * nx + i + d];
      tmp[j * nx + i] = s;
    }
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      let s = 0;
      for (let d = -2; d <= 2; d++) if (j + d >= 0 && j + d < ny) s += k[d + 2] * tmp[(j + d) * nx + i];
      out[j * nx + i] = s;
    }
  return out;
}

/** density thresholds holding `masses` of the total (highest cells first) */
export function massLevels(density: ArrayLike<number>, masses: number[]): number[] {
  const s = Float64Array.from(density).sort().reverse();
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i];
  return masses.map((m) => {
    let c = 0;
    for (let i = 0; i < s.length; i++) {
      c += s[i];
      if (c >= m * total) return s[i];
    }
    return s[s.length - 1];
  });
}

/** 2D density of draws on a grid (z[j][i] at x[i], y[j]) and its 68.3 % / 95.4 % levels */
export function density2d(xv: Float64Array, yv: Float64Array, xr: [number, number], yr: [number, number], bins = 30): { x: number[]; y: number[]; z: number[][]; levels: number[] } {
  const raw = new Float64Array(bins * bins);
  const wx = (xr[1] - xr[0]) / bins;
  const wy = (yr[1] - yr[0]) / bins;
  for (let i = 0; i < xv.length; i++) {
    const a = Math.floor((xv[i] - xr[0]) / wx);
    const b = Math.floor((yv[i] - yr[0]) / wy);
    if (a >= 0 && a < bins && b >= 0 && b < bins) raw[b * bins + a]++;
  }
  const d = smooth1(raw, bins, bins);
  const levels = massLevels(d, CORNER_LEVELS.map((l) => l.mass));
  const x = Array.from({ length: bins }, (_, i) => xr[0] + (i + 0.5) * wx);
  const y = Array.from({ length: bins }, (_, j) => yr[0] + (j + 0.5) * wy);
  const z = y.map((_, j) => Array.from(d.subarray(j * bins, (j + 1) * bins)));
  return { x, y, z, levels };
}

export interface CornerInput {
  /** all free parameters (posterior order) */
  keys: string[];
  /** the ones to draw */
  selected: string[];
  results: ChainResult[];
  best: number[];
  /** fit covariance on the posterior scale (n x n row-major, or n variances), or null */
  covariance: number[] | null;
  showEllipses: boolean;
  map: number[] | null;
  width: number;
}

export function cornerFigure(input: CornerInput): Figure {
  const { keys, results, best } = input;
  const n = keys.length;
  const idx = input.selected.map((k) => keys.indexOf(k)).filter((i) => i >= 0);
  const d = idx.length;
  const data: Data[] = [];
  const layout: Partial<Layout> = {
    width: input.width,
    height: Math.max(260, input.width - 10),
    margin: { l: 58, r: 10, t: 30, b: 52 },
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1.0, yanchor: 'bottom', font: { size: 10 } },
    font: { size: 9 },
    hovermode: 'closest',
  };
  if (d === 0) return { data, layout };
  const total = results.reduce((s, r) => s + r.nDraws, 0);
  const cols = idx.map((k) => {
    const v = new Float64Array(total);
    let o = 0;
    for (const r of results) for (let i = 0; i < r.nDraws; i++) v[o++] = r.draws[i * n + k];
    return v;
  });
  const ranges = cols.map(range);
  const gap = d > 1 ? 0.025 : 0;
  const cell = (1 - gap * (d - 1)) / d;
  const dom = (i: number): [number, number] => [i * (cell + gap), i * (cell + gap) + cell];
  const covFull = input.covariance && input.covariance.length === n * n;
  const cov = (i: number, j: number): number => {
    const c = input.covariance!;
    if (covFull) return c[i * n + j];
    return i === j ? c[i] : 0;
  };
  const seen = new Set<string>();
  const legend = (name: string) => {
    const first = !seen.has(name);
    seen.add(name);
    return first;
  };
  const thin = Math.max(1, Math.floor(total / 400));
  for (let r = 0; r < d; r++) {
    for (let c = 0; c <= r; c++) {
      const id = r * d + c + 1;
      const xa = axisName('x', id);
      const ya = axisName('y', id);
      const bottom = r === d - 1;
      const left = c === 0;
      (layout as Record<string, unknown>)[layoutAxis('x', id)] = {
        domain: dom(c),
        anchor: ya,
        range: ranges[c],
        showticklabels: bottom,
        title: bottom ? { text: keys[idx[c]], font: { size: 9 } } : undefined,
        nticks: 4,
        zeroline: false,
        tickangle: bottom ? -30 : undefined,
      };
      (layout as Record<string, unknown>)[layoutAxis('y', id)] = {
        domain: dom(d - 1 - r),
        anchor: xa,
        range: r === c ? undefined : ranges[r],
        showticklabels: left && r !== c,
        title: left && r !== c ? { text: keys[idx[r]], font: { size: 9 } } : undefined,
        nticks: 4,
        zeroline: false,
        fixedrange: r === c ? true : undefined,
      };
      const kx = idx[c];
      const ky = idx[r];
      if (r === c) {
        const bins = 30;
        const [lo, hi] = ranges[c];
        const h = histogram(cols[c], lo, hi, bins);
        const w = (hi - lo) / bins;
        const xs: number[] = [];
        const ys: number[] = [];
        for (let b = 0; b < bins; b++) {
          xs.push(lo + b * w, lo + (b + 1) * w);
          ys.push(h[b], h[b]);
        }
        data.push({ type: 'scatter', mode: 'lines', name: `${keys[kx]} histogram`, showlegend: false, x: xs, y: ys, fill: 'tozeroy', fillcolor: 'rgba(31,119,180,0.25)', line: { color: '#1f77b4', width: 1 }, xaxis: xa, yaxis: ya, hoverinfo: 'skip', meta: `hist ${keys[kx]}` } as Data);
        const hmax = Math.max(...h);
        if (Number.isFinite(best[kx])) {
          data.push({ type: 'scatter', mode: 'lines', name: 'best fit', legendgroup: 'best', showlegend: false, x: [best[kx], best[kx]], y: [0, hmax * 1.05], line: { color: '#101828', width: 1, dash: 'dash' }, xaxis: xa, yaxis: ya, hoverinfo: 'skip' } as Data);
        }
        if (input.map) {
          data.push({ type: 'scatter', mode: 'lines', name: 'MAP sample', legendgroup: 'map', showlegend: false, x: [input.map[kx], input.map[kx]], y: [0, hmax * 1.05], line: { color: '#ca8a04', width: 1.5 }, xaxis: xa, yaxis: ya, hoverinfo: 'skip' } as Data);
        }
        if (input.showEllipses && input.covariance && cov(kx, kx) > 0) {
          // the optimizer's Gaussian, scaled to the histogram's area
          const sd = Math.sqrt(cov(kx, kx));
          const area = total * w;
          const gx: number[] = [];
          const gy: number[] = [];
          for (let q = 0; q <= 80; q++) {
            const x = lo + ((hi - lo) * q) / 80;
            gx.push(x);
            gy.push((area / (sd * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((x - best[kx]) / sd) ** 2));
          }
          data.push({ type: 'scatter', mode: 'lines', name: 'fit covariance', legendgroup: 'cov', showlegend: false, x: gx, y: gy, line: { color: '#667085', width: 1, dash: 'dot' }, xaxis: xa, yaxis: ya, hoverinfo: 'skip' } as Data);
        }
        continue;
      }
      // a thinned cloud of draws under the contours
      const px: number[] = [];
      const py: number[] = [];
      for (let i = 0; i < total; i += thin) {
        px.push(cols[c][i]);
        py.push(cols[r][i]);
      }
      data.push({ type: 'scatter', mode: 'markers', name: 'draws', legendgroup: 'draws', showlegend: legend('draws'), x: px, y: py, marker: { size: 2, color: 'rgba(31,119,180,0.25)' }, xaxis: xa, yaxis: ya, hoverinfo: 'skip' } as Data);
      const g = density2d(cols[c], cols[r], ranges[c], ranges[r]);
      CORNER_LEVELS.forEach((lv, L) => {
        const t = g.levels[L];
        if (!(t > 0)) return;
        const name = `posterior ${lv.sigma}σ (${(100 * lv.mass).toFixed(1)} %)`;
        data.push({
          type: 'contour',
          name,
          legendgroup: `lv${L}`,
          showlegend: legend(name),
          x: g.x,
          y: g.y,
          z: g.z,
          autocontour: false,
          contours: { start: t, end: t, size: 1, coloring: 'none', showlabels: false },
          line: { color: '#1d4ed8', width: L === 0 ? 1.8 : 1.2, dash: L === 0 ? 'solid' : 'dash', smoothing: 0.8 },
          showscale: false,
          hoverinfo: 'skip',
          xaxis: xa,
          yaxis: ya,
          meta: `density ${keys[kx]} ${keys[ky]} ${lv.sigma}`,
        } as Data);
      });
      if (input.showEllipses && input.covariance) {
        const c2: [[number, number], [number, number]] = [
          [cov(kx, kx), cov(kx, ky)],
          [cov(ky, kx), cov(ky, ky)],
        ];
        CORNER_LEVELS.forEach((lv) => {
          try {
            const e = covarianceEllipse(c2, [best[kx], best[ky]], lv.deltaChi2, 80, 1);
            const name = 'fit covariance ellipses';
            data.push({ type: 'scatter', mode: 'lines', name, legendgroup: 'cov', showlegend: legend(name), x: e.x, y: e.y, line: { color: '#667085', width: 1, dash: 'dot' }, xaxis: xa, yaxis: ya, hoverinfo: 'skip', meta: `ellipse ${lv.sigma}` } as Data);
          } catch {
            /* not positive definite: no ellipse */
          }
        });
      }
      if (Number.isFinite(best[kx]) && Number.isFinite(best[ky])) {
        data.push({ type: 'scatter', mode: 'markers', name: 'best fit', legendgroup: 'best', showlegend: legend('best fit'), x: [best[kx]], y: [best[ky]], marker: { symbol: 'cross-thin', size: 10, color: '#101828', line: { color: '#101828', width: 2 } }, xaxis: xa, yaxis: ya } as Data);
      }
      if (input.map) {
        data.push({ type: 'scatter', mode: 'markers', name: 'MAP sample', legendgroup: 'map', showlegend: legend('MAP sample'), x: [input.map[kx]], y: [input.map[ky]], marker: { symbol: 'star', size: 10, color: '#fde047', line: { color: '#101828', width: 1 } }, xaxis: xa, yaxis: ya } as Data);
      }
    }
  }
  return { data, layout };
}

/* ------------------------------------------------------------- posterior predictive */

function sortOrder(x: Float64Array): number[] {
  const idx = Array.from(x, (_, i) => i);
  idx.sort((a, b) => x[a] - x[b]);
  return idx;
}

export function predictiveFigure(band: PredictiveBand, width: number): Figure {
  const ds = band.dataset;
  const xv = ds.coords.x ?? Float64Array.from(ds.values, (_, i) => i);
  const order = sortOrder(xv);
  // at most ~1500 points per trace (stride over the sorted order)
  const step = Math.max(1, Math.ceil(order.length / 1500));
  const pick = order.filter((_, i) => i % step === 0);
  const x = pick.map((i) => xv[i]);
  const col = (a: Float64Array) => pick.map((i) => a[i]);
  const pct = `${Math.round(100 * band.prob)} %`;
  const data: Data[] = [];
  const edge = { type: 'scatter' as const, mode: 'lines' as const, x, line: { width: 0 }, hoverinfo: 'skip' as const, showlegend: false };
  data.push({ ...edge, name: 'predictive low', y: col(band.predLow) });
  data.push({ ...edge, name: `posterior predictive ${pct}`, showlegend: true, y: col(band.predHigh), fill: 'tonexty', fillcolor: 'rgba(31,119,180,0.18)' });
  data.push({ ...edge, name: 'model low', y: col(band.modelLow) });
  data.push({ ...edge, name: `model ${pct} (posterior)`, showlegend: true, y: col(band.modelHigh), fill: 'tonexty', fillcolor: 'rgba(214,39,40,0.35)' });
  const many = pick.length > 400;
  data.push({
    type: 'scatter',
    mode: many ? 'lines' : 'markers',
    name: 'data',
    x,
    y: col(ds.values),
    marker: { size: 3, color: '#101828' },
    line: { color: '#101828', width: 1 },
  });
  data.push({ type: 'scatter', mode: 'lines', name: 'median model', x, y: col(band.modelMedian), line: { color: '#d62728', width: 1.5 } });
  if (band.mapModel) data.push({ type: 'scatter', mode: 'lines', name: 'MAP sample model', x, y: col(band.mapModel), line: { color: '#ca8a04', width: 1.5, dash: 'dash' } });
  const layout: Partial<Layout> = {
    width,
    height: 380,
    margin: { l: 56, r: 12, t: 28, b: 40 },
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: -0.24, yanchor: 'top', font: { size: 10 } },
    font: { size: 10 },
    hovermode: 'closest',
    xaxis: { title: { text: ds.labels?.x ?? 'x' }, zeroline: false },
    yaxis: { title: { text: ds.labels?.y ?? 'y' }, zeroline: false },
    title: { text: `${band.draws} posterior draws, ${band.noise === 'poisson' ? 'Poisson' : 'Gaussian'} noise`, font: { size: 10 }, x: 0.02 },
  };
  return { data, layout };
}
