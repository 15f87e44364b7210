/**
 * Profile-likelihood commands of the runner (JSON shapes: shared/docs/cli-json.md):
 *   errors  <data> ... [--minos] [--sigma N]                 fit, then MINOS intervals of every free parameter
 *   profile <data> ... --param P [--points N] [--frozen] [--range LO:HI]
 *   contour <data> ... --params A,B [--sigma 1,2 | --cl 0.683,0.954] [--convention coverage|gammapy] [--points N]
 *   surface <data> ... --params A,B --grid NxM [--reoptimize] [--xrange LO:HI] [--yrange LO:HI]
 * Each fits first (exit 1 with {"error", "reason"} when the fit fails), then works on the
 * statistic around the best fit with the core (src/core/uncertainty). Bad arguments exit 2.
 */
import { fitModel } from '../core/fit/fit-model';
import type { FitResult } from '../core/fit/result';
import { buildProfileObjective } from '../core/fit/profile-objective';
import { confidenceContour, contourCovariance } from '../core/uncertainty/contour';
import { fitUncertaintyContext, type FitUncertaintyContext } from '../core/uncertainty/from-fit';
import { statisticLevel, type Level, type LevelSpec } from '../core/uncertainty/levels';
import { minosErrors, type MinosError } from '../core/uncertainty/minos';
import { profileLikelihood } from '../core/uncertainty/profile';
import { statisticSurface } from '../core/uncertainty/surface';
import { parseNumberArg, single, UsageError, type ParsedArgs } from './args';
import { fitInputs, type CommandOutput } from './fit-command';
import { fitResultJson, fitResultTable } from './output';

function numOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function intArg(args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const text = single(args, name);
  if (text === undefined) return fallback;
  const v = parseNumberArg(text, `--${name}`);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return v;
}

function rangeArg(args: ParsedArgs, name: string): [number, number] | null {
  const text = single(args, name);
  if (text === undefined) return null;
  const parts = text.split(':');
  if (parts.length !== 2) throw new UsageError(`--${name}: expected LO:HI, got "${text}"`);
  const lo = parseNumberArg(parts[0], `--${name} lower`);
  const hi = parseNumberArg(parts[1], `--${name} upper`);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) throw new UsageError(`--${name}: needs finite LO < HI, got "${text}"`);
  return [lo, hi];
}

function numberList(text: string, what: string): number[] {
  const out = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => parseNumberArg(s, what));
  if (out.length === 0) throw new UsageError(`${what}: give at least one number`);
  return out;
}

/** the free parameters the command works on, checked against the model before any fitting */
function freeIndex(keys: string[], name: string, flag: string): number {
  const k = keys.indexOf(name);
  if (k < 0) throw new UsageError(`${flag}: no free parameter "${name}" (free: ${keys.join(', ')})`);
  return k;
}

function parsePair(args: ParsedArgs, keys: string[]): [number, number] {
  const text = single(args, 'params');
  if (text === undefined) throw new UsageError(`${args.command} needs --params A,B (two free parameters)`);
  const names = text.split(',').map((s) => s.trim());
  if (names.length !== 2 || names.some((s) => s === '')) throw new UsageError(`--params: expected two names A,B, got "${text}"`);
  const i = freeIndex(keys, names[0], '--params');
  const j = freeIndex(keys, names[1], '--params');
  if (i === j) throw new UsageError(`--params: the two parameters must differ, got "${text}"`);
  return [i, j];
}

interface Prepared {
  result: FitResult;
  ctx: FitUncertaintyContext | null;
  /** set when the fit failed: print it and exit 1 */
  failure: CommandOutput | null;
}

/** free keys of the model (validated before fitting, so bad --param(s) exit 2 at once) */
function modelKeys(args: ParsedArgs): { keys: string[]; inputs: ReturnType<typeof fitInputs> } {
  const inputs = fitInputs(args);
  const keys = buildProfileObjective(inputs.dataset, inputs.model, inputs.settings).keys;
  return { keys, inputs };
}

