/** Joint fits of several datasets against known answers (PyAutoFit example data, closed forms, simulations). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { worstJacobianError } from '../optimize/jacobian-check';
import { makeSpectrum, type Dataset } from '../data/dataset';
import { readDataFiles } from '../data/readers';
import { EXPRESSION_TYPE } from '../model/compile';
import type { ModelDoc } from '../model/document';
import * as edit from '../model/edit';
import { createRng } from '../random';
import { fitModel } from './fit-model';
import { JointError, jointProblem, type JointDoc } from './joint-document';
import { fitJoint, fitSequential, prepareJointObjective } from './joint-fit';
import { defaultFitSettings } from './settings';

const DIR = fileURLToPath(new URL('../../../../shared/data/autofit-example-1d/', import.meta.url));

function readFolder(folder: string): { dataset: Dataset; truth: Record<string, number> } {
  const files = ['data.json', 'noise_map.json'].map((f) => ({ name: `${folder}/${f}`, bytes: new Uint8Array(readFileSync(`${DIR}/${folder}/${f}`)) }));
  const { datasets, errors } = readDataFiles(files);
  expect(errors).toEqual([]);
  expect(datasets[0].sigma).toBeDefined();
  const truth = JSON.parse(readFileSync(`${DIR}/${folder}/model.json`, 'utf8')).arguments as Record<string, number>;
  return { dataset: datasets[0], truth };
}

function gaussianModel(values: { A: number; sigma: number; centre: number }): ModelDoc {
  const empty: ModelDoc = { components: [] };
  return edit.addComponent(empty, edit.newComponent(empty, 'Gaussian', undefined, values));
}

function formulaModel(expr: string, values: Record<string, number>): ModelDoc {
  const empty: ModelDoc = { components: [] };
  const c = edit.newComponent(empty, EXPRESSION_TYPE, { expr }, values);
  return edit.addComponent(empty, { ...c, name: '' });
}

const settings = defaultFitSettings();
const within3 = (value: number, error: number | null, truth: number): boolean => error !== null && Math.abs(value - truth) < 3 * error;
const show = (label: string, truth: number, p: { value: number; error: number | null }) =>
  console.log(`${label.padEnd(22)} truth ${String(truth).padEnd(6)} fit ${p.value.toFixed(4)} ± ${p.error?.toFixed(4)}`);

describe('PyAutoFit gaussian_x1_variable: shared centre, normalization and sigma free per dataset', () => {
  const folders = ['sigma_0', 'sigma_1', 'sigma_2'].map((s) => readFolder(`gaussian_x1_variable/${s}`));
  const datasets = folders.map((f) => f.dataset);
  const model = gaussianModel({ A: 30, sigma: 15, centre: 45 });
  const joint: JointDoc = { perDataset: ['Gaussian.A', 'Gaussian.sigma'], datasetVars: [], relations: [] };

  it('recovers the truths within 3 errors with 1 + 3*2 = 7 free parameters', () => {
    const r = fitJoint(datasets, model, joint, settings);
    expect(r.converged).toBe(true);
    expect(r.totalFree).toBe(7);
    expect(r.parameterOrder).toEqual([
      'Gaussian.A[0]', 'Gaussian.A[1]', 'Gaussian.A[2]',
      'Gaussian.sigma[0]', 'Gaussian.sigma[1]', 'Gaussian.sigma[2]',
      'Gaussian.centre',
    ]);
    expect(r.dof).toBe(300 - 7);
    expect(r.datasets.map((d) => d.nPoints)).toEqual([100, 100, 100]);
    expect(r.datasets.reduce((s, d) => s + d.statistic, 0)).toBeCloseTo(r.statistic.value, 9);
    expect(r.errorsScaled).toBe(false);
    show('Gaussian.centre', folders[0].truth.centre, r.parameters['Gaussian.centre']);
    expect(within3(r.parameters['Gaussian.centre'].value, r.parameters['Gaussian.centre'].error, folders[0].truth.centre)).toBe(true);
    folders.forEach((f, i) => {
      const A = r.parameters[`Gaussian.A[${i}]`];
      const s = r.parameters[`Gaussian.sigma[${i}]`];
      show(`Gaussian.A[${i}]`, f.truth.normalization, A);
      show(`Gaussian.sigma[${i}]`, f.truth.sigma, s);
      expect(within3(A.value, A.error, f.truth.normalization)).toBe(true);
      expect(within3(s.value, s.error, f.truth.sigma)).toBe(true);
      expect(r.datasetValues[i]['Gaussian.sigma']).toBe(s.value);
      expect(r.datasetValues[i]['Gaussian.centre']).toBe(r.parameters['Gaussian.centre'].value);
    });
    expect(Object.keys(r.values)).toEqual([...r.parameterOrder.slice(0, 6), 'Gaussian.centre']);
  });

  it('a relation sigma = m*x + c over x = 1, 2, 3 (truth m = 10, c = 0) reproduces the per-dataset sigmas', () => {
    const rel: JointDoc = {
      perDataset: ['Gaussian.A'],
      datasetVars: [{ x: 1 }, { x: 2 }, { x: 3 }],
      relations: [{ param: 'Gaussian.sigma', expr: 'm*x + c', params: {} }],
    };
    const r = fitJoint(datasets, model, rel, settings);
    expect(r.converged).toBe(true);
    expect(r.totalFree).toBe(1 + 3 + 2);
    expect(r.parameterOrder).toEqual(['Gaussian.A[0]', 'Gaussian.A[1]', 'Gaussian.A[2]', 'Gaussian.centre', 'm', 'c']);
    show('m', 10, r.parameters.m);
    show('c', 0, r.parameters.c);
    expect(within3(r.parameters.m.value, r.parameters.m.error, 10)).toBe(true);
    expect(within3(r.parameters.c.value, r.parameters.c.error, 0)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const d = r.derived[`Gaussian.sigma[${i}]`];
      expect(d.value).toBeCloseTo(r.parameters.m.value * (i + 1) + r.parameters.c.value, 10);
      expect(r.values[`Gaussian.sigma[${i}]`]).toBe(d.value);
      // propagated error: var(m x + c) = x^2 Vmm + 2 x Vmc + Vcc
      const im = r.parameterOrder.indexOf('m');
      const ic = r.parameterOrder.indexOf('c');
      const C = r.covariance!;
      const x = i + 1;
      expect(d.error).toBeCloseTo(Math.sqrt(x * x * C[im][im] + 2 * x * C[im][ic] + C[ic][ic]), 12);
      expect(within3(d.value, d.error, folders[i].truth.sigma)).toBe(true);
    }
  });
});

describe('PyAutoFit gaussian_x1_identical: the joint fit of three copies', () => {
  const folders = [0, 1, 2].map((i) => readFolder(`gaussian_x1_identical_${i}`));
  const datasets = folders.map((f) => f.dataset);
  const model = gaussianModel({ A: 20, sigma: 8, centre: 45 });

  it('errors are about the single-fit errors / sqrt(3)', () => {
    const joint = fitJoint(datasets, model, { perDataset: [], datasetVars: [], relations: [] }, settings);
    const singles = fitSequential(datasets, model, settings);
    expect(joint.totalFree).toBe(3);
    expect(joint.converged).toBe(true);
    const truth = { 'Gaussian.A': folders[0].truth.normalization, 'Gaussian.sigma': folders[0].truth.sigma, 'Gaussian.centre': folders[0].truth.centre };
    for (const [key, t] of Object.entries(truth)) {
      const mean = singles.reduce((s, r) => s + r.parameters[key].error!, 0) / 3;
      const p = joint.parameters[key];
      show(key, t, p);
      console.log(`  single-fit errors ${singles.map((r) => r.parameters[key].error!.toFixed(4)).join(', ')}; /sqrt(3) = ${(mean / Math.sqrt(3)).toFixed(4)}`);
      expect(within3(p.value, p.error, t)).toBe(true);
      expect(Math.abs(p.error! / (mean / Math.sqrt(3)) - 1)).toBeLessThan(0.15);
    }
  });

  it('an all-shared joint fit is the fit of the concatenated data', () => {
    const joint = fitJoint(datasets, model, { perDataset: [], datasetVars: [], relations: [] }, settings);
    const cat = (f: (d: Dataset) => Float64Array) => Float64Array.from(datasets.flatMap((d) => Array.from(f(d))));
    const all = makeSpectrum('all', cat((d) => d.coords.x), cat((d) => d.values), cat((d) => d.sigma!));
    const single = fitModel(all, model, settings);
    for (const key of single.parameterOrder) {
      expect(joint.parameters[key].value).toBeCloseTo(single.parameters[key].value, 7);
      expect(joint.parameters[key].error).toBeCloseTo(single.parameters[key].error!, 7);
    }
    expect(joint.statistic.value).toBeCloseTo(single.statistic.value, 8);
  });
});

/** Gaussian peaks on x = 0..99 with sigma_d = m*x_d + c, area A_d = 10*x_d^1.5, centre 50, noise sd 0.02 (seeded). */
function simulateRelation(seed: number, m: number, c: number): Dataset[] {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: 100 }, (_, i) => i);
  return [1, 2, 3, 4, 5].map((xv) => {
    const sigma = m * xv + c;
    const A = 10 * xv ** 1.5;
    const y = x.map((t) => (A / (sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((t - 50) / sigma) ** 2) + rng.normal(0, 0.02));
    return makeSpectrum(`sim_${xv}`, x, y, new Float64Array(100).fill(0.02));
  });
}

