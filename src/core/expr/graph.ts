/**
 * Expression graph with hash-consing: structurally identical subexpressions are the same node
 * (so the value and all derivatives share common work), and the node constructors simplify
 * (constant folding, x+0, x*1, 0*x, x^1, --x, ...) so derivative graphs stay small.
 * Node ids grow with creation, and children are created before parents, so id order is a
 * valid evaluation order.
 *
 * Nodes that depend on a variable are "varying" (computed per point); the rest are "uniform"
 * (one scalar per evaluation). Products and quotients mixing the two are kept in the form
 * uniform * varying with the uniform factors (and signs) collected on the left, e.g.
 * -(b2*x) -> (-b2)*x and b3*(e*(2*u/b5^2)) -> (b3*2/b5^2)*(e*u), so that the vector tape does
 * that work once per call instead of once per point. This reassociation can change results
 * in the last bits only.
 */
import { OP_ADD, OP_CONST, OP_DIV, OP_MUL, OP_NEG, OP_PARAM, OP_POW, OP_SUB, OP_VAR, applyBinary, applyUnary } from './ops';

export class GNode {
  readonly id: number;
  readonly op: number;
  readonly a: GNode | null;
  readonly b: GNode | null;
  /** value of a constant */
  readonly value: number;
  /** parameter or variable index of a leaf */
  readonly index: number;
  /** depends on a variable */
  readonly varying: boolean;

  constructor(id: number, op: number, a: GNode | null, b: GNode | null, value: number, index: number) {
    this.id = id;
    this.op = op;
    this.a = a;
    this.b = b;
    this.value = value;
    this.index = index;
    this.varying = op === OP_VAR || (a !== null && a.varying) || (b !== null && b.varying);
  }

  isConst(v?: number): boolean {
    return this.op === OP_CONST && (v === undefined || this.value === v);
  }
}

function numberKey(v: number): string {
  return Object.is(v, -0) ? 'c-0' : `c${v}`;
}

/** uniform * varying product in canonical form (uniform factor on the left) */
function isScaled(n: GNode): boolean {
  return n.op === OP_MUL && !n.a!.varying && n.b!.varying;
}

export class Graph {
  readonly nodes: GNode[] = [];
  private readonly table = new Map<string, GNode>();
  readonly zero: GNode;
  readonly one: GNode;

  constructor() {
    this.zero = this.constant(0);
    this.one = this.constant(1);
  }

  private intern(key: string, op: number, a: GNode | null, b: GNode | null, value: number, index: number): GNode {
    const found = this.table.get(key);
    if (found !== undefined) return found;
    const node = new GNode(this.nodes.length, op, a, b, value, index);
    this.nodes.push(node);
    this.table.set(key, node);
    return node;
  }

  constant(v: number): GNode {
    return this.intern(numberKey(v), OP_CONST, null, null, v, -1);
  }

  param(index: number): GNode {
    return this.intern(`p${index}`, OP_PARAM, null, null, 0, index);
  }

  variable(index: number): GNode {
    return this.intern(`v${index}`, OP_VAR, null, null, 0, index);
  }

  /** Raw node for op(a[, b]) without simplification (after the simplifying checks). */
  private make(op: number, a: GNode, b: GNode | null): GNode {
    return this.intern(`${op},${a.id},${b === null ? '' : b.id}`, op, a, b, 0, -1);
  }

  /** Folds a constant result only when it is finite (so graphs never hold inf/NaN literals). */
  private folded(v: number): GNode | null {
    return Number.isFinite(v) ? this.constant(v) : null;
  }

  /** Unary function or negation. */
  unary(op: number, a: GNode): GNode {
    if (a.op === OP_CONST) {
      const f = this.folded(applyUnary(op, a.value));
      if (f) return f;
    }
    if (op === OP_NEG) return this.negate(a);
    return this.make(op, a, null);
  }

  neg(a: GNode): GNode {
    return this.unary(OP_NEG, a);
  }

  private negate(a: GNode): GNode {
    if (a.op === OP_NEG) return a.a!;
    if (a.op === OP_SUB) return this.sub(a.b!, a.a!);
    if (a.op === OP_MUL) {
      // move the sign into a constant factor, or into the uniform factor of uniform * varying
      if (a.a!.op === OP_CONST) return this.mul(this.constant(-a.a!.value), a.b!);
      if (isScaled(a)) return this.mul(this.neg(a.a!), a.b!);
    }
    if (a.op === OP_DIV) {
      if (a.a!.varying && !a.b!.varying) return this.div(a.a!, this.neg(a.b!));
      if (!a.a!.varying && a.b!.varying) return this.div(this.neg(a.a!), a.b!);
    }
    return this.make(OP_NEG, a, null);
  }

