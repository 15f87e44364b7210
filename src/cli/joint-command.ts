/**
 * `fit` with several datasets: one joint fit (core/fit/joint-fit.ts) of data files, PyAutoFit
 * folders (data.json + noise_map.json) or all datasets of a session, with --per-dataset,
 * --dataset-vars, --relation and --dataset-components (datasets with different models); or, with
 * --sequential, each dataset alone.
 */
import type { Dataset } from '../core/data/dataset';
import { compileExpression, ExprError } from '../core/expr';
import { JointError, resolveJoint, type JointDoc, type RelationDoc } from '../core/fit/joint-document';
import { fitJoint, fitSequential } from '../core/fit/joint-fit';
import { defaultFitSettings, type FitSettings } from '../core/fit/settings';
import { paramKey, type ModelDoc, type ParameterDoc } from '../core/model/document';
import type { SessionDoc } from '../core/session/document';
import { keyValues, parseNumberArg, UsageError, type ParsedArgs } from './args';
import type { CommandOutput } from './fit-command';
import { settingsFromArgs } from './fit-command';
import { DataError, loadDataset, readSessionIfAny } from './load-data';
import { applyParameterArgs, modelFromArgs } from './model-args';
import { fitResultJson, fitResultTable, jointResultJson, jointResultTable } from './output';

const JOINT_FLAGS = ['per-dataset', 'dataset-vars', 'relation', 'dataset-components'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function hasJointFlags(args: ParsedArgs): boolean {
  return JOINT_FLAGS.some((f) => args.flags.has(f));
}

/** args with some value options replaced (an empty or absent list removes the option) */
function withFlags(args: ParsedArgs, patch: Record<string, string[] | undefined>): ParsedArgs {
  const flags = new Map(args.flags);
  for (const [k, v] of Object.entries(patch)) {
    if (v && v.length > 0) flags.set(k, v);
    else flags.delete(k);
  }
  return { ...args, flags };
}

function modelKeys(model: ModelDoc): { key: string; param: string; doc: ParameterDoc }[] {
  return model.components
    .filter((c) => c.active)
    .flatMap((c) => Object.keys(c.params).map((p) => ({ key: paramKey(c.name, p), param: p, doc: c.params[p] })));
}

/** A parameter key, or a bare parameter name (`sigma`) that only one component has. */
function resolveName(model: ModelDoc, name: string, what: string): string {
  const all = modelKeys(model);
  if (all.some((k) => k.key === name)) return name;
  const matches = all.filter((k) => k.param === name);
  if (matches.length === 1) return matches[0].key;
  if (matches.length > 1) throw new UsageError(`${what}: "${name}" is ambiguous (${matches.map((m) => m.key).join(', ')}); give the full key`);
  throw new UsageError(`${what}: no parameter "${name}" (parameters: ${all.map((k) => k.key).join(', ') || 'none'})`);
}

function exprUsageError(what: string, e: ExprError, expr: string): UsageError {
  return new UsageError(`${what}: ${e.message}\n  ${expr}\n  ${' '.repeat(e.position)}${'^'.repeat(Math.max(1, e.length))}`);
}

/** `x=1,2,3;T=10,20,30` (and repeated options) -> one record of variables per dataset */
function parseDatasetVars(args: ParsedArgs, nDatasets: number): Record<string, number>[] {
  const out = Array.from({ length: nDatasets }, () => Object.create(null) as Record<string, number>);
  const seen = new Set<string>();
  for (const text of args.flags.get('dataset-vars') ?? []) {
    for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`--dataset-vars: expected name=v1,v2,..., got "${part}"`);
      const name = part.slice(0, eq).trim();
      if (!NAME.test(name)) throw new UsageError(`--dataset-vars: "${name}" is not a valid variable name`);
      if (seen.has(name)) throw new UsageError(`--dataset-vars: ${name} is given twice`);
      seen.add(name);
      const values = part.slice(eq + 1).split(',').map((s) => s.trim());
      if (values.length !== nDatasets) {
        throw new UsageError(`--dataset-vars ${name}: ${values.length} value${values.length === 1 ? '' : 's'} for ${nDatasets} datasets (give one per dataset, in the order of the files)`);
      }
      values.forEach((v, i) => {
        const x = parseNumberArg(v, `--dataset-vars ${name}`);
        if (!Number.isFinite(x)) throw new UsageError(`--dataset-vars ${name}: values must be finite`);
        out[i][name] = x;
      });
    }
  }
  return out;
}

