import { describe, expect, it } from 'vitest';
import {
  colorbarTicks,
  componentEllipse,
  displayLimits,
  DIVERGING,
  imageSliderRange,
  MASKED_RGBA,
  niceTicks,
  percentile,
  renderRgba,
  residualLimits,
  SEQUENTIAL,
  stretchInverse,
  stretchLevel,
} from './image-display';

describe('stretches', () => {
  it('follow the DS9 definitions and invert', () => {
    expect(stretchLevel(0.5, 'linear')).toBe(0.5);
    expect(stretchLevel(0.5, 'log')).toBeCloseTo(Math.log10(501) / Math.log10(1001), 14);
    expect(stretchLevel(0.5, 'asinh')).toBeCloseTo(Math.asinh(5) / Math.asinh(10), 14);
    expect(stretchLevel(-3, 'log')).toBe(0);
    expect(stretchLevel(7, 'asinh')).toBeCloseTo(1, 14);
    for (const s of ['linear', 'log', 'asinh'] as const) for (const t of [0, 0.01, 0.3, 0.9, 1]) expect(stretchInverse(stretchLevel(t, s), s)).toBeCloseTo(t, 12);
  });
});

describe('limits', () => {
  it('takes percentiles of unmasked finite pixels, and symmetric residual limits', () => {
    const v = Float64Array.from({ length: 201 }, (_, k) => k);
    expect(percentile(v, 50)).toBe(100);
    expect(percentile(v, 0.5)).toBeCloseTo(1, 12);
    const mask = new Uint8Array(201);
    mask[200] = 1;
    v[0] = NaN;
    const [lo, hi] = displayLimits(v, mask);
    expect(lo).toBeCloseTo(1 + 0.005 * 198, 9);
    expect(hi).toBeCloseTo(1 + 0.995 * 198, 9);
    expect(displayLimits(new Float64Array(4).fill(3))).toEqual([3, 6]);
    const r = residualLimits(Float64Array.from([-10, 1, 2, NaN, 3]));
    expect(r[0]).toBe(-r[1]);
    expect(r[1]).toBeCloseTo(3 + 0.97 * 7, 9); // |r| sorted 1, 2, 3, 10: rank 0.99 * 3
  });
});

describe('renderRgba', () => {
  it('draws row 0 at the bottom, maps limits to the ends of the map and greys masked pixels', () => {
    // 2 rows x 3 columns
    const values = [0, 5, 10, /* row 1 */ NaN, 10, 20];
    const mask = Uint8Array.from([0, 0, 0, 0, 1, 0]);
    const out = new Uint8ClampedArray(2 * 3 * 4);
    renderRgba(values, 2, 3, [0, 10], 'linear', SEQUENTIAL, out, mask);
    // image row 1 is the canvas's top row
    expect(Array.from(out.subarray(0, 4))).toEqual(MASKED_RGBA); // NaN
    expect(Array.from(out.subarray(4, 8))).toEqual(MASKED_RGBA); // masked
    expect(Array.from(out.subarray(8, 12))).toEqual([SEQUENTIAL[765], SEQUENTIAL[766], SEQUENTIAL[767], 255]); // 20 clipped to the top
    expect(Array.from(out.subarray(12, 16))).toEqual([SEQUENTIAL[0], SEQUENTIAL[1], SEQUENTIAL[2], 255]);
    const mid = 3 * 128;
    expect(Array.from(out.subarray(16, 19))).toEqual([SEQUENTIAL[mid], SEQUENTIAL[mid + 1], SEQUENTIAL[mid + 2]]);
    expect([DIVERGING[3 * 128], DIVERGING[3 * 128 + 1]]).toEqual([247, 246]); // just past white
  });
});

describe('ticks', () => {
  it('gives 1-2-5 ticks and spreads stretched ones over the bar', () => {
    expect(niceTicks(0.3, 9.7, 5)).toEqual([2, 4, 6, 8]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    const t = colorbarTicks([0, 1000], 'log', 4);
    expect(t[0]).toEqual({ value: 0, level: 0 });
    expect(t.length).toBeGreaterThanOrEqual(4);
    for (let k = 1; k < t.length; k++) expect(t[k].level).toBeGreaterThan(t[k - 1].level + 0.05);
    expect(t[1].value).toBeLessThan(20); // log: the first quarter of the bar is below 2% of the range
  });
});

describe('componentEllipse and slider ranges', () => {
  it('draws Sersics at Re and Gaussians at their half-light radius; sky has none', () => {
    expect(componentEllipse('Sersic', { x: 3, y: 4, q: 0.5, PA: 1, n: 2, Re: 10, Ie: 0 })).toEqual({ x: 3, y: 4, a: 10, b: 5, pa: 1 });
    expect(componentEllipse('Gaussian2D', { x: 0, y: 0, q: 1, PA: 0, sigma: 2, flux: 0 })!.a).toBeCloseTo(2.3548 / 2 * 2, 3);
    expect(componentEllipse('Moffat2D', { x: 0, y: 0, q: 1, PA: 0, n: 2, Rd: 3, I0: 0 })!.a).toBeCloseTo(3, 12);
    expect(componentEllipse('FlatSky', { F: 1 })).toBeNull();
  });
  it('spans the image for positions, 0..180 degrees for PA, and holds the value', () => {
    expect(imageSliderRange('x', 10, [99, 120], null, null)).toEqual([-0.5, 119.5]);
    expect(imageSliderRange('PA', 200, [99, 99], null, null)).toEqual([0, 200]);
    expect(imageSliderRange('q', 0.5, [9, 9], 0.01, 1)).toEqual([0.01, 1]);
    expect(imageSliderRange('Ie', 2, [9, 9], null, null)).toBeNull();
  });
});
