/** The runner's uncertainty commands (errors --minos, profile, contour, surface), in-process. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run';

const dir = mkdtempSync(join(tmpdir(), 'fitbench-unc-'));

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// a straight line with per-point sigma: chi2 is exactly quadratic, so MINOS = covariance errors
const xs = [0, 1, 2, 3, 4, 5, 6, 7];
const ys = [0.9, 3.2, 4.8, 7.1, 9.2, 10.7, 13.1, 15.2];
const sig = [0.3, 0.2, 0.25, 0.3, 0.2, 0.4, 0.3, 0.35];
const csv = file('line-sigma.csv', 'x,y,sigma\n' + xs.map((x, i) => `${x},${ys[i]},${sig[i]}`).join('\n') + '\n');
const line = ['--model', 'a*x+b', '--start', 'a=1,b=0'];

/** closed-form weighted least squares: best (a, b) and covariance */
function wls() {
  let S = 0;
  let Sx = 0;
  let Sxx = 0;
  let Sy = 0;
  let Sxy = 0;
  xs.forEach((x, i) => {
    const w = 1 / sig[i] ** 2;
    S += w;
    Sx += w * x;
    Sxx += w * x * x;
    Sy += w * ys[i];
    Sxy += w * x * ys[i];
  });
  const D = S * Sxx - Sx * Sx;
  const a = (S * Sxy - Sx * Sy) / D;
  const b = (Sxx * Sy - Sx * Sxy) / D;
  return { a, b, cov: [[S / D, -Sx / D], [-Sx / D, Sxx / D]] };
}

function mahalanobis2(c: number[][], dx: number, dy: number): number {
  const det = c[0][0] * c[1][1] - c[0][1] * c[1][0];
  return (c[1][1] * dx * dx - 2 * c[0][1] * dx * dy + c[0][0] * dy * dy) / det;
}

