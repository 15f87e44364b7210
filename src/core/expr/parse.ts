/**
 * Recursive-descent parser for formulas. Precedence, loosest first:
 *   + -  (left)   * /  (left)   unary - +   ^ or ** (right; binds tighter than unary minus)
 * so -x^2 = -(x^2), 2^3^2 = 2^9, 2^-1 = 0.5. Nesting is capped so hostile input cannot
 * overflow the stack.
 */
import { FUNCTION_NAMES, isConstantName, isFunctionName, type ExprNode } from './ast';
import { ExprError } from './errors';
import { tokenize, type Token } from './lexer';

export const MAX_FORMULA_LENGTH = 10000;
export const MAX_NESTING = 200;

const KNOWN = FUNCTION_NAMES.join(', ');

/** Common names from other notations and the whitelisted function they mean. */
const ALIASES = new Map<string, string>([
  ['arctan', 'atan'], ['arcsin', 'asin'], ['arccos', 'acos'], ['atn', 'atan'],
  ['loge', 'ln'], ['lg', 'log10'],
]);

function unknownFunction(name: string, pos: number): ExprError {
  let hint = '';
  const alias = ALIASES.get(name);
  const lower = name.toLowerCase();
  if (alias !== undefined) hint = `: did you mean '${alias}'?`;
  else if (isFunctionName(lower)) hint = `: did you mean '${lower}'? (names are case-sensitive)`;
  else if (lower === 'pow' || lower === 'power') hint = ': write powers as a^b';
  else if (/\d/.test(name) || name.length <= 2) hint = `: to multiply, write ${name}*(...)`;
  return new ExprError(`Unknown function '${name}' at position ${pos}${hint} (known: ${KNOWN})`, pos, name.length);
}

