/**
 * Vector kernels: one instruction applies one operation to points lo..hi-1 of whole buffers,
 * so the interpretive dispatch is paid once per instruction and block, not per point.
 * Instruction = 5 ints: vector opcode, destination slot, x1, x2, x3. Operands are buffer
 * slots (V) or scalar registers (S). For a plain operation the opcode is op * 4 + kind and
 * x1, x2 are its operands (VV: slot, slot; VS: slot, reg; SV: reg, slot; unary: slot). Fused
 * opcodes (>= 1000) save a pass over the points for common patterns; they round exactly as the
 * unfused operations would.
 */
import { erf, erfc } from '../special/erf';
import {
  OP_ABS, OP_ACOS, OP_ADD, OP_ASIN, OP_ATAN, OP_COS, OP_COSH, OP_CUBE, OP_DIV, OP_ERF, OP_ERFC, OP_EXP, OP_LN,
  OP_LOG10, OP_MUL, OP_NEG, OP_POW, OP_RECIP, OP_RECIP_SQUARE, OP_SIGN, OP_SIN, OP_SINH, OP_SQRT, OP_SQUARE,
  OP_SUB, OP_TAN, OP_TANH,
} from './ops';

/** operand kinds: both vectors (or the single operand of a unary op), vector-scalar, scalar-vector */
export const KIND_VV = 0;
export const KIND_VS = 1;
export const KIND_SV = 2;
export const INSTRUCTION_SIZE = 5;
/** copy slot x1 into the destination; fill the destination with register x1 */
export const VOP_COPY = 1000;
export const VOP_FILL = 1001;
/** fused, with x1 = register s, x2 = slot a, x3 = slot b: s*a + b, b - s*a, s*a - b, s*(a*b) */
export const VOP_MULADD = 1002;
export const VOP_NMULADD = 1003;
export const VOP_MULSUB = 1004;
export const VOP_MUL3 = 1005;
/** fused, x1 = register s, x2 = slot a: exp(s*a), exp(a/s) */
export const VOP_EXP_MUL = 1006;
export const VOP_EXP_DIV = 1007;

export function vectorOpcode(op: number, kind: number): number {
  return op * 4 + kind;
}

const ADD_VV = OP_ADD * 4, ADD_VS = ADD_VV + 1, ADD_SV = ADD_VV + 2;
const SUB_VV = OP_SUB * 4, SUB_VS = SUB_VV + 1, SUB_SV = SUB_VV + 2;
const MUL_VV = OP_MUL * 4, MUL_VS = MUL_VV + 1, MUL_SV = MUL_VV + 2;
const DIV_VV = OP_DIV * 4, DIV_VS = DIV_VV + 1, DIV_SV = DIV_VV + 2;
const POW_VV = OP_POW * 4, POW_VS = POW_VV + 1, POW_SV = POW_VV + 2;
const NEG = OP_NEG * 4, EXP = OP_EXP * 4, LN = OP_LN * 4, LOG10 = OP_LOG10 * 4, SQRT = OP_SQRT * 4;
const ABS = OP_ABS * 4, SIN = OP_SIN * 4, COS = OP_COS * 4, TAN = OP_TAN * 4, ASIN = OP_ASIN * 4;
const ACOS = OP_ACOS * 4, ATAN = OP_ATAN * 4, SINH = OP_SINH * 4, COSH = OP_COSH * 4, TANH = OP_TANH * 4;
const ERF = OP_ERF * 4, ERFC = OP_ERFC * 4, SIGN = OP_SIGN * 4, SQUARE = OP_SQUARE * 4, CUBE = OP_CUBE * 4;
const RECIP = OP_RECIP * 4, RECIP_SQUARE = OP_RECIP_SQUARE * 4;

