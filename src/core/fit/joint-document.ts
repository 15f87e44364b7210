/**
 * Joint fits of several datasets with one model catalogue (PyAutoFit's "graphical models", gammapy's
 * joint fits of datasets with different models): each dataset uses all active components of the
 * model or the subset named in `components[i]` (dataset 0: Gaussian + Offset, dataset 1: Gaussian +
 * Exponential + Offset). A parameter key (`Gaussian.centre`) used by several datasets is shared by
 * them unless it is
 * - free per dataset (`perDataset`, PyAutoFit `with_free_parameters`): one copy per dataset,
 *   reported as `<key>[i]`;
 * - given by a relation (`relations`): its value in dataset i is an expression in that dataset's
 *   variables (`datasetVars[i]`, e.g. x = 1, 2, 3) and in hyperparameters (every other free symbol
 *   of the expression, e.g. `m*x + c` -> m, c), which are fitted once for all datasets and
 *   reported by their symbol names.
 * Fixed and twinned parameters behave as in a single fit (a twin of a per-dataset parameter follows
 * that dataset's copy). `resolveJoint` checks a JointDoc against a model and explains every refusal.
 */
import { compileExpression, ExprError, type CompiledExpression } from '../expr';
import { isConstantName, isFunctionName } from '../expr/ast';
import type { ModelDoc, ParameterDoc } from '../model/document';
import { paramKey } from '../model/document';

export interface RelationDoc {
  /** parameter key `<component>.<parameter>` (bare symbol for a one-formula model) */
  param: string;
  /** expression in the dataset variables and hyperparameters, e.g. `m*x + c`, `10^(a*log10(T) + b)` */
  expr: string;
  /** start value, bounds and fixed flag of hyperparameters (absent ones: free, unbounded, start from the parameter's value) */
  params: Record<string, ParameterDoc>;
}

export interface JointDoc {
  /** parameter keys free per dataset */
  perDataset: string[];
  /** named variables of each dataset (index = dataset index); may be empty when no relation uses variables */
  datasetVars: Record<string, number>[];
  relations: RelationDoc[];
  /** start values of per-dataset copies: key -> one value per dataset (default: the model's value) */
  perDatasetStart?: Record<string, number[]>;
  /**
   * the components each dataset uses (index = dataset index): names of model components; null,
   * undefined or a missing entry: every active component. Inactive components in a list are skipped.
   * Relations apply to the datasets whose model has the parameter.
   */
  components?: (string[] | null)[];
}

export function emptyJoint(): JointDoc {
  return { perDataset: [], datasetVars: [], relations: [] };
}

/** A JointDoc that cannot be used with the model or datasets. `position`/`length` mark the text of a bad relation. */
export class JointError extends Error {
  /** index of the relation whose expression is at fault */
  relation?: number;
  /** 0-based character index in that relation's expression */
  position?: number;
  length?: number;

  constructor(message: string, where?: { relation: number; position: number; length: number }) {
    super(message);
    this.name = 'JointError';
    if (where) {
      this.relation = where.relation;
      this.position = where.position;
      this.length = where.length;
    }
  }
}

/** `Gaussian.sigma[2]`: the key of dataset i's copy of a per-dataset parameter. */
export function perDatasetKey(key: string, i: number): string {
  return `${key}[${i}]`;
}

export interface HyperParameter {
  name: string;
  doc: ParameterDoc;
  /** start value given in a relation's params (otherwise chosen by the fit) */
  explicit: boolean;
}

export interface ResolvedRelation {
  param: string;
  expr: string;
  compiled: CompiledExpression;
  /** index into ResolvedJoint.hyper of each of compiled.parameters */
  hyper: number[];
}

