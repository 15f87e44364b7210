/**
 * Joint fits of datasets with different models (JointDoc.components): each dataset uses a subset
 * of one component catalogue, and parameters used by several datasets are shared (PyAutoFit
 * graphical models / gammapy joint fits). Known answers: seeded simulations, separate fits and the
 * closed-form least-squares solution.
 */
import { describe, expect, it } from 'vitest';
import { worstJacobianError } from '../optimize/jacobian-check';
import { makeSpectrum, type Dataset } from '../data/dataset';
import { EXPRESSION_TYPE } from '../model/compile';
import type { ComponentDoc, ModelDoc, ParameterDoc } from '../model/document';
import * as edit from '../model/edit';
import { createRng } from '../random';
import { fitModel } from './fit-model';
import { jointFreeCount } from './joint-count';
import { jointProblem, type JointDoc } from './joint-document';
import { fitJoint, prepareJointObjective } from './joint-fit';
import { defaultFitSettings } from './settings';

const settings = defaultFitSettings();
const within3 = (value: number, error: number | null, truth: number): boolean => error !== null && Math.abs(value - truth) < 3 * error;
const show = (label: string, truth: number, p: { value: number; error: number | null }) =>
  console.log(`${label.padEnd(22)} truth ${String(truth).padEnd(6)} fit ${p.value.toFixed(4)} ± ${p.error?.toFixed(4)}`);

const gauss = (x: number, A: number, sigma: number, centre: number) => (A / (sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((x - centre) / sigma) ** 2);

/** the catalogue Gaussian + Exponential + Offset (in this order) with the given starting values */
function catalogue(): ModelDoc {
  let m: ModelDoc = { components: [] };
  m = edit.addComponent(m, edit.newComponent(m, 'Gaussian', undefined, { A: 150, sigma: 5, centre: 42 }));
  m = edit.addComponent(m, edit.newComponent(m, 'Exponential', undefined, { A: 5, tau: 15 }));
  m = edit.addComponent(m, edit.newComponent(m, 'Offset', undefined, { offset: 1 }));
  return m;
}

const TRUTH = [
  { A: 200, sigma: 4, offset: 2 },
  { A: 120, sigma: 7, offset: 1, expA: 10, tau: 25 },
];
const CENTRE = 40;
const NOISE = 0.3;

/** dataset 0 = Gaussian + Offset, dataset 1 = Gaussian + Exponential + Offset; the same centre (seeded noise) */
function simulate(seed: number): Dataset[] {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: 201 }, (_, i) => i * 0.5);
  return TRUTH.map((t, d) => {
    const y = x.map((v) => gauss(v, t.A, t.sigma, CENTRE) + ('tau' in t ? t.expA! * Math.exp(-v / t.tau!) : 0) + t.offset + rng.normal(0, NOISE));
    return makeSpectrum(`sim_${d}.csv`, x, y, new Float64Array(x.length).fill(NOISE));
  });
}