/** `0:Gaussian,Offset;1:Gaussian,Exponential,Offset` (and repeated options) -> the components of each dataset (null: all) */
function parseDatasetComponents(args: ParsedArgs, nDatasets: number): (string[] | null)[] {
  const out: (string[] | null)[] = Array.from({ length: nDatasets }, () => null);
  for (const text of args.flags.get('dataset-components') ?? []) {
    for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
      const colon = part.indexOf(':');
      const index = colon > 0 ? part.slice(0, colon).trim() : '';
      if (!/^\d+$/.test(index)) throw new UsageError(`--dataset-components: expected index:Component,Component,... (e.g. 0:Gaussian,Offset), got "${part}"`);
      const i = Number(index);
      if (i >= nDatasets) throw new UsageError(`--dataset-components ${part}: there ${nDatasets === 1 ? 'is 1 dataset (index 0)' : `are ${nDatasets} datasets (indices 0 to ${nDatasets - 1})`}`);
      if (out[i] !== null) throw new UsageError(`--dataset-components: dataset ${i} is given twice`);
      const names = part.slice(colon + 1).split(',').map((s) => s.trim()).filter(Boolean);
      if (names.length === 0) throw new UsageError(`--dataset-components ${part}: name at least one component for dataset ${i}`);
      out[i] = names;
    }
  }
  return out;
}

interface Inputs {
  datasets: Dataset[];
  /** the model for the given (filtered) parameter options */
  buildModel: (a: ParsedArgs) => ModelDoc;
  settings: FitSettings;
  sessionJoint?: JointDoc;
}

function loadInputs(args: ParsedArgs, session: SessionDoc | null | undefined): Inputs {
  if (args.positionals.length === 0) throw new UsageError(`${args.command} takes one or more data files, or a session file`);
  if (session === undefined && args.positionals.length === 1) session = readSessionIfAny(args.positionals[0]);
  if (session) {
    const path = args.positionals[0];
    if (session.datasets.length === 0) throw new DataError(`${path}: the session holds no dataset`);
    const variables = Object.keys(session.datasets[0].coords);
    const hasModelArgs = args.flags.has('model') || args.flags.has('component');
    const model = session.model;
    return {
      datasets: session.datasets,
      buildModel: (a) => (hasModelArgs ? modelFromArgs(a, variables) : applyParameterArgs(model, a)),
      settings: settingsFromArgs(args, session.fit),
      sessionJoint: session.joint,
    };
  }
  for (const p of args.positionals) {
    if (p.toLowerCase().endsWith('.fitbench.json')) throw new UsageError(`${p} is a session file: give it alone (its datasets are fitted jointly), or give data files`);
  }
  const datasets = args.positionals.map((p) => loadDataset(p, args));
  const variables = Object.keys(datasets[0].coords);
  return { datasets, buildModel: (a) => modelFromArgs(a, variables), settings: settingsFromArgs(args, defaultFitSettings()) };
}

