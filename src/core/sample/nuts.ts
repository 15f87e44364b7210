/**
 * The No-U-Turn Sampler with multinomial trajectory sampling and the generalised U-turn criterion:
 * M. D. Hoffman & A. Gelman, "The No-U-Turn Sampler", JMLR 15 (2014) (doubling trees, dual
 * averaging), and M. Betancourt, "A Conceptual Introduction to Hamiltonian Monte Carlo",
 * arXiv:1701.02434 (2017), appendix A (multinomial sampling of trajectory states with weights
 * exp(-H), biased progressive sampling between the old tree and a new subtree, uniform
 * progressive sampling inside subtrees, and the criterion p#_- . rho > 0 and p#_+ . rho > 0 with
 * rho the summed momenta of a (sub)trajectory and p# = M^-1 p at its ends). As in Stan since 2.23
 * the criterion is also checked across each merge (old part + first state of the new part, last
 * state of the old part + new part), which stops trajectories that U-turn between the halves.
 *
 * A transition is divergent when H - H0 exceeds maxEnergyError (1000); the states of the subtree
 * being built are then discarded. Warm-up: dual averaging of the step size towards an acceptance
 * statistic of targetAccept (0.8; the statistic is the mean of min(1, exp(H0 - H)) over the new
 * states), Stan's windowed adaptation of a diagonal or dense inverse metric; the inverse metric may
 * start from a covariance (constrained space, e.g. the fit's covariance, as AstroPhot does),
 * carried to the unconstrained space at the start point.
 */
import { CovarianceWindows, DualAveraging } from './adaptation';
import { findReasonableStepSize, Integrator, Metric, PhasePoint } from './hamiltonian';
import type { LogDensity } from './log-density';
import { initialPosition, makeRng } from './start';
import { covarianceToUnconstrained, unconstrain, type UnconstrainedDensity } from './transform';
import { checkCounts, progressReporter, type ChainOptions, type HamiltonianChainResult } from './types';

export interface HamiltonianOptions extends ChainOptions {
  /** target acceptance statistic of the step-size adaptation */
  targetAccept?: number;
  /** 'diag' (default) or 'dense' inverse metric */
  metric?: 'diag' | 'dense';
  /** initial inverse metric as a covariance of the constrained parameters: length n (variances) or n x n */
  initialInverseMass?: ArrayLike<number>;
  /** adapt the inverse metric in Stan's windows (default true) */
  adaptMass?: boolean;
  /** adapt the step size during warm-up (default true) */
  adaptStepSize?: boolean;
  /** starting step size (default: Hoffman & Gelman's heuristic) */
  initialStepSize?: number;
  /** clock for elapsedMs */
  now?: () => number;
}

export interface NutsOptions extends HamiltonianOptions {
  /** default 10 (at most 2^10 leapfrog steps per transition) */
  maxTreeDepth?: number;
  /** divergence threshold on H - H0 (default 1000) */
  maxEnergyError?: number;
}

export interface NutsChainResult extends HamiltonianChainResult {
  treeDepth: Uint8Array;
  /** kept transitions that stopped at maxTreeDepth */
  maxTreeDepthHits: number;
}

/** Metric, integrator and warm-up state shared by HMC and NUTS. */
export interface HamiltonianSetup {
  ud: UnconstrainedDensity;
  metric: Metric;
  integ: Integrator;
  z: PhasePoint;
  eps: number;
  dual: DualAveraging;
  windows: CovarianceWindows | null;
  adaptStep: boolean;
}

