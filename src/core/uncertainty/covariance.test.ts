import { describe, expect, it } from 'vitest';
import { covarianceFromHessian, covarianceFromJacobian, covarianceFromModelJacobian } from './covariance';
import { numericalHessian } from './hessian';

// straight line y = a + b x with per-point sigma
const X = [0, 1, 2, 3, 4, 5, 6];
const SIG = [0.5, 1, 1, 2, 0.5, 1.5, 1];
const m = X.length;

/** residual Jacobian of r_i = (y_i - a - b x_i) / sigma_i, row-major m x 2 */
function lineJacobian(): Float64Array {
  const j = new Float64Array(m * 2);
  for (let i = 0; i < m; i++) {
    j[i * 2] = -1 / SIG[i];
    j[i * 2 + 1] = -X[i] / SIG[i];
  }
  return j;
}
/** closed form (X^T W X)^-1 for the straight line */
function closedForm() {
  let s = 0;
  let sx = 0;
  let sxx = 0;
  for (let i = 0; i < m; i++) {
    const w = 1 / SIG[i] ** 2;
    s += w;
    sx += w * X[i];
    sxx += w * X[i] * X[i];
  }
  const det = s * sxx - sx * sx;
  return { s, sx, sxx, vaa: sxx / det, vbb: s / det, vab: -sx / det };
}

describe('covarianceFromJacobian', () => {
  it('equals (X^T W X)^-1 for a weighted straight-line fit', () => {
    const c = closedForm();
    const res = covarianceFromJacobian(lineJacobian(), m, 2);
    expect(res.covariance[0][0]).toBeCloseTo(c.vaa, 14);
    expect(res.covariance[1][1]).toBeCloseTo(c.vbb, 14);
    expect(res.covariance[0][1]).toBeCloseTo(c.vab, 14);
    expect(res.covariance[1][0]).toBeCloseTo(c.vab, 14);
    expect(res.errors[0]).toBeCloseTo(Math.sqrt(c.vaa), 14);
    expect(res.correlation[0][1]).toBeCloseTo(c.vab / Math.sqrt(c.vaa * c.vbb), 13);
    expect(res.rank).toBe(2);
    expect(res.singular).toBe(false);
    expect(res.reason).toBeUndefined();
    // scaled information [[1, rho], [rho, 1]] has condition number (1 + |rho|) / (1 - |rho|)
    const rho = Math.abs(c.sx) / Math.sqrt(c.s * c.sxx);
    expect(res.conditionNumber).toBeCloseTo((1 + rho) / (1 - rho), 10);
  });

  it('scales by chi2 / dof only when asked', () => {
    const c = closedForm();
    const res = covarianceFromJacobian(lineJacobian(), m, 2, { scaleByReducedChi2: true, chi2: 20, dof: 5 });
    expect(res.scale).toBe(4);
    expect(res.errors[1]).toBeCloseTo(2 * Math.sqrt(c.vbb), 14);
  });

  it('holds a parameter at its bound fixed and gives it no error', () => {
    const c = closedForm();
    const res = covarianceFromJacobian(lineJacobian(), m, 2, {
      theta: [1.2, 3],
      lower: [-Infinity, 0],
      upper: [Infinity, 3],
    });
    expect(res.atBound).toEqual([null, 'upper']);
    expect(res.errors[1]).toBeNull();
    expect(res.errorReasons[1]).toMatch(/upper bound/);
    expect(Number.isNaN(res.covariance[1][1])).toBe(true);
    // with the slope fixed, var(a) = 1 / sum w (not the unconstrained sxx / det)
    expect(res.errors[0]).toBeCloseTo(Math.sqrt(1 / c.s), 14);
    expect(res.reason).toMatch(/bound/);
  });

  it('flags a parameter within 1e-3 standard errors of a bound', () => {
    const c = closedForm();
    const res = covarianceFromJacobian(lineJacobian(), m, 2, {
      theta: [1.2, 1e-4 * Math.sqrt(c.vbb)],
      lower: [-Infinity, 0],
    });
    expect(res.atBound).toEqual([null, 'lower']);
    expect(res.errors[1]).toBeNull();
  });

  it('reports non-identifiable parameters of a singular Jacobian and keeps the estimable one', () => {
    // intercept split into two identical parameters: columns (1, 1, x)
    const j = new Float64Array(m * 3);
    for (let i = 0; i < m; i++) {
      j[i * 3] = -1 / SIG[i];
      j[i * 3 + 1] = -1 / SIG[i];
      j[i * 3 + 2] = -X[i] / SIG[i];
    }
    const res = covarianceFromJacobian(j, m, 3);
    expect(res.singular).toBe(true);
    expect(res.rank).toBe(2);
    expect(res.conditionNumber).toBe(Infinity);
    expect(res.errors[0]).toBeNull();
    expect(res.errors[1]).toBeNull();
    expect(res.errorReasons[0]).toMatch(/not identifiable/);
    expect(res.errors[2]).toBeCloseTo(Math.sqrt(closedForm().vbb), 12);
    expect(res.reason).toMatch(/rank-deficient/);
  });
});

