/**
 * Small dense helpers for the samplers (row-major n x n): Cholesky factorisation, triangular
 * products and solves, Welford's running mean / (co)variance.
 */

/** In-place Cholesky A = L L^T (lower triangle of `a` becomes L, the upper is zeroed). false if not positive definite. */
export function cholesky(n: number, a: Float64Array): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** out = L x (L lower triangular). */
export function lowerMul(n: number, L: Float64Array, x: ArrayLike<number>, out: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += L[i * n + k] * x[k];
    out[i] = s;
  }
}

/** Solves L^T x = b in place (b becomes x). */
export function lowerTransposeSolve(n: number, L: Float64Array, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
    b[i] = s / L[i * n + i];
  }
}

/** out = A x for a symmetric / general row-major A. */
export function matVec(n: number, A: Float64Array, x: ArrayLike<number>, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * n;
    for (let k = 0; k < n; k++) s += A[o + k] * x[k];
    out[i] = s;
  }
}

export function dot(n: number, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/**
 * Running mean and covariance (Welford 1962; the covariance form of Chan, Golub & LeVeque 1983).
 * `dense` false keeps only the variances.
 */
export class Welford {
  count = 0;
  readonly mean: Float64Array;
  /** sum of outer products of deviations (n x n) or of squared deviations (n) */
  readonly m2: Float64Array;
  private readonly delta: Float64Array;
  constructor(
    readonly n: number,
    readonly dense: boolean,
  ) {
    this.mean = new Float64Array(n);
    this.m2 = new Float64Array(dense ? n * n : n);
    this.delta = new Float64Array(n);
  }
  reset(): void {
    this.count = 0;
    this.mean.fill(0);
    this.m2.fill(0);
  }
  add(x: ArrayLike<number>): void {
    const n = this.n;
    this.count++;
    const c = this.count;
    for (let i = 0; i < n; i++) {
      this.delta[i] = x[i] - this.mean[i];
      this.mean[i] += this.delta[i] / c;
    }
    if (this.dense) {
      // m2 += (x - mean_old)(x - mean_new)^T
      for (let i = 0; i < n; i++) {
        const di = this.delta[i];
        for (let j = 0; j < n; j++) this.m2[i * n + j] += di * (x[j] - this.mean[j]);
      }
    } else {
      for (let i = 0; i < n; i++) this.m2[i] += this.delta[i] * (x[i] - this.mean[i]);
    }
  }
  /** sample (co)variance, divisor count - 1 */
  covariance(out: Float64Array): void {
    const d = Math.max(1, this.count - 1);
    const len = this.dense ? this.n * this.n : this.n;
    for (let i = 0; i < len; i++) out[i] = this.m2[i] / d;
    if (this.dense) {
      const n = this.n;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < i; j++) {
          const s = 0.5 * (out[i * n + j] + out[j * n + i]);
          out[i * n + j] = s;
          out[j * n + i] = s;
        }
    }
  }
}
