/**
 * A Plotly figure that is redrawn while results stream in (sampler draws, uncertainty jobs):
 * redraws are serialised (one Plotly.react at a time) and at most every `minRedrawMs`, the latest
 * figure winning, so updates never pile up and the page stays free to hand out work.
 * data-plot-revision counts finished redraws (tests wait on it).
 */
import { useEffect, useRef } from 'react';
import Plotly from 'plotly.js-cartesian-dist-min';

export interface PlotFigure {
  data: unknown[];
  layout: unknown;
}

export function StreamedPlot({ figure, testId, className, minRedrawMs }: { figure: PlotFigure | null; testId: string; className: string; minRedrawMs: number }) {
  const div = useRef<HTMLDivElement>(null);
  const busy = useRef(false);
  const pending = useRef<PlotFigure | null>(null);
  const timer = useRef<number | null>(null);
  const lastDraw = useRef(-Infinity);
  const revision = useRef(0);

  useEffect(() => {
    const el = div.current;
    if (!el || !figure) return;
    const draw = (f: PlotFigure) => {
      busy.current = true;
      void Plotly.react(el, f.data as Plotly.Data[], f.layout as Partial<Plotly.Layout>, { displaylogo: false, responsive: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] })
        .catch(() => undefined)
        .then(() => {
          revision.current++;
          el.dataset.plotRevision = String(revision.current);
          busy.current = false;
          lastDraw.current = performance.now();
          if (pending.current) schedule();
        });
    };
    const schedule = () => {
      if (busy.current || timer.current !== null) return;
      const wait = Math.max(0, lastDraw.current + minRedrawMs - performance.now());
      timer.current = window.setTimeout(() => {
        timer.current = null;
        const f = pending.current;
        pending.current = null;
        if (f) draw(f);
      }, wait);
    };
    pending.current = figure;
    schedule();
  }, [figure, minRedrawMs]);

  useEffect(() => {
    const el = div.current;
    return () => {
      if (timer.current !== null) clearTimeout(timer.current);
      if (el) Plotly.purge(el);
    };
  }, []);

  return <div ref={div} className={className} data-testid={testId} hidden={!figure} />;
}