/** The JointDoc from --per-dataset / --dataset-vars / --relation, and the model with the remaining --start/--bounds/--fix. */
function jointFromArgs(args: ParsedArgs, inputs: Inputs): { model: ModelDoc; joint: JointDoc } {
  const nD = inputs.datasets.length;
  const bare = inputs.buildModel(withFlags(args, { start: undefined, bounds: undefined, fix: undefined }));
  const keys = new Set(modelKeys(bare).map((k) => k.key));

  const perDataset: string[] = [];
  for (const text of args.flags.get('per-dataset') ?? []) {
    for (const name of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const key = resolveName(bare, name, '--per-dataset');
      if (!perDataset.includes(key)) perDataset.push(key);
    }
  }
  const datasetVars = args.flags.has('dataset-vars') ? parseDatasetVars(args, nD) : [];
  const variables = Object.keys(datasetVars[0] ?? {});

  const relations: RelationDoc[] = [];
  const hyperNames = new Set<string>();
  for (const text of args.flags.get('relation') ?? []) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new UsageError(`--relation: expected parameter=formula, e.g. "sigma=m*x+c"; got "${text}"`);
    const param = resolveName(bare, text.slice(0, eq).trim(), '--relation');
    const expr = text.slice(eq + 1).trim();
    let symbols: string[];
    try {
      symbols = compileExpression(expr, { variables }).parameters;
    } catch (e) {
      if (e instanceof ExprError) throw exprUsageError(`--relation ${param}`, e, expr);
      throw e;
    }
    symbols.forEach((s) => hyperNames.add(s));
    relations.push({ param, expr, params: {} });
  }

  // --start/--bounds/--fix: hyperparameters and per-dataset copies here, model parameters to the model
  const hyper = new Map<string, ParameterDoc>();
  const hyperDoc = (name: string): ParameterDoc => {
    let d = hyper.get(name);
    if (!d) hyper.set(name, (d = { value: 1, lower: null, upper: null, fixed: false }));
    return d;
  };
  const copyStarts = new Map<string, Map<number, number>>();
  const copy = (k: string, what: string): { key: string; index: number } | null => {
    const m = /^(.+)\[(\d+)\]$/.exec(k);
    if (!m || keys.has(k)) return null;
    const key = resolveName(bare, m[1], what);
    const index = Number(m[2]);
    if (!perDataset.includes(key)) throw new UsageError(`${what} ${k}: ${key} is not free per dataset (add it to --per-dataset)`);
    if (index >= nD) throw new UsageError(`${what} ${k}: there are ${nD} datasets (indices 0 to ${nD - 1})`);
    return { key, index };
  };
  const keepStart: string[] = [];
  for (const text of args.flags.get('start') ?? []) {
    for (const [k, v] of keyValues(text, '--start')) {
      const c = copy(k, '--start');
      if (c) {
        if (!copyStarts.has(c.key)) copyStarts.set(c.key, new Map());
        copyStarts.get(c.key)!.set(c.index, parseNumberArg(v, `--start ${k}`));
      } else if (!keys.has(k) && hyperNames.has(k)) hyperDoc(k).value = parseNumberArg(v, `--start ${k}`);
      else keepStart.push(`${k}=${v}`);
    }
  }
  const keepBounds: string[] = [];
  for (const text of args.flags.get('bounds') ?? []) {
    for (const [k, v] of keyValues(text, '--bounds')) {
      if (copy(k, '--bounds')) throw new UsageError(`--bounds ${k}: the copies of a per-dataset parameter share its bounds; give --bounds ${k.replace(/\[\d+\]$/, '')}=lo:hi`);
      if (!keys.has(k) && hyperNames.has(k)) {
        const parts = v.split(':');
        if (parts.length !== 2) throw new UsageError(`--bounds ${k}: expected lo:hi, got "${v}"`);
        const lo = parseNumberArg(parts[0], `--bounds ${k} lower`);
        const hi = parseNumberArg(parts[1], `--bounds ${k} upper`);
        if (lo > hi) throw new UsageError(`--bounds ${k}: lower ${lo} is above upper ${hi}`);
        const d = hyperDoc(k);
        d.lower = Number.isFinite(lo) ? lo : null;
        d.upper = Number.isFinite(hi) ? hi : null;
      } else keepBounds.push(`${k}=${v}`);
    }
  }
  const keepFix: string[] = [];
  for (const text of args.flags.get('fix') ?? []) {
    for (const k of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (copy(k, '--fix')) throw new UsageError(`--fix ${k}: a per-dataset copy cannot be fixed alone; fix ${k.replace(/\[\d+\]$/, '')} or leave it out of --per-dataset`);
      if (!keys.has(k) && hyperNames.has(k)) hyperDoc(k).fixed = true;
      else keepFix.push(k);
    }
  }
  const model = inputs.buildModel(
    withFlags(args, { start: keepStart.length ? [keepStart.join(',')] : undefined, bounds: keepBounds.length ? [keepBounds.join(',')] : undefined, fix: keepFix.length ? [keepFix.join(',')] : undefined }),
  );
  for (const r of relations) {
    const symbols = compileExpression(r.expr, { variables }).parameters;
    for (const s of symbols) {
      const d = hyper.get(s);
      if (d) r.params[s] = { ...d };
    }
  }
  const perDatasetStart: Record<string, number[]> = {};
  const values = new Map(modelKeys(model).map((k) => [k.key, k.doc.value]));
  for (const [key, starts] of copyStarts) {
    perDatasetStart[key] = Array.from({ length: nD }, (_, i) => starts.get(i) ?? values.get(key)!);
  }
  const components = args.flags.has('dataset-components') ? parseDatasetComponents(args, nD) : null;
  return {
    model,
    joint: { perDataset, datasetVars, relations, ...(copyStarts.size > 0 ? { perDatasetStart } : {}), ...(components ? { components } : {}) },
  };
}

/** `fit` of several datasets (joint, or --sequential). `session`: already read (null: not a session; undefined: not looked at). */
export function jointFitCommand(args: ParsedArgs, session?: SessionDoc | null): CommandOutput {
  const json = args.switches.has('json');
  const sequential = args.switches.has('sequential');
  if (sequential && hasJointFlags(args)) {
    throw new UsageError('--sequential fits each dataset alone; --per-dataset, --dataset-vars, --relation and --dataset-components belong to joint fits');
  }
  const inputs = loadInputs(args, session);
  const { datasets, settings } = inputs;
  if (sequential) {
    const model = inputs.buildModel(args);
    const results = fitSequential(datasets, model, settings, { now: () => performance.now() });
    const ok = results.every((r) => r.converged);
    const stdout = json
      ? JSON.stringify({ fits: results.map((r, i) => fitResultJson(r, { dataset: datasets[i].name })) })
      : results.map((r, i) => `== ${datasets[i].name} ==\n${fitResultTable(r)}`).join('\n\n');
    return { code: ok ? 0 : 1, stdout };
  }
  let model: ModelDoc;
  let joint: JointDoc;
  const fromFlags = hasJointFlags(args);
  if (fromFlags) {
    ({ model, joint } = jointFromArgs(args, inputs));
    try {
      resolveJoint(joint, model, datasets.length, datasets.map((d) => d.name));
    } catch (e) {
      if (e instanceof JointError) throw new UsageError(e.message);
      throw e;
    }
  } else {
    model = inputs.buildModel(args);
    joint = inputs.sessionJoint ?? { perDataset: [], datasetVars: [], relations: [] };
  }
  const result = fitJoint(datasets, model, joint, settings, { now: () => performance.now() });
  return {
    code: result.converged ? 0 : 1,
    stdout: json ? JSON.stringify(jointResultJson(result)) : jointResultTable(result),
  };
}
