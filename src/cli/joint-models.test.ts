/** The runner's joint fits of datasets with different models: --dataset-components, and sessions with joint.components. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpectrum } from '../core/data/dataset';
import { fitJoint } from '../core/fit/joint-fit';
import { defaultFitSettings } from '../core/fit/settings';
import type { ModelDoc } from '../core/model/document';
import * as edit from '../core/model/edit';
import { createRng } from '../core/random';
import { emptySession } from '../core/session/document';
import { loadSessionText } from '../core/session/load';
import { sessionToText } from '../core/session/serialize';
import { runCli } from './run';

const dir = mkdtempSync(join(tmpdir(), 'fitbench-joint-models-'));

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const gauss = (x: number, A: number, sigma: number, centre: number) => (A / (sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((x - centre) / sigma) ** 2);
const NOISE = 0.25;
// dataset 0: Gaussian + Offset; dataset 1: Gaussian + Exponential + Offset; the same centre 30
const TRUTH = [
  { A: 150, sigma: 3, offset: 1.5, expA: 0, tau: 1 },
  { A: 90, sigma: 5, offset: 0.5, expA: 8, tau: 20 },
];
const rng = createRng(17);
const xs = Array.from({ length: 161 }, (_, i) => i * 0.5);
const ys = TRUTH.map((t) => xs.map((x) => gauss(x, t.A, t.sigma, 30) + t.expA * Math.exp(-x / t.tau) + t.offset + rng.normal(0, NOISE)));
const files = ys.map((y, d) => {
  const p = join(dir, `peak${d}.csv`);
  writeFileSync(p, 'x,y,sigma\n' + xs.map((x, i) => `${x},${y[i]},${NOISE}`).join('\n') + '\n');
  return p;
});

const COMPONENTS = ['--component', 'Gaussian:A=120,sigma=4,centre=32', '--component', 'Exponential:A=5,tau=15', '--component', 'Offset:offset=1'];
const SPLIT = '0:Gaussian,Offset;1:Gaussian,Exponential,Offset';

function catalogue(): ModelDoc {
  let m: ModelDoc = { components: [] };
  m = edit.addComponent(m, edit.newComponent(m, 'Gaussian', undefined, { A: 120, sigma: 4, centre: 32 }));
  m = edit.addComponent(m, edit.newComponent(m, 'Exponential', undefined, { A: 5, tau: 15 }));
  m = edit.addComponent(m, edit.newComponent(m, 'Offset', undefined, { offset: 1 }));
  return m;
}

describe('fit --dataset-components', () => {
  it('shares the centre, fits the Exponential on dataset 1 only; the same numbers as the core; truths within 3 errors', () => {
    const r = run(['fit', ...files, ...COMPONENTS, '--per-dataset', 'Gaussian.A,Gaussian.sigma,offset', '--dataset-components', SPLIT, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    // centre + A, sigma per dataset + Exponential A, tau + offset per dataset
    expect(j.total_free).toBe(1 + 4 + 2 + 2);
    expect(j.parameter_order).toEqual([
      'Gaussian.A[0]', 'Gaussian.A[1]', 'Gaussian.sigma[0]', 'Gaussian.sigma[1]', 'Gaussian.centre',
      'Exponential.A', 'Exponential.tau', 'Offset.offset[0]', 'Offset.offset[1]',
    ]);
    expect(j.dof).toBe(2 * 161 - 9);
    const datasets = ys.map((y, d) => makeSpectrum(files[d], xs, y, new Float64Array(xs.length).fill(NOISE)));
    const core = fitJoint(
      datasets,
      catalogue(),
      { perDataset: ['Gaussian.A', 'Gaussian.sigma', 'Offset.offset'], datasetVars: [], relations: [], components: [['Gaussian', 'Offset'], ['Gaussian', 'Exponential', 'Offset']] },
      defaultFitSettings(),
    );
    for (const k of core.parameterOrder) {
      expect(j.parameters[k].value).toBeCloseTo(core.parameters[k].value, 10);
      expect(j.parameters[k].error).toBeCloseTo(core.parameters[k].error!, 10);
    }
    const check = (key: string, truth: number) => {
      const p = j.parameters[key];
      console.log(`${key.padEnd(18)} truth ${truth} fit ${p.value.toFixed(4)} ± ${p.error.toFixed(4)}`);
      expect(Math.abs(p.value - truth), key).toBeLessThan(3 * p.error);
    };
    check('Gaussian.centre', 30);
    TRUTH.forEach((t, d) => {
      check(`Gaussian.A[${d}]`, t.A);
      check(`Gaussian.sigma[${d}]`, t.sigma);
      check(`Offset.offset[${d}]`, t.offset);
    });
    check('Exponential.A', 8);
    check('Exponential.tau', 20);
  });

  it('prints the table; the option repeats; a dataset not named uses every component', () => {
    const r = run(['fit', ...files, ...COMPONENTS, '--per-dataset', 'Gaussian.A,Gaussian.sigma,offset', '--dataset-components', '0:Gaussian,Offset', '--dataset-components', '1:Gaussian,Exponential,Offset']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Total free parameters = 9');
    expect(r.out).toMatch(/\nExponential\.tau\s+2\d\.\d/);
    expect(r.out).not.toContain('Exponential.tau[');
    // dataset 1 not named: it uses all three, the same fit
    const same = run(['fit', ...files, ...COMPONENTS, '--per-dataset', 'Gaussian.A,Gaussian.sigma,offset', '--dataset-components', '0:Gaussian,Offset', '--json']);
    const full = run(['fit', ...files, ...COMPONENTS, '--per-dataset', 'Gaussian.A,Gaussian.sigma,offset', '--dataset-components', SPLIT, '--json']);
    expect(JSON.parse(same.out).parameters).toEqual(JSON.parse(full.out).parameters);
  });

  it('bad values are usage errors (exit 2) that say what is wrong', () => {
    const cases: [string[], string][] = [
      [['--dataset-components', '0:Gaussian,Lorentzian'], 'Unknown component "Lorentzian" in the components of dataset 0'],
      [['--dataset-components', '2:Gaussian'], '--dataset-components 2:Gaussian: there are 2 datasets (indices 0 to 1)'],
      [['--dataset-components', 'Gaussian,Offset'], '--dataset-components: expected index:Component,Component,...'],
      [['--dataset-components', '0:Gaussian;0:Offset'], '--dataset-components: dataset 0 is given twice'],
      [['--dataset-components', '1:'], '--dataset-components 1:: name at least one component for dataset 1'],
      [['--dataset-components', '0:Gaussian,Offset;1:Gaussian,Offset', '--per-dataset', 'tau'], 'Exponential.tau is listed as free per dataset, but no dataset uses Exponential'],
    ];
    for (const [extra, message] of cases) {
      const r = run(['fit', ...files, ...COMPONENTS, ...extra, '--json']);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.err).toContain(message);
    }
    const seq = run(['fit', ...files, ...COMPONENTS, '--dataset-components', SPLIT, '--sequential']);
    expect(seq.code).toBe(2);
    expect(seq.err).toContain('--dataset-components belong to joint fits');
  });
});

describe('sessions with joint.components', () => {
  it('are fitted with each dataset on its own model, and the list survives saving and loading', () => {
    const session = emptySession();
    session.datasets = ys.map((y, d) => makeSpectrum(`peak${d}.csv`, xs, y, new Float64Array(xs.length).fill(NOISE)));
    session.model = catalogue();
    session.joint = { perDataset: ['Gaussian.A', 'Gaussian.sigma', 'Offset.offset'], datasetVars: [], relations: [], components: [['Gaussian', 'Offset'], null] };
    const text = sessionToText(session);
    expect(loadSessionText(text, 's.fitbench.json').joint).toEqual(session.joint);
    const path = join(dir, 'models.fitbench.json');
    writeFileSync(path, text);
    const j = JSON.parse(run(['fit', path, '--json']).out);
    expect(j.total_free).toBe(9);
    expect(Math.abs(j.parameters['Exponential.tau'].value - 20)).toBeLessThan(3 * j.parameters['Exponential.tau'].error);
    // the schema checks the list's length and repeated names
    const bad = JSON.parse(text);
    bad.joint.components = [null, null, ['Gaussian']];
    expect(() => loadSessionText(JSON.stringify(bad), 'bad.fitbench.json')).toThrow(/joint\.components.*3 entries, but there are 2 datasets/);
    bad.joint.components = [['Gaussian', 'Gaussian'], null];
    expect(() => loadSessionText(JSON.stringify(bad), 'bad.fitbench.json')).toThrow(/joint\.components\[0\].*names the component "Gaussian" twice/);
    bad.joint.components = [[3], null];
    expect(() => loadSessionText(JSON.stringify(bad), 'bad.fitbench.json')).toThrow(/joint\.components/);
    // a name the model no longer has still loads (the fit reports it)
    bad.joint.components = [['Gone'], null];
    expect(loadSessionText(JSON.stringify(bad), 'stale.fitbench.json').joint!.components).toEqual([['Gone'], null]);
    writeFileSync(join(dir, 'stale.fitbench.json'), JSON.stringify(bad));
    const stale = run(['fit', join(dir, 'stale.fitbench.json'), '--json']);
    expect(stale.code).not.toBe(0);
    expect(stale.err).toContain('Unknown component "Gone"');
  });
});