function fitAndContext(inputs: ReturnType<typeof fitInputs>, json: boolean): Prepared {
  const { dataset, model, settings } = inputs;
  const result = fitModel(dataset, model, settings, { now: () => performance.now() });
  if (!result.converged) {
    const reason = `the fit did not converge: ${result.message}`;
    return {
      result,
      ctx: null,
      failure: { code: 1, stdout: json ? JSON.stringify({ error: 'fit failed', reason }) : `fit failed: ${reason}\n\n${fitResultTable(result)}` },
    };
  }
  return { result, ctx: fitUncertaintyContext(dataset, model, settings, result), failure: null };
}

function minosJson(m: MinosError): Record<string, unknown> {
  const lower = numOrNull(m.lower);
  const upper = numOrNull(m.upper);
  const valid = m.lowerValid && m.upperValid && lower !== null && upper !== null;
  const reasons: string[] = [];
  if (!m.lowerValid && m.reasons.lower) reasons.push(`lower: ${m.reasons.lower}`);
  if (!m.upperValid && m.reasons.upper) reasons.push(`upper: ${m.reasons.upper}`);
  if (m.newMinimum && reasons.length === 0) reasons.push('a lower minimum was found during the search: refit from it');
  return { lower, upper, valid, ...(valid ? {} : { reason: reasons.join('; ') || 'not computed' }) };
}

export function errorsCommand(args: ParsedArgs): CommandOutput {
  const json = args.switches.has('json');
  const sigmaText = single(args, 'sigma');
  const sigma = sigmaText === undefined ? 1 : parseNumberArg(sigmaText, '--sigma');
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new UsageError(`--sigma must be a positive number, got "${sigmaText}"`);
  const { inputs } = modelKeys(args);
  const prep = fitAndContext(inputs, json);
  if (prep.failure) return prep.failure;
  const { result } = prep;
  const ctx = prep.ctx!;
  if (!args.switches.has('minos')) {
    return { code: 0, stdout: json ? JSON.stringify(fitResultJson(result)) : fitResultTable(result) };
  }
  const t0 = performance.now();
  const minos = minosErrors(ctx.obj, ctx.best, ctx.bestStatistic, ctx.errors, { covariance: ctx.covariance, sigma });
  const elapsed = performance.now() - t0;
  if (json) {
    const out = fitResultJson(result, { minos_sigma: sigma, minos_elapsed_ms: elapsed });
    const params = out.parameters as Record<string, Record<string, unknown>>;
    for (const m of minos) params[m.key] = { ...params[m.key], minos: minosJson(m) };
    return { code: 0, stdout: JSON.stringify(out) };
  }
  const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : '-');
  const w = Math.max(9, ...minos.map((m) => m.key.length));
  const lines = [
    fitResultTable(result),
    '',
    `MINOS (${sigma} sigma, ${elapsed.toFixed(1)} ms)`,
    `${'parameter'.padEnd(w)}  ${'lower'.padEnd(12)}  ${'upper'.padEnd(12)}  note`,
    ...minos.map((m) => {
      const j = minosJson(m);
      return `${m.key.padEnd(w)}  ${fmt(m.lower).padEnd(12)}  ${fmt(m.upper).padEnd(12)}  ${j.valid ? '' : String(j.reason)}`.trimEnd();
    }),
  ];
  return { code: 0, stdout: lines.join('\n') };
}

export function profileCommand(args: ParsedArgs): CommandOutput {
  const json = args.switches.has('json');
  const { keys, inputs } = modelKeys(args);
  const name = single(args, 'param');
  if (name === undefined) throw new UsageError('profile needs --param P');
  const k = freeIndex(keys, name, '--param');
  const points = intArg(args, 'points', 21, 2, 10000);
  const range = rangeArg(args, 'range');
  const reoptimize = !args.switches.has('frozen');
  const prep = fitAndContext(inputs, json);
  if (prep.failure) return prep.failure;
  const ctx = prep.ctx!;
  const t0 = performance.now();
  const res = profileLikelihood(ctx.obj, ctx.best, k, {
    points,
    range: range ?? undefined,
    error: ctx.errors[k],
    covariance: ctx.covariance,
    reoptimize,
    bestStatistic: ctx.bestStatistic,
  });
  const elapsed = performance.now() - t0;
  const delta = Array.from(res.delta, numOrNull);
  const out = {
    param: name,
    reoptimized: reoptimize,
    values: Array.from(res.values),
    delta_statistic: delta,
    ...(delta.some((d) => d === null) ? { reason: 'null entries: the statistic is not finite there' } : {}),
    best: { value: ctx.best[k], statistic: ctx.bestStatistic },
    error: ctx.errors[k],
    errordef: ctx.errordef,
    ...(res.minDelta < -1e-6 * ctx.errordef ? { warning: `a lower statistic than the best fit was found (Δ = ${res.minDelta}): refit` } : {}),
    elapsed_ms: elapsed,
  };
  if (json) return { code: 0, stdout: JSON.stringify(out) };
  const lines = [`profile of ${name} (${reoptimize ? 're-optimised' : 'frozen'}), best ${ctx.best[k]}, statistic ${ctx.bestStatistic}`, 'value            delta'];
  for (let i = 0; i < res.values.length; i++) lines.push(`${res.values[i].toPrecision(8).padEnd(16)} ${delta[i] === null ? '-' : (delta[i] as number).toPrecision(6)}`);
  return { code: 0, stdout: lines.join('\n') };
}

