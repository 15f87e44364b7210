/**
 * The image view, shown instead of the spectrum plot when the active dataset is an image: data,
 * model and residual ((data - model) / sigma) side by side with a shared zoom and pan, a stretch
 * for data and model, colour bars, and each component's half-light ellipse (drag its centre to
 * move it). The model is re-evaluated on the main thread through ImageModelCache (one compiled
 * model per structure and dataset; only changed components are rendered again).
 */
import { useEffect, useMemo, useRef } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../use-app';
import { fmt } from '../format';
import { ImageModelCache, type ImageEvaluation } from '../../state/image-eval';
import { imageViewStore, setPlacing, setStretch, setViewport } from '../../state/image-view';
import { componentDims, estimateImageComponent, moveImageComponent } from '../../state/image-actions';
import { beginGesture, endGesture } from '../../state/undo';
import { download } from '../../state/download';
import { componentEllipse, displayLimits, DIVERGING, residualLimits, SEQUENTIAL, STRETCHES, type Stretch } from '../../figures/image-display';
import { ImagePanel, type PanelEllipse } from './ImagePanel';
import { ImageDataControls } from './ImageDataControls';
import { ImageHelp } from './ImageHelp';
import type { Dataset } from '../../core/data/dataset';
import { writeFitsImage } from '../../core/data/readers/fits-write';
import './image.css';

/** Saves a 2D array as a FITS file (BITPIX -64; NaN for masked residual pixels). */
function downloadFits(name: string, data: Float64Array, rows: number, cols: number, what: string): void {
  const bytes = writeFitsImage(data, rows, cols, { ORIGIN: 'Fitbench', OBJECT: what.slice(0, 60) });
  download(name, bytes, 'application/fits');
}

/** One cache for the page: the compiled model survives remounts of the view. */
const cache = new ImageModelCache();

export function ImageView() {
  const dataset = useApp((s) => s.session.datasets[s.session.activeDataset] ?? null);
  if (!dataset || dataset.kind !== 'image') return null;
  return <ImageViewFor dataset={dataset} />;
}

