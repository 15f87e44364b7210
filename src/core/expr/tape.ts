/**
 * Compiles a set of output nodes of an expression graph into flat instruction tapes:
 *  - a scalar tape for nodes that do not depend on the variables (run once per call), and
 *  - a vector tape for nodes that do (each instruction loops over a block of points).
 * Every graph node is computed once however many outputs use it (the graph is hash-consed),
 * and vector buffers are recycled by liveness (a buffer is freed after its last reader).
 */
import { GNode } from './graph';
import {
  KIND_SV, KIND_VS, KIND_VV, VOP_COPY, VOP_EXP_DIV, VOP_EXP_MUL, VOP_FILL, VOP_MUL3, VOP_MULADD, VOP_MULSUB, VOP_NMULADD,
  vectorOpcode,
} from './kernels';
import {
  OP_ADD, OP_CONST, OP_DIV, OP_EXP, OP_MUL, OP_PARAM, OP_POW, OP_SUB, OP_VAR, applyBinary, applyUnary, powSpecialOp,
} from './ops';

export interface Program {
  /** scalar registers, indexed by graph node id; constants are preset */
  regs: Float64Array;
  /** pairs (register, parameter index) loaded before each run */
  paramLoads: Int32Array;
  /** pairs (register, variable index): scalar variables (scalar programs only) */
  varLoads: Int32Array;
  /** scalar instructions: op, dst, a, b (b = -1 for unary) */
  scalarCode: Int32Array;
  /** register of each output, for scalar programs */
  outputRegs: Int32Array;
  /** vector instructions (vector programs only), INSTRUCTION_SIZE ints each */
  vectorCode: Int32Array;
  /** slots 0..nOutputs-1 are the outputs; then one slot per entry of varSlotVars; then temporaries */
  nOutputs: number;
  varSlotVars: Int32Array;
  nTemps: number;
}

/** Effective op of a node: pow with exponent 2, 3, -1, -2 becomes a cheaper unary op. */
function effectiveOp(n: GNode): number {
  if (n.op === OP_POW && n.b!.op === OP_CONST) {
    const s = powSpecialOp(n.b!.value);
    if (s >= 0) return s;
  }
  return n.op;
}

function operandsOf(n: GNode, op: number): [GNode | null, GNode | null] {
  if (op !== n.op) return [n.a, null];
  return [n.a, n.b];
}

/** Nodes reachable from the outputs, in increasing id (evaluation) order; iterative (no recursion). */
function reachable(outputs: GNode[], nNodes: number): GNode[] {
  const seen = new Uint8Array(nNodes);
  const list: GNode[] = [];
  const stack: GNode[] = [...outputs];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen[n.id]) continue;
    seen[n.id] = 1;
    list.push(n);
    const [a, b] = operandsOf(n, effectiveOp(n));
    if (a) stack.push(a);
    if (b) stack.push(b);
  }
  return list.sort((x, y) => x.id - y.id);
}

function isLeaf(n: GNode): boolean {
  return n.op === OP_CONST || n.op === OP_PARAM || n.op === OP_VAR;
}

/**
 * Builds a program for `outputs`. With `vector` true, variables are per-point vectors and
 * outputs go to buffers; otherwise everything is scalar and outputs are read from registers.
 */
