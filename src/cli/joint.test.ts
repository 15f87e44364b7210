/** The runner's joint fits: several files or PyAutoFit folders, --per-dataset, --dataset-vars, --relation, --sequential, sessions. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeSpectrum } from '../core/data/dataset';
import { fitJoint } from '../core/fit/joint-fit';
import { fitModel } from '../core/fit/fit-model';
import { defaultFitSettings } from '../core/fit/settings';
import * as edit from '../core/model/edit';
import { emptySession } from '../core/session/document';
import { loadSessionText } from '../core/session/load';
import { sessionToText } from '../core/session/serialize';
import { readSessionIfAny } from './load-data';
import { runCli } from './run';

const DATA = fileURLToPath(new URL('../../../shared/data/autofit-example-1d/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fitbench-joint-'));
const variable = [0, 1, 2].map((i) => join(DATA, 'gaussian_x1_variable', `sigma_${i}`));
const GAUSS = 'N*exp(-0.5*((x - x0)/sigma)^2)/(sigma*sqrt(2*pi))';

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

describe('joint fits of PyAutoFit folders', () => {
  it('--per-dataset N,sigma: shared x0, copies sigma[0..2], "datasets" and total_free 7', () => {
    const r = run(['fit', ...variable, '--model', GAUSS, '--start', 'N=30,sigma=15,x0=45', '--per-dataset', 'N,sigma', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.total_free).toBe(7);
    expect(j.parameter_order).toEqual(['N[0]', 'N[1]', 'N[2]', 'x0', 'sigma[0]', 'sigma[1]', 'sigma[2]']);
    expect(j.datasets).toEqual(variable.map((name) => ({ name, statistic: expect.any(Number), n_points: 100 })));
    expect(j.dof).toBe(293);
    const truths = [10, 20, 30];
    truths.forEach((t, i) => {
      const p = j.parameters[`sigma[${i}]`];
      expect(Math.abs(p.value - t)).toBeLessThan(3 * p.error);
      expect(Math.abs(j.parameters[`N[${i}]`].value - 50)).toBeLessThan(3 * j.parameters[`N[${i}]`].error);
    });
    expect(Math.abs(j.parameters.x0.value - 50)).toBeLessThan(3 * j.parameters.x0.error);
    expect(j.statistic.value).toBeCloseTo(j.datasets.reduce((s: number, d: { statistic: number }) => s + d.statistic, 0), 9);
  });

  it('--dataset-vars x=1,2,3 --relation "sigma=m*x+c": hyperparameters m, c and sigma[i] from the relation', () => {
    const r = run(['fit', ...variable, '--component', 'Gaussian:A=30,sigma=15,centre=45', '--per-dataset', 'A', '--dataset-vars', 'x=1,2,3', '--relation', 'sigma=m*x+c', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.total_free).toBe(6);
    expect(j.parameter_order).toEqual(['Gaussian.A[0]', 'Gaussian.A[1]', 'Gaussian.A[2]', 'Gaussian.centre', 'm', 'c']);
    expect(Math.abs(j.parameters.m.value - 10)).toBeLessThan(3 * j.parameters.m.error);
    expect(Math.abs(j.parameters.c.value - 0)).toBeLessThan(3 * j.parameters.c.error);
    for (let i = 0; i < 3; i++) {
      const s = j.parameters[`Gaussian.sigma[${i}]`];
      expect(s.relation).toBe('Gaussian.sigma = m*x+c');
      expect(s.value).toBeCloseTo(j.parameters.m.value * (i + 1) + j.parameters.c.value, 10);
      expect(s.error).toBeGreaterThan(0);
    }
    // the same with ;-separated variables, hyperparameter starts and a start for one copy
    const r2 = run([
      'fit', ...variable, '--component', 'Gaussian:A=30,sigma=15,centre=45', '--per-dataset', 'A', '--dataset-vars', 'x=1,2,3;T=5,6,7',
      '--relation', 'sigma=m*x+c', '--start', 'm=8,c=1,A[2]=45', '--bounds', 'c=-5:5', '--json',
    ]);
    expect(r2.code).toBe(0);
    const j2 = JSON.parse(r2.out);
    expect(j2.parameters.m.value).toBeCloseTo(j.parameters.m.value, 5);
    expect(j2.parameters.c.value).toBeCloseTo(j.parameters.c.value, 5);
  });

  it('prints a table with the datasets and the free-parameter count', () => {
    const r = run(['fit', ...variable, '--component', 'Gaussian:A=30,sigma=15,centre=45', '--per-dataset', 'A,sigma']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^parameter\s+value\s+error/);
    expect(r.out).toMatch(/\nGaussian\.sigma\[2\]\s+29\.5/);
    expect(r.out).toContain('Total free parameters = 7');
    expect(r.out).toContain('sigma_1  100');
  });

  it('--sequential fits each folder alone: {"fits": [...]} equal to single fits', () => {
    const r = run(['fit', ...variable, '--component', 'Gaussian:A=30,sigma=15,centre=45', '--sequential', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.fits).toHaveLength(3);
    variable.forEach((p, i) => {
      const single = JSON.parse(run(['fit', p, '--component', 'Gaussian:A=30,sigma=15,centre=45', '--json']).out);
      expect(j.fits[i].dataset).toBe(p);
      expect(j.fits[i].parameters['Gaussian.sigma'].value).toBe(single.parameters['Gaussian.sigma'].value);
      expect(j.fits[i].parameters['Gaussian.sigma'].error).toBe(single.parameters['Gaussian.sigma'].error);
    });
  });
});

describe('joint fits of data files', () => {
  const xs = [0, 1, 2, 3, 4, 5];
  const lines = [0.5, -1, 2].map((b, d) =>
    file(`line${d}.csv`, 'x,y,sigma\n' + xs.map((x, i) => `${x},${(1.5 * x + b + 0.03 * Math.sin(3 * i + d)).toFixed(6)},${0.1 + 0.02 * i}`).join('\n') + '\n'),
  );

  it('shared slope, per-dataset intercept: the same numbers as the core', () => {
    const r = run(['fit', ...lines, '--model', 'a*x+b', '--per-dataset', 'b', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const datasets = [0.5, -1, 2].map((b, d) =>
      makeSpectrum(lines[d], xs, xs.map((x, i) => Number((1.5 * x + b + 0.03 * Math.sin(3 * i + d)).toFixed(6))), xs.map((_, i) => 0.1 + 0.02 * i)),
    );
    const empty = { components: [] };
    const c = edit.newComponent(empty, 'Expression', { expr: 'a*x+b' }, { a: 1, b: 1 });
    const core = fitJoint(datasets, edit.addComponent(empty, { ...c, name: '' }), { perDataset: ['b'], datasetVars: [], relations: [] }, defaultFitSettings());
    for (const k of ['a', 'b[0]', 'b[1]', 'b[2]']) {
      expect(j.parameters[k].value).toBeCloseTo(core.parameters[k].value, 10);
      expect(j.parameters[k].error).toBeCloseTo(core.parameters[k].error!, 10);
    }
    expect(j.total_free).toBe(4);
    expect(j.datasets.map((d: { name: string }) => d.name)).toEqual(lines);
  });

  it('without joint options several files share every parameter (still a joint fit)', () => {
    const j = JSON.parse(run(['fit', ...lines, '--model', 'a*x+b', '--json']).out);
    expect(j.total_free).toBe(2);
    expect(j.parameter_order).toEqual(['a', 'b']);
    expect(j.datasets).toHaveLength(3);
  });

  it('bad joint options are usage errors (exit 2)', () => {
    const notParam = run(['fit', ...lines, '--model', 'a*x+b', '--per-dataset', 'q', '--json']);
    expect(notParam.code).toBe(2);
    expect(notParam.err).toContain('--per-dataset: no parameter "q" (parameters: a, b)');
    const badExpr = run(['fit', ...lines, '--model', 'a*x+b', '--dataset-vars', 'T=1,2,3', '--relation', 'b=k*T+', '--json']);
    expect(badExpr.code).toBe(2);
    expect(badExpr.err).toContain('position 4');
    expect(badExpr.err).toContain('k*T+\n      ^');
    const count = run(['fit', ...lines, '--model', 'a*x+b', '--dataset-vars', 'T=1,2', '--relation', 'b=k*T', '--json']);
    expect(count.code).toBe(2);
    expect(count.err).toContain('--dataset-vars T: 2 values for 3 datasets');
    const clash = run(['fit', ...lines, '--model', 'a*x+b', '--relation', 'b=a*2', '--json']);
    expect(clash.code).toBe(2);
    expect(clash.err).toContain('Hyperparameter "a" of the relation b = a*2 has the name of a model parameter');
    const both = run(['fit', ...lines, '--model', 'a*x+b', '--per-dataset', 'b', '--dataset-vars', 'T=1,2,3', '--relation', 'b=k*T']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('free per dataset and also given by the relation');
    expect(run(['fit', ...lines, '--model', 'a*x+b', '--per-dataset', 'b', '--sequential']).code).toBe(2);
    expect(run(['fit', ...lines, '--model', 'a*x+b', '--per-dataset', 'b', '--start', 'a[1]=2']).code).toBe(2);
  });

  it('a relation on a formula parameter with a dataset variable T (b = k*T + b0)', () => {
    const j = JSON.parse(run(['fit', ...lines, '--model', 'a*x+b', '--dataset-vars', 'T=1,2,3', '--relation', 'b=k*T+b0', '--json']).out);
    expect(j.parameter_order).toEqual(['a', 'k', 'b0']);
    expect(j.parameters['b[1]'].value).toBeCloseTo(j.parameters.k.value * 2 + j.parameters.b0.value, 10);
  });
});

describe('sessions with several datasets', () => {
  it('fits all datasets jointly with session.joint, which survives saving and loading', () => {
    const x = Float64Array.from({ length: 60 }, (_, i) => i * 0.25);
    const session = emptySession();
    session.datasets = [3, 4].map((w, d) =>
      makeSpectrum(`peak${d}.csv`, x, x.map((v) => (10 / (w * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((v - 7) / w) ** 2) + 0.01 * Math.cos(5 * v + d)), new Float64Array(60).fill(0.01)),
    );
    session.model = edit.addComponent({ components: [] }, edit.newComponent({ components: [] }, 'Gaussian', undefined, { A: 8, sigma: 2, centre: 6 }));
    session.joint = { perDataset: ['Gaussian.sigma'], datasetVars: [], relations: [] };
    const text = sessionToText(session);
    const path = file('two.fitbench.json', text);
    expect(readSessionIfAny(path)!.joint).toEqual(session.joint);
    const r = run(['fit', path, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.total_free).toBe(4);
    expect(j.parameters['Gaussian.sigma[0]'].value).toBeCloseTo(3, 2);
    expect(j.parameters['Gaussian.sigma[1]'].value).toBeCloseTo(4, 2);
    expect(j.datasets.map((d: { name: string }) => d.name)).toEqual(['peak0.csv', 'peak1.csv']);
    // the schema checks the joint part
    const bad = JSON.parse(text);
    bad.joint.perDatasetStart = { 'Gaussian.sigma': [1] };
    expect(() => loadSessionText(JSON.stringify(bad), 'bad.fitbench.json')).toThrow(/joint\.perDatasetStart.*1 start values, but there are 2 datasets/);
    // without session.joint: everything shared
    const plain = { ...session, joint: undefined };
    const j2 = JSON.parse(run(['fit', file('plain.fitbench.json', sessionToText(plain)), '--json']).out);
    expect(j2.total_free).toBe(3);
    // a session with one dataset keeps the single-fit output
    const one = { ...session, datasets: [session.datasets[0]], joint: undefined };
    const j3 = JSON.parse(run(['fit', file('one.fitbench.json', sessionToText(one)), '--json']).out);
    expect(j3.datasets).toBeUndefined();
    expect(j3.parameters['Gaussian.sigma'].value).toBe(fitModel(one.datasets[0], one.model, one.fit).parameters['Gaussian.sigma'].value);
  });
});