  add(a: GNode, b: GNode): GNode {
    if (a.op === OP_CONST && b.op === OP_CONST) {
      const f = this.folded(a.value + b.value);
      if (f) return f;
    }
    if (a.isConst(0)) return b;
    if (b.isConst(0)) return a;
    if (b.op === OP_NEG) return this.sub(a, b.a!);
    if (a.op === OP_NEG) return this.sub(b, a.a!);
    if (a === b) return this.mul(this.constant(2), a);
    return this.make(OP_ADD, a, b);
  }

  sub(a: GNode, b: GNode): GNode {
    if (a.op === OP_CONST && b.op === OP_CONST) {
      const f = this.folded(a.value - b.value);
      if (f) return f;
    }
    if (b.isConst(0)) return a;
    if (a.isConst(0)) return this.neg(b);
    if (a === b) return this.zero;
    if (b.op === OP_NEG) return this.add(a, b.a!);
    return this.make(OP_SUB, a, b);
  }

  mul(a: GNode, b: GNode): GNode {
    if (a.op === OP_CONST && b.op === OP_CONST) {
      const f = this.folded(a.value * b.value);
      if (f) return f;
    }
    if (b.op === OP_CONST && a.op !== OP_CONST) return this.mul(b, a);
    if (a.op === OP_CONST) {
      if (a.value === 0) return this.zero;
      if (a.value === 1) return b;
      if (a.value === -1) return this.neg(b);
      if (b.op === OP_MUL && b.a!.op === OP_CONST) {
        const f = this.folded(a.value * b.a!.value);
        if (f) return this.mul(f, b.b!);
      }
    }
    if (a.varying !== b.varying) {
      // uniform u times varying v, written u * v with uniform factors collected into u
      const u = a.varying ? b : a;
      const v = a.varying ? a : b;
      if (isScaled(v)) return this.mul(this.mul(u, v.a!), v.b!);
      if (v.op === OP_DIV && v.a!.varying && !v.b!.varying) return this.mul(this.div(u, v.b!), v.a!);
      if (v.op === OP_NEG) return this.mul(this.neg(u), v.a!);
      return this.make(OP_MUL, u, v);
    }
    if (a.varying) {
      // both varying: pull uniform factors out to the left
      if (isScaled(a)) return this.mul(a.a!, this.mul(a.b!, b));
      if (isScaled(b)) return this.mul(b.a!, this.mul(a, b.b!));
    }
    if (a.op === OP_NEG) return this.neg(this.mul(a.a!, b));
    if (b.op === OP_NEG) return this.neg(this.mul(a, b.a!));
    return this.make(OP_MUL, a, b);
  }

  div(a: GNode, b: GNode): GNode {
    if (a.op === OP_CONST && b.op === OP_CONST) {
      const f = this.folded(a.value / b.value);
      if (f) return f;
    }
    if (a.isConst(0)) return this.zero;
    if (b.isConst(1)) return a;
    if (b.isConst(-1)) return this.neg(a);
    if (a.varying && !b.varying) {
      // (u * v) / w -> (u / w) * v; (-v) / w -> v / (-w)
      if (isScaled(a)) return this.mul(this.div(a.a!, b), a.b!);
      if (a.op === OP_NEG) return this.div(a.a!, this.neg(b));
      return this.make(OP_DIV, a, b);
    }
    if (!a.varying && b.varying) {
      // u / (w * v) -> (u / w) / v; u / (-v) -> (-u) / v
      if (isScaled(b)) return this.div(this.div(a, b.a!), b.b!);
      if (b.op === OP_NEG) return this.div(this.neg(a), b.a!);
      return this.make(OP_DIV, a, b);
    }
    if (a.varying && isScaled(a)) return this.mul(a.a!, this.div(a.b!, b));
    if (a.op === OP_NEG) return this.neg(this.div(a.a!, b));
    if (b.op === OP_NEG) return this.neg(this.div(a, b.a!));
    return this.make(OP_DIV, a, b);
  }

  pow(a: GNode, b: GNode): GNode {
    if (a.op === OP_CONST && b.op === OP_CONST) {
      const f = this.folded(applyBinary(OP_POW, a.value, b.value));
      if (f) return f;
    }
    // Math.pow(u, 0) is 1 for every u, NaN included
    if (b.isConst(0)) return this.one;
    if (b.isConst(1)) return a;
    return this.make(OP_POW, a, b);
  }

  binary(op: number, a: GNode, b: GNode): GNode {
    switch (op) {
      case OP_ADD: return this.add(a, b);
      case OP_SUB: return this.sub(a, b);
      case OP_MUL: return this.mul(a, b);
      case OP_DIV: return this.div(a, b);
      case OP_POW: return this.pow(a, b);
      default: throw new Error(`internal: unknown binary op ${op}`);
    }
  }
}
