/**
 * Compact limited-memory BFGS matrix (Byrd, Nocedal & Schnabel 1994):
 *   B = theta I - W M W^T,   W = [Y, theta S],   M = [[-D, L^T], [L, theta S^T S]]^-1
 * with D = diag(s_i^T y_i) and L_ij = s_i^T y_j (i > j), corrections oldest first.
 */
import { invert } from '../linalg/lu';

export class LbfgsMatrix {
  readonly n: number;
  readonly mmax: number;
  /** corrections, oldest first */
  s: Float64Array[] = [];
  y: Float64Array[] = [];
  theta = 1;
  /** 2k x 2k row-major, k = number of corrections */
  mMat: Float64Array = new Float64Array(0);

  constructor(n: number, mmax: number) {
    this.n = n;
    this.mmax = mmax;
  }

  get k(): number {
    return this.s.length;
  }

  reset(): void {
    this.s = [];
    this.y = [];
    this.theta = 1;
    this.mMat = new Float64Array(0);
  }

  /** adds (s, y) when the curvature condition s.y > eps y.y holds; returns whether it was added */
  update(s: Float64Array, y: Float64Array): boolean {
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < this.n; i++) {
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    if (!(sy > 2.220446049250313e-16 * yy) || !Number.isFinite(sy)) return false;
    if (this.s.length === this.mmax) {
      this.s.shift();
      this.y.shift();
    }
    this.s.push(Float64Array.from(s));
    this.y.push(Float64Array.from(y));
    this.theta = yy / sy;
    if (!this.rebuild()) {
      this.reset();
      return false;
    }
    return true;
  }

  private rebuild(): boolean {
    const k = this.k;
    const n = this.n;
    const k2 = 2 * k;
    const mid = new Float64Array(k2 * k2);
    const dot = (a: Float64Array, b: Float64Array) => {
      let t = 0;
      for (let i = 0; i < n; i++) t += a[i] * b[i];
      return t;
    };
    for (let i = 0; i < k; i++) {
      mid[i * k2 + i] = -dot(this.s[i], this.y[i]);
      for (let j = 0; j < k; j++) {
        if (i > j) {
          const lij = dot(this.s[i], this.y[j]);
          mid[(k + i) * k2 + j] = lij; // L block (lower left)
          mid[j * k2 + (k + i)] = lij; // L^T block (upper right)
        }
        mid[(k + i) * k2 + (k + j)] = this.theta * dot(this.s[i], this.s[j]);
      }
    }
    const inv = invert(k2, mid);
    if (!inv) return false;
    this.mMat = inv;
    return true;
  }

  /** out (2k) = W^T v */
  wtv(v: ArrayLike<number>, out: Float64Array): void {
    const k = this.k;
    const n = this.n;
    for (let j = 0; j < k; j++) {
      const yj = this.y[j];
      const sj = this.s[j];
      let a = 0;
      let b = 0;
      for (let i = 0; i < n; i++) {
        a += yj[i] * v[i];
        b += sj[i] * v[i];
      }
      out[j] = a;
      out[k + j] = this.theta * b;
    }
  }

  /** out (2k) = row i of W */
  wRow(i: number, out: Float64Array): void {
    const k = this.k;
    for (let j = 0; j < k; j++) {
      out[j] = this.y[j][i];
      out[k + j] = this.theta * this.s[j][i];
    }
  }

  /** out = M v (2k) */
  mv(v: Float64Array, out: Float64Array): void {
    const k2 = 2 * this.k;
    const mm = this.mMat;
    for (let i = 0; i < k2; i++) {
      let t = 0;
      for (let j = 0; j < k2; j++) t += mm[i * k2 + j] * v[j];
      out[i] = t;
    }
  }
}
