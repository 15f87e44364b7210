import { describe, expect, it } from 'vitest';
import { applyQt, qrfac } from './qrfac';
import { choleskyQr, makeCholeskyQrWork } from './cholesky-qr';

describe('choleskyQr', () => {
  it('gives the same pivots, |R| and Q^T b as Householder QR on a well-conditioned tall matrix', () => {
    const m = 300;
    const n = 6;
    const a = new Float64Array(m * n);
    for (let k = 0; k < n; k++) for (let i = 0; i < m; i++) a[k * m + i] = Math.sin(0.37 * i * (k + 1)) + 0.1 * k * Math.cos(i);
    const b = Float64Array.from({ length: m }, (_, i) => Math.cos(0.11 * i));
    const cols = Int32Array.from({ length: n }, (_, k) => k);
    const r = new Float64Array(n * n);
    const ipvt = new Int32Array(n);
    const acnorm = new Float64Array(n);
    const qtb = new Float64Array(n);
    expect(choleskyQr(m, n, a, cols, b, r, ipvt, acnorm, qtb, makeCholeskyQrWork(n))).toBe(true);

    const h = Float64Array.from(a);
    const hp = new Int32Array(n);
    const rd = new Float64Array(n);
    const hn = new Float64Array(n);
    qrfac(m, n, h, hp, rd, hn, new Float64Array(n));
    const hb = Float64Array.from(b);
    applyQt(m, n, h, hb);
    expect(Array.from(ipvt)).toEqual(Array.from(hp));
    for (let j = 0; j < n; j++) {
      expect(acnorm[j]).toBeCloseTo(hn[j], 10);
      // Householder's diagonal may be negative: rows of R and Q^T b agree up to that sign
      const sign = Math.sign(rd[j]);
      expect(r[j + j * n]).toBeCloseTo(Math.abs(rd[j]), 9);
      for (let k = j + 1; k < n; k++) expect(r[j + k * n]).toBeCloseTo(sign * h[j + k * m], 9);
      expect(qtb[j]).toBeCloseTo(sign * hb[j], 9);
    }
  });

  it('refuses an ill-conditioned matrix', () => {
    const m = 50;
    const a = new Float64Array(m * 2);
    for (let i = 0; i < m; i++) {
      a[i] = i;
      a[m + i] = i * (1 + 1e-9) + 1e-12 * Math.sin(i);
    }
    const ok = choleskyQr(m, 2, a, Int32Array.of(0, 1), new Float64Array(m), new Float64Array(4), new Int32Array(2), new Float64Array(2), new Float64Array(2), makeCholeskyQrWork(2));
    expect(ok).toBe(false);
  });
});
