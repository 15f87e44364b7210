import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { StreamedPlot } from './StreamedPlot';
import { contourFigure, correlationFigure, profileFigure, surfaceFigure, type Figure } from '../figures/uncertainty-figures';
import {
  cancelUncertainty,
  runContour,
  runMinos,
  runProfile,
  runSurface,
  setShowBand,
  setUncertaintyView,
  uncertaintyStore,
  type ContourConvention,
  type UncertaintyState,
  type UncertaintyView,
} from '../state/uncertainty';
import { fmt } from './format';
import { covarianceCornerFigure } from '../figures/covariance-corner';
import { useApp } from './use-app';

export function useUncertainty<T>(selector: (s: UncertaintyState) => T): T {
  return useStore(uncertaintyStore, selector);
}

const KIND_LABEL = { minos: 'MINOS', profile: 'Profile', contour: 'Contour', surface: 'Surface' } as const;

/** Shortest time between two redraws while results stream in (keeps the page free to hand out jobs). */
const MIN_REDRAW_MS = 200;


export function UncertaintyPanel() {
  const result = useApp((s) => s.session.result);
  const fitRunning = useApp((s) => s.fitRunning);
  const state = useUncertainty((s) => s);
  const keys = useMemo(() => result?.parameterOrder ?? [], [result]);
  const [profileKey, setProfileKey] = useState('');
  const [profilePoints, setProfilePoints] = useState(21);
  const [profileReopt, setProfileReopt] = useState(true);
  const [cx, setCx] = useState('');
  const [cy, setCy] = useState('');
  const [sig1, setSig1] = useState(true);
  const [sig2, setSig2] = useState(true);
  const [convention, setConvention] = useState<ContourConvention>('coverage');
  const [ellipses, setEllipses] = useState(true);
  const [contourPoints, setContourPoints] = useState(36);
  const [grid, setGrid] = useState(20);
  const [surfaceReopt, setSurfaceReopt] = useState(true);
  const wrap = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(480);
  const [cornerKeys, setCornerKeys] = useState<string[] | null>(null);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(280, el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [result !== null]);

  // keep the selections valid for the current fit's parameters
  const pKey = keys.includes(profileKey) ? profileKey : (keys[0] ?? '');
  const xKey = keys.includes(cx) ? cx : (keys[0] ?? '');
  const yKey = keys.includes(cy) && cy !== xKey ? cy : (keys.find((k) => k !== xKey) ?? '');

  const mine = state.result === result && result !== null;
  // covariance corner: the chosen parameters, by default the first six
  const shownCorner = (cornerKeys ?? keys.slice(0, 6)).filter((k) => keys.includes(k));
  const view: UncertaintyView | null = mine ? state.view : null;
  const size = { width, height: 380 };
  const figure = useMemo((): Figure | null => {
    if (!mine || !result) return null;
    if (view === 'profile' && state.profile) return profileFigure(state.profile, state.minos[state.profile.key] ?? null, size);
    if (view === 'contour' && state.contour) return contourFigure(state.contour, size);
    if (view === 'surface' && state.surface) return surfaceFigure(state.surface, size);
    if (view === 'correlation') return correlationFigure(result, size);
    if (view === 'covariance') return covarianceCornerFigure(result, shownCorner, { width, height: Math.max(380, Math.min(width, 640)) });
    return null;
  }, [mine, result, view, state.profile, state.contour, state.surface, state.minos, width, cornerKeys]);

  if (!result) {
    return (
      <section className="panel uncertainty-panel" aria-label="Uncertainty">
        <h2>Uncertainty</h2>
        <p className="hint">Fit first: MINOS errors, profiles, contours and surfaces work around the best fit.</p>
      </section>
    );
  }

  if (result.datasets) {
    return (
      <section className="panel uncertainty-panel" aria-label="Uncertainty">
        <h2>Uncertainty</h2>
        <p className="hint">
          Profiles, contours and MINOS work on single-dataset fits; this result comes from several datasets (its errors and
          correlations are in the Parameters table). Fit one dataset with Fit to use them.
        </p>
      </section>
    );
  }

  const running = state.running;
  const busy = running !== null || fitRunning;
  const sigmas = [sig1 ? 1 : 0, sig2 ? 2 : 0].filter((s) => s > 0);
  const tabs: { id: UncertaintyView; label: string; enabled: boolean }[] = [
    { id: 'profile', label: 'Profile plot', enabled: mine && state.profile !== null },
    { id: 'contour', label: 'Contour plot', enabled: mine && state.contour !== null },
    { id: 'surface', label: 'Surface plot', enabled: mine && state.surface !== null },
    { id: 'correlation', label: 'Correlation matrix', enabled: result.correlation !== null },
    { id: 'covariance', label: 'Covariance corner', enabled: result.covariance !== null },
  ];
  const last = mine ? state.lastRun : null;

  return (
    <section className="panel uncertainty-panel" aria-label="Uncertainty">
      <h2>Uncertainty</h2>
      <div className="fit-row">
        <button type="button" onClick={() => void runMinos()} disabled={busy} title="Profile-likelihood (MINOS) intervals of every free parameter, shown in the Parameters table">
          MINOS errors
        </button>
        <label title="One-sigma band of the model by linear error propagation, drawn over the data">
          <input type="checkbox" checked={mine && state.showBand} onChange={(e) => setShowBand(e.currentTarget.checked)} /> Confidence band
        </label>
      </div>

      <fieldset className="unc-group">
        <legend>Profile</legend>
        <select aria-label="Profile parameter" value={pKey} onChange={(e) => setProfileKey(e.currentTarget.value)} disabled={busy}>
          {keys.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <label>
          points{' '}
          <input aria-label="Profile points" type="number" min={3} max={400} value={profilePoints} onChange={(e) => setProfilePoints(Number(e.currentTarget.value) || 21)} className="unc-num" />
        </label>
        <label title="Re-minimise the other parameters at every point (the profile likelihood); off: the cut with the others at the best fit">
          <input type="checkbox" checked={profileReopt} onChange={(e) => setProfileReopt(e.currentTarget.checked)} /> re-optimise
        </label>
        <button type="button" onClick={() => void runProfile(pKey, profilePoints, profileReopt)} disabled={busy || !pKey}>
          Profile
        </button>
      </fieldset>

      <fieldset className="unc-group">
        <legend>Contour / surface</legend>
        <div className="fit-row">
          <span className="unc-axis">x</span>
          <select aria-label="Contour x parameter" value={xKey} onChange={(e) => setCx(e.currentTarget.value)} disabled={busy}>
            {keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <span className="unc-axis">y</span>
          <select aria-label="Contour y parameter" value={yKey} onChange={(e) => setCy(e.currentTarget.value)} disabled={busy}>
            {keys
              .filter((k) => k !== xKey)
              .map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
          </select>
        </div>
        <div className="fit-row">
          <label>
            convention{' '}
            <select aria-label="Convention" value={convention} onChange={(e) => setConvention(e.currentTarget.value as ContourConvention)} disabled={busy} title="How n sigma maps onto a 2D region">
              <option value="coverage">coverage (1σ/2σ: 68.3/95.4 %, Δχ² 2.30/6.18)</option>
              <option value="gammapy">gammapy (nσ: Δχ² = n², i.e. 1/4)</option>
            </select>
          </label>
        </div>
        <div className="fit-row">
          <label>
            <input type="checkbox" checked={sig1} onChange={(e) => setSig1(e.currentTarget.checked)} /> 1σ
          </label>
          <label>
            <input type="checkbox" checked={sig2} onChange={(e) => setSig2(e.currentTarget.checked)} /> 2σ
          </label>
          <label>
            rays{' '}
            <input aria-label="Contour points" type="number" min={8} max={200} value={contourPoints} onChange={(e) => setContourPoints(Number(e.currentTarget.value) || 36)} className="unc-num" />
          </label>
          <label>
            <input type="checkbox" checked={ellipses} onChange={(e) => setEllipses(e.currentTarget.checked)} /> covariance ellipses
          </label>
          <button type="button" onClick={() => void runContour({ x: xKey, y: yKey, sigmas, convention, points: contourPoints, ellipses })} disabled={busy || !xKey || !yKey || sigmas.length === 0}>
            Contour
          </button>
        </div>
        <div className="fit-row">
          <label>
            grid{' '}
            <input aria-label="Surface grid" type="number" min={3} max={100} value={grid} onChange={(e) => setGrid(Number(e.currentTarget.value) || 20)} className="unc-num" />
          </label>
          <label title="Re-minimise the other parameters at every grid point">
            <input type="checkbox" checked={surfaceReopt} onChange={(e) => setSurfaceReopt(e.currentTarget.checked)} /> re-optimise
          </label>
          <button type="button" onClick={() => void runSurface({ x: xKey, y: yKey, grid, reoptimize: surfaceReopt, convention })} disabled={busy || !xKey || !yKey}>
            Surface
          </button>
          <span className="hint">±3 errors, √TS with 1σ/2σ lines</span>
        </div>
      </fieldset>

      {running && (
        <div className="fit-row">
          <progress aria-label="Uncertainty progress" max={Math.max(running.total, 1)} value={running.done} />
          <button type="button" onClick={cancelUncertainty}>
            Cancel uncertainty
          </button>
          <span className="progress-text" aria-live="polite">
            {KIND_LABEL[running.kind]}: {running.done} / {running.total} {running.unit}
          </span>
        </div>
      )}
      {!running && last && (
        <p className="hint" data-testid="uncertainty-status">
          {KIND_LABEL[last.kind]}: {last.units} {last.unit} in {fmt(last.elapsedMs / 1000, 3)} s on {last.workers} worker{last.workers === 1 ? '' : 's'}
          {last.cancelled ? ' (cancelled)' : ''}
        </p>
      )}
      {state.error && (
        <p className="model-problem" role="status">
          {state.error}
        </p>
      )}

      <div role="tablist" aria-label="Uncertainty plots" className="unc-tabs">
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={view === t.id} disabled={!t.enabled} onClick={() => setUncertaintyView(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      {view === 'covariance' && (
        <label className="unc-corner-keys">
          parameters{' '}
          <select
            multiple
            aria-label="Covariance corner parameters"
            size={Math.min(6, keys.length)}
            value={shownCorner}
            onChange={(e) => setCornerKeys(Array.from(e.currentTarget.selectedOptions, (o) => o.value))}
          >
            {keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
      )}
      <div ref={wrap} className="uncertainty-plot-wrap">
        <StreamedPlot figure={figure} testId="uncertainty-plot" className="uncertainty-plot" minRedrawMs={MIN_REDRAW_MS} />
        {!figure && <p className="hint">Run a profile, contour or surface, or open the correlation matrix.</p>}
      </div>
    </section>
  );
}