/** contour levels from --sigma / --cl / --convention */
export function contourLevels(args: ParsedArgs, errordef: number): { spec: LevelSpec; level: Level; sigma: number | null; cl: number }[] {
  const sigmaText = single(args, 'sigma');
  const clText = single(args, 'cl');
  if (sigmaText !== undefined && clText !== undefined) throw new UsageError('Give either --sigma or --cl, not both');
  const convention = single(args, 'convention') ?? 'coverage';
  if (convention !== 'coverage' && convention !== 'gammapy') throw new UsageError(`--convention must be coverage or gammapy, got "${convention}"`);
  if (clText !== undefined) {
    return numberList(clText, '--cl').map((cl) => {
      if (!(cl > 0 && cl < 1)) throw new UsageError(`--cl: each level must lie between 0 and 1, got ${cl}`);
      const spec: LevelSpec = { kind: 'region-cl', cl };
      return { spec, level: statisticLevel(spec, errordef), sigma: null, cl };
    });
  }
  return numberList(sigmaText ?? '1', '--sigma').map((s) => {
    if (!(s > 0) || !Number.isFinite(s)) throw new UsageError(`--sigma: each level must be a positive number, got ${s}`);
    const spec: LevelSpec = { kind: 'region-sigma', sigma: s, convention };
    const level = statisticLevel(spec, errordef);
    return { spec, level, sigma: s, cl: level.coverage };
  });
}

export function contourCommand(args: ParsedArgs): CommandOutput {
  const json = args.switches.has('json');
  const { keys, inputs } = modelKeys(args);
  const [i, j] = parsePair(args, keys);
  const points = intArg(args, 'points', 40, 3, 10000);
  const prep = fitAndContext(inputs, json);
  if (prep.failure) return prep.failure;
  const ctx = prep.ctx!;
  const levels = contourLevels(args, ctx.errordef);
  const t0 = performance.now();
  // the 2 x 2 block (from the fit's covariance, or a numerical Hessian) fixes the ray directions
  contourCovariance(ctx.obj, ctx.best, i, j, ctx.covariance);
  const contours = levels.map(({ level, sigma, cl }) => {
    const res = confidenceContour(ctx.obj, ctx.best, i, j, level.delta, { points, covariance: ctx.covariance, bestStatistic: ctx.bestStatistic });
    // the core closes the curve by repeating the first point; the JSON goes round once
    const m = res.points.length;
    const bad = res.points.filter((p) => !p.valid);
    return {
      level: level.deltaChi2,
      cl,
      sigma,
      label: level.label,
      x: res.x.slice(0, m),
      y: res.y.slice(0, m),
      valid: res.valid,
      ...(bad.length > 0 ? { reason: `${bad.length} of ${m} points not converged: ${bad[0].reason ?? bad[0].status}` } : {}),
    };
  });
  const elapsed = performance.now() - t0;
  const out = {
    params: [keys[i], keys[j]],
    best: { [keys[i]]: ctx.best[i], [keys[j]]: ctx.best[j] },
    contours,
    errordef: ctx.errordef,
    elapsed_ms: elapsed,
  };
  if (json) return { code: 0, stdout: JSON.stringify(out) };
  const lines = [`contours of ${keys[i]}, ${keys[j]} around (${ctx.best[i]}, ${ctx.best[j]})`];
  for (const c of contours) {
    lines.push(`\n${c.label}${c.valid ? '' : ` (${c.reason})`}`, `${keys[i]}\t${keys[j]}`);
    for (let m = 0; m < c.x.length; m++) lines.push(`${c.x[m]}\t${c.y[m]}`);
  }
  return { code: 0, stdout: lines.join('\n') };
}

