import { describe, expect, it } from 'vitest';
import { decimateMinMax, envelope } from './decimate';

describe('decimateMinMax', () => {
  it('keeps small inputs whole', () => {
    const r = decimateMinMax([0, 1, 2], [3, 1, 2], 100);
    expect(Array.from(r.y)).toEqual([3, 1, 2]);
  });

  it('keeps every column extreme of a large noisy signal with few points', () => {
    const n = 100000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i;
      y[i] = Math.sin(i / 500) + ((i * 7919) % 101) / 100;
    }
    y[54321] = 50; // a spike must survive
    const r = decimateMinMax(x, y, 800);
    expect(r.x.length).toBeLessThanOrEqual(4 * 800);
    expect(Math.max(...r.y)).toBe(50);
    let min = Infinity;
    for (let i = 0; i < n; i++) min = Math.min(min, y[i]);
    expect(Math.min(...r.y)).toBe(min);
    for (let i = 1; i < r.x.length; i++) expect(r.x[i]).toBeGreaterThan(r.x[i - 1]);
  });
});

describe('envelope', () => {
  it('keeps the points when there are few, else min of lo and max of hi per column', () => {
    const small = envelope([0, 1, 2], [1, 2, 3], [2, 3, 4], 10);
    expect(Array.from(small.lo)).toEqual([1, 2, 3]);
    const n = 1000;
    const x = Array.from({ length: n }, (_, i) => i);
    const lo = x.map((v) => -1 - (v % 7));
    const hi = x.map((v) => 1 + (v % 5));
    const e = envelope(x, lo, hi, 10);
    expect(e.x.length).toBe(10);
    expect(Math.min(...e.lo)).toBe(-7);
    expect(Math.max(...e.hi)).toBe(5);
    expect(e.x[0]).toBeCloseTo(49.5, 10);
  });
});
