/**
 * The runner's `sample` command on a straight line with Gaussian noise of known sigma and flat
 * priors: the posterior is Gaussian with the weighted least-squares mean and covariance
 * (X^T W X)^-1, so every summary can be checked against the exact values within its MCSE.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCommand, runCli } from './run';
import { SAMPLE_COMMANDS } from './sample-command';

const dir = mkdtempSync(join(tmpdir(), 'fitbench-sample-'));

beforeAll(() => {
  for (const [name, f] of Object.entries(SAMPLE_COMMANDS)) registerCommand(name, f);
});

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

// y = 1.5 x - 2 + noise, per-point sigma (deterministic "noise")
const xs = Array.from({ length: 24 }, (_, i) => 0.5 * i);
const sig = xs.map((_, i) => 0.3 + 0.05 * (i % 4));
const noise = xs.map((_, i) => Math.sin(12.9898 * (i + 1)) * 0.9);
const ys = xs.map((x, i) => 1.5 * x - 2 + sig[i] * noise[i]);
const csv = join(dir, 'line.csv');
writeFileSync(csv, 'x,y,sigma\n' + xs.map((x, i) => `${x},${ys[i]},${sig[i]}`).join('\n') + '\n');
const line = ['--model', 'a*x+b', '--start', 'a=1,b=0'];

/** the exact posterior of (a, b): mean and sd */
function exact(): { mean: Record<string, number>; sd: Record<string, number> } {
  let S = 0, Sx = 0, Sxx = 0, Sy = 0, Sxy = 0;
  xs.forEach((x, i) => {
    const w = 1 / sig[i] ** 2;
    S += w;
    Sx += w * x;
    Sxx += w * x * x;
    Sy += w * ys[i];
    Sxy += w * x * ys[i];
  });
  const D = S * Sxx - Sx * Sx;
  return {
    mean: { a: (S * Sxy - Sx * Sy) / D, b: (Sxx * Sy - Sx * Sxy) / D },
    sd: { a: Math.sqrt(S / D), b: Math.sqrt(Sxx / D) },
  };
}

type Summary = Record<string, { mean: number; sd: number; hdi_3: number; hdi_97: number; mcse_mean: number; mcse_sd: number; ess_bulk: number; ess_tail: number; r_hat: number; tau?: number }>;

function checkExact(summary: Summary, rhatMax = 1.01): void {
  const t = exact();
  for (const key of ['a', 'b']) {
    const p = summary[key];
    expect(Math.abs(p.mean - t.mean[key]), `${key} mean ${p.mean} vs ${t.mean[key]} (mcse ${p.mcse_mean})`).toBeLessThan(4 * p.mcse_mean);
    expect(Math.abs(p.sd - t.sd[key]), `${key} sd ${p.sd} vs ${t.sd[key]} (mcse ${p.mcse_sd})`).toBeLessThan(4 * p.mcse_sd);
    expect(p.r_hat, `${key} R-hat`).toBeLessThan(rhatMax);
    expect(p.ess_bulk).toBeGreaterThan(400);
    expect(p.hdi_3).toBeLessThan(p.mean);
    expect(p.hdi_97).toBeGreaterThan(p.mean);
  }
}

