/**
 * `npx tsx bench/sampler-bench.ts [--quick]`: effective samples per second of Fitbench's samplers
 * against emcee (bench/peers/emcee_bench.py, /usr/bin/python3) on one posterior:
 * 3 Gaussians + offset, 1000 points, sigma known, 10 free parameters (bench/problems.ts), flat
 * priors (sigma > 0), log p = -chi2 / 2.
 *
 * Runs, each in one thread, timed from the first log-density call to the last draw (warm-up /
 * burn-in included; the fit that gives the start is not counted):
 *   - NUTS, 4 chains x (1000 tune + 1000 draws): diagonal metric (the default), diagonal started at the
 *     fit covariance (--mass-from-fit), dense metric, dense started at the fit covariance;
 *   - Fitbench's ensemble (stretch move) and emcee 3 (per-walker log_prob, and vectorized over
 *     walkers), one ensemble of 32 walkers x (1000 burn-in + 6000 steps), started in the same
 *     small ball around the best fit.
 * ESS: for chains, arviz's bulk ESS (Vehtari et al. 2021; core/sample/diagnostics.ts); for the
 * ensembles (Fitbench's and emcee's draws alike, emcee's chain read back from disk) the
 * ensemble estimator of summarizeEnsembles (walkers thinned by tau/2, Vehtari's multi-chain ESS)
 * and, as a cross-check, W N / tau with emcee's own integrated autocorrelation time. ESS/s uses
 * the smallest ESS over the parameters (the slowest direction decides how long one must run).
 * Writes bench/out/sampler-bench.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitModel } from '../src/core/fit/fit-model';
import { defaultFitSettings } from '../src/core/fit/settings';
import { integratedAutocorrTime, summarizeChains, summarizeEnsembles, walkerTrace, type ChainResult, type EnsembleChainResult, type PosteriorSummary } from '../src/core/sample';
import { prepareSampling, runChain, type ChainSpec } from '../src/workers/sampler-chain';
import { threeGaussians } from './problems';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const PEER = fileURLToPath(new URL('./peers/emcee_bench.py', import.meta.url));
const quick = process.argv.includes('--quick');
mkdirSync(OUT, { recursive: true });

const problem = threeGaussians();
const settings = defaultFitSettings();
const fit = fitModel(problem.dataset, problem.model, settings);
if (!fit.converged) throw new Error(`the fit did not converge: ${fit.message}`);
const CHAINS = 4;
const setup = prepareSampling(problem.dataset, problem.model, settings, fit, CHAINS, 7);
const { posterior, keys } = setup;
const n = keys.length;

// count log-density calls (both kinds) on the posterior the samplers see
let evals = 0;
const counted = {
  ...posterior,
  logDensity(t: Float64Array) {
    evals++;
    return posterior.logDensity(t);
  },
  logDensityAndGradient(t: Float64Array, g: Float64Array) {
    evals++;
    return posterior.logDensityAndGradient(t, g);
  },
};

interface Row {
  name: string;
  seconds: number;
  evaluations: number;
  essMin: number;
  essMean: number;
  essPerSecond: number;
  /** W N / tau (ensembles) or total / tau (chains), smallest over parameters */
  essTauMin: number;
  essTauPerSecond: number;
  rhatMax: number;
  acceptance: number;
  means: number[];
  mcse: number[];
  sds: number[];
}

function minOf(a: number[]): number {
  return a.reduce((m, v) => (v < m ? v : m), Infinity);
}

function row(name: string, seconds: number, evaluations: number, s: PosteriorSummary, tauEss: number[], acceptance: number): Row {
  const ess = s.parameters.map((p) => p.essBulk);
  return {
    name,
    seconds,
    evaluations,
    essMin: minOf(ess),
    essMean: ess.reduce((a, b) => a + b, 0) / ess.length,
    essPerSecond: minOf(ess) / seconds,
    essTauMin: minOf(tauEss),
    essTauPerSecond: minOf(tauEss) / seconds,
    rhatMax: Math.max(...s.parameters.map((p) => p.rhat).filter((v) => Number.isFinite(v))),
    acceptance,
    means: s.parameters.map((p) => p.mean),
    mcse: s.parameters.map((p) => p.mcseMean),
    sds: s.parameters.map((p) => p.sd),
  };
}