function gridValues(center: number, error: number | null, n: number, lower: number, upper: number, range: [number, number] | null): number[] {
  let lo: number;
  let hi: number;
  if (range) [lo, hi] = range;
  else {
    const half = error !== null ? 3 * error : 0.1 * Math.max(Math.abs(center), 1);
    lo = Math.max(center - half, lower);
    hi = Math.min(center + half, upper);
  }
  if (n === 1) return [0.5 * (lo + hi)];
  return Array.from({ length: n }, (_, q) => lo + ((hi - lo) * q) / (n - 1));
}

export function surfaceCommand(args: ParsedArgs): CommandOutput {
  const json = args.switches.has('json');
  const { keys, inputs } = modelKeys(args);
  const [i, j] = parsePair(args, keys);
  const gridText = single(args, 'grid') ?? '21x21';
  const gm = /^\s*(\d+)\s*[xX]\s*(\d+)\s*$/.exec(gridText);
  if (!gm) throw new UsageError(`--grid: expected NxM (e.g. 20x20), got "${gridText}"`);
  const nx = Number(gm[1]);
  const ny = Number(gm[2]);
  if (nx < 2 || ny < 2 || nx * ny > 1e6) throw new UsageError(`--grid: N and M must be at least 2 (at most 1e6 points), got "${gridText}"`);
  const xr = rangeArg(args, 'xrange');
  const yr = rangeArg(args, 'yrange');
  const reoptimize = args.switches.has('reoptimize');
  const prep = fitAndContext(inputs, json);
  if (prep.failure) return prep.failure;
  const ctx = prep.ctx!;
  const xs = gridValues(ctx.best[i], ctx.errors[i], nx, ctx.obj.lower[i], ctx.obj.upper[i], xr);
  const ys = gridValues(ctx.best[j], ctx.errors[j], ny, ctx.obj.lower[j], ctx.obj.upper[j], yr);
  const t0 = performance.now();
  const res = statisticSurface(ctx.obj, ctx.best, i, j, xs, ys, { reoptimize, covariance: ctx.covariance, bestStatistic: ctx.bestStatistic });
  const elapsed = performance.now() - t0;
  const rows: (number | null)[][] = [];
  let nulls = 0;
  for (let r = 0; r < ny; r++) {
    const row: (number | null)[] = [];
    for (let c = 0; c < nx; c++) {
      const v = numOrNull(res.delta[r * nx + c]);
      if (v === null) nulls++;
      row.push(v);
    }
    rows.push(row);
  }
  const out = {
    params: [keys[i], keys[j]],
    x: xs,
    y: ys,
    reoptimized: reoptimize,
    delta_statistic: rows,
    ...(nulls > 0 ? { reason: `${nulls} null entries: the statistic is not finite there` } : {}),
    best: { [keys[i]]: ctx.best[i], [keys[j]]: ctx.best[j], statistic: ctx.bestStatistic },
    errordef: ctx.errordef,
    elapsed_ms: elapsed,
  };
  if (json) return { code: 0, stdout: JSON.stringify(out) };
  const lines = [`Δ statistic over ${keys[i]} (columns) x ${keys[j]} (rows), ${reoptimize ? 're-optimised' : 'others frozen'}`, ['', ...xs.map((v) => v.toPrecision(6))].join('\t')];
  rows.forEach((row, r) => lines.push([ys[r].toPrecision(6), ...row.map((v) => (v === null ? '-' : v.toPrecision(5)))].join('\t')));
  return { code: 0, stdout: lines.join('\n') };
}

/** name -> command, for run.ts */
export const UNCERTAINTY_COMMANDS: Record<string, (args: ParsedArgs) => CommandOutput> = {
  errors: errorsCommand,
  profile: profileCommand,
  contour: contourCommand,
  surface: surfaceCommand,
};