export interface ResolvedJoint {
  perDataset: string[];
  relations: ResolvedRelation[];
  /** variable names (union of the datasetVars keys) */
  variables: string[];
  /** per dataset: variable values as a Map (for CompiledExpression.scalar) */
  vars: Map<string, number>[];
  hyper: HyperParameter[];
  perDatasetStart: Record<string, number[]>;
  /** per dataset: the active components it uses, in model order */
  datasetComponents: string[][];
  /** every active parameter key (model order) -> the datasets that use it (ascending; may be empty) */
  keyDatasets: Map<string, number[]>;
  /** true when some dataset uses only part of the active components */
  subsets: boolean;
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface ParamInfo {
  doc: ParameterDoc;
  component: string;
}

function modelParameters(model: ModelDoc): Map<string, ParamInfo> {
  const out = new Map<string, ParamInfo>();
  for (const c of model.components) {
    if (!c.active) continue;
    for (const p of Object.keys(c.params)) out.set(paramKey(c.name, p), { doc: c.params[p], component: c.name });
  }
  return out;
}

/** `Gaussian`, or `the formula` for the one bare-expression component */
const componentLabel = (name: string): string => (name === '' ? 'the formula component' : name);

/**
 * The active components each dataset uses (model order). Throws JointError for a malformed list,
 * an unknown component name, a dataset left with no active component, and a twin whose source
 * component the dataset does not use.
 */
function datasetComponentLists(joint: JointDoc, model: ModelDoc, params: Map<string, ParamInfo>, nDatasets: number, dsName: (i: number) => string): string[][] {
  const lists = joint.components ?? [];
  if (!Array.isArray(lists)) throw new JointError('components must be a list (one entry per dataset: component names, or null for all)');
  if (lists.length > nDatasets) {
    throw new JointError(`Component lists are given for ${lists.length} datasets, but there ${nDatasets === 1 ? 'is 1 dataset' : `are ${nDatasets} datasets`}`);
  }
  const all = model.components.map((c) => c.name);
  const active = model.components.filter((c) => c.active).map((c) => c.name);
  const out: string[][] = [];
  for (let i = 0; i < nDatasets; i++) {
    const list = lists[i];
    if (list === null || list === undefined) {
      out.push(active.slice());
      continue;
    }
    if (!Array.isArray(list)) throw new JointError(`components[${i}] must be a list of component names (or null for all)`);
    for (const [k, name] of list.entries()) {
      if (typeof name !== 'string') throw new JointError(`components[${i}] must be a list of component names (or null for all)`);
      if (list.indexOf(name) !== k) throw new JointError(`The components of ${dsName(i)} name ${componentLabel(name)} twice`);
      if (!all.includes(name)) {
        throw new JointError(`Unknown component "${name}" in the components of ${dsName(i)} (components: ${all.length > 0 ? all.map((n) => (n === '' ? "''" : n)).join(', ') : 'none'})`);
      }
    }
    const used = active.filter((name) => list.includes(name));
    if (used.length === 0) {
      const skipped = list.length > 0 ? ` (${list.join(', ')} ${list.length === 1 ? 'is' : 'are'} inactive)` : '';
      throw new JointError(`${dsName(i)} uses no active component${skipped}; give it at least one`);
    }
    out.push(used);
  }
  // a twin needs its source in the same dataset's model
  out.forEach((used, i) => {
    for (const c of model.components) {
      if (!c.active || !used.includes(c.name)) continue;
      for (const [p, d] of Object.entries(c.params)) {
        const src = d.twin ? params.get(d.twin.source) : undefined;
        if (src && !used.includes(src.component)) {
          throw new JointError(
            `${paramKey(c.name, p)} is twinned to ${d.twin!.source}, but ${dsName(i)} does not use ${componentLabel(src.component)}; add ${componentLabel(src.component)} to its components or remove the twin`,
          );
        }
      }
    }
  });
  return out;
}

function listKeys(params: Map<string, ParamInfo>): string {
  const keys = [...params.keys()];
  return keys.length > 0 ? keys.join(', ') : 'none';
}

/** Why a parameter cannot vary between datasets, or null when it can. */
function notFree(key: string, doc: ParameterDoc): string | null {
  if (doc.twin) return `${key} is twinned to ${doc.twin.source}; remove the twin first`;
  if (doc.fixed) return `${key} is fixed; free it first`;
  if (doc.lower !== null && doc.upper !== null && doc.lower === doc.upper) return `${key} has equal bounds (fixed); widen them first`;
  return null;
}

function checkParameterDoc(where: string, d: ParameterDoc | undefined): void {
  if (typeof d !== 'object' || d === null) throw new JointError(`${where}: expected {value, lower, upper, fixed}`);
  if (typeof d.value !== 'number' || !Number.isFinite(d.value)) throw new JointError(`${where}: the value must be a finite number`);
  const lo = d.lower ?? -Infinity;
  const hi = d.upper ?? Infinity;
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw new JointError(`${where}: bounds must be numbers or null`);
  if (lo > hi) throw new JointError(`${where}: lower bound ${lo} is above upper bound ${hi}`);
}

/**
 * Checks `joint` against the model and the number of datasets and compiles its relations.
 * Throws JointError with a message that names the offending key, relation or dataset.
 */
export function resolveJoint(joint: JointDoc, model: ModelDoc, nDatasets: number, datasetNames: string[] = []): ResolvedJoint {
  if (typeof joint !== 'object' || joint === null) throw new JointError('The joint-fit settings are missing');
  if (!(nDatasets >= 1)) throw new JointError('A joint fit needs at least one dataset');
  const perDatasetList = joint.perDataset ?? [];
  const relationsList = joint.relations ?? [];
  const datasetVars = joint.datasetVars ?? [];
  if (!Array.isArray(perDatasetList)) throw new JointError('perDataset must be a list of parameter keys');
  if (!Array.isArray(relationsList)) throw new JointError('relations must be a list');
  if (!Array.isArray(datasetVars)) throw new JointError('datasetVars must be a list (one entry per dataset)');
  const dsName = (i: number): string => (datasetNames[i] ? `dataset ${i} (${datasetNames[i]})` : `dataset ${i}`);
  const params = modelParameters(model);
  const datasetComponents = datasetComponentLists(joint, model, params, nDatasets, dsName);
  const keyDatasets = new Map<string, number[]>();
  for (const [key, info] of params) {
    const ds: number[] = [];
    datasetComponents.forEach((used, i) => {
      if (used.includes(info.component)) ds.push(i);
    });
    keyDatasets.set(key, ds);
  }
  const unused = (key: string): string => {
    const c = params.get(key)!.component;
    return c === '' ? 'no dataset uses the formula component' : `no dataset uses ${c}`;
  };

  const perDataset: string[] = [];
  for (const key of perDatasetList) {
    if (typeof key !== 'string') throw new JointError('perDataset must be a list of parameter keys');
    const info = params.get(key);
    if (!info) throw new JointError(`Unknown parameter "${key}" in the per-dataset list (parameters: ${listKeys(params)})`);
    if (perDataset.includes(key)) throw new JointError(`${key} is listed twice as free per dataset`);
    const why = notFree(key, info.doc);
    if (why) throw new JointError(`${why}: only a free parameter can be free per dataset`);
    if (keyDatasets.get(key)!.length === 0) throw new JointError(`${key} is listed as free per dataset, but ${unused(key)}`);
    perDataset.push(key);
  }

  // variables: union of the names given for any dataset
  const variables: string[] = [];
  datasetVars.forEach((v, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JointError(`datasetVars[${i}] must map variable names to numbers`);
    for (const [name, value] of Object.entries(v)) {
      if (!NAME.test(name)) throw new JointError(`Dataset variable "${name}" (${dsName(i)}) is not a valid name (letters, digits and _, not starting with a digit)`);
      if (isConstantName(name) || isFunctionName(name)) throw new JointError(`Dataset variable "${name}" is the name of a built-in ${isConstantName(name) ? 'constant' : 'function'}; choose another name`);
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new JointError(`Dataset variable ${name} of ${dsName(i)} must be a finite number, not ${String(value)}`);
      if (!variables.includes(name)) variables.push(name);
    }
  });
  if (datasetVars.length > nDatasets) {
    throw new JointError(`Dataset variables are given for ${datasetVars.length} datasets, but there ${nDatasets === 1 ? 'is 1 dataset' : `are ${nDatasets} datasets`}`);
  }

  const hyper: HyperParameter[] = [];
  const relations: ResolvedRelation[] = [];
  const related = new Set<string>();
  relationsList.forEach((rel, r) => {
    if (typeof rel !== 'object' || rel === null || typeof rel.param !== 'string' || typeof rel.expr !== 'string') {
      throw new JointError(`relations[${r}] must be {param, expr, params}`);
    }
    const key = rel.param;
    const info = params.get(key);
    if (!info) throw new JointError(`Unknown parameter "${key}" in relation ${r + 1} (parameters: ${listKeys(params)})`);
    if (perDataset.includes(key)) throw new JointError(`${key} is free per dataset and also given by the relation ${key} = ${rel.expr}; choose one`);
    if (related.has(key)) throw new JointError(`${key} has two relations; give one`);
    const why = notFree(key, info.doc);
    if (why) throw new JointError(`${why}: a relation replaces a free parameter`);
    if (keyDatasets.get(key)!.length === 0) throw new JointError(`Relation ${key} = ${rel.expr}: ${unused(key)}`);
    related.add(key);
    let compiled: CompiledExpression;
    try {
      compiled = compileExpression(rel.expr, { variables });
    } catch (e) {
      if (e instanceof ExprError) {
        throw new JointError(`Relation ${key} = ${rel.expr}: ${e.message}`, { relation: r, position: e.position, length: e.length });
      }
      throw e;
    }
    const relParams = rel.params ?? {};
    if (typeof relParams !== 'object' || relParams === null) throw new JointError(`Relation ${key}: params must map hyperparameter names to {value, lower, upper, fixed}`);
    for (const name of Object.keys(relParams)) {
      if (!compiled.parameters.includes(name)) {
        const known = compiled.parameters.length > 0 ? compiled.parameters.join(', ') : 'none';
        throw new JointError(`Relation ${key} = ${rel.expr} has no hyperparameter "${name}" (hyperparameters: ${known}${variables.includes(name) ? `; ${name} is a dataset variable` : ''})`);
      }
    }
    const idx: number[] = [];
    for (const name of compiled.parameters) {
      if (params.has(name)) {
        throw new JointError(`Hyperparameter "${name}" of the relation ${key} = ${rel.expr} has the name of a model parameter; rename it`);
      }
      const given = hasOwn(relParams, name) ? relParams[name] : undefined;
      if (given !== undefined) checkParameterDoc(`Hyperparameter ${name} of the relation for ${key}`, given);
      let h = hyper.findIndex((q) => q.name === name);
      if (h < 0) {
        h = hyper.length;
        hyper.push({ name, doc: given ? { ...given } : { value: 1, lower: null, upper: null, fixed: false }, explicit: given !== undefined });
      } else if (given !== undefined && !hyper[h].explicit) {
        hyper[h] = { name, doc: { ...given }, explicit: true };
      }
      idx.push(h);
    }
    // every dataset whose model has the parameter needs the variables this relation uses
    for (const v of compiled.variables) {
      for (const i of keyDatasets.get(key)!) {
        const dv = datasetVars[i];
        if (!dv || !hasOwn(dv, v)) {
          throw new JointError(`${dsName(i)} has no value for the variable ${v} used by the relation ${key} = ${rel.expr}`);
        }
      }
    }
    relations.push({ param: key, expr: rel.expr, compiled, hyper: idx });
  });

  const perDatasetStart: Record<string, number[]> = {};
  for (const [key, values] of Object.entries(joint.perDatasetStart ?? {})) {
    if (!perDataset.includes(key)) throw new JointError(`Start values are given for ${key}, which is not free per dataset`);
    if (!Array.isArray(values) || values.length !== nDatasets) {
      throw new JointError(`Start values of ${key}: ${Array.isArray(values) ? values.length : 'no list of'} values for ${nDatasets} datasets`);
    }
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new JointError(`Start value of ${perDatasetKey(key, i)} must be a finite number`);
    });
    perDatasetStart[key] = values.slice();
  }

  const vars = Array.from({ length: nDatasets }, (_, i) => {
    const m = new Map<string, number>();
    const dv = datasetVars[i];
    if (dv) for (const [name, value] of Object.entries(dv)) m.set(name, value);
    return m;
  });
  const subsets = datasetComponents.some((used) => model.components.some((c) => c.active && !used.includes(c.name)));
  return { perDataset, relations, variables, vars, hyper, perDatasetStart, datasetComponents, keyDatasets, subsets };
}

/** Checks a JointDoc; returns the problem as a sentence, or null when it can be used. */
export function jointProblem(joint: JointDoc, model: ModelDoc, nDatasets: number, datasetNames: string[] = []): string | null {
  try {
    resolveJoint(joint, model, nDatasets, datasetNames);
    return null;
  } catch (e) {
    if (e instanceof JointError) return e.message;
    throw e;
  }
}