function runOurs(name: string, spec: Omit<ChainSpec, 'seed' | 'start'>, chains: number): Row {
  evals = 0;
  const t0 = performance.now();
  const results: ChainResult[] = [];
  for (let c = 0; c < chains; c++) results.push(runChain(counted, { ...spec, seed: setup.seeds[c], start: setup.starts[c] }));
  const seconds = (performance.now() - t0) / 1000;
  const s = summarizeChains(results);
  let tauEss: number[];
  if (spec.sampler === 'ensemble') {
    const e = results as EnsembleChainResult[];
    tauEss = keys.map((_, k) => {
      const walkers = e.flatMap((r) => Array.from({ length: r.walkers }, (_, w) => walkerTrace(r, w, k)));
      return (walkers.length * e[0].steps) / integratedAutocorrTime(walkers);
    });
  } else {
    tauEss = keys.map((_, k) => {
      const cs = results.map((r) => Float64Array.from({ length: r.nDraws }, (_, i) => r.draws[i * n + k]));
      return (cs.length * cs[0].length) / integratedAutocorrTime(cs);
    });
  }
  const nd = results.reduce((a, r) => a + r.nDraws, 0);
  const acc = results.reduce((a, r) => a + r.acceptRate * r.nDraws, 0) / nd;
  const r = row(name, seconds, evals, s, tauEss, acc);
  report(r);
  return r;
}

function report(r: Row): void {
  console.log(
    `${r.name.padEnd(34)} ${r.seconds.toFixed(2).padStart(7)} s  ${String(r.evaluations).padStart(8)} evals  min ESS ${r.essMin.toFixed(0).padStart(6)}  ESS/s ${r.essPerSecond.toFixed(1).padStart(8)}  (tau: ESS ${r.essTauMin.toFixed(0).padStart(6)}, ESS/s ${r.essTauPerSecond.toFixed(1).padStart(8)})  max R-hat ${r.rhatMax.toFixed(3)}  acc ${r.acceptance.toFixed(2)}`,
  );
}

const WALKERS = 32;
const BURN = quick ? 500 : 1000;
const STEPS = quick ? 2000 : 6000;
const DRAWS = quick ? 500 : 1000;
const TUNE = quick ? 500 : 1000;

console.log(`posterior: ${problem.name}, ${n} parameters (${keys.join(', ')})`);
console.log(`NUTS/HMC: ${CHAINS} chains x (${TUNE} tune + ${DRAWS} draws); ensembles: ${WALKERS} walkers x (${BURN} burn-in + ${STEPS} steps)\n`);
const rows: Row[] = [];
// the default of the app and the CLI: metric 'auto' (dense for 10 parameters) started at the fit covariance
rows.push(runOurs('Fitbench NUTS (default)', { sampler: 'nuts', draws: DRAWS, tune: TUNE, massFromFit: true, covariance: setup.covariance }, CHAINS));
rows.push(runOurs('Fitbench NUTS (diag metric)', { sampler: 'nuts', draws: DRAWS, tune: TUNE, metric: 'diag' }, CHAINS));
rows.push(runOurs('Fitbench NUTS (diag, fit mass)', { sampler: 'nuts', draws: DRAWS, tune: TUNE, metric: 'diag', massFromFit: true, covariance: setup.covariance }, CHAINS));
rows.push(runOurs('Fitbench NUTS (dense metric)', { sampler: 'nuts', draws: DRAWS, tune: TUNE, metric: 'dense' }, CHAINS));
// the ensemble starts in emcee's small ball: 1e-2 fit standard deviations around the best fit
const ballCov = setup.covariance!.map((v) => v * 1e-4);
evals = 0;
{
  const t0 = performance.now();
  const spec: ChainSpec = { sampler: 'ensemble', draws: STEPS, tune: BURN, seed: 7, start: Array.from(setup.best), covariance: ballCov, walkers: WALKERS };
  const r = runChain(counted, spec) as EnsembleChainResult;
  const seconds = (performance.now() - t0) / 1000;
  const s = summarizeEnsembles([r]);
  const tauEss = keys.map((_, k) => {
    const walkers = Array.from({ length: r.walkers }, (_, w) => walkerTrace(r, w, k));
    return (r.walkers * r.steps) / integratedAutocorrTime(walkers);
  });
  const x = row('Fitbench ensemble (stretch)', seconds, evals, s, tauEss, r.acceptRate);
  report(x);
  rows.push(x);
}

