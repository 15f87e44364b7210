/**
 * Syntax tree of a formula. Nodes made by the parser carry `pos`/`end` (character range in the
 * text); nodes made by tools (derivatives) may omit them.
 */
export type BinaryOp = '+' | '-' | '*' | '/' | '^';

/** Functions users may call (exactly these); `log` is the natural logarithm like `ln`. */
export const FUNCTION_NAMES = [
  'exp', 'ln', 'log', 'log10', 'sqrt', 'abs',
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'tanh', 'erf', 'erfc',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];
/** `sign` exists only inside derivatives (d|u| = sign(u) du); users cannot call it. */
export type InternalFunctionName = FunctionName | 'sign';

export const CONSTANT_NAMES = ['pi', 'e'] as const;
export type ConstantName = (typeof CONSTANT_NAMES)[number];

const functionSet: ReadonlySet<string> = new Set<string>(FUNCTION_NAMES);
const constantSet: ReadonlySet<string> = new Set<string>(CONSTANT_NAMES);

export function isFunctionName(name: string): name is FunctionName {
  return functionSet.has(name);
}

export function isConstantName(name: string): name is ConstantName {
  return constantSet.has(name);
}

export function constantValue(name: ConstantName): number {
  return name === 'pi' ? Math.PI : Math.E;
}

interface Span {
  /** first character of the node in the formula text */
  pos?: number;
  /** one past the last character */
  end?: number;
}

export type ExprNode =
  | ({ type: 'number'; value: number } & Span)
  /** a free symbol: a parameter or a variable, decided at compile time */
  | ({ type: 'symbol'; name: string } & Span)
  | ({ type: 'constant'; name: ConstantName } & Span)
  | ({ type: 'neg'; arg: ExprNode } & Span)
  | ({ type: 'binary'; op: BinaryOp; left: ExprNode; right: ExprNode } & Span)
  | ({ type: 'call'; fn: InternalFunctionName; arg: ExprNode } & Span);
