import { STATISTIC_LABELS } from '../core/fit/settings';
import { fmt } from './format';
import { useApp } from './use-app';
import { useStore } from 'zustand';
import { uncertaintyStore } from '../state/uncertainty';

export function ResultsTable() {
  const result = useApp((s) => s.session.result);
  const minos = useStore(uncertaintyStore, (s) => (s.result === result ? s.minos : null));
  const minosRunning = useStore(uncertaintyStore, (s) => s.running?.kind === 'minos');
  if (!result) return <section className="panel results" aria-label="Results"><p className="hint">Fit to see values, errors and the statistic here.</p></section>;
  const rows = Object.entries(result.parameters);
  return (
    <section className="panel results" aria-label="Results">
      <table aria-label="Parameters" className="params-table">
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Parameter</th>
            <th scope="col">Value</th>
            <th scope="col">Error</th>
            <th scope="col" title="MINOS (profile-likelihood) lower error">MINOS −</th>
            <th scope="col" title="MINOS (profile-likelihood) upper error">MINOS +</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([key, p]) => {
            const dot = key.lastIndexOf('.');
            return (
              <tr key={key} className={p.atBound ? 'at-bound' : undefined}>
                <td>{dot >= 0 ? key.slice(0, dot) : ''}</td>
                <td>{dot >= 0 ? key.slice(dot + 1) : key}</td>
                <td>{fmt(p.value, 7)}</td>
                <td title={p.errorReason}>{fmt(p.error, 3)}</td>
                {(['lower', 'upper'] as const).map((side) => {
                  const m = minos?.[key];
                  const v = m ? m[side] : null;
                  const valid = m ? m[side === 'lower' ? 'lowerValid' : 'upperValid'] : true;
                  const reason = m ? m[side === 'lower' ? 'lowerReason' : 'upperReason'] : null;
                  return (
                    <td key={side} className={m && v !== null && !valid ? 'minos-invalid' : undefined} title={reason ?? undefined}>
                      {v !== null ? fmt(v, 3) + (valid ? '' : ' *') : m && minosRunning ? '…' : m && reason ? '—' : ''}
                    </td>
                  );
                })}
                <td>{p.atBound ? `at ${p.atBound} bound` : (p.errorReason ?? '')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <dl className="fit-summary" aria-label="Fit summary">
        <dt>{STATISTIC_LABELS[result.statistic.name]}</dt>
        <dd data-testid="statistic">{fmt(result.statistic.value)}</dd>
        <dt>reduced</dt>
        <dd data-testid="reduced-statistic">{fmt(result.reducedStatistic)}</dd>
        <dt>dof</dt>
        <dd>{result.dof}</dd>
        <dt>evaluations</dt>
        <dd>{result.nfev}</dd>
        <dt>time</dt>
        <dd>{fmt(result.elapsedMs, 3)} ms</dd>
        <dt className="message-term">{result.converged ? 'status' : result.cancelled ? 'cancelled' : 'NOT converged'}</dt>
        <dd className="message" data-testid="fit-message">{result.message}</dd>
      </dl>
      <p className="hint">
        Errors: {result.errorsScaled ? 'data have no sigma, so errors are scaled by the square root of the reduced chi-square' : 'from the covariance (Δχ² = 1 / Δ(−ln L) = 0.5), not scaled'}.
        {result.covarianceReason ? ` ${result.covarianceReason}` : ''}
      </p>
    </section>
  );
}
