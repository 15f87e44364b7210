import { describe, expect, it } from 'vitest';
import { compileExpression, differentiateExpression, formatExpression, parseExpression } from './index';

/** Central difference with one Richardson step (error O(h^4)). */
function numericDerivative(f: (t: number) => number, t: number, h: number): number {
  const d1 = (f(t + h) - f(t - h)) / (2 * h);
  const d2 = (f(t + h / 2) - f(t - h / 2)) / h;
  return (4 * d2 - d1) / 3;
}

/** Checks every analytic derivative (parameters via evaluate's Jacobian and scalarDerivative, and x) against finite differences. */
function checkDerivatives(text: string, params: number[], xs: number[], rtol = 1e-7): void {
  const f = compileExpression(text, { variables: ['x'] });
  expect(f.parameters.length).toBe(params.length);
  const n = xs.length;
  const x = Float64Array.from(xs);
  const out = new Float64Array(n);
  const jac = params.map(() => new Float64Array(n));
  f.evaluate({ x }, params, out, jac, n);
  for (let i = 0; i < n; i++) {
    const fx = f.scalar({ x: xs[i] }, params);
    expect(out[i]).toBeCloseTo(fx, 12);
    for (let k = 0; k < params.length; k++) {
      const scale = Math.max(Math.abs(params[k]), 1e-3);
      const fd = numericDerivative((t) => {
        const q = params.slice();
        q[k] = t;
        return f.scalar({ x: xs[i] }, q);
      }, params[k], 1e-3 * scale);
      const tol = rtol * (Math.abs(fd) + (Math.abs(fx) + 1e-12) / scale);
      const msg = `${text}: d/d${f.parameters[k]} at x=${xs[i]}: analytic ${jac[k][i]}, numeric ${fd}`;
      expect(Math.abs(jac[k][i] - fd), msg).toBeLessThanOrEqual(tol);
      expect(Math.abs(f.scalarDerivative(f.parameters[k], { x: xs[i] }, params) - jac[k][i])).toBeLessThanOrEqual(
        1e-13 * (Math.abs(jac[k][i]) + 1e-300) + 1e-300,
      );
    }
    if (f.variables.includes('x')) {
      const scale = Math.max(Math.abs(xs[i]), 1e-3);
      const fd = numericDerivative((t) => f.scalar({ x: t }, params), xs[i], 1e-3 * scale);
      const dx = f.scalarDerivative('x', { x: xs[i] }, params);
      const tol = rtol * (Math.abs(fd) + (Math.abs(fx) + 1e-12) / scale);
      expect(Math.abs(dx - fd), `${text}: d/dx at x=${xs[i]}: analytic ${dx}, numeric ${fd}`).toBeLessThanOrEqual(tol);
    }
  }
}

