import { describe, expect, it } from 'vitest';
import { compileExpression, ExprError } from './index';

/** deterministic points: xorshift32 mapped to [lo, hi) */
function points(n: number, lo: number, hi: number, seed = 12345): Float64Array {
  let s = seed >>> 0 || 1;
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    a[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  return a;
}

describe('compileExpression', () => {
  it('lists parameters in order of first appearance and the variables used', () => {
    const f = compileExpression('height*exp(-(x-x0)^2*4*ln(2)/fwhm^2) + c + height', { variables: ['x', 'y'] });
    expect(f.parameters).toEqual(['height', 'x0', 'fwhm', 'c']);
    expect(f.variables).toEqual(['x']);
    expect(f.text).toBe('height*exp(-(x-x0)^2*4*ln(2)/fwhm^2) + c + height');
    const g = compileExpression('a*y + b*x', { variables: ['x', 'y', 'z'] });
    expect(g.parameters).toEqual(['a', 'b']);
    expect(g.variables).toEqual(['x', 'y']);
  });

  it('pi and e are constants, never parameters', () => {
    const f = compileExpression('a*pi + e*x', { variables: ['x'] });
    expect(f.parameters).toEqual(['a']);
    expect(f.scalar({ x: 2 }, [3])).toBe(3 * Math.PI + Math.E * 2);
  });

  it('vectorised evaluate equals scalar evaluation at many points (value and Jacobian)', () => {
    const formulas: [string, number[], number, number][] = [
      ['b1*exp(-b2*x)+b3*exp(-(x-b4)^2/b5^2)+b6*exp(-(x-b7)^2/b8^2)', [98.8, 0.0105, 100.5, 67.5, 23.1, 72, 179, 18.4], 0, 250],
      ['(b1+b2*x+b3*x^2+b4*x^3)/(1+b5*x+b6*x^2+b7*x^3)', [1288, 1491, 583, 75.4, 0.97, 0.4, 0.05], -3, 2.2],
      ['b1/(1+exp(b2-b3*x))^(1/b4)', [699.6, 5.28, 0.76, 1.28], 1, 15],
      ['a*sin(w*x+ph)^2 + sqrt(abs(x)) - erf(x/s) + erfc(x*s) + tanh(x)*cosh(x/10)', [1.5, 2.1, 0.3, 1.7], -5, 5],
      ['x^x + 2^x + x^-1 + x^-2 + x^3 + log10(x) + atan(x) + asin(1/x) + acos(1/(x+1)) + tan(x/10) + sinh(x/5)', [], 1, 9],
      ['c', [4.25], 0, 1],
      ['x', [], 0, 1],
      ['a*x + b', [2, 3], -1, 1],
    ];
    for (const [text, p, lo, hi] of formulas) {
      const f = compileExpression(text, { variables: ['x'] });
      const n = 3000; // spans several blocks of the tape
      const x = points(n, lo, hi);
      const out = new Float64Array(n);
      const jac = p.map(() => new Float64Array(n));
      f.evaluate({ x }, p, out, jac, n);
      const outOnly = new Float64Array(n);
      f.evaluate(new Map([['x', x]]), p, outOnly, null, n);
      let worst = 0; // largest relative difference between vector and scalar results
      const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));
      for (let i = 0; i < n; i++) {
        const v = f.scalar({ x: x[i] }, p);
        expect(Number.isFinite(v)).toBe(true);
        worst = Math.max(worst, rel(out[i], v), rel(outOnly[i], v));
        for (let k = 0; k < p.length; k++) worst = Math.max(worst, rel(jac[k][i], f.scalarDerivative(f.parameters[k], { x: x[i] }, p)));
      }
      expect(worst, text).toBeLessThanOrEqual(1e-14);
    }
  });

  it('fills constant, variable and shared derivative columns', () => {
    // d/da = 1 (constant), d/db = x (the variable itself), d/dc = d/dd = x^2 (same node twice)
    const f = compileExpression('a + b*x + (c+d)*x^2', { variables: ['x'] });
    const x = Float64Array.of(-2, 0.5, 3);
    const out = new Float64Array(3);
    const jac = [0, 1, 2, 3].map(() => new Float64Array(3).fill(NaN));
    f.evaluate({ x }, [1, 2, 3, 4], out, jac, 3);
    expect(Array.from(out)).toEqual([1 - 4 + 28, 1 + 1 + 7 * 0.25, 1 + 6 + 63]);
    expect(Array.from(jac[0])).toEqual([1, 1, 1]);
    expect(Array.from(jac[1])).toEqual([-2, 0.5, 3]);
    expect(Array.from(jac[2])).toEqual([4, 0.25, 9]);
    expect(Array.from(jac[3])).toEqual([4, 0.25, 9]);
  });

  it('writes only the first n points and grows its buffers when n grows', () => {
    const f = compileExpression('a*exp(-x^2/b)', { variables: ['x'] });
    const check = (n: number): void => {
      const x = points(n + 5, -3, 3, n);
      const out = new Float64Array(n + 5).fill(-1);
      const jac = [new Float64Array(n + 5).fill(-1), new Float64Array(n + 5).fill(-1)];
      f.evaluate({ x }, [2, 1.5], out, jac, n);
      for (let i = 0; i < n; i++) {
        expect(out[i]).toBeCloseTo(2 * Math.exp((-x[i] * x[i]) / 1.5), 13);
        expect(jac[0][i]).toBeCloseTo(Math.exp((-x[i] * x[i]) / 1.5), 13);
        expect(jac[1][i]).toBeCloseTo((2 * x[i] * x[i] * Math.exp((-x[i] * x[i]) / 1.5)) / (1.5 * 1.5), 12);
      }
      for (let i = n; i < n + 5; i++) expect(out[i]).toBe(-1);
    };
    check(10);
    check(5000);
    check(3);
    check(0);
  });

  it('evaluates images with two variables', () => {
    const f = compileExpression('A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2))', { variables: ['x', 'y'] });
    expect(f.parameters).toEqual(['A', 'x0', 'y0', 's']);
    const x = Float64Array.of(0, 1, 2);
    const y = Float64Array.of(1, 1, 0);
    const out = new Float64Array(3);
    f.evaluate({ x, y }, [3, 1, 1, 0.5], out, null, 3);
    expect(out[0]).toBeCloseTo(3 * Math.exp(-2), 14);
    expect(out[1]).toBe(3);
    expect(out[2]).toBeCloseTo(3 * Math.exp(-4), 14);
  });

  it('twin functions: scalar value and derivative with respect to the variable', () => {
    const twin = compileExpression('3*x + 1', { variables: ['x'] });
    expect(twin.parameters).toEqual([]);
    const vars = new Map([['x', 2.5]]);
    expect(twin.scalar(vars, new Float64Array(0))).toBe(8.5);
    expect(twin.scalarDerivative('x', vars, new Float64Array(0))).toBe(3);
    const sq = compileExpression('x^2/2', { variables: ['x'] });
    expect(sq.scalarDerivative('x', { x: -4 }, [])).toBe(-4);
    expect(sq.scalarDerivative('unused', { x: -4 }, [])).toBe(0);
  });

  it('treats constructor, __proto__, toString, valueOf, hasOwnProperty as ordinary parameters', () => {
    const text = 'constructor*x + __proto__ - toString^2 + valueOf/hasOwnProperty';
    const f = compileExpression(text, { variables: ['x'] });
    expect(f.parameters).toEqual(['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty']);
    const p = [2, 3, 4, 5, 8];
    const expected = (x: number): number => 2 * x + 3 - 16 + 5 / 8;
    expect(f.scalar({ x: 1.5 }, p)).toBe(expected(1.5));
    const x = Float64Array.of(-1, 0, 1.5);
    const out = new Float64Array(3);
    const jac = p.map(() => new Float64Array(3));
    f.evaluate({ x }, p, out, jac, 3);
    expect(Array.from(out)).toEqual([-1, 0, 1.5].map(expected));
    expect(Array.from(jac[0])).toEqual([-1, 0, 1.5]);
    expect(Array.from(jac[1])).toEqual([1, 1, 1]);
    expect(Array.from(jac[2])).toEqual([-8, -8, -8]);
    expect(Array.from(jac[3])).toEqual([0.125, 0.125, 0.125]);
    expect(Array.from(jac[4])).toEqual([-5 / 64, -5 / 64, -5 / 64]);
  });

  it('hostile names as variables are read only from own properties', () => {
    const f = compileExpression('a*toString + constructor', { variables: ['toString', 'constructor'] });
    expect(f.parameters).toEqual(['a']);
    expect(f.variables).toEqual(['toString', 'constructor']);
    // own properties named toString / constructor, in a plain object and in a null-prototype object
    expect(f.scalar({ toString: 2, constructor: 5 } as unknown as Record<string, number>, [3])).toBe(11);
    const bare = Object.assign(Object.create(null) as Record<string, number>, { toString: 2, constructor: 5 });
    expect(f.scalar(bare, [3])).toBe(11);
    // a plain {} inherits toString/constructor from Object.prototype: they must not be used
    expect(() => f.scalar({}, [3])).toThrow(ExprError);
    expect(() => f.evaluate({}, [3], new Float64Array(1), null, 1)).toThrow("Variable 'toString' (position 2) has no data");
    const g = compileExpression('__proto__ * 2', { variables: ['__proto__'] });
    expect(g.scalar(new Map([['__proto__', 4]]), [])).toBe(8);
    expect(() => g.scalar({}, [])).toThrow(ExprError);
  });

  it('checks its inputs', () => {
    const f = compileExpression('a*x', { variables: ['x'] });
    expect(() => f.scalar({ x: 1 }, [])).toThrow('1 parameter values needed');
    expect(() => f.evaluate({ x: new Float64Array(2) }, [1], new Float64Array(3), null, 3)).toThrow("variable 'x' has 2 points");
    expect(() => f.evaluate({ x: new Float64Array(3) }, [1], new Float64Array(2), null, 3)).toThrow('output array shorter');
    expect(() => f.evaluate({ x: new Float64Array(3) }, [1], new Float64Array(3), [], 3)).toThrow('1 Jacobian columns needed');
  });

  it('handles long operator chains (no recursion limits)', () => {
    const sum = compileExpression('x+'.repeat(4999) + 'x', { variables: ['x'] });
    expect(sum.scalar({ x: 2 }, [])).toBe(10000);
    expect(sum.scalarDerivative('x', { x: 2 }, [])).toBe(5000);
    const names = Array.from({ length: 400 }, (_, i) => `p${i}`);
    const prod = compileExpression(names.join('*'), { variables: ['x'] });
    expect(prod.parameters.length).toBe(400);
    const p = names.map((_, i) => (i === 7 ? 3 : 1));
    const out = new Float64Array(2);
    const jac = names.map(() => new Float64Array(2));
    prod.evaluate({}, p, out, jac, 2);
    expect(Array.from(out)).toEqual([3, 3]);
    expect(jac[7][1]).toBe(1);
    expect(jac[0][0]).toBe(3);
    expect(jac[399][1]).toBe(3);
  });

  it('propagates NaN and infinities like Math', () => {
    const f = compileExpression('ln(x) + sqrt(x)', { variables: ['x'] });
    expect(f.scalar({ x: -1 }, [])).toBeNaN();
    expect(f.scalar({ x: 0 }, [])).toBe(-Infinity);
    const g = compileExpression('1/x', { variables: ['x'] });
    expect(g.scalar({ x: 0 }, [])).toBe(Infinity);
  });
});
