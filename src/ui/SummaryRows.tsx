/** The columns of an arviz-style posterior summary (Sampler and Hierarchical model panels). */
import type { ReactNode } from 'react';
import type { ParameterSummary } from '../core/sample';
import { fmt } from './format';

const num = (v: number, d: number) => (Number.isFinite(v) ? fmt(v, d) : '—');

export function SummaryHeader() {
  return (
    <thead>
      <tr>
        <th>Parameter</th>
        <th>mean</th>
        <th>sd</th>
        <th>hdi 3%</th>
        <th>hdi 97%</th>
        <th>mcse</th>
        <th>ESS bulk</th>
        <th>ESS tail</th>
        <th>R-hat</th>
      </tr>
    </thead>
  );
}

/**
 * One parameter's row; R-hat above 1.01 gets `badClass`. `scale` multiplies the values shown (mean,
 * sd, HDI and MCSE scale linearly; ESS and R-hat do not change), e.g. radians shown as degrees.
 */
export function SummaryRow({ p, label, badClass, scale = 1 }: { p: ParameterSummary; label?: ReactNode; badClass: string; scale?: number }) {
  return (
    <tr>
      <td>{label ?? p.key}</td>
      <td>{num(p.mean * scale, 6)}</td>
      <td>{num(p.sd * scale, 3)}</td>
      <td>{num(p.hdiLow * scale, 5)}</td>
      <td>{num(p.hdiHigh * scale, 5)}</td>
      <td>{num(p.mcseMean * scale, 2)}</td>
      <td>{Number.isFinite(p.essBulk) ? Math.round(p.essBulk) : '—'}</td>
      <td>{Number.isFinite(p.essTail) ? Math.round(p.essTail) : '—'}</td>
      <td className={p.rhat > 1.01 ? badClass : undefined}>{Number.isFinite(p.rhat) ? p.rhat.toFixed(3) : '—'}</td>
    </tr>
  );
}
