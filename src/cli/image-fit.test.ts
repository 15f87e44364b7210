/** The runner on images: FITS / .npy with variance, weight, mask and PSF files, --component specs. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeFitsImage } from '../core/data/readers/fits-write';
import { writeNpy } from '../core/data/readers/npy-write';
import { compileForDataset } from '../core/fit/compile-view';
import { gaussianPsf } from '../core/image/psf';
import { emptyImage } from '../core/image/tutorial';
import type { ModelDoc } from '../core/model/document';
import { createRng } from '../core/random';
import { addComponentArg } from './component-arg';
import { runCli } from './run';

const dir = mkdtempSync(join(tmpdir(), 'fitbench-image-cli-'));

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const ROWS = 45;
const COLS = 49;
const TRUTH: Record<string, number> = { 'FlatSky.F': 1.2, 'Sersic.x': 24.3, 'Sersic.y': 21.7, 'Sersic.q': 0.65, 'Sersic.PA': 2.6, 'Sersic.n': 1.8, 'Sersic.Re': 6.5, 'Sersic.Ie': 1.6 };

/** a sky + Sersic image through a Gaussian PSF (sigma 1.5 px, 13 x 13), noise sd sqrt(model)/2 */
function writeImage(): { image: string; variance: string; psf: string; npy: string; weightNpy: string } {
  const d = emptyImage('sim', ROWS, COLS);
  d.psf = gaussianPsf(1.5, 13);
  const p = (v: number) => ({ value: v, lower: null, upper: null, fixed: false });
  const model: ModelDoc = {
    components: [
      { name: 'FlatSky', type: 'FlatSky', active: true, params: { F: p(TRUTH['FlatSky.F']) } },
      { name: 'Sersic', type: 'Sersic', active: true, params: Object.fromEntries(['x', 'y', 'q', 'PA', 'n', 'Re', 'Ie'].map((k) => [k, p(TRUTH[`Sersic.${k}`])])) },
    ],
  };
  const c = compileForDataset(model, d);
  const mean = new Float64Array(ROWS * COLS);
  c.evaluate(c.layout.theta0, mean);
  const rng = createRng(21);
  const data = Float64Array.from(mean, (m) => m + rng.normal(0, Math.sqrt(m) / 2));
  const variance = Float64Array.from(mean, (m) => m / 4);
  const files = {
    image: join(dir, 'galaxy.fits'),
    variance: join(dir, 'galaxy_var.fits'),
    psf: join(dir, 'psf.fits'),
    npy: join(dir, 'galaxy.npy'),
    weightNpy: join(dir, 'galaxy_wht.npy'),
  };
  writeFileSync(files.image, writeFitsImage(data, ROWS, COLS));
  writeFileSync(files.variance, writeFitsImage(variance, ROWS, COLS));
  writeFileSync(files.psf, writeFitsImage(d.psf.data, 13, 13));
  writeFileSync(files.npy, writeNpy([ROWS, COLS], data));
  writeFileSync(files.weightNpy, writeNpy([ROWS, COLS], Float64Array.from(variance, (v) => 1 / v)));
  return files;
}

const files = writeImage();
const START = ['--component', 'FlatSky:F=1.1', '--component', 'Sersic:x=25,y=21,q=0.7,pa=2.4,n=2,Re=6,Ie=1.5'];

