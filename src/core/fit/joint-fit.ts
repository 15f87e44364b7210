/**
 * fitJoint: one model, several datasets, one fit (PyAutoFit's factor-graph fit of a shared model,
 * with `with_free_parameters` and relations between datasets). fitSequential: each dataset alone.
 *
 * The global free vector is: the model's free parameters in layout order, where a shared parameter
 * has one entry and a per-dataset parameter one entry per dataset (`key[i]`), followed by the free
 * hyperparameters of the relations. A parameter given by a relation has no entry of its own: in
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
import { compileModel, type CompiledModel } from '../model/compile';
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
}

interface Block {
  name: string;
  view: FitView;
  sigma: Float64Array | null;
  compiled: CompiledModel;
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
  /** local free index of each relation's parameter */
  relLocal: number[];
  /** global index of each hyperparameter, -1 when fixed */
  hyperGlobal: Int32Array;
  /** local free index -> relation index or -1 (same for every dataset) */
  relOf: Int32Array;
  /** local free index -> true when free per dataset */
  perDatasetLocal: Uint8Array;
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
function startHyperparameters(resolved: ResolvedJoint, target: number[], values: Float64Array): void {
  const freeH: number[] = [];
  resolved.hyper.forEach((h, i) => {
    if (!h.explicit && !h.doc.fixed && !(h.doc.lower !== null && h.doc.lower === h.doc.upper)) freeH.push(i);
  });
  if (freeH.length === 0) return;
  const rels = resolved.relations.map((r, ri) => ({ r, ri })).filter(({ r }) => r.hyper.some((h) => freeH.includes(h)));
  const nD = resolved.vars.length;
  const m = rels.length * nD;
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
      rels.forEach(({ r, ri }, q) => {
        const p = load(theta, q);
        for (let d = 0; d < nD; d++) res[q * nD + d] = r.compiled.scalar(resolved.vars[d], p) - target[ri];
      });
    },
    jacobian(theta, J) {
      const n = freeH.length;
      J.fill(0);
      rels.forEach(({ r }, q) => {
        const p = load(theta, q);
        for (let d = 0; d < nD; d++) {
          r.hyper.forEach((h, j) => {
            const col = freeH.indexOf(h);
            if (col >= 0) J[(q * nD + d) * n + col] = r.compiled.scalarDerivative(r.compiled.parameters[j], resolved.vars[d], p);
          });
        }
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

/** Builds the stacked objective of a joint fit (validates data, model and joint document). */
export function prepareJointObjective(datasets: Dataset[], model: ModelDoc, joint: JointDoc, settings: FitSettings): JointObjective {
  if (datasets.length === 0) throw new FitError('A joint fit needs at least one dataset');
  const stat = getStatistic(settings.statistic);
  const nD = datasets.length;
  const resolved = resolveJoint(joint, model, nD, datasets.map((d) => d.name));

  // compile the model once per dataset, on its own fit view
  let offset = 0;
  const partial = datasets.map((dataset) => {
    const view = makeFitView(dataset, settings.ranges);
    const sigma = checkData(view, stat, dataset.name);
    const compiled = compileModel(model, view.coords, view.n);
    const o = offset;
    offset += view.n;
    return { name: dataset.name, view, sigma, compiled, offset: o, n: view.n };
  });
  const M = offset;
  const layout = partial[0].compiled.layout;
  const nLocal = layout.freeKeys.length;
  for (const p of partial) {
    const keys = p.compiled.layout.freeKeys;
    if (keys.length !== nLocal || keys.some((k, i) => k !== layout.freeKeys[i])) {
      throw new FitError(`${p.name}: the model has other free parameters on this dataset (${keys.join(', ')}) than on ${partial[0].name}; give the datasets the same coordinates`);
    }
  }

  const relOf = new Int32Array(nLocal).fill(-1);
  const perDatasetLocal = new Uint8Array(nLocal);
  const relLocal: number[] = [];
  resolved.relations.forEach((r, ri) => {
    const k = layout.freeKeys.indexOf(r.param);
    if (k < 0) throw new FitError(`${r.param} is not a free parameter of the model; a relation needs one`);
    relOf[k] = ri;
    relLocal.push(k);
  });
  for (const key of resolved.perDataset) {
    const k = layout.freeKeys.indexOf(key);
    if (k < 0) throw new FitError(`${key} is not a free parameter of the model; it cannot be free per dataset`);
    perDatasetLocal[k] = 1;
  }

  // global vector: model parameters in layout order (per-dataset ones once per dataset), then hyperparameters
  const keys: string[] = [];
  const theta0: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  const src = partial.map(() => new Int32Array(nLocal).fill(-1));
  for (let k = 0; k < nLocal; k++) {
    if (relOf[k] >= 0) continue;
    const key = layout.freeKeys[k];
    if (perDatasetLocal[k]) {
      const starts = resolved.perDatasetStart[key];
      for (let d = 0; d < nD; d++) {
        src[d][k] = keys.length;
        keys.push(perDatasetKey(key, d));
        theta0.push(starts ? starts[d] : layout.theta0[k]);
        lower.push(layout.lower[k]);
        upper.push(layout.upper[k]);
      }
    } else {
      for (let d = 0; d < nD; d++) src[d][k] = keys.length;
      keys.push(key);
      theta0.push(layout.theta0[k]);
      lower.push(layout.lower[k]);
      upper.push(layout.upper[k]);
    }
  }
  const hyperValues = Float64Array.from(resolved.hyper, (h) => h.doc.value);
  startHyperparameters(
    resolved,
    resolved.relations.map((r) => layout.theta0[layout.freeKeys.indexOf(r.param)]),
    hyperValues,
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
      negInvSigma,
      model: new Float64Array(p.n),
      local: new Float64Array(nLocal),
      jl: new Float64Array(p.n * nLocal),
      src: src[d],
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
      for (let k = 0; k < nLocal; k++) if (b.src[k] >= 0) b.local[k] = theta[b.src[k]];
      for (let ri = 0; ri < resolved.relations.length; ri++) {
        const r = resolved.relations[ri];
        const p = relP[ri];
        b.local[relLocal[ri]] = r.compiled.scalar(b.vars, p);
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
    for (let k = 0; k < nLocal; k++) {
      const g = b.src[k];
      if (g < 0) continue;
      const o = g * M + b.offset;
      const lo = k * n;
      for (let i = 0; i < n; i++) Jc[o + i] += jl[lo + i];
    }
    for (let ri = 0; ri < resolved.relations.length; ri++) {
      const r = resolved.relations[ri];
      const lo = relLocal[ri] * n;
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
        for (let k = 0; k < nLocal; k++) {
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
          for (let k = 0; k < nLocal; k++) {
            const gk = b.src[k];
            if (gk >= 0) g[gk] += gl(k);
          }
          for (let ri = 0; ri < resolved.relations.length; ri++) {
            const r = resolved.relations[ri];
            const gr = gl(relLocal[ri]);
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
    relLocal,
    hyperGlobal,
    relOf,
    perDatasetLocal,
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
function slotVaries(o: JointObjective, compiled: CompiledModel, s: number): boolean {
  const slots = compiled.layout.slots;
  let j = s;
  for (let steps = 0; slots[j].twinSource >= 0 && steps <= slots.length; steps++) j = slots[j].twinSource;
  const f = slots[j].free;
  return f >= 0 && (o.perDatasetLocal[f] === 1 || o.relOf[f] >= 0);
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
      const v = b.local[o.relLocal[ri]];
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

  // values: every parameter of every dataset
  o.mapToLocal(theta, true);
  const compiled0 = blocks[0].compiled;
  const slots = compiled0.layout.slots;
  const datasetValues: Record<string, number>[] = blocks.map((b) => {
    const v = new Float64Array(slots.length);
    b.compiled.expand(b.local, v);
    const rec: Record<string, number> = {};
    slots.forEach((s, i) => (rec[s.key] = v[i]));
    return rec;
  });
  const values: Record<string, number> = {};
  slots.forEach((s, i) => {
    if (slotVaries(o, compiled0, i)) blocks.forEach((_, d) => (values[perDatasetKey(s.key, d)] = datasetValues[d][s.key]));
    else values[s.key] = datasetValues[0][s.key];
  });
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
      const value = b.local[o.relLocal[ri]];
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
  };
  if (cov?.reason) result.covarianceReason = cov.reason;
  return result;
}

/** Each dataset fitted alone with the same model and settings (PyAutoFit fit_sequential). */
export function fitSequential(datasets: Dataset[], model: ModelDoc, settings: FitSettings, callbacks: FitCallbacks = {}): FitResult[] {
  return datasets.map((d) => fitModel(d, model, settings, callbacks));
}
