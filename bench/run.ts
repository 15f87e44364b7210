/**
 * `npm run bench`: speed figures, printed, never asserted. Parts:
 *   1. NIST StRD: time per problem and start through fitModel (the app's and the runner's path).
 *   2. Peak fits (3 Gaussians + offset, 1000 points; Voigt doublet + line, 2000 points): Fitbench
 *      in Node vs lmfit (Debian's python3-lmfit, timed inside Python so start-up is excluded), with
 *      the largest relative difference of the fitted values.
 *   3. Browser (Debian's Chromium via Playwright, built app): slider-to-redraw latency at 1e4 and
 *      1e5 points, and the 3-Gaussian fit in the Web Worker (bench/browser.bench.ts).
 *   (4-6: spectrum images, samplers, images: see below.)
 * Flags: --skip-browser, --skip-peers, --skip-multifit, --skip-sampler, --skip-image, --reps N.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitModel } from '../src/core/fit/fit-model';
import { nistFitInputs, parseNistFile } from '../src/core/fit/nist-problems';
import { defaultFitSettings } from '../src/core/fit/settings';
import { threeGaussians, voigtDoublet, type BenchProblem } from './problems';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}bench/out`;
const NIST_DIR = fileURLToPath(new URL('../../shared/data/nist-strd/', import.meta.url));
const PYTHON = '/usr/bin/python3';
const argv = process.argv.slice(2);
const repsArg = argv.indexOf('--reps');
const REPS = repsArg >= 0 ? Number(argv[repsArg + 1]) : 30;

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Wall time of `reps` calls after two warm-up calls (JIT): the median, and the minimum, which is
 * the steadier figure on a shared machine (used for the ratios, the peer's likewise).
 */
function timeIt<T>(reps: number, f: () => T): { ms: number; min: number; last: T } {
  let last = f();
  last = f();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    last = f();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), min: Math.min(...times), last };
}

function nist(): void {
  if (!existsSync(NIST_DIR)) {
    console.log(`NIST StRD: ${NIST_DIR} not found, skipped`);
    return;
  }
  console.log('\n## NIST StRD nonlinear regression (fitModel, default strategy; median of 10 fits)');
  console.log('problem     start   ms/fit   nfev  converged');
  const files = readdirSync(NIST_DIR).filter((f) => f.endsWith('.dat')).sort();
  let total = 0;
  for (const f of files) {
    const p = parseNistFile(readFileSync(NIST_DIR + f, 'utf8'));
    for (const start of [1, 2] as const) {
      const { dataset, model } = nistFitInputs(p, start);
      const { ms, last } = timeIt(10, () => fitModel(dataset, model, defaultFitSettings()));
      total += ms;
      console.log(`${p.name.padEnd(10)} ${start}  ${ms.toFixed(3).padStart(9)} ${String(last.nfev).padStart(6)}  ${last.converged}`);
    }
  }
  console.log(`all 54 runs: ${total.toFixed(1)} ms`);
}

function writeCsv(p: BenchProblem, path: string): void {
  const d = p.dataset;
  const lines = ['x,y,sigma'];
  for (let i = 0; i < d.values.length; i++) lines.push(`${d.coords.x[i]},${d.values[i]},${d.sigma![i]}`);
  writeFileSync(path, lines.join('\n') + '\n');
}

interface PeerResult {
  name: string;
  seconds: number;
  min_seconds: number;
  nfev: number;
  chisqr: number;
  values: Record<string, number>;
}