describe('relations between datasets (simulated)', () => {
  const datasets = simulateRelation(7, 2, 5);
  const vars = [1, 2, 3, 4, 5].map((x) => ({ x }));

  it('recovers m and c of sigma = m*x + c within 3 errors (5 datasets)', () => {
    const model = gaussianModel({ A: 30, sigma: 8, centre: 48 });
    const joint: JointDoc = { perDataset: ['Gaussian.A'], datasetVars: vars, relations: [{ param: 'Gaussian.sigma', expr: 'm*x + c', params: {} }] };
    const r = fitJoint(datasets, model, joint, settings);
    expect(r.converged).toBe(true);
    expect(r.totalFree).toBe(5 + 1 + 2);
    show('m', 2, r.parameters.m);
    show('c', 5, r.parameters.c);
    show('Gaussian.centre', 50, r.parameters['Gaussian.centre']);
    expect(within3(r.parameters.m.value, r.parameters.m.error, 2)).toBe(true);
    expect(within3(r.parameters.c.value, r.parameters.c.error, 5)).toBe(true);
    expect(within3(r.parameters['Gaussian.centre'].value, r.parameters['Gaussian.centre'].error, 50)).toBe(true);
    expect(r.reducedStatistic!).toBeGreaterThan(0.7);
    expect(r.reducedStatistic!).toBeLessThan(1.3);
  });

  it('two relations with log10, ln and division: A = 10^(p*log10(x) + q), sigma = c*(1 + m*ln(e^x)/c)', () => {
    const model = gaussianModel({ A: 30, sigma: 8, centre: 48 });
    const joint: JointDoc = {
      perDataset: [],
      datasetVars: vars,
      relations: [
        { param: 'Gaussian.A', expr: '10^(p*log10(x) + q)', params: { p: { value: 1, lower: null, upper: null, fixed: false } } },
        { param: 'Gaussian.sigma', expr: 'c*(1 + m*ln(e^x)/c)', params: {} },
      ],
    };
    const r = fitJoint(datasets, model, joint, settings);
    expect(r.converged).toBe(true);
    expect(r.totalFree).toBe(1 + 4);
    for (const [k, t] of [['p', 1.5], ['q', 1], ['m', 2], ['c', 5]] as const) {
      show(k, t, r.parameters[k]);
      expect(within3(r.parameters[k].value, r.parameters[k].error, t)).toBe(true);
    }
  });

  it('the stacked Jacobian matches finite differences through the relations', () => {
    const model = gaussianModel({ A: 30, sigma: 8, centre: 48 });
    const joint: JointDoc = {
      perDataset: ['Gaussian.centre'],
      datasetVars: vars,
      relations: [
        { param: 'Gaussian.A', expr: '10^(p*log10(x) + q)', params: {} },
        { param: 'Gaussian.sigma', expr: 'c + m*x/(1 + 0.1*x)', params: {} },
      ],
    };
    const o = prepareJointObjective(datasets, model, joint, settings);
    expect(o.keys).toEqual(['Gaussian.centre[0]', 'Gaussian.centre[1]', 'Gaussian.centre[2]', 'Gaussian.centre[3]', 'Gaussian.centre[4]', 'p', 'q', 'c', 'm']);
    const ls = o.leastSquares({ jacobianAlongside: true });
    const theta = Float64Array.from([49, 50, 51, 50.5, 49.5, 1.3, 1.1, 4, 2.5]);
    const J = new Float64Array(o.m * o.n);
    ls.jacobian(theta, J);
    expect(worstJacobianError(ls, theta)).toBeLessThan(1e-5);
    // the scalar gradient (cash path) chains the same way
    const sp = prepareJointObjective(datasets, model, joint, { ...settings, statistic: 'gauss' }).scalar();
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
  });
});

