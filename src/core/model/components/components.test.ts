import { describe, expect, it } from 'vitest';
import type { ComponentOptions, ComponentType } from '../component-type';
import { wofz } from '../../special/faddeeva';
import { erfc } from '../../special/erf';
import { componentTypeNames, componentTypes, getComponentType } from './registry';
import { gaussian } from './gaussian';
import { lorentzian } from './lorentzian';
import { voigt } from './voigt';
import { pseudoVoigt } from './pseudo-voigt';
import { offset } from './offset';
import { polynomial } from './polynomial';
import { powerLaw } from './power-law';
import { exponential } from './exponential';
import { logistic } from './logistic';
import { erfStep } from './erf-step';
import { arctan } from './arctan';
import { heavisideStep } from './heaviside-step';

function linspace(a: number, b: number, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = a + ((b - a) * i) / (n - 1);
  return x;
}

function evalAt(t: ComponentType, p: ArrayLike<number>, x: Float64Array, options?: ComponentOptions): Float64Array {
  const out = new Float64Array(x.length);
  t.evaluate(p, { x }, out, null, x.length, options);
  return out;
}

function value(t: ComponentType, p: ArrayLike<number>, x: number, options?: ComponentOptions): number {
  return evalAt(t, p, Float64Array.of(x), options)[0];
}

function evalJac(t: ComponentType, p: ArrayLike<number>, x: Float64Array, options?: ComponentOptions) {
  const np = t.params(options).length;
  const out = new Float64Array(x.length).fill(123); // must be overwritten, not accumulated
  const jac = Array.from({ length: np }, () => new Float64Array(x.length).fill(-456));
  t.evaluate(p, { x }, out, jac, x.length, options);
  return { out, jac };
}

function trapezoid(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += 0.5 * (y[i] + y[i - 1]) * (x[i] - x[i - 1]);
  return s;
}

function relClose(a: number, b: number, tol: number, floor = 0): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), floor);
}

/** grid that avoids landing exactly on parameter values */
const X = linspace(-10.0123, 9.9877, 401);

interface Case {
  t: ComponentType;
  points: number[][];
  options?: ComponentOptions;
  /** finite-difference step for parameters that are 0 (default 1e-3) */
  zeroStep?: number;
}

const cases: Case[] = [
  { t: gaussian, points: [[1, 1, 0], [2.5, 0.3, 1.7], [-3, 4, -2], [1, 0.05, 0.01]] },
  { t: lorentzian, points: [[1, 1, 0], [2.5, 0.3, 1.7], [-3, 4, -2], [1, 0.02, 0.01]] },
  {
    t: voigt,
    points: [
      [1, 0, 1, 1],
      [2, 1.5, 0.3, 0.05],
      [1.5, -1, 0.05, 0.8],
      [1, 0.5, 2, 0],
      [3, 0, 0.001, 0.5],
      [1, 0.2, 0.7, 3],
      [-2, 0.3, 0.2, 0.2],
      [1, 0, 0.15, 0.01], // |z| ~ 30 boundary crossed inside the grid
    ],
  },
  { t: voigt, zeroStep: 1e-6, points: [[1, 0, 1e-4, 0.01], [1, 0.002, 3e-6, 0.003]] },
  { t: pseudoVoigt, points: [[1, 0, 1, 0.5], [2, 1, 0.4, 0], [0.7, -2, 3, 1], [1, 0.3, 2, 0.25]] },
  { t: offset, points: [[0], [3.2]] },
  { t: polynomial, options: { order: 0 }, points: [[1.5]] },
  { t: polynomial, points: [[1, -2, 0.5], [0, 0, 0]] },
  { t: polynomial, options: { order: 5 }, points: [[0.3, -1.2, 0.7, 0.05, -0.01, 0.002]] },
  { t: polynomial, options: { order: 10 }, points: [[1, -1, 0.5, 0.1, -0.02, 3e-3, -4e-4, 5e-5, -6e-6, 7e-7, -8e-8]] },
  { t: powerLaw, zeroStep: 1e-5, points: [[2, 2, 0], [1.5, 3.2, -11], [1, 0.5, 0.37], [-4, -1.5, -3]] },
  { t: exponential, points: [[1, 1], [2, -3], [0.5, 4]] },
  { t: logistic, points: [[1, 1, 1, 0], [2, 0.5, -1.5, 1], [-1, 3, 0.4, -2]] },
  { t: logistic, zeroStep: 1e-6, points: [[1, 1, 200, 0]] },
  { t: erfStep, points: [[1, 1, 0], [2, 0.3, 1], [-1, 3, -2]] },
  { t: arctan, points: [[1, 1, 0], [2, -0.5, 1], [-1, 3, -2]] },
  { t: heavisideStep, points: [[1, 0.3], [2.5, -1.2345]] },
];

