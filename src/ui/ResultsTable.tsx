import { STATISTIC_LABELS } from '../core/fit/settings';
import { fmt } from './format';
import { useApp } from './use-app';
import { useStore } from 'zustand';
import { uncertaintyStore } from '../state/uncertainty';
import { DEG_PER_RAD } from '../figures/image-display';

export function ResultsTable() {
  const result = useApp((s) => s.session.result);
  const minos = useStore(uncertaintyStore, (s) => (s.result === result ? s.minos : null));
  const minosRunning = useStore(uncertaintyStore, (s) => s.running?.kind === 'minos');
  // position angles of image components are stored in radians and shown in degrees, as in the model panel
  const image = useApp((s) => s.session.datasets[s.session.activeDataset]?.kind === 'image');
  if (!result) return <section className="panel results" aria-label="Results"><p className="hint">Fit to see values, errors and the statistic here.</p></section>;
  const rows = Object.entries(result.parameters);
  const multi = result.datasets !== undefined && result.datasets.length > 0;
  /** `Gaussian.sigma[1]` -> ['Gaussian', 'sigma', dataset name of index 1] */
  const split = (key: string): [string, string, string] => {
    const m = /^(.*)\[(\d+)\]$/.exec(key);
    const base = m ? m[1] : key;
    const ds = m && result.datasets ? (result.datasets[Number(m[2])]?.name ?? m[2]) : multi ? 'all' : '';
    const dot = base.lastIndexOf('.');
    return [dot >= 0 ? base.slice(0, dot) : '', dot >= 0 ? base.slice(dot + 1) : base, ds];
  };
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
            {multi && <th scope="col">Dataset</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map(([key, p]) => {
            const [comp, param, ds] = split(key);
            const f = image && param === 'PA' ? DEG_PER_RAD : 1;
            return (
              <tr key={key} className={p.atBound ? 'at-bound' : undefined} data-key={key}>
                <td>{comp}</td>
                <td>{param}</td>
                <td>{fmt(p.value * f, 7)}</td>
                <td title={p.errorReason}>{fmt(p.error === null ? null : p.error * f, 3)}</td>
                {(['lower', 'upper'] as const).map((side) => {
                  const m = minos?.[key];
                  const v = m ? m[side] : null;
                  const valid = m ? m[side === 'lower' ? 'lowerValid' : 'upperValid'] : true;
                  const reason = m ? m[side === 'lower' ? 'lowerReason' : 'upperReason'] : null;
                  return (
                    <td key={side} className={m && v !== null && !valid ? 'minos-invalid' : undefined} title={reason ?? undefined}>
                      {v !== null ? fmt(v * f, 3) + (valid ? '' : ' *') : m && minosRunning ? '…' : m && reason ? '—' : ''}
                    </td>
                  );
                })}
                <td>{p.atBound ? `at ${p.atBound} bound` : (p.errorReason ?? (f !== 1 ? 'degrees' : ''))}</td>
                {multi && <td>{ds}</td>}
              </tr>
            );
          })}
          {Object.entries(result.derived ?? {}).map(([key, d]) => {
            const [comp, param, ds] = split(key);
            return (
              <tr key={key} className="derived" data-key={key}>
                <td>{comp}</td>
                <td>{param}</td>
                <td>{fmt(d.value, 7)}</td>
                <td>{fmt(d.error, 3)}</td>
                <td />
                <td />
                <td>{d.relation}</td>
                {multi && <td>{ds}</td>}
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
        {result.totalFree !== undefined && (
          <>
            <dt>free</dt>
            <dd data-testid="total-free">{result.totalFree}</dd>
          </>
        )}
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
