/**
 * fitJoint: one model catalogue, several datasets, one fit (PyAutoFit's factor-graph fit of a shared
 * model, with `with_free_parameters` and relations between datasets; gammapy's joint fit of datasets
 * with different models). fitSequential: each dataset alone.
 *
 * Each dataset uses all active components or the subset JointDoc.components names (its model is the
 * session model with the other components inactive). The global free vector is: the union of the
 * datasets' free parameters in model order, where a shared parameter has one entry (used by every
 * dataset whose model has it) and a per-dataset parameter one entry per dataset that uses it
 * (`key[i]`), followed by the free hyperparameters of the relations. A parameter given by a relation has no entry of its own: in
 * dataset i its value is f(vars_i; h), and the chain rule dm/dh = dm/dp * df/dh (df/dh analytic,
 * CompiledExpression.scalarDerivative) carries its Jacobian column onto the hyperparameters.
 *
 * Each dataset's model is compiled once (on its own fit view); every evaluation maps the global
 * vector into that dataset's local free vector and stacks the residual blocks
 * r = (y - m) / sigma of all datasets, with a column-major global Jacobian. chi2 / gauss are
 * minimised by Levenberg-Marquardt on the stacked residuals (the summed chi-square); cash /
 * poisson by L-BFGS-B on the summed statistic. Errors: covariance from the stacked Jacobian,
 * scaled by chi2/dof (dof = all points - all free parameters) only when no dataset carries sigma.
 * Relation values get errors propagated from the hyperparameters' covariance (g^T C g).
 */
import type { Dataset } from '../data/dataset';
import type { CompiledModel } from '../model/compile';
import { compileForView } from './compile-view';
import type { ModelDoc } from '../model/document';
import { levenbergMarquardt } from '../optimize/lm';
import type { LeastSquaresProblem, OptimizeOptions, OptimizeProgress, OptimizeResult, ScalarProblem } from '../optimize/problem';
import { nelderMead } from '../optimize/simplex';
import { fitLeastSquaresRobust, minimizeScalar } from '../optimize/strategy';
import { sumOfSquaresProblem } from '../optimize/sum-of-squares';
import { getStatistic, type Statistic } from '../stats';
import { covarianceFromJacobian, covarianceFromModelJacobian, type CovarianceResult } from '../uncertainty/covariance';
import { checkData, checkStart, FitError, fitModel, type FitCallbacks } from './fit-model';
import { makeFitView, type FitView } from './fit-view';
import { perDatasetKey, resolveJoint, type JointDoc, type ResolvedJoint } from './joint-document';
import type { FitResult, ParameterResult } from './result';
import type { FitSettings } from './settings';

export interface JointDatasetSummary {
  name: string;
  /** this dataset's share of the statistic at the end point */
  statistic: number;
  nPoints: number;
}

/** A parameter value fixed by a relation in one dataset, with the error propagated from the hyperparameters. */
export interface DerivedValue {
  value: number;
  error: number | null;
  errorReason?: string;
  /** `<param> = <expr>` */
  relation: string;
  dataset: number;
}

export interface JointFitResult extends FitResult {
  datasets: JointDatasetSummary[];
  /** number of free parameters of the joint fit (PyAutoFit's "Total Free Parameters") */
  totalFree: number;
  /** every parameter's value in each dataset under its plain model key (setValues(model, datasetValues[i]) draws dataset i) */
  datasetValues: Record<string, number>[];
  /** values given by relations, keyed `<key>[i]` */
  derived: Record<string, DerivedValue>;
  /** the active components each dataset's model uses (model order; every active one unless JointDoc.components says otherwise) */
  datasetComponents: string[][];
  /** global keys (parameterOrder, hyperparameters excluded) that only some datasets use -> those datasets */
  keyDatasets: Record<string, number[]>;
}