describe('analytic Jacobians match central finite differences', () => {
  for (const c of cases) {
    for (const p of c.points) {
      const label = `${c.t.type}${c.options?.order !== undefined ? ` order ${c.options.order}` : ''} at [${p.join(', ')}]`;
      it(label, () => {
        const x = X;
        const n = x.length;
        const { out, jac } = evalJac(c.t, p, x, c.options);
        const plain = evalAt(c.t, p, x, c.options);
        for (let i = 0; i < n; i++) {
          expect(Number.isFinite(out[i])).toBe(true);
          expect(out[i]).toBe(plain[i]);
        }
        for (let k = 0; k < p.length; k++) {
          // fourth-order central difference: (-f(p+2h) + 8 f(p+h) - 8 f(p-h) + f(p-2h)) / (12 h)
          const h = 1e-3 * (p[k] !== 0 ? Math.abs(p[k]) : (c.zeroStep ?? 1));
          const at = (d: number) => {
            const q = p.slice();
            q[k] += d * h;
            return evalAt(c.t, q, x, c.options);
          };
          const f2 = at(2), f1 = at(1), m1 = at(-1), m2 = at(-2);
          const fd = new Float64Array(n);
          for (let i = 0; i < n; i++) fd[i] = (-f2[i] + 8 * f1[i] - 8 * m1[i] + m2[i]) / (12 * h);
          let scale = 0;
          for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(jac[k][i]), Math.abs(fd[i]));
          for (let i = 0; i < n; i++) {
            expect(Number.isFinite(jac[k][i])).toBe(true);
            const err = Math.abs(jac[k][i] - fd[i]);
            if (!(err <= 1e-6 * scale + 1e-300)) {
              throw new Error(`${label}: d/d${c.t.params(c.options)[k].name} at x=${x[i]}: analytic ${jac[k][i]}, fd ${fd[i]}, scale ${scale}`);
            }
          }
        }
      });
    }
  }
});

