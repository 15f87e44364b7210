/**
 * `sample SESSION.fitbench.json` (a session holding a hierarchical model) or
 * `sample --hierarchy FILE.json` (a bare HierarchyDoc, or a session) with the sampler options of
 * the sample command (--sampler, --chains, --draws, --tune, --seed, --metric, --walkers, --out,
 * --json) and --params to choose what is shown (`mu_r,sigma_r,r[0..9]`, `r`, `all`).
 *
 * Samples the joint density of the model (core/hierarchy/log-density.ts) with chains run one
 * after another from the model's start point jittered by +-0.5 in the unconstrained space
 * (workers/hierarchy-chain.ts); draws are reported in the natural parameters (non-centred members
 * as their values x, not z). JSON as the sample command's ("summary": per parameter mean, sd,
 * hdi_3, hdi_97, mcse_mean, mcse_sd, ess_bulk, ess_tail, r_hat; every parameter unless --params),
 * plus "target": "hierarchy", the hyperparameter names, "groups" (per member group: the range of
 * the posterior means, median sd, worst R-hat and ESS) and the timing per iteration. The table
 * shows the hyperparameters (or --params) and one line per member group. --out writes every draw
 * of every parameter as CSV: chain,draw,<parameters>.
 */
import { readFileSync } from 'node:fs';
import { HierarchyError, type HierarchyDoc } from '../core/hierarchy/document';
import { collapseWarnings, groupStats, keyLayout, parseSelection, type GroupStats } from '../core/hierarchy/summary';
import { SamplerError, summarizeChains, type ChainResult, type EnsembleChainResult } from '../core/sample';
import { loadHierarchyText } from '../core/session/hierarchy-file';
import { prepareHierarchySampling, runHierarchyChain } from '../workers/hierarchy-chain';
import { CHAINS_METHOD, ENSEMBLE_METHOD, mapSample } from '../workers/sampler-chain';
import { single, UsageError, type ParsedArgs } from './args';
import type { CommandOutput } from './fit-command';
import { DataError, readSessionIfAny } from './load-data';
import { csvOf, numOrNull, parseOptions, summaryJson, table } from './sample-command';
import { writeFileSync } from 'node:fs';

export interface HierarchyInput {
  doc: HierarchyDoc;
  /** file it came from */
  source: string;
}

/** options of fits that mean nothing for a hierarchical model */
const FIT_OPTIONS = ['model', 'component', 'start', 'bounds', 'fix', 'method', 'stat', 'x-col', 'y-col', 'sigma-col', 'max-iter'];

/** The hierarchical model to sample: --hierarchy FILE, or the session file's `hierarchy`; null: sample a fit. */
export function hierarchyInput(args: ParsedArgs): HierarchyInput | null {
  const file = single(args, 'hierarchy');
  if (file !== undefined) {
    if (args.positionals.length > 0) throw new UsageError(`sample --hierarchy ${file} takes no data or session file (got ${args.positionals.join(' ')})`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new DataError(`Cannot read ${file}: ${(e as Error).message}`);
    }
    try {
      return { doc: loadHierarchyText(text, file), source: file };
    } catch (e) {
      throw new DataError((e as Error).message);
    }
  }
  if (args.positionals.length !== 1) return null;
  const path = args.positionals[0];
  if (!path.toLowerCase().endsWith('.json')) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null; // the fit path reports it
  }
  if (!/"hierarchy"\s*:/.test(text)) return null;
  const session = readSessionIfAny(path);
  return session?.hierarchy ? { doc: session.hierarchy, source: path } : null;
}

const fmt = (v: number, d = 4) => (Number.isFinite(v) ? Number(v.toPrecision(d)).toString() : '-');

function groupJson(g: GroupStats): Record<string, unknown> {
  return {
    label: g.label,
    count: g.count,
    mean_min: numOrNull(g.meanMin),
    mean_max: numOrNull(g.meanMax),
    sd_median: numOrNull(g.sdMedian),
    r_hat_max: numOrNull(g.rhatMax),
    ess_bulk_min: numOrNull(g.essBulkMin),
    ess_tail_min: numOrNull(g.essTailMin),
  };
}

