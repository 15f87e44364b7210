/**
 * Step helpers of the bounded Levenberg-Marquardt (lm.ts): projection and truncation of a step
 * onto the box, the linear model's predicted reduction, scaled norms. "free" lists the
 * parameters in the current subproblem; R and ipvt come from qrfac of their Jacobian columns.
 */
import { enorm } from '../linalg/enorm';

/** xt = clamp(x + step on the free set); p = xt - x (full length). Returns whether anything was clipped. */
export function projectStep(
  x: Float64Array,
  stepF: Float64Array,
  free: Int32Array,
  nf: number,
  lower: Float64Array,
  upper: Float64Array,
  xt: Float64Array,
  p: Float64Array,
): boolean {
  let clipped = false;
  const n = x.length;
  for (let k = 0; k < n; k++) {
    xt[k] = x[k];
    p[k] = 0;
  }
  for (let j = 0; j < nf; j++) {
    const k = free[j];
    let v = x[k] + stepF[j];
    if (v < lower[k]) {
      v = lower[k];
      clipped = true;
    } else if (v > upper[k]) {
      v = upper[k];
      clipped = true;
    }
    xt[k] = v;
    p[k] = v - x[k];
  }
  return clipped;
}

/**
 * Largest alpha in [0, 1] with x + alpha*step inside the box; writes that point to xt (the
 * blocking parameter exactly on its bound) and the step to p. Returns alpha.
 */
export function truncateStep(
  x: Float64Array,
  stepF: Float64Array,
  free: Int32Array,
  nf: number,
  lower: Float64Array,
  upper: Float64Array,
  xt: Float64Array,
  p: Float64Array,
): number {
  let alpha = 1;
  let block = -1;
  for (let j = 0; j < nf; j++) {
    const k = free[j];
    const s = stepF[j];
    if (s < 0 && x[k] + s < lower[k]) {
      const a = (lower[k] - x[k]) / s;
      if (a < alpha) {
        alpha = a;
        block = j;
      }
    } else if (s > 0 && x[k] + s > upper[k]) {
      const a = (upper[k] - x[k]) / s;
      if (a < alpha) {
        alpha = a;
        block = j;
      }
    }
  }
  const n = x.length;
  for (let k = 0; k < n; k++) {
    xt[k] = x[k];
    p[k] = 0;
  }
  if (alpha <= 0) return 0;
  for (let j = 0; j < nf; j++) {
    const k = free[j];
    const v = j === block ? (stepF[j] < 0 ? lower[k] : upper[k]) : Math.min(upper[k], Math.max(lower[k], x[k] + alpha * stepF[j]));
    xt[k] = v;
    p[k] = v - x[k];
  }
  return alpha;
}

/** reduction of the linear model for step p, relative to fnorm^2: out[0] = predicted, out[1] = r.Jp/fnorm^2 */
export function modelReduction(
  nf: number,
  r: Float64Array,
  ipvt: Int32Array,
  qtf: Float64Array,
  fnorm: number,
  p: Float64Array,
  free: Int32Array,
  w: Float64Array,
  out: Float64Array,
): void {
  multiplyRPt(nf, r, ipvt, p, free, w);
  let qw = 0;
  let ww = 0;
  for (let j = 0; j < nf; j++) {
    qw += qtf[j] * w[j];
    ww += w[j] * w[j];
  }
  const f2 = fnorm * fnorm;
  out[0] = -(2 * qw + ww) / f2;
  out[1] = qw / f2;
}

/** ||D p|| over the free set */
export function scaledNorm(nf: number, diagF: Float64Array, p: Float64Array, free: Int32Array, w: Float64Array): number {
  for (let j = 0; j < nf; j++) w[j] = diagF[j] * p[free[j]];
  return enorm(nf, w);
}

/** w = R P^T p_free (so that ||w|| = ||J p|| and Q^T r . w = r . J p) */
export function multiplyRPt(nf: number, r: Float64Array, ipvt: Int32Array, p: Float64Array, free: Int32Array, w: Float64Array): void {
  for (let j = 0; j < nf; j++) w[j] = 0;
  for (let j = 0; j < nf; j++) {
    const temp = p[free[ipvt[j]]];
    const oj = j * nf;
    for (let i = 0; i <= j; i++) w[i] += r[i + oj] * temp;
  }
}