describe('registry', () => {
  it('lists the types in display order', () => {
    expect(componentTypeNames).toEqual([
      'Gaussian', 'Lorentzian', 'Voigt', 'PseudoVoigt', 'Offset', 'Polynomial',
      'PowerLaw', 'Exponential', 'Logistic', 'Erf', 'Arctan', 'HeavisideStep',
    ]);
    expect(Object.keys(componentTypes).sort()).toEqual([...componentTypeNames].sort());
  });
  it('looks types up by name only', () => {
    for (const name of componentTypeNames) expect(getComponentType(name)?.type).toBe(name);
    expect(getComponentType('Nope')).toBeUndefined();
    expect(getComponentType('toString')).toBeUndefined();
    expect(getComponentType('__proto__')).toBeUndefined();
  });
  it('has sane metadata and defaults that evaluate to finite values', () => {
    const peaks = ['Gaussian', 'Lorentzian', 'Voigt', 'PseudoVoigt'];
    for (const name of componentTypeNames) {
      const t = getComponentType(name)!;
      expect(t.dims).toBe(1);
      expect(t.formula.length).toBeGreaterThan(0);
      expect(t.peak).toBe(peaks.includes(name));
      const specs = t.params();
      expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
      for (const s of specs) {
        expect(s.description.length).toBeGreaterThan(0);
        if (s.lower !== null) expect(s.value).toBeGreaterThanOrEqual(s.lower);
        if (s.upper !== null) expect(s.value).toBeLessThanOrEqual(s.upper);
      }
      const y = evalAt(t, specs.map((s) => s.value), X);
      for (const v of y) expect(Number.isFinite(v)).toBe(true);
    }
  });
  it('uses HyperSpy parameter names', () => {
    const names = (t: ComponentType, o?: ComponentOptions) => t.params(o).map((s) => s.name);
    expect(names(gaussian)).toEqual(['A', 'sigma', 'centre']);
    expect(names(lorentzian)).toEqual(['A', 'gamma', 'centre']);
    expect(names(voigt)).toEqual(['area', 'centre', 'sigma', 'gamma']);
    expect(names(pseudoVoigt)).toEqual(['A', 'centre', 'fwhm', 'eta']);
    expect(names(offset)).toEqual(['offset']);
    expect(names(polynomial)).toEqual(['a0', 'a1', 'a2']);
    expect(names(powerLaw)).toEqual(['A', 'r', 'origin']);
    expect(names(exponential)).toEqual(['A', 'tau']);
    expect(names(logistic)).toEqual(['a', 'b', 'c', 'origin']);
    expect(names(erfStep)).toEqual(['A', 'sigma', 'origin']);
    expect(names(arctan)).toEqual(['A', 'k', 'x0']);
    expect(names(heavisideStep)).toEqual(['A', 'n']);
  });
});

