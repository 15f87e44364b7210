/**
 * compileExpression: formula text -> CompiledExpression (vectorised value + analytic Jacobian,
 * scalar value and scalar derivatives). No eval / Function: the formula becomes a hash-consed
 * graph, derivatives are taken symbolically on it, and the graph is compiled to instruction tapes.
 */
import { isConstantName, isFunctionName, type ExprNode } from './ast';
import { treeToGraph } from './convert';
import { derive } from './derivative';
import { ExprError } from './errors';
import { Graph, GNode } from './graph';
import { runVector } from './kernels';
import { parseExpression } from './parse';
import { buildProgram, runScalar, type Program } from './tape';

export interface CompileOptions {
  /** names that are independent variables (per-point data), e.g. ['x'] or ['x', 'y'] */
  variables: string[];
}

export interface CompiledExpression {
  text: string;
  /** free symbols that are not variables or constants, in order of first appearance */
  parameters: string[];
  /** variables the formula uses (in the order given in the options) */
  variables: string[];
  /** out[i] = f(point i); jac (if not null) gets one array per parameter: jac[k][i] = df/dp_k */
  evaluate(
    vars: Record<string, Float64Array> | Map<string, Float64Array>,
    p: ArrayLike<number>,
    out: Float64Array,
    jac: Float64Array[] | null,
    n: number,
  ): void;
  /** value at a single point */
  scalar(vars: Record<string, number> | Map<string, number>, p: ArrayLike<number>): number;
  /** d value / d symbol at a single point (symbol: a variable or a parameter; 0 for a name the formula does not use) */
  scalarDerivative(symbol: string, vars: Record<string, number> | Map<string, number>, p: ArrayLike<number>): number;
}

/** Points per block of the vector tape: the temporaries of one block stay in cache. */
const BLOCK = 1024;

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function lookup<T>(vars: Record<string, T> | Map<string, T>, name: string): T | undefined {
  if (vars instanceof Map) return vars.get(name);
  return hasOwn(vars, name) ? vars[name] : undefined;
}

const EMPTY = new Float64Array(0);

class VectorRunner {
  private readonly program: Program;
  private readonly bufs: Float64Array[];
  private capacity = 0;

  constructor(program: Program) {
    this.program = program;
    this.bufs = new Array<Float64Array>(program.nOutputs + program.varSlotVars.length + program.nTemps).fill(EMPTY);
  }

  run(varArrays: Float64Array[], p: ArrayLike<number>, outputs: (k: number) => Float64Array, n: number): void {
    const pr = this.program;
    const bufs = this.bufs;
    const regs = pr.regs;
    for (let k = 0; k < pr.nOutputs; k++) bufs[k] = outputs(k);
    const base = pr.nOutputs;
    for (let j = 0; j < pr.varSlotVars.length; j++) bufs[base + j] = varArrays[pr.varSlotVars[j]];
    const tempBase = base + pr.varSlotVars.length;
    if (n > this.capacity) {
      this.capacity = n;
      for (let t = 0; t < pr.nTemps; t++) bufs[tempBase + t] = new Float64Array(n);
    }
    const loads = pr.paramLoads;
    for (let k = 0; k < loads.length; k += 2) regs[loads[k]] = p[loads[k + 1]];
    runScalar(pr.scalarCode, regs);
    const code = pr.vectorCode;
    for (let lo = 0; lo < n; lo += BLOCK) runVector(code, bufs, regs, lo, Math.min(n, lo + BLOCK));
    // do not keep the caller's arrays alive
    for (let k = 0; k < tempBase; k++) bufs[k] = EMPTY;
  }
}

class Compiled implements CompiledExpression {
  readonly text: string;
  readonly parameters: string[];
  readonly variables: string[];
  private readonly graph: Graph;
  private readonly root: GNode;
  /** all variable names given in the options (graph variable index = position here) */
  private readonly allVariables: string[];
  private readonly usedVariables: number[];
  private readonly symbolPositions: Map<string, number>;
  private readonly varArrays: Float64Array[];
  private valueRunner: VectorRunner | null = null;
  private fullRunner: VectorRunner | null = null;
  private scalarProgram: Program | null = null;
  private readonly derivativePrograms = new Map<string, Program>();
  private jacOutputs: Float64Array[] = [];
  private out: Float64Array = EMPTY;

  constructor(text: string, tree: ExprNode, variables: string[]) {
    this.text = text;
    this.graph = new Graph();
    const varIndex = new Map<string, number>();
    this.allVariables = [];
    for (const v of variables) {
      if (typeof v !== 'string' || varIndex.has(v) || isConstantName(v) || isFunctionName(v)) continue;
      varIndex.set(v, this.allVariables.length);
      this.allVariables.push(v);
    }
    const paramIndex = new Map<string, number>();
    const params: string[] = [];
    const used = new Set<number>();
    this.symbolPositions = new Map();
    const g = this.graph;
    this.root = treeToGraph(g, tree, (name, node) => {
      if (!this.symbolPositions.has(name)) this.symbolPositions.set(name, node.pos ?? 0);
      const vi = varIndex.get(name);
      if (vi !== undefined) {
        used.add(vi);
        return g.variable(vi);
      }
      let pi = paramIndex.get(name);
      if (pi === undefined) {
        pi = params.length;
        params.push(name);
        paramIndex.set(name, pi);
      }
      return g.param(pi);
    });
    this.parameters = params;
    this.usedVariables = [...used].sort((a, b) => a - b);
    this.variables = this.usedVariables.map((i) => this.allVariables[i]);
    this.varArrays = new Array<Float64Array>(this.allVariables.length).fill(EMPTY);
  }

