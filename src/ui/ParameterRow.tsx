import { useEffect, useRef, useState } from 'react';
import type { ParameterDoc } from '../core/model/document';
import type { Dataset } from '../core/data/dataset';
import { setParameter } from '../state/actions';
import { beginGesture, endGesture } from '../state/undo';
import { sliderRange } from './slider-range';
import { imageSliderRange } from '../figures/image-display';
import { ParameterLinks } from './ParameterLinks';
import { priorText } from '../core/model/prior-check';
import { fmt, parseNumber } from './format';

interface Props {
  component: string;
  param: string;
  doc: ParameterDoc;
  dataset: Dataset | null;
  /** value shown while a fit runs (the plot follows the fit), or a twin's resolved value */
  liveValue?: number;
  disabled: boolean;
  /** keys of the other parameters (twin sources) */
  sources: string[];
  /** shown and typed in other units: shown = stored * factor (PA: degrees shown, radians stored) */
  unit?: { factor: number; label: string };
  /** 2D components of an image: [rows, cols], for slider ranges over the image */
  imageShape?: number[];
}

const SLIDER_STEPS = 1000;

export function ParameterRow({ component, param, doc, dataset, liveValue, disabled, sources, unit, imageShape }: Props) {
  const [linksOpen, setLinksOpen] = useState(false);
  const label = `${component} ${param}`;
  const factor = unit?.factor ?? 1;
  const scaled = (b: number | null) => (b === null ? null : b * factor);
  const shown: ParameterDoc = factor === 1 ? doc : { ...doc, value: doc.value * factor, lower: scaled(doc.lower), upper: scaled(doc.upper) };
  const rangeOf = (d: ParameterDoc): [number, number] => (imageShape && imageSliderRange(param, d.value, imageShape, d.lower, d.upper)) || sliderRange(param, d, dataset);
  const value = (liveValue ?? doc.value) * factor;
  const [text, setText] = useState(fmt(value));
  const editing = useRef(false);
  // the slider keeps its range while dragging; it widens only when the value leaves it
  const [range, setRange] = useState<[number, number]>(() => rangeOf(shown));
  useEffect(() => {
    if (!editing.current) setText(fmt(value));
    if (value < range[0] || value > range[1]) setRange(rangeOf({ ...shown, value }));
  }, [value]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    setRange(rangeOf(shown));
  }, [doc.lower, doc.upper, dataset]); // eslint-disable-line react-hooks/exhaustive-deps

  const twinned = doc.twin !== undefined;
  const [lo, hi] = range;
  const step = (hi - lo) / SLIDER_STEPS;
  const boundText = (b: number | null) => (b === null ? '' : fmt(b));
  const setBound = (which: 'lower' | 'upper', t: string) => {
    const v = parseNumber(t);
    if (v === undefined) return;
    const b = v === null || !Number.isFinite(v) ? null : v / factor;
    setParameter(component, param, { [which]: b });
  };

  return (
    <div className={twinned ? 'param-row twinned' : 'param-row'}>
      <span className="param-name" title={doc.twin ? `twin of ${doc.twin.source}` : undefined}>
        {param}
        {unit && <span className="param-unit">{unit.label}</span>}
      </span>
      <input
        type="range"
        aria-label={label}
        min={lo}
        max={hi}
        step={step}
        value={value}
        disabled={disabled || twinned}
        onPointerDown={() => beginGesture(`slider ${label}`)}
        onPointerUp={endGesture}
        onPointerCancel={endGesture}
        onBlur={endGesture}
        onChange={(e) => setParameter(component, param, { value: Number(e.currentTarget.value) / factor })}
      />
      <input
        type="number"
        aria-label={label}
        className="num"
        value={text}
        step="any"
        disabled={disabled || twinned}
        onFocus={() => {
          editing.current = true;
          beginGesture(`typing ${label}`);
        }}
        onBlur={() => {
          editing.current = false;
          endGesture();
          setText(fmt(value));
        }}
        onChange={(e) => {
          const t = e.currentTarget.value;
          setText(t);
          const v = parseNumber(t);
          if (typeof v === 'number' && Number.isFinite(v)) setParameter(component, param, { value: v / factor });
        }}
      />
      <label className="fixed-toggle" title="Fixed: not varied by the fit">
        <input
          type="checkbox"
          aria-label={`${label} fixed`}
          checked={doc.fixed}
          disabled={disabled || twinned}
          onChange={(e) => setParameter(component, param, { fixed: e.currentTarget.checked })}
        />
        fix
      </label>
      <input
        className="bound"
        aria-label={`${label} lower bound`}
        placeholder="-inf"
        defaultValue={boundText(shown.lower)}
        key={`lo${doc.lower}`}
        disabled={disabled}
        onBlur={(e) => setBound('lower', e.currentTarget.value)}
      />
      <input
        className="bound"
        aria-label={`${label} upper bound`}
        placeholder="inf"
        defaultValue={boundText(shown.upper)}
        key={`hi${doc.upper}`}
        disabled={disabled}
        onBlur={(e) => setBound('upper', e.currentTarget.value)}
      />
      <button
        type="button"
        className={doc.twin || doc.prior ? 'links-button active' : 'links-button'}
        aria-label={`${label} link and prior`}
        aria-expanded={linksOpen}
        title="Twin this parameter to another, or give it a prior"
        disabled={disabled}
        onClick={() => setLinksOpen(!linksOpen)}
      >
        link
      </button>
      {doc.twin && <span className="twin-note">= {doc.twin.expr ? doc.twin.expr.replace(/\bx\b/g, doc.twin.source) : doc.twin.source}</span>}
      {doc.prior && <span className="prior-note">prior {priorText(doc.prior)}</span>}
      {linksOpen && <ParameterLinks component={component} param={param} doc={doc} sources={sources} onClose={() => setLinksOpen(false)} />}
    </div>
  );
}
