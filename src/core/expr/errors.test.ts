import { describe, expect, it } from 'vitest';
import { compileExpression, ExprError, parseExpression } from './index';

function errorOf(text: string): ExprError {
  try {
    compileExpression(text, { variables: ['x'] });
  } catch (e) {
    if (e instanceof ExprError) return e;
    throw new Error(`expected ExprError for ${JSON.stringify(text).slice(0, 80)}, got ${String(e)}`);
  }
  throw new Error(`expected an error for ${JSON.stringify(text).slice(0, 80)}`);
}

describe('error messages and positions', () => {
  it.each([
    ['a*(b+c))', 7, 1, "Unexpected ')' at position 7"],
    ['foo(x)', 0, 3, "Unknown function 'foo' at position 0 (known: exp, ln, log, log10, sqrt, abs, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, erf, erfc)"],
    ['arctan(x)', 0, 6, "did you mean 'atan'?"],
    ['b1 - b2*x - arctan(b3/(x-b4))/pi', 12, 6, "Unknown function 'arctan' at position 12: did you mean 'atan'?"],
    ['Exp(x)', 0, 3, "did you mean 'exp'?"],
    ['b1(x+1)', 0, 2, 'to multiply, write b1*(...)'],
    ['ab*(x+1', 3, 1, "Missing ')' to close '(' opened at position 3"],
    ['2*exp(x', 5, 1, "Missing ')' to close 'exp(' opened at position 5"],
    ['b1*x-', 5, 0, "Expected a number, name or '(' at position 5 but the formula ended"],
    ['b1*(', 4, 0, "Expected a number, name or '(' at position 4 but the formula ended"],
    ['a+*b', 2, 1, "Expected a number, name or '(' at position 2 but found '*'"],
    ['()', 1, 1, "Expected a number, name or '(' at position 1 but found ')'"],
    ['exp(x, 2)', 0, 9, "Function 'exp' takes 1 argument (got 2)"],
    ['exp()', 0, 5, "Function 'exp' takes 1 argument (got 0)"],
    ['x+$', 2, 1, "Unexpected character '$' at position 2"],
    ['pi(2)', 0, 2, "'pi' is a constant and cannot be called"],
    ['e(x)', 0, 1, "'e' is a constant and cannot be called"],
    ['exp + 1', 0, 3, "'exp' at position 0 is a function"],
    ['2x', 1, 1, "Unexpected name 'x' at position 1 (missing operator such as '*'?)"],
    ['a b', 2, 1, "Unexpected name 'b' at position 2"],
    ['(a)(b)', 3, 1, "Unexpected '(' at position 3"],
    ['x,y', 1, 1, "Unexpected ',' at position 1"],
    ['1e', 0, 2, "Malformed number '1e' at position 0"],
    ['2*1.2.3', 2, 5, "Malformed number '1.2.3' at position 2"],
    ['1e999', 0, 5, "Number '1e999' at position 0 is too large"],
    ['2***3', 3, 1, "Expected a number, name or '(' at position 3 but found '*'"],
    ['x+µ', 2, 1, "Unexpected character 'µ' at position 2"],
    ['x\u0007', 1, 1, 'Unexpected character U+0007 at position 1'],
    ['', 0, 0, 'The formula is empty'],
    ['   ', 0, 3, 'The formula is empty'],
  ])('%j', (text, position, length, message) => {
    const e = errorOf(text);
    expect(e.message).toContain(message);
    expect(e.position).toBe(position);
    expect(e.length).toBe(length);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ExprError');
  });

  it('rejects formulas longer than 10,000 characters', () => {
    const ok = 'x+'.repeat(4999) + 'x'; // 9999 characters
    expect(() => parseExpression(ok)).not.toThrow();
    const e = errorOf('x+'.repeat(5000) + 'x');
    expect(e.message).toBe('Formula is too long (10001 characters; the limit is 10000)');
    expect(e.position).toBe(10000);
  });

  it('accepts 200 levels of nesting and rejects 201', () => {
    expect(() => parseExpression('('.repeat(200) + 'x' + ')'.repeat(200))).not.toThrow();
    const e = errorOf('('.repeat(201) + 'x' + ')'.repeat(201));
    expect(e.message).toBe('Formula is nested too deeply (more than 200 levels) at position 200');
    expect(e.position).toBe(200);
  });
});