function describeToken(t: Token): string {
  if (t.kind === 'name') return `name '${t.text}'`;
  if (t.kind === 'number') return `number '${t.text}'`;
  return `'${t.text === '^' && t.len === 2 ? '**' : t.text}'`;
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private depth = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): ExprNode {
    const node = this.parseSum();
    const t = this.peek();
    if (t.kind !== 'end') throw this.unexpected(t);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private isOp(t: Token, op: string): boolean {
    return t.kind === 'op' && t.text === op;
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_NESTING) {
      throw new ExprError(`Formula is nested too deeply (more than ${MAX_NESTING} levels) at position ${t.pos}`, t.pos, Math.max(1, t.len));
    }
  }

  private leave(): void {
    this.depth--;
  }

  /** Error for a token that cannot continue a complete operand. */
  private unexpected(t: Token): ExprError {
    if (t.kind === 'op' && t.text === ')') return new ExprError(`Unexpected ')' at position ${t.pos} (no '(' to close)`, t.pos, 1);
    if (t.kind === 'op' && t.text === ',')
      return new ExprError(`Unexpected ',' at position ${t.pos} (commas only separate function arguments)`, t.pos, 1);
    if (t.kind === 'end') return new ExprError(`Unexpected end of formula at position ${t.pos}`, t.pos, 0);
    return new ExprError(
      `Unexpected ${describeToken(t)} at position ${t.pos} (missing operator such as '*'?)`,
      t.pos,
      Math.max(1, t.len),
    );
  }

  private parseSum(): ExprNode {
    let left = this.parseProduct();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.text !== '+' && t.text !== '-')) return left;
      this.i++;
      const right = this.parseProduct();
      left = { type: 'binary', op: t.text, left, right, pos: left.pos, end: right.end };
    }
  }

  private parseProduct(): ExprNode {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.text !== '*' && t.text !== '/')) return left;
      this.i++;
      const right = this.parseUnary();
      left = { type: 'binary', op: t.text, left, right, pos: left.pos, end: right.end };
    }
  }

  private parseUnary(): ExprNode {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.i++;
      this.enter(t);
      const arg = this.parseUnary();
      this.leave();
      if (t.text === '+') return arg;
      return { type: 'neg', arg, pos: t.pos, end: arg.end };
    }
    return this.parsePower();
  }

  private parsePower(): ExprNode {
    const base = this.parsePrimary();
    const t = this.peek();
    if (!this.isOp(t, '^')) return base;
    this.i++;
    this.enter(t);
    const exponent = this.parseUnary();
    this.leave();
    return { type: 'binary', op: '^', left: base, right: exponent, pos: base.pos, end: exponent.end };
  }

  private parsePrimary(): ExprNode {
    const t = this.next();
    if (t.kind === 'number') return { type: 'number', value: t.value, pos: t.pos, end: t.pos + t.len };
    if (t.kind === 'name') {
      if (this.isOp(this.peek(), '(')) return this.parseCall(t);
      if (isConstantName(t.text)) return { type: 'constant', name: t.text, pos: t.pos, end: t.pos + t.len };
      if (isFunctionName(t.text)) {
        throw new ExprError(
          `'${t.text}' at position ${t.pos} is a function: call it with parentheses, e.g. ${t.text}(x)`,
          t.pos,
          t.len,
        );
      }
      return { type: 'symbol', name: t.text, pos: t.pos, end: t.pos + t.len };
    }
    if (this.isOp(t, '(')) {
      this.enter(t);
      const inner = this.parseSum();
      this.expectClose(t, '(');
      this.leave();
      return inner;
    }
    if (t.kind === 'end') {
      throw new ExprError(`Expected a number, name or '(' at position ${t.pos} but the formula ended`, t.pos, 0);
    }
    throw new ExprError(
      `Expected a number, name or '(' at position ${t.pos} but found ${describeToken(t)}`,
      t.pos,
      Math.max(1, t.len),
    );
  }

  private expectClose(open: Token, what: string): Token {
    const t = this.peek();
    if (this.isOp(t, ')')) {
      this.i++;
      return t;
    }
    if (t.kind === 'end') {
      throw new ExprError(`Missing ')' to close '${what}' opened at position ${open.pos}`, open.pos, open.len);
    }
    throw this.unexpected(t);
  }

  private parseCall(name: Token): ExprNode {
    const open = this.next();
    if (isConstantName(name.text)) {
      throw new ExprError(`'${name.text}' is a constant and cannot be called (position ${name.pos})`, name.pos, name.len);
    }
    if (!isFunctionName(name.text)) throw unknownFunction(name.text, name.pos);
    const fn = name.text;
    this.enter(open);
    const args: ExprNode[] = [];
    let close: Token;
    if (this.isOp(this.peek(), ')')) {
      close = this.next();
    } else {
      for (;;) {
        args.push(this.parseSum());
        if (this.isOp(this.peek(), ',')) {
          this.i++;
          continue;
        }
        close = this.expectClose(open, `${fn}(`);
        break;
      }
    }
    this.leave();
    if (args.length !== 1) {
      throw new ExprError(
        `Function '${fn}' takes 1 argument (got ${args.length}) at position ${name.pos}`,
        name.pos,
        close.pos + 1 - name.pos,
      );
    }
    return { type: 'call', fn, arg: args[0], pos: name.pos, end: close.pos + 1 };
  }
}

/** Parses formula text into a syntax tree; throws ExprError with the position of the problem. */
export function parseExpression(text: string): ExprNode {
  if (typeof text !== 'string') throw new ExprError('The formula must be text', 0, 0);
  if (text.length > MAX_FORMULA_LENGTH) {
    throw new ExprError(
      `Formula is too long (${text.length} characters; the limit is ${MAX_FORMULA_LENGTH})`,
      MAX_FORMULA_LENGTH,
      text.length - MAX_FORMULA_LENGTH,
    );
  }
  if (text.trim() === '') throw new ExprError('The formula is empty', 0, text.length);
  return new Parser(tokenize(text)).parse();
}
