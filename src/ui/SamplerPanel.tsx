import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { cornerFigure, predictiveFigure, traceFigure, CHAIN_COLORS, type Figure } from '../figures/sampler-figures';
import {
  cancelSampling,
  runSampling,
  samplerStore,
  samplingUnavailable,
  setCornerKeys,
  setSamplerConfig,
  setShowEllipses,
  type ChainStatus,
  type SamplerState,
} from '../state/sampler';
import { CHAINS_METHOD, ENSEMBLE_METHOD, SAMPLER_CHOICES, SAMPLER_LABELS, type SamplerChoice } from '../workers/sampler-chain';
import { DEG_PER_RAD } from '../figures/image-display';
import { fmt } from './format';
import { StreamedPlot } from './StreamedPlot';
import { SummaryHeader, SummaryRow } from './SummaryRows';
import { useApp } from './use-app';
import './sampler.css';

export function useSampler<T>(selector: (s: SamplerState) => T): T {
  return useStore(samplerStore, selector);
}

/** Shortest time between two redraws while draws stream in. */
const MIN_REDRAW_MS = 300;

function phaseText(c: ChainStatus, draws: number, ensemble: boolean): string {
  const unit = ensemble ? 'steps' : 'draws';
  switch (c.phase) {
    case 'queued':
      return 'waiting for a worker';
    case 'tune':
      return `warm-up ${c.iteration} / ${c.total - draws}`;
    case 'sample':
      return `sampling ${Math.max(0, c.iteration - (c.total - draws))} / ${draws} ${unit}`;
    case 'done':
      return `done, ${c.drawn} ${unit}`;
    case 'stopped':
      return `stopped, ${c.drawn} ${unit} kept`;
    case 'failed':
      return `failed: ${c.error ?? ''}`;
  }
}

/** a parameter key that may wrap after its dot */
function breakable(key: string) {
  const i = key.indexOf('.');
  return i < 0 ? key : (
    <>
      {key.slice(0, i + 1)}
      <wbr />
      {key.slice(i + 1)}
    </>
  );
}

const num = (v: number, d = 4) => (Number.isFinite(v) ? fmt(v, d) : '—');