describe('known values', () => {
  it('Gaussian: area A and peak height A / (sigma sqrt(2 pi))', () => {
    for (const [A, sigma, centre] of [[1, 1, 0], [2.5, 0.3, 1.7], [-3, 4, -2]]) {
      const x = linspace(centre - 20 * sigma, centre + 20 * sigma, 20001);
      expect(relClose(trapezoid(x, evalAt(gaussian, [A, sigma, centre], x)), A, 1e-8)).toBe(true);
      expect(value(gaussian, [A, sigma, centre], centre)).toBeCloseTo(A / (sigma * Math.sqrt(2 * Math.PI)), 14);
      // half maximum at centre +- sigma sqrt(2 ln 2)
      const hw = sigma * Math.sqrt(2 * Math.LN2);
      expect(value(gaussian, [A, sigma, centre], centre + hw)).toBeCloseTo(A / (2 * sigma * Math.sqrt(2 * Math.PI)), 12);
    }
  });

  it('Lorentzian: area A (minus the tails) and peak height A / (pi gamma)', () => {
    for (const [A, gamma, centre] of [[1, 1, 0], [2.5, 0.3, 1.7]]) {
      const L = 1000 * gamma;
      const x = linspace(centre - L, centre + L, 400001);
      const integral = trapezoid(x, evalAt(lorentzian, [A, gamma, centre], x));
      // exact integral over [-L, L] is A (2/pi) atan(L / gamma)
      expect(relClose(integral, (A * 2 * Math.atan(L / gamma)) / Math.PI, 1e-6)).toBe(true);
      expect(relClose(integral, A, 1e-3)).toBe(true);
      expect(value(lorentzian, [A, gamma, centre], centre)).toBeCloseTo(A / (Math.PI * gamma), 13);
      expect(value(lorentzian, [A, gamma, centre], centre + gamma)).toBeCloseTo(A / (2 * Math.PI * gamma), 13);
    }
  });

  it('Voigt at the centre with sigma = gamma = 1 is area Re w(i/sqrt 2) / sqrt(2 pi)', () => {
    // Re w(i y) = erfcx(y) = exp(y^2) erfc(y); erfcx(1/sqrt 2) = e^0.5 erfc(0.70710678...) = 0.52315658373024...
    const erfcx = Math.exp(0.5) * erfc(Math.SQRT1_2);
    expect(relClose(erfcx, 0.5231565837302468, 1e-14)).toBe(true);
    for (const area of [1, 2.5]) {
      expect(relClose(value(voigt, [area, 0.4, 1, 1], 0.4), (area * erfcx) / Math.sqrt(2 * Math.PI), 1e-13)).toBe(true);
    }
    expect(relClose(value(voigt, [1, 0, 1, 1], 0), 0.20870928052036, 1e-12)).toBe(true);
  });

  it('Voigt with gamma -> 0 equals the Gaussian', () => {
    for (const gamma of [0, 1e-12]) {
      for (const [area, centre, sigma] of [[1, 0, 1], [2, 1.3, 0.4]]) {
        const v = evalAt(voigt, [area, centre, sigma, gamma], X);
        const g = evalAt(gaussian, [area, sigma, centre], X);
        const peak = area / (sigma * Math.sqrt(2 * Math.PI));
        // gamma = 1e-12 adds a Lorentzian tail ~ gamma / (pi u^2) ~ 3e-15: hence the floor
        for (let i = 0; i < X.length; i++) expect(Math.abs(v[i] - g[i])).toBeLessThanOrEqual(1e-8 * Math.max(Math.abs(g[i]), 1e-5 * peak));
      }
    }
  });

  it('Voigt with sigma -> 0 equals the Lorentzian, without NaN', () => {
    for (const sigma of [1e-6, 1e-9, 1e-300, 0]) {
      for (const [area, centre, gamma] of [[1, 0, 1], [2, 1.3, 0.4], [1, 0.01, 0.001]]) {
        const v = evalAt(voigt, [area, centre, sigma, gamma], X);
        const l = evalAt(lorentzian, [area, gamma, centre], X);
        for (let i = 0; i < X.length; i++) expect(relClose(v[i], l[i], 1e-8)).toBe(true);
        const { out, jac } = evalJac(voigt, [area, centre, sigma, gamma], Float64Array.of(centre, centre + 0.5, ...X));
        for (const arr of [out, ...jac]) for (const val of arr) expect(Number.isFinite(val)).toBe(true);
      }
    }
  });

  it('Voigt has no NaN for small sigma even at the centre with gamma = 0', () => {
    for (const sigma of [1e-3, 1e-8, 1e-12]) {
      const { out, jac } = evalJac(voigt, [1, 0, sigma, 0], Float64Array.of(0, sigma, 10 * sigma, 1e-3, 0.5, ...X));
      for (const arr of [out, ...jac]) for (const val of arr) expect(Number.isFinite(val)).toBe(true);
    }
  });

  it('Voigt agrees with area Re w(z) / (sigma sqrt(2 pi)) on both sides of the series switch', () => {
    const area = 1.7, centre = 0.2, sigma = 0.1;
    for (const gamma of [0, 0.01, 0.5, 2.9, 3.1]) {
      for (const u of [0, 0.3, -1, 4.2, 4.25, -4.3, 10]) {
        const [wr] = wofz(u / (sigma * Math.SQRT2), gamma / (sigma * Math.SQRT2));
        const ref = (area * wr) / (sigma * Math.sqrt(2 * Math.PI));
        // 1e-9: the profile uses Weideman's rational w (about 2e-13 |w| absolute, see faddeeva-rational.ts)
        expect(relClose(value(voigt, [area, centre, sigma, gamma], centre + u), ref, 1e-9, 1e-300)).toBe(true);
      }
    }
  });

  it('Voigt integrates to the area (Lorentzian tails aside)', () => {
    const x = linspace(-2000, 2000, 400001);
    const integral = trapezoid(x, evalAt(voigt, [2, 0.3, 0.8, 0.5], x));
    // tails beyond |x| = 2000 carry about 2 gamma / (pi 2000) of the area
    expect(relClose(integral, 2 * (1 - (2 * 0.5) / (Math.PI * 2000)), 1e-6)).toBe(true);
  });

  it('PseudoVoigt: half maximum at centre +- fwhm/2 for any eta, unit-area parts', () => {
    for (const eta of [0, 0.5, 1]) {
      const [A, centre, fwhm] = [2, 0.7, 1.3];
      const p = [A, centre, fwhm, eta];
      const peak = value(pseudoVoigt, p, centre);
      expect(value(pseudoVoigt, p, centre - fwhm / 2)).toBeCloseTo(peak / 2, 13);
      expect(value(pseudoVoigt, p, centre + fwhm / 2)).toBeCloseTo(peak / 2, 13);
    }
    const x = linspace(-30, 30, 60001);
    expect(relClose(trapezoid(x, evalAt(pseudoVoigt, [2, 0, 1, 0], x)), 2, 1e-10)).toBe(true);
    expect(value(pseudoVoigt, [2, 0, 1, 1], 0)).toBeCloseTo(value(lorentzian, [2, 0.5, 0], 0), 14);
    const sigma = 1 / (2 * Math.sqrt(2 * Math.LN2));
    expect(value(pseudoVoigt, [2, 0, 1, 0], 0.3)).toBeCloseTo(value(gaussian, [2, sigma, 0], 0.3), 14);
  });

  it('Offset is constant', () => {
    const y = evalAt(offset, [3.5], X);
    for (const v of y) expect(v).toBe(3.5);
  });

  it('Polynomial: a0 + a1 x + a2 x^2, parameter count from the order', () => {
    expect(value(polynomial, [1, -2, 0.5], 2)).toBeCloseTo(1 - 4 + 2, 15);
    expect(value(polynomial, [1.5, 2, -1, 0.25], 2, { order: 3 })).toBeCloseTo(1.5 + 4 - 4 + 2, 14);
    expect(polynomial.params().length).toBe(3);
    for (let order = 0; order <= 10; order++) {
      const names = polynomial.params({ order }).map((s) => s.name);
      expect(names).toEqual(Array.from({ length: order + 1 }, (_, k) => `a${k}`));
    }
    expect(() => polynomial.params({ order: 11 })).toThrow(RangeError);
    expect(() => polynomial.params({ order: -1 })).toThrow(RangeError);
    expect(() => polynomial.params({ order: 1.5 })).toThrow(RangeError);
  });

  it('PowerLaw: A (x - origin)^-r, 0 at and left of the origin', () => {
    expect(value(powerLaw, [2, 2, 1], 3)).toBeCloseTo(0.5, 15);
    expect(value(powerLaw, [2, 2, 1], 1)).toBe(0);
    expect(value(powerLaw, [2, 2, 1], -5)).toBe(0);
    const { jac } = evalJac(powerLaw, [2, 2, 1], Float64Array.of(0.5, 1));
    for (const col of jac) expect([col[0], col[1]]).toEqual([0, 0]);
  });

  it('Exponential: A at x = 0, A/e at x = tau', () => {
    expect(value(exponential, [2, 3], 0)).toBe(2);
    expect(value(exponential, [2, 3], 3)).toBeCloseTo(2 / Math.E, 15);
  });

  it('Logistic: a / (1 + b) at the origin, a and 0 at the ends', () => {
    expect(value(logistic, [3, 2, 1.5, 0.7], 0.7)).toBeCloseTo(1, 15);
    expect(value(logistic, [3, 2, 1.5, 0.7], 100)).toBeCloseTo(3, 12);
    expect(value(logistic, [3, 2, 1.5, 0.7], -100)).toBeCloseTo(0, 12);
    // far beyond the exp overflow: still finite
    const { out, jac } = evalJac(logistic, [3, 2, 1.5, 0.7], Float64Array.of(-1e6, 1e6));
    for (const arr of [out, ...jac]) for (const v of arr) expect(Number.isFinite(v)).toBe(true);
  });

  it('Erf: limits +-A/2, 0 at the origin, A erf(1/sqrt 2)/2 at origin + sigma', () => {
    const p = [3, 0.5, 1];
    expect(value(erfStep, p, 100)).toBeCloseTo(1.5, 15);
    expect(value(erfStep, p, -100)).toBeCloseTo(-1.5, 15);
    expect(value(erfStep, p, 1)).toBe(0);
    expect(value(erfStep, p, 1.5)).toBeCloseTo(1.5 * 0.6826894921370859, 14);
  });

  it('Arctan: 0 at x0, A pi/4 at x0 + 1/k, limits +-A pi/2', () => {
    const p = [2, 4, -1];
    expect(value(arctan, p, -1)).toBe(0);
    expect(value(arctan, p, -0.75)).toBeCloseTo(Math.PI / 2, 15);
    expect(value(arctan, p, 1e9)).toBeCloseTo(Math.PI, 8);
    expect(value(arctan, p, -1e9)).toBeCloseTo(-Math.PI, 8);
  });

  it('HeavisideStep: 0 below n, A/2 at n, A above', () => {
    const p = [2.5, 0.3];
    expect(value(heavisideStep, p, 0.2)).toBe(0);
    expect(value(heavisideStep, p, 0.3)).toBe(1.25);
    expect(value(heavisideStep, p, 0.4)).toBe(2.5);
    const { jac } = evalJac(heavisideStep, p, Float64Array.of(0.2, 0.3, 0.4));
    expect(Array.from(jac[0])).toEqual([0, 0.5, 1]);
    expect(Array.from(jac[1])).toEqual([0, 0, 0]);
  });
});