describe('two datasets, different models, a shared Gaussian centre (simulated)', () => {
  const datasets = simulate(3);
  const model = catalogue();
  const components = [['Gaussian', 'Offset'], ['Gaussian', 'Exponential', 'Offset']];
  const joint: JointDoc = { perDataset: ['Gaussian.A', 'Gaussian.sigma', 'Offset.offset'], datasetVars: [], relations: [], components };

  it('recovers every truth within 3 errors; 1 + 2*2 + 2 + 2 = 9 free parameters', () => {
    const r = fitJoint(datasets, model, joint, settings);
    expect(r.converged).toBe(true);
    // by hand: centre (shared) + A, sigma per dataset (2 + 2) + Exponential A, tau (dataset 1 only) + offset per dataset (2)
    expect(r.totalFree).toBe(9);
    expect(jointFreeCount(model, joint, 2)).toEqual({ total: 9 });
    expect(r.parameterOrder).toEqual([
      'Gaussian.A[0]', 'Gaussian.A[1]', 'Gaussian.sigma[0]', 'Gaussian.sigma[1]', 'Gaussian.centre',
      'Exponential.A', 'Exponential.tau', 'Offset.offset[0]', 'Offset.offset[1]',
    ]);
    expect(r.dof).toBe(402 - 9);
    expect(r.datasetComponents).toEqual(components);
    expect(r.keyDatasets).toEqual({ 'Exponential.A': [1], 'Exponential.tau': [1] });
    const P = r.parameters;
    show('Gaussian.centre', CENTRE, P['Gaussian.centre']);
    expect(within3(P['Gaussian.centre'].value, P['Gaussian.centre'].error, CENTRE)).toBe(true);
    TRUTH.forEach((t, d) => {
      for (const [key, truth] of [['Gaussian.A', t.A], ['Gaussian.sigma', t.sigma], ['Offset.offset', t.offset]] as const) {
        const p = P[`${key}[${d}]`];
        show(`${key}[${d}]`, truth, p);
        expect(within3(p.value, p.error, truth), `${key}[${d}]`).toBe(true);
      }
    });
    show('Exponential.A', TRUTH[1].expA!, P['Exponential.A']);
    show('Exponential.tau', TRUTH[1].tau!, P['Exponential.tau']);
    expect(within3(P['Exponential.A'].value, P['Exponential.A'].error, TRUTH[1].expA!)).toBe(true);
    expect(within3(P['Exponential.tau'].value, P['Exponential.tau'].error, TRUTH[1].tau!)).toBe(true);
    expect(r.reducedStatistic!).toBeGreaterThan(0.8);
    expect(r.reducedStatistic!).toBeLessThan(1.2);
    // each dataset's values hold the parameters of its own model only
    expect(Object.keys(r.datasetValues[0])).toEqual(['Gaussian.A', 'Gaussian.sigma', 'Gaussian.centre', 'Offset.offset']);
    expect(Object.keys(r.datasetValues[1])).toEqual(['Gaussian.A', 'Gaussian.sigma', 'Gaussian.centre', 'Exponential.A', 'Exponential.tau', 'Offset.offset']);
    expect(r.datasetValues[0]['Gaussian.centre']).toBe(P['Gaussian.centre'].value);
    expect(r.datasetValues[1]['Gaussian.centre']).toBe(P['Gaussian.centre'].value);
    expect(r.values['Exponential.tau']).toBe(P['Exponential.tau'].value);
    expect(r.values['Exponential.tau[1]']).toBeUndefined();
    // the statistic of dataset 0 is that of Gaussian + Offset alone (no Exponential) at its fitted values
    const v0 = r.datasetValues[0];
    let chi0 = 0;
    datasets[0].coords.x.forEach((x, i) => {
      chi0 += ((datasets[0].values[i] - gauss(x, v0['Gaussian.A'], v0['Gaussian.sigma'], v0['Gaussian.centre']) - v0['Offset.offset']) / NOISE) ** 2;
    });
    expect(Math.abs(r.datasets[0].statistic - chi0)).toBeLessThan(1e-9 * chi0);
    expect(r.datasets.reduce((s, d) => s + d.statistic, 0)).toBeCloseTo(r.statistic.value, 9);
  });

  it('with nothing shared it equals the separate fits of each dataset with its own model', () => {
    const all: JointDoc = { ...joint, perDataset: ['Gaussian.A', 'Gaussian.sigma', 'Gaussian.centre', 'Offset.offset'] };
    const r = fitJoint(datasets, model, all, settings);
    expect(r.totalFree).toBe(4 + 4 + 2);
    const sub = (names: string[]): ModelDoc => ({ components: model.components.filter((c) => names.includes(c.name)) });
    const singles = components.map((names, d) => fitModel(datasets[d], sub(names), settings));
    singles.forEach((s, d) => {
      for (const key of s.parameterOrder) {
        const jk = key.startsWith('Exponential.') ? key : `${key}[${d}]`;
        expect(r.parameters[jk].value).toBeCloseTo(s.parameters[key].value, 5);
        expect(r.parameters[jk].error!).toBeCloseTo(s.parameters[key].error!, 5);
      }
      expect(r.datasets[d].statistic).toBeCloseTo(s.statistic.value, 6);
    });
  });

  it('a relation applies only to the datasets whose model has the parameter; Jacobian and gradient match finite differences', () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => i * 2.5);
    const three = [...datasets, makeSpectrum('third', x, x.map((v) => gauss(v, 90, 5, CENTRE) + 3 * Math.exp(-v / 30) + 0.5), new Float64Array(40).fill(0.3))];
    // Exponential.tau = k*T in datasets 1 and 2; dataset 0 (no Exponential) needs no T
    const rel: JointDoc = {
      perDataset: ['Gaussian.A', 'Offset.offset'],
      datasetVars: [{}, { T: 1 }, { T: 1.2 }],
      relations: [{ param: 'Exponential.tau', expr: 'k*T', params: {} }],
      components: [...components, null],
    };
    expect(jointProblem(rel, model, 3)).toBeNull();
    const o = prepareJointObjective(three, model, rel, settings);
    expect(o.keys).toEqual([
      'Gaussian.A[0]', 'Gaussian.A[1]', 'Gaussian.A[2]', 'Gaussian.sigma', 'Gaussian.centre', 'Exponential.A',
      'Offset.offset[0]', 'Offset.offset[1]', 'Offset.offset[2]', 'k',
    ]);
    expect(o.keyDatasets[o.keys.indexOf('Exponential.A')]).toEqual([1, 2]);
    // k starts where tau = 15 holds best over T = 1, 1.2
    expect(o.theta0[9]).toBeCloseTo(15 * (1 + 1.2) / (1 + 1.44), 6);
    const theta = Float64Array.from([190, 125, 85, 5, 41, 8, 1.8, 1.2, 0.4, 22]);
    const ls = o.leastSquares({ jacobianAlongside: true });
    const J = new Float64Array(o.m * o.n);
    ls.jacobian(theta, J);
    expect(worstJacobianError(ls, theta)).toBeLessThan(1e-5);
    // dataset 0 rows do not depend on the Exponential parameters
    const iA = o.keys.indexOf('Exponential.A');
    for (let i = 0; i < 201; i++) {
      expect(J[i * o.n + iA]).toBe(0);
      expect(J[i * o.n + 9]).toBe(0);
    }
    const sp = prepareJointObjective(three, model, rel, { ...settings, statistic: 'gauss' }).scalar();
    const g = new Float64Array(o.n);
    sp.valueAndGradient!(theta, g);
    for (let k = 0; k < o.n; k++) {
      const h = 1e-6 * Math.max(1, Math.abs(theta[k]));
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[k] += h;
      tm[k] -= h;
      const fd = (sp.value(tp) - sp.value(tm)) / (2 * h);
      expect(Math.abs(fd - g[k]) / Math.max(1, Math.abs(fd))).toBeLessThan(1e-5);
    }
    const r = fitJoint(three, model, rel, settings);
    expect(Object.keys(r.derived)).toEqual(['Exponential.tau[1]', 'Exponential.tau[2]']);
    expect(r.derived['Exponential.tau[2]'].value).toBeCloseTo(1.2 * r.parameters.k.value, 10);
    expect(r.values['Exponential.tau[1]']).toBe(r.derived['Exponential.tau[1]'].value);
    expect(r.values['Exponential.tau[0]']).toBeUndefined();
  });
});

