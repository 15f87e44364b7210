import { useMemo, useState } from 'react';
import { componentTypeNames, getComponentType } from '../core/model/components/registry';
import { getImageComponentType, imageComponentTypeNames } from '../core/image/components/registry';
import { addImageComponent, estimateImageComponent, SKY_TYPES } from '../state/image-actions';
import { setPlacing } from '../state/image-view';
import { DEG_PER_RAD } from '../figures/image-display';
import { EXPRESSION_TYPE } from '../core/model/compile';
import { paramKey, type ComponentDoc } from '../core/model/document';
import { resolvedValues } from '../core/model/twins';
import { addComponent, estimate, removeComponent, setComponentActive, setComponentOrder, toggleComponentCurve } from '../state/actions';
import { ParameterRow } from './ParameterRow';
import { useApp } from './use-app';
import { viewDataset } from '../state/cube-session';

function AddComponentMenu() {
  const [open, setOpen] = useState(false);
  const [formula, setFormula] = useState<string | null>(null);
  // an image takes the 2D types (core/image/components), a spectrum the 1D ones
  const isImage = useApp((s) => s.session.datasets[s.session.activeDataset]?.kind === 'image');
  const choose = (type: string) => {
    setOpen(false);
    if (type === EXPRESSION_TYPE) setFormula('');
    else if (isImage) addImageComponent(type);
    else addComponent(type);
  };
  return (
    <div className="add-component">
      <button type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        Add component
      </button>
      {open && (
        <ul role="menu" className="menu" aria-label="Component types">
          {(isImage ? imageComponentTypeNames : [...componentTypeNames, EXPRESSION_TYPE]).map((t) => (
            <li key={t} role="menuitem" tabIndex={0} onClick={() => choose(t)} onKeyDown={(e) => e.key === 'Enter' && choose(t)} title={t === EXPRESSION_TYPE ? 'a formula in x' : (getComponentType(t) ?? getImageComponentType(t))?.formula}>
              {t}
            </li>
          ))}
        </ul>
      )}
      {formula !== null && (
        <form
          className="formula-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (addComponent(EXPRESSION_TYPE, { expr: formula })) setFormula(null);
          }}
        >
          <input aria-label="Formula" placeholder="e.g. b1*(1-exp(-b2*x))" value={formula} onChange={(e) => setFormula(e.currentTarget.value)} autoFocus />
          <button type="submit">Add</button>
          <button type="button" onClick={() => setFormula(null)}>
            Close
          </button>
        </form>
      )}
    </div>
  );
}

function ComponentCard({ c, resolved, keys }: { c: ComponentDoc; resolved: Record<string, number> | null; keys: string[] }) {
  const dataset = useApp((s) => viewDataset(s.session));
  const hidden = useApp((s) => s.session.view.hiddenComponents.includes(c.name));
  const fitRunning = useApp((s) => s.fitRunning);
  const live = useApp((s) => s.fitProgress?.values);
  const type = c.type === EXPRESSION_TYPE ? null : (getComponentType(c.type) ?? getImageComponentType(c.type) ?? null);
  const image = dataset?.kind === 'image' && type?.dims === 2;
  return (
    <div className={c.active ? 'component-card' : 'component-card inactive'} data-component={c.name}>
      <div className="component-head">
        <strong title={type?.formula ?? c.options?.expr}>{c.name}</strong>
        <span className="component-type">{c.type === EXPRESSION_TYPE ? c.options?.expr : c.type}</span>
        <label>
          <input type="checkbox" aria-label={`${c.name} active`} checked={c.active} onChange={(e) => setComponentActive(c.name, e.currentTarget.checked)} /> active
        </label>
        <label>
          <input type="checkbox" aria-label={`${c.name} curve shown`} checked={!hidden} onChange={() => toggleComponentCurve(c.name)} /> curve
        </label>
        {c.type === 'Polynomial' && (
          <label>
            order{' '}
            <select aria-label={`${c.name} order`} value={c.options?.order ?? 2} disabled={fitRunning} onChange={(e) => setComponentOrder(c.name, Number(e.currentTarget.value))}>
              {Array.from({ length: 11 }, (_, i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </label>
        )}
        {type?.peak && (
          <button type="button" disabled={fitRunning} onClick={() => estimate(c.name)} title="Position, width and area from the data minus the other components">
            Estimate
          </button>
        )}
        {image && (
          <button
            type="button"
            disabled={fitRunning}
            onClick={() => (SKY_TYPES.has(c.type) ? estimateImageComponent(c.name, { x: 0, y: 0 }) : setPlacing(c.name))}
            title={SKY_TYPES.has(c.type) ? 'Sky level from the median of the data minus the other components' : 'Then click on the image: centre, size, axis ratio, angle and brightness from the image moments there'}
          >
            Estimate from data
          </button>
        )}
        <button type="button" aria-label={`Remove ${c.name}`} disabled={fitRunning} onClick={() => removeComponent(c.name)}>
          Remove
        </button>
      </div>
      {type && <div className="formula">{type.formula}</div>}
      {Object.entries(c.params).map(([p, doc]) => (
        <ParameterRow
          key={p}
          component={c.name}
          param={p}
          doc={doc}
          dataset={dataset}
          liveValue={live?.[`${c.name}.${p}`] ?? (doc.twin ? resolved?.[`${c.name}.${p}`] : undefined)}
          disabled={fitRunning}
          sources={keys.filter((k) => k !== `${c.name}.${p}`)}
          unit={image && p === 'PA' ? { factor: DEG_PER_RAD, label: 'deg' } : undefined}
          imageShape={image ? dataset!.shape : undefined}
        />
      ))}
    </div>
  );
}

export function ModelPanel() {
  const model = useApp((s) => s.session.model);
  const variables = useApp((s) => s.session.datasets[s.session.activeDataset]?.coords);
  const components = model.components;
  const resolved = useMemo(() => {
    try {
      return resolvedValues(model, variables ? Object.keys(variables) : ['x']);
    } catch {
      return null;
    }
  }, [model, variables]);
  const keys = useMemo(() => components.filter((c) => c.active).flatMap((c) => Object.keys(c.params).map((p) => paramKey(c.name, p))), [components]);
  return (
    <section className="panel model-panel" aria-label="Model">
      <h2>Model</h2>
      <AddComponentMenu />
      {components.length === 0 && <p className="hint">No components yet: add one to start.</p>}
      {components.map((c) => (
        <ComponentCard key={c.name} c={c} resolved={resolved} keys={keys} />
      ))}
    </section>
  );
}