/** Runs the vector instructions over points lo..hi-1. */
export function runVector(code: Int32Array, bufs: Float64Array[], regs: Float64Array, lo: number, hi: number): void {
  for (let k = 0; k < code.length; k += INSTRUCTION_SIZE) {
    const d = bufs[code[k + 1]];
    const ia = code[k + 2];
    const ib = code[k + 3];
    switch (code[k]) {
      case ADD_VV: { const a = bufs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = a[i] + b[i]; break; }
      case ADD_VS: { const a = bufs[ia], s = regs[ib]; for (let i = lo; i < hi; i++) d[i] = a[i] + s; break; }
      case ADD_SV: { const s = regs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = s + b[i]; break; }
      case SUB_VV: { const a = bufs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = a[i] - b[i]; break; }
      case SUB_VS: { const a = bufs[ia], s = regs[ib]; for (let i = lo; i < hi; i++) d[i] = a[i] - s; break; }
      case SUB_SV: { const s = regs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = s - b[i]; break; }
      case MUL_VV: { const a = bufs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = a[i] * b[i]; break; }
      case MUL_VS: { const a = bufs[ia], s = regs[ib]; for (let i = lo; i < hi; i++) d[i] = a[i] * s; break; }
      case MUL_SV: { const s = regs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = s * b[i]; break; }
      case DIV_VV: { const a = bufs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = a[i] / b[i]; break; }
      case DIV_VS: { const a = bufs[ia], s = regs[ib]; for (let i = lo; i < hi; i++) d[i] = a[i] / s; break; }
      case DIV_SV: { const s = regs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = s / b[i]; break; }
      case POW_VV: { const a = bufs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = Math.pow(a[i], b[i]); break; }
      case POW_VS: { const a = bufs[ia], s = regs[ib]; for (let i = lo; i < hi; i++) d[i] = Math.pow(a[i], s); break; }
      case POW_SV: { const s = regs[ia], b = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = Math.pow(s, b[i]); break; }
      case NEG: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = -a[i]; break; }
      case SQUARE: { const a = bufs[ia]; for (let i = lo; i < hi; i++) { const v = a[i]; d[i] = v * v; } break; }
      case CUBE: { const a = bufs[ia]; for (let i = lo; i < hi; i++) { const v = a[i]; d[i] = v * v * v; } break; }
      case RECIP: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = 1 / a[i]; break; }
      case RECIP_SQUARE: { const a = bufs[ia]; for (let i = lo; i < hi; i++) { const v = a[i]; d[i] = 1 / (v * v); } break; }
      case EXP: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.exp(a[i]); break; }
      case LN: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.log(a[i]); break; }
      case LOG10: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.log10(a[i]); break; }
      case SQRT: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.sqrt(a[i]); break; }
      case ABS: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.abs(a[i]); break; }
      case SIN: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.sin(a[i]); break; }
      case COS: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.cos(a[i]); break; }
      case TAN: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.tan(a[i]); break; }
      case ASIN: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.asin(a[i]); break; }
      case ACOS: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.acos(a[i]); break; }
      case ATAN: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.atan(a[i]); break; }
      case SINH: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.sinh(a[i]); break; }
      case COSH: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.cosh(a[i]); break; }
      case TANH: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = Math.tanh(a[i]); break; }
      case ERF: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = erf(a[i]); break; }
      case ERFC: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = erfc(a[i]); break; }
      case SIGN: {
        const a = bufs[ia];
        for (let i = lo; i < hi; i++) { const v = a[i]; d[i] = v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : NaN; }
        break;
      }
      case VOP_MULADD: {
        const s = regs[ia], a = bufs[ib], b = bufs[code[k + 4]];
        for (let i = lo; i < hi; i++) d[i] = s * a[i] + b[i];
        break;
      }
      case VOP_NMULADD: {
        const s = regs[ia], a = bufs[ib], b = bufs[code[k + 4]];
        for (let i = lo; i < hi; i++) d[i] = b[i] - s * a[i];
        break;
      }
      case VOP_MULSUB: {
        const s = regs[ia], a = bufs[ib], b = bufs[code[k + 4]];
        for (let i = lo; i < hi; i++) d[i] = s * a[i] - b[i];
        break;
      }
      case VOP_MUL3: {
        const s = regs[ia], a = bufs[ib], b = bufs[code[k + 4]];
        for (let i = lo; i < hi; i++) d[i] = s * (a[i] * b[i]);
        break;
      }
      case VOP_EXP_MUL: { const s = regs[ia], a = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = Math.exp(s * a[i]); break; }
      case VOP_EXP_DIV: { const s = regs[ia], a = bufs[ib]; for (let i = lo; i < hi; i++) d[i] = Math.exp(a[i] / s); break; }
      case VOP_COPY: { const a = bufs[ia]; for (let i = lo; i < hi; i++) d[i] = a[i]; break; }
      case VOP_FILL: { const s = regs[ia]; for (let i = lo; i < hi; i++) d[i] = s; break; }
      default: throw new Error(`internal: unknown vector opcode ${code[k]}`);
    }
  }
}