export function buildProgram(outputs: GNode[], nNodes: number, vector: boolean): Program {
  const nodes = reachable(outputs, nNodes);
  const regs = new Float64Array(nNodes);
  const varying = new Uint8Array(nNodes);
  const paramLoads: number[] = [];
  const varLoads: number[] = [];
  const scalarCode: number[] = [];
  const varyingNodes: GNode[] = [];
  for (const n of nodes) {
    if (n.op === OP_CONST) regs[n.id] = n.value;
    else if (n.op === OP_PARAM) paramLoads.push(n.id, n.index);
    else if (n.op === OP_VAR) {
      if (vector) varying[n.id] = 1;
      else varLoads.push(n.id, n.index);
    } else {
      const op = effectiveOp(n);
      const [a, b] = operandsOf(n, op);
      if (varying[a!.id] || (b !== null && varying[b.id])) {
        varying[n.id] = 1;
        varyingNodes.push(n);
      } else {
        scalarCode.push(op, n.id, a!.id, b === null ? -1 : b.id);
      }
    }
  }
  const program: Program = {
    regs,
    paramLoads: Int32Array.from(paramLoads),
    varLoads: Int32Array.from(varLoads),
    scalarCode: Int32Array.from(scalarCode),
    outputRegs: Int32Array.from(outputs, (o) => o.id),
    vectorCode: new Int32Array(0),
    nOutputs: outputs.length,
    varSlotVars: new Int32Array(0),
    nTemps: 0,
  };
  if (!vector) return program;

  const vectorPart = buildVectorCode(outputs, nodes, varyingNodes, varying, nNodes);
  program.vectorCode = vectorPart.code;
  program.varSlotVars = vectorPart.varSlotVars;
  program.nTemps = vectorPart.nTemps;
  return program;
}

/** One vector instruction before slot allocation: fields are graph nodes (vector or scalar operands). */
interface VInstr {
  vop: number;
  node: GNode;
  fields: GNode[];
  /** bit i set: field i is a vector operand (a buffer slot), otherwise a scalar register */
  vectorMask: number;
}

/** uniform * varying in the graph's canonical form */
function isScaled(n: GNode): boolean {
  return n.op === OP_MUL && !n.a!.varying && n.b!.varying;
}

/**
 * Selects vector instructions (fusing single-use operands into MULADD, MUL3, EXP_MUL, ...),
 * then assigns buffer slots: outputs first, then variables, then temporaries recycled after
 * their last reader.
 */
