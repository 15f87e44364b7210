import { setColumns } from '../state/actions';
import { FilePickerButton } from './FilePickerButton';
import { useApp } from './use-app';

/** Load data button, the active dataset's summary and its column choice. */
export function DataBar() {
  const dataset = useApp((s) => s.session.datasets[s.session.activeDataset] ?? null);
  const source = useApp((s) => (dataset ? s.sources[dataset.name] : undefined));
  return (
    <div className="databar">
      <FilePickerButton label="Load data" accept=".csv,.tsv,.txt,.dat,.json,.npy,.fitbench.json,.fits,.fit,.fts,.gz,.hspy,.hdf5,.h5,.msa,.emsa" />
      <FilePickerButton label="Load folder" secondary folder title="A folder of data files, e.g. PyAutoFit dataset folders with data.json and noise_map.json" />
      {dataset && (
        <span className="dataset-info" data-testid="dataset-info">
          <strong>{dataset.name}</strong> · {dataset.values.length} points{dataset.sigma ? ' · with sigma' : ''}
          {dataset.notes && dataset.notes.length > 0 && <span className="notes"> · {dataset.notes.join('; ')}</span>}
        </span>
      )}
      {dataset && source && (
        <span className="columns">
          {(['x', 'y', 'sigma'] as const).map((role) => (
            <label key={role}>
              {role}{' '}
              <select
                aria-label={`${role} column`}
                value={source.choice[role] ?? -1}
                onChange={(e) => {
                  const v = Number(e.currentTarget.value);
                  setColumns(dataset.name, { ...source.choice, [role]: role === 'sigma' && v < 0 ? null : v });
                }}
              >
                {role === 'sigma' && <option value={-1}>none</option>}
                {source.table.columns.map((c, i) => (
                  <option key={i} value={i}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </span>
      )}
    </div>
  );
}