describe('fit on images', () => {
  it('FITS image + variance + PSF file: JSON with <component>.<parameter> keys, every value within 3 errors of the truth', () => {
    const r = run(['fit', files.image, '--variance', files.variance, '--psf', files.psf, ...START, '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.parameter_order).toEqual(Object.keys(TRUTH));
    expect(out.statistic.name).toBe('chi2');
    expect(out.dof).toBe(ROWS * COLS - 8);
    expect(Math.abs(out.reduced_statistic - 1)).toBeLessThan(0.1);
    for (const [k, v] of Object.entries(TRUTH)) {
      const p = out.parameters[k];
      expect(p.error, k).toBeGreaterThan(0);
      let d = p.value - v;
      if (k.endsWith('.PA')) d -= Math.PI * Math.round(d / Math.PI);
      expect(Math.abs(d) / p.error, k).toBeLessThan(3);
    }
    expect(out.parameters['Sersic.PA'].value).toBeGreaterThanOrEqual(0);
    expect(out.parameters['Sersic.PA'].value).toBeLessThan(Math.PI);
    expect(out.covariance).toHaveLength(8);
    expect(out.correlation[0][0]).toBeCloseTo(1, 12);
  });

  it('2D .npy with a weight map and --psf-gaussian: the same fit; --method iterlm and --chunk run too', () => {
    const a = JSON.parse(run(['fit', files.image, '--variance', files.variance, '--psf', files.psf, ...START, '--json']).out);
    const r = run(['fit', files.npy, '--weight', files.weightNpy, '--psf-gaussian', '1.5,13', ...START, '--json']);
    expect(r.code, r.err).toBe(0);
    const b = JSON.parse(r.out);
    for (const k of Object.keys(TRUTH)) expect(b.parameters[k].value).toBeCloseTo(a.parameters[k].value, 6);
    const c = JSON.parse(run(['fit', files.npy, '--weight', files.weightNpy, '--psf-gaussian', '1.5,13', ...START, '--chunk', '3', '--json']).out);
    for (const k of Object.keys(TRUTH)) expect(Math.abs(c.parameters[k].value - a.parameters[k].value)).toBeLessThan(1e-7 * Math.max(1, Math.abs(a.parameters[k].value)));
    const it = JSON.parse(run(['fit', files.npy, '--weight', files.weightNpy, '--psf-gaussian', '1.5,13', ...START, '--method', 'iterlm', '--json']).out);
    expect(it.statistic.value / a.statistic.value).toBeLessThan(1.02);
  });

  it('a mask file leaves pixels out of the fit', () => {
    const mask = new Float64Array(ROWS * COLS);
    for (let j = 0; j < COLS; j++) mask[j] = 1; // the first row
    const path = join(dir, 'galaxy_mask.fits');
    writeFileSync(path, writeFitsImage(mask, ROWS, COLS));
    const r = run(['fit', files.image, '--variance', files.variance, '--mask', path, '--psf', files.psf, ...START, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).dof).toBe(ROWS * COLS - COLS - 8);
  });

  it('a variance image of the wrong shape, or with a negative value: exit 1 and a message naming the file', () => {
    const small = join(dir, 'small_var.fits');
    writeFileSync(small, writeFitsImage(new Float64Array((ROWS - 1) * COLS).fill(1), ROWS - 1, COLS));
    const r1 = run(['fit', files.image, '--variance', small, ...START, '--json']);
    expect(r1.code).toBe(1);
    const e1 = JSON.parse(r1.out);
    expect(e1.error).toBe('data error');
    expect(e1.reason).toContain('small_var.fits');
    expect(e1.reason).toContain(`${ROWS - 1} × ${COLS}`);
    const neg = new Float64Array(ROWS * COLS).fill(1);
    neg[3 * COLS + 7] = -2;
    const bad = join(dir, 'neg_var.fits');
    writeFileSync(bad, writeFitsImage(neg, ROWS, COLS));
    const r2 = run(['fit', files.image, '--variance', bad, ...START, '--json']);
    expect(r2.code).toBe(1);
    const e2 = JSON.parse(r2.out);
    expect(e2.reason).toContain('neg_var.fits');
    expect(e2.reason).toContain('row 3, column 7');
    expect(e2.reason).toContain('-2');
  });

  it('usage errors exit 2: image options on a spectrum, two PSFs, unknown types and parameters', () => {
    const csv = join(dir, 'line.csv');
    writeFileSync(csv, 'x,y\n1,2\n2,4\n3,6.1\n');
    const r1 = run(['fit', csv, '--model', 'a*x', '--psf-gaussian', '2']);
    expect(r1.code).toBe(2);
    expect(r1.err).toContain('--psf-gaussian apply to images');
    expect(run(['fit', files.image, '--psf', files.psf, '--psf-gaussian', '2', ...START]).code).toBe(2);
    const r3 = run(['fit', files.image, '--component', 'Gaussian:centre=3']);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain('1D component');
    const r4 = run(['fit', files.image, '--component', 'Sersic:rho=3']);
    expect(r4.code).toBe(2);
    expect(r4.err).toContain('no parameter "rho"');
  });
});

describe('--component specs', () => {
  it('names components in order, takes parameter names in any case, keeps natural bounds; works for 1D too', () => {
    let m: ModelDoc = { components: [] };
    m = addComponentArg(m, 'Sersic:x=67,y=66,q=0.6,pa=0.698,n=1.5,Re=25,Ie=2', true);
    m = addComponentArg(m, 'sersic:X=55', true);
    m = addComponentArg(m, 'FlatSky:F=1.4', true);
    expect(m.components.map((c) => c.name)).toEqual(['Sersic', 'Sersic_1', 'FlatSky']);
    expect(m.components[0].params.PA.value).toBe(0.698);
    expect(m.components[1].params.x.value).toBe(55);
    expect([m.components[0].params.n.lower, m.components[0].params.n.upper]).toEqual([0.36, 8]);
    expect([m.components[0].params.q.lower, m.components[0].params.q.upper]).toEqual([0.01, 1]);
    let s: ModelDoc = { components: [] };
    s = addComponentArg(s, 'Gaussian:centre=40,sigma=4,A=20', false);
    s = addComponentArg(s, 'Polynomial:order=2,a0=1', false);
    s = addComponentArg(s, 'gaussian:CENTRE=10', false);
    expect(s.components.map((c) => c.name)).toEqual(['Gaussian', 'Polynomial', 'Gaussian_1']);
    expect(s.components[0].params.A.value).toBe(20);
    expect(Object.keys(s.components[1].params)).toContain('a2');
    expect(s.components[2].params.centre.value).toBe(10);
  });

  it('sample accepts the same image arguments (NUTS from the fit, JSON summary per parameter)', () => {
    const r = run(['sample', files.image, '--variance', files.variance, '--psf', files.psf, ...START, '--chains', '1', '--draws', '20', '--tune', '10', '--seed', '3', '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.sampler).toBe('nuts');
    expect(Object.keys(out.summary)).toEqual(Object.keys(TRUTH));
    for (const k of Object.keys(TRUTH)) expect(Number.isFinite(out.summary[k].mean)).toBe(true);
  });

  it('sample --threads 2 splits each gradient across two threads: the same chain as one thread', () => {
    const args = ['sample', files.image, '--variance', files.variance, '--psf', files.psf, ...START, '--chains', '1', '--draws', '30', '--tune', '10', '--seed', '5', '--json'];
    const one = JSON.parse(run([...args, '--threads', '1']).out);
    const r = run([...args, '--threads', '2']);
    expect(r.code, r.err).toBe(0);
    const two = JSON.parse(r.out);
    expect(one.gradient_threads).toBe(1);
    expect(two.gradient_threads).toBe(2);
    // the banded gradient equals the serial one to rounding, so the leapfrog paths and every
    // accept/reject decision match: the draws agree far below their spread
    for (const k of Object.keys(TRUTH)) {
      expect(Math.abs(two.summary[k].mean - one.summary[k].mean), k).toBeLessThan(1e-6 * one.summary[k].sd);
      expect(two.summary[k].sd).toBeCloseTo(one.summary[k].sd, 8);
    }
    expect(two.evaluations).toBe(one.evaluations);
    expect(run([...args, '--threads', '0']).code).toBe(2);
  });

  it('npm run cli runs the runner from one esbuild bundle (scripts/bundled.mjs) whose gradient threads boot from beside the sources: the same chain', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const entry = resolve(root, 'src/cli/main.ts');
    // the launcher's cache entry for the runner, removed so that this run builds it
    const tag = createHash('sha256').update(entry).digest('hex').slice(0, 16);
    const bundle = join(root, 'node_modules', '.cache', 'fitbench', `${tag}.mjs`);
    const stamp = join(root, 'node_modules', '.cache', 'fitbench', `${tag}.json`);
    rmSync(stamp, { force: true });
    const args = ['sample', files.image, '--variance', files.variance, '--psf', files.psf, ...START, '--chains', '1', '--draws', '30', '--tune', '10', '--seed', '5', '--json'];
    const r = spawnSync(process.execPath, ['scripts/bundled.mjs', 'src/cli/main.ts', ...args, '--threads', '2'], { cwd: root, encoding: 'utf8', env: { ...process.env, FITBENCH_BUNDLE: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(bundle)).toBe(true);
    const inputs: string[] = JSON.parse(readFileSync(stamp, 'utf8')).inputs;
    expect(inputs).toContain(entry);
    expect(inputs).toContain(resolve(root, 'src/core/image/integrate.ts'));
    const bundled = JSON.parse(r.stdout);
    expect(bundled.gradient_threads).toBe(2);
    const one = JSON.parse(run([...args, '--threads', '1']).out);
    for (const k of Object.keys(TRUTH)) expect(Math.abs(bundled.summary[k].mean - one.summary[k].mean), k).toBeLessThan(1e-6 * one.summary[k].sd);
    expect(bundled.evaluations).toBe(one.evaluations);
    // a Node option that worker threads may not take (--trace-gc): the gradient stays in one thread
    const serial = spawnSync(process.execPath, ['--trace-gc', 'scripts/bundled.mjs', 'src/cli/main.ts', ...args, '--threads', '2'], { cwd: root, encoding: 'utf8' });
    expect(serial.status, serial.stderr).toBe(0);
    // (--trace-gc's lines, "[pid:0x...] ... Scavenge ...", go to stdout too)
    const s1 = JSON.parse(serial.stdout.split('\n').filter((l) => !/^\[\d+:0x/.test(l)).join('\n'));
    expect(s1.gradient_threads).toBe(1);
    for (const k of Object.keys(TRUTH)) expect(Math.abs(s1.summary[k].mean - one.summary[k].mean), k).toBeLessThan(1e-6 * one.summary[k].sd);
  });
});