export function sampleHierarchyCommand(args: ParsedArgs, input: HierarchyInput): CommandOutput {
  const json = args.switches.has('json');
  const given = FIT_OPTIONS.filter((f) => args.flags.has(f));
  if (given.length > 0) throw new UsageError(`${given.map((f) => `--${f}`).join(', ')} apply to fits; ${input.source} holds a hierarchical model, which is sampled as it is`);
  if (args.switches.has('mass-from-fit')) throw new UsageError('--mass-from-fit applies to fits; a hierarchical model has no fit covariance (the warm-up adapts the metric)');
  const o = parseOptions(args);
  const fail = (error: string, reason: string): CommandOutput => ({ code: 1, stdout: json ? JSON.stringify({ error, reason }) : `${error}: ${reason}` });
  let setup: ReturnType<typeof prepareHierarchySampling>;
  try {
    setup = prepareHierarchySampling(input.doc, o.chains, o.seed);
  } catch (e) {
    if (e instanceof HierarchyError || e instanceof SamplerError) return fail('invalid hierarchical model', e.message);
    throw e;
  }
  const { density, keys } = setup;
  const layout = keyLayout(density);
  if (o.sampler === 'ensemble' && o.walkers !== undefined && o.walkers < 2 * density.n) throw new UsageError(`--walkers must be at least 2 n = ${2 * density.n}`);
  const paramsText = single(args, 'params');
  let shown: string[] | null = null;
  if (paramsText !== undefined) {
    const sel = parseSelection(paramsText, layout);
    if (sel.error) throw new UsageError(`--params: ${sel.error}`);
    if (sel.keys.length === 0) throw new UsageError('--params names no parameter');
    shown = sel.keys;
  }
  const t0 = performance.now();
  let results: ChainResult[];
  try {
    results = setup.seeds.map((seed, c) => {
      process.stderr.write(`sampling chain ${c + 1} of ${o.chains} (${o.sampler}, hierarchical model, ${density.n} parameters)\n`);
      return runHierarchyChain(density, { sampler: o.sampler, draws: o.draws, tune: o.tune, seed, start: setup.starts[c], metric: o.metric, walkers: o.walkers }, { now: () => performance.now() });
    });
  } catch (e) {
    if (e instanceof SamplerError || e instanceof RangeError) return fail('sampling failed', e.message);
    throw e;
  }
  const elapsed = performance.now() - t0;
  const summary = summarizeChains(results);
  if (o.out) writeFileSync(o.out, csvOf(keys, results));
  const total = results.reduce((t, r) => t + r.nDraws, 0);
  const acceptance = total > 0 ? results.reduce((t, r) => t + r.acceptRate * r.nDraws, 0) / total : NaN;
  const warnings = collapseWarnings(summary.warnings, layout);
  const method = summary.method === 'ensemble' ? ENSEMBLE_METHOD : CHAINS_METHOD;
  const groups = layout.groups.map((g) => groupStats(summary, g));
  const iterations = o.chains * (o.tune + o.draws);
  const evaluations = results.reduce((t, r) => t + r.evaluations, 0);
  const walkers = o.sampler === 'ensemble' ? (results[0] as EnsembleChainResult).walkers : undefined;
  const pick = (list: string[]) => {
    const set = new Set(list);
    return summary.parameters.filter((p) => set.has(p.key));
  };
  if (json) {
    const selected = shown ? pick(shown) : summary.parameters;
    const map = mapSample(results);
    const out: Record<string, unknown> = {
      target: 'hierarchy',
      source: input.source,
      sampler: o.sampler,
      chains: o.chains,
      draws: o.draws,
      tune: o.tune,
      seed: o.seed,
      ...(walkers !== undefined ? { walkers } : {}),
      parameters: density.n,
      hyperparameters: layout.hyper,
      groups: Object.fromEntries(layout.groups.map((g, i) => [g.name, groupJson(groups[i])])),
      summary: summaryJson({ ...summary, parameters: selected }),
      diagnostics: { method: summary.method, description: method },
      divergences: summary.divergences,
      acceptance: numOrNull(acceptance),
      ...(Number.isFinite(acceptance) ? {} : { acceptance_reason: 'no draws kept' }),
      warnings,
      elapsed_ms: elapsed,
      ms_per_iteration: elapsed / Math.max(1, iterations),
      gradients_per_iteration: evaluations / Math.max(1, iterations),
      evaluations,
      map_sample: map ? Object.fromEntries(selected.map((p) => [p.key, map.theta[keys.indexOf(p.key)]])) : null,
      ...(o.out ? { out: o.out, rows: total } : {}),
    };
    return { code: 0, stdout: JSON.stringify(out) };
  }
  const head = [
    `${o.sampler}: hierarchical model from ${input.source} (${density.n} parameters: ${layout.hyper.join(', ')}${layout.groups.length ? `, ${layout.groups.map((g) => g.label).join(', ')}` : ''})`,
    `${o.chains} ${o.sampler === 'ensemble' ? `ensembles of ${walkers} walkers x ${o.draws} steps` : `chains x ${o.draws} draws`} (tune ${o.tune}), seed ${o.seed}, ${(elapsed / 1000).toFixed(2)} s (${(elapsed / Math.max(1, iterations)).toFixed(3)} ms per iteration)`,
    `acceptance ${Number.isFinite(acceptance) ? acceptance.toFixed(3) : '-'}, divergences ${summary.divergences}${o.out ? `, ${total} draws written to ${o.out}` : ''}`,
    '',
  ];
  const text = table({ ...summary, parameters: pick(shown ?? layout.hyper), warnings }, method, head);
  const groupLines = shown
    ? []
    : [
        '',
        'member groups (show members with --params, e.g. --params ' + (layout.groups[0] ? `${layout.groups[0].name}[0..9]` : 'all') + '):',
        ...groups.map((g) => `  ${g.label}: ${g.count} members, means ${fmt(g.meanMin, 6)} .. ${fmt(g.meanMax, 6)}, median sd ${fmt(g.sdMedian)}, max r_hat ${Number.isFinite(g.rhatMax) ? g.rhatMax.toFixed(3) : '-'}, min ess_bulk ${fmt(g.essBulkMin)}, min ess_tail ${fmt(g.essTailMin)}`),
      ];
  return { code: 0, stdout: [text, ...groupLines].join('\n') };
}
