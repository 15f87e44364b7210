import { describe, expect, it } from 'vitest';
import { levenbergMarquardt } from './lm';
import { levenbergMarquardtChunked, makeNormalWork, normalEquations, type BlockJacobianProblem } from './lm-chunked';
import type { LeastSquaresProblem } from './problem';
import { bard, kowalikOsborne, rosenbrockLS } from './test-problems';
import { adam } from './adam';
import { wrapInto } from '../image/canonical';

/** a dense problem seen through column blocks, counting the block evaluations */
function blocks(p: LeastSquaresProblem): BlockJacobianProblem & { calls: number } {
  const J = new Float64Array(p.m * p.n);
  const out = {
    m: p.m,
    n: p.n,
    lower: p.lower,
    upper: p.upper,
    calls: 0,
    residuals: (t: Float64Array, r: Float64Array) => p.residuals(t, r),
    jacobianBlock(t: Float64Array, first: number, count: number, Jb: Float64Array) {
      out.calls++;
      p.jacobian(t, J);
      for (let k = 0; k < count; k++) for (let i = 0; i < p.m; i++) Jb[k * p.m + i] = J[i * p.n + first + k];
    },
  };
  return out;
}

describe('normal equations from column blocks', () => {
  it('J^T J and J^T r equal the dense products for every chunk size; 1 + K (K - 1) / 2 block evaluations', () => {
    const p = kowalikOsborne();
    const th = Float64Array.of(0.25, 0.39, 0.415, 0.39);
    const r = new Float64Array(p.m);
    p.residuals(th, r);
    const J = new Float64Array(p.m * p.n);
    p.jacobian(th, J);
    for (const chunk of [1, 2, 3, 4]) {
      const b = blocks(p);
      const A = new Float64Array(16);
      const g = new Float64Array(4);
      const evals = normalEquations(b, th, r, chunk, A, g, makeNormalWork(p.m, chunk));
      const K = Math.ceil(4 / chunk);
      expect(evals).toBe(1 + (K * (K - 1)) / 2);
      expect(b.calls).toBe(evals);
      for (let k = 0; k < 4; k++) {
        let gk = 0;
        for (let i = 0; i < p.m; i++) gk += J[i * 4 + k] * r[i];
        expect(g[k]).toBeCloseTo(gk, 14);
        for (let l = 0; l < 4; l++) {
          let s = 0;
          for (let i = 0; i < p.m; i++) s += J[i * 4 + k] * J[i * 4 + l];
          expect(A[k * 4 + l]).toBeCloseTo(s, 14);
        }
      }
    }
  });
});

describe('levenbergMarquardtChunked', () => {
  it('Rosenbrock from (-1.2, 1) and Bard: the minima of the dense LM, with any chunk', () => {
    const rb = levenbergMarquardtChunked(blocks(rosenbrockLS()), [-1.2, 1], { chunk: 1 });
    expect(rb.converged).toBe(true);
    expect(rb.theta[0]).toBeCloseTo(1, 10);
    expect(rb.theta[1]).toBeCloseTo(1, 10);
    const dense = levenbergMarquardt(bard(), [1, 1, 1]);
    for (const chunk of [1, 2, 3]) {
      const c = levenbergMarquardtChunked(blocks(bard()), [1, 1, 1], { chunk });
      expect(c.converged).toBe(true);
      expect(c.statistic).toBeCloseTo(8.21487730657e-3, 12);
      for (let k = 0; k < 3; k++) expect(Math.abs(c.theta[k] - dense.theta[k])).toBeLessThan(1e-8);
      // the Gram matrix at the end is J^T J there (for the covariance)
      const J = new Float64Array(45);
      bard().jacobian(c.theta, J);
      let s = 0;
      for (let i = 0; i < 15; i++) s += J[i * 3 + 1] * J[i * 3 + 2];
      expect(c.gram[1 * 3 + 2]).toBeCloseTo(s, 10);
    }
  });

  it('honours bounds: Rosenbrock with x <= 0.5 ends on the bound', () => {
    const c = levenbergMarquardtChunked(blocks(rosenbrockLS([-Infinity, -Infinity], [0.5, Infinity])), [-1.2, 1], { chunk: 1 });
    const d = levenbergMarquardt(rosenbrockLS([-Infinity, -Infinity], [0.5, Infinity]), [-1.2, 1]);
    expect(c.theta[0]).toBe(0.5);
    expect(c.atBound[0]).toBe(1);
    expect(c.theta[1]).toBeCloseTo(d.theta[1], 8);
  });
});

describe('adam and cyclic angles', () => {
  it('Adam minimises a badly scaled quadratic within bounds (steps in units of scale)', () => {
    const c = [3, -200];
    const w = [1, 1e4];
    const res = adam(
      {
        n: 2,
        lower: Float64Array.of(-10, -150),
        upper: Float64Array.of(10, 0),
        value: (t) => w[0] * (t[0] - c[0]) ** 2 + w[1] * (t[1] - c[1]) ** 2,
        valueAndGradient(t, g) {
          g[0] = 2 * w[0] * (t[0] - c[0]);
          g[1] = 2 * w[1] * (t[1] - c[1]);
          return w[0] * (t[0] - c[0]) ** 2 + w[1] * (t[1] - c[1]) ** 2;
        },
      },
      [0, -1],
      { scale: [1, 0.01], learningRate: 5, maxIterations: 5000 },
    );
    expect(res.theta[0]).toBeCloseTo(3, 3);
    expect(res.theta[1]).toBe(-150); // the minimum at -200 is outside: held on the bound
  });

  it('wrapInto reduces into [0, period)', () => {
    expect(wrapInto(-457.3362834843685, Math.PI)).toBeCloseTo(-457.3362834843685 + 146 * Math.PI, 10);
    expect(wrapInto(Math.PI, Math.PI)).toBe(0);
    expect(wrapInto(-1e-18, Math.PI)).toBeGreaterThanOrEqual(0);
    expect(wrapInto(-1e-18, Math.PI)).toBeLessThan(Math.PI);
  });
});
