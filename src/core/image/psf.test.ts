import { describe, expect, it } from 'vitest';
import { directPsf, rand } from './psf-test-reference';
import { convolveWithPsf, gaussianPsf, getPsfConvolver, moffatPsf, paddedShape, PsfConvolver, PsfError, psfFromImage } from './psf';
import { erf } from '../special/erf';

describe('PSF construction', () => {
  it('psfFromImage normalises to sum 1 and checks shape, values and centring', () => {
    const img = [0, 1, 0, 1, 4, 1, 0, 1, 0];
    const p = psfFromImage(img, 3, 3);
    expect(p.size).toBe(3);
    expect(p.data[4]).toBeCloseTo(0.5, 15);
    expect(p.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    expect(() => psfFromImage([1, 1, 1, 1], 2, 2)).toThrow(/odd side/);
    expect(() => psfFromImage(new Array(15).fill(1), 3, 5)).toThrow(/square/);
    expect(() => psfFromImage([0, 0, 0, 0, NaN, 0, 0, 0, 0], 3, 3)).toThrow(/finite/);
    expect(() => psfFromImage([0, 0, 0, 0, 0, 0, 0, 0, 0], 3, 3)).toThrow(/positive total/);
    const off = new Array(25).fill(0);
    off[0] = 1; // all light in a corner: centroid (0, 0), centre (2, 2)
    expect(() => psfFromImage(off, 5, 5, 'psf.fits')).toThrow(PsfError);
    expect(() => psfFromImage(off, 5, 5, 'psf.fits')).toThrow(/psf.fits: the PSF is not centred/);
  });

  it('gaussianPsf: pixel-integrated (erf), sum 1, symmetric, variance sigma^2 + 1/12', () => {
    const sigma = 1.3;
    const p = gaussianPsf(sigma);
    expect(p.size).toBe(2 * Math.ceil(4 * sigma) + 1);
    const h = (p.size - 1) / 2;
    let s = 0;
    let m2 = 0;
    for (let a = 0; a < p.size; a++) {
      for (let b = 0; b < p.size; b++) {
        const v = p.data[a * p.size + b];
        s += v;
        m2 += v * (b - h) ** 2;
        expect(v).toBeCloseTo(p.data[b * p.size + a], 16);
      }
    }
    expect(s).toBeCloseTo(1, 14);
    expect(m2).toBeCloseTo(sigma * sigma + 1 / 12, 3); // Sheppard's correction, minus the truncated tails
    // the centre pixel by hand: (erf(0.5 / (sigma sqrt 2)))^2, renormalised
    const g = erf(0.5 / (sigma * Math.SQRT2));
    const tot = erf((h + 0.5) / (sigma * Math.SQRT2));
    expect(p.data[h * p.size + h]).toBeCloseTo((g / tot) ** 2, 14);
    expect(() => gaussianPsf(1, 4)).toThrow(/odd/);
    expect(() => gaussianPsf(0)).toThrow(PsfError);
  });

  it('moffatPsf: sum 1, peak in the centre, default size holds 99.5% of the light', () => {
    const p = moffatPsf(3, 2);
    const r = 2 * Math.sqrt(0.005 ** (1 / (1 - 3)) - 1);
    expect(p.size).toBe(2 * Math.ceil(r) + 1);
    const h = (p.size - 1) / 2;
    expect(p.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(Math.max(...p.data)).toBe(p.data[h * p.size + h]);
    expect(() => moffatPsf(1, 2)).toThrow(/n must be > 1/);
  });
});

describe('convolveWithPsf', () => {
  it.each([
    ['direct', 5],
    ['direct', 9],
    ['fft', 11],
    ['fft', 25],
  ])('%s path (PSF %i x %i) equals the plain sum to 1e-10 relative', (method, size) => {
    const rows = 17;
    const cols = 22;
    const r = rand(size);
    const psf = new Float64Array(size * size);
    for (let k = 0; k < psf.length; k++) psf[k] = r();
    const shape = paddedShape(rows, cols, size);
    const canvas = new Float64Array(shape.rows * shape.cols);
    for (let k = 0; k < canvas.length; k++) canvas[k] = r() * 10 - 2;
    const ref = directPsf(canvas, rows, cols, psf, size);
    const out = new Float64Array(rows * cols);
    convolveWithPsf(canvas, rows, cols, psf, size, out);
    const c = getPsfConvolver(rows, cols, psf, size);
    expect(c.method).toBe(method);
    let worst = 0;
    let peak = 0;
    for (let k = 0; k < ref.length; k++) {
      worst = Math.max(worst, Math.abs(out[k] - ref[k]));
      peak = Math.max(peak, Math.abs(ref[k]));
    }
    expect(worst / peak).toBeLessThan(1e-10);
    // the other path agrees too
    const other = new PsfConvolver(rows, cols, psf, size, method === 'fft' ? 'direct' : 'fft');
    const out2 = new Float64Array(rows * cols);
    other.convolve(canvas, out2);
    for (let k = 0; k < ref.length; k++) expect(Math.abs(out2[k] - ref[k]) / peak).toBeLessThan(1e-10);
  });

  it('a point source just outside the frame lights the edge pixels with the PSF wings', () => {
    const rows = 6;
    const cols = 8;
    const psf = gaussianPsf(1.2, 11); // pad 5
    const { rows: R, cols: C, pad } = paddedShape(rows, cols, psf.size);
    const canvas = new Float64Array(R * C);
    // unit point source at frame pixel (row 2, column -2): 2 px left of the frame
    canvas[(2 + pad) * C + (pad - 2)] = 1;
    const out = new Float64Array(rows * cols);
    convolveWithPsf(canvas, rows, cols, psf.data, psf.size, out);
    const h = pad;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const a = i - 2 + h;
        const b = j + 2 + h;
        const expected = a >= 0 && a < psf.size && b < psf.size ? psf.data[a * psf.size + b] : 0;
        expect(out[i * cols + j]).toBeCloseTo(expected, 15);
      }
    }
    expect(out[2 * cols]).toBeGreaterThan(0.02); // the edge pixel gets the PSF at 2 px
  });

  it('caches convolvers by value and rejects a wrong canvas size', () => {
    const psf = gaussianPsf(2);
    const a = getPsfConvolver(30, 20, psf.data, psf.size);
    expect(getPsfConvolver(30, 20, Float64Array.from(psf.data), psf.size)).toBe(a);
    const changed = Float64Array.from(psf.data);
    changed[0] += 1e-3;
    expect(getPsfConvolver(30, 20, changed, psf.size)).not.toBe(a);
    expect(() => convolveWithPsf(new Float64Array(600), 30, 20, psf.data, psf.size, new Float64Array(600))).toThrow(/padded/);
  });
});