describe('guesses from noiseless data', () => {
  const within = (got: number, want: number, tol: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(tol * Math.abs(want));

  it('Gaussian', () => {
    for (const [A, sigma, centre] of [[3, 0.7, 1.3], [0.5, 2, -3], [10, 0.2, 0]]) {
      const x = linspace(-8, 8, 321);
      const g = gaussian.guess!({ x, y: evalAt(gaussian, [A, sigma, centre], x) });
      within(g.A, A, 0.1);
      within(g.sigma, sigma, 0.1);
      expect(Math.abs(g.centre - centre)).toBeLessThanOrEqual(0.1 * sigma);
    }
  });

  it('Lorentzian', () => {
    for (const [A, gamma, centre] of [[2, 0.5, -0.7], [1, 1.5, 2], [5, 0.3, 0]]) {
      const x = linspace(-8, 8, 321);
      const g = lorentzian.guess!({ x, y: evalAt(lorentzian, [A, gamma, centre], x) });
      within(g.A, A, 0.1);
      within(g.gamma, gamma, 0.1);
      expect(Math.abs(g.centre - centre)).toBeLessThanOrEqual(0.1 * gamma);
    }
  });

  it('PseudoVoigt', () => {
    for (const [A, centre, fwhm, eta] of [[2, 0.4, 1.2, 0], [2, 0.4, 1.2, 1], [1, -1, 2, 0.5]]) {
      const x = linspace(-10, 10, 401);
      const g = pseudoVoigt.guess!({ x, y: evalAt(pseudoVoigt, [A, centre, fwhm, eta], x) });
      within(g.A, A, 0.1);
      within(g.fwhm, fwhm, 0.1);
      expect(Math.abs(g.centre - centre)).toBeLessThanOrEqual(0.1 * fwhm);
      expect(Math.abs(g.eta - eta)).toBeLessThanOrEqual(0.15);
    }
  });

  it('Voigt', () => {
    const x = linspace(-10, 10, 401);
    for (const [area, centre, sigma, gamma] of [[2, 0.4, 0.5, 0.01], [2, 0.4, 0.01, 0.6], [1, -1, 0.5, 0.5]]) {
      const g = voigt.guess!({ x, y: evalAt(voigt, [area, centre, sigma, gamma], x) });
      within(g.area, area, 0.1);
      expect(Math.abs(g.centre - centre)).toBeLessThanOrEqual(0.05);
      // the fitted FWHM (Olivero) within 10 %
      const fw = (s: number, gm: number) => {
        const fl = 2 * gm;
        const fgs = 2 * Math.sqrt(2 * Math.LN2) * s;
        return 0.5346 * fl + Math.sqrt(0.2166 * fl * fl + fgs * fgs);
      };
      within(fw(g.sigma, g.gamma), fw(sigma, gamma), 0.1);
      expect(g.sigma).toBeGreaterThan(0);
      expect(g.gamma).toBeGreaterThanOrEqual(0);
    }
  });

  it('Polynomial recovers the coefficients', () => {
    const x = linspace(95, 105, 50);
    const p = [3, -0.2, 0.01, 4e-5];
    const g = polynomial.guess!({ x, y: evalAt(polynomial, p, x, { order: 3 }) }, { order: 3 });
    const fit = evalAt(polynomial, [g.a0, g.a1, g.a2, g.a3], x, { order: 3 });
    const truth = evalAt(polynomial, p, x, { order: 3 });
    for (let i = 0; i < x.length; i++) expect(relClose(fit[i], truth[i], 1e-8)).toBe(true);
    const g2 = polynomial.guess!({ x: linspace(-1, 1, 20), y: evalAt(polynomial, [1, 2, 3], linspace(-1, 1, 20)) });
    expect(g2.a0).toBeCloseTo(1, 10);
    expect(g2.a1).toBeCloseTo(2, 10);
    expect(g2.a2).toBeCloseTo(3, 10);
    // fewer points than coefficients: lower order, the rest 0
    const g3 = polynomial.guess!({ x: Float64Array.of(0, 1), y: Float64Array.of(1, 3) }, { order: 4 });
    expect([g3.a0, g3.a1, g3.a2, g3.a3, g3.a4].map((v) => Math.round(v * 1e10) / 1e10)).toEqual([1, 2, 0, 0, 0]);
  });

  it('PowerLaw, Exponential, Offset', () => {
    const x = linspace(1, 20, 100);
    const pl = powerLaw.guess!({ x, y: evalAt(powerLaw, [50, 2.7, 0], x) });
    within(pl.A, 50, 1e-8);
    within(pl.r, 2.7, 1e-8);
    const ex = exponential.guess!({ x, y: evalAt(exponential, [-4, 6], x) });
    within(ex.A, -4, 1e-8);
    within(ex.tau, 6, 1e-8);
    expect(offset.guess!({ x, y: evalAt(offset, [2.25], x) }).offset).toBeCloseTo(2.25, 14);
  });

  it('step-like components find the step', () => {
    const x = linspace(-10, 10, 401);
    const e = erfStep.guess!({ x, y: evalAt(erfStep, [3, 0.8, 1.2], x) });
    within(e.A, 3, 0.05);
    within(e.sigma, 0.8, 0.05);
    expect(Math.abs(e.origin - 1.2)).toBeLessThan(0.05);
    const l = logistic.guess!({ x, y: evalAt(logistic, [2, 1, -1.5, -0.5], x) });
    within(l.a, 2, 0.05);
    within(l.c, -1.5, 0.1);
    expect(Math.abs(l.origin + 0.5)).toBeLessThan(0.05);
    const h = heavisideStep.guess!({ x, y: evalAt(heavisideStep, [-1.5, 2.3], x) });
    within(h.A, -1.5, 1e-12);
    expect(Math.abs(h.n - 2.3)).toBeLessThan(0.05);
    const a = arctan.guess!({ x, y: evalAt(arctan, [1, 3, 0.5], x) });
    within(a.A, 1, 0.1);
    within(a.k, 3, 0.2);
    expect(Math.abs(a.x0 - 0.5)).toBeLessThan(0.05);
  });
});
