/**
 * Euclidean norm of a strided slice without destructive overflow or underflow
 * (the plain sum of squares is tried first; a scaled pass runs only when it over/underflows).
 */

const TINY = 1e-150;
const HUGE = 1e150;

/** ||x[off .. off+len-1]|| */
export function enorm(len: number, x: ArrayLike<number>, off = 0): number {
  let s = 0;
  for (let i = 0; i < len; i++) {
    const v = x[off + i];
    s += v * v;
  }
  if (s > TINY && s < HUGE) return Math.sqrt(s);
  if (Number.isNaN(s)) return NaN;
  // scaled accumulation (LAPACK dnrm2 style)
  let scale = 0;
  let ssq = 1;
  for (let i = 0; i < len; i++) {
    const v = x[off + i];
    if (v !== 0) {
      const a = Math.abs(v);
      if (a === Infinity) return Infinity;
      if (scale < a) {
        const r = scale / a;
        ssq = 1 + ssq * r * r;
        scale = a;
      } else {
        const r = a / scale;
        ssq += r * r;
      }
    }
  }
  return scale * Math.sqrt(ssq);
}
