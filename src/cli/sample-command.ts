/**
 * `sample <data or session> [model options] --sampler nuts|hmc|mh|ensemble --chains N --draws N
 *  --tune N --seed S [--no-mass-from-fit] [--metric auto|diag|dense] [--walkers W] [--out chains.csv] [--json]`
 *
 * Fits first (exit 1 with {"error", "reason"} when the fit fails), then samples the posterior
 * (core/fit/posterior.ts: likelihood of the fit statistic times the parameters' priors, flat within
 * their bounds) with chains run one after another, each started from the best fit jittered by
 * +-2 standard deviations of the fit covariance (workers/sampler-chain.ts). The fit covariance is
 * the initial inverse mass matrix (NUTS, HMC, as AstroPhot does; its diagonal with --metric diag) or
 * the initial proposal covariance (mh) unless --no-mass-from-fit; --metric auto (default) adapts a
 * dense metric up to 64 parameters and a diagonal one above. JSON per shared/docs/cli-json.md ("sample"), plus
 * "diagnostics" naming how the summary was computed. --out writes every kept draw as CSV:
 * chain,draw,<parameters> (ensemble: chain,walker,draw,<parameters>).
 *
 * Images with NUTS or HMC: each gradient is split across --threads threads (default the machine's
 * cores, at most 8; gradient-threads.ts), which gives the one-thread values bit for bit and the
 * gradient to rounding; the JSON says how many ran ("gradient_threads").
 *
 * Ensemble: --chains is the number of independent ensembles, --draws the kept steps per walker and
 * --tune the burn-in steps; the walkers (--walkers, default max(16, 4 n)) move together. Its
 * diagnostics are nested R-hat over the ensembles and ESS from the walkers thinned by tau / 2
 * (core/sample/diagnostics.ts, summarizeEnsembles).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setValues } from '../core/model/edit';
import { GradientThreads } from './gradient-threads';
import { fitModel } from '../core/fit/fit-model';
import { buildProfileObjective } from '../core/fit/profile-objective';
import { SamplerError, summarizeChains, type ChainResult, type EnsembleChainResult, type PosteriorSummary } from '../core/sample';
import { CHAINS_METHOD, ENSEMBLE_METHOD, mapSample, prepareSampling, runChain, SAMPLER_CHOICES, resolveMetric, type MetricChoice, type SamplerChoice } from '../workers/sampler-chain';
import { parseNumberArg, single, UsageError, type ParsedArgs } from './args';
import { fitInputs, type CommandOutput } from './fit-command';
import { fitResultTable } from './output';
import { hierarchyInput, sampleHierarchyCommand } from './sample-hierarchy';

function intArg(args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const text = single(args, name);
  if (text === undefined) return fallback;
  const v = parseNumberArg(text, `--${name}`);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return v;
}

export function numOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export interface SampleOptions {
  sampler: SamplerChoice;
  chains: number;
  draws: number;
  tune: number;
  seed: number;
  massFromFit: boolean;
  metric: MetricChoice;
  walkers?: number;
  out?: string;
  /** image models with nuts/hmc: threads per gradient (gradient-threads.ts) */
  threads: number;
}

export function parseOptions(args: ParsedArgs): SampleOptions {
  const s = single(args, 'sampler') ?? 'nuts';
  if (!SAMPLER_CHOICES.includes(s as SamplerChoice)) throw new UsageError(`--sampler must be one of ${SAMPLER_CHOICES.join(', ')}, got "${s}"`);
  const sampler = s as SamplerChoice;
  const chains = intArg(args, 'chains', 4, 1, 256);
  const draws = intArg(args, 'draws', sampler === 'mh' ? 4000 : sampler === 'ensemble' ? 2000 : 1000, 1, 10_000_000);
  const tune = intArg(args, 'tune', sampler === 'mh' ? 2000 : 1000, 0, 10_000_000);
  const seed = intArg(args, 'seed', 1, 0, Number.MAX_SAFE_INTEGER);
  const metric = single(args, 'metric') ?? 'auto';
  if (metric !== 'diag' && metric !== 'dense' && metric !== 'auto') throw new UsageError(`--metric must be auto, diag or dense, got "${metric}"`);
  const walkersText = single(args, 'walkers');
  const walkers = walkersText === undefined ? undefined : intArg(args, 'walkers', 0, 4, 100_000);
  if (walkers !== undefined && sampler !== 'ensemble') throw new UsageError('--walkers applies to --sampler ensemble only');
  const out = single(args, 'out');
  if (out !== undefined && out.trim() === '') throw new UsageError('--out needs a file name');
  const threads = intArg(args, 'threads', Math.min(8, availableParallelism()), 1, 64);
  return { sampler, chains, draws, tune, seed, massFromFit: !args.switches.has('no-mass-from-fit'), metric, walkers, out, threads };
}

