import { describe, expect, it } from 'vitest';
import { confidenceContour, contourDirections, contourRay, covarianceBlock, covarianceEllipse } from './contour';
import { regressionSlopes } from './warm-start';
import { LINE_DATA, linearChi2Objective, lineChi2Objective, scalarObjective } from './test-objectives';

const { x, y, sigma } = LINE_DATA;

function mahalanobis2(c: number[][], dx: number, dy: number): number {
  const det = c[0][0] * c[1][1] - c[0][1] * c[1][0];
  return (c[1][1] * dx * dx - 2 * c[0][1] * dx * dy + c[0][0] * dy * dy) / det;
}

/** two independent Poisson counts with the Cash statistic, optional lower bounds */
function twoCounts(n1: number, n2: number, lower = [0, 0]) {
  const c = (n: number, mu: number) => 2 * (mu - n + (n > 0 ? n * Math.log(n / mu) : 0));
  return scalarObjective({
    keys: ['mu1', 'mu2'],
    lower,
    errordef: 1,
    value: (t) => (t[0] > 0 && t[1] > 0 ? c(n1, t[0]) + c(n2, t[1]) : Infinity),
    valueAndGradient: (t, g) => {
      g[0] = 2 * (1 - n1 / t[0]);
      g[1] = 2 * (1 - n2 / t[1]);
      return t[0] > 0 && t[1] > 0 ? c(n1, t[0]) + c(n2, t[1]) : Infinity;
    },
  });
}

describe('confidenceContour', () => {
  it('lies on the covariance ellipse for a straight line (Delta = 2.30)', () => {
    const obj = lineChi2Objective(x, y, sigma);
    const res = confidenceContour(obj, obj.best, 0, 1, 2.3, { covariance: obj.covariance, points: 40 });
    expect(res.valid).toBe(true);
    expect(res.x.length).toBe(41);
    expect(res.x[40]).toBe(res.x[0]);
    for (let m = 0; m < 40; m++) {
      const q = mahalanobis2(obj.covariance, res.x[m] - obj.best[0], res.y[m] - obj.best[1]);
      expect(Math.abs(q - 2.3)).toBeLessThan(1e-6);
    }
  });

  it('profiles out a third parameter: the contour is the ellipse of the 2 x 2 block', () => {
    const obj = linearChi2Objective([x.map((v) => v * v), x, x.map(() => 1)], y, sigma, ['a', 'b', 'c']);
    const c2 = covarianceBlock(obj.covariance, 3, 0, 2);
    const res = confidenceContour(obj, obj.best, 0, 2, 2.3, { covariance: obj.covariance, points: 24 });
    expect(res.valid).toBe(true);
    for (let m = 0; m < 24; m++) {
      const q = mahalanobis2(c2, res.x[m] - obj.best[0], res.y[m] - obj.best[2]);
      expect(Math.abs(q - 2.3)).toBeLessThan(1e-6);
      // the re-optimised b at each point is the conditional mean
      const th = res.points[m].theta!;
      expect(res.points[m].delta).toBeCloseTo(2.3, 6);
      expect(th[0]).toBe(res.x[m]);
      expect(th[2]).toBe(res.y[m]);
    }
    // without a covariance (numerical Hessian) the same curve comes out
    const res2 = confidenceContour(obj, obj.best, 0, 2, 2.3, { points: 8 });
    for (let m = 0; m < 8; m++) {
      expect(Math.abs(mahalanobis2(c2, res2.x[m] - obj.best[0], res2.y[m] - obj.best[2]) - 2.3)).toBeLessThan(1e-6);
    }
  });

  it('finds the level of a non-quadratic statistic and a single ray matches the run', () => {
    const obj = twoCounts(5, 20);
    const best = Float64Array.of(5, 20);
    const cov = [
      [5, 0],
      [0, 20],
    ];
    const res = confidenceContour(obj, best, 0, 1, 2.3, { covariance: cov, points: 16, tolerance: 1e-9 });
    expect(res.valid).toBe(true);
    for (let m = 0; m < 16; m++) {
      // independent check: the statistic itself (both parameters held, nothing to re-optimise)
      const d = obj.value(Float64Array.of(res.x[m], res.y[m]));
      expect(Math.abs(d - 2.3)).toBeLessThan(1e-7);
    }
    // asymmetric like the Poisson intervals: farther out above than below in mu1
    expect(Math.max(...res.x) - 5).toBeGreaterThan(5 - Math.min(...res.x));
    const dirs = contourDirections(covarianceBlock(cov, 2, 0, 1), 16);
    const ray = contourRay(obj, best, 0, 0, 1, dirs[5], 2.3, { tolerance: 1e-9, slopes: regressionSlopes(cov, 2, [0, 1]) });
    expect(ray.x).toBeCloseTo(res.x[5], 7);
    expect(ray.y).toBeCloseTo(res.y[5], 7);
  });

  it('stops at a bound and says so', () => {
    const obj = twoCounts(5, 20, [3.5, 0]);
    const res = confidenceContour(obj, [5, 20], 0, 1, 2.3, { covariance: [[5, 0], [0, 20]], points: 20 });
    const cut = res.points.filter((p) => p.status === 'limit');
    expect(cut.length).toBeGreaterThan(0);
    for (const p of cut) {
      expect(p.x).toBeCloseTo(3.5, 12);
      expect(p.valid).toBe(false);
      expect(p.reason).toMatch(/bound/);
    }
    expect(res.valid).toBe(false);
    expect(Math.min(...res.x)).toBeGreaterThanOrEqual(3.5);
  });

  it('covarianceEllipse is the Delta ellipse', () => {
    const c = [
      [2, 0.8],
      [0.8, 1],
    ];
    const e = covarianceEllipse([[2, 0.8], [0.8, 1]], [1, -1], 1.15, 50, 0.5);
    expect(e.x.length).toBe(51);
    for (let m = 0; m < 50; m++) expect(mahalanobis2(c, e.x[m] - 1, e.y[m] + 1)).toBeCloseTo(2.3, 12);
    // arc spread: neighbouring points about equally far apart in error-scaled units (chords, so not exactly)
    const gapRatio = (spread: 'arc' | 'angle') => {
      const d = contourDirections([[2, 1.3], [1.3, 1]], 300, spread);
      const gaps = d.map((p, m) => {
        const q = d[(m + 1) % 300];
        return Math.hypot((p[0] - q[0]) / Math.SQRT2, p[1] - q[1]);
      });
      return Math.max(...gaps) / Math.min(...gaps);
    };
    expect(gapRatio('arc')).toBeLessThan(1.02);
    expect(gapRatio('angle')).toBeGreaterThan(2);
  });
});
