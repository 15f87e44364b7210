/**
 * A 2-D map drawn by plotly (SVG heatmap) with a colour bar in data units, a linear / log / asinh
 * stretch and the selected pixel outlined (figure from src/figures/map-figures.ts). Clicking a
 * pixel calls onSelect(row, col); with the focus on the map the arrow keys call onStep(dr, dc).
 * Reusable for any row-major map (spectrum-image navigator, parameter maps, images).
 */
import { useEffect, useMemo, useRef } from 'react';
import Plotly from 'plotly.js-cartesian-dist-min';
import { buildHeatmapFigure, type HeatmapInput } from '../../figures/map-figures';
import { fmt } from '../format';

export interface HeatmapProps extends HeatmapInput {
  ariaLabel: string;
  testId?: string;
  onSelect?: (row: number, col: number) => void;
  onStep?: (dr: number, dc: number) => void;
}

const STEPS: Record<string, [number, number]> = {
  ArrowUp: [-1, 0],
  ArrowDown: [1, 0],
  ArrowLeft: [0, -1],
  ArrowRight: [0, 1],
};

let revision = 0;

export function Heatmap(props: HeatmapProps) {
  const { ariaLabel, testId, onSelect, onStep, values, rows, cols, stretch, limits, colourScale, colourbarTitle, selected, marked, height } = props;
  const div = useRef<HTMLDivElement>(null);
  const figure = useMemo(
    () => buildHeatmapFigure({ values, rows, cols, stretch, limits, colourScale, colourbarTitle, selected, marked, height, format: (v) => fmt(v, 3) }),
    [values, rows, cols, stretch, limits, colourScale, colourbarTitle, selected, marked, height],
  );
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    const el = div.current;
    if (!el) return;
    let cancelled = false;
    void Plotly.react(el, figure.data, figure.layout, { displaylogo: false, responsive: true, displayModeBar: false }).then(() => {
      if (cancelled) return;
      revision++;
      el.dataset.plotRevision = String(revision);
    });
    return () => {
      cancelled = true;
    };
  }, [figure]);

  useEffect(() => {
    const el = div.current as (HTMLDivElement & { on?: (ev: string, f: (e: unknown) => void) => void; removeAllListeners?: (ev: string) => void }) | null;
    if (!el?.on) return;
    el.removeAllListeners?.('plotly_click');
    el.on('plotly_click', (e: unknown) => {
      const pt = (e as { points?: { x?: unknown; y?: unknown }[] } | undefined)?.points?.[0];
      if (!pt || typeof pt.x !== 'number' || typeof pt.y !== 'number') return;
      const r = Math.round(pt.y);
      const c = Math.round(pt.x);
      if (r >= 0 && r < rows && c >= 0 && c < cols) select.current?.(r, c);
    });
  });

  useEffect(() => {
    const el = div.current;
    return () => {
      if (el) Plotly.purge(el);
    };
  }, []);

  return (
    <div
      ref={div}
      className="heatmap"
      data-testid={testId}
      role="application"
      aria-label={ariaLabel}
      tabIndex={0}
      onKeyDown={(e) => {
        const step = STEPS[e.key];
        if (!step || !onStep) return;
        e.preventDefault();
        onStep(step[0], step[1]);
      }}
    />
  );
}
