/** Shapes results into the runner's JSON (docs: cli-json.md) and readable tables. */
import type { JointFitResult } from '../core/fit/joint-fit';
import type { FitResult } from '../core/fit/result';

function finiteOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

export function fitResultJson(r: FitResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(r.values)) {
    const p = r.parameters[key];
    if (p) {
      const error = finiteOrNull(p.error);
      parameters[key] = {
        value: p.value,
        error,
        at_bound: p.atBound,
        ...(error === null ? { reason: p.errorReason ?? 'no error available' } : {}),
      };
    } else {
      parameters[key] = { value, error: null, at_bound: null, fixed: true, reason: 'fixed or tied: not fitted' };
    }
  }
  const reduced = finiteOrNull(r.reducedStatistic);
  return {
    parameters,
    statistic: { name: r.statistic.name, value: finiteOrNull(r.statistic.value) },
    dof: r.dof,
    reduced_statistic: reduced,
    ...(reduced === null ? { reduced_statistic_reason: r.dof <= 0 ? 'no degrees of freedom' : 'not defined' } : {}),
    covariance: r.covariance,
    correlation: r.correlation,
    ...(r.covariance === null ? { covariance_reason: r.covarianceReason ?? 'not available' } : {}),
    parameter_order: r.parameterOrder,
    converged: r.converged,
    message: r.message,
    nfev: r.nfev,
    elapsed_ms: r.elapsedMs,
    ...extra,
  };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return Number(v.toPrecision(8)).toString();
}

export function fitResultTable(r: FitResult): string {
  const rows = Object.entries(r.values).map(([key, value]) => {
    const p = r.parameters[key];
    return [key, num(p ? p.value : value), p ? num(p.error) : 'fixed', p?.atBound ? `at ${p.atBound} bound` : ''];
  });
  const w = [0, 1, 2].map((i) => Math.max(9, ...rows.map((row) => row[i].length)));
  const lines = [
    `${pad('parameter', w[0])}  ${pad('value', w[1])}  ${pad('error', w[2])}`,
    ...rows.map((row) => `${pad(row[0], w[0])}  ${pad(row[1], w[1])}  ${pad(row[2], w[2])}  ${row[3]}`.trimEnd()),
    '',
    `${r.statistic.name} = ${num(r.statistic.value)}, dof = ${r.dof}, reduced = ${num(r.reducedStatistic)}`,
    `${r.converged ? '' : 'NOT converged: '}${r.message}; ${r.nfev} evaluations, ${num(r.elapsedMs)} ms (${r.method})`,
    r.errorsScaled ? 'errors scaled by sqrt(reduced chi-square): the data carry no sigma' : 'errors from the covariance, not scaled',
  ];
  return lines.join('\n');
}

/** A joint fit (cli-json.md): the fit shape, values set by relations with their propagated errors, "datasets" and "total_free". */
export function jointResultJson(r: JointFitResult): Record<string, unknown> {
  const out = fitResultJson(r, {
    datasets: r.datasets.map((d) => ({ name: d.name, statistic: finiteOrNull(d.statistic), n_points: d.nPoints })),
    total_free: r.totalFree,
  });
  const parameters = out.parameters as Record<string, unknown>;
  for (const [key, d] of Object.entries(r.derived)) {
    if (!Object.prototype.hasOwnProperty.call(parameters, key)) continue;
    const error = finiteOrNull(d.error);
    parameters[key] = {
      value: finiteOrNull(d.value),
      error,
      at_bound: null,
      relation: d.relation,
      ...(error === null ? { reason: d.errorReason ?? 'no error available' } : {}),
    };
  }
  return out;
}

export function jointResultTable(r: JointFitResult): string {
  const rows = Object.entries(r.values).map(([key, value]) => {
    const p = r.parameters[key];
    const d = r.derived[key];
    if (p) return [key, num(p.value), num(p.error), p.atBound ? `at ${p.atBound} bound` : ''];
    if (d) return [key, num(d.value), num(d.error), `from ${d.relation}`];
    return [key, num(value), 'fixed', ''];
  });
  const w = [0, 1, 2].map((i) => Math.max(9, ...rows.map((row) => row[i].length)));
  const nameW = Math.max(7, ...r.datasets.map((d) => d.name.length));
  const lines = [
    `${pad('parameter', w[0])}  ${pad('value', w[1])}  ${pad('error', w[2])}`,
    ...rows.map((row) => `${pad(row[0], w[0])}  ${pad(row[1], w[1])}  ${pad(row[2], w[2])}  ${row[3]}`.trimEnd()),
    '',
    `${pad('dataset', nameW)}  ${pad('points', 6)}  ${r.statistic.name}`,
    ...r.datasets.map((d) => `${pad(d.name, nameW)}  ${pad(String(d.nPoints), 6)}  ${num(d.statistic)}`),
    '',
    `Total free parameters = ${r.totalFree}`,
    `${r.statistic.name} = ${num(r.statistic.value)}, dof = ${r.dof}, reduced = ${num(r.reducedStatistic)}`,
    `${r.converged ? '' : 'NOT converged: '}${r.message}; ${r.nfev} evaluations, ${num(r.elapsedMs)} ms (${r.method})`,
    r.errorsScaled ? 'errors scaled by sqrt(reduced chi-square): no dataset carries sigma' : 'errors from the covariance, not scaled',
  ];
  return lines.join('\n');
}
