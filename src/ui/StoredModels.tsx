import { useState } from 'react';
import { deleteStoredModel, restoreStoredModel, storeModel } from '../state/session-actions';
import { fmt } from './format';
import { useApp } from './use-app';

/** HyperSpy's store/restore: named snapshots of the model and its result, compared side by side. */
export function StoredModels() {
  const stored = useApp((s) => s.session.stored);
  const running = useApp((s) => s.fitRunning);
  const [name, setName] = useState('');
  const keys = [...new Set(stored.flatMap((m) => (m.result ? Object.keys(m.result.values) : [])))];
  return (
    <section className="panel stored-panel" aria-label="Stored models">
      <h2>Stored models</h2>
      <form
        className="fit-row"
        onSubmit={(e) => {
          e.preventDefault();
          storeModel(name || `model ${stored.length + 1}`);
          setName('');
        }}
      >
        <input aria-label="Stored model name" placeholder={`model ${stored.length + 1}`} value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <button type="submit" disabled={running}>
          Store model
        </button>
      </form>
      {stored.length > 0 && (
        <div className="stored-table-wrap">
          <table className="params-table" aria-label="Stored models comparison">
            <thead>
              <tr>
                <th scope="col">Model</th>
                {stored.map((m) => (
                  <th scope="col" key={m.name}>
                    {m.name}
                    <span className="stored-actions">
                      <button type="button" aria-label={`Restore ${m.name}`} disabled={running} onClick={() => restoreStoredModel(m.name)}>
                        Restore
                      </button>
                      <button type="button" aria-label={`Delete ${m.name}`} onClick={() => deleteStoredModel(m.name)}>
                        Delete
                      </button>
                    </span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">statistic</th>
                {stored.map((m) => (
                  <td key={m.name}>{m.result ? `${m.result.statistic.name} ${fmt(m.result.statistic.value)}` : 'not fitted'}</td>
                ))}
              </tr>
              <tr>
                <th scope="row">reduced</th>
                {stored.map((m) => (
                  <td key={m.name}>{m.result ? fmt(m.result.reducedStatistic) : ''}</td>
                ))}
              </tr>
              {keys.map((k) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  {stored.map((m) => {
                    const p = m.result?.parameters[k];
                    const v = m.result?.values[k];
                    return <td key={m.name}>{v === undefined ? '' : p?.error != null ? `${fmt(v, 6)} ± ${fmt(p.error, 2)}` : fmt(v, 6)}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
