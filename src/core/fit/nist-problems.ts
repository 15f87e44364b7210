/**
 * Parser for the NIST StRD nonlinear-regression files (https://www.itl.nist.gov/div898/strd/nls/):
 * the model formula, both starting values, certified values and standard deviations, the
 * certified residual sum of squares and the data block. Takes the file's text (no I/O here).
 */
import type { Dataset } from '../data/dataset';
import type { ModelDoc, ParameterDoc } from '../model/document';

export interface NistProblem {
  name: string;
  difficulty: string;
  /** right-hand side of the model in Fitbench expression syntax (b1..bp, predictors, ^, atan) */
  formula: string;
  /** the response that the formula models: y itself or log(y) (Nelson) */
  response: 'y' | 'log(y)';
  predictors: string[];
  parameters: string[];
  start1: number[];
  start2: number[];
  certifiedValues: number[];
  certifiedErrors: number[];
  certifiedRss: number;
  /** certified residual standard deviation sqrt(RSS / (n - p)) */
  certifiedResidualSd: number;
  /** degrees of freedom as printed in the file (Rat43's file says 9; n - p is 11) */
  dof: number;
  y: Float64Array;
  x: Record<string, Float64Array>;
}

const NUM = '[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';

/** Converts NIST's Fortran-like notation: [ ] -> ( ), ** -> ^, arctan -> atan, .5 -> 0.5, named constants inlined. */
export function convertNistFormula(text: string, constants: Record<string, string> = {}): string {
  let f = text.replace(/\[/g, '(').replace(/\]/g, ')').replace(/\*\*/g, '^').replace(/\barctan\b/g, 'atan');
  f = f.replace(/(^|[^\w.])\.(\d)/g, '$10.$2');
  const all: Record<string, string> = { pi: '3.141592653589793', ...constants };
  for (const [name, value] of Object.entries(all)) {
    f = f.replace(new RegExp(`\\b${name}\\b`, 'g'), `(${value})`);
  }
  return f.replace(/\s+/g, ' ').trim();
}

export function parseNistFile(text: string): NistProblem {
  const lines = text.split(/\r?\n/);
  const nameMatch = /Dataset Name:\s+(\S+)/.exec(text);
  if (!nameMatch) throw new Error('not a NIST StRD file: no "Dataset Name"');
  const name = nameMatch[1];
  const difficulty = /(Lower|Average|Higher) Level of Difficulty/.exec(text)?.[1] ?? '';

  // ---- model block ----
  const modelStart = lines.findIndex((l) => /^Model:/.test(l));
  const startValues = lines.findIndex((l, i) => i > modelStart && /Starting values/i.test(l));
  if (modelStart < 0 || startValues < 0) throw new Error(`${name}: no model or starting values`);
  const constants: Record<string, string> = {};
  const formulaLines: string[] = [];
  let inFormula = false;
  for (let i = modelStart + 1; i < startValues; i++) {
    const l = lines[i].trim();
    if (inFormula) {
      if (l === '') break;
      formulaLines.push(l);
      continue;
    }
    const constant = new RegExp(`^(\\w+)\\s*=\\s*(${NUM})$`).exec(l);
    if (constant) {
      constants[constant[1]] = constant[2];
      continue;
    }
    if (/=/.test(l) && /\by\b/.test(l.split('=')[0])) {
      inFormula = true;
      formulaLines.push(l);
    }
  }
  const joined = formulaLines.join(' ');
  const eq = joined.indexOf('=');
  const lhs = joined.slice(0, eq).trim();
  let rhs = joined.slice(eq + 1).trim();
  rhs = rhs.replace(/\+\s*e\s*$/, '').trim();
  const response: 'y' | 'log(y)' = /^log\s*\[\s*y\s*\]$/.test(lhs) ? 'log(y)' : 'y';
  if (response === 'y' && lhs !== 'y') throw new Error(`${name}: unsupported response ${lhs}`);
  const formula = convertNistFormula(rhs, constants);

  // ---- starting and certified values ----
  const parameters: string[] = [];
  const start1: number[] = [];
  const start2: number[] = [];
  const certifiedValues: number[] = [];
  const certifiedErrors: number[] = [];
  const paramRe = new RegExp(`^\\s*(b\\d+)\\s*=\\s*(${NUM})\\s+(${NUM})\\s+(${NUM})\\s+(${NUM})\\s*$`);
  for (let i = startValues; i < lines.length; i++) {
    const mm = paramRe.exec(lines[i]);
    if (mm) {
      parameters.push(mm[1]);
      start1.push(Number(mm[2]));
      start2.push(Number(mm[3]));
      certifiedValues.push(Number(mm[4]));
      certifiedErrors.push(Number(mm[5]));
    } else if (parameters.length > 0) break;
  }
  const rssMatch = new RegExp(`Residual Sum of Squares:\\s+(${NUM})`).exec(text);
  const sdMatch = new RegExp(`Residual Standard Deviation:\\s+(${NUM})`).exec(text);
  const dofMatch = /Degrees of Freedom:\s+(\d+)/.exec(text);
  if (!rssMatch || !sdMatch || !dofMatch || parameters.length === 0) throw new Error(`${name}: certified values missing`);

  // ---- data block: the 'Data:' line that names the columns ----
  const dataHeader = lines.findIndex((l) => /^Data:\s+y(\s+\w+)+\s*$/.test(l));
  if (dataHeader < 0) throw new Error(`${name}: no data header`);
  const columns = lines[dataHeader].replace(/^Data:/, '').trim().split(/\s+/);
  const rows: number[][] = [];
  for (let i = dataHeader + 1; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '') continue;
    const v = l.split(/\s+/).map(Number);
    if (v.length !== columns.length || v.some((z) => !Number.isFinite(z))) break;
    rows.push(v);
  }
  const col = (c: number) => Float64Array.from(rows, (r) => r[c]);
  const x: Record<string, Float64Array> = {};
  const predictors = columns.slice(1);
  predictors.forEach((p, i) => (x[p] = col(i + 1)));
  return {
    name,
    difficulty,
    formula,
    response,
    predictors,
    parameters,
    start1,
    start2,
    certifiedValues,
    certifiedErrors,
    certifiedRss: Number(rssMatch[1]),
    certifiedResidualSd: Number(sdMatch[1]),
    dof: Number(dofMatch[1]),
    y: col(0),
    x,
  };
}

/** The problem as the app and the runner see it: a dataset (no sigma) and a one-expression model with bare keys b1..bp. */
export function nistFitInputs(p: NistProblem, start: 1 | 2): { dataset: Dataset; model: ModelDoc } {
  const y = p.response === 'log(y)' ? p.y.map(Math.log) : Float64Array.from(p.y);
  const coords: Record<string, Float64Array> = {};
  for (const name of p.predictors) coords[name] = Float64Array.from(p.x[name]);
  const dataset: Dataset = { name: p.name, kind: 'spectrum', shape: [y.length], coords, values: y };
  const values = start === 1 ? p.start1 : p.start2;
  const params: Record<string, ParameterDoc> = {};
  p.parameters.forEach((b, k) => (params[b] = { value: values[k], lower: null, upper: null, fixed: false }));
  const model: ModelDoc = { components: [{ name: '', type: 'Expression', active: true, options: { expr: p.formula }, params }] };
  return { dataset, model };
}