function ImageViewFor({ dataset }: { dataset: Dataset }) {
  const model = useApp((s) => s.session.model);
  const live = useApp((s) => s.fitProgress?.values);
  // the component cards' "curve" box shows or hides a component's ellipse
  const hidden = useApp((s) => s.session.view.hiddenComponents);
  const fitRunning = useApp((s) => s.fitRunning);
  const stretch = useStore(imageViewStore, (s) => s.stretch);
  const viewport = useStore(imageViewStore, (s) => s.viewport);
  const placing = useStore(imageViewStore, (s) => s.placing);
  const [rows, cols] = dataset.shape;
  const timing = useRef<HTMLSpanElement>(null);
  const started = useRef(0);
  const revision = useRef(0);

  const hasComponents = model.components.some((c) => c.active);
  const { ev, problem } = useMemo((): { ev: ImageEvaluation | null; problem: string | null } => {
    started.current = performance.now();
    if (!hasComponents) return { ev: null, problem: null };
    try {
      const e = cache.evaluate(model, dataset, live);
      revision.current++;
      return { ev: e, problem: null };
    } catch (e) {
      return { ev: null, problem: e instanceof Error ? e.message : String(e) };
    }
  }, [model, dataset, live, hasComponents]);

  // redraw time: from the start of the evaluation to the end of the panels' painting
  useEffect(() => {
    if (!ev) return;
    const ms = performance.now() - started.current;
    imageViewStore.setState({ lastRedrawMs: ms });
    if (timing.current) {
      timing.current.textContent = `model redraw ${ms.toFixed(1)} ms (${ev.rendered.length === 0 ? 'cached' : ev.rendered.join(', ')})`;
      timing.current.dataset.ms = ms.toFixed(2);
    }
  }, [ev]);

  const dataLimits = useMemo(() => displayLimits(dataset.values, dataset.mask), [dataset]);
  const residLimits = useMemo((): [number, number] => {
    if (dataset.sigma) return [-5, 5];
    return ev ? residualLimits(ev.residual) : [-1, 1];
  }, [dataset, ev]);

  const ellipses = useMemo((): PanelEllipse[] => {
    const out: PanelEllipse[] = [];
    for (const c of model.components) {
      if (!c.active || componentDims(c.type) !== 2 || hidden.includes(c.name)) continue;
      const v: Record<string, number> = {};
      for (const [p, d] of Object.entries(c.params)) v[p] = live?.[`${c.name}.${p}`] ?? d.value;
      const e = componentEllipse(c.type, v);
      if (e) out.push({ ...e, name: c.name });
    }
    return out;
  }, [model, live, hidden]);

  const modelSum = useMemo(() => {
    if (!ev) return undefined;
    let s = 0;
    for (let i = 0; i < ev.model.length; i++) s += ev.model[i];
    return s;
  }, [ev]);

  useEffect(() => {
    if (!placing) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setPlacing(null);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [placing]);

  // one undo step per drag; the gesture is (re)opened on every move because pressing on the
  // image blurs a focused input, whose blur handler closes any open gesture
  const onDrag = (phase: 'start' | 'move' | 'end', name: string, x: number, y: number) => {
    if (fitRunning || phase === 'start') return;
    beginGesture(`drag ${name}`);
    moveImageComponent(name, x, y);
    if (phase === 'end') endGesture();
  };
  const onPlace = (x: number, y: number) => {
    if (!placing) return;
    const name = placing;
    setPlacing(null);
    estimateImageComponent(name, { x, y });
  };

  const zeros = useMemo(() => new Float64Array(rows * cols), [rows, cols]);
  const stem = dataset.name.replace(/(\.fits|\.fit|\.fts|\.npy)(\.gz)?$/i, '').replace(/[^\w.-]+/g, '_') || 'image';
  const common = {
    rows,
    cols,
    viewport,
    onViewport: setViewport,
    ellipses,
    onDrag,
    placing: placing !== null,
    onPlace,
    onHover: (h: { i: number; j: number } | null) => imageViewStore.setState({ hover: h }),
  };

  return (
    <section className="panel image-view" aria-label="Image">
      <div className="image-toolbar">
        <label>
          Stretch{' '}
          <select aria-label="Stretch" value={stretch} onChange={(e) => setStretch(e.currentTarget.value as Stretch)}>
            {STRETCHES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setViewport(null)} title="Show the whole image (or double-click an image)">
          Fit view
        </button>
        <button type="button" disabled={!ev} onClick={() => ev && downloadFits(`${stem}-model.fits`, ev.model, rows, cols, `model of ${dataset.name}`)}>
          Model FITS
        </button>
        <button type="button" disabled={!ev} onClick={() => ev && downloadFits(`${stem}-residual.fits`, ev.residual, rows, cols, `residual of ${dataset.name}`)}>
          Residual FITS
        </button>
        <span className="hint">drag: pan · wheel: zoom · drag a centre handle: move the component</span>
        <span className="image-timing" ref={timing} data-testid="image-redraw" />
      </div>
      {placing && (
        <p className="placing-hint" role="status">
          Click on the image where {placing} is: its centre, size, axis ratio, angle and brightness are estimated from the image moments there (Esc: keep the current values).{' '}
          <button type="button" onClick={() => setPlacing(null)}>
            Cancel
          </button>
        </p>
      )}
      {problem && (
        <p className="model-problem" role="status">
          The model cannot be evaluated: {problem}
        </p>
      )}
      <div className="image-panels">
        <ImagePanel {...common} title="Data" testId="image-data" values={dataset.values} revision={0} mask={dataset.mask} limits={dataLimits} stretch={stretch} cmap={SEQUENTIAL} colorbarLabel="data" />
        <ImagePanel
          {...common}
          title="Model"
          testId="image-model"
          values={ev?.model ?? zeros}
          revision={revision.current}
          limits={dataLimits}
          stretch={stretch}
          cmap={SEQUENTIAL}
          colorbarLabel="model (data limits)"
          sum={modelSum}
        />
        <ImagePanel
          {...common}
          title={dataset.sigma ? 'Residual / sigma' : 'Residual'}
          testId="image-residual"
          values={ev?.residual ?? zeros}
          revision={revision.current}
          mask={dataset.mask}
          limits={residLimits}
          stretch="linear"
          cmap={DIVERGING}
          colorbarLabel={dataset.sigma ? '(data − model) / σ' : 'data − model'}
        />
      </div>
      <HoverReadout dataset={dataset} ev={ev} />
      <ImageDataControls dataset={dataset} />
      <ImageHelp />
    </section>
  );
}

function HoverReadout({ dataset, ev }: { dataset: Dataset; ev: ImageEvaluation | null }) {
  const hover = useStore(imageViewStore, (s) => s.hover);
  if (!hover) return <p className="hover-readout hint">Point at a pixel to read its values.</p>;
  const [, cols] = dataset.shape;
  const k = hover.i * cols + hover.j;
  return (
    <p className="hover-readout" data-testid="hover-readout">
      pixel (row {hover.i}, column {hover.j}) = (x {hover.j}, y {hover.i}) · data {fmt(dataset.values[k], 5)}
      {dataset.sigma ? ` ± ${fmt(dataset.sigma[k], 3)}` : ''}
      {dataset.mask?.[k] ? ' (masked)' : ''}
      {ev ? ` · model ${fmt(ev.model[k], 5)} · residual ${fmt(ev.residual[k], 3)}` : ''}
    </p>
  );
}