/** the summary object of the JSON: one entry per parameter, null with a reason where not computable */
export function summaryJson(s: PosteriorSummary): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of s.parameters) {
    const fields: [string, number][] = [
      ['mean', p.mean],
      ['sd', p.sd],
      ['hdi_3', p.hdiLow],
      ['hdi_97', p.hdiHigh],
      ['mcse_mean', p.mcseMean],
      ['mcse_sd', p.mcseSd],
      ['ess_bulk', p.essBulk],
      ['ess_tail', p.essTail],
      ['r_hat', p.rhat],
    ];
    const e: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const [k, v] of fields) {
      e[k] = numOrNull(v);
      if (e[k] === null) missing.push(k);
    }
    if (p.tau !== undefined) e.tau = numOrNull(p.tau);
    if (p.thin !== undefined) e.thin = p.thin;
    if (missing.length > 0) e.reason = `${missing.join(', ')} not computable: ${s.chains < 2 && missing.includes('r_hat') ? 'R-hat needs two (split) chains and varying draws' : 'too few or constant draws'}`;
    out[p.key] = e;
  }
  return out;
}

export function csvOf(keys: string[], results: ChainResult[]): string {
  const ensemble = results[0]?.sampler === 'ensemble';
  const lines = [(ensemble ? ['chain', 'walker', 'draw', ...keys] : ['chain', 'draw', ...keys]).join(',')];
  results.forEach((r, c) => {
    const n = r.n;
    if (ensemble) {
      const e = r as EnsembleChainResult;
      for (let w = 0; w < e.walkers; w++) {
        for (let s = 0; s < e.steps; s++) {
          const o = (w * e.steps + s) * n;
          lines.push(`${c},${w},${s},${Array.from(r.draws.subarray(o, o + n)).join(',')}`);
        }
      }
    } else {
      for (let i = 0; i < r.nDraws; i++) lines.push(`${c},${i},${Array.from(r.draws.subarray(i * n, (i + 1) * n)).join(',')}`);
    }
  });
  return lines.join('\n') + '\n';
}

export function table(s: PosteriorSummary, method: string, head: string[]): string {
  const fmt = (v: number, d = 4) => (Number.isFinite(v) ? Number(v.toPrecision(d)).toString() : '-');
  const cols = ['parameter', 'mean', 'sd', 'hdi_3%', 'hdi_97%', 'mcse_mean', 'mcse_sd', 'ess_bulk', 'ess_tail', 'r_hat'];
  const rows = s.parameters.map((p) => [p.key, fmt(p.mean, 6), fmt(p.sd), fmt(p.hdiLow, 6), fmt(p.hdiHigh, 6), fmt(p.mcseMean, 2), fmt(p.mcseSd, 2), fmt(p.essBulk, 4), fmt(p.essTail, 4), Number.isFinite(p.rhat) ? p.rhat.toFixed(3) : '-']);
  const w = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(w[i])).join('  ').trimEnd();
  return [...head, line(cols), ...rows.map(line), '', `diagnostics: ${method}`, ...(s.warnings.length ? ['', 'warnings:', ...s.warnings.map((x) => `  - ${x}`)] : [])].join('\n');
}

