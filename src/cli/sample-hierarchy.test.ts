/**
 * The runner's `sample` on a hierarchical model: the star cluster of the tutorial (N = 256 stars,
 * true distances ~ N(500 pc, 8.7 pc), parallax errors 10^U(-2,-1) mas) from a session file and
 * from a bare HierarchyDoc (--hierarchy). NUTS must recover mu_r within 3 posterior sd of 500 pc
 * and sigma_r consistent with 8.7 pc, with no divergences and R-hat < 1.01; the CSV holds every
 * draw in the natural parameters.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulateStarCluster } from '../core/hierarchy/star-cluster';
import { emptySession } from '../core/session/document';
import { sessionToText } from '../core/session/serialize';
import { registerCommand, runCli } from './run';
import { SAMPLE_COMMANDS } from './sample-command';

const dir = mkdtempSync(join(tmpdir(), 'fitbench-hier-'));
const sc = simulateStarCluster({ n: 256, seed: 1 });
const sessionFile = join(dir, 'cluster.fitbench.json');
const bareFile = join(dir, 'cluster.json');
writeFileSync(sessionFile, sessionToText({ ...emptySession(), hierarchy: sc.doc }));
writeFileSync(bareFile, JSON.stringify(sc.doc));

beforeAll(() => {
  for (const [name, f] of Object.entries(SAMPLE_COMMANDS)) registerCommand(name, f);
});

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

type P = { mean: number; sd: number; hdi_3: number; hdi_97: number; mcse_mean: number; ess_bulk: number; ess_tail: number; r_hat: number };

const opts = ['--chains', '4', '--draws', '500', '--tune', '500', '--seed', '3'];
let first: { summary: Record<string, P> } | null = null;

describe('sample: hierarchical model (star cluster, N = 256)', () => {
  it('from a session file: NUTS recovers mu_r and sigma_r, no divergences, R-hat < 1.01; CSV of every draw', () => {
    const csv = join(dir, 'chains.csv');
    const t0 = performance.now();
    const r = run(['sample', sessionFile, ...opts, '--out', csv, '--json']);
    const ms = performance.now() - t0;
    expect(r.code, r.err + r.out).toBe(0);
    const j = JSON.parse(r.out);
    first = j;
    expect(j.target).toBe('hierarchy');
    expect(j.sampler).toBe('nuts');
    expect(j.parameters).toBe(258);
    expect(j.hyperparameters).toEqual(['mu_r', 'sigma_r']);
    const keys = Object.keys(j.summary);
    expect(keys.length).toBe(258);
    expect(keys.slice(0, 4)).toEqual(['mu_r', 'sigma_r', 'r[0]', 'r[1]']);
    for (const k of ['mean', 'sd', 'hdi_3', 'hdi_97', 'mcse_mean', 'ess_bulk', 'ess_tail', 'r_hat']) expect(typeof j.summary.mu_r[k], k).toBe('number');
    const mu: P = j.summary.mu_r;
    const sigma: P = j.summary.sigma_r;
    console.log(
      `star cluster via CLI (4 chains x 500 tune + 500 draws): ${(ms / 1000).toFixed(2)} s, ${j.ms_per_iteration.toFixed(3)} ms per iteration, ` +
        `${j.gradients_per_iteration.toFixed(1)} gradients per iteration, divergences ${j.divergences}\n` +
        `  mu_r ${mu.mean.toFixed(3)} +- ${mu.sd.toFixed(3)} [${mu.hdi_3.toFixed(2)}, ${mu.hdi_97.toFixed(2)}] R-hat ${mu.r_hat.toFixed(4)} ESS ${mu.ess_bulk.toFixed(0)}\n` +
        `  sigma_r ${sigma.mean.toFixed(3)} +- ${sigma.sd.toFixed(3)} [${sigma.hdi_3.toFixed(2)}, ${sigma.hdi_97.toFixed(2)}] R-hat ${sigma.r_hat.toFixed(4)} ESS ${sigma.ess_bulk.toFixed(0)}\n` +
        `  members: ${JSON.stringify(j.groups.r)}`,
    );
    expect(Math.abs(mu.mean - 500) / mu.sd, `mu_r ${mu.mean} +- ${mu.sd}`).toBeLessThan(3);
    expect(Math.abs(sigma.mean - 8.7) / sigma.sd, `sigma_r ${sigma.mean} +- ${sigma.sd}`).toBeLessThan(3);
    expect(sigma.hdi_3).toBeLessThan(8.7);
    expect(sigma.hdi_97).toBeGreaterThan(8.7);
    // the posterior sd of mu_r is about sqrt(sigma_r^2 + typical distance error^2) / sqrt(N) ~ 0.7 pc
    expect(mu.sd).toBeGreaterThan(0.4);
    expect(mu.sd).toBeLessThan(1.2);
    expect(j.divergences).toBe(0);
    expect(mu.r_hat).toBeLessThan(1.01);
    expect(sigma.r_hat).toBeLessThan(1.01);
    expect(mu.ess_bulk).toBeGreaterThan(400);
    expect(sigma.ess_bulk).toBeGreaterThan(400);
    // the members: one row per group; every distance near its true value
    expect(j.groups.r.label).toBe('r[0..255]');
    expect(j.groups.r.count).toBe(256);
    expect(j.groups.r.r_hat_max).toBeLessThan(1.03);
    let within = 0;
    for (let i = 0; i < 256; i++) {
      const p: P = j.summary[`r[${i}]`];
      if (Math.abs(p.mean - sc.truth.distances[i]) < 3 * p.sd) within++;
    }
    expect(within).toBeGreaterThanOrEqual(250);
    // CSV: header + 4 x 500 rows, chain,draw + 258 columns; its column means are the summary's
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines.length).toBe(1 + 4 * 500);
    const head = lines[0].split(',');
    expect(head.slice(0, 5)).toEqual(['chain', 'draw', 'mu_r', 'sigma_r', 'r[0]']);
    expect(head.length).toBe(260);
    const col = head.indexOf('sigma_r');
    const mean = lines.slice(1).reduce((s, l) => s + Number(l.split(',')[col]), 0) / (lines.length - 1);
    expect(mean).toBeCloseTo(sigma.mean, 9);
    expect(j.out).toBe(csv);
    expect(j.rows).toBe(2000);
  });

  it('--hierarchy FILE with a bare document: the same chains; --params chooses the rows', () => {
    const r = run(['sample', '--hierarchy', bareFile, ...opts, '--params', 'mu_r, r[0..2]', '--json']);
    expect(r.code, r.err + r.out).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j.summary)).toEqual(['mu_r', 'r[0]', 'r[1]', 'r[2]']);
    expect(first).not.toBeNull();
    // same document, options and seed: the same numbers
    expect(j.summary.mu_r.mean).toBe(first!.summary.mu_r.mean);
    expect(j.summary['r[2]'].sd).toBe(first!.summary['r[2]'].sd);
    expect(Object.keys(j.map_sample)).toEqual(['mu_r', 'r[0]', 'r[1]', 'r[2]']);
  });

  it('the table shows the hyperparameters and one line per member group', () => {
    const r = run(['sample', '--hierarchy', bareFile, '--chains', '2', '--draws', '60', '--tune', '60']);
    expect(r.code, r.err + r.out).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`nuts: hierarchical model from ${bareFile} (258 parameters: mu_r, sigma_r, r[0..255])`);
    const rows = lines.filter((l) => /^(mu_r|sigma_r|r\[)/.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(['mu_r', 'sigma_r']);
    expect(r.out).toMatch(/\n {2}r\[0\.\.255\]: 256 members, means \d+(\.\d+)? \.\. \d+(\.\d+)?, median sd /);
  });

  it('refuses bad input with reasons', () => {
    const bad = structuredClone(sc.doc);
    bad.observations[0].values = bad.observations[0].values.slice(0, 10);
    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify(bad));
    const r1 = run(['sample', '--hierarchy', badFile, '--json']);
    expect(r1.code).toBe(1);
    expect(JSON.parse(r1.out)).toEqual({ error: 'data error', reason: `${badFile}: observations[0].values: values must have 256 entries (one per member 'r'; null where not observed)` });
    const r2 = run(['sample', sessionFile, '--model', 'a*x']);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('--model apply to fits');
    const r3 = run(['sample', sessionFile, '--params', 'mu_r,q']);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain("--params: unknown parameter 'q' (hyperparameters: mu_r, sigma_r; members: r[0..255])");
    const r4 = run(['sample', '--hierarchy', join(dir, 'missing.json')]);
    expect(r4.code).toBe(1);
    expect(r4.err).toContain('Cannot read');
    const r5 = run(['sample', sessionFile, '--params', 'r[250..256]']);
    expect(r5.code).toBe(2);
    expect(r5.err).toContain("'r[250..256]': r has members 0 to 255");
  });
});