interface Block {
  name: string;
  /** dataset index */
  index: number;
  view: FitView;
  sigma: Float64Array | null;
  /** this dataset's model: the components it uses */
  compiled: CompiledModel;
  /** number of local free parameters (compiled.nFree) */
  nLocal: number;
  /** first row of this dataset in the stacked residuals */
  offset: number;
  n: number;
  negInvSigma: Float64Array;
  model: Float64Array;
  /** local free vector */
  local: Float64Array;
  /** local Jacobian, column-major n x nLocal */
  jl: Float64Array;
  /** global index of each local free parameter, -1 for a relation's parameter */
  src: Int32Array;
  vars: Map<string, number>;
  /** per relation: d value / d hyperparameter (compiled.parameters order) */
  relDeriv: Float64Array[];
  /** local free index of each relation's parameter, -1 where this dataset's model lacks it */
  relLocal: Int32Array;
  /** local free index -> relation index or -1 */
  relOf: Int32Array;
  /** local free index -> 1 when free per dataset */
  perDatasetLocal: Uint8Array;
}

/** Everything a joint fit (or a later uncertainty tool) needs: the stacked problem and the global parameter map. */
export interface JointObjective {
  stat: Statistic;
  resolved: ResolvedJoint;
  blocks: Block[];
  /** global free keys */
  keys: string[];
  theta0: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** total points (rows of the stacked residuals) */
  m: number;
  /** global free parameters */
  n: number;
  /** every dataset carries sigma / none does */
  allSigma: boolean;
  noSigma: boolean;
  /** global index of each hyperparameter, -1 when fixed */
  hyperGlobal: Int32Array;
  /** global free index (model parameters only) -> datasets that use it */
  keyDatasets: number[][];
  /** fills each block's local vector from theta (with relation derivatives when asked) */
  mapToLocal(theta: ArrayLike<number>, withDerivatives: boolean): void;
  leastSquares(options?: { jacobianAlongside?: boolean }): LeastSquaresProblem;
  scalar(): ScalarProblem;
  /** stacked model values (length m) and, when J is given, the model Jacobian dm/dtheta (m x n row-major) */
  modelAndJacobian(theta: ArrayLike<number>, model: Float64Array, J: Float64Array | null): void;
}