function buildVectorCode(
  outputs: GNode[],
  nodes: GNode[],
  varyingNodes: GNode[],
  varying: Uint8Array,
  nNodes: number,
): { code: Int32Array; varSlotVars: Int32Array; nTemps: number } {
  const nOut = outputs.length;
  const isOutput = new Uint8Array(nNodes);
  for (const t of outputs) isOutput[t.id] = 1;
  const uses = new Int32Array(nNodes);
  for (const n of varyingNodes) {
    const [a, b] = operandsOf(n, effectiveOp(n));
    if (varying[a!.id]) uses[a!.id]++;
    if (b !== null && varying[b.id]) uses[b.id]++;
  }
  const inlined = new Uint8Array(nNodes);
  const fused = new Uint8Array(nNodes);
  const canInline = (m: GNode): boolean =>
    varying[m.id] === 1 && !isLeaf(m) && uses[m.id] === 1 && !isOutput[m.id] && !fused[m.id] && !inlined[m.id];

  const instrs: VInstr[] = [];
  for (const n of varyingNodes) {
    const op = effectiveOp(n);
    const [a, b] = operandsOf(n, op);
    let instr: VInstr | null = null;
    let absorbed: GNode | null = null;
    const bothVarying = b !== null && varying[a!.id] === 1 && varying[b.id] === 1;
    if (op === OP_ADD && bothVarying) {
      if (canInline(a!) && isScaled(a!)) { absorbed = a!; instr = { vop: VOP_MULADD, node: n, fields: [a!.a!, a!.b!, b!], vectorMask: 6 }; }
      else if (canInline(b!) && isScaled(b!)) { absorbed = b!; instr = { vop: VOP_MULADD, node: n, fields: [b!.a!, b!.b!, a!], vectorMask: 6 }; }
    } else if (op === OP_SUB && bothVarying) {
      if (canInline(b!) && isScaled(b!)) { absorbed = b!; instr = { vop: VOP_NMULADD, node: n, fields: [b!.a!, b!.b!, a!], vectorMask: 6 }; }
      else if (canInline(a!) && isScaled(a!)) { absorbed = a!; instr = { vop: VOP_MULSUB, node: n, fields: [a!.a!, a!.b!, b!], vectorMask: 6 }; }
    } else if (op === OP_MUL && isScaled(n)) {
      const m = b!;
      if (canInline(m) && m.op === OP_MUL && varying[m.a!.id] && varying[m.b!.id]) {
        absorbed = m;
        instr = { vop: VOP_MUL3, node: n, fields: [a!, m.a!, m.b!], vectorMask: 6 };
      }
    } else if (op === OP_EXP) {
      const m = a!;
      if (canInline(m) && isScaled(m)) { absorbed = m; instr = { vop: VOP_EXP_MUL, node: n, fields: [m.a!, m.b!], vectorMask: 2 }; }
      else if (canInline(m) && m.op === OP_DIV && varying[m.a!.id] && !varying[m.b!.id]) {
        absorbed = m;
        instr = { vop: VOP_EXP_DIV, node: n, fields: [m.b!, m.a!], vectorMask: 2 };
      }
    }
    if (instr !== null) {
      inlined[absorbed!.id] = 1;
      fused[n.id] = 1;
    } else if (b === null) {
      instr = { vop: vectorOpcode(op, KIND_VV), node: n, fields: [a!], vectorMask: 1 };
    } else if (varying[a!.id] && varying[b.id]) {
      instr = { vop: vectorOpcode(op, KIND_VV), node: n, fields: [a!, b], vectorMask: 3 };
    } else if (varying[a!.id]) {
      instr = { vop: vectorOpcode(op, KIND_VS), node: n, fields: [a!, b], vectorMask: 1 };
    } else {
      instr = { vop: vectorOpcode(op, KIND_SV), node: n, fields: [a!, b], vectorMask: 2 };
    }
    instrs.push(instr);
  }
  // inlined nodes were pushed before their consumer: drop them
  const kept = instrs.filter((ins) => !inlined[ins.node.id]);

  const slot = new Int32Array(nNodes).fill(-1);
  const varSlotVars: number[] = [];
  for (const n of nodes) {
    if (n.op === OP_VAR) {
      slot[n.id] = nOut + varSlotVars.length;
      varSlotVars.push(n.index);
    }
  }
  const tempBase = nOut + varSlotVars.length;
  // the first output that a computed varying node feeds is written directly by its instruction
  const outSlot = new Int32Array(nNodes).fill(-1);
  for (let k = 0; k < nOut; k++) {
    const t = outputs[k];
    if (varying[t.id] && !isLeaf(t) && outSlot[t.id] < 0) outSlot[t.id] = k;
  }
  const lastUse = new Int32Array(nNodes).fill(-1);
  kept.forEach((ins, i) => {
    ins.fields.forEach((f, j) => {
      if (ins.vectorMask & (1 << j)) lastUse[f.id] = i;
    });
  });
  const free: number[] = [];
  let nTemps = 0;
  const code: number[] = [];
  kept.forEach((ins, i) => {
    const enc = [-1, -1, -1];
    ins.fields.forEach((f, j) => {
      enc[j] = ins.vectorMask & (1 << j) ? slot[f.id] : f.id;
    });
    // release vector operands read for the last time (temporaries only), so the result may reuse one
    ins.fields.forEach((f, j) => {
      if (ins.vectorMask & (1 << j) && lastUse[f.id] === i && slot[f.id] >= tempBase) {
        free.push(slot[f.id]);
        lastUse[f.id] = -2; // released once even if read by two fields
      }
    });
    let dst = outSlot[ins.node.id];
    if (dst < 0) dst = free.length > 0 ? free.pop()! : tempBase + nTemps++;
    slot[ins.node.id] = dst;
    code.push(ins.vop, dst, enc[0], enc[1], enc[2]);
  });
  for (let k = 0; k < nOut; k++) {
    const t = outputs[k];
    if (outSlot[t.id] === k) continue;
    if (varying[t.id]) code.push(VOP_COPY, k, slot[t.id], -1, -1);
    else code.push(VOP_FILL, k, t.id, -1, -1);
  }
  return { code: Int32Array.from(code), varSlotVars: Int32Array.from(varSlotVars), nTemps };
}

/** Runs the scalar instructions on the registers. */
export function runScalar(code: Int32Array, regs: Float64Array): void {
  for (let k = 0; k < code.length; k += 4) {
    const b = code[k + 3];
    regs[code[k + 1]] = b < 0 ? applyUnary(code[k], regs[code[k + 2]]) : applyBinary(code[k], regs[code[k + 2]], regs[b]);
  }
}