/** Solves the small dense system A x = b (Gaussian elimination with partial pivoting); returns x and A^-1. */
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

describe('linear joint fit against the closed-form least-squares solution', () => {
  // y_d(x) = a x + b_d: shared slope, intercept per dataset; Gaussian noise with known sigma
  const D = 4;
  const rng = createRng(11);
  const truthB = [1, -2, 0.5, 3];
  const datasets = truthB.map((b, d) => {
    const x = Float64Array.from({ length: 12 + d }, (_, i) => i * 0.7 + d * 0.3);
    const s = x.map((_, i) => 0.1 + 0.05 * ((i + d) % 3));
    const y = x.map((v, i) => 1.7 * v + b + rng.normal(0, s[i]));
    return makeSpectrum(`line_${d}`, x, y, s);
  });
  const model = formulaModel('a*x + b', { a: 1, b: 0 });
  const joint: JointDoc = { perDataset: ['b'], datasetVars: [], relations: [] };

  /** normal equations over [a, b_0..b_{D-1}] with weights w = 1/sigma^2 (w = 1 when unweighted) */
  function exact(weighted: boolean) {
    const n = D + 1;
    const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const rhs = new Array<number>(n).fill(0);
    let points = 0;
    datasets.forEach((ds, d) => {
      for (let i = 0; i < ds.values.length; i++) {
        const w = weighted ? 1 / ds.sigma![i] ** 2 : 1;
        const row = new Array<number>(n).fill(0);
        row[0] = ds.coords.x[i];
        row[1 + d] = 1;
        for (let j = 0; j < n; j++) {
          rhs[j] += w * row[j] * ds.values[i];
          for (let k = 0; k < n; k++) A[j][k] += w * row[j] * row[k];
        }
        points++;
      }
    });
    const { x, inv } = solve(A, rhs);
    let rss = 0;
    datasets.forEach((ds, d) => {
      for (let i = 0; i < ds.values.length; i++) {
        const w = weighted ? 1 / ds.sigma![i] ** 2 : 1;
        rss += w * (ds.values[i] - x[0] * ds.coords.x[i] - x[1 + d]) ** 2;
      }
    });
    const scale = weighted ? 1 : rss / (points - n);
    return { x, errors: inv.map((row, i) => Math.sqrt(scale * row[i])), rss, points };
  }

  const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(b)));

  it('with sigma: values and errors to 1e-8', () => {
    const r = fitJoint(datasets, model, joint, settings);
    const e = exact(true);
    expect(r.parameterOrder).toEqual(['a', 'b[0]', 'b[1]', 'b[2]', 'b[3]']);
    close(r.parameters.a.value, e.x[0]);
    close(r.parameters.a.error!, e.errors[0]);
    console.log(`a: closed form ${e.x[0]} ± ${e.errors[0]}; joint fit ${r.parameters.a.value} ± ${r.parameters.a.error}`);
    for (let d = 0; d < D; d++) {
      close(r.parameters[`b[${d}]`].value, e.x[1 + d]);
      close(r.parameters[`b[${d}]`].error!, e.errors[1 + d]);
    }
    close(r.statistic.value, e.rss);
    expect(r.dof).toBe(e.points - (D + 1));
    expect(r.errorsScaled).toBe(false);
  });

  it('without sigma: errors scaled by chi2 / (all points - all free parameters)', () => {
    const bare = datasets.map((d) => ({ ...d, sigma: undefined }));
    const r = fitJoint(bare, model, joint, settings);
    const e = exact(false);
    expect(r.errorsScaled).toBe(true);
    close(r.parameters.a.value, e.x[0]);
    close(r.parameters.a.error!, e.errors[0]);
    for (let d = 0; d < D; d++) close(r.parameters[`b[${d}]`].error!, e.errors[1 + d]);
  });

  it('per-dataset start values, fixed parameters and twins behave as in a single fit', () => {
    const twinModel: ModelDoc = {
      components: [
        { name: 'L', type: EXPRESSION_TYPE, active: true, options: { expr: 'a*x + b' }, params: { a: { value: 1, lower: null, upper: null, fixed: false }, b: { value: 0, lower: null, upper: null, fixed: false } } },
        { name: 'K', type: EXPRESSION_TYPE, active: true, options: { expr: 'k + 0*x' }, params: { k: { value: 0, lower: null, upper: null, fixed: false, twin: { source: 'L.b', expr: '2*x' } } } },
        { name: 'F', type: EXPRESSION_TYPE, active: true, options: { expr: 'f + 0*x' }, params: { f: { value: 0.25, lower: null, upper: null, fixed: true } } },
      ],
    };
    const r = fitJoint(datasets, twinModel, { perDataset: ['L.b'], datasetVars: [], relations: [], perDatasetStart: { 'L.b': [1, -2, 0.5, 3] } }, settings);
    // y = a x + 3 b_d + 0.25: the same line, b_d' = (b_d - 0.25) / 3
    const e = exact(true);
    close(r.parameters['L.a'].value, e.x[0]);
    for (let d = 0; d < D; d++) {
      close(r.parameters[`L.b[${d}]`].value, (e.x[1 + d] - 0.25) / 3);
      expect(r.values[`K.k[${d}]`]).toBeCloseTo(2 * r.parameters[`L.b[${d}]`].value, 12);
    }
    expect(r.values['F.f']).toBe(0.25);
    expect(r.parameterOrder).not.toContain('F.f');
  });

  it('Cash statistic: minimised on the summed statistic (L-BFGS-B), all-shared equals the concatenated fit', () => {
    const rng2 = createRng(5);
    const counts = [0, 1].map((d) => {
      const x = Float64Array.from({ length: 40 }, (_, i) => i);
      const y = x.map((v) => rng2.poisson(20 * Math.exp(-0.5 * ((v - 20) / 4) ** 2) + 2));
      return makeSpectrum(`c${d}`, x, y);
    });
    const m = formulaModel('h*exp(-0.5*((x - x0)/w)^2) + bg', { h: 15, x0: 19, w: 5, bg: 1 });
    const cash = { ...settings, statistic: 'cash' as const };
    const r = fitJoint(counts, m, { perDataset: [], datasetVars: [], relations: [] }, cash);
    const all = makeSpectrum('all', [...counts[0].coords.x, ...counts[1].coords.x], [...counts[0].values, ...counts[1].values]);
    const s = fitModel(all, m, cash);
    expect(r.converged).toBe(true);
    for (const k of s.parameterOrder) {
      expect(r.parameters[k].value).toBeCloseTo(s.parameters[k].value, 4);
      expect(r.parameters[k].error!).toBeCloseTo(s.parameters[k].error!, 4);
    }
    const per = fitJoint(counts, m, { perDataset: ['bg'], datasetVars: [], relations: [] }, cash);
    expect(per.totalFree).toBe(5);
    expect(per.statistic.value).toBeLessThanOrEqual(r.statistic.value + 1e-9);
  });
});

