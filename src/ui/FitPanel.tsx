import { METHOD_LABELS, STATISTIC_LABELS, type MethodName, type StatisticName } from '../core/fit/settings';
import { cancelFit, clearRanges, runFit, setFitSettings, setRangeMode } from '../state/actions';
import { fmt } from './format';
import { useApp } from './use-app';

export function FitPanel() {
  const fit = useApp((s) => s.session.fit);
  const running = useApp((s) => s.fitRunning);
  const progress = useApp((s) => s.fitProgress);
  const rangeMode = useApp((s) => s.rangeMode);
  const maxIter = fit.maxIterations ?? 1000;
  return (
    <section className="panel fit-panel" aria-label="Fit">
      <h2>Fit</h2>
      <div className="fit-row">
        <label>
          Method{' '}
          <select aria-label="Method" value={fit.method} disabled={running} onChange={(e) => setFitSettings({ method: e.currentTarget.value as MethodName })}>
            {Object.entries(METHOD_LABELS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Statistic{' '}
          <select aria-label="Statistic" value={fit.statistic} disabled={running} onChange={(e) => setFitSettings({ statistic: e.currentTarget.value as StatisticName })}>
            {Object.entries(STATISTIC_LABELS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label title="Posterior: the priors set on parameters (link button) enter the fit (maximum a posteriori)">
          Objective{' '}
          <select aria-label="Objective" value={fit.objective ?? 'likelihood'} disabled={running} onChange={(e) => setFitSettings({ objective: e.currentTarget.value as 'likelihood' | 'posterior' })}>
            <option value="likelihood">likelihood</option>
            <option value="posterior">posterior (MAP, with priors)</option>
          </select>
        </label>
      </div>
      <div className="fit-row">
        <button type="button" className="primary" onClick={() => void runFit()} disabled={running}>
          Fit
        </button>
        {running && (
          <>
            <progress aria-label="Fit progress" max={maxIter} value={progress?.iteration ?? 0} />
            <button type="button" onClick={cancelFit}>
              Cancel
            </button>
            <span className="progress-text" aria-live="polite">
              {progress ? `iteration ${progress.iteration}, ${progress.nfev} evaluations, statistic ${fmt(progress.statistic)}` : 'starting…'}
            </span>
          </>
        )}
      </div>
      <div className="fit-row ranges">
        <span>Fit range:</span>
        <button type="button" aria-pressed={rangeMode === 'include'} onClick={() => setRangeMode(rangeMode === 'include' ? null : 'include')} title="Then drag across the plot to select x-ranges to fit">
          Select include
        </button>
        <button type="button" aria-pressed={rangeMode === 'exclude'} onClick={() => setRangeMode(rangeMode === 'exclude' ? null : 'exclude')} title="Then drag across the plot to select x-ranges to leave out">
          Select exclude
        </button>
        <button type="button" onClick={clearRanges} disabled={fit.ranges.length === 0}>
          Clear ranges
        </button>
        <span className="range-list">
          {fit.ranges.map((r, i) => (
            <span key={i} className={`range-chip ${r.mode}`}>
              {r.mode} {fmt(Math.min(r.min, r.max), 4)}–{fmt(Math.max(r.min, r.max), 4)}
            </span>
          ))}
        </span>
      </div>
    </section>
  );
}
