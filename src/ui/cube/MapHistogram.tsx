/** Histogram of a map's finite values (figure from src/figures/map-figures.ts). */
import { useEffect, useMemo, useRef } from 'react';
import Plotly from 'plotly.js-cartesian-dist-min';
import { buildHistogramFigure } from '../../figures/map-figures';

export function MapHistogram({ values, title }: { values: Float64Array; title: string }) {
  const div = useRef<HTMLDivElement>(null);
  const figure = useMemo(() => buildHistogramFigure({ values, title, bins: 30 }), [values, title]);
  useEffect(() => {
    const el = div.current;
    if (el) void Plotly.react(el, figure.data, figure.layout, { displaylogo: false, responsive: true, displayModeBar: false });
  }, [figure]);
  useEffect(() => {
    const el = div.current;
    return () => {
      if (el) Plotly.purge(el);
    };
  }, []);
  return <div ref={div} className="map-histogram" data-testid="cube-histogram" aria-label={`Histogram of ${title}`} role="img" />;
}
