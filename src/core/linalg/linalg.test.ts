import { describe, expect, it } from 'vitest';
import { enorm } from './enorm';
import { invert, luFactor, luSolve } from './lu';
import { applyQt, qrfac } from './qrfac';
import { qrsolv } from './qrsolv';
import { jacobiSvd, symmetricEigen } from './svd';

// column-major 4 x 3 test matrix
const M = 4;
const N = 3;
const A = [
  [1, 2, 3],
  [4, 5, 6.5],
  [7, 8.5, 9],
  [-1, 0.5, 2],
];
const colMajor = () => {
  const a = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) a[i + j * M] = A[i][j];
  return a;
};

describe('enorm', () => {
  it('matches the plain norm and survives over/underflow', () => {
    expect(enorm(3, [3, 4, 12])).toBe(13);
    expect(enorm(2, [3e200, 4e200])).toBeCloseTo(5e200, -186);
    expect(enorm(2, [3e-200, 4e-200]) / 5e-200).toBeCloseTo(1, 14);
    expect(enorm(2, [Infinity, 1])).toBe(Infinity);
    expect(enorm(0, [])).toBe(0);
  });
});

describe('qrfac', () => {
  it('factorises A P = Q R with non-increasing |R_jj|', () => {
    const a = colMajor();
    const ipvt = new Int32Array(N);
    const rdiag = new Float64Array(N);
    const acnorm = new Float64Array(N);
    qrfac(M, N, a, ipvt, rdiag, acnorm, new Float64Array(N));
    // column norms of A
    expect(acnorm[0]).toBeCloseTo(Math.sqrt(1 + 16 + 49 + 1), 14);
    expect(Math.abs(rdiag[0])).toBeGreaterThanOrEqual(Math.abs(rdiag[1]));
    expect(Math.abs(rdiag[1])).toBeGreaterThanOrEqual(Math.abs(rdiag[2]));
    // R^T R must equal (A P)^T (A P)
    const R = (i: number, j: number) => (i === j ? rdiag[j] : i < j ? a[i + j * M] : 0);
    for (let p = 0; p < N; p++) {
      for (let q = 0; q < N; q++) {
        let rtr = 0;
        for (let i = 0; i < N; i++) rtr += R(i, p) * R(i, q);
        let ata = 0;
        for (let i = 0; i < M; i++) ata += A[i][ipvt[p]] * A[i][ipvt[q]];
        expect(rtr).toBeCloseTo(ata, 11);
      }
    }
    // Q^T applied to a column of A P gives that column of R
    const v = new Float64Array(M);
    for (let i = 0; i < M; i++) v[i] = A[i][ipvt[1]];
    applyQt(M, N, a, v);
    expect(v[0]).toBeCloseTo(R(0, 1), 12);
    expect(v[1]).toBeCloseTo(R(1, 1), 12);
    expect(v[2]).toBeCloseTo(0, 12);
    expect(v[3]).toBeCloseTo(0, 12);
  });
});

describe('qrsolv', () => {
  it('solves the damped least-squares problem (A^T A + D^2) x = A^T b', () => {
    const a = colMajor();
    const ipvt = new Int32Array(N);
    const rdiag = new Float64Array(N);
    qrfac(M, N, a, ipvt, rdiag, new Float64Array(N), new Float64Array(N));
    const b = new Float64Array([1, -2, 0.5, 3]);
    const qtb = Float64Array.from(b);
    applyQt(M, N, a, qtb);
    const r = new Float64Array(N * N);
    for (let j = 0; j < N; j++) {
      for (let i = 0; i < j; i++) r[i + j * N] = a[i + j * M];
      r[j + j * N] = rdiag[j];
    }
    const d = new Float64Array([0.3, 1.2, 0.7]); // D in the original ordering
    const x = new Float64Array(N);
    qrsolv(N, r, ipvt, d, qtb, x, new Float64Array(N), new Float64Array(N));
    // check the normal equations directly
    for (let p = 0; p < N; p++) {
      let lhs = d[p] * d[p] * x[p];
      for (let i = 0; i < M; i++) {
        let ax = 0;
        for (let q = 0; q < N; q++) ax += A[i][q] * x[q];
        lhs += A[i][p] * ax;
      }
      let rhs = 0;
      for (let i = 0; i < M; i++) rhs += A[i][p] * b[i];
      expect(lhs).toBeCloseTo(rhs, 11);
    }
  });
});

describe('jacobiSvd', () => {
  it('gives the singular values of a known matrix and orthonormal V', () => {
    // diag(3, 2, 1) rotated: A = U diag V^T with U, V permutation/sign matrices
    const a = new Float64Array([0, 0, 2, 0, 0, -1, 0, 0, 3, 0, 0, 0]); // 4 x 3 column-major
    const s = new Float64Array(3);
    const v = new Float64Array(9);
    jacobiSvd(4, 3, a, s, v);
    expect(Array.from(s)).toEqual([3, 2, 1]);
    const b = colMajor();
    jacobiSvd(M, N, b, s, v);
    // sum of squares of singular values = Frobenius norm^2
    let fro = 0;
    for (const row of A) for (const e of row) fro += e * e;
    expect(s[0] ** 2 + s[1] ** 2 + s[2] ** 2).toBeCloseTo(fro, 10);
    // singular values from numpy.linalg.svd(A) (LAPACK gesdd)
    expect(s[0]).toBeCloseTo(17.299331042346306, 12);
    expect(s[1]).toBeCloseTo(2.3134635659228, 12);
    expect(s[2]).toBeCloseTo(0.3619831715169388, 12);
    for (let p = 0; p < 3; p++) {
      for (let q = 0; q < 3; q++) {
        let dot = 0;
        for (let i = 0; i < 3; i++) dot += v[i + p * 3] * v[i + q * 3];
        expect(dot).toBeCloseTo(p === q ? 1 : 0, 13);
      }
    }
  });
});

describe('symmetricEigen', () => {
  it('diagonalises a symmetric matrix', () => {
    const h = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 1];
    const a = Float64Array.from(h);
    const w = new Float64Array(3);
    const v = new Float64Array(9);
    symmetricEigen(3, a, w, v);
    expect(w[0]).toBeGreaterThan(w[1]);
    expect(w[0] + w[1] + w[2]).toBeCloseTo(8, 12);
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < 3; i++) {
        let hv = 0;
        for (let k = 0; k < 3; k++) hv += h[i * 3 + k] * v[k + j * 3];
        expect(hv).toBeCloseTo(w[j] * v[i + j * 3], 12);
      }
    }
  });
});

describe('lu', () => {
  it('solves and inverts with partial pivoting', () => {
    const a = new Float64Array([0, 2, 1, 1, 1, 0, 3, 0, 1]);
    const inv = invert(3, a)!;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += a[i * 3 + k] * inv[k * 3 + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 14);
      }
    }
    const lu = Float64Array.from(a);
    const piv = new Int32Array(3);
    expect(luFactor(3, lu, piv)).toBe(true);
    const b = new Float64Array([3, 2, 4]); // A (1, 1, 1) = (3, 2, 4)
    luSolve(3, lu, piv, b, new Float64Array(3));
    expect(Array.from(b).map((z) => +z.toFixed(12))).toEqual([1, 1, 1]);
    expect(invert(2, new Float64Array([1, 2, 2, 4]))).toBeNull();
  });
});
