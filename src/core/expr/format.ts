/** Readable text of a syntax tree with only the parentheses that the precedence rules need. */
import type { ExprNode } from './ast';

const PREC_SUM = 1;
const PREC_PRODUCT = 2;
const PREC_UNARY = 3;
const PREC_POWER = 4;
const PREC_ATOM = 5;

function precedence(node: ExprNode): number {
  switch (node.type) {
    case 'number': return node.value < 0 || Object.is(node.value, -0) ? PREC_UNARY : PREC_ATOM;
    case 'neg': return PREC_UNARY;
    case 'binary':
      return node.op === '+' || node.op === '-' ? PREC_SUM : node.op === '^' ? PREC_POWER : PREC_PRODUCT;
    default: return PREC_ATOM;
  }
}

function formatNumber(v: number): string {
  // String() gives the shortest text that reads back to the same double (e.g. 1e-7, 0.1)
  return Object.is(v, -0) ? '-0' : String(v);
}

function wrap(text: string, paren: boolean): string {
  return paren ? `(${text})` : text;
}

function children(node: ExprNode): ExprNode[] {
  switch (node.type) {
    case 'neg':
    case 'call': return [node.arg];
    case 'binary': return [node.left, node.right];
    default: return [];
  }
}

/** Text of one node given the text of its operands. */
function formatNode(node: ExprNode, text: (n: ExprNode) => string): string {
  switch (node.type) {
    case 'number': return formatNumber(node.value);
    case 'symbol':
    case 'constant': return node.name;
    case 'call': return `${node.fn}(${text(node.arg)})`;
    case 'neg':
      // the operand of unary minus is itself a unary expression (a power binds tighter)
      return `-${wrap(text(node.arg), precedence(node.arg) < PREC_POWER)}`;
    case 'binary': {
      const p = precedence(node);
      const lp = precedence(node.left);
      const rp = precedence(node.right);
      const left = text(node.left);
      const right = text(node.right);
      if (node.op === '^') {
        // left operand must be an atom ((-x)^2, (a^b)^c); right operand may be unary or power (right-assoc)
        return `${wrap(left, lp < PREC_ATOM)}^${wrap(right, rp < PREC_UNARY)}`;
      }
      // a - (b + c), a / (b * c): the right operand of a non-associative operator needs parentheses at equal precedence
      const rightParen = node.op === '-' || node.op === '/' ? rp <= p : rp < p;
      const sep = p === PREC_SUM ? ` ${node.op} ` : node.op;
      return `${wrap(left, lp < p)}${sep}${wrap(right, rightParen)}`;
    }
  }
}

/**
 * Formats a syntax tree as formula text that parses back to the same tree (up to redundant
 * parentheses). Iterative post-order walk, so deep trees cannot overflow the stack.
 */
export function formatExpression(root: ExprNode): string {
  const done = new Map<ExprNode, string>();
  const text = (n: ExprNode): string => done.get(n)!;
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
    done.set(node, formatNode(node, text));
  }
  return done.get(root)!;
}