function peaks(skipPeers: boolean): void {
  console.log(`\n## Peak fits: Fitbench (Node ${process.version}, median of ${REPS}) vs lmfit (MINPACK leastsq via Model.fit)`);
  const problems = [threeGaussians(), voigtDoublet()];
  const spec = { problems: [] as unknown[] };
  const ours: { p: BenchProblem; ms: number; min: number; nfev: number; chi2: number; values: Record<string, number> }[] = [];
  for (const p of problems) {
    const csv = `${OUT}/${p.peer.model}.csv`;
    writeCsv(p, csv);
    spec.problems.push({ name: p.name, csv, model: p.peer.model, start: p.peer.start, reps: REPS });
    const { ms, min, last } = timeIt(REPS, () => fitModel(p.dataset, p.model, defaultFitSettings()));
    ours.push({ p, ms, min, nfev: last.nfev, chi2: last.statistic.value, values: last.values });
  }
  let peers: PeerResult[] | null = null;
  if (!skipPeers && existsSync(PYTHON)) {
    writeFileSync(`${OUT}/peer-spec.json`, JSON.stringify(spec));
    const r = spawnSync(PYTHON, [`${ROOT}bench/peers/lmfit_fit.py`, `${OUT}/peer-spec.json`], { encoding: 'utf8' });
    if (r.status === 0) peers = JSON.parse(r.stdout) as PeerResult[];
    else console.log(`lmfit peer unavailable (${(r.stderr || '').trim().split('\n').pop()}); install: apt-get install python3-lmfit`);
  }
  console.log('times: median (min) ms per fit; speed-up = lmfit min / Fitbench min');
  console.log('problem                                   Fitbench ms       nfev  chi2          lmfit ms          nfev  speed-up  max rel diff of values');
  for (const o of ours) {
    const peer = peers?.find((q) => q.name === o.p.name);
    let diff = '-';
    if (peer) {
      let worst = 0;
      for (const [key, name] of Object.entries(o.p.keyMap)) {
        const a = o.values[key];
        const b = peer.values[name];
        worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));
      }
      diff = worst.toExponential(1);
    }
    const t = (med: number, min: number) => `${med.toFixed(2)} (${min.toFixed(2)})`.padStart(16);
    console.log(
      `${o.p.name.padEnd(40)} ${t(o.ms, o.min)} ${String(o.nfev).padStart(6)}  ${o.chi2.toFixed(4).padStart(10)}  ${
        peer ? t(peer.seconds * 1000, peer.min_seconds * 1000) : '               -'
      } ${peer ? String(peer.nfev).padStart(5) : '    -'}  ${peer ? ((peer.min_seconds * 1000) / o.min).toFixed(1).padStart(7) + 'x' : '       -'}  ${diff}`,
    );
  }
}

