/** Symbolic differentiation on the hash-consed expression graph (memoised per node). */
import { Graph, GNode } from './graph';
import {
  OP_ABS, OP_ACOS, OP_ADD, OP_ASIN, OP_ATAN, OP_CONST, OP_COS, OP_COSH, OP_DIV, OP_ERF, OP_ERFC, OP_EXP,
  OP_LN, OP_LOG10, OP_MUL, OP_NEG, OP_PARAM, OP_POW, OP_SIGN, OP_SIN, OP_SINH, OP_SQRT, OP_SUB, OP_TAN,
  OP_TANH, OP_VAR,
} from './ops';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * d node / d wrt, where wrt is a leaf (parameter or variable) of the same graph. `memo` maps
 * node ids to their derivatives and may be reused across calls with the same wrt.
 * Iterative post-order walk: long operator chains cannot overflow the stack.
 */
export function derive(g: Graph, node: GNode, wrt: GNode, memo: Map<number, GNode> = new Map()): GNode {
  const stack: GNode[] = [node];
  while (stack.length > 0) {
    const n = stack[stack.length - 1];
    if (memo.has(n.id)) {
      stack.pop();
      continue;
    }
    const a = n.a, b = n.b;
    let ready = true;
    if (b !== null && !memo.has(b.id)) {
      stack.push(b);
      ready = false;
    }
    if (a !== null && !memo.has(a.id)) {
      stack.push(a);
      ready = false;
    }
    if (!ready) continue;
    stack.pop();
    memo.set(n.id, deriveNode(g, n, wrt, a === null ? g.zero : memo.get(a.id)!, b === null ? g.zero : memo.get(b.id)!));
  }
  return memo.get(node.id)!;
}

/** d f(u) / du for the function op applied to u; `fu` is the node f(u). */
function outerDerivative(g: Graph, op: number, u: GNode, fu: GNode): GNode {
  switch (op) {
    case OP_EXP: return fu;
    case OP_LN: return g.div(g.one, u);
    case OP_LOG10: return g.div(g.one, g.mul(g.constant(Math.LN10), u));
    case OP_SQRT: return g.div(g.one, g.mul(g.constant(2), fu));
    case OP_ABS: return g.unary(OP_SIGN, u);
    case OP_SIN: return g.unary(OP_COS, u);
    case OP_COS: return g.neg(g.unary(OP_SIN, u));
    case OP_TAN: return g.div(g.one, g.pow(g.unary(OP_COS, u), g.constant(2)));
    case OP_ASIN: return g.div(g.one, g.unary(OP_SQRT, g.sub(g.one, g.pow(u, g.constant(2)))));
    case OP_ACOS: return g.neg(g.div(g.one, g.unary(OP_SQRT, g.sub(g.one, g.pow(u, g.constant(2))))));
    case OP_ATAN: return g.div(g.one, g.add(g.one, g.pow(u, g.constant(2))));
    case OP_SINH: return g.unary(OP_COSH, u);
    case OP_COSH: return g.unary(OP_SINH, u);
    // 1/cosh^2 rather than 1 - tanh^2: keeps relative accuracy in the tails
    case OP_TANH: return g.div(g.one, g.pow(g.unary(OP_COSH, u), g.constant(2)));
    case OP_ERF: return g.mul(g.constant(TWO_OVER_SQRT_PI), g.unary(OP_EXP, g.neg(g.pow(u, g.constant(2)))));
    case OP_ERFC: return g.mul(g.constant(-TWO_OVER_SQRT_PI), g.unary(OP_EXP, g.neg(g.pow(u, g.constant(2)))));
    case OP_SIGN: return g.zero;
    default: throw new Error(`internal: no derivative for op ${op}`);
  }
}

/** Derivative of one node given the derivatives da, db of its operands. */
function deriveNode(g: Graph, node: GNode, wrt: GNode, da: GNode, db: GNode): GNode {
  switch (node.op) {
    case OP_CONST: return g.zero;
    case OP_PARAM:
    case OP_VAR: return node === wrt ? g.one : g.zero;
    case OP_NEG: return g.neg(da);
    case OP_ADD: return g.add(da, db);
    case OP_SUB: return g.sub(da, db);
    case OP_MUL: {
      const a = node.a!, b = node.b!;
      return g.add(g.mul(da, b), g.mul(a, db));
    }
    case OP_DIV: {
      // d(a/b) = (da - (a/b) db) / b: reuses the quotient node itself
      const b = node.b!;
      if (db.isConst(0)) return g.div(da, b);
      return g.div(g.sub(da, g.mul(node, db)), b);
    }
    case OP_POW: {
      const u = node.a!, v = node.b!;
      const du = da, dv = db;
      if (dv.isConst(0)) {
        // exponent does not depend on wrt: v u^(v-1) du (valid for negative u too)
        if (du.isConst(0)) return g.zero;
        return g.mul(g.mul(v, g.pow(u, g.sub(v, g.one))), du);
      }
      const lnu = g.unary(OP_LN, u);
      if (du.isConst(0)) return g.mul(node, g.mul(dv, lnu));
      // u^v (dv ln u + v du / u)
      return g.mul(node, g.add(g.mul(dv, lnu), g.div(g.mul(v, du), u)));
    }
    default: {
      const u = node.a!;
      const du = da;
      if (du.isConst(0)) return g.zero;
      return g.mul(outerDerivative(g, node.op, u, node), du);
    }
  }
}
