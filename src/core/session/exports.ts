/**
 * Export formats (pure text): fitted parameters as CSV and JSON, and the model, its components
 * and the residuals at every data point as CSV. Text cells that could start a spreadsheet formula
 * (=, +, -, @) are quoted with a leading apostrophe (OWASP CSV injection advice).
 */
import type { Dataset } from '../data/dataset';
import type { FitResult } from '../fit/result';
import type { ModelCurves } from '../model/display';

function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvNumber(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : String(v);
}

function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return dot < 0 ? ['', key] : [key.slice(0, dot), key.slice(dot + 1)];
}

export function parametersCsv(result: FitResult): string {
  const lines = ['component,parameter,value,error,at_bound,free'];
  for (const [key, value] of Object.entries(result.values)) {
    const p = result.parameters[key];
    const [c, name] = splitKey(key);
    lines.push([csvText(c), csvText(name), csvNumber(p ? p.value : value), csvNumber(p?.error), p?.atBound ?? '', p ? 'true' : 'false'].join(','));
  }
  return lines.join('\n') + '\n';
}

export function parametersJson(result: FitResult): string {
  const parameters: Record<string, { value: number; error: number | null; at_bound: string | null; free: boolean }> = {};
  for (const [key, value] of Object.entries(result.values)) {
    const p = result.parameters[key];
    parameters[key] = { value: p ? p.value : value, error: p && Number.isFinite(p.error ?? NaN) ? p.error : null, at_bound: p?.atBound ?? null, free: Boolean(p) };
  }
  const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);
  return JSON.stringify(
    {
      parameters,
      statistic: { name: result.statistic.name, value: finite(result.statistic.value) },
      dof: result.dof,
      reduced_statistic: finite(result.reducedStatistic),
      parameter_order: result.parameterOrder,
      covariance: result.covariance,
      correlation: result.correlation,
      converged: result.converged,
      message: result.message,
      errors_scaled: result.errorsScaled,
    },
    null,
    2,
  );
}

/** x, data, sigma, model, each component, residual (and residual / sigma when sigma is known). */
export function curvesCsv(d: Dataset, curves: ModelCurves): string {
  const x = d.coords.x;
  const head = ['x', 'data'];
  if (d.sigma) head.push('sigma');
  head.push('model', ...curves.components.map((c) => c.name), 'residual');
  if (d.sigma) head.push('residual_over_sigma');
  const lines = [head.map(csvText).join(',')];
  const n = d.values.length;
  for (let i = 0; i < n; i++) {
    const y = d.values[i];
    const m = curves.total[i];
    const row = [csvNumber(x ? x[i] : i), csvNumber(y)];
    if (d.sigma) row.push(csvNumber(d.sigma[i]));
    row.push(csvNumber(m), ...curves.components.map((c) => csvNumber(c.values[i])), csvNumber(y - m));
    if (d.sigma) row.push(csvNumber((y - m) / d.sigma[i]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}
