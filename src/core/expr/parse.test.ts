import { describe, expect, it } from 'vitest';
import { compileExpression, differentiateExpression, ExprError, formatExpression, parseExpression, simplifyExpression, type ExprNode } from './index';

/** value of a formula with the given symbol values (all symbols are parameters) */
function value(text: string, symbols: Record<string, number> = {}): number {
  const f = compileExpression(text, { variables: [] });
  const p = f.parameters.map((name) => {
    if (!Object.prototype.hasOwnProperty.call(symbols, name)) throw new Error(`no value for ${name}`);
    return symbols[name];
  });
  return f.scalar({}, p);
}

describe('parsing and precedence', () => {
  it.each([
    ['-2^2', -4],
    ['2^3^2', 512],
    ['2**3**2', 512],
    ['(2^3)^2', 64],
    ['1-2-3', -4],
    ['8/4/2', 1],
    ['2*3+4*5', 26],
    ['2+3*4', 14],
    ['(2+3)*4', 20],
    ['2^-1', 0.5],
    ['-2^-2', -0.25],
    ['--3', 3],
    ['+3', 3],
    ['-+-3', 3],
    ['2*-3', -6],
    ['2^3*2', 16],
    ['2*3^2', 18],
    ['-3^2+10', 1],
    ['10-3-2+1', 6],
    ['100/10*2', 20],
    ['2/4^0.5', 1],
    ['  1 +\t2\n* 3 ', 7],
    ['pi', Math.PI],
    ['e', Math.E],
    ['2*pi', 2 * Math.PI],
  ])('%s = %d', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it.each([
    ['123', 123],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e-3', 0.001],
    ['2.5E+4', 25000],
    ['1E2', 100],
    ['0.000123e3', 0.123],
  ])('number %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it('uses symbol values', () => {
    expect(value('a*b^2-c/d', { a: 2, b: 3, c: 10, d: 4 })).toBe(2 * 9 - 2.5);
    expect(value('-x^2', { x: 3 })).toBe(-9);
    expect(value('a-b-c', { a: 1, b: 2, c: 3 })).toBe(-4);
  });

  it('builds the expected tree for -x^2 (power binds tighter than unary minus)', () => {
    const t = parseExpression('-x^2');
    expect(t.type).toBe('neg');
    if (t.type !== 'neg') return;
    expect(t.arg.type).toBe('binary');
    expect(formatExpression(t)).toBe('-x^2');
  });

  it('records source positions', () => {
    const t = parseExpression('a + exp(b)');
    expect(t.type).toBe('binary');
    if (t.type !== 'binary') return;
    expect([t.left.pos, t.left.end]).toEqual([0, 1]);
    expect([t.right.pos, t.right.end]).toEqual([4, 10]);
  });
});

describe('function values', () => {
  const cases: [string, (x: number) => number, number[]][] = [
    ['exp', Math.exp, [-2, 0, 0.5, 3]],
    ['ln', Math.log, [0.1, 1, 2.5, 100]],
    ['log', Math.log, [0.1, 1, 2.5, 100]],
    ['log10', Math.log10, [0.1, 1, 1000, 2.5]],
    ['sqrt', Math.sqrt, [0, 0.25, 2, 1e6]],
    ['abs', Math.abs, [-3.5, 0, 2]],
    ['sin', Math.sin, [-1, 0, 0.5, 3]],
    ['cos', Math.cos, [-1, 0, 0.5, 3]],
    ['tan', Math.tan, [-1, 0, 0.5, 1.2]],
    ['asin', Math.asin, [-0.9, 0, 0.5]],
    ['acos', Math.acos, [-0.9, 0, 0.5]],
    ['atan', Math.atan, [-10, 0, 0.5, 3]],
    ['sinh', Math.sinh, [-2, 0, 0.5, 3]],
    ['cosh', Math.cosh, [-2, 0, 0.5, 3]],
    ['tanh', Math.tanh, [-2, 0, 0.5, 3]],
  ];
  for (const [fn, ref, xs] of cases) {
    it(`${fn} matches Math`, () => {
      for (const x of xs) expect(value(`${fn}(u)`, { u: x })).toBe(ref(x));
    });
  }

  it('known closed-form values', () => {
    expect(value('exp(1)')).toBe(Math.E);
    expect(value('ln(e)')).toBe(1);
    expect(value('log10(1000)')).toBeCloseTo(3, 15);
    expect(value('sin(pi/2)')).toBe(1);
    expect(value('cos(0)')).toBe(1);
    expect(value('4*atan(1)')).toBe(Math.PI);
    expect(value('sqrt(16)')).toBe(4);
    expect(value('abs(-7)')).toBe(7);
    expect(value('cosh(0) + sinh(0) + tanh(0)')).toBe(1);
  });

  it('erf and erfc against scipy.special', () => {
    // reference values: scipy.special.erf / erfc (scipy 1.17)
    const ref: [number, number, number][] = [
      [0.5, 0.5204998778130465, 0.4795001221869535],
      [-1.2, -0.9103139782296353, 1.9103139782296354],
      [2.0, 0.9953222650189527, 0.004677734981047266],
      [0.01, 0.011283415555849616, 0.9887165844441503],
      [3.5, 0.9999992569016276, 7.430983723414129e-7],
    ];
    for (const [x, e, ec] of ref) {
      expect(Math.abs(value('erf(u)', { u: x }) - e)).toBeLessThanOrEqual(2e-16 * Math.max(1, Math.abs(e)) + 1e-16);
      expect(Math.abs(value('erfc(u)', { u: x }) - ec) / ec).toBeLessThan(1e-14);
    }
    expect(value('erf(0.5)')).toBeCloseTo(0.5204998778130465, 15);
    expect(value('erf(0)')).toBe(0);
    expect(value('erfc(0)')).toBe(1);
  });
});

