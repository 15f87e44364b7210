/** Conversions between the syntax tree (ExprNode) and the expression graph (GNode). */
import { constantValue, type ExprNode } from './ast';
import { ExprError } from './errors';
import { Graph, GNode } from './graph';
import { OP_ADD, OP_CONST, OP_DIV, OP_MUL, OP_NEG, OP_PARAM, OP_POW, OP_SUB, OP_VAR, functionOp, opFunctionName } from './ops';

const BINARY_OPS = new Map<string, number>([['+', OP_ADD], ['-', OP_SUB], ['*', OP_MUL], ['/', OP_DIV], ['^', OP_POW]]);
const OP_SYMBOLS = new Map<number, '+' | '-' | '*' | '/' | '^'>([[OP_ADD, '+'], [OP_SUB, '-'], [OP_MUL, '*'], [OP_DIV, '/'], [OP_POW, '^']]);

function children(node: ExprNode): ExprNode[] {
  switch (node.type) {
    case 'neg':
    case 'call': return [node.arg];
    case 'binary': return [node.left, node.right];
    default: return [];
  }
}

/**
 * Builds the graph of a syntax tree; `symbol` maps each free symbol (with its node, for
 * positions) to a leaf and is called in left-to-right order. Iterative post-order walk, so
 * long operator chains cannot overflow the stack.
 */
export function treeToGraph(g: Graph, root: ExprNode, symbol: (name: string, node: ExprNode) => GNode): GNode {
  const done = new Map<ExprNode, GNode>();
  const stack: ExprNode[] = [root];
  while (stack.length > 0) {
    const node = stack[stack.length - 1];
    if (done.has(node)) {
      stack.pop();
      continue;
    }
    const kids = children(node);
    let ready = true;
    for (let k = kids.length - 1; k >= 0; k--) {
      if (!done.has(kids[k])) {
        stack.push(kids[k]);
        ready = false;
      }
    }
    if (!ready) continue;
    stack.pop();
    let result: GNode;
    switch (node.type) {
      case 'number': result = g.constant(node.value); break;
      case 'constant': result = g.constant(constantValue(node.name)); break;
      case 'symbol': result = symbol(node.name, node); break;
      case 'neg': result = g.neg(done.get(node.arg)!); break;
      case 'binary': result = g.binary(BINARY_OPS.get(node.op)!, done.get(node.left)!, done.get(node.right)!); break;
      case 'call': result = g.unary(functionOp(node.fn), done.get(node.arg)!); break;
    }
    done.set(node, result);
  }
  return done.get(root)!;
}

/** Limit on the size of a tree written out from a graph (shared nodes count once per use). */
export const MAX_TREE_NODES = 200000;

/**
 * Writes a graph node back as a syntax tree; leaves are named by `leafName(op, index)`.
 * Shared graph nodes become shared (identical) subtree objects. Iterative, so deep graphs
 * cannot overflow the stack; throws ExprError if the written-out tree would be too large.
 */
export function graphToTree(root: GNode, leafName: (op: number, index: number) => string): ExprNode {
  const done = new Map<number, ExprNode>();
  const size = new Map<number, number>();
  const stack: GNode[] = [root];
  while (stack.length > 0) {
    const n = stack[stack.length - 1];
    if (done.has(n.id)) {
      stack.pop();
      continue;
    }
    let ready = true;
    if (n.b !== null && !done.has(n.b.id)) {
      stack.push(n.b);
      ready = false;
    }
    if (n.a !== null && !done.has(n.a.id)) {
      stack.push(n.a);
      ready = false;
    }
    if (!ready) continue;
    stack.pop();
    const total = 1 + (n.a === null ? 0 : size.get(n.a.id)!) + (n.b === null ? 0 : size.get(n.b.id)!);
    if (total > MAX_TREE_NODES) {
      throw new ExprError(`Expression is too large to write out (more than ${MAX_TREE_NODES} nodes)`, 0, 0);
    }
    size.set(n.id, total);
    let node: ExprNode;
    switch (n.op) {
      case OP_CONST:
        if (n.value === Math.PI) node = { type: 'constant', name: 'pi' };
        else if (n.value === Math.E) node = { type: 'constant', name: 'e' };
        else node = { type: 'number', value: n.value };
        break;
      case OP_PARAM:
      case OP_VAR: node = { type: 'symbol', name: leafName(n.op, n.index) }; break;
      case OP_NEG: node = { type: 'neg', arg: done.get(n.a!.id)! }; break;
      default: {
        const sym = OP_SYMBOLS.get(n.op);
        if (sym !== undefined) node = { type: 'binary', op: sym, left: done.get(n.a!.id)!, right: done.get(n.b!.id)! };
        else node = { type: 'call', fn: opFunctionName(n.op), arg: done.get(n.a!.id)! };
      }
    }
    done.set(n.id, node);
  }
  return done.get(root.id)!;
}