  private missingVariable(name: string, what: string): ExprError {
    const pos = this.symbolPositions.get(name) ?? 0;
    return new ExprError(`Variable '${name}' (position ${pos}) has no ${what}`, pos, name.length);
  }

  private checkParams(p: ArrayLike<number>): void {
    if (p.length < this.parameters.length) {
      throw new Error(`${this.text}: ${this.parameters.length} parameter values needed, got ${p.length}`);
    }
  }

  private getFullRunner(): VectorRunner {
    if (this.fullRunner === null) {
      const g = this.graph;
      const outputs = [this.root];
      for (let k = 0; k < this.parameters.length; k++) outputs.push(derive(g, this.root, g.param(k)));
      this.fullRunner = new VectorRunner(buildProgram(outputs, g.nodes.length, true));
    }
    return this.fullRunner;
  }

  private readonly outputOf = (k: number): Float64Array => (k === 0 ? this.out : this.jacOutputs[k - 1]);

  evaluate(
    vars: Record<string, Float64Array> | Map<string, Float64Array>,
    p: ArrayLike<number>,
    out: Float64Array,
    jac: Float64Array[] | null,
    n: number,
  ): void {
    this.checkParams(p);
    if (!(n >= 0) || out.length < n) throw new Error(`${this.text}: output array shorter than ${n} points`);
    for (const vi of this.usedVariables) {
      const name = this.allVariables[vi];
      const arr = lookup(vars, name);
      if (!(arr instanceof Float64Array)) throw this.missingVariable(name, 'data');
      if (arr.length < n) throw new Error(`${this.text}: variable '${name}' has ${arr.length} points, ${n} needed`);
      this.varArrays[vi] = arr;
    }
    let runner: VectorRunner;
    if (jac !== null) {
      if (jac.length < this.parameters.length) throw new Error(`${this.text}: ${this.parameters.length} Jacobian columns needed`);
      for (let k = 0; k < this.parameters.length; k++) {
        if (jac[k].length < n) throw new Error(`${this.text}: Jacobian column ${k} shorter than ${n} points`);
      }
      runner = this.getFullRunner();
      this.jacOutputs = jac;
    } else {
      if (this.valueRunner === null) this.valueRunner = new VectorRunner(buildProgram([this.root], this.graph.nodes.length, true));
      runner = this.valueRunner;
    }
    this.out = out;
    try {
      runner.run(this.varArrays, p, this.outputOf, n);
    } finally {
      this.out = EMPTY;
      this.jacOutputs = [];
      this.varArrays.fill(EMPTY);
    }
  }

  private runScalarProgram(program: Program, vars: Record<string, number> | Map<string, number>, p: ArrayLike<number>): number {
    this.checkParams(p);
    const regs = program.regs;
    const pl = program.paramLoads;
    for (let k = 0; k < pl.length; k += 2) regs[pl[k]] = p[pl[k + 1]];
    const vl = program.varLoads;
    for (let k = 0; k < vl.length; k += 2) {
      const name = this.allVariables[vl[k + 1]];
      const v = lookup(vars, name);
      if (typeof v !== 'number') throw this.missingVariable(name, 'value');
      regs[vl[k]] = v;
    }
    runScalar(program.scalarCode, regs);
    return regs[program.outputRegs[0]];
  }

  scalar(vars: Record<string, number> | Map<string, number>, p: ArrayLike<number>): number {
    if (this.scalarProgram === null) this.scalarProgram = buildProgram([this.root], this.graph.nodes.length, false);
    return this.runScalarProgram(this.scalarProgram, vars, p);
  }

  scalarDerivative(symbol: string, vars: Record<string, number> | Map<string, number>, p: ArrayLike<number>): number {
    let program = this.derivativePrograms.get(symbol);
    if (program === undefined) {
      const g = this.graph;
      const vi = this.allVariables.indexOf(symbol);
      const pi = this.parameters.indexOf(symbol);
      const leaf = vi >= 0 && this.usedVariables.includes(vi) ? g.variable(vi) : pi >= 0 ? g.param(pi) : null;
      const d = leaf === null ? g.zero : derive(g, this.root, leaf);
      program = buildProgram([d], g.nodes.length, false);
      this.derivativePrograms.set(symbol, program);
    }
    return this.runScalarProgram(program, vars, p);
  }
}

/** Parses and compiles a formula; throws ExprError (with position) for a bad formula. */
export function compileExpression(text: string, options: CompileOptions): CompiledExpression {
  const tree = parseExpression(text);
  return new Compiled(text, tree, options.variables);
}
