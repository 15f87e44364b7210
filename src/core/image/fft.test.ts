import { describe, expect, it } from 'vitest';
import { Convolver2D, convolve2dDirect, convolutionShape, Fft2dPlan, FftPlan, type ConvolutionMode } from './fft';

/** deterministic pseudo-random numbers in [-1, 1) (LCG) */
function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function randomArray(n: number, r: () => number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = r();
  return a;
}

/** direct DFT, sum_j x_j exp(-+ 2 pi i jk / n), angles reduced mod n in integers */
function dft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length;
  const or = new Float64Array(n);
  const oi = new Float64Array(n);
  const sg = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (sg * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a);
      const s = Math.sin(a);
      sr += re[j] * c - im[j] * s;
      si += re[j] * s + im[j] * c;
    }
    or[k] = inverse ? sr / n : sr;
    oi[k] = inverse ? si / n : si;
  }
  return [or, oi];
}

function maxAbs(...arrays: Float64Array[]): number {
  let m = 0;
  for (const a of arrays) for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('FftPlan', () => {
  const lengths = [1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 30, 64, 97, 100, 128, 255];
  it.each(lengths)('length %i matches the direct DFT to 1e-12 relative (forward and inverse)', (n) => {
    const r = rand(n * 7 + 1);
    const re = randomArray(n, r);
    const im = randomArray(n, r);
    const plan = new FftPlan(n);
    for (const inverse of [false, true]) {
      const [er, ei] = dft(re, im, inverse);
      const ar = re.slice();
      const ai = im.slice();
      plan.transform(ar, ai, inverse);
      const scale = maxAbs(er, ei);
      expect(Math.max(maxDiff(ar, er), maxDiff(ai, ei)) / scale).toBeLessThan(1e-12);
    }
  });

  it('round trip and strided access leave other elements alone', () => {
    for (const n of [6, 32, 45]) {
      const plan = new FftPlan(n);
      const r = rand(n);
      const re = randomArray(3 * n, r);
      const im = randomArray(3 * n, r);
      const re0 = re.slice();
      const im0 = im.slice();
      plan.transform(re, im, false, 1, 3);
      for (let i = 0; i < 3 * n; i++) if (i % 3 !== 1) expect(re[i]).toBe(re0[i]);
      plan.transform(re, im, true, 1, 3);
      expect(maxDiff(re, re0)).toBeLessThan(1e-14);
      expect(maxDiff(im, im0)).toBeLessThan(1e-14);
    }
  });

  it('rejects bad lengths', () => {
    expect(() => new FftPlan(0)).toThrow(RangeError);
    expect(() => new FftPlan(2.5)).toThrow(RangeError);
  });
});

describe('Fft2dPlan', () => {
  it('matches the direct 2D DFT (6 x 10)', () => {
    const rows = 6;
    const cols = 10;
    const r = rand(3);
    const re = randomArray(rows * cols, r);
    const im = randomArray(rows * cols, r);
    const er = new Float64Array(rows * cols);
    const ei = new Float64Array(rows * cols);
    for (let u = 0; u < rows; u++) {
      for (let v = 0; v < cols; v++) {
        let sr = 0;
        let si = 0;
        for (let a = 0; a < rows; a++) {
          for (let b = 0; b < cols; b++) {
            const ang = -2 * Math.PI * ((u * a) / rows + (v * b) / cols);
            sr += re[a * cols + b] * Math.cos(ang) - im[a * cols + b] * Math.sin(ang);
            si += re[a * cols + b] * Math.sin(ang) + im[a * cols + b] * Math.cos(ang);
          }
        }
        er[u * cols + v] = sr;
        ei[u * cols + v] = si;
      }
    }
    const plan = new Fft2dPlan(rows, cols);
    const ar = re.slice();
    const ai = im.slice();
    plan.transform(ar, ai, false);
    expect(Math.max(maxDiff(ar, er), maxDiff(ai, ei)) / maxAbs(er, ei)).toBeLessThan(1e-12);
    plan.transform(ar, ai, true);
    expect(maxDiff(ar, re)).toBeLessThan(1e-13);
  });
});

describe('2D convolution', () => {
  const modes: ConvolutionMode[] = ['full', 'same', 'valid'];
  const sizes: [number, number, number, number][] = [
    [9, 13, 3, 5],
    [20, 17, 7, 7],
    [33, 40, 11, 9],
    [5, 6, 5, 5],
  ];
  for (const mode of modes) {
    it.each(sizes)(`${mode}: FFT equals the direct sum to 1e-10 relative (%i x %i image, %i x %i kernel)`, (rows, cols, kr, kc) => {
      const r = rand(rows * 100 + cols + kr);
      const img = randomArray(rows * cols, r);
      const img2 = randomArray(rows * cols, r);
      const ker = randomArray(kr * kc, r);
      const [orr, oc] = convolutionShape(rows, cols, kr, kc, mode);
      const direct = new Float64Array(orr * oc);
      const direct2 = new Float64Array(orr * oc);
      convolve2dDirect(img, rows, cols, ker, kr, kc, direct, mode);
      convolve2dDirect(img2, rows, cols, ker, kr, kc, direct2, mode);
      const conv = new Convolver2D(rows, cols, ker, kr, kc, mode);
      const a = new Float64Array(orr * oc);
      const b = new Float64Array(orr * oc);
      conv.convolvePair(img, img2, a, b);
      expect(maxDiff(a, direct) / maxAbs(direct)).toBeLessThan(1e-10);
      expect(maxDiff(b, direct2) / maxAbs(direct2)).toBeLessThan(1e-10);
      conv.convolve(img, b); // reuse of the buffers
      expect(maxDiff(b, direct) / maxAbs(direct)).toBeLessThan(1e-10);
    });
  }

  it('direct convolution by hand (same mode, 3 x 3 box of a delta)', () => {
    const img = new Float64Array(25);
    img[12] = 1; // centre of 5 x 5
    const ker = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = new Float64Array(25);
    convolve2dDirect(img, 5, 5, ker, 3, 3, out, 'same');
    // a delta reproduces the kernel around it
    expect(Array.from(out.subarray(6, 9))).toEqual([1, 2, 3]);
    expect(Array.from(out.subarray(11, 14))).toEqual([4, 5, 6]);
    expect(Array.from(out.subarray(16, 19))).toEqual([7, 8, 9]);
  });
});