export function SamplerPanel() {
  const result = useApp((s) => s.session.result);
  const fitRunning = useApp((s) => s.fitRunning);
  const imageActive = useApp((s) => s.session.datasets[s.session.activeDataset]?.kind === 'image');
  const state = useSampler((s) => s);
  const wrap = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(480);
  const unavailable = samplingUnavailable(result);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(280, el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [unavailable === null]);

  const mine = state.result === result && result !== null;
  const keys = mine && state.keys.length > 0 ? state.keys : (result?.parameterOrder ?? []);
  const outcome = mine ? state.outcome : null;
  const cornerSel = (state.cornerKeys ?? keys.slice(0, 4)).filter((k) => keys.includes(k));
  const cfg = state.config;
  const ensemble = cfg.sampler === 'ensemble';

  const traceFig = useMemo((): Figure | null => {
    if (!mine || state.live.every((c) => !c || c.nDraws === 0)) return null;
    return traceFigure({ keys: state.keys, chains: state.live, best: state.best, map: outcome?.map ?? null, width });
  }, [mine, state.live, state.keys, state.best, outcome, width]);

  const cornerFig = useMemo((): Figure | null => {
    if (!outcome || outcome.results.length === 0) return null;
    return cornerFigure({ keys: state.keys, selected: cornerSel, results: outcome.results, best: state.best, covariance: state.covariance, showEllipses: state.showEllipses, map: outcome.map?.theta ?? null, width });
  }, [outcome, state.keys, cornerSel.join('\n'), state.best, state.covariance, state.showEllipses, width]);

  const predFig = useMemo((): Figure | null => (outcome?.band ? predictiveFigure(outcome.band, width) : null), [outcome, width]);

  if (unavailable) {
    return (
      <section className="panel sampler-panel" aria-label="Posterior sampling">
        <h2>Posterior sampling</h2>
        <p className="hint">{unavailable}</p>
      </section>
    );
  }

  const running = mine && state.running;
  const busy = running || fitRunning;
  const summary = outcome?.summary ?? null;
  const oc = outcome?.config;

  return (
    <section className="panel sampler-panel" aria-label="Posterior sampling">
      <h2>Posterior sampling</h2>
      <div className="sampler-controls">
        <label>
          sampler{' '}
          <select aria-label="Sampler" value={cfg.sampler} onChange={(e) => setSamplerConfig({ sampler: e.currentTarget.value as SamplerChoice })} disabled={busy}>
            {SAMPLER_CHOICES.map((s) => (
              <option key={s} value={s}>
                {SAMPLER_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label title={ensemble ? 'independent ensembles of walkers (each one superchain for R-hat)' : 'independent chains, one per worker'}>
          {ensemble ? 'ensembles' : 'chains'}{' '}
          <input aria-label="Chains" type="number" min={1} max={64} value={cfg.chains} onChange={(e) => setSamplerConfig({ chains: Number(e.currentTarget.value) })} disabled={busy} className="sampler-num" />
        </label>
        <label title={ensemble ? 'kept steps per walker' : 'kept draws per chain'}>
          {ensemble ? 'steps' : 'draws'}{' '}
          <input aria-label="Draws" type="number" min={1} value={cfg.draws} onChange={(e) => setSamplerConfig({ draws: Number(e.currentTarget.value) })} disabled={busy} className="sampler-num" />
        </label>
        <label title={ensemble ? 'burn-in steps (discarded)' : 'warm-up iterations: step size and mass matrix adaptation (discarded)'}>
          {ensemble ? 'burn-in' : 'tune'}{' '}
          <input aria-label="Tune" type="number" min={0} value={cfg.tune} onChange={(e) => setSamplerConfig({ tune: Number(e.currentTarget.value) })} disabled={busy} className="sampler-num" />
        </label>
        <label>
          seed <input aria-label="Seed" type="number" min={0} value={cfg.seed} onChange={(e) => setSamplerConfig({ seed: Number(e.currentTarget.value) })} disabled={busy} className="sampler-num" />
        </label>
        <label title="Start the inverse mass matrix (NUTS, HMC) or the proposal covariance (Metropolis) at the fit covariance instead of the identity / the local curvature">
          <input type="checkbox" checked={cfg.massFromFit} onChange={(e) => setSamplerConfig({ massFromFit: e.currentTarget.checked })} disabled={busy || ensemble} /> use fit covariance as mass matrix
        </label>
        <button type="button" onClick={() => void runSampling()} disabled={busy}>
          Sample
        </button>
      </div>
      {ensemble && <p className="hint">Ensemble: each “chain” is an ensemble of walkers (max(16, 4 × parameters)); draws are kept steps per walker.</p>}

      {mine && state.chains.length > 0 && (running || !outcome) && (
        <div className="sampler-progress">
          {state.chains.map((c, k) => (
            <div key={k} className="sampler-chain-row">
              <span className="sampler-chain-label" style={{ color: CHAIN_COLORS[k % CHAIN_COLORS.length] }}>
                Chain {k + 1}
              </span>
              <progress aria-label={`Chain ${k + 1} progress`} max={Math.max(1, c.total)} value={c.phase === 'queued' ? 0 : Math.min(c.total, c.iteration)} />
              <span className="progress-text">{phaseText(c, cfg.draws, ensemble)}</span>
            </div>
          ))}
          {running && (
            <button type="button" onClick={cancelSampling} disabled={state.cancelling}>
              Cancel sampling
            </button>
          )}
        </div>
      )}
      {mine && state.error && (
        <p className="model-problem" role="status">
          {state.error}
        </p>
      )}

      {outcome && oc && (
        <div className="sampler-results">
          <p className="hint" data-testid="sampler-status">
            {SAMPLER_LABELS[oc.sampler]}: {outcome.results.length} {oc.sampler === 'ensemble' ? 'ensembles' : 'chains'} × {oc.draws} {oc.sampler === 'ensemble' ? 'steps' : 'draws'} (tune {oc.tune}) in {fmt(outcome.elapsedMs / 1000, 3)} s on {outcome.workers} worker{outcome.workers === 1 ? '' : 's'}
            {outcome.cancelled ? ' (cancelled: the draws so far are kept)' : ''}; acceptance {num(outcome.acceptance, 3)}, divergences {outcome.divergences}
          </p>
          {summary && (
            <>
              <div className="sampler-table-wrap">
                <table aria-label="Posterior summary" className="sampler-table">
                  <SummaryHeader />
                  <tbody>
                    {summary.parameters.map((p) => {
                      // image position angles: stored and sampled in radians, shown in degrees as in the model panel and results table
                      const degrees = imageActive && p.key.endsWith('.PA');
                      return <SummaryRow key={p.key} p={p} label={degrees ? <>{breakable(p.key)} (°)</> : breakable(p.key)} scale={degrees ? DEG_PER_RAD : 1} badClass="sampler-bad" />;
                    })}
                  </tbody>
                </table>
              </div>
              <p className="hint sampler-method">Diagnostics: {summary.method === 'ensemble' ? ENSEMBLE_METHOD : CHAINS_METHOD}</p>
              {outcome.map && (
                <p className="hint" data-testid="sampler-map">
                  MAP sample (highest log posterior, {fmt(outcome.map.logDensity, 6)}): chain {outcome.map.chain + 1}, draw {outcome.map.index + 1}
                </p>
              )}
            </>
          )}
          {outcome.warnings.length > 0 ? (
            <ul className="sampler-warnings" aria-label="Sampler warnings">
              {outcome.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          ) : (
            <p className="hint" aria-label="Sampler warnings">
              No warnings: R-hat ≤ 1.01, ESS ≥ 400 for every parameter, no divergences.
            </p>
          )}
        </div>
      )}

      <div ref={wrap} className="sampler-plots">
        {traceFig && (
          <details open>
            <summary>Trace plot</summary>
            <StreamedPlot figure={traceFig} testId="sampler-trace" className="sampler-plot" minRedrawMs={MIN_REDRAW_MS} />
          </details>
        )}
        {outcome && outcome.results.length > 0 && (
          <details open>
            <summary>Corner plot</summary>
            <div className="sampler-corner-controls">
              <label>
                parameters{' '}
                <select
                  multiple
                  aria-label="Corner parameters"
                  value={cornerSel}
                  size={Math.min(6, keys.length)}
                  onChange={(e) => setCornerKeys(Array.from(e.currentTarget.selectedOptions, (o) => o.value))}
                >
                  {keys.map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
                </select>
              </label>
              <label title="The optimizer's covariance ellipses at the same coverages (Δχ² 2.30 and 6.18), and its Gaussian over the histograms">
                <input type="checkbox" checked={state.showEllipses} onChange={(e) => setShowEllipses(e.currentTarget.checked)} /> fit covariance ellipses
              </label>
            </div>
            <p className="hint">Contours enclose 68.3 % and 95.4 % of the draws (the 2D regions with the 1D 1σ/2σ coverage); + best fit, ★ MAP sample.</p>
            <StreamedPlot figure={cornerFig} testId="sampler-corner" className="sampler-plot" minRedrawMs={MIN_REDRAW_MS} />
          </details>
        )}
        {predFig && (
          <details open>
            <summary>Posterior predictive</summary>
            <StreamedPlot figure={predFig} testId="sampler-predictive" className="sampler-plot" minRedrawMs={MIN_REDRAW_MS} />
          </details>
        )}
      </div>
    </section>
  );
}
