import { useMemo, useState } from 'react';
import { paramKey, type ModelDoc } from '../core/model/document';
import { emptyJoint, type JointDoc } from '../core/fit/joint-document';
import { jointFreeCount } from '../core/fit/joint-count';
import { alert, fitDatasets, removeDataset, renameDataset, runFit, runSequentialFit, selectDataset, setJoint, toggleDatasetHidden } from '../state/actions';
import { useApp } from './use-app';

/** a stable empty list: a selector must not return a fresh array each time (endless re-render) */
const NONE: string[] = [];

/**
 * joint.components without names the model no longer has (a removed component), one entry per
 * dataset (null: every component); undefined when every dataset uses every component.
 */
function cleanComponents(joint: JointDoc, model: ModelDoc, nDatasets: number): (string[] | null)[] | undefined {
  const names = model.components.map((c) => c.name);
  const lists = Array.from({ length: nDatasets }, (_, i) => {
    const list = joint.components?.[i];
    return Array.isArray(list) ? list.filter((n) => names.includes(n)) : null;
  });
  return lists.some((l) => l !== null) ? lists : undefined;
}

/** the JointDoc of the datasets kept (in their order), dataset variables and components realigned */
function forDatasets(joint: JointDoc, model: ModelDoc, nDatasets: number, keep: number[]): JointDoc {
  const components = cleanComponents(joint, model, nDatasets);
  const out: JointDoc = { ...joint, datasetVars: keep.map((i) => joint.datasetVars[i] ?? {}) };
  delete out.components;
  const kept = components ? keep.map((i) => components[i]) : [];
  if (kept.some((l) => l !== null)) out.components = kept;
  return out;
}

/**
 * Several datasets: the list (select, rename, hide from multi-dataset fits, remove), dataset
 * variables, which components each dataset's model uses (datasets with different models share the
 * parameters of the components they have in common), which parameters are free per dataset,
 * relations of dataset variables (e.g. Gaussian.sigma = m*x + c), the free-parameter count, and
 * joint or sequential fits.
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
  /** indices of the datasets a joint fit uses (not hidden) */
  const keepOf = (): number[] => datasets.map((d, i) => (hidden.includes(d.name) ? -1 : i)).filter((i) => i >= 0);
  const count = useMemo(() => {
    if (visible.length < 2) return null;
    return jointFreeCount(model, forDatasets(joint, model, datasets.length, keepOf()), visible.length, visible.map((d) => d.name));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keepOf reads datasets and hidden
  }, [model, joint, datasets, hidden, visible]);
  if (datasets.length < 2) return null;

  const catalogue = model.components.map((c) => c.name);
  const activeComponents = model.components.filter((c) => c.active).map((c) => c.name);
  const lists = cleanComponents(joint, model, datasets.length);
  const uses = (i: number, name: string): boolean => !lists || lists[i] === null || lists[i]!.includes(name);
  const showGrid = activeComponents.length >= 2 || lists !== undefined;
  /** ticks or unticks a component of dataset i; a dataset with every component goes back to null */
  const setUses = (i: number, name: string, on: boolean) => {
    const next = Array.from({ length: datasets.length }, (_, k) => lists?.[k] ?? null);
    const current = next[i] ?? catalogue;
    const list = on ? catalogue.filter((n) => n === name || current.includes(n)) : current.filter((n) => n !== name);
    next[i] = catalogue.every((n) => list.includes(n)) ? null : list;
    const out: JointDoc = { ...joint };
    if (next.some((l) => l !== null)) out.components = next;
    else delete out.components;
    setJoint(out);
  };
  const remove = (i: number) => {
    // the component lists follow the datasets (actions.removeDataset realigns the dataset variables)
    if (joint.components) {
      const out: JointDoc = { ...joint, components: joint.components.filter((_, k) => k !== i) };
      if (!out.components!.some((l) => Array.isArray(l))) delete out.components;
      setJoint(out);
    }
    removeDataset(i);
  };
  const fitJointly = () => {
    const { datasets: fitted } = fitDatasets();
    if (fitted.length < 2) {
      alert('A joint fit needs at least two (visible) datasets; use Fit for one.');
      return;
    }
    void runFit({ datasets: fitted, doc: forDatasets(joint, model, datasets.length, keepOf()) });
  };

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
                <button type="button" aria-label={`Remove dataset ${d.name}`} disabled={running} onClick={() => remove(i)}>
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
      {showGrid && (
        <table className="params-table dataset-components" aria-label="Components per dataset">
          <caption>Components each dataset's model uses (parameters of shared components are shared)</caption>
          <thead>
            <tr>
              <th scope="col">Dataset</th>
              {activeComponents.map((c) => (
                <th scope="col" key={c}>
                  {c || 'formula'}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {datasets.map((d, i) => (
              <tr key={d.name}>
                <th scope="row">{d.name}</th>
                {activeComponents.map((c) => (
                  <td key={c}>
                    <input type="checkbox" aria-label={`${d.name} uses ${c || 'formula'}`} checked={uses(i, c)} disabled={running} onChange={(e) => setUses(i, c, e.currentTarget.checked)} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
        <button type="button" className="primary" disabled={running || count === null || !('total' in count)} onClick={fitJointly}>
          Fit jointly
        </button>
        <button type="button" disabled={running || visible.length === 0} onClick={() => void runSequentialFit()}>
          Fit each
        </button>
      </div>
    </section>
  );
}
