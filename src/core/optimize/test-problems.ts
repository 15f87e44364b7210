/**
 * Small reference problems shared by the optimizer tests (Moré, Garbow & Hillstrom 1981,
 * "Testing unconstrained optimization software", and simple closed-form cases).
 */
import type { LeastSquaresProblem, ScalarProblem } from './problem';

const free = (n: number) => ({ lower: new Float64Array(n).fill(-Infinity), upper: new Float64Array(n).fill(Infinity) });

/** Rosenbrock as least squares: r = (10 (x2 - x1^2), 1 - x1); minimum 0 at (1, 1) */
export function rosenbrockLS(lower?: number[], upper?: number[]): LeastSquaresProblem {
  const b = free(2);
  if (lower) b.lower.set(lower);
  if (upper) b.upper.set(upper);
  return {
    m: 2,
    n: 2,
    residuals(t, r) {
      r[0] = 10 * (t[1] - t[0] * t[0]);
      r[1] = 1 - t[0];
    },
    jacobian(t, j) {
      j[0] = -20 * t[0];
      j[1] = 10;
      j[2] = -1;
      j[3] = 0;
    },
    ...b,
  };
}

/** chained Rosenbrock, scalar, with gradient unless `noGradient` */
export function rosenbrockScalar(n: number, lo = -Infinity, hi = Infinity, noGradient = false): ScalarProblem {
  const value = (x: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n - 1; i++) s += 100 * (x[i + 1] - x[i] * x[i]) ** 2 + (1 - x[i]) ** 2;
    return s;
  };
  const p: ScalarProblem = { n, value, lower: new Float64Array(n).fill(lo), upper: new Float64Array(n).fill(hi) };
  if (!noGradient) {
    p.valueAndGradient = (x, g) => {
      g.fill(0);
      let s = 0;
      for (let i = 0; i < n - 1; i++) {
        const t = x[i + 1] - x[i] * x[i];
        s += 100 * t * t + (1 - x[i]) ** 2;
        g[i] += -400 * t * x[i] - 2 * (1 - x[i]);
        g[i + 1] += 200 * t;
      }
      return s;
    };
  }
  return p;
}

/** linear least squares y ~ sum_k theta_k basis_k(x) */
export function linearLS(x: number[], y: number[], basis: ((x: number) => number)[]): LeastSquaresProblem {
  const m = x.length;
  const n = basis.length;
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let k = 0; k < n; k++) a[i * n + k] = basis[k](x[i]);
  return {
    m,
    n,
    residuals(t, r) {
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * t[k];
        r[i] = y[i] - s;
      }
    },
    jacobian(_t, j) {
      for (let i = 0; i < m * n; i++) j[i] = -a[i];
    },
    ...free(n),
  };
}

/** Bard function (MGH #8), m = 15, n = 3; minimum 8.21487e-3 */
export function bard(): LeastSquaresProblem {
  const y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.1, 4.39];
  return {
    m: 15,
    n: 3,
    residuals(t, r) {
      for (let i = 0; i < 15; i++) {
        const u = i + 1;
        const v = 15 - i;
        const w = Math.min(u, v);
        r[i] = y[i] - (t[0] + u / (v * t[1] + w * t[2]));
      }
    },
    jacobian(t, j) {
      for (let i = 0; i < 15; i++) {
        const u = i + 1;
        const v = 15 - i;
        const w = Math.min(u, v);
        const den = (v * t[1] + w * t[2]) ** 2;
        j[i * 3] = -1;
        j[i * 3 + 1] = (u * v) / den;
        j[i * 3 + 2] = (u * w) / den;
      }
    },
    ...free(3),
  };
}

/** Meyer function (MGH #10), m = 16, n = 3; minimum 87.9458 (badly scaled) */
export function meyer(): LeastSquaresProblem {
  const y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872];
  return {
    m: 16,
    n: 3,
    residuals(t, r) {
      for (let i = 0; i < 16; i++) {
        const ti = 45 + 5 * (i + 1);
        r[i] = t[0] * Math.exp(t[1] / (ti + t[2])) - y[i];
      }
    },
    jacobian(t, j) {
      for (let i = 0; i < 16; i++) {
        const ti = 45 + 5 * (i + 1);
        const d = ti + t[2];
        const e = Math.exp(t[1] / d);
        j[i * 3] = e;
        j[i * 3 + 1] = (t[0] * e) / d;
        j[i * 3 + 2] = (-t[0] * t[1] * e) / (d * d);
      }
    },
    ...free(3),
  };
}

/** Kowalik & Osborne (MGH #15), m = 11, n = 4; minimum 3.07506e-4 */
export function kowalikOsborne(): LeastSquaresProblem {
  const y = [0.1957, 0.1947, 0.1735, 0.16, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
  const u = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];
  return {
    m: 11,
    n: 4,
    residuals(t, r) {
      for (let i = 0; i < 11; i++) r[i] = y[i] - (t[0] * (u[i] * u[i] + u[i] * t[1])) / (u[i] * u[i] + u[i] * t[2] + t[3]);
    },
    jacobian(t, j) {
      for (let i = 0; i < 11; i++) {
        const num = u[i] * u[i] + u[i] * t[1];
        const den = u[i] * u[i] + u[i] * t[2] + t[3];
        j[i * 4] = -num / den;
        j[i * 4 + 1] = (-t[0] * u[i]) / den;
        j[i * 4 + 2] = (t[0] * num * u[i]) / (den * den);
        j[i * 4 + 3] = (t[0] * num) / (den * den);
      }
    },
    ...free(4),
  };
}
