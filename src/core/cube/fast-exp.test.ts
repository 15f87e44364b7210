import { describe, expect, it } from 'vitest';
import { createRng } from '../random/rng';
import { fastExp } from './fast-exp';

describe('fastExp (Tang 1989, table-driven)', () => {
  it('is within 2.5 ulp of Math.exp over the range it computes itself', () => {
    const rng = createRng(5);
    let worst = 0;
    for (let i = 0; i < 200000; i++) {
      const t = i < 100000 ? (rng.uniform() - 0.5) * 80 : (rng.uniform() - 0.5) * 1399;
      const a = Math.exp(t);
      worst = Math.max(worst, Math.abs(fastExp(t) - a) / a);
    }
    expect(worst).toBeLessThan(2.5 * 2 ** -52);
    // exact where exp is: e^0 = 1, and powers of two at multiples of ln 2 / 64 near 0
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-0)).toBe(1);
    expect(Math.abs(fastExp(Math.LN2) - 2)).toBeLessThanOrEqual(4.5e-16);
    expect(Math.abs(fastExp(1) - Math.E)).toBeLessThanOrEqual(2 * 4.5e-16 * Math.E);
  });

  it('defers to Math.exp outside |t| < 700 and for non-finite t', () => {
    for (const t of [-745, -720, -700, 700, 709.5, 710, -Infinity, Infinity, NaN]) expect(Object.is(fastExp(t), Math.exp(t)), String(t)).toBe(true);
    expect(fastExp(-745.2)).toBe(0);
    expect(fastExp(-744)).toBeGreaterThan(0); // subnormal
  });
});