describe('sample', () => {
  it('NUTS: means and sds of the line within 4 MCSE of the exact posterior, R-hat < 1.01; --out has chains x draws rows', () => {
    const out = join(dir, 'chains.csv');
    const r = run(['sample', csv, ...line, '--sampler', 'nuts', '--chains', '4', '--draws', '1000', '--tune', '1000', '--seed', '3', '--out', out, '--json']);
    expect(r.code, r.err + r.out).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.sampler).toBe('nuts');
    expect(j.chains).toBe(4);
    expect(j.draws).toBe(1000);
    expect(j.tune).toBe(1000);
    expect(j.seed).toBe(3);
    expect(Object.keys(j.summary)).toEqual(['a', 'b']);
    for (const k of ['mean', 'sd', 'hdi_3', 'hdi_97', 'mcse_mean', 'mcse_sd', 'ess_bulk', 'ess_tail', 'r_hat']) expect(typeof j.summary.a[k], k).toBe('number');
    checkExact(j.summary);
    expect(j.divergences).toBe(0);
    expect(j.acceptance).toBeGreaterThan(0.6);
    expect(Array.isArray(j.warnings)).toBe(true);
    expect(j.warnings).toEqual([]);
    expect(j.elapsed_ms).toBeGreaterThan(0);
    expect(j.diagnostics.method).toBe('chains');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('chain,draw,a,b');
    expect(lines.length - 1).toBe(4 * 1000);
    const last = lines[lines.length - 1].split(',');
    expect(last[0]).toBe('3');
    expect(last[1]).toBe('999');
  });

  it('the same seed gives the same draws; --mass-from-fit starts the metric at the fit covariance', () => {
    const a = run(['sample', csv, ...line, '--chains', '2', '--draws', '200', '--tune', '200', '--seed', '5', '--json']);
    const b = run(['sample', csv, ...line, '--chains', '2', '--draws', '200', '--tune', '200', '--seed', '5', '--json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out).summary).toEqual(JSON.parse(b.out).summary);
    const m = run(['sample', csv, ...line, '--chains', '4', '--draws', '1000', '--tune', '300', '--mass-from-fit', '--metric', 'dense', '--json']);
    expect(m.code, m.err).toBe(0);
    const j = JSON.parse(m.out);
    expect(j.mass_from_fit).toBe(true);
    checkExact(j.summary);
  });

  it('HMC and adaptive Metropolis recover the exact posterior too', () => {
    const h = run(['sample', csv, ...line, '--sampler', 'hmc', '--chains', '4', '--draws', '1000', '--tune', '500', '--json']);
    expect(h.code, h.err).toBe(0);
    checkExact(JSON.parse(h.out).summary);
    const m = run(['sample', csv, ...line, '--sampler', 'mh', '--chains', '4', '--json']);
    expect(m.code, m.err).toBe(0);
    const j = JSON.parse(m.out);
    checkExact(j.summary);
    expect(j.acceptance).toBeGreaterThan(0.1);
    expect(j.acceptance).toBeLessThan(0.6);
  });

  it('ensemble: --chains ensembles of walkers, nested R-hat named beside the summary, CSV per walker', () => {
    const out = join(dir, 'ens.csv');
    const r = run(['sample', csv, ...line, '--sampler', 'ensemble', '--chains', '4', '--draws', '1500', '--tune', '500', '--walkers', '8', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.walkers).toBe(8);
    expect(j.diagnostics.method).toBe('ensemble');
    expect(j.diagnostics.description).toContain('nested R-hat');
    expect(j.summary.a.tau).toBeGreaterThan(1);
    checkExact(j.summary);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('chain,walker,draw,a,b');
    expect(lines.length - 1).toBe(4 * 8 * 1500);
  });

  it('a table without --json; usage errors exit 2', () => {
    const t = run(['sample', csv, ...line, '--chains', '2', '--draws', '100', '--tune', '100']);
    expect(t.code).toBe(0);
    expect(t.out).toContain('r_hat');
    expect(t.out).toContain('diagnostics: chains');
    const bad = run(['sample', csv, ...line, '--sampler', 'gibbs', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--sampler must be one of nuts, hmc, mh, ensemble');
    expect(bad.out).toBe('');
    expect(run(['sample', csv, ...line, '--chains', '0']).code).toBe(2);
    expect(run(['sample', csv, ...line, '--draws', 'many']).code).toBe(2);
    expect(run(['sample', csv, ...line, '--metric', 'full']).code).toBe(2);
    expect(run(['sample', csv, ...line, '--walkers', '8']).code).toBe(2);
    expect(run(['sample', csv, ...line, '--sampler', 'ensemble', '--walkers', '3']).code).toBe(2);
  });

  it('a fit that fails exits 1 with {"error", "reason"}', () => {
    const r = run(['sample', csv, '--model', 'a*x+b', '--start', 'a=1,b=0', '--max-iter', '1', '--method', 'simplex', '--json']);
    if (r.code === 1) {
      const j = JSON.parse(r.out);
      expect(j.error).toBeTruthy();
      expect(typeof j.reason).toBe('string');
    } else expect(r.code).toBe(0);
  });
});
