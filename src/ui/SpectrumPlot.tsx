import { useEffect, useMemo, useRef, useState } from 'react';
import Plotly from 'plotly.js-cartesian-dist-min';
import type { Layout } from 'plotly.js';
import { evaluateCurves, type ModelCurves } from '../core/model/display';
import { setValues } from '../core/model/edit';
import { buildSpectrumFigure } from '../figures/spectrum-figure';
import { addRange } from '../state/actions';
import { store } from '../state/store';
import { useApp } from './use-app';
import { viewDataset } from '../state/cube-session';
import { useStore } from 'zustand';
import { uncertaintyStore } from '../state/uncertainty';

type AxisName = 'xaxis' | 'yaxis' | 'yaxis2';

/** The layout with the axes' current ranges fixed (when the plot has been drawn). */
function withFrozenRanges(el: HTMLElement, layout: Partial<Layout>): Partial<Layout> {
  const full = (el as HTMLElement & { _fullLayout?: Record<AxisName, { range?: [number, number] } | undefined> })._fullLayout;
  if (!full) return layout;
  const out: Partial<Layout> = { ...layout };
  for (const name of ['xaxis', 'yaxis', 'yaxis2'] as AxisName[]) {
    const range = full[name]?.range;
    if (range) out[name] = { ...(layout[name] ?? {}), autorange: false, range: [range[0], range[1]] };
  }
  return out;
}

/** Counts finished redraws (data-plot-revision on the plot element), for tests and the benchmark. */
let revision = 0;

export function SpectrumPlot() {
  // a spectrum image: the selected pixel's spectrum (state/cube-session.ts)
  const dataset = useApp((s) => viewDataset(s.session));
  const docModel = useApp((s) => s.session.model);
  const result = useApp((s) => s.session.result);
  // after a joint or sequential fit each dataset is drawn with its own fitted values
  const model = useMemo(() => {
    if (!dataset || !result?.datasets || !result.datasetValues) return docModel;
    const k = result.datasets.findIndex((d) => d.name === dataset.name);
    if (k < 0 || !result.datasetValues[k]) return docModel;
    const withValues = setValues(docModel, result.datasetValues[k]);
    const used = result.datasetComponents?.[k];
    return used ? { components: withValues.components.map((c) => (used.includes(c.name) ? c : { ...c, active: false })) } : withValues;
  }, [docModel, result, dataset]);
  const hidden = useApp((s) => s.session.view.hiddenComponents);
  const ranges = useApp((s) => s.session.fit.ranges);
  const live = useApp((s) => s.fitProgress?.values);
  const rangeMode = useApp((s) => s.rangeMode);
  const band = useStore(uncertaintyStore, (s) => (s.showBand && s.band && s.band.dataset === dataset ? s.band : null));
  const gesture = useApp((s) => s.gesture);
  const div = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);

  useEffect(() => {
    const el = div.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || 900));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const { curves, problem } = useMemo((): { curves: ModelCurves | null; problem: string | null } => {
    if (!dataset || !model.components.some((c) => c.active)) return { curves: null, problem: null };
    try {
      return { curves: evaluateCurves(model, dataset.coords, dataset.values.length, live), problem: null };
    } catch (e) {
      return { curves: null, problem: e instanceof Error ? e.message : String(e) };
    }
  }, [dataset, model, live]);

  const figure = useMemo(
    () => (dataset ? buildSpectrumFigure({ dataset, curves, hiddenComponents: hidden, ranges, width, band }) : null),
    [dataset, curves, hidden, ranges, width, band],
  );

  useEffect(() => {
    const el = div.current;
    if (!el || !figure) return;
    let layout: Partial<Layout> = { ...figure.layout, dragmode: rangeMode ? ('select' as const) : ('zoom' as const), selectdirection: 'h' as const };
    // during a drag the axes keep their ranges: autoranging costs about half of each redraw
    // (13 vs 25 ms per frame at 1e5 points, bench/) and a steady view is easier to judge by eye
    if (gesture) layout = withFrozenRanges(el, layout);
    let cancelled = false;
    void Plotly.react(el, figure.data, layout, { responsive: true, displaylogo: false, scrollZoom: true }).then(() => {
      if (cancelled) return;
      requestAnimationFrame(() => {
        revision++;
        el.dataset.plotRevision = String(revision);
      });
    });
    return () => {
      cancelled = true;
    };
  }, [figure, rangeMode, gesture]);

  useEffect(() => {
    const el = div.current as (HTMLDivElement & { on?: (ev: string, f: (e: unknown) => void) => void; removeAllListeners?: (ev: string) => void }) | null;
    if (!el?.on) return;
    el.removeAllListeners?.('plotly_selected');
    el.on('plotly_selected', (e: unknown) => {
      const range = (e as { range?: { x?: [number, number] } } | undefined)?.range?.x;
      const mode = store.getState().rangeMode;
      if (range && mode) {
        addRange({ min: Math.min(range[0], range[1]), max: Math.max(range[0], range[1]), mode });
        void Plotly.relayout(el, { selections: [] } as never);
      }
    });
  });

  useEffect(() => {
    const el = div.current;
    return () => {
      if (el) Plotly.purge(el);
    };
  }, []);

  return (
    <section className="panel plot-panel" aria-label="Plot">
      {problem && (
        <p className="model-problem" role="status">
          The model cannot be evaluated: {problem}
        </p>
      )}
      {!dataset && <p className="hint">Drop a data file anywhere on the window, or use Load data.</p>}
      <div ref={div} className="spectrum-plot" data-testid="spectrum-plot" />
      {dataset && (
        <div className="plot-export">
          {(['png', 'svg'] as const).map((format) => (
            <button
              key={format}
              type="button"
              onClick={() => {
                if (div.current) void Plotly.downloadImage(div.current, { format, filename: dataset.name.replace(/\.[^.]*$/, '') || 'plot', width: 1200, height: 700 });
              }}
            >
              Plot {format.toUpperCase()}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
