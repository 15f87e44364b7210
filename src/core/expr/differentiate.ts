/** Symbolic derivative and simplification of a syntax tree, as syntax trees (for display and tools). */
import type { ExprNode } from './ast';
import { graphToTree, treeToGraph } from './convert';
import { derive } from './derivative';
import { Graph, GNode } from './graph';

/** Graph of a tree in which every free symbol is a leaf, numbered by first appearance. */
function symbolicGraph(node: ExprNode): { g: Graph; root: GNode; names: string[]; index: Map<string, number> } {
  const g = new Graph();
  const names: string[] = [];
  const index = new Map<string, number>();
  const root = treeToGraph(g, node, (name) => {
    let i = index.get(name);
    if (i === undefined) {
      i = names.length;
      names.push(name);
      index.set(name, i);
    }
    return g.param(i);
  });
  return { g, root, names, index };
}

/**
 * d node / d symbol, simplified. The result may contain `sign(u)` (from abs), which users
 * cannot type; shared subexpressions are written out in full.
 */
export function differentiateExpression(node: ExprNode, symbol: string): ExprNode {
  const { g, root, names, index } = symbolicGraph(node);
  const i = index.get(symbol);
  const d = i === undefined ? g.zero : derive(g, root, g.param(i));
  return graphToTree(d, (_op, k) => names[k]);
}

/** The tree after the graph's simplifications (constant folding, x*1, x+0, --x, ...). */
export function simplifyExpression(node: ExprNode): ExprNode {
  const { root, names } = symbolicGraph(node);
  return graphToTree(root, (_op, k) => names[k]);
}