describe('errors --minos', () => {
  it('gives MINOS intervals equal to the symmetric errors for a straight line with sigma', () => {
    const r = run(['errors', csv, ...line, '--minos', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const t = wls();
    expect(j.parameters.a.value).toBeCloseTo(t.a, 9);
    expect(j.parameter_order).toEqual(['a', 'b']);
    for (const key of ['a', 'b']) {
      const p = j.parameters[key];
      expect(p.minos.valid).toBe(true);
      expect(p.minos.reason).toBeUndefined();
      expect(p.minos.lower).toBeLessThan(0);
      expect(p.minos.upper).toBeGreaterThan(0);
      expect(Math.abs(p.minos.lower + p.error)).toBeLessThan(1e-6 * p.error);
      expect(Math.abs(p.minos.upper - p.error)).toBeLessThan(1e-6 * p.error);
    }
    expect(j.parameters.a.error).toBeCloseTo(Math.sqrt(t.cov[0][0]), 10);
    expect(typeof j.minos_elapsed_ms).toBe('number');
  });

  it('marks an interval cut by a bound as invalid with a reason', () => {
    const t = wls();
    // upper bound on b just above the best fit: the upper side hits it
    const r = run(['errors', csv, ...line, '--bounds', `b=-10:${t.b + 0.2 * Math.sqrt(t.cov[1][1])}`, '--minos', '--json']);
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(r.out).parameters.b.minos;
    expect(m.valid).toBe(false);
    expect(m.reason).toMatch(/bound/);
    expect(m.lower).toBeLessThan(0);
  });

  it('--sigma 2 doubles the interval; a table without --json', () => {
    const j = JSON.parse(run(['errors', csv, ...line, '--minos', '--sigma', '2', '--json']).out);
    expect(j.parameters.a.minos.upper).toBeCloseTo(2 * j.parameters.a.error, 6);
    const r = run(['errors', csv, ...line, '--minos']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('MINOS (1 sigma');
    expect(r.out).toMatch(/\na\s+-0\.0/);
  });

  it('scales the level by the reduced chi-square for data without sigma (matches the scaled errors)', () => {
    const plain = file('line-plain.csv', 'x,y\n' + xs.map((x, i) => `${x},${ys[i]}`).join('\n') + '\n');
    const j = JSON.parse(run(['errors', plain, ...line, '--minos', '--json']).out);
    for (const key of ['a', 'b']) {
      const p = j.parameters[key];
      expect(p.minos.upper).toBeCloseTo(p.error, 6);
      expect(p.minos.lower).toBeCloseTo(-p.error, 6);
    }
  });
});

describe('profile', () => {
  it('re-optimised profile of a line is the parabola ((v - best) / error)^2', () => {
    const r = run(['profile', csv, ...line, '--param', 'a', '--points', '11', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.param).toBe('a');
    expect(j.reoptimized).toBe(true);
    expect(j.values.length).toBe(11);
    expect(j.delta_statistic.length).toBe(11);
    const e = Math.sqrt(wls().cov[0][0]);
    j.values.forEach((v: number, i: number) => expect(j.delta_statistic[i]).toBeCloseTo(((v - j.best.value) / e) ** 2, 6));
    expect(j.values[0]).toBeCloseTo(j.best.value - 3 * e, 9);
    expect(typeof j.best.statistic).toBe('number');
  });

  it('--frozen gives the cut, steeper than the profile for correlated parameters', () => {
    const j = JSON.parse(run(['profile', csv, ...line, '--param', 'a', '--points', '5', '--frozen', '--json']).out);
    expect(j.reoptimized).toBe(false);
    const t = wls();
    const e = Math.sqrt(t.cov[0][0]);
    expect(j.delta_statistic[0]).toBeGreaterThan(9 * 1.01);
    expect(j.values[4]).toBeCloseTo(t.a + 3 * e, 9);
  });
});

describe('contour', () => {
  it('puts every point on the exact covariance ellipse, levels in Δχ², not closed', () => {
    const r = run(['contour', csv, ...line, '--params', 'a,b', '--cl', '0.683,0.954', '--points', '24', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const t = wls();
    expect(j.params).toEqual(['a', 'b']);
    expect(j.best.a).toBeCloseTo(t.a, 9);
    expect(j.contours.length).toBe(2);
    expect(j.contours[0].level).toBeCloseTo(-2 * Math.log(1 - 0.683), 9);
    expect(j.contours[0].cl).toBe(0.683);
    expect(j.contours[0].sigma).toBeNull();
    for (const c of j.contours) {
      expect(c.x.length).toBe(24);
      expect(c.y.length).toBe(24);
      expect(c.x[23] === c.x[0] && c.y[23] === c.y[0]).toBe(false);
      expect(c.valid).toBe(true);
      for (let m = 0; m < c.x.length; m++) {
        const q = mahalanobis2(t.cov, c.x[m] - t.a, c.y[m] - t.b);
        expect(Math.abs(q - c.level)).toBeLessThan(1e-6 * c.level);
      }
    }
  });

  it('--sigma with the coverage and gammapy conventions', () => {
    const cov = JSON.parse(run(['contour', csv, ...line, '--params', 'a,b', '--sigma', '1,2', '--points', '8', '--json']).out);
    expect(cov.contours.map((c: { level: number }) => c.level)).toEqual([expect.closeTo(2.2957, 3), expect.closeTo(6.1801, 3)]);
    expect(cov.contours[0].sigma).toBe(1);
    expect(cov.contours[0].cl).toBeCloseTo(0.6827, 4);
    const g = JSON.parse(run(['contour', csv, ...line, '--params', 'a,b', '--sigma', '1,2', '--convention', 'gammapy', '--points', '8', '--json']).out);
    expect(g.contours.map((c: { level: number }) => c.level)).toEqual([expect.closeTo(1, 12), expect.closeTo(4, 12)]);
    expect(g.contours[0].cl).toBeCloseTo(1 - Math.exp(-0.5), 9);
  });

  it('bad --params exit with code 2 and a usage message', () => {
    for (const p of ['a', 'a,q', 'a,a', 'a,b,c']) {
      const r = run(['contour', csv, ...line, '--params', p, '--json']);
      expect(r.code, p).toBe(2);
      expect(r.err).toContain('Usage:');
      expect(r.out).toBe('');
    }
    expect(run(['contour', csv, ...line, '--json']).code).toBe(2);
    expect(run(['contour', csv, ...line, '--params', 'a,b', '--sigma', '1', '--cl', '0.5']).code).toBe(2);
    expect(run(['contour', csv, ...line, '--params', 'a,b', '--convention', 'magic']).code).toBe(2);
    expect(run(['surface', csv, ...line, '--params', 'a,zz', '--grid', '3x3']).code).toBe(2);
    expect(run(['profile', csv, ...line, '--param', 'zz']).code).toBe(2);
    const fixedB = run(['contour', csv, ...line, '--fix', 'b', '--params', 'a,b']);
    expect(fixedB.code).toBe(2);
    expect(fixedB.err).toContain('no free parameter "b"');
  });
});

describe('surface', () => {
  it('gives delta_statistic[j][i] at x[i], y[j] over ±3 errors; re-optimised with a profiled third parameter', () => {
    const r = run(['surface', csv, ...line, '--params', 'a,b', '--grid', '5x4', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const t = wls();
    expect(j.reoptimized).toBe(false);
    expect(j.x.length).toBe(5);
    expect(j.y.length).toBe(4);
    expect(j.delta_statistic.length).toBe(4);
    expect(j.delta_statistic[0].length).toBe(5);
    expect(j.x[0]).toBeCloseTo(t.a - 3 * Math.sqrt(t.cov[0][0]), 9);
    expect(j.y[3]).toBeCloseTo(t.b + 3 * Math.sqrt(t.cov[1][1]), 9);
    for (let r2 = 0; r2 < 4; r2++)
      for (let c = 0; c < 5; c++) expect(j.delta_statistic[r2][c]).toBeCloseTo(mahalanobis2(t.cov, j.x[c] - t.a, j.y[r2] - t.b), 6);

    // a quadratic term c x^2 profiled out: the re-optimised surface is below the frozen one
    const q = ['--model', 'a*x+b+c*x^2', '--start', 'a=1,b=0,c=0'];
    const fro = JSON.parse(run(['surface', csv, ...q, '--params', 'a,b', '--grid', '3x3', '--json']).out);
    const reo = JSON.parse(run(['surface', csv, ...q, '--params', 'a,b', '--grid', '3x3', '--reoptimize', '--json']).out);
    expect(reo.reoptimized).toBe(true);
    for (let r2 = 0; r2 < 3; r2++)
      for (let c = 0; c < 3; c++) expect(reo.delta_statistic[r2][c]).toBeLessThanOrEqual(fro.delta_statistic[r2][c] + 1e-9);
    expect(reo.delta_statistic[1][1]).toBeCloseTo(0, 6);
  });

  it('refuses a malformed --grid', () => {
    expect(run(['surface', csv, ...line, '--params', 'a,b', '--grid', '5by5']).code).toBe(2);
    expect(run(['surface', csv, ...line, '--params', 'a,b', '--grid', '1x5']).code).toBe(2);
  });
});