export function setupHamiltonian(ld: LogDensity, options: HamiltonianOptions, target: number, tune: number, rng: ReturnType<typeof makeRng>): HamiltonianSetup {
  const ud = unconstrain(ld);
  const n = ld.n;
  const dense = options.metric === 'dense';
  const metric = new Metric(n, dense);
  const integ = new Integrator(ud, metric);
  const z = new PhasePoint(n);
  z.q.set(initialPosition(ud, options.start));
  integ.init(z);
  if (options.initialInverseMass) {
    const m0 = options.initialInverseMass;
    if (m0.length !== n && m0.length !== n * n) throw new RangeError(`initialInverseMass needs ${n} or ${n * n} values`);
    const x0 = new Float64Array(n);
    ud.toConstrained(z.q, x0);
    const cu = covarianceToUnconstrained(ud.transform, x0, m0);
    let inv: Float64Array;
    if (dense && cu.length === n) {
      inv = new Float64Array(n * n);
      for (let k = 0; k < n; k++) inv[k * n + k] = cu[k];
    } else if (!dense && cu.length === n * n) {
      inv = new Float64Array(n);
      for (let k = 0; k < n; k++) inv[k] = cu[k * n + k];
    } else inv = cu;
    if (!metric.set(inv)) throw new RangeError('initialInverseMass is not positive definite');
  }
  const dual = new DualAveraging(target);
  let eps = options.initialStepSize ?? findReasonableStepSize(integ, z, 1, rng);
  if (!(eps > 0)) eps = 1;
  dual.restart(eps);
  const windows = (options.adaptMass ?? true) && tune > 0 ? new CovarianceWindows(n, dense, tune) : null;
  return { ud, metric, integ, z, eps, dual, windows, adaptStep: (options.adaptStepSize ?? true) && tune > 0 };
}

/**
 * The kept draws of an HMC or NUTS chain (constrained values, log density, divergences, acceptance
 * statistics, leapfrog counts, energies) in buffers sized once, and the chain result built from them.
 */
export class HamiltonianDraws {
  readonly out: Float64Array;
  readonly lp: Float64Array;
  readonly divergent: Uint8Array;
  readonly acceptStat: Float64Array;
  readonly nLeapfrog: Int32Array;
  readonly energy: Float64Array;
  kept = 0;
  private readonly x: Float64Array;
  constructor(
    readonly n: number,
    draws: number,
  ) {
    this.out = new Float64Array(draws * n);
    this.lp = new Float64Array(draws);
    this.divergent = new Uint8Array(draws);
    this.acceptStat = new Float64Array(draws);
    this.nLeapfrog = new Int32Array(draws);
    this.energy = new Float64Array(draws);
    this.x = new Float64Array(n);
  }
  /** keeps the current state z of the setup */
  keep(s: HamiltonianSetup, divergent: boolean, accept: number, leapfrogs: number): void {
    const k = this.kept;
    const lj = s.ud.toConstrained(s.z.q, this.x);
    this.out.set(this.x, k * this.n);
    this.lp[k] = s.z.logp - lj;
    this.divergent[k] = divergent ? 1 : 0;
    this.acceptStat[k] = accept;
    this.nLeapfrog[k] = leapfrogs;
    this.energy[k] = s.integ.hamiltonian(s.z);
    this.kept++;
  }
  result(sampler: 'hmc' | 'nuts', ld: LogDensity, seed: number, s: HamiltonianSetup, run: { tuneDone: number; cancelled: boolean; elapsedMs: number }): HamiltonianChainResult {
    const kept = this.kept;
    let divergences = 0;
    let acc = 0;
    for (let i = 0; i < kept; i++) {
      divergences += this.divergent[i];
      acc += this.acceptStat[i];
    }
    return {
      sampler,
      n: this.n,
      keys: ld.keys.slice(),
      seed,
      nDraws: kept,
      draws: this.out.slice(0, kept * this.n),
      logDensity: this.lp.slice(0, kept),
      acceptRate: kept > 0 ? acc / kept : NaN,
      divergences,
      tuneDone: run.tuneDone,
      cancelled: run.cancelled,
      evaluations: s.integ.evaluations,
      elapsedMs: run.elapsedMs,
      stepSize: s.eps,
      inverseMass: Float64Array.from(s.metric.inverse),
      divergent: this.divergent.slice(0, kept),
      acceptStat: this.acceptStat.slice(0, kept),
      nLeapfrog: this.nLeapfrog.slice(0, kept),
      energy: this.energy.slice(0, kept),
    };
  }
}

