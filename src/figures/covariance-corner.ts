/**
 * Corner plot of the fit covariance alone (no draws), as AstroPhot's tutorial draws after LM: the
 * Gaussian marginals on the diagonal and, below it, the 2D covariance ellipses at the 2D coverages
 * of 1σ and 2σ (Δχ² 2.30 / 6.18), with the best fit and the start of the fit marked.
 */
import type { Data, Layout } from 'plotly.js';
import type { FitResult } from '../core/fit/result';
import { covarianceEllipse } from '../core/uncertainty/contour';
import { CORNER_LEVELS, type Figure } from './sampler-figures';

function axis(prefix: 'x' | 'y', id: number, layout: boolean): string {
  return layout ? (id === 1 ? `${prefix}axis` : `${prefix}axis${id}`) : id === 1 ? prefix : `${prefix}${id}`;
}

/** keys: the parameters to show (in this order); null when the fit has no covariance. */
export function covarianceCornerFigure(r: FitResult, keys: string[], size: { width: number; height: number }): Figure | null {
  if (!r.covariance) return null;
  const order = r.parameterOrder;
  const idx = keys.map((k) => order.indexOf(k)).filter((i) => i >= 0);
  const d = idx.length;
  const data: Data[] = [];
  const layout: Partial<Layout> = {
    width: size.width,
    height: size.height,
    margin: { l: 58, r: 10, t: 30, b: 52 },
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1.0, yanchor: 'bottom', font: { size: 10 } },
    font: { size: 9 },
    hovermode: 'closest',
  };
  if (d === 0) return { data, layout };
  const C = r.covariance;
  const best = idx.map((i) => r.values[order[i]]);
  const sd = idx.map((i) => Math.sqrt(C[i][i]));
  const start = r.start ? idx.map((i) => r.start![order[i]]) : null;
  // ±3.5 sd around the best fit, widened to show the start point when it is not far off
  const ranges = idx.map((_, a): [number, number] => {
    let lo = best[a] - 3.5 * sd[a];
    let hi = best[a] + 3.5 * sd[a];
    const s = start?.[a];
    if (s !== undefined && Number.isFinite(s) && Math.abs(s - best[a]) < 12 * sd[a]) {
      lo = Math.min(lo, s - 0.5 * sd[a]);
      hi = Math.max(hi, s + 0.5 * sd[a]);
    }
    return Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? [lo, hi] : [best[a] - 1, best[a] + 1];
  });
  const gap = d > 1 ? 0.025 : 0;
  const cell = (1 - gap * (d - 1)) / d;
  const dom = (i: number): [number, number] => [i * (cell + gap), i * (cell + gap) + cell];
  const seen = new Set<string>();
  const first = (name: string) => !seen.has(name) && seen.add(name) !== undefined;
  for (let row = 0; row < d; row++) {
    for (let col = 0; col <= row; col++) {
      const id = row * d + col + 1;
      const xa = axis('x', id, false);
      const ya = axis('y', id, false);
      const bottom = row === d - 1;
      const left = col === 0;
      (layout as Record<string, unknown>)[axis('x', id, true)] = {
        domain: dom(col), anchor: ya, range: ranges[col], showticklabels: bottom, nticks: 4, zeroline: false,
        title: bottom ? { text: order[idx[col]], font: { size: 9 } } : undefined, tickangle: bottom ? -30 : undefined,
      };
      (layout as Record<string, unknown>)[axis('y', id, true)] = {
        domain: dom(d - 1 - row), anchor: xa, range: row === col ? undefined : ranges[row], showticklabels: left && row !== col, nticks: 4, zeroline: false,
        title: left && row !== col ? { text: order[idx[row]], font: { size: 9 } } : undefined, fixedrange: row === col ? true : undefined,
      };
      if (row === col) {
        const xs: number[] = [];
        const ys: number[] = [];
        const [lo, hi] = ranges[col];
        for (let k = 0; k <= 120; k++) {
          const x = lo + ((hi - lo) * k) / 120;
          const u = (x - best[col]) / sd[col];
          xs.push(x);
          ys.push(Math.exp(-0.5 * u * u) / (sd[col] * Math.sqrt(2 * Math.PI)));
        }
        data.push({ type: 'scatter', mode: 'lines', name: 'Gaussian marginal', showlegend: first('Gaussian marginal'), x: xs, y: ys, line: { color: '#15803d', width: 1.4 }, xaxis: xa, yaxis: ya, hoverinfo: 'skip' } as Data);
        if (start && Number.isFinite(start[col])) {
          data.push({ type: 'scatter', mode: 'lines', name: 'start', legendgroup: 'start', showlegend: false, x: [start[col], start[col]], y: [0, 1 / (sd[col] * Math.sqrt(2 * Math.PI))], line: { color: '#dc2626', width: 1, dash: 'dot' }, xaxis: xa, yaxis: ya, hoverinfo: 'skip' } as Data);
        }
        continue;
      }
      const i = idx[col];
      const j = idx[row];
      const c2: [[number, number], [number, number]] = [
        [C[i][i], C[i][j]],
        [C[j][i], C[j][j]],
      ];
      for (const lv of CORNER_LEVELS) {
        try {
          const e = covarianceEllipse(c2, [best[col], best[row]], lv.deltaChi2, 80, 1);
          const name = `${lv.sigma}σ (Δχ² ${lv.deltaChi2.toFixed(2)})`;
          data.push({ type: 'scatter', mode: 'lines', name, legendgroup: name, showlegend: first(name), x: e.x, y: e.y, line: { color: '#15803d', width: lv.sigma === 1 ? 1.6 : 1, dash: lv.sigma === 1 ? 'solid' : 'dash' }, xaxis: xa, yaxis: ya, hoverinfo: 'skip', meta: `ellipse ${lv.sigma}` } as Data);
        } catch {
          /* not positive definite: no ellipse */
        }
      }
      data.push({ type: 'scatter', mode: 'markers', name: 'best fit', legendgroup: 'best', showlegend: first('best fit'), x: [best[col]], y: [best[row]], marker: { symbol: 'cross-thin', size: 10, color: '#101828', line: { color: '#101828', width: 2 } }, xaxis: xa, yaxis: ya } as Data);
      if (start && Number.isFinite(start[col]) && Number.isFinite(start[row])) {
        data.push({ type: 'scatter', mode: 'markers', name: 'start', legendgroup: 'start', showlegend: first('start'), x: [start[col]], y: [start[row]], marker: { symbol: 'circle-open', size: 8, color: '#dc2626' }, xaxis: xa, yaxis: ya } as Data);
      }
    }
  }
  return { data, layout };
}
