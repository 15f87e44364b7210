import { useMemo, useState } from 'react';
import { paramKey } from '../core/model/document';
import { emptyJoint, type JointDoc } from '../core/fit/joint-document';
import { jointFreeCount } from '../core/fit/joint-count';
import { removeDataset, renameDataset, runJointFit, runSequentialFit, selectDataset, setJoint, toggleDatasetHidden } from '../state/actions';
import { useApp } from './use-app';

/** a stable empty list: a selector must not return a fresh array each time (endless re-render) */
const NONE: string[] = [];

/**
 * Several datasets: the list (select, rename, hide from multi-dataset fits, remove), dataset
 * variables, which parameters are free per dataset, relations of dataset variables
 * (e.g. Gaussian.sigma = m*x + c), the free-parameter count, and joint or sequential fits.
 */
export function DatasetsPanel() {
  const datasets = useApp((s) => s.session.datasets);
  const active = useApp((s) => s.session.activeDataset);
  const hidden = useApp((s) => s.session.view.hiddenDatasets ?? NONE);
  const model = useApp((s) => s.session.model);
  const jointDoc = useApp((s) => s.session.joint);
  const running = useApp((s) => s.fitRunning);
  const joint: JointDoc = jointDoc ?? emptyJoint();
  const [varName, setVarName] = useState('');
  const [relParam, setRelParam] = useState('');
  const [relExpr, setRelExpr] = useState('');
  const keys = useMemo(() => model.components.filter((c) => c.active).flatMap((c) => Object.keys(c.params).map((p) => paramKey(c.name, p))), [model]);
  const visible = datasets.filter((d) => !hidden.includes(d.name));
  const varNames = [...new Set(joint.datasetVars.flatMap((v) => Object.keys(v ?? {})))];
  const count = useMemo(() => {
    if (visible.length < 2) return null;
    const vars = datasets.map((d, i) => ({ d, v: joint.datasetVars[i] ?? {} })).filter(({ d }) => !hidden.includes(d.name));
    return jointFreeCount(model, { ...joint, datasetVars: vars.map((x) => x.v) }, visible.length, visible.map((d) => d.name));
  }, [model, joint, datasets, hidden, visible]);
  if (datasets.length < 2) return null;

  const setVar = (i: number, name: string, text: string) => {
    const v = Number(text);
    const dv = datasets.map((_, k) => ({ ...(joint.datasetVars[k] ?? {}) }));
    if (text.trim() === '' || !Number.isFinite(v)) delete dv[i][name];
    else dv[i][name] = v;
    setJoint({ ...joint, datasetVars: dv });
  };

  return (
    <section className="panel datasets-panel" aria-label="Datasets">
      <h2>Datasets</h2>
      <table className="params-table" aria-label="Dataset list">
        <thead>
          <tr>
            <th scope="col">Show</th>
            <th scope="col">Name</th>
            <th scope="col">Points</th>
            {varNames.map((v) => (
              <th scope="col" key={v}>
                {v}
              </th>
            ))}
            <th scope="col">In fits</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {datasets.map((d, i) => (
            <tr key={d.name} className={i === active ? 'active-dataset' : undefined}>
              <td>
                <input type="radio" name="active-dataset" aria-label={`Show ${d.name}`} checked={i === active} onChange={() => selectDataset(i)} />
              </td>
              <td>
                <input aria-label={`Name of dataset ${i + 1}`} defaultValue={d.name} key={d.name} onBlur={(e) => renameDataset(i, e.currentTarget.value)} />
              </td>
              <td>{d.values.length}</td>
              {varNames.map((v) => (
                <td key={v}>
                  <input
                    className="var-input"
                    aria-label={`${d.name} ${v}`}
                    defaultValue={joint.datasetVars[i]?.[v]?.toString() ?? ''}
                    key={`${v}${joint.datasetVars[i]?.[v]}`}
                    onBlur={(e) => setVar(i, v, e.currentTarget.value)}
                  />
                </td>
              ))}
              <td>
                <input type="checkbox" aria-label={`Use ${d.name} in multi-dataset fits`} checked={!hidden.includes(d.name)} onChange={() => toggleDatasetHidden(d.name)} />
              </td>
              <td>
                <button type="button" aria-label={`Remove dataset ${d.name}`} disabled={running} onClick={() => removeDataset(i)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="fit-row"
        onSubmit={(e) => {
          e.preventDefault();
          const name = varName.trim();
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || varNames.includes(name)) return;
          setJoint({ ...joint, datasetVars: datasets.map((_, i) => ({ ...(joint.datasetVars[i] ?? {}), [name]: i + 1 })) });
          setVarName('');
        }}
      >
        <input aria-label="New dataset variable" placeholder="variable, e.g. x" value={varName} onChange={(e) => setVarName(e.currentTarget.value)} />
        <button type="submit">Add variable</button>
      </form>
      <fieldset className="per-dataset">
        <legend>Free per dataset (the others are shared)</legend>
        {keys.map((k) => (
          <label key={k}>
            <input
              type="checkbox"
              aria-label={`${k} per dataset`}
              checked={joint.perDataset.includes(k)}
              onChange={(e) => setJoint({ ...joint, perDataset: e.currentTarget.checked ? [...joint.perDataset, k] : joint.perDataset.filter((p) => p !== k) })}
            />{' '}
            {k}
          </label>
        ))}
      </fieldset>
      <div className="relations">
        {joint.relations.map((r, i) => (
          <div key={i} className="fit-row">
            <code>
              {r.param} = {r.expr}
            </code>
            <button type="button" aria-label={`Remove relation ${r.param}`} onClick={() => setJoint({ ...joint, relations: joint.relations.filter((_, k) => k !== i) })}>
              Remove
            </button>
          </div>
        ))}
        <form
          className="fit-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (!relParam || !relExpr.trim()) return;
            setJoint({ ...joint, relations: [...joint.relations.filter((r) => r.param !== relParam), { param: relParam, expr: relExpr.trim(), params: {} }] });
            setRelExpr('');
          }}
        >
          <select aria-label="Relation parameter" value={relParam} onChange={(e) => setRelParam(e.currentTarget.value)}>
            <option value="">parameter…</option>
            {keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <span>=</span>
          <input aria-label="Relation formula" placeholder="m*x + c" value={relExpr} onChange={(e) => setRelExpr(e.currentTarget.value)} />
          <button type="submit">Add relation</button>
        </form>
      </div>
      <p className="hint" data-testid="free-count">
        {count === null ? 'Tick at least two datasets for a joint fit.' : 'total' in count ? `Total free parameters = ${count.total}` : `Joint setup: ${count.problem}`}
      </p>
      <div className="fit-row">
        <button type="button" className="primary" disabled={running || count === null || !('total' in count)} onClick={() => void runJointFit()}>
          Fit jointly
        </button>
        <button type="button" disabled={running || visible.length === 0} onClick={() => void runSequentialFit()}>
          Fit each
        </button>
      </div>
    </section>
  );
}