// ---- emcee on the same posterior ----
const csv = `${OUT}sampler-3gauss.csv`;
const ds = problem.dataset;
writeFileSync(csv, 'x,y,sigma\n' + Array.from(ds.values, (v, i) => `${ds.coords.x[i]},${v},${ds.sigma![i]}`).join('\n') + '\n');
const cov2d = keys.map((_, i) => keys.map((_, j) => setup.covariance![i * n + j]));
const spec = {
  csv,
  keys,
  lower: Array.from(posterior.lower, (v) => (Number.isFinite(v) ? v : null)),
  upper: Array.from(posterior.upper, (v) => (Number.isFinite(v) ? v : null)),
  best: Array.from(setup.best),
  covariance: cov2d,
  walkers: WALKERS,
  burn: BURN,
  steps: STEPS,
  seed: 7,
  chain_out: `${OUT}emcee-chain`,
};
// the peer's model must give the same log density as ours
const specPath = `${OUT}sampler-peer-spec.json`;
writeFileSync(specPath, JSON.stringify(spec));
let peer: { emcee: string; numpy: string; runs: { mode: string; seconds: number; walkers: number; steps: number; evaluations: number; acceptance: number; tau: number[]; ess_tau: number[]; mean: number[]; chain: string }[] } | null = null;
try {
  peer = JSON.parse(execFileSync('/usr/bin/python3', [PEER, specPath], { encoding: 'utf8', maxBuffer: 1 << 26 }));
} catch (e) {
  console.error(`emcee peer failed: ${(e as Error).message}`);
}
const emceeRows: Row[] = [];
if (peer) {
  for (const run of peer.runs) {
    // emcee's chain is steps x walkers x n: rearrange walker-major for our estimators
    const bytes = readFileSync(run.chain);
    unlinkSync(run.chain);
    const raw = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const W = run.walkers;
    const N = run.steps;
    const draws = new Float64Array(W * N * n);
    for (let s = 0; s < N; s++) for (let w = 0; w < W; w++) for (let k = 0; k < n; k++) draws[(w * N + s) * n + k] = raw[(s * W + w) * n + k];
    const fake: EnsembleChainResult = {
      sampler: 'ensemble', n, keys, seed: 7, nDraws: W * N, draws, logDensity: new Float64Array(W * N), acceptRate: run.acceptance, divergences: 0,
      tuneDone: BURN, cancelled: false, evaluations: run.evaluations, walkers: W, steps: N, thin: 1, walkerAcceptance: new Float64Array(W).fill(run.acceptance),
    };
    const s = summarizeEnsembles([fake]);
    const r = row(`emcee ${peer.emcee} (${run.mode})`, run.seconds, run.evaluations, s, run.ess_tau, run.acceptance);
    report(r);
    emceeRows.push(r);
  }
}

// ---- agreement and ratios ----
const nutsBest = rows.reduce((b, r) => (r.name.startsWith('Fitbench NUTS') && r.essPerSecond > b.essPerSecond ? r : b), rows[0]);
console.log('');
if (emceeRows.length > 0) {
  const ref = rows[0];
  for (const e of emceeRows) {
    const z = keys.map((_, k) => Math.abs(ref.means[k] - e.means[k]) / Math.hypot(ref.mcse[k], e.mcse[k]));
    console.log(`posterior means, NUTS vs ${e.name}: largest difference ${Math.max(...z).toFixed(2)} combined MCSE`);
  }
  for (const r of rows) {
    for (const e of emceeRows) {
      console.log(`${r.name} / ${e.name}: ESS/s ratio ${(r.essPerSecond / e.essPerSecond).toFixed(1)}x (tau-based ${(r.essTauPerSecond / e.essTauPerSecond).toFixed(1)}x)`);
    }
  }
  const perWalker = emceeRows.find((e) => e.name.includes('per-walker'));
  if (perWalker) {
    const ratio = rows[0].essPerSecond / perWalker.essPerSecond;
    console.log(`\ngoal NUTS (default: auto metric from the fit covariance) >= 10x emcee (per-walker) ESS/s: ${ratio.toFixed(1)}x ${ratio >= 10 ? 'met' : 'NOT met'}; best NUTS variant (${nutsBest.name}): ${(nutsBest.essPerSecond / perWalker.essPerSecond).toFixed(1)}x`);
  }
}
writeFileSync(`${OUT}sampler-bench.json`, JSON.stringify({ problem: problem.name, keys, chains: CHAINS, walkers: WALKERS, burn: BURN, steps: STEPS, tune: TUNE, draws: DRAWS, fitbench: rows, emcee: emceeRows, peer: peer ? { emcee: peer.emcee, numpy: peer.numpy } : null }, null, 1));
console.log(`\nwrote ${OUT}sampler-bench.json`);
