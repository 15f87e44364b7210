import { useState } from 'react';
import type { ParameterDoc, PriorDoc } from '../core/model/document';
import { PRIOR_KINDS, PRIOR_LABELS } from '../core/model/prior-check';
import { setPrior, setTwin } from '../state/actions';
import { parseNumber } from './format';

interface Props {
  component: string;
  param: string;
  doc: ParameterDoc;
  /** keys of the other parameters that can be sources */
  sources: string[];
  onClose(): void;
}

function num(text: string): number | undefined {
  const v = parseNumber(text);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Twin link (HyperSpy's twin with a function of the source value) and prior of one parameter. */
export function ParameterLinks({ component, param, doc, sources, onClose }: Props) {
  const label = `${component} ${param}`;
  const [source, setSource] = useState(doc.twin?.source ?? '');
  const [expr, setExpr] = useState(doc.twin?.expr ?? '');
  const [kind, setKind] = useState<PriorDoc['kind'] | ''>(doc.prior?.kind ?? '');
  const [lower, setLower] = useState(doc.prior?.lower?.toString() ?? doc.lower?.toString() ?? '');
  const [upper, setUpper] = useState(doc.prior?.upper?.toString() ?? doc.upper?.toString() ?? '');
  const [mu, setMu] = useState(doc.prior?.mu?.toString() ?? String(doc.value));
  const [sigma, setSigma] = useState(doc.prior?.sigma?.toString() ?? '');
  const needsBounds = kind === 'uniform' || kind === 'loguniform' || kind === 'truncgaussian';
  const needsGauss = kind === 'gaussian' || kind === 'truncgaussian';
  return (
    <div className="param-links" role="group" aria-label={`${label} links and prior`}>
      <form
        className="links-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (setTwin(component, param, source ? { source, expr: expr.trim() || undefined } : null)) onClose();
        }}
      >
        <label>
          twin of{' '}
          <select aria-label={`${label} twin source`} value={source} onChange={(e) => setSource(e.currentTarget.value)}>
            <option value="">none (free)</option>
            {sources.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          as{' '}
          <input aria-label={`${label} twin function`} placeholder="x" value={expr} disabled={!source} onChange={(e) => setExpr(e.currentTarget.value)} title="a function of x, the source value, e.g. 3*x + 1" />
        </label>
        <button type="submit">Apply link</button>
      </form>
      <form
        className="links-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (!kind) {
            if (setPrior(component, param, null)) onClose();
            return;
          }
          const prior: PriorDoc = { kind };
          if (needsBounds) {
            const lo = num(lower);
            const hi = num(upper);
            if (lo !== undefined) prior.lower = lo;
            if (hi !== undefined) prior.upper = hi;
          }
          if (needsGauss) {
            const m = num(mu);
            const s = num(sigma);
            if (m !== undefined) prior.mu = m;
            if (s !== undefined) prior.sigma = s;
          }
          if (setPrior(component, param, prior)) onClose();
        }}
      >
        <label>
          prior{' '}
          <select aria-label={`${label} prior`} value={kind} onChange={(e) => setKind(e.currentTarget.value as PriorDoc['kind'] | '')}>
            <option value="">none (flat within bounds)</option>
            {PRIOR_KINDS.map((k) => (
              <option key={k} value={k}>
                {PRIOR_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        {needsGauss && (
          <>
            <input aria-label={`${label} prior mu`} placeholder="mu" value={mu} onChange={(e) => setMu(e.currentTarget.value)} />
            <input aria-label={`${label} prior sigma`} placeholder="sigma" value={sigma} onChange={(e) => setSigma(e.currentTarget.value)} />
          </>
        )}
        {needsBounds && (
          <>
            <input aria-label={`${label} prior lower`} placeholder="lower" value={lower} onChange={(e) => setLower(e.currentTarget.value)} />
            <input aria-label={`${label} prior upper`} placeholder="upper" value={upper} onChange={(e) => setUpper(e.currentTarget.value)} />
          </>
        )}
        <button type="submit">Apply prior</button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </form>
    </div>
  );
}
