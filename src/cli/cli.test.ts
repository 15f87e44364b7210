/** The headless runner, called in-process (the same function `npm run -s cli` runs). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpectrum } from '../core/data/dataset';
import { fitModel } from '../core/fit/fit-model';
import * as edit from '../core/model/edit';
import { emptySession } from '../core/session/document';
import { sessionToText } from '../core/session/serialize';
import { runCli } from './run';

const dir = mkdtempSync(join(tmpdir(), 'fitbench-cli-'));

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

// y = 2x + 0.05 with small deviations; closed-form least squares below
const xs = [1, 2, 3, 4, 5];
const ys = [2.1, 3.9, 6.2, 7.8, 10.1];

function lineFit() {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b) / n;
  const my = ys.reduce((a, b) => a + b) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  const a = sxy / sxx;
  const b = my - a * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (ys[i] - a * xs[i] - b) ** 2;
  const s2 = rss / (n - 2);
  return { a, b, rss, ea: Math.sqrt(s2 / sxx), eb: Math.sqrt(s2 * (1 / n + (mx * mx) / sxx)) };
}

describe('fit', () => {
  const csv = file('line.csv', 'x,y\n' + xs.map((x, i) => `${x},${ys[i]}`).join('\n') + '\n');

  it('fits a formula and prints the documented JSON (errors scaled: no sigma)', () => {
    const r = run(['fit', csv, '--model', 'a*x+b', '--start', 'a=1,b=0', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const t = lineFit();
    expect(j.parameters.a.value).toBeCloseTo(t.a, 10);
    expect(j.parameters.b.value).toBeCloseTo(t.b, 10);
    expect(j.parameters.a.error).toBeCloseTo(t.ea, 10);
    expect(j.parameters.b.error).toBeCloseTo(t.eb, 10);
    expect(j.statistic).toEqual({ name: 'chi2', value: expect.closeTo(t.rss, 12) });
    expect(j.dof).toBe(3);
    expect(j.reduced_statistic).toBeCloseTo(t.rss / 3, 12);
    expect(j.parameter_order).toEqual(['a', 'b']);
    expect(j.covariance[0][0]).toBeCloseTo(t.ea ** 2, 12);
    expect(j.converged).toBe(true);
    expect(typeof j.message).toBe('string');
    expect(j.nfev).toBeGreaterThan(0);
    expect(j.elapsed_ms).toBeGreaterThanOrEqual(0);
  });

  it('honours --fix and --bounds, and flags a parameter at its bound', () => {
    const fixed = JSON.parse(run(['fit', csv, '--model', 'a*x+b', '--start', 'b=0', '--fix', 'b', '--json']).out);
    // b fixed at 0: a = sum xy / sum x^2
    const sxy = xs.reduce((s, x, i) => s + x * ys[i], 0);
    const sxx = xs.reduce((s, x) => s + x * x, 0);
    expect(fixed.parameters.a.value).toBeCloseTo(sxy / sxx, 10);
    expect(fixed.parameter_order).toEqual(['a']);
    const bounded = JSON.parse(run(['fit', csv, '--model', 'a*x+b', '--bounds', 'a=0:1.5', '--json']).out);
    expect(bounded.parameters.a.value).toBe(1.5);
    expect(bounded.parameters.a.at_bound).toBe('upper');
  });

  it('picks columns by name, uses a column named err as sigma, and takes --x-col/--y-col', () => {
    const three = file('cols.csv', 'time,signal,err,y,x\n' + xs.map((x, i) => `${i},${ys[i] * 3},0.5,${ys[i]},${x}`).join('\n') + '\n');
    const byName = JSON.parse(run(['fit', three, '--model', 'a*x+b', '--json']).out);
    const t = lineFit();
    expect(byName.parameters.a.value).toBeCloseTo(t.a, 9);
    // sigma 0.5 everywhere: chi2 = rss / 0.25 and the errors are not scaled
    expect(byName.statistic.value).toBeCloseTo(t.rss / 0.25, 9);
    expect(byName.parameters.a.error).toBeCloseTo(0.5 / Math.sqrt(10), 9);
    const chosen = JSON.parse(run(['fit', three, '--model', 'a*x+b', '--x-col', 'time', '--y-col', 'signal', '--json']).out);
    expect(chosen.parameters.a.value).toBeCloseTo(3 * t.a, 9);
  });

  it('prints a readable table without --json', () => {
    const r = run(['fit', csv, '--model', 'a*x+b']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^parameter\s+value\s+error/);
    expect(r.out).toMatch(/\na\s+1\.99/);
    expect(r.out).toContain('chi2 = ');
  });

  it('fits a session file saved by the app with the same numbers as the app', () => {
    const x = Float64Array.from({ length: 80 }, (_, i) => i * 0.25);
    const y = x.map((v) => 5 * Math.exp(-((v - 9) ** 2) / 4) + 1 + 0.05 * Math.sin(7 * v));
    const session = emptySession();
    session.datasets = [makeSpectrum('peak.csv', x, y)];
    let model = edit.addComponent({ components: [] }, edit.newComponent({ components: [] }, 'Gaussian', undefined, { A: 10, sigma: 2, centre: 8 }));
    model = edit.addComponent(model, edit.newComponent(model, 'Offset', undefined, { offset: 0.5 }));
    session.model = model;
    const path = file('s.fitbench.json', sessionToText(session));
    const r = run(['fit', path, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const app = fitModel(session.datasets[0], model, session.fit);
    for (const key of ['Gaussian.A', 'Gaussian.sigma', 'Gaussian.centre', 'Offset.offset']) {
      expect(j.parameters[key].value).toBe(app.parameters[key].value);
      expect(j.parameters[key].error).toBe(app.parameters[key].error);
    }
    expect(j.parameters['Gaussian.centre'].value).toBeCloseTo(9, 2);
  });
});

describe('errors and exit codes', () => {
  const csv = file('l2.csv', 'x,y\n1,2\n2,4\n3,6.1\n');

  it('a bad formula is a usage error (2) that points at the position', () => {
    const r = run(['fit', csv, '--model', 'a*x+']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('position 4');
    expect(r.err).toContain('a*x+\n      ^');
    expect(r.err).toContain('Usage:');
  });

  it('unknown options, commands and parameter names are usage errors', () => {
    expect(run(['fit', csv, '--model', 'a*x', '--frobnicate']).code).toBe(2);
    expect(run(['sing']).code).toBe(2);
    const r = run(['fit', csv, '--model', 'a*x', '--start', 'q=1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no parameter "q"');
    expect(run(['fit', csv, '--model', 'a*x', '--method', 'magic']).code).toBe(2);
  });

  it('a missing or malformed file fails with code 1 and a JSON error naming it', () => {
    const r = run(['fit', join(dir, 'nope.csv'), '--model', 'a*x', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.error).toBe('data error');
    expect(j.reason).toContain('nope.csv');
    const bad = file('bad.csv', 'x,y\n1,2\n2,abc\n');
    const r2 = run(['fit', bad, '--model', 'a*x', '--json']);
    expect(r2.code).toBe(1);
    expect(JSON.parse(r2.out).reason).toMatch(/bad\.csv.*line 3/);
  });

  it('a broken session file is refused with its name', () => {
    const p = file('broken.fitbench.json', '{"format": "fitbench-session", "version": 1, "datasets": [');
    const r = run(['fit', p, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).reason).toMatch(/broken\.fitbench\.json.*truncated/);
  });
});