describe('formatExpression', () => {
  const roundTrip = [
    'b1*(1-exp(-b2*x))',
    'height*exp(-(x-x0)^2*4*ln(2)/fwhm^2)',
    'b1*x^b2/(1+b3*x)',
    'a-(b-c)',
    'a/(b/c)',
    'a/(b*c)',
    '(a-b)-c',
    '(-a)^2',
    '-a^2',
    '(a^b)^c',
    'a^b^c',
    'a^-b',
    '-(a+b)',
    '-(-a)',
    '2^(1/b4)',
    'x*-1.5e-7',
    '(x+1)*(x-1)/(x*x)',
  ];
  for (const text of roundTrip) {
    it(`round-trips ${text}`, () => {
      const t = parseExpression(text);
      const s = formatExpression(t);
      expect(stripPos(parseExpression(s))).toEqual(stripPos(t));
    });
  }

  it('writes minimal parentheses', () => {
    expect(formatExpression(parseExpression('((a+b))*(c)'))).toBe('(a + b)*c');
    expect(formatExpression(parseExpression('a-(b-c)'))).toBe('a - (b - c)');
    expect(formatExpression(parseExpression('(a-b)-c'))).toBe('a - b - c');
    expect(formatExpression(parseExpression('a/(b*c)'))).toBe('a/(b*c)');
    expect(formatExpression(parseExpression('(-a)^2'))).toBe('(-a)^2');
    expect(formatExpression(parseExpression('a**b**c'))).toBe('a^b^c');
    expect(formatExpression(parseExpression('(a^b)^c'))).toBe('(a^b)^c');
    expect(formatExpression(parseExpression('log(x) + pi'))).toBe('log(x) + pi');
  });

  it('parenthesises negative numbers where needed', () => {
    const t: ExprNode = { type: 'binary', op: '^', left: { type: 'number', value: -2 }, right: { type: 'number', value: 2 } };
    expect(formatExpression(t)).toBe('(-2)^2');
    expect(value(formatExpression(t))).toBe(4);
  });

  it('formats and differentiates long chains without recursion limits', () => {
    const sum = parseExpression('x+'.repeat(4999) + 'x');
    expect(formatExpression(sum)).toBe('x + '.repeat(4999) + 'x');
    expect(formatExpression(differentiateExpression(sum, 'x'))).toBe('5000');
    const deep = parseExpression('('.repeat(200) + 'x' + ')'.repeat(200));
    expect(formatExpression(deep)).toBe('x');
  });

  it('refuses to write out a derivative tree that would be huge', () => {
    // d/dx of x*x*...*x (2000 factors) written as a tree has ~2 million nodes
    expect(() => differentiateExpression(parseExpression('x*'.repeat(1999) + 'x'), 'x')).toThrow(ExprError);
  });

  it('simplifies constants and identities', () => {
    expect(formatExpression(simplifyExpression(parseExpression('x*1 + 0*y + z^1 - (2*3)')))).toBe('x + z - 6');
    expect(formatExpression(simplifyExpression(parseExpression('--x')))).toBe('x');
  });
});

function stripPos(node: ExprNode): unknown {
  return JSON.parse(JSON.stringify(node, (k, v) => (k === 'pos' || k === 'end' ? undefined : v)));
}