describe('derivatives of functions (chain rule through a*x+b)', () => {
  const cases: [string, number[], number[]][] = [
    ['exp(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
    ['ln(a*x+b)', [0.7, 3], [-2, 0.1, 1.5]],
    ['log(a*x+b)', [0.7, 3], [-2, 0.1, 1.5]],
    ['log10(a*x+b)', [0.7, 3], [-2, 0.1, 1.5]],
    ['sqrt(a*x+b)', [0.7, 3], [-2, 0.1, 1.5]],
    ['abs(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
    ['sin(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
    ['cos(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
    ['tan(a*x+b)', [0.7, -0.3], [-1, 0.1, 1.5]],
    ['asin(a*x+b)', [0.3, 0.1], [-2, 0.1, 1.5]],
    ['acos(a*x+b)', [0.3, 0.1], [-2, 0.1, 1.5]],
    ['atan(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
    ['sinh(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
    ['cosh(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
    ['tanh(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
    ['erf(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
    ['erfc(a*x+b)', [0.7, -0.3], [-2, 0.1, 1.5]],
  ];
  for (const [text, p, xs] of cases) it(text, () => checkDerivatives(text, p, xs));

  it('abs has derivative sign(u), with sign(0) = 0', () => {
    const f = compileExpression('abs(a*x)', { variables: ['x'] });
    expect(f.scalarDerivative('x', { x: 0 }, [2])).toBe(0);
    expect(f.scalarDerivative('x', { x: -1 }, [2])).toBe(-2);
    expect(f.scalarDerivative('a', { x: -1 }, [2])).toBe(1);
    expect(formatExpression(differentiateExpression(parseExpression('abs(x)'), 'x'))).toBe('sign(x)');
  });
});

describe('derivatives of operators', () => {
  const cases: [string, number[], number[]][] = [
    ['a+x', [1.3], [-1, 2]],
    ['a-x', [1.3], [-1, 2]],
    ['x-a', [1.3], [-1, 2]],
    ['-a*x', [1.3], [-1, 2]],
    ['a*x*b', [1.3, -0.4], [-1, 2]],
    ['a/x', [1.3], [-1, 2]],
    ['x/a', [1.3], [-1, 2]],
    ['(a+x)/(b-x)', [1.3, 4], [-1, 2]],
    ['x^3', [], [-1.5, 0.5, 2]],
    ['x^2', [], [-1.5, 0.5, 2]],
    ['x^-1', [], [-1.5, 0.5, 2]],
    ['x^-2', [], [-1.5, 0.5, 2]],
    ['x^2.5', [], [0.5, 2]],
    ['(a*x)^3', [-1.2], [-1.5, 0.5, 2]],
    ['x^a', [2.7], [0.5, 2]],
    ['a^x', [2.7], [-1.5, 0.5, 2]],
    ['x^x', [], [0.5, 2]],
    ['(a+x)^(b*x)', [1.5, 0.3], [0.5, 2]],
    ['(1+x^2)^(1/b)', [2.5], [-1.5, 0.5, 2]],
    ['a^b^x', [1.5, 0.8], [-1, 0.5, 2]],
    ['2^3^a', [0.4], [1]],
    ['e^(a*x)', [0.4], [-1, 1]],
    ['pi*a*x', [0.4], [-1, 1]],
    ['sqrt(x)^2', [], [0.5, 3]],
    ['exp(sin(a*x))*ln(cosh(x))', [0.9], [-1, 0.5, 2]],
  ];
  for (const [text, p, xs] of cases) it(text, () => checkDerivatives(text, p, xs));

  it('negative base with a constant exponent has a finite derivative', () => {
    const f = compileExpression('(x-a)^3', { variables: ['x'] });
    // d/da (x-a)^3 = -3 (x-a)^2 = -3 * 4 at x=0, a=2
    expect(f.scalarDerivative('a', { x: 0 }, [2])).toBe(-12);
    const g = compileExpression('(x-a)^b', { variables: ['x'] });
    // exponent b does not depend on a: b (x-a)^(b-1) * (-1); at x=0, a=2, b=2: -2 * (-2) = 4
    expect(g.scalarDerivative('a', { x: 0 }, [2, 2])).toBe(4);
  });
});

describe('NIST StRD models', () => {
  // parameters near the certified values; x over the datasets' ranges
  const cases: [string, string, number[], number[]][] = [
    ['Misra1a', 'b1*(1-exp(-b2*x))', [238.94, 5.5016e-4], [77.6, 300, 790.3]],
    ['Gauss1', 'b1*exp(-b2*x)+b3*exp(-(x-b4)^2/b5^2)+b6*exp(-(x-b7)^2/b8^2)',
      [98.778, 0.010497, 100.49, 67.481, 23.129, 71.994, 178.998, 18.389], [1, 60, 70, 150, 180, 250]],
    ['Thurber', '(b1+b2*x+b3*x^2+b4*x^3)/(1+b5*x+b6*x^2+b7*x^3)',
      [1288.14, 1491.08, 583.24, 75.417, 0.96630, 0.39799, 0.049727], [-3.067, -1.5, 0.3, 2.2]],
    ['Rat43', 'b1/(1+exp(b2-b3*x))^(1/b4)', [699.64, 5.2771, 0.75962, 1.2792], [1, 5, 9, 15]],
    ['MGH09', 'b1*(x^2+x*b2)/(x^2+x*b3+b4)', [0.19281, 0.19128, 0.12306, 0.13606], [0.0625, 0.5, 4]],
    ['Roszman1', 'b1 - b2*x - atan(b3/(x-b4))/pi', [0.20197, -6.1954e-6, 1204.46, -181.34], [-4868.68, -2000, -464.4]],
  ];
  for (const [name, text, p, xs] of cases) it(`${name}: ${text}`, () => checkDerivatives(text, p, xs));

  it('Gauss1 derivative with respect to b4 in closed form', () => {
    const f = compileExpression('b1*exp(-b2*x)+b3*exp(-(x-b4)^2/b5^2)+b6*exp(-(x-b7)^2/b8^2)', { variables: ['x'] });
    const b = [98.778, 0.010497, 100.49, 67.481, 23.129, 71.994, 178.998, 18.389];
    const x = 70;
    const expected = (b[2] * 2 * (x - b[3])) / (b[4] * b[4]) * Math.exp(-((x - b[3]) ** 2) / b[4] ** 2);
    expect(f.scalarDerivative('b4', { x }, b)).toBeCloseTo(expected, 12);
  });
});

describe('symbolic derivatives are simplified', () => {
  const d = (text: string, wrt: string): string => formatExpression(differentiateExpression(parseExpression(text), wrt));
  it.each([
    ['x^3', 'x', '3*x^2'],
    ['x^2', 'x', '2*x'],
    ['b1*x', 'b1', 'x'],
    ['b1*x', 'x', 'b1'],
    ['x*1 + 0', 'x', '1'],
    ['sin(x)', 'x', 'cos(x)'],
    ['cos(x)', 'x', '-sin(x)'],
    ['exp(2*x)', 'x', '2*exp(2*x)'],
    ['ln(x)', 'x', '1/x'],
    ['a*x + b', 'b', '1'],
    ['a*x + b', 'c', '0'],
    ['3*x+1', 'x', '3'],
    ['b1*(1-exp(-b2*x))', 'b1', '1 - exp(-(b2*x))'],
  ])('d(%s)/d%s = %s', (text, wrt, expected) => {
    expect(d(text, wrt)).toBe(expected);
  });

  it('the derivative of erf is 2/sqrt(pi) exp(-u^2)', () => {
    const f = compileExpression('erf(x)', { variables: ['x'] });
    for (const x of [-1, 0, 0.5, 2]) {
      expect(f.scalarDerivative('x', { x }, [])).toBeCloseTo((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x), 15);
    }
  });
});
