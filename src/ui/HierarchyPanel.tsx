/**
 * The "Hierarchical model" panel: build a population model (hyperparameters with priors, member
 * groups drawn from a population, observation formulas with data from a loaded dataset or pasted),
 * or load the star-cluster example, and sample it with NUTS on the sampler workers. Hundreds of
 * members are shown collapsed (`r[0..255]`); the user chooses which parameters the summary, trace
 * and corner show (the hyperparameters by default). No numerics here: state/hierarchy-actions.ts.
 */
import { Component, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { StreamedPlot } from './StreamedPlot';
import { SummaryHeader, SummaryRow } from './SummaryRows';
import type { HierarchyDoc, HyperDoc, HyperPriorDoc, HyperTransform, MemberDoc, ObservationDoc, PopulationKind } from '../core/hierarchy/document';
import { formatSelection, groupStats, parseSelection, type KeyLayout } from '../core/hierarchy/summary';
import type { PosteriorSummary } from '../core/sample';
import { hierarchyCornerFigure, hierarchyTraceFigure, MAX_CORNER_PARAMETERS, MAX_TRACE_PARAMETERS } from '../figures/hierarchy-figures';
import { CHAIN_COLORS } from '../figures/sampler-figures';
import {
  addHyperparameter,
  addMemberGroup,
  addObservationModel,
  cancelHierarchySampling,
  datasetColumns,
  hierarchySamplingUnavailable,
  hierarchyStore,
  loadStarClusterExample,
  newHierarchy,
  observationFromDataset,
  observationFromText,
  removeHierarchy,
  removeHyperparameter,
  removeMemberGroup,
  removeObservationModel,
  renameHyperparameter,
  renameMemberGroup,
  runHierarchySampling,
  setHierarchyRunConfig,
  setHierarchySelection,
  setHyperparameter,
  setMemberGroup,
  setMemberPopulation,
  setObservationModel,
  type HierarchyChainStatus,
  type HierarchyState,
} from '../state/hierarchy-actions';
import { CHAINS_METHOD } from '../workers/sampler-chain';
import { fmt } from './format';
import { useApp } from './use-app';
import './hierarchy.css';

function useHierarchy<T>(selector: (s: HierarchyState) => T): T {
  return useStore(hierarchyStore, selector);
}

const num = (v: number | undefined, d = 4) => (v !== undefined && Number.isFinite(v) ? fmt(v, d) : '—');
const show = (v: number | undefined) => (v === undefined ? '' : String(v));

/* ---------------------------------------------------------------- input fields */

/**
 * A number typed as text, applied on Enter or when leaving the field; anything that is not a
 * number keeps the field's text and says so, naming the field. Optional fields take '' (or inf)
 * for "none".
 */
function NumberField({ label, value, onCommit, optional, width = '6em' }: { label: string; value: number | undefined; onCommit: (v: number | undefined) => void; optional?: boolean; width?: string }) {
  const [text, setText] = useState(show(value));
  const [error, setError] = useState<string | null>(null);
  const last = useRef(value);
  useEffect(() => {
    if (value !== last.current) {
      last.current = value;
      setText(show(value));
      setError(null);
    }
  }, [value]);
  const commit = () => {
    const t = text.trim().toLowerCase();
    let v: number | undefined;
    if (t === '' || (optional && (t === 'inf' || t === '-inf' || t === '+inf' || t === 'none'))) {
      if (!optional) {
        setError(`${label}: a number is needed`);
        return;
      }
      v = undefined;
    } else {
      v = Number(t);
      if (!Number.isFinite(v)) {
        setError(`${label}: '${text.trim().slice(0, 30)}' is not a number`);
        return;
      }
    }
    setError(null);
    if (v === last.current) return;
    last.current = v;
    onCommit(v);
  };
  return (
    <span className="hier-field">
      <input
        type="text"
        inputMode="decimal"
        aria-label={label}
        aria-invalid={error ? true : undefined}
        value={text}
        style={{ width }}
        placeholder={optional ? 'none' : undefined}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
      {error && (
        <span className="hier-field-error" role="status">
          {error}
        </span>
      )}
    </span>
  );
}

/** Text (a name or a formula) applied on Enter or blur; `check` may refuse it with a reason. */
function TextField({ label, value, onCommit, check, width = '7em' }: { label: string; value: string; onCommit: (v: string) => void; check?: (v: string) => string | null; width?: string }) {
  const [text, setText] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const last = useRef(value);
  useEffect(() => {
    if (value !== last.current) {
      last.current = value;
      setText(value);
      setError(null);
    }
  }, [value]);
  const commit = () => {
    const t = text.trim();
    const why = t === '' ? 'must not be empty' : (check?.(t) ?? null);
    if (why) {
      setError(`${label}: ${why}`);
      return;
    }
    setError(null);
    if (t === last.current) return;
    last.current = t;
    onCommit(t);
  };
  return (
    <span className="hier-field">
      <input
        type="text"
        aria-label={label}
        aria-invalid={error ? true : undefined}
        value={text}
        style={{ width }}
        spellCheck={false}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
      {error && (
        <span className="hier-field-error" role="status">
          {error}
        </span>
      )}
    </span>
  );
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const identCheck = (v: string) => (IDENT.test(v) ? null : 'use letters, digits and _ (not starting with a digit)');

/** A population's mu or sigma: a hyperparameter name or a number. */
function RefField({ label, value, onCommit }: { label: string; value: string | number; onCommit: (v: string | number) => void }) {
  return (
    <TextField
      label={label}
      value={String(value)}
      width="5.5em"
      check={(t) => (IDENT.test(t) || Number.isFinite(Number(t)) ? null : 'write a hyperparameter name or a number')}
      onCommit={(t) => onCommit(IDENT.test(t) ? t : Number(t))}
    />
  );
}

/* ------------------------------------------------------------- hyperparameters */

type PriorChoice = 'flat' | HyperPriorDoc['kind'];
const PRIOR_LABELS: Record<PriorChoice, string> = { flat: 'flat (bounds)', uniform: 'Uniform', loguniform: 'LogUniform', gaussian: 'Normal', truncgaussian: 'TruncNormal' };

function defaultPrior(kind: PriorChoice, h: HyperDoc): HyperPriorDoc | undefined {
  const tr = h.prior?.transform;
  const scale = h.prior?.scale;
  const keep = tr && tr !== 'none' ? { transform: tr, ...(scale !== undefined ? { scale } : {}) } : {};
  const v = h.value;
  const s = Math.abs(v) > 0 ? Math.abs(v) : 1;
  switch (kind) {
    case 'flat':
      return undefined;
    case 'uniform':
      return { kind, lower: h.lower ?? v - 10 * s, upper: h.upper ?? v + 10 * s, ...keep };
    case 'loguniform':
      return { kind, lower: v > 0 ? v / 100 : 0.01, upper: v > 0 ? v * 100 : 100 };
    case 'gaussian':
      return { kind, mu: v, sigma: s, ...keep };
    case 'truncgaussian':
      return { kind, mu: v, sigma: s, lower: h.lower ?? 0, ...keep };
  }
}

function HyperRow({ name, h, names }: { name: string; h: HyperDoc; names: string[] }) {
  const p = h.prior;
  const kind: PriorChoice = p?.kind ?? 'flat';
  const set = (next: HyperDoc) => setHyperparameter(name, next);
  const setPrior = (patch: Partial<HyperPriorDoc>) => {
    if (!p) return;
    const np: HyperPriorDoc = { ...p, ...patch };
    for (const k of Object.keys(patch) as (keyof HyperPriorDoc)[]) if (patch[k] === undefined) delete np[k];
    set({ ...h, prior: np });
  };
  const tr: HyperTransform = p?.transform ?? 'none';
  const field = (k: 'lower' | 'upper' | 'mu' | 'sigma', label: string) => <NumberField label={`${name} prior ${label}`} value={p?.[k]} optional={k === 'lower' || k === 'upper'} width="4em" onCommit={(v) => setPrior({ [k]: v })} />;
  return (
    <tr>
      <td>
        <TextField label={`Hyperparameter ${names.indexOf(name) + 1} name`} value={name} width="5.5em" check={(t) => identCheck(t) ?? (t !== name && names.includes(t) ? `'${t}' is already used` : null)} onCommit={(t) => renameHyperparameter(name, t)} />
      </td>
      <td>
        <NumberField label={`${name} start`} value={h.value} width="5.5em" onCommit={(v) => set({ ...h, value: v! })} />
      </td>
      <td>
        <NumberField label={`${name} lower bound`} value={h.lower} optional width="4em" onCommit={(v) => set({ ...h, lower: v })} />
      </td>
      <td>
        <NumberField label={`${name} upper bound`} value={h.upper} optional width="4em" onCommit={(v) => set({ ...h, upper: v })} />
      </td>
      <td className="hier-prior">
        <select aria-label={`${name} prior`} value={kind} onChange={(e) => set({ ...h, prior: defaultPrior(e.currentTarget.value as PriorChoice, h) })}>
          {(Object.keys(PRIOR_LABELS) as PriorChoice[]).map((k) => (
            <option key={k} value={k}>
              {PRIOR_LABELS[k]}
            </option>
          ))}
        </select>
        {p && (
          <>
            {' on '}
            <select
              aria-label={`${name} prior transform`}
              value={tr}
              title="the prior is on t = T(x / scale)"
              onChange={(e) => {
                const t = e.currentTarget.value as HyperTransform;
                setPrior(t === 'none' ? { transform: undefined, scale: undefined } : { transform: t });
              }}
            >
              <option value="none">x</option>
              <option value="ln">ln(x / scale)</option>
              <option value="log10">log10(x / scale)</option>
            </select>
          </>
        )}
      </td>
      <td className="hier-prior-params">
        {(kind === 'uniform' || kind === 'loguniform') && (
          <>
            {field('lower', 'lower')} .. {field('upper', 'upper')}
          </>
        )}
        {(kind === 'gaussian' || kind === 'truncgaussian') && (
          <>
            μ {field('mu', 'mu')} σ {field('sigma', 'sigma')}
          </>
        )}
        {kind === 'truncgaussian' && (
          <>
            {' '}
            on [{field('lower', 'lower')}, {field('upper', 'upper')}]
          </>
        )}
        {p && tr !== 'none' && (
          <>
            {' '}
            scale <NumberField label={`${name} prior scale`} value={p.scale ?? 1} width="4em" onCommit={(v) => setPrior({ scale: v })} />
          </>
        )}
      </td>
      <td>
        <button type="button" aria-label={`Remove hyperparameter ${name}`} title="remove" onClick={() => removeHyperparameter(name)}>
          ×
        </button>
      </td>
    </tr>
  );
}

/* ------------------------------------------------------------------- members */

function MemberRow({ m, index, names }: { m: MemberDoc; index: number; names: string[] }) {
  const p = m.population;
  const label = m.name;
  return (
    <tr>
      <td>
        <TextField label={`Member group ${index + 1} name`} value={m.name} width="5.5em" check={(t) => identCheck(t) ?? (t !== m.name && names.includes(t) ? `'${t}' is already used` : null)} onCommit={(t) => renameMemberGroup(index, t)} />
      </td>
      <td>
        <NumberField
          label={`${label} count`}
          value={m.count}
          width="4.5em"
          onCommit={(v) => {
            if (v !== undefined) setMemberGroup(index, { count: v });
          }}
        />
      </td>
      <td>
        <select aria-label={`${label} population`} value={p.kind} onChange={(e) => setMemberPopulation(index, { kind: e.currentTarget.value as PopulationKind })}>
          <option value="normal">Normal</option>
          <option value="truncnormal">TruncNormal</option>
          <option value="lognormal">LogNormal</option>
        </select>
      </td>
      <td>
        <RefField label={`${label} population mu`} value={p.mu} onCommit={(v) => setMemberPopulation(index, { mu: v })} />
      </td>
      <td>
        <RefField label={`${label} population sigma`} value={p.sigma} onCommit={(v) => setMemberPopulation(index, { sigma: v })} />
      </td>
      <td>{p.kind === 'truncnormal' ? <NumberField label={`${label} truncation lower`} value={p.lower} optional width="4.5em" onCommit={(v) => setMemberPopulation(index, { lower: v })} /> : <span className="hint">—</span>}</td>
      <td>{p.kind === 'truncnormal' ? <NumberField label={`${label} truncation upper`} value={p.upper} optional width="4.5em" onCommit={(v) => setMemberPopulation(index, { upper: v })} /> : <span className="hint">—</span>}</td>
      <td>
        <select aria-label={`${label} parameterisation`} value={m.parameterization ?? 'centered'} onChange={(e) => setMemberGroup(index, { parameterization: e.currentTarget.value as 'centered' | 'noncentered' })}>
          <option value="centered">centred</option>
          <option value="noncentered" disabled={p.kind === 'truncnormal'}>
            non-centred
          </option>
        </select>
      </td>
      <td className="hier-start">
        {m.start ? (
          <>
            {m.start.length} given{' '}
            <button type="button" aria-label={`Clear ${label} start values`} onClick={() => setMemberGroup(index, { start: undefined })}>
              clear
            </button>
          </>
        ) : (
          <span className="hint">population centre</span>
        )}
      </td>
      <td>
        <button type="button" aria-label={`Remove member group ${label}`} title="remove" onClick={() => removeMemberGroup(index)}>
          ×
        </button>
      </td>
    </tr>
  );
}

/* -------------------------------------------------------------- observations */

function dataSummary(o: ObservationDoc): string {
  const seen = o.values.filter((v): v is number => v !== null);
  const sig = typeof o.sigmas === 'number' ? `sigma ${fmt(o.sigmas, 4)} for all` : `${o.sigmas.length} sigmas`;
  if (seen.length === 0) return `nothing observed yet (${o.values.length} members); ${sig}`;
  const lo = Math.min(...seen);
  const hi = Math.max(...seen);
  return `${seen.length} of ${o.values.length} members observed, values ${fmt(lo, 4)} … ${fmt(hi, 4)}; ${sig}`;
}

function ObservationBlock({ o, index, doc }: { o: ObservationDoc; index: number; doc: HierarchyDoc }) {
  const datasets = useApp((s) => s.session.datasets);
  useApp((s) => s.sources);
  const [ds, setDs] = useState(0);
  const columns = datasets.length > 0 ? datasetColumns(Math.min(ds, datasets.length - 1)) : [];
  const [valueCol, setValueCol] = useState('');
  const [sigmaCol, setSigmaCol] = useState('');
  const [sigmaValue, setSigmaValue] = useState('1');
  const [pasteValues, setPasteValues] = useState('');
  const [pasteSigmas, setPasteSigmas] = useState('1');
  const [problem, setProblem] = useState<string | null>(null);
  const vc = columns.includes(valueCol) ? valueCol : (columns.find((c) => !/^(x|sigma|error|err)$/i.test(c)) ?? columns[0] ?? '');
  const sc = sigmaCol === '' || columns.includes(sigmaCol) ? sigmaCol : '';
  const n = index + 1;
  return (
    <fieldset className="hier-observation" aria-label={`Observation ${n}`}>
      <legend>Observation {n}</legend>
      <div className="hier-row">
        <label>
          member{' '}
          <select aria-label={`Observation ${n} member`} value={o.member} onChange={(e) => setObservationModel(index, { member: e.currentTarget.value })}>
            {doc.members.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          y = <TextField label={`Observation ${n} formula`} value={o.expr} width="12em" onCommit={(t) => setObservationModel(index, { expr: t })} />
        </label>
        <span className="hint">in v (the member&apos;s value) and hyperparameters; y ~ Normal(formula, sigma)</span>
        <button type="button" aria-label={`Remove observation ${n}`} onClick={() => removeObservationModel(index)}>
          Remove
        </button>
      </div>
      <p className="hint" data-testid={`observation-${n}-data`}>
        {dataSummary(o)}
      </p>
      <div className="hier-row">
        <span>from a dataset:</span>
        {datasets.length === 0 ? (
          <span className="hint">load a data file to take columns from it</span>
        ) : (
          <>
            <select aria-label={`Observation ${n} dataset`} value={Math.min(ds, datasets.length - 1)} onChange={(e) => setDs(Number(e.currentTarget.value))}>
              {datasets.map((d, i) => (
                <option key={i} value={i}>
                  {d.name}
                </option>
              ))}
            </select>
            <label>
              values{' '}
              <select aria-label={`Observation ${n} values column`} value={vc} onChange={(e) => setValueCol(e.currentTarget.value)}>
                {columns.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
            <label>
              sigma{' '}
              <select aria-label={`Observation ${n} sigma column`} value={sc} onChange={(e) => setSigmaCol(e.currentTarget.value)}>
                <option value="">one number:</option>
                {columns.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
            {sc === '' && <input type="text" inputMode="decimal" aria-label={`Observation ${n} sigma`} value={sigmaValue} style={{ width: '4.5em' }} onChange={(e) => setSigmaValue(e.currentTarget.value)} />}
            <button
              type="button"
              aria-label={`Use columns for observation ${n}`}
              onClick={() => {
                const sv = Number(sigmaValue.trim());
                setProblem(observationFromDataset(index, Math.min(ds, datasets.length - 1), vc, sc !== '' ? { column: sc } : { value: sigmaValue.trim() === '' ? NaN : sv }));
              }}
            >
              Use columns
            </button>
          </>
        )}
      </div>
      <details>
        <summary>Paste values</summary>
        <div className="hier-row">
          <textarea aria-label={`Observation ${n} pasted values`} rows={3} cols={40} placeholder="one value per member, separated by spaces, commas or new lines; null where not observed" value={pasteValues} onChange={(e) => setPasteValues(e.currentTarget.value)} />
          <textarea aria-label={`Observation ${n} pasted sigmas`} rows={3} cols={20} placeholder="one sigma, or one per value" value={pasteSigmas} onChange={(e) => setPasteSigmas(e.currentTarget.value)} />
          <button type="button" aria-label={`Use pasted values for observation ${n}`} onClick={() => setProblem(observationFromText(index, pasteValues, pasteSigmas))}>
            Use pasted values
          </button>
        </div>
      </details>
      {problem && (
        <p className="model-problem" role="status">
          {problem}
        </p>
      )}
    </fieldset>
  );
}

/* -------------------------------------------------------------------- plots */


/* ------------------------------------------------------------------ results */

function phaseText(c: HierarchyChainStatus, draws: number): string {
  switch (c.phase) {
    case 'queued':
      return 'waiting for a worker';
    case 'tune':
      return `warm-up ${c.iteration} / ${c.total - draws}`;
    case 'sample':
      return `sampling ${Math.max(0, c.iteration - (c.total - draws))} / ${draws}`;
    case 'done':
      return `done, ${c.drawn} draws`;
    case 'stopped':
      return `stopped, ${c.drawn} draws kept`;
    case 'failed':
      return `failed: ${c.error ?? ''}`;
  }
}

function SelectionControls({ layout, selected }: { layout: KeyLayout; selected: string[] }) {
  const text = formatSelection(selected, layout);
  const [draft, setDraft] = useState(text);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(text);
    setError(null);
  }, [text]);
  const set = new Set(selected);
  const toggle = (keys: string[], on: boolean) => {
    const next = new Set(selected);
    for (const k of keys) {
      if (on) next.add(k);
      else next.delete(k);
    }
    setHierarchySelection(layout.keys.filter((k) => next.has(k)));
  };
  const apply = () => {
    const r = parseSelection(draft, layout);
    if (r.error) setError(`Shown parameters: ${r.error}`);
    else {
      setError(null);
      setHierarchySelection(r.keys);
    }
  };
  return (
    <fieldset className="hier-selection" aria-label="Parameters to show">
      <legend>Show</legend>
      {layout.hyper.map((h) => (
        <label key={h}>
          <input type="checkbox" aria-label={`Show ${h}`} checked={set.has(h)} onChange={(e) => toggle([h], e.currentTarget.checked)} /> {h}
        </label>
      ))}
      {layout.groups.map((g) => {
        const keys = layout.keys.slice(g.start, g.start + g.count);
        const all = keys.every((k) => set.has(k));
        return (
          <label key={g.name} title={`all ${g.count} members of ${g.name}`}>
            <input type="checkbox" aria-label={`Show all of ${g.label}`} checked={all} onChange={(e) => toggle(keys, e.currentTarget.checked)} /> {g.label}
          </label>
        );
      })}
      <label>
        or list:{' '}
        <input
          type="text"
          aria-label="Shown parameters"
          aria-invalid={error ? true : undefined}
          value={draft}
          spellCheck={false}
          placeholder={layout.groups[0] ? `e.g. ${layout.hyper[0] ?? ''}, ${layout.groups[0].name}[0..9]` : ''}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onBlur={apply}
          onKeyDown={(e) => {
            if (e.key === 'Enter') apply();
          }}
        />
      </label>
      {error && (
        <span className="hier-field-error" role="status">
          {error}
        </span>
      )}
    </fieldset>
  );
}

function SummaryTable({ summary, layout, selected }: { summary: PosteriorSummary; layout: KeyLayout; selected: string[] }) {
  const set = new Set(selected);
  const rows = summary.parameters.filter((p) => set.has(p.key));
  const collapsed = layout.groups.filter((g) => layout.keys.slice(g.start, g.start + g.count).some((k) => !set.has(k))).map((g) => groupStats(summary, g));
  return (
    <div className="hier-table-wrap">
      <table aria-label="Hierarchy summary" className="hier-table">
        <SummaryHeader />
        <tbody>
          {rows.map((p) => (
            <SummaryRow key={p.key} p={p} badClass="hier-bad" />
          ))}
          {collapsed.map((g) => (
            <tr key={g.label} className="hier-group-row" title={`${g.count} members, collapsed: the range of their means, their median sd, the smallest ESS and the largest R-hat`}>
              <td>
                {g.label} <span className="hint">({g.count})</span>
              </td>
              <td>
                {num(g.meanMin, 4)} … {num(g.meanMax, 4)}
              </td>
              <td>~{num(g.sdMedian, 3)}</td>
              <td />
              <td />
              <td />
              <td>≥ {Number.isFinite(g.essBulkMin) ? Math.round(g.essBulkMin) : '—'}</td>
              <td>≥ {Number.isFinite(g.essTailMin) ? Math.round(g.essTailMin) : '—'}</td>
              <td className={g.rhatMax > 1.01 ? 'hier-bad' : undefined}>≤ {Number.isFinite(g.rhatMax) ? g.rhatMax.toFixed(3) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SamplingSection() {
  const s = useHierarchy((x) => x);
  const session = useApp((x) => x.session.hierarchy);
  const wrap = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(300, Math.min(900, el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const cfg = s.config;
  const unavailable = hierarchySamplingUnavailable(s);
  const outcome = s.outcome;
  const layout = outcome?.layout ?? s.layout;
  const selected = layout ? (s.selection ?? layout.hyper).filter((k) => layout.keys.includes(k)) : [];
  const traceFig = useMemo(() => (layout && s.live.some((c) => c && c.nDraws > 0) ? hierarchyTraceFigure({ keys: layout.keys, selected, chains: s.live, map: outcome?.map ?? null, width }) : null), [layout, s.live, selected.join('\n'), outcome, width]);
  const cornerFig = useMemo(() => (outcome && outcome.results.length > 0 ? hierarchyCornerFigure({ keys: outcome.layout.keys, selected, results: outcome.results, map: outcome.map?.theta ?? null, width: Math.min(width, 620) }) : null), [outcome, selected.join('\n'), width]);
  const summary = outcome?.summary ?? null;
  const oc = outcome?.config;
  return (
    <div className="hier-sampling" ref={wrap}>
      <h3>Sample with NUTS</h3>
      <div className="hier-row">
        <label>
          chains <input type="number" aria-label="Hierarchy chain count" min={1} max={64} value={cfg.chains} disabled={s.running} onChange={(e) => setHierarchyRunConfig({ chains: Number(e.currentTarget.value) })} className="hier-num" />
        </label>
        <label>
          draws <input type="number" aria-label="Hierarchy draw count" min={1} value={cfg.draws} disabled={s.running} onChange={(e) => setHierarchyRunConfig({ draws: Number(e.currentTarget.value) })} className="hier-num" />
        </label>
        <label title="warm-up: step size and diagonal mass matrix adaptation (discarded)">
          tune <input type="number" aria-label="Hierarchy warm-up iterations" min={0} value={cfg.tune} disabled={s.running} onChange={(e) => setHierarchyRunConfig({ tune: Number(e.currentTarget.value) })} className="hier-num" />
        </label>
        <label>
          seed <input type="number" aria-label="Hierarchy seed" min={0} value={cfg.seed} disabled={s.running} onChange={(e) => setHierarchyRunConfig({ seed: Number(e.currentTarget.value) })} className="hier-num" />
        </label>
        <button type="button" onClick={() => void runHierarchySampling()} disabled={s.running || unavailable !== null} title={unavailable ?? 'NUTS chains on the sampler workers'}>
          Sample with NUTS
        </button>
        {unavailable && <span className="hint">{unavailable}</span>}
      </div>
      {s.chains.length > 0 && (s.running || !outcome) && (
        <div className="hier-progress">
          {s.chains.map((c, k) => (
            <div key={k} className="hier-chain-row">
              <span className="hier-chain-label" style={{ color: CHAIN_COLORS[k % CHAIN_COLORS.length] }}>
                Chain {k + 1}
              </span>
              <progress aria-label={`Progress of hierarchy chain ${k + 1}`} max={Math.max(1, c.total)} value={c.phase === 'queued' ? 0 : Math.min(c.total, c.iteration)} />
              <span className="progress-text">{phaseText(c, cfg.draws)}</span>
            </div>
          ))}
          {s.running && (
            <button type="button" onClick={cancelHierarchySampling} disabled={s.cancelling}>
              Cancel hierarchical sampling
            </button>
          )}
        </div>
      )}
      {s.error && (
        <p className="model-problem" role="status">
          {s.error}
        </p>
      )}
      {outcome && oc && layout && (
        <div className="hier-results">
          <p className="hint" data-testid="hierarchy-status">
            NUTS: {outcome.results.length} chains × {oc.draws} draws (tune {oc.tune}), {outcome.layout.keys.length} parameters, in {fmt(outcome.elapsedMs / 1000, 3)} s on {outcome.workers} worker{outcome.workers === 1 ? '' : 's'} ({fmt(outcome.msPerIteration, 3)} ms per iteration of a chain)
            {outcome.cancelled ? ' (cancelled: the draws so far are kept)' : ''}; acceptance {num(outcome.acceptance, 3)}, divergences {outcome.divergences}
          </p>
          {session !== outcome.doc && <p className="hint">The model has changed since these draws; sample again to update them.</p>}
          <SelectionControls layout={layout} selected={selected} />
          {summary && <SummaryTable summary={summary} layout={layout} selected={selected} />}
          {summary && <p className="hint hier-method">Diagnostics: {CHAINS_METHOD}. Collapsed rows: range of the members&apos; means, median sd, smallest ESS, largest R-hat.</p>}
          {outcome.warnings.length > 0 ? (
            <ul className="hier-warnings" aria-label="Hierarchy sampler warnings">
              {outcome.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          ) : (
            <p className="hint" aria-label="Hierarchy sampler warnings">
              No warnings: R-hat ≤ 1.01 and ESS ≥ 400 for every parameter, no divergences.
            </p>
          )}
        </div>
      )}
      {traceFig && (
        <details open>
          <summary>Trace plot{selected.length > MAX_TRACE_PARAMETERS ? ` (the first ${MAX_TRACE_PARAMETERS} of ${selected.length} shown parameters)` : ''}</summary>
          <StreamedPlot figure={traceFig} testId="hierarchy-trace" className="hier-plot" minRedrawMs={300} />
        </details>
      )}
      {cornerFig && (
        <details open>
          <summary>Corner plot{selected.length > MAX_CORNER_PARAMETERS ? ` (the first ${MAX_CORNER_PARAMETERS} of ${selected.length} shown parameters)` : ''}</summary>
          <p className="hint">Contours enclose 68.3 % and 95.4 % of the draws; ★ MAP sample.</p>
          <StreamedPlot figure={cornerFig} testId="hierarchy-corner" className="hier-plot" minRedrawMs={300} />
        </details>
      )}
    </div>
  );
}

/* -------------------------------------------------------------------- panel */

function ModelEditor({ doc }: { doc: HierarchyDoc }) {
  const hyperNames = Object.keys(doc.hyper);
  const memberNames = doc.members.map((m) => m.name);
  const nParams = hyperNames.length + doc.members.reduce((a, m) => a + (Number.isFinite(m.count) ? m.count : 0), 0);
  return (
    <>
      <p className="hint" data-testid="hierarchy-size">
        {hyperNames.length} hyperparameter{hyperNames.length === 1 ? '' : 's'}, {doc.members.map((m) => `${m.count} × ${m.name}`).join(', ')}: {nParams} parameters; {doc.observations.length} observation model{doc.observations.length === 1 ? '' : 's'}
      </p>
      <details open>
        <summary>Hyperparameters</summary>
        <div className="hier-table-wrap">
          <table className="hier-edit" aria-label="Hyperpriors">
            <thead>
              <tr>
                <th>name</th>
                <th>start</th>
                <th>lower</th>
                <th>upper</th>
                <th>prior</th>
                <th>prior parameters</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {hyperNames.map((h) => (
                <HyperRow key={h} name={h} h={doc.hyper[h]} names={[...hyperNames, ...memberNames]} />
              ))}
            </tbody>
          </table>
        </div>
        <button type="button" onClick={addHyperparameter}>
          Add hyperparameter
        </button>
      </details>
      <details open>
        <summary>Members (per-object parameters)</summary>
        <div className="hier-table-wrap">
          <table className="hier-edit" aria-label="Member groups">
            <thead>
              <tr>
                <th>name</th>
                <th>count</th>
                <th>population</th>
                <th>mu</th>
                <th>sigma</th>
                <th>lower</th>
                <th>upper</th>
                <th>parameterisation</th>
                <th>start</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {doc.members.map((m, i) => (
                <MemberRow key={i} m={m} index={i} names={[...hyperNames, ...memberNames]} />
              ))}
            </tbody>
          </table>
        </div>
        <button type="button" onClick={addMemberGroup}>
          Add member group
        </button>
        <p className="hint">mu and sigma name hyperparameters or are numbers (LogNormal: of ln x). Non-centred: the sampler moves z ~ N(0, 1), x = mu + sigma z, which removes the funnel when the data constrain the members weakly.</p>
      </details>
      <details open>
        <summary>Observations</summary>
        {doc.observations.map((o, i) => (
          <ObservationBlock key={i} o={o} index={i} doc={doc} />
        ))}
        <button type="button" onClick={addObservationModel} disabled={doc.members.length === 0}>
          Add observation
        </button>
      </details>
    </>
  );
}

class PanelBoundary extends Component<{ children: ReactNode }, { error: string | null }> {
  state = { error: null as string | null };
  static getDerivedStateFromError(e: unknown) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  render() {
    if (this.state.error) {
      return (
        <div className="model-problem" role="status">
          The hierarchical model panel could not show this model: {this.state.error}{' '}
          <button type="button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}

export function HierarchyPanel() {
  const draft = useHierarchy((s) => s.draft);
  const problems = useHierarchy((s) => s.problems);
  const note = useHierarchy((s) => s.note);
  const inSession = useApp((s) => s.session.hierarchy);
  return (
    <section className="panel hierarchy-panel" aria-label="Hierarchical model">
      <h2>Hierarchical model</h2>
      <p className="hint">Per-object parameters drawn from a population whose hyperparameters are free (e.g. distances r_n ~ TruncatedNormal(mu_r, sigma_r, lower 0) of the stars of a cluster), stored in the session and sampled with NUTS.</p>
      <div className="hier-row">
        <button type="button" onClick={() => loadStarClusterExample()}>
          Star cluster example
        </button>
        <button type="button" onClick={newHierarchy}>
          New hierarchical model
        </button>
        {draft && (
          <button type="button" onClick={removeHierarchy}>
            Remove hierarchical model
          </button>
        )}
      </div>
      {note && <p className="hint">{note}</p>}
      <PanelBoundary>
        {draft && <ModelEditor doc={draft} />}
        {problems.length > 0 && (
          <div className="hier-problems">
            <p className="model-problem">{inSession ? 'Not saved to the session until fixed (the session keeps the last valid model):' : 'Not saved to the session until fixed:'}</p>
            <ul aria-label="Model problems">
              {problems.map((p, i) => (
                <li key={i}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        {draft && <SamplingSection />}
      </PanelBoundary>
    </section>
  );
}