function browser(): void {
  console.log('\n## Browser (Debian Chromium, headless, --disable-gpu; built app)');
  if (!existsSync('/usr/bin/chromium')) {
    console.log('skipped: /usr/bin/chromium missing (apt-get install chromium)');
    return;
  }
  // always the app of this checkout (a dist/ left from an older build would measure old code)
  execFileSync('node', ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  const r = spawnSync('node', ['node_modules/@playwright/test/cli.js', 'test', '-c', 'bench/playwright.bench.config.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const file = `${OUT}/browser.json`;
  if (r.status !== 0 || !existsSync(file)) {
    console.log(`browser benchmark failed:\n${r.stdout}\n${r.stderr}`);
    return;
  }
  const b = JSON.parse(readFileSync(file, 'utf8')) as {
    slider: { points: number; median: number; p90: number; samples: number }[];
    workerFit: { wallMs: number; drawnMs: number; fitMs: number; nfev: number; reps: number };
    image?: { sliderMedianMs: number; sliderP90Ms: number; fitMs: number; fitWallMs: number; nfev: number };
  };
  for (const s of b.slider) {
    console.log(`slider -> redraw, ${s.points.toExponential(0)} points: median ${s.median.toFixed(1)} ms, p90 ${s.p90.toFixed(1)} ms (${s.samples} drags)`);
  }
  const w = b.workerFit;
  console.log(`3 Gaussians + offset, 1000 points, fit in the Web Worker: ${w.wallMs.toFixed(1)} ms from Fit to result in the page, ${w.drawnMs.toFixed(1)} ms until the fitted model is drawn (the fit itself ${w.fitMs.toFixed(1)} ms in the worker, ${w.nfev} evaluations; median of ${w.reps})`);
  if (b.image) {
    const im = b.image;
    console.log(`image (AstroPhot tutorial, 99 x 99, 21 x 21 PSF, 22 free): slider -> model and residual repainted median ${im.sliderMedianMs.toFixed(1)} ms, p90 ${im.sliderP90Ms.toFixed(1)} ms; LM in the Web Worker ${im.fitMs.toFixed(0)} ms (${im.nfev} evaluations), ${im.fitWallMs.toFixed(0)} ms from the click to the table`);
  }
}

/** Uncertainty tools: Node timings (one thread) and the browser worker pool's speed-up (written by uncertainty.bench.ts). */
function uncertainty(browserRan: boolean): void {
  console.log('\n## Uncertainty (MINOS, profiles, contours, surfaces)');
  const r = spawnSync(process.execPath, ['scripts/bundled.mjs', `${ROOT}bench/uncertainty-bench.ts`], { cwd: ROOT, encoding: 'utf8' });
  process.stdout.write(r.stdout.replace(/\nwritten .*\n?$/, '\n'));
  const file = `${OUT}/uncertainty.json`;
  if (!browserRan || !existsSync(file)) return;
  const u = JSON.parse(readFileSync(file, 'utf8')) as { problem: string; surface: string; contour: string; hardwareConcurrency: number; rows: { workers: number; surfaceMs: number; contourMs: number; surfaceSpeedup: number; contourSpeedup: number }[] };
  console.log(`browser worker pool (${u.problem}; navigator.hardwareConcurrency ${u.hardwareConcurrency}):`);
  for (const row of u.rows) {
    console.log(`  ${row.workers} worker${row.workers === 1 ? ' ' : 's'}: surface ${u.surface} ${row.surfaceMs.toFixed(0)} ms (${row.surfaceSpeedup.toFixed(2)}x), contour ${u.contour} ${row.contourMs.toFixed(0)} ms (${row.contourSpeedup.toFixed(2)}x)`);
  }
}

mkdirSync(OUT, { recursive: true });
nist();
peaks(argv.includes('--skip-peers'));
if (!argv.includes('--skip-browser')) browser();
uncertainty(!argv.includes('--skip-browser'));

/**
 * 4. Spectrum images (bench/multifit-bench.ts, in its own process: it starts worker threads):
 *    multifit of a 64 x 64 x 1024 EDS-like map, 1 worker / all cores / the linear fast path, vs
 *    HyperSpy 1.7.3 (skipped with --skip-peers). Leave it out with --skip-multifit.
 */
function multifitBench(skipPeers: boolean): void {
  const r = spawnSync(process.execPath, ['scripts/bundled.mjs', 'bench/multifit-bench.ts', ...(skipPeers ? ['--skip-hyperspy'] : [])], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) console.log(`multifit benchmark failed (exit ${r.status ?? r.signal})`);
}

if (!argv.includes('--skip-multifit')) multifitBench(argv.includes('--skip-peers'));

/**
 * 5. Samplers (bench/sampler-bench.ts --quick, own process): ESS per second of NUTS (the default and
 *    other metrics) and the ensemble sampler vs emcee (Debian's python3-emcee) on one posterior.
 *    Leave it out with --skip-sampler.
 */
function samplerBench(): void {
  console.log('\n## Samplers: ESS per second vs emcee');
  const r = spawnSync(process.execPath, ['scripts/bundled.mjs', 'bench/sampler-bench.ts', '--quick'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) console.log(`sampler benchmark failed (exit ${r.status ?? r.signal})`);
}

if (!argv.includes('--skip-sampler')) samplerBench();

/**
 * 6. Images (bench/image-bench.ts, own process): AstroPhot's tutorial problem (3 Sersics + sky, 99 x 99,
 *    PSF): model evaluation with PSF, LM fit time, NUTS / HMC ms per iteration (and per kept draw) vs
 *    AstroPhot's 3.26 / 2.87 s per iteration.
 *    Leave it out with --skip-image.
 */
function imageBench(): void {
  const r = spawnSync(process.execPath, ['scripts/bundled.mjs', 'bench/image-bench.ts'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) console.log(`image benchmark failed (exit ${r.status ?? r.signal})`);
}

if (!argv.includes('--skip-image')) imageBench();