/** Solves A x = b (Gaussian elimination with partial pivoting); returns x and A^-1. */
function solve(A: number[][], b: number[]): { x: number[]; inv: number[][] } {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i], ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k < 2 * n + 1; k++) M[r][k] -= f * M[c][k];
    }
  }
  return { x: M.map((row, i) => row[n] / M[i][i]), inv: M.map((row, i) => row.slice(n + 1).map((v) => v / M[i][i])) };
}

const free = (value: number): ParameterDoc => ({ value, lower: null, upper: null, fixed: false });
const expr = (name: string, e: string, params: Record<string, ParameterDoc>): ComponentDoc => ({ name, type: EXPRESSION_TYPE, active: true, options: { expr: e }, params });

describe('linear joint fit with different models against the normal equations', () => {
  // a shared slope (component line: a*x); datasets 0 and 2 use the intercept off0 (b0), dataset 1 off1 (b1)
  const model: ModelDoc = { components: [expr('line', 'a*x', { a: free(1) }), expr('off0', 'b0', { b0: free(0) }), expr('off1', 'b1', { b1: free(0) })] };
  const uses = [['line', 'off0'], ['line', 'off1'], ['line', 'off0']];
  const truthB = [1.5, -2, 1.5];
  const rng = createRng(21);
  const datasets = truthB.map((b, d) => {
    const x = Float64Array.from({ length: 10 + 3 * d }, (_, i) => i * 0.6 + d * 0.2);
    const s = x.map((_, i) => 0.1 + 0.04 * ((i + d) % 4));
    return makeSpectrum(`line_${d}`, x, x.map((v, i) => 0.8 * v + b + rng.normal(0, s[i])), s);
  });
  const joint: JointDoc = { perDataset: [], datasetVars: [], relations: [], components: uses };

  /** normal equations over [a, b0, b1] */
  function exact(data: Dataset[], weighted: boolean) {
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const rhs = [0, 0, 0];
    let points = 0;
    const row = (d: number, x: number) => [x, d === 1 ? 0 : 1, d === 1 ? 1 : 0];
    data.forEach((ds, d) => {
      for (let i = 0; i < ds.values.length; i++) {
        const w = weighted ? 1 / ds.sigma![i] ** 2 : 1;
        const r = row(d, ds.coords.x[i]);
        for (let j = 0; j < 3; j++) {
          rhs[j] += w * r[j] * ds.values[i];
          for (let k = 0; k < 3; k++) A[j][k] += w * r[j] * r[k];
        }
        points++;
      }
    });
    const { x, inv } = solve(A, rhs);
    let rss = 0;
    data.forEach((ds, d) => {
      for (let i = 0; i < ds.values.length; i++) {
        const w = weighted ? 1 / ds.sigma![i] ** 2 : 1;
        const r = row(d, ds.coords.x[i]);
        rss += w * (ds.values[i] - (x[0] * r[0] + x[1] * r[1] + x[2] * r[2])) ** 2;
      }
    });
    const scale = weighted ? 1 : rss / (points - 3);
    return { x, errors: inv.map((r, i) => Math.sqrt(scale * r[i])), rss, points };
  }
  const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(b)));

  it('with sigma: values, errors and chi-square to 1e-8', () => {
    const r = fitJoint(datasets, model, joint, settings);
    const e = exact(datasets, true);
    expect(r.parameterOrder).toEqual(['line.a', 'off0.b0', 'off1.b1']);
    expect(r.totalFree).toBe(3);
    expect(r.keyDatasets).toEqual({ 'off0.b0': [0, 2], 'off1.b1': [1] });
    ['line.a', 'off0.b0', 'off1.b1'].forEach((k, j) => {
      console.log(`${k}: closed form ${e.x[j]} ± ${e.errors[j]}; joint fit ${r.parameters[k].value} ± ${r.parameters[k].error}`);
      close(r.parameters[k].value, e.x[j]);
      close(r.parameters[k].error!, e.errors[j]);
    });
    close(r.statistic.value, e.rss);
    expect(r.dof).toBe(e.points - 3);
    expect(Object.keys(r.datasetValues[1])).toEqual(['line.a', 'off1.b1']);
  });

  it('without sigma: errors scaled by chi2 / (all points - 3), to 1e-8', () => {
    const bare = datasets.map((d) => ({ ...d, sigma: undefined }));
    const r = fitJoint(bare, model, joint, settings);
    const e = exact(datasets, false);
    expect(r.errorsScaled).toBe(true);
    ['line.a', 'off0.b0', 'off1.b1'].forEach((k, j) => {
      close(r.parameters[k].value, e.x[j]);
      close(r.parameters[k].error!, e.errors[j]);
    });
  });

  it('an intercept free per dataset gets copies only for the datasets that use it', () => {
    const r = fitJoint(datasets, model, { ...joint, perDataset: ['off0.b0'] }, settings);
    expect(r.parameterOrder).toEqual(['line.a', 'off0.b0[0]', 'off0.b0[2]', 'off1.b1']);
    expect(jointFreeCount(model, { ...joint, perDataset: ['off0.b0'] }, 3)).toEqual({ total: 4 });
    expect(r.keyDatasets).toEqual({ 'off1.b1': [1] });
  });

  it('a twin across components follows each dataset; a component no dataset uses is left out', () => {
    const twinned: ModelDoc = {
      components: [
        ...model.components,
        expr('half', '0*x + h', { h: { ...free(0), twin: { source: 'off1.b1', expr: '0.5*x' } } }),
        expr('unused', 'u*x^2', { u: free(3) }),
      ],
    };
    const r = fitJoint(datasets, twinned, { ...joint, components: [['line', 'off0'], ['line', 'off1', 'half'], ['line', 'off0']] }, settings);
    // dataset 1: y = a x + 1.5 b1, so b1' = b1 / 1.5
    const e = exact(datasets, true);
    close(r.parameters['off1.b1'].value, e.x[2] / 1.5);
    close(r.parameters['line.a'].value, e.x[0]);
    expect(r.values['half.h']).toBeCloseTo(0.5 * r.parameters['off1.b1'].value, 12);
    expect(r.parameterOrder).not.toContain('unused.u');
    expect(r.values['unused.u']).toBeUndefined();
  });
});

