import { describe, expect, it } from 'vitest';
import { faddeeva } from './faddeeva';
import { faddeevaRational } from './faddeeva-rational';

describe('Weideman rational Faddeeva (N = 40)', () => {
  it('agrees with the reference over the upper half plane', () => {
    const ref = new Float64Array(2);
    const fast = new Float64Array(2);
    let worst = 0;
    let worstRe = 0;
    for (const y of [0, 1e-8, 1e-3, 0.01, 0.1, 0.3, 0.5, 1, 2, 5, 10, 30, 100]) {
      for (let x = -40; x <= 40; x += 0.0373) {
        faddeeva(x, y, ref);
        faddeevaRational(x, y, fast);
        worst = Math.max(worst, Math.hypot(fast[0] - ref[0], fast[1] - ref[1]) / Math.hypot(ref[0], ref[1]));
        if (y >= 0.01) worstRe = Math.max(worstRe, Math.abs(fast[0] - ref[0]) / Math.abs(ref[0]));
      }
    }
    expect(worst).toBeLessThan(5e-13);
    expect(worstRe).toBeLessThan(1e-10);
  });

  it('gives known values', () => {
    const w = new Float64Array(2);
    // w(i) = erfcx(1) = 0.42758357615580700442
    faddeevaRational(0, 1, w);
    expect(w[0]).toBeCloseTo(0.427583576155807, 13);
    expect(w[1]).toBe(0);
    // w(1) = exp(-1) + 2 i Dawson(1) / sqrt(pi); Dawson(1) = 0.53807950691276841914
    faddeevaRational(1, 0, w);
    expect(w[0]).toBeCloseTo(Math.exp(-1), 13);
    expect(w[1]).toBeCloseTo((2 * 0.5380795069127684) / Math.sqrt(Math.PI), 13);
  });
});
