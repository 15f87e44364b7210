import { describe, it, expect } from 'vitest';
import { covarianceToUnconstrained, interiorPoint, makeTransform, transformKind, unconstrain } from './transform';
import type { LogDensity } from './log-density';

const lower = Float64Array.from([-Infinity, 2, -Infinity, -1]);
const upper = Float64Array.from([Infinity, Infinity, 5, 3]);

/** a smooth density on the box: sum of -x_k^2/2 + x_k, its gradient */
function box(): LogDensity {
  return {
    n: 4,
    keys: ['free', 'lower', 'upper', 'interval'],
    lower,
    upper,
    logDensity(t) {
      let s = 0;
      for (let k = 0; k < 4; k++) {
        if (!(t[k] >= lower[k] && t[k] <= upper[k])) return -Infinity;
        s += -0.5 * t[k] * t[k] + 0.3 * t[k];
      }
      return s;
    },
    logDensityAndGradient(t, g) {
      for (let k = 0; k < 4; k++) g[k] = -t[k] + 0.3;
      return this.logDensity(t);
    },
  };
}

describe('constraint transforms', () => {
  it('picks the kind from the bounds', () => {
    expect(transformKind(-Infinity, Infinity)).toBe('identity');
    expect(transformKind(0, Infinity)).toBe('lower');
    expect(transformKind(-Infinity, 0)).toBe('upper');
    expect(transformKind(0, 1)).toBe('interval');
    expect(() => makeTransform(Float64Array.from([1]), Float64Array.from([1]))).toThrow();
  });
  it('round-trips and maps R^n into the box, also for extreme z', () => {
    const t = makeTransform(lower, upper);
    const x = Float64Array.from([-0.7, 2.5, 4.9, 2.999]);
    const z = new Float64Array(4);
    const back = new Float64Array(4);
    t.toUnconstrained(x, z);
    t.toConstrained(z, back);
    for (let k = 0; k < 4; k++) expect(back[k]).toBeCloseTo(x[k], 12);
    for (const v of [-800, -40, 40, 800]) {
      t.toConstrained([v, v, v, v], back);
      for (let k = 1; k < 4; k++) expect(back[k] >= lower[k] && back[k] <= upper[k]).toBe(true);
    }
    // next to a bound at 0 the value keeps its relative accuracy: x = s(-30) on [0, 1]
    const unit = makeTransform(Float64Array.from([0]), Float64Array.from([1]));
    const u = new Float64Array(1);
    unit.toConstrained([-30], u);
    expect(Math.abs(u[0] / (1 / (1 + Math.exp(30))) - 1)).toBeLessThan(1e-14);
  });
  it('log|dx/dz| and its derivative match finite differences', () => {
    const t = makeTransform(lower, upper);
    const z = Float64Array.from([0.4, -1.3, 0.8, -0.6]);
    const x = new Float64Array(4);
    const dxdz = new Float64Array(4);
    const dlj = new Float64Array(4);
    const lj = t.toConstrainedWithDerivatives(z, x, dxdz, dlj);
    let sum = 0;
    const h = 1e-6;
    const xp = new Float64Array(4);
    const xm = new Float64Array(4);
    for (let k = 0; k < 4; k++) {
      const zp = Float64Array.from(z);
      const zm = Float64Array.from(z);
      zp[k] += h;
      zm[k] -= h;
      const ljp = t.toConstrained(zp, xp);
      const ljm = t.toConstrained(zm, xm);
      const d = (xp[k] - xm[k]) / (2 * h);
      expect(dxdz[k]).toBeCloseTo(d, 7);
      sum += Math.log(Math.abs(d));
      expect(dlj[k]).toBeCloseTo((ljp - ljm) / (2 * h), 6);
    }
    expect(lj).toBeCloseTo(sum, 7);
  });
  it('the wrapped density has the chain-rule gradient', () => {
    const ud = unconstrain(box());
    const z = Float64Array.from([0.4, -1.3, 0.8, -0.6]);
    const g = new Float64Array(4);
    const v = ud.logDensityAndGradient(z, g);
    expect(v).toBeCloseTo(ud.logDensity(z), 14);
    for (let k = 0; k < 4; k++) {
      const zp = Float64Array.from(z);
      const zm = Float64Array.from(z);
      zp[k] += 1e-6;
      zm[k] -= 1e-6;
      expect(g[k]).toBeCloseTo((ud.logDensity(zp) - ud.logDensity(zm)) / 2e-6, 6);
    }
    expect(Array.from(ud.lower)).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
  });
  it('interior points and covariance carried to z', () => {
    expect(Array.from(interiorPoint([5, 2, 5, 3], lower, upper))).toEqual([5, 2 + 2e-6, 5 - 5e-6, 3 - 4e-6]);
    expect(interiorPoint([NaN], Float64Array.from([0]), Float64Array.from([4]))[0]).toBe(2);
    const t = makeTransform(Float64Array.from([0, -Infinity]), Float64Array.from([Infinity, Infinity]));
    // x = e^z: dz/dx = 1/x, so var_z = var_x / x^2
    const c = covarianceToUnconstrained(t, [2, 1], [0.04, 0.01, 0.01, 0.09]);
    expect(Array.from(c).map((v) => +v.toFixed(12))).toEqual([0.01, 0.005, 0.005, 0.09]);
    expect(Array.from(covarianceToUnconstrained(t, [2, 1], [0.04, 0.09]))).toEqual([0.01, 0.09]);
  });
});