describe('hostile input', () => {
  it.each([
    ['this.x', 4, "Unexpected character '.' at position 4"],
    ['a.b', 1, "Unexpected character '.' at position 1"],
    ['a[0]', 1, "Unexpected character '[' at position 1 (use ( ) for grouping)"],
    ['x=1', 1, "Unexpected character '=' at position 1"],
    ['alert(1)', 0, "Unknown function 'alert' at position 0"],
    ['constructor(1)', 0, "Unknown function 'constructor' at position 0"],
    ['__proto__(x)', 0, "Unknown function '__proto__' at position 0"],
    [';', 0, "Unexpected character ';' at position 0"],
    ['x;y', 1, "Unexpected character ';' at position 1"],
    ['`x`', 0, "Unexpected character '`' at position 0"],
    ['"x"', 0, `Unexpected character '"' at position 0`],
    ["'x'", 0, `Unexpected character "'" at position 0`],
    ['${x}', 0, "Unexpected character '$' at position 0"],
    ['x => x', 2, "Unexpected character '=' at position 2"],
    ['new Function', 4, "Unexpected name 'Function' at position 4"],
    ['x // comment', 3, "Expected a number, name or '(' at position 3 but found '/'"],
  ])('rejects %j', (text, position, message) => {
    const e = errorOf(text);
    expect(e.message).toContain(message);
    expect(e.position).toBe(position);
  });

  it.each([
    ['100,000 open parentheses', '('.repeat(100000), 'Formula is too long'],
    ['9,000 open parentheses', '('.repeat(9000), 'nested too deeply'],
    ['deep balanced parentheses', '('.repeat(4000) + 'x' + ')'.repeat(4000), 'nested too deeply'],
    ['many unary minus', '-'.repeat(9000) + 'x', 'nested too deeply'],
    ['power tower', 'x^'.repeat(4000) + 'x', 'nested too deeply'],
    ['nested calls', 'exp('.repeat(1500) + 'x' + ')'.repeat(1500), 'nested too deeply'],
  ])('rejects %s without crashing', (_name, text, message) => {
    expect(errorOf(text).message).toContain(message);
  });

  it('rejects non-string input with ExprError', () => {
    expect(() => parseExpression(42 as unknown as string)).toThrow(ExprError);
    expect(() => parseExpression(null as unknown as string)).toThrow(ExprError);
  });

  it('fuzz: 5,000 seeded random strings only ever throw ExprError', () => {
    // xorshift32, fixed seed: deterministic
    let state = 0x9e3779b9;
    const rand = (): number => {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state / 4294967296;
    };
    const atoms = ['x', 'b1', 'b2', '1', '2.5', '.5', '1e-3', 'e', 'pi', 'exp', 'ln', 'sqrt', 'erf', 'atan', 'abs', 'sign',
      'constructor', '__proto__', 'toString', '+', '-', '*', '/', '^', '**', '(', ')', ',', ' ', '.', 'E', '$', ';', '[', ']',
      '=', '`', '"', '1e', '0x1', 'Infinity', 'NaN', '\u00b5', '\ud83d\ude00', '\ud800'];
    let ok = 0;
    let errors = 0;
    for (let t = 0; t < 5000; t++) {
      const len = 1 + Math.floor(rand() * 30);
      let s = '';
      for (let k = 0; k < len; k++) s += atoms[Math.floor(rand() * atoms.length)];
      try {
        const f = compileExpression(s, { variables: ['x'] });
        // formulas that compile must also evaluate (value and Jacobian) without throwing
        const p = f.parameters.map((_, i) => 0.5 + i);
        const xs = Float64Array.of(0.3, 1.7);
        const out = new Float64Array(2);
        const jac = f.parameters.map(() => new Float64Array(2));
        f.evaluate({ x: xs }, p, out, jac, 2);
        f.scalar({ x: 0.3 }, p);
        f.scalarDerivative('x', { x: 0.3 }, p);
        ok++;
      } catch (e) {
        if (!(e instanceof ExprError)) throw new Error(`${JSON.stringify(s)} threw ${String(e)}`);
        expect(e.position).toBeGreaterThanOrEqual(0);
        expect(e.position).toBeLessThanOrEqual(s.length);
        errors++;
      }
    }
    expect(ok + errors).toBe(5000);
    // both outcomes occur, so the loop exercises the compiler as well as the error paths
    expect(ok).toBeGreaterThan(50);
    expect(errors).toBeGreaterThan(1000);
  });
});