describe('joint document validation', () => {
  const model = gaussianModel({ A: 1, sigma: 1, centre: 0 });
  const fixedModel = edit.updateParameter(model, 'Gaussian', 'centre', { fixed: true });
  const base: JointDoc = { perDataset: [], datasetVars: [{ x: 1 }, { x: 2 }], relations: [] };
  const problem = (j: Partial<JointDoc>, m: ModelDoc = model) => jointProblem({ ...base, ...j }, m, 2, ['a.csv', 'b.csv']);

  it('names unknown keys, conflicts, fixed parameters and missing variables', () => {
    expect(problem({ perDataset: ['Gaussian.width'] })).toBe('Unknown parameter "Gaussian.width" in the per-dataset list (parameters: Gaussian.A, Gaussian.sigma, Gaussian.centre)');
    expect(problem({ perDataset: ['Gaussian.sigma'], relations: [{ param: 'Gaussian.sigma', expr: 'm*x', params: {} }] })).toContain('free per dataset and also given by the relation');
    expect(problem({ perDataset: ['Gaussian.centre'] }, fixedModel)).toContain('Gaussian.centre is fixed');
    expect(problem({ datasetVars: [{ x: 1 }, { T: 2 }], relations: [{ param: 'Gaussian.sigma', expr: 'm*x + c', params: {} }] })).toBe(
      'dataset 1 (b.csv) has no value for the variable x used by the relation Gaussian.sigma = m*x + c',
    );
    expect(problem({ relations: [{ param: 'Gaussian.sigma', expr: 'm*x', params: {} }, { param: 'Gaussian.sigma', expr: 'x', params: {} }] })).toContain('two relations');
    expect(problem({ relations: [{ param: 'Gaussian.sigma', expr: 'm*x', params: { q: { value: 1, lower: null, upper: null, fixed: false } } }] })).toContain('no hyperparameter "q"');
    expect(problem({ datasetVars: [{ pi: 1 }, { pi: 2 }] })).toContain('built-in constant');
    expect(problem({ perDataset: ['Gaussian.A'], perDatasetStart: { 'Gaussian.A': [1] } })).toContain('1 values for 2 datasets');
    expect(problem({ datasetVars: [{ x: 1 }, { x: 2 }, { x: 3 }] })).toContain('3 datasets, but there are 2');
    expect(problem({ perDataset: ['Gaussian.A'] })).toBeNull();
  });

  it('expression errors carry the position in the relation', () => {
    expect(jointProblem({ ...base, relations: [{ param: 'Gaussian.sigma', expr: 'm*x +', params: {} }] }, model, 2)).toMatch(/position 5/);
    let err: JointError | null = null;
    try {
      fitJoint([makeSpectrum('a', [1, 2], [1, 2]), makeSpectrum('b', [1, 2], [1, 2])], model, { ...base, relations: [{ param: 'Gaussian.sigma', expr: 'm*x +', params: {} }] }, settings);
    } catch (e) {
      err = e as JointError;
    }
    expect(err).toBeInstanceOf(JointError);
    expect(err!.relation).toBe(0);
    expect(err!.position).toBe(5);
    expect(err!.message).toMatch(/^Relation Gaussian\.sigma = m\*x \+: .*position 5/);
  });
});