/** After warm-up iteration i: step-size update, metric windows (new metric: restart step-size search). */
export function warmupUpdate(s: HamiltonianSetup, i: number, acceptStat: number, tune: number, rng: ReturnType<typeof makeRng>): void {
  if (s.adaptStep) s.eps = s.dual.update(acceptStat);
  if (s.windows) {
    const cov = s.windows.observe(i, s.z.q);
    if (cov && s.metric.set(cov)) {
      s.eps = findReasonableStepSize(s.integ, s.z, s.eps, rng);
      s.dual.restart(s.eps);
    }
  }
  if (i === tune - 1 && s.adaptStep) s.eps = s.dual.final();
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** The no-U-turn condition of a (sub)trajectory: both end velocities point along rho. */
function noUTurn(n: number, vMinus: Float64Array, vPlus: Float64Array, rho: Float64Array): boolean {
  let a = 0;
  let b = 0;
  for (let k = 0; k < n; k++) {
    a += vMinus[k] * rho[k];
    b += vPlus[k] * rho[k];
  }
  return a > 0 && b > 0;
}

/** What a subtree hands back: summed momenta, end momenta / velocities, its proposal and log weight. */
class Subtree {
  readonly rho: Float64Array;
  readonly pBeg: Float64Array;
  readonly vBeg: Float64Array;
  readonly pEnd: Float64Array;
  readonly vEnd: Float64Array;
  readonly sample: PhasePoint;
  logWeight = -Infinity;
  constructor(n: number) {
    this.rho = new Float64Array(n);
    this.pBeg = new Float64Array(n);
    this.vBeg = new Float64Array(n);
    this.pEnd = new Float64Array(n);
    this.vEnd = new Float64Array(n);
    this.sample = new PhasePoint(n);
  }
}

class TreeBuilder {
  private readonly scratch: [Subtree, Subtree][] = [];
  private readonly tmp: Float64Array;
  divergent = false;
  nLeapfrog = 0;
  sumAccept = 0;
  constructor(
    private readonly n: number,
    private readonly integ: Integrator,
    private readonly rng: ReturnType<typeof makeRng>,
    private readonly maxEnergyError: number,
    maxDepth: number,
  ) {
    for (let d = 0; d < maxDepth; d++) this.scratch.push([new Subtree(n), new Subtree(n)]);
    this.tmp = new Float64Array(n);
  }
  reset(): void {
    this.divergent = false;
    this.nLeapfrog = 0;
    this.sumAccept = 0;
  }
  /** extends the trajectory from `end` by 2^depth leapfrog steps of (signed) size eps; false: divergent or U-turn inside */
  build(depth: number, end: PhasePoint, eps: number, h0: number, out: Subtree): boolean {
    const n = this.n;
    if (depth === 0) {
      const h = this.integ.step(end, eps);
      this.nLeapfrog++;
      const dh = h0 - h; // -Infinity when h is +Infinity
      if (!(-dh <= this.maxEnergyError)) {
        this.divergent = true;
        return false;
      }
      this.sumAccept += dh > 0 ? 1 : Math.exp(dh);
      out.logWeight = dh;
      out.sample.copyFrom(end);
      out.rho.set(end.p);
      out.pBeg.set(end.p);
      out.pEnd.set(end.p);
      out.vBeg.set(end.v);
      out.vEnd.set(end.v);
      return true;
    }
    const [left, right] = this.scratch[depth - 1];
    if (!this.build(depth - 1, end, eps, h0, left)) return false;
    if (!this.build(depth - 1, end, eps, h0, right)) return false;
    const lw = logAddExp(left.logWeight, right.logWeight);
    // uniform (multinomial) progressive sampling inside a subtree
    if (Math.log(this.rng.uniformPositive()) < right.logWeight - lw) out.sample.copyFrom(right.sample);
    else out.sample.copyFrom(left.sample);
    out.logWeight = lw;
    for (let k = 0; k < n; k++) out.rho[k] = left.rho[k] + right.rho[k];
    let persist = noUTurn(n, left.vBeg, right.vEnd, out.rho);
    if (persist) {
      const t = this.tmp;
      for (let k = 0; k < n; k++) t[k] = left.rho[k] + right.pBeg[k];
      persist = noUTurn(n, left.vBeg, right.vBeg, t);
      if (persist) {
        for (let k = 0; k < n; k++) t[k] = right.rho[k] + left.pEnd[k];
        persist = noUTurn(n, left.vEnd, right.vEnd, t);
      }
    }
    out.pBeg.set(left.pBeg);
    out.vBeg.set(left.vBeg);
    out.pEnd.set(right.pEnd);
    out.vEnd.set(right.vEnd);
    return persist;
  }
}

export function sampleNuts(ld: LogDensity, options: NutsOptions = {}): NutsChainResult {
  const draws = options.draws ?? 1000;
  const tune = options.tune ?? 1000;
  checkCounts(draws, tune);
  const seed = options.seed ?? 1;
  const rng = makeRng(seed);
  const now = options.now;
  const t0 = now ? now() : 0;
  const n = ld.n;
  const maxDepth = Math.max(1, Math.min(30, Math.floor(options.maxTreeDepth ?? 10)));
  const maxEnergyError = options.maxEnergyError ?? 1000;
  const s = setupHamiltonian(ld, options, options.targetAccept ?? 0.8, tune, rng);
  const { metric, integ, z } = s;
  const builder = new TreeBuilder(n, integ, rng, maxEnergyError, maxDepth);
  const fwd = new PhasePoint(n);
  const bck = new PhasePoint(n);
  const sample = new PhasePoint(n);
  const top = new Subtree(n);
  const rho = new Float64Array(n);
  const t = new Float64Array(n);
  const nearP = new Float64Array(n);
  const nearV = new Float64Array(n);

  const rec = new HamiltonianDraws(n, draws);
  const treeDepth = new Uint8Array(draws);
  const report = progressReporter(options, tune, tune + draws);
  let tuneDone = 0;
  let cancelled = false;

  const transition = (): { accept: number; depth: number } => {
    metric.sampleMomentum(rng, z.p);
    const h0 = integ.hamiltonian(z);
    fwd.copyFrom(z);
    bck.copyFrom(z);
    sample.copyFrom(z);
    rho.set(z.p);
    let logWeight = 0;
    let depth = 0;
    builder.reset();
    while (depth < maxDepth) {
      const forward = rng.uniform() < 0.5;
      const end = forward ? fwd : bck;
      const far = forward ? bck : fwd;
      nearP.set(end.p);
      nearV.set(end.v);
      if (!builder.build(depth, end, forward ? s.eps : -s.eps, h0, top)) break;
      depth++;
      // biased progressive sampling: move to the new subtree with probability min(1, w_new / w_old)
      if (top.logWeight > logWeight || Math.log(rng.uniformPositive()) < top.logWeight - logWeight) sample.copyFrom(top.sample);
      logWeight = logAddExp(logWeight, top.logWeight);
      for (let k = 0; k < n; k++) t[k] = rho[k] + top.pBeg[k];
      for (let k = 0; k < n; k++) rho[k] += top.rho[k];
      let persist = noUTurn(n, far.v, end.v, rho) && noUTurn(n, far.v, top.vBeg, t);
      if (persist) {
        for (let k = 0; k < n; k++) t[k] = top.rho[k] + nearP[k];
        persist = noUTurn(n, nearV, end.v, t);
      }
      if (!persist) break;
    }
    z.copyFrom(sample);
    const accept = builder.nLeapfrog > 0 ? builder.sumAccept / builder.nLeapfrog : 0;
    return { accept, depth };
  };

  for (let i = 0; i < tune + draws; i++) {
    if (options.shouldStop?.()) {
      cancelled = true;
      break;
    }
    const { accept, depth } = transition();
    if (i < tune) {
      warmupUpdate(s, i, accept, tune, rng);
      tuneDone = i + 1;
    } else {
      treeDepth[rec.kept] = depth;
      rec.keep(s, builder.divergent, accept, builder.nLeapfrog);
    }
    report(i + 1);
  }
  const kept = rec.kept;
  let hits = 0;
  for (let i = 0; i < kept; i++) if (treeDepth[i] >= maxDepth) hits++;
  return {
    ...rec.result('nuts', ld, seed, s, { tuneDone, cancelled, elapsedMs: now ? now() - t0 : 0 }),
    treeDepth: treeDepth.slice(0, kept),
    maxTreeDepthHits: hits,
  };
}