describe('covariance of scalar statistics', () => {
  it('Gauss-Newton chi2 Hessian gives the least-squares covariance (errordef 1)', () => {
    const c = closedForm();
    const jm = new Float64Array(m * 2);
    const d2 = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      jm[i * 2] = 1;
      jm[i * 2 + 1] = X[i];
      d2[i] = 2 / SIG[i] ** 2; // d2 chi2 / dm^2
    }
    const res = covarianceFromModelJacobian(jm, d2, m, 2, 1);
    expect(res.covariance[0][0]).toBeCloseTo(c.vaa, 14);
    expect(res.covariance[0][1]).toBeCloseTo(c.vab, 14);
    // the same through an explicit Hessian H = 2 X^T W X
    const h = new Float64Array([2 * c.s, 2 * c.sx, 2 * c.sx, 2 * c.sxx]);
    const viaH = covarianceFromHessian(h, 2, 1);
    expect(viaH.covariance[1][1]).toBeCloseTo(c.vbb, 13);
    expect(viaH.covariance[0][1]).toBeCloseTo(c.vab, 13);
  });

  it('numerical Hessian of a Poisson -ln L matches the analytic one; cov = 2 errordef H^-1', () => {
    const y = [3, 5, 4, 9, 12, 10, 15];
    const nll = (t: Float64Array) => {
      let s = 0;
      for (let i = 0; i < m; i++) {
        const mu = t[0] + t[1] * X[i];
        s += mu - y[i] * Math.log(mu);
      }
      return s;
    };
    const theta = [3, 1.7];
    const num = numericalHessian(nll, theta, { errordef: 0.5 });
    // analytic: H = sum y / mu^2 [1 x; x x^2]
    const ha = [0, 0, 0, 0];
    const jm = new Float64Array(m * 2);
    const d2 = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const mu = theta[0] + theta[1] * X[i];
      const w = y[i] / (mu * mu);
      ha[0] += w;
      ha[1] += w * X[i];
      ha[3] += w * X[i] * X[i];
      jm[i * 2] = 1;
      jm[i * 2 + 1] = X[i];
      d2[i] = w;
    }
    ha[2] = ha[1];
    for (let k = 0; k < 4; k++) expect(Math.abs(num.hessian[k] / ha[k] - 1)).toBeLessThan(1e-5);
    const a = covarianceFromHessian(num.hessian, 2, 0.5);
    const b = covarianceFromModelJacobian(jm, d2, m, 2, 0.5);
    expect(Math.abs(a.covariance[0][1] / b.covariance[0][1] - 1)).toBeLessThan(1e-5);
    expect(Math.abs((a.errors[1] as number) / (b.errors[1] as number) - 1)).toBeLessThan(1e-5);
  });

  it('refuses an indefinite Hessian honestly', () => {
    const res = covarianceFromHessian(new Float64Array([1, 2, 2, 1]), 2, 0.5);
    expect(res.singular).toBe(true);
    expect(res.errors).toEqual([null, null]);
    expect(res.reason).toMatch(/not positive definite/);
  });
});