export function sampleCommand(args: ParsedArgs): CommandOutput {
  // a session holding a hierarchical model, or --hierarchy FILE: sample-hierarchy.ts
  const hierarchy = hierarchyInput(args);
  if (hierarchy) return sampleHierarchyCommand(args, hierarchy);
  const json = args.switches.has('json');
  const o = parseOptions(args);
  const inputs = fitInputs(args);
  const { dataset, model, settings } = inputs;
  // the model's free parameters (also validates the model) before fitting
  const nFree = buildProfileObjective(dataset, model, settings).keys.length;
  if (o.sampler === 'ensemble' && o.walkers !== undefined && o.walkers < 2 * nFree) throw new UsageError(`--walkers must be at least 2 n = ${2 * nFree}`);
  const fit = fitModel(dataset, model, settings, { now: () => performance.now() });
  if (!fit.converged) {
    const reason = `the fit did not converge: ${fit.message}`;
    return { code: 1, stdout: json ? JSON.stringify({ error: 'fit failed', reason }) : `fit failed: ${reason}\n\n${fitResultTable(fit)}` };
  }
  const t0 = performance.now();
  let results: ChainResult[];
  let setup: ReturnType<typeof prepareSampling>;
  let team: GradientThreads | null = null;
  try {
    setup = prepareSampling(dataset, model, settings, fit, o.chains, o.seed);
    const s = setup;
    // an image's gradient split across threads (NUTS and HMC spend their time in it); null where it cannot be
    if ((o.sampler === 'nuts' || o.sampler === 'hmc') && o.threads > 1) team = GradientThreads.start(s.posterior.objective.compiled, setValues(model, fit.values), dataset, { threads: o.threads });
    results = s.seeds.map((seed, c) => {
      process.stderr.write(`sampling chain ${c + 1} of ${o.chains} (${o.sampler})\n`);
      return runChain(
        s.posterior,
        { sampler: o.sampler, draws: o.draws, tune: o.tune, seed, start: s.starts[c], covariance: s.covariance, massFromFit: o.massFromFit, metric: o.metric, walkers: o.walkers },
        { now: () => performance.now() },
      );
    });
  } catch (e) {
    if (e instanceof SamplerError || e instanceof RangeError) {
      const reason = e.message;
      return { code: 1, stdout: json ? JSON.stringify({ error: 'sampling failed', reason }) : `sampling failed: ${reason}` };
    }
    throw e;
  } finally {
    team?.close();
  }
  const summary = summarizeChains(results);
  const elapsed = performance.now() - t0;
  if (o.out) writeFileSync(o.out, csvOf(setup.keys, results));
  const total = results.reduce((t, r) => t + r.nDraws, 0);
  const acceptance = total > 0 ? results.reduce((t, r) => t + r.acceptRate * r.nDraws, 0) / total : NaN;
  const warnings = [...setup.notes, ...summary.warnings];
  const method = summary.method === 'ensemble' ? ENSEMBLE_METHOD : CHAINS_METHOD;
  const map = mapSample(results);
  const walkers = o.sampler === 'ensemble' ? (results[0] as EnsembleChainResult).walkers : undefined;
  if (json) {
    const out: Record<string, unknown> = {
      sampler: o.sampler,
      chains: o.chains,
      draws: o.draws,
      tune: o.tune,
      seed: o.seed,
      ...(walkers !== undefined ? { walkers } : {}),
      summary: summaryJson(summary),
      diagnostics: { method: summary.method, description: method },
      divergences: summary.divergences,
      acceptance: numOrNull(acceptance),
      ...(Number.isFinite(acceptance) ? {} : { acceptance_reason: 'no draws kept' }),
      warnings,
      elapsed_ms: elapsed,
      best_fit: Object.fromEntries(setup.keys.map((k, i) => [k, setup.best[i]])),
      map_sample: map ? Object.fromEntries(setup.keys.map((k, i) => [k, map.theta[i]])) : null,
      mass_from_fit: o.massFromFit,
      metric: o.sampler === 'nuts' || o.sampler === 'hmc' ? resolveMetric(o.metric, setup.keys.length) : null,
      evaluations: results.reduce((t, r) => t + r.evaluations, 0),
      gradient_threads: team ? team.threads : 1,
      ...(o.out ? { out: o.out, rows: total } : {}),
    };
    return { code: 0, stdout: JSON.stringify(out) };
  }
  const head = [
    `${o.sampler}: ${o.chains} ${o.sampler === 'ensemble' ? `ensembles of ${walkers} walkers x ${o.draws} steps` : `chains x ${o.draws} draws`} (tune ${o.tune}), seed ${o.seed}, ${(elapsed / 1000).toFixed(2)} s${team ? `, each gradient on ${team.threads} threads` : ''}`,
    `acceptance ${Number.isFinite(acceptance) ? acceptance.toFixed(3) : '-'}, divergences ${summary.divergences}${o.out ? `, ${total} draws written to ${o.out}` : ''}`,
    '',
  ];
  return { code: 0, stdout: table({ ...summary, warnings }, method, head) };
}

/** The runner's sampling command (register with run.ts's registerCommand). */
export const SAMPLE_COMMANDS = { sample: sampleCommand };
