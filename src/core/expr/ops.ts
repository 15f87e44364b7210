/** Operation codes shared by the expression graph, the scalar tape and the vector kernels. */
import type { InternalFunctionName } from './ast';
import { erf, erfc } from '../special/erf';

export const OP_CONST = 0;
export const OP_PARAM = 1;
export const OP_VAR = 2;
export const OP_NEG = 3;
export const OP_ADD = 4;
export const OP_SUB = 5;
export const OP_MUL = 6;
export const OP_DIV = 7;
export const OP_POW = 8;
// functions
export const OP_EXP = 10;
export const OP_LN = 11;
export const OP_LOG10 = 12;
export const OP_SQRT = 13;
export const OP_ABS = 14;
export const OP_SIN = 15;
export const OP_COS = 16;
export const OP_TAN = 17;
export const OP_ASIN = 18;
export const OP_ACOS = 19;
export const OP_ATAN = 20;
export const OP_SINH = 21;
export const OP_COSH = 22;
export const OP_TANH = 23;
export const OP_ERF = 24;
export const OP_ERFC = 25;
export const OP_SIGN = 26;
/** u^2, u^3, 1/u, 1/u^2: pow with a constant exponent, chosen by the tape builder */
export const OP_SQUARE = 27;
export const OP_CUBE = 28;
export const OP_RECIP = 29;
export const OP_RECIP_SQUARE = 30;

export function isUnaryOp(op: number): boolean {
  return op === OP_NEG || op >= OP_EXP;
}

export function isBinaryOp(op: number): boolean {
  return op >= OP_ADD && op <= OP_POW;
}

const FUNCTION_OPS = new Map<InternalFunctionName, number>([
  ['exp', OP_EXP], ['ln', OP_LN], ['log', OP_LN], ['log10', OP_LOG10], ['sqrt', OP_SQRT], ['abs', OP_ABS],
  ['sin', OP_SIN], ['cos', OP_COS], ['tan', OP_TAN], ['asin', OP_ASIN], ['acos', OP_ACOS], ['atan', OP_ATAN],
  ['sinh', OP_SINH], ['cosh', OP_COSH], ['tanh', OP_TANH], ['erf', OP_ERF], ['erfc', OP_ERFC], ['sign', OP_SIGN],
]);

const OP_FUNCTIONS = new Map<number, InternalFunctionName>();
for (const [name, op] of FUNCTION_OPS) if (name !== 'log') OP_FUNCTIONS.set(op, name);

export function functionOp(name: InternalFunctionName): number {
  return FUNCTION_OPS.get(name)!;
}

export function opFunctionName(op: number): InternalFunctionName {
  return OP_FUNCTIONS.get(op)!;
}

/** sign(u) with sign(0) = 0 (and NaN for NaN). */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN;
}

/** Value of a unary operation (also the special pow forms). */
export function applyUnary(op: number, x: number): number {
  switch (op) {
    case OP_NEG: return -x;
    case OP_EXP: return Math.exp(x);
    case OP_LN: return Math.log(x);
    case OP_LOG10: return Math.log10(x);
    case OP_SQRT: return Math.sqrt(x);
    case OP_ABS: return Math.abs(x);
    case OP_SIN: return Math.sin(x);
    case OP_COS: return Math.cos(x);
    case OP_TAN: return Math.tan(x);
    case OP_ASIN: return Math.asin(x);
    case OP_ACOS: return Math.acos(x);
    case OP_ATAN: return Math.atan(x);
    case OP_SINH: return Math.sinh(x);
    case OP_COSH: return Math.cosh(x);
    case OP_TANH: return Math.tanh(x);
    case OP_ERF: return erf(x);
    case OP_ERFC: return erfc(x);
    case OP_SIGN: return sign(x);
    case OP_SQUARE: return x * x;
    case OP_CUBE: return x * x * x;
    case OP_RECIP: return 1 / x;
    case OP_RECIP_SQUARE: return 1 / (x * x);
    default: throw new Error(`internal: unknown unary op ${op}`);
  }
}

export function applyBinary(op: number, a: number, b: number): number {
  switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_POW: return Math.pow(a, b);
    default: throw new Error(`internal: unknown binary op ${op}`);
  }
}

/** Special unary op for u^c with constant c, or -1 if the general pow is needed. */
export function powSpecialOp(c: number): number {
  if (c === 2) return OP_SQUARE;
  if (c === 3) return OP_CUBE;
  if (c === -1) return OP_RECIP;
  if (c === -2) return OP_RECIP_SQUARE;
  return -1;
}