describe('validation of the components of each dataset', () => {
  const model = catalogue();
  const base: JointDoc = { perDataset: [], datasetVars: [], relations: [] };
  const problem = (j: Partial<JointDoc>, m: ModelDoc = model) => jointProblem({ ...base, ...j }, m, 2, ['a.csv', 'b.csv']);

  it('explains every refusal', () => {
    expect(problem({ components: [['Gaussian', 'Lorentzian'], null] })).toBe(
      'Unknown component "Lorentzian" in the components of dataset 0 (a.csv) (components: Gaussian, Exponential, Offset)',
    );
    expect(problem({ components: [null, []] })).toBe('dataset 1 (b.csv) uses no active component; give it at least one');
    const inactive = edit.updateComponent(model, 'Exponential', (c) => ({ ...c, active: false }));
    expect(problem({ components: [['Exponential'], null] }, inactive)).toBe('dataset 0 (a.csv) uses no active component (Exponential is inactive); give it at least one');
    expect(problem({ components: [['Gaussian', 'Gaussian'], null] })).toBe('The components of dataset 0 (a.csv) name Gaussian twice');
    expect(problem({ components: [null, null, null] })).toBe('Component lists are given for 3 datasets, but there are 2 datasets');
    expect(problem({ components: [null, 'Gaussian' as unknown as string[]] })).toBe('components[1] must be a list of component names (or null for all)');
    const noExp = [['Gaussian', 'Offset'], ['Gaussian', 'Offset']];
    expect(problem({ components: noExp, perDataset: ['Exponential.tau'] })).toBe('Exponential.tau is listed as free per dataset, but no dataset uses Exponential');
    expect(problem({ components: noExp, datasetVars: [{ T: 1 }, { T: 2 }], relations: [{ param: 'Exponential.tau', expr: 'k*T', params: {} }] })).toBe(
      'Relation Exponential.tau = k*T: no dataset uses Exponential',
    );
    // a twin whose source component the dataset does not use
    const twin = edit.updateParameter(model, 'Exponential', 'tau', { twin: { source: 'Gaussian.sigma', expr: '3*x' } });
    expect(problem({ components: [['Gaussian', 'Offset'], ['Exponential', 'Offset']] }, twin)).toBe(
      'Exponential.tau is twinned to Gaussian.sigma, but dataset 1 (b.csv) does not use Gaussian; add Gaussian to its components or remove the twin',
    );
    // only the datasets whose model has a related parameter need the relation's variables
    expect(problem({ components: [['Gaussian', 'Offset'], null], datasetVars: [{}, { T: 2 }], relations: [{ param: 'Exponential.tau', expr: 'k*T', params: {} }] })).toBeNull();
    expect(problem({ components: [null, ['Gaussian']], datasetVars: [{}, { T: 2 }], relations: [{ param: 'Exponential.tau', expr: 'k*T', params: {} }] })).toBe(
      'dataset 0 (a.csv) has no value for the variable T used by the relation Exponential.tau = k*T',
    );
    // inactive components listed for a dataset are skipped
    expect(problem({ components: [['Gaussian', 'Exponential'], null] }, inactive)).toBeNull();
    expect(problem({ components: [['Offset'], undefined as unknown as null] })).toBeNull();
  });

  it('fitJoint refuses the same documents', () => {
    const d = [makeSpectrum('a.csv', [1, 2, 3], [1, 2, 3]), makeSpectrum('b.csv', [1, 2, 3], [1, 2, 3])];
    expect(() => fitJoint(d, model, { ...base, components: [['Nope'], null] }, settings)).toThrow(/Unknown component "Nope" in the components of dataset 0 \(a\.csv\)/);
  });
});