function sameVector(a: ArrayLike<number>, b: Float64Array): boolean {
  for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function clampInto(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/**
 * Starting values of hyperparameters that have none: a small least-squares fit that makes every
 * relation reproduce its parameter's starting value in every dataset (`sigma = m*x + c` with
 * sigma = 1 starts at m = 0, c = 1), so the joint fit starts where a plain fit would.
 */
function startHyperparameters(resolved: ResolvedJoint, target: number[], values: Float64Array, relDatasets: number[][]): void {
  const freeH: number[] = [];
  resolved.hyper.forEach((h, i) => {
    if (!h.explicit && !h.doc.fixed && !(h.doc.lower !== null && h.doc.lower === h.doc.upper)) freeH.push(i);
  });
  if (freeH.length === 0) return;
  const rels = resolved.relations
    .map((r, ri) => ({ r, ri, ds: relDatasets[ri], row: 0 }))
    .filter(({ r, ds }) => ds.length > 0 && r.hyper.some((h) => freeH.includes(h)));
  let m = 0;
  for (const q of rels) {
    q.row = m;
    m += q.ds.length;
  }
  const lower = Float64Array.from(freeH, (h) => resolved.hyper[h].doc.lower ?? -Infinity);
  const upper = Float64Array.from(freeH, (h) => resolved.hyper[h].doc.upper ?? Infinity);
  const all = Float64Array.from(values);
  const ps = rels.map(({ r }) => new Float64Array(r.compiled.parameters.length));
  const load = (theta: ArrayLike<number>, q: number): Float64Array => {
    freeH.forEach((h, j) => (all[h] = theta[j]));
    const p = ps[q];
    rels[q].r.hyper.forEach((h, j) => (p[j] = all[h]));
    return p;
  };
  const problem: LeastSquaresProblem = {
    m,
    n: freeH.length,
    lower,
    upper,
    residuals(theta, res) {
      rels.forEach(({ r, ri, ds, row }, q) => {
        const p = load(theta, q);
        ds.forEach((d, k) => (res[row + k] = r.compiled.scalar(resolved.vars[d], p) - target[ri]));
      });
    },
    jacobian(theta, J) {
      const n = freeH.length;
      J.fill(0);
      rels.forEach(({ r, ds, row }, q) => {
        const p = load(theta, q);
        ds.forEach((d, k) => {
          r.hyper.forEach((h, j) => {
            const col = freeH.indexOf(h);
            if (col >= 0) J[(row + k) * n + col] = r.compiled.scalarDerivative(r.compiled.parameters[j], resolved.vars[d], p);
          });
        });
      });
    },
  };
  const start = Float64Array.from(freeH, (h, j) => clampInto(values[h], lower[j], upper[j]));
  try {
    const res = levenbergMarquardt(problem, start, { maxIterations: 200 });
    if (res.theta.every((v) => Number.isFinite(v)) && Number.isFinite(res.statistic)) {
      freeH.forEach((h, j) => (values[h] = res.theta[j]));
    }
  } catch {
    // keep the plain starting values; the joint fit reports any real problem
  }
}

/** The model of one dataset: the components it does not use made inactive. */
function subsetModel(model: ModelDoc, used: string[]): ModelDoc {
  return { ...model, components: model.components.map((c) => (c.active && !used.includes(c.name) ? { ...c, active: false } : c)) };
}

/** Builds the stacked objective of a joint fit (validates data, model and joint document). */
export function prepareJointObjective(datasets: Dataset[], model: ModelDoc, joint: JointDoc, settings: FitSettings): JointObjective {
  if (datasets.length === 0) throw new FitError('A joint fit needs at least one dataset');
  const stat = getStatistic(settings.statistic);
  const nD = datasets.length;
  const resolved = resolveJoint(joint, model, nD, datasets.map((d) => d.name));

  // compile each dataset's model (the components it uses) once, on its own fit view
  let offset = 0;
  const partial = datasets.map((dataset, d) => {
    const view = makeFitView(dataset, settings.ranges);
    const sigma = checkData(view, stat, dataset.name);
    const compiled = compileForView(resolved.subsets ? subsetModel(model, resolved.datasetComponents[d]) : model, dataset, view);
    const o = offset;
    offset += view.n;
    return { name: dataset.name, index: d, view, sigma, compiled, offset: o, n: view.n, nLocal: compiled.layout.freeKeys.length };
  });
  const M = offset;

  // free keys of each component (from the first dataset that uses it; the others must agree)
  const componentKeys = new Map<string, { keys: string[]; from: number }>();
  for (const p of partial) {
    const layout = p.compiled.layout;
    const mine = new Map<string, string[]>();
    for (const c of p.compiled.componentNames) mine.set(c, []);
    layout.freeSlots.forEach((slot, k) => mine.get(layout.slots[slot].component)?.push(layout.freeKeys[k]));
    for (const [c, keys] of mine) {
      const seen = componentKeys.get(c);
      if (!seen) componentKeys.set(c, { keys, from: p.index });
      else if (keys.length !== seen.keys.length || keys.some((k, i) => k !== seen.keys[i])) {
        throw new FitError(
          `${p.name}: the model has other free parameters on this dataset (${keys.join(', ')}) than on ${partial[seen.from].name} (${seen.keys.join(', ')}); give the datasets the same coordinates`,
        );
      }
    }
  }
  // the union of the datasets' free keys, in model order, with the datasets that use each
  const unionKeys: string[] = [];
  for (const c of model.components) {
    const ck = componentKeys.get(c.name);
    if (c.active && ck) unionKeys.push(...ck.keys);
  }
  const usedBy = new Map<string, number[]>(unionKeys.map((k) => [k, [] as number[]]));
  for (const p of partial) for (const k of p.compiled.layout.freeKeys) usedBy.get(k)!.push(p.index);

  const perBlock = partial.map((p) => {
    const freeKeys = p.compiled.layout.freeKeys;
    const relOf = new Int32Array(p.nLocal).fill(-1);
    const perDatasetLocal = new Uint8Array(p.nLocal);
    const relLocal = new Int32Array(resolved.relations.length).fill(-1);
    resolved.relations.forEach((r, ri) => {
      const k = freeKeys.indexOf(r.param);
      if (k < 0) {
        if (resolved.keyDatasets.get(r.param)?.includes(p.index)) throw new FitError(`${r.param} is not a free parameter of the model; a relation needs one`);
        return;
      }
      relOf[k] = ri;
      relLocal[ri] = k;
    });
    for (const key of resolved.perDataset) {
      const k = freeKeys.indexOf(key);
      if (k < 0) {
        if (resolved.keyDatasets.get(key)?.includes(p.index)) throw new FitError(`${key} is not a free parameter of the model; it cannot be free per dataset`);
        continue;
      }
      perDatasetLocal[k] = 1;
    }
    return { relOf, perDatasetLocal, relLocal, src: new Int32Array(p.nLocal).fill(-1) };
  });

  // global vector: model parameters in model order (per-dataset ones once per dataset that uses them), then hyperparameters
  const keys: string[] = [];
  const keyDatasets: number[][] = [];
  const theta0: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  const related = new Set(resolved.relations.map((r) => r.param));
  const perDataset = new Set(resolved.perDataset);
  for (const key of unionKeys) {
    if (related.has(key)) continue;
    const users = usedBy.get(key)!;
    const first = partial[users[0]].compiled.layout;
    const kf = first.freeKeys.indexOf(key);
    const push = (name: string, start: number, ds: number[]): void => {
      for (const d of ds) perBlock[d].src[partial[d].compiled.layout.freeKeys.indexOf(key)] = keys.length;
      keys.push(name);
      keyDatasets.push(ds);
      theta0.push(start);
      lower.push(first.lower[kf]);
      upper.push(first.upper[kf]);
    };
    if (perDataset.has(key)) {
      const starts = resolved.perDatasetStart[key];
      for (const d of users) push(perDatasetKey(key, d), starts ? starts[d] : first.theta0[kf], [d]);
    } else push(key, first.theta0[kf], users);
  }
  const relDatasets = resolved.relations.map((r) => usedBy.get(r.param) ?? []);
  const hyperValues = Float64Array.from(resolved.hyper, (h) => h.doc.value);
  startHyperparameters(
    resolved,
    resolved.relations.map((r, ri) => {
      const ds = relDatasets[ri];
      if (ds.length === 0) return NaN;
      const layout = partial[ds[0]].compiled.layout;
      return layout.theta0[layout.freeKeys.indexOf(r.param)];
    }),
    hyperValues,
    relDatasets,
  );
  const hyperGlobal = new Int32Array(resolved.hyper.length).fill(-1);
  resolved.hyper.forEach((h, i) => {
    const lo = h.doc.lower ?? -Infinity;
    const hi = h.doc.upper ?? Infinity;
    if (h.doc.fixed || lo === hi) return;
    hyperGlobal[i] = keys.length;
    keys.push(h.name);
    theta0.push(h.explicit ? h.doc.value : clampInto(hyperValues[i], lo, hi));
    lower.push(lo);
    upper.push(hi);
  });
  const N = keys.length;

  const blocks: Block[] = partial.map((p, d) => {
    const negInvSigma = new Float64Array(p.n);
    for (let i = 0; i < p.n; i++) negInvSigma[i] = p.sigma ? -1 / p.sigma[i] : -1;
    return {
      ...p,
      ...perBlock[d],
      negInvSigma,
      model: new Float64Array(p.n),
      local: new Float64Array(p.nLocal),
      jl: new Float64Array(p.n * p.nLocal),
      vars: resolved.vars[d],
      relDeriv: resolved.relations.map((r) => new Float64Array(r.compiled.parameters.length)),
    };
  });
  const relP = resolved.relations.map((r) => new Float64Array(r.compiled.parameters.length));

  const mapToLocal = (theta: ArrayLike<number>, withDerivatives: boolean): void => {
    for (let ri = 0; ri < resolved.relations.length; ri++) {
      const r = resolved.relations[ri];
      const p = relP[ri];
      for (let j = 0; j < r.hyper.length; j++) {
        const g = hyperGlobal[r.hyper[j]];
        p[j] = g >= 0 ? theta[g] : hyperValues[r.hyper[j]];
      }
    }
    for (const b of blocks) {
      for (let k = 0; k < b.nLocal; k++) if (b.src[k] >= 0) b.local[k] = theta[b.src[k]];
      for (let ri = 0; ri < resolved.relations.length; ri++) {
        const kr = b.relLocal[ri];
        if (kr < 0) continue;
        const r = resolved.relations[ri];
        const p = relP[ri];
        b.local[kr] = r.compiled.scalar(b.vars, p);
        if (withDerivatives) {
          const dv = b.relDeriv[ri];
          for (let j = 0; j < r.hyper.length; j++) {
            dv[j] = hyperGlobal[r.hyper[j]] >= 0 ? r.compiled.scalarDerivative(r.compiled.parameters[j], b.vars, p) : 0;
          }
        }
      }
    }
  };

  /** adds block b's local columns (already scaled as wanted) into the global column-major Jc (M rows) */
  const scatterColumns = (b: Block, Jc: Float64Array): void => {
    const n = b.n;
    const jl = b.jl;
    for (let k = 0; k < b.nLocal; k++) {
      const g = b.src[k];
      if (g < 0) continue;
      const o = g * M + b.offset;
      const lo = k * n;
      for (let i = 0; i < n; i++) Jc[o + i] += jl[lo + i];
    }
    for (let ri = 0; ri < resolved.relations.length; ri++) {
      const kr = b.relLocal[ri];
      if (kr < 0) continue;
      const r = resolved.relations[ri];
      const lo = kr * n;
      const dv = b.relDeriv[ri];
      for (let j = 0; j < r.hyper.length; j++) {
        const g = hyperGlobal[r.hyper[j]];
        const f = dv[j];
        if (g < 0 || f === 0) continue;
        const o = g * M + b.offset;
        for (let i = 0; i < n; i++) Jc[o + i] += f * jl[lo + i];
      }
    }
  };

  /** the model values of every block and the global column-major Jacobian (of the residuals when `residualScale`) */
  const fillColumns = (theta: ArrayLike<number>, Jc: Float64Array, residualScale: boolean): void => {
    mapToLocal(theta, true);
    Jc.fill(0);
    for (const b of blocks) {
      b.compiled.evaluateWithJacobianColumns(b.local, b.model, b.jl);
      if (residualScale) {
        const s = b.negInvSigma;
        for (let k = 0; k < b.nLocal; k++) {
          const o = k * b.n;
          for (let i = 0; i < b.n; i++) b.jl[o + i] *= s[i];
        }
      }
      scatterColumns(b, Jc);
    }
  };

  const evaluateAll = (theta: ArrayLike<number>): void => {
    mapToLocal(theta, false);
    for (const b of blocks) b.compiled.evaluate(b.local, b.model);
  };

  const residualsFromModels = (r: Float64Array): void => {
    for (const b of blocks) {
      const y = b.view.y;
      const o = b.offset;
      if (b.sigma) for (let i = 0; i < b.n; i++) r[o + i] = (y[i] - b.model[i]) / b.sigma[i];
      else for (let i = 0; i < b.n; i++) r[o + i] = y[i] - b.model[i];
    }
  };

  const lowerA = Float64Array.from(lower);
  const upperA = Float64Array.from(upper);

  const leastSquares = (options: { jacobianAlongside?: boolean } = {}): LeastSquaresProblem => {
    const lastTheta = new Float64Array(N);
    const lastJc = new Float64Array(M * N);
    let cached = false;
    const alongside = options.jacobianAlongside ?? false;
    const fill = (theta: ArrayLike<number>): void => {
      fillColumns(theta, lastJc, true);
      lastTheta.set(theta);
      cached = true;
    };
    const ensure = (theta: ArrayLike<number>): void => {
      if (!cached || !sameVector(theta, lastTheta)) fill(theta);
    };
    return {
      m: M,
      n: N,
      lower: lowerA,
      upper: upperA,
      residuals(theta, r) {
        if (alongside) fill(theta);
        else evaluateAll(theta);
        residualsFromModels(r);
      },
      jacobian(theta, J) {
        ensure(theta);
        for (let k = 0; k < N; k++) {
          const o = k * M;
          for (let i = 0; i < M; i++) J[i * N + k] = lastJc[o + i];
        }
      },
      jacobianColumns(theta, Jc) {
        ensure(theta);
        Jc.set(lastJc);
      },
    };
  };

  const scalar = (): ScalarProblem => {
    const maxN = blocks.reduce((a, b) => Math.max(a, b.n), 0);
    const dS = new Float64Array(maxN);
    return {
      n: N,
      lower: lowerA,
      upper: upperA,
      value(theta) {
        evaluateAll(theta);
        let s = 0;
        for (const b of blocks) s += stat.value(b.view.y, b.model, b.sigma, null, b.n);
        return s;
      },
      valueAndGradient(theta, g) {
        mapToLocal(theta, true);
        g.fill(0);
        let s = 0;
        for (const b of blocks) {
          b.compiled.evaluateWithJacobianColumns(b.local, b.model, b.jl);
          s += stat.valueAndDerivative(b.view.y, b.model, b.sigma, null, b.n, dS);
          // local gradient, then the same chain as the Jacobian columns
          const n = b.n;
          const gl = (k: number): number => {
            let t = 0;
            const o = k * n;
            for (let i = 0; i < n; i++) t += dS[i] * b.jl[o + i];
            return t;
          };
          for (let k = 0; k < b.nLocal; k++) {
            const gk = b.src[k];
            if (gk >= 0) g[gk] += gl(k);
          }
          for (let ri = 0; ri < resolved.relations.length; ri++) {
            const kr = b.relLocal[ri];
            if (kr < 0) continue;
            const r = resolved.relations[ri];
            const gr = gl(kr);
            const dv = b.relDeriv[ri];
            for (let j = 0; j < r.hyper.length; j++) {
              const gh = hyperGlobal[r.hyper[j]];
              if (gh >= 0) g[gh] += dv[j] * gr;
            }
          }
        }
        return s;
      },
    };
  };

  const modelAndJacobian = (theta: ArrayLike<number>, model: Float64Array, J: Float64Array | null): void => {
    if (J) {
      const Jc = new Float64Array(M * N);
      fillColumns(theta, Jc, false);
      for (let k = 0; k < N; k++) {
        const o = k * M;
        for (let i = 0; i < M; i++) J[i * N + k] = Jc[o + i];
      }
    } else evaluateAll(theta);
    for (const b of blocks) model.set(b.model, b.offset);
  };

  return {
    stat,
    resolved,
    blocks,
    keys,
    theta0: Float64Array.from(theta0),
    lower: lowerA,
    upper: upperA,
    m: M,
    n: N,
    allSigma: blocks.every((b) => b.sigma !== null),
    noSigma: blocks.every((b) => b.sigma === null),
    hyperGlobal,
    keyDatasets,
    mapToLocal,
    leastSquares,
    scalar,
    modelAndJacobian,
  };
}

type RunResult = OptimizeResult & { method: string; problem: LeastSquaresProblem | null };

function runOptimizer(o: JointObjective, settings: FitSettings, options: OptimizeOptions): RunResult {
  const useLeastSquares = o.stat.leastSquaresEquivalent !== undefined;
  const method = settings.method;
  if (useLeastSquares && (method === 'auto' || method === 'lm')) {
    const ls = o.leastSquares({ jacobianAlongside: true });
    if (method === 'lm') return { ...levenbergMarquardt(ls, o.theta0, options), method: 'lm', problem: ls };
    const res = fitLeastSquaresRobust(ls, o.theta0, options);
    return { ...res, method: res.method, problem: ls };
  }
  if (method === 'lm') {
    throw new FitError(`Levenberg-Marquardt needs a least-squares statistic (chi-square or Gaussian); use L-BFGS-B or simplex for ${o.stat.name}`);
  }
  const ls = useLeastSquares ? o.leastSquares() : null;
  const scalar = ls ? sumOfSquaresProblem(ls) : o.scalar();
  if (method === 'simplex') return { ...nelderMead(scalar, o.theta0, options), method: 'simplex', problem: ls };
  return { ...minimizeScalar(scalar, o.theta0, { ...options, method: method === 'lbfgsb' ? 'lbfgsb' : 'auto' }), problem: ls };
}

function jointCovariance(o: JointObjective, theta: Float64Array, statValue: number, dof: number, ls: LeastSquaresProblem | null): CovarianceResult | null {
  const { m, n, stat } = o;
  if (n === 0) return null;
  const bounds = { theta, lower: o.lower, upper: o.upper };
  if (stat.name === 'chi2') {
    const J = new Float64Array(m * n);
    (ls ?? o.leastSquares()).jacobian(theta, J);
    return covarianceFromJacobian(J, m, n, { ...bounds, scaleByReducedChi2: o.noSigma, chi2: statValue, dof });
  }
  const model = new Float64Array(m);
  const J = new Float64Array(m * n);
  const d2 = new Float64Array(m);
  o.modelAndJacobian(theta, model, J);
  for (const b of o.blocks) {
    const part = new Float64Array(b.n);
    stat.secondDerivative(b.view.y, model.subarray(b.offset, b.offset + b.n), b.sigma, null, b.n, part);
    d2.set(part, b.offset);
  }
  return covarianceFromModelJacobian(J, d2, m, n, stat.errordef, bounds);
}

/** The slot's value differs between datasets (free per dataset, given by a relation, or twinned to such a parameter). */
function slotVaries(b: Block, s: number): boolean {
  const slots = b.compiled.layout.slots;
  let j = s;
  for (let steps = 0; slots[j].twinSource >= 0 && steps <= slots.length; steps++) j = slots[j].twinSource;
  const f = slots[j].free;
  return f >= 0 && (b.perDatasetLocal[f] === 1 || b.relOf[f] >= 0);
}

/** Fits all datasets at once with one model; see the file comment and JointDoc. */
export function fitJoint(
  datasets: Dataset[],
  model: ModelDoc,
  joint: JointDoc,
  settings: FitSettings,
  callbacks: FitCallbacks = {},
): JointFitResult {
  const now = callbacks.now ?? (() => Date.now());
  const t0 = now();
  const o = prepareJointObjective(datasets, model, joint, settings);
  const { keys, n: N, m: M, stat, blocks, resolved } = o;
  for (let k = 0; k < N; k++) {
    const v = o.theta0[k];
    if (!Number.isFinite(v)) throw new FitError(`${keys[k]} has no finite starting value`);
    if (v < o.lower[k] || v > o.upper[k]) throw new FitError(`${keys[k]} = ${v} lies outside its bounds [${o.lower[k]}, ${o.upper[k]}]`);
  }
  o.mapToLocal(o.theta0, false);
  for (const b of blocks) {
    for (let ri = 0; ri < resolved.relations.length; ri++) {
      if (b.relLocal[ri] < 0) continue;
      const v = b.local[b.relLocal[ri]];
      if (!Number.isFinite(v)) {
        const r = resolved.relations[ri];
        throw new FitError(`${b.name}: the relation ${r.param} = ${r.expr} is not finite at the starting values (${v}); change the hyperparameters' starting values`);
      }
    }
    try {
      checkStart(b.compiled, b.local, b.n);
    } catch (e) {
      if (e instanceof FitError) throw new FitError(`${b.name}: ${e.message}`);
      throw e;
    }
  }

  const keyed = (theta: ArrayLike<number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (let k = 0; k < N; k++) out[keys[k]] = theta[k];
    return out;
  };
  const onProgress = callbacks.onProgress
    ? (p: OptimizeProgress) => callbacks.onProgress!({ iteration: p.iteration, nfev: p.nfev, statistic: p.statistic, values: keyed(p.theta) })
    : undefined;
  const options: OptimizeOptions = {
    onProgress,
    shouldStop: callbacks.shouldStop,
    ...(settings.maxIterations ? { maxIterations: settings.maxIterations } : {}),
  };

  let opt: RunResult;
  if (N === 0) {
    opt = { theta: new Float64Array(0), statistic: 0, nfev: 1, njev: 0, iterations: 0, converged: true, cancelled: false, message: 'no free parameters: statistic evaluated', method: 'none', problem: null };
  } else {
    opt = runOptimizer(o, settings, options);
  }
  const theta = Float64Array.from(opt.theta);

  // statistic per dataset and in total
  o.mapToLocal(theta, true);
  const summaries: JointDatasetSummary[] = [];
  let statValue = 0;
  for (const b of blocks) {
    b.compiled.evaluate(b.local, b.model);
    const s = stat.value(b.view.y, b.model, b.sigma, null, b.n);
    statValue += s;
    summaries.push({ name: b.name, statistic: s, nPoints: b.n });
  }
  const dof = M - N;
  const cov = jointCovariance(o, theta, statValue, dof, opt.problem);

  // values: every parameter of every dataset (of the components that dataset uses)
  o.mapToLocal(theta, true);
  const datasetValues: Record<string, number>[] = blocks.map((b) => {
    const slots = b.compiled.layout.slots;
    const v = new Float64Array(slots.length);
    b.compiled.expand(b.local, v);
    const rec: Record<string, number> = {};
    slots.forEach((s, i) => (rec[s.key] = v[i]));
    return rec;
  });
  // every parameter key in model order, with the datasets whose model has it
  const slotUsers = new Map<string, { d: number; s: number }[]>();
  for (const c of model.components) {
    for (const b of blocks) {
      const layout = b.compiled.layout;
      for (let i = 0; i < layout.slots.length; i++) {
        if (layout.slots[i].component !== c.name) continue;
        const key = layout.slots[i].key;
        if (!slotUsers.has(key)) slotUsers.set(key, []);
        slotUsers.get(key)!.push({ d: b.index, s: i });
      }
    }
  }
  const values: Record<string, number> = {};
  for (const [key, users] of slotUsers) {
    if (users.some(({ d, s }) => slotVaries(blocks[d], s))) for (const { d } of users) values[perDatasetKey(key, d)] = datasetValues[d][key];
    else values[key] = datasetValues[users[0].d][key];
  }
  resolved.hyper.forEach((h, i) => {
    const g = o.hyperGlobal[i];
    values[h.name] = g >= 0 ? theta[g] : h.doc.value;
  });

  const parameters: Record<string, ParameterResult> = {};
  for (let k = 0; k < N; k++) {
    const error = cov ? cov.errors[k] : null;
    const p: ParameterResult = { value: theta[k], error, atBound: cov ? cov.atBound[k] : null };
    const reason = cov?.errorReasons[k];
    if (error === null && reason) p.errorReason = reason;
    parameters[keys[k]] = p;
  }

  // relation values with errors propagated from the hyperparameters: var = g^T C g
  const derived: Record<string, DerivedValue> = {};
  blocks.forEach((b, d) => {
    resolved.relations.forEach((r, ri) => {
      if (b.relLocal[ri] < 0) return;
      const value = b.local[b.relLocal[ri]];
      const entry: DerivedValue = { value, error: null, relation: `${r.param} = ${r.expr}`, dataset: d };
      const gIdx: number[] = [];
      const gVal: number[] = [];
      r.hyper.forEach((h, j) => {
        const g = o.hyperGlobal[h];
        if (g >= 0) {
          gIdx.push(g);
          gVal.push(b.relDeriv[ri][j]);
        }
      });
      if (gIdx.length === 0) entry.errorReason = 'set by the relation alone (no free hyperparameter)';
      else if (!cov) entry.errorReason = 'no covariance';
      else {
        let v = 0;
        for (let a = 0; a < gIdx.length; a++)
          for (let c = 0; c < gIdx.length; c++) v += gVal[a] * cov.covariance[gIdx[a]][gIdx[c]] * gVal[c];
        if (Number.isFinite(v) && v >= 0) entry.error = Math.sqrt(v);
        else entry.errorReason = 'a hyperparameter has no error (at a bound or not identifiable)';
      }
      derived[perDatasetKey(r.param, d)] = entry;
    });
  });

  const result: JointFitResult = {
    parameters,
    parameterOrder: keys.slice(),
    values,
    covariance: cov ? cov.covariance : null,
    correlation: cov ? cov.correlation : null,
    statistic: { name: stat.name, value: statValue },
    dof,
    reducedStatistic: dof > 0 && (stat.name === 'chi2' || stat.name === 'cash') ? statValue / dof : null,
    nPoints: M,
    converged: opt.converged,
    cancelled: opt.cancelled,
    message: opt.message,
    method: opt.method,
    nfev: opt.nfev,
    elapsedMs: now() - t0,
    errorsScaled: stat.name === 'chi2' && o.noSigma,
    datasets: summaries,
    totalFree: N,
    datasetValues,
    derived,
    datasetComponents: resolved.datasetComponents.map((c) => c.slice()),
    keyDatasets: partialKeys(o),
  };
  if (cov?.reason) result.covarianceReason = cov.reason;
  return result;
}

/** the shared global keys (not per-dataset copies) that only some of the datasets use */
function partialKeys(o: JointObjective): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const copies = new Set(o.resolved.perDataset);
  o.keyDatasets.forEach((ds, k) => {
    const key = o.keys[k];
    const isCopy = key.endsWith(']') && copies.has(key.slice(0, key.lastIndexOf('[')));
    if (!isCopy && ds.length < o.blocks.length) out[key] = ds.slice();
  });
  return out;
}

/** Each dataset fitted alone with the same model and settings (PyAutoFit fit_sequential). */
export function fitSequential(datasets: Dataset[], model: ModelDoc, settings: FitSettings, callbacks: FitCallbacks = {}): FitResult[] {
  return datasets.map((d) => fitModel(d, model, settings, callbacks));
}
