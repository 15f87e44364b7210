import { describe, expect, it } from 'vitest';
import { writeNpy } from '../data/readers/npy-write';
import { makeCube } from './cube';
import { withVarianceMap } from './noise-map';
import { multifit } from './multifit';
import { LoadError } from '../data/readers/load-error';

const npy = (shape: number[], data: Float64Array) => ({ name: 'var.npy', bytes: writeNpy(shape, data) });

describe('variance (noise) map of a cube', () => {
  const x = Float64Array.from({ length: 8 }, (_, k) => k);
  const values = Float64Array.from({ length: 2 * 3 * 8 }, (_, i) => 10 + (i % 8));
  const cube = makeCube('map.npy', 2, 3, x, values);
  it('becomes sigma = sqrt(variance); a chi-square multifit then weights by it', () => {
    const variance = Float64Array.from(values, (_, i) => 4 + (i % 3));
    const c = withVarianceMap(cube, npy([2, 3, 8], variance));
    expect(c.sigma![5]).toBe(Math.sqrt(variance[5]));
    expect(c.values).toBe(cube.values);
    // a straight line fitted per pixel: its error scales with sqrt(variance) (here every point has variance 4.. 6)
    const model = { components: [{ name: 'Offset', type: 'Offset', active: true, params: { offset: { value: 1, lower: null, upper: null, fixed: false } } }] };
    const r = multifit(c, model, { statistic: 'chi2' }, { order: 'flyback', variance: 'sigma' });
    // offset = weighted mean, error = 1/sqrt(sum 1/var) for pixel 0
    let sw = 0;
    let swy = 0;
    for (let k = 0; k < 8; k++) {
      sw += 1 / variance[k];
      swy += values[k] / variance[k];
    }
    expect(r.maps['Offset.offset'][0]).toBeCloseTo(swy / sw, 9);
    expect(r.errors['Offset.offset'][0]).toBeCloseTo(1 / Math.sqrt(sw), 9);
  });
  it('refuses a wrong shape, a negative or NaN variance and an unmasked zero, naming the file', () => {
    expect(() => withVarianceMap(cube, npy([2, 3, 7], new Float64Array(42).fill(1)))).toThrow(/var\.npy: the variance map has shape 2 × 3 × 7 but the spectrum image map\.npy is 2 × 3 × 8/);
    const bad = new Float64Array(48).fill(1);
    bad[13] = -2;
    expect(() => withVarianceMap(cube, npy([2, 3, 8], bad))).toThrow(LoadError);
    expect(() => withVarianceMap(cube, npy([2, 3, 8], bad))).toThrow(/row 0, column 1\), channel 5/);
    bad[13] = NaN;
    expect(() => withVarianceMap(cube, npy([2, 3, 8], bad))).toThrow(/finite/);
    bad[13] = 0;
    expect(() => withVarianceMap(cube, npy([2, 3, 8], bad))).toThrow(/zero variance/);
  });
});
