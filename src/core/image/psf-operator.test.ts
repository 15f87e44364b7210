import { describe, expect, it } from 'vitest';
import { directPsf, rand } from './psf-test-reference';
import { PsfOperator, separablePsf } from './psf-operator';
import { gaussianPsf, moffatPsf, psfFromImage, type Psf } from './psf';

/** an off-centre, asymmetric, non-separable 7 x 7 PSF */
function lopsided(): Psf {
  const r = rand(5);
  const img = Array.from({ length: 49 }, (_, k) => {
    const a = Math.floor(k / 7) - 3;
    const b = (k % 7) - 3;
    return Math.exp(-((a - 0.4) ** 2 + (b + 0.3) ** 2 + 0.5 * a * b) / 3) * (0.8 + 0.4 * r());
  });
  return psfFromImage(img, 7, 7);
}

describe('PSF operator', () => {
  const rows = 13;
  const cols = 17;
  const cases: [string, Psf, string][] = [
    ['Gaussian 11 x 11 (separable)', gaussianPsf(1.3, 11), 'separable'],
    ['lopsided 7 x 7 (direct)', lopsided(), 'direct'],
    ['Moffat 15 x 15 (FFT)', moffatPsf(2.5, 2, 15), 'fft'],
  ];
  it.each(cases)('%s: forward = direct sum (1e-13), <w, A c> = <A^T w, c> (1e-12)', (_l, psf, method) => {
    const op = new PsfOperator(rows, cols, psf);
    expect(op.method).toBe(method);
    const r = rand(11);
    const canvas = Float64Array.from({ length: op.canvasRows * op.canvasCols }, () => r() - 0.3);
    const out = new Float64Array(rows * cols);
    op.forward(canvas, out);
    const ref = directPsf(canvas, rows, cols, psf.data, psf.size);
    let worst = 0;
    for (let k = 0; k < out.length; k++) worst = Math.max(worst, Math.abs(out[k] - ref[k]));
    expect(worst).toBeLessThan(1e-13);
    // adjoint identity
    const w = Float64Array.from({ length: rows * cols }, () => r() - 0.5);
    const back = new Float64Array(canvas.length);
    op.adjoint(w, back);
    let lhs = 0;
    for (let k = 0; k < w.length; k++) lhs += w[k] * out[k];
    let rhs = 0;
    for (let k = 0; k < canvas.length; k++) rhs += back[k] * canvas[k];
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * Math.abs(lhs));
  });

  it('a plane a + b x + c y comes out as a + b (x - mx) + c (y - my) (centroid of the PSF)', () => {
    const psf = lopsided();
    const op = new PsfOperator(rows, cols, psf);
    expect(Math.abs(op.mx) + Math.abs(op.my)).toBeGreaterThan(0.05);
    const h = op.pad;
    const canvas = new Float64Array(op.canvasRows * op.canvasCols);
    for (let r = 0; r < op.canvasRows; r++) for (let c = 0; c < op.canvasCols; c++) canvas[r * op.canvasCols + c] = 2 + 0.3 * (c - h) - 0.7 * (r - h);
    const out = new Float64Array(rows * cols);
    op.forward(canvas, out);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(out[i * cols + j]).toBeCloseTo(2 + 0.3 * (j - op.mx) - 0.7 * (i - op.my), 12);
  });

  it('separablePsf finds the factors of a Gaussian and refuses a Moffat', () => {
    const g = gaussianPsf(2, 21);
    const s = separablePsf(g.data, 21)!;
    expect(s).not.toBeNull();
    for (let a = 0; a < 21; a++) for (let b = 0; b < 21; b++) expect(s.u[a] * s.v[b]).toBeCloseTo(g.data[a * 21 + b], 15);
    expect(separablePsf(moffatPsf(2.5, 2, 9).data, 9)).toBeNull();
  });
});
