/**
 * `npx tsx bench/uncertainty-bench.ts`: single-thread timings of the profile-likelihood tools,
 * the core functions called directly in Node (the work one browser worker does), on
 *   - the app's demo (2 Gaussians + linear background, 400 points, 8 free parameters),
 *   - 3 Gaussians + offset (1000 points, 10 free parameters; bench/problems.ts).
 * Per problem: MINOS for every parameter, a 21-point re-optimised profile, a 2-level 36-ray
 * contour, and 20 x 20 surfaces (frozen and re-optimised). Median of --reps runs (default 3)
 * after one warm-up. Writes bench/out/uncertainty-node.json. The browser speed-up with the worker
 * pool (1 vs N workers) is measured by bench/uncertainty.bench.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeDemoSpectrum } from '../src/core/data/demo';
import type { Dataset } from '../src/core/data/dataset';
import { fitModel } from '../src/core/fit/fit-model';
import { defaultFitSettings } from '../src/core/fit/settings';
import type { ModelDoc } from '../src/core/model/document';
import * as edit from '../src/core/model/edit';
import { confidenceContour } from '../src/core/uncertainty/contour';
import { fitUncertaintyContext } from '../src/core/uncertainty/from-fit';
import { statisticLevel } from '../src/core/uncertainty/levels';
import { minosErrors } from '../src/core/uncertainty/minos';
import { defaultProfileValues, profileLikelihood } from '../src/core/uncertainty/profile';
import { statisticSurface } from '../src/core/uncertainty/surface';
import { threeGaussians } from './problems';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const argv = process.argv.slice(2);
const repsArg = argv.indexOf('--reps');
const REPS = repsArg >= 0 ? Number(argv[repsArg + 1]) : 3;
const GRID = (() => {
  const g = argv.indexOf('--grid');
  return g >= 0 ? Number(argv[g + 1]) : 20;
})();

function demoProblem(): { name: string; dataset: Dataset; model: ModelDoc } {
  let model: ModelDoc = { components: [] };
  model = edit.addComponent(model, edit.newComponent(model, 'Gaussian', undefined, { A: 250, sigma: 4, centre: 33 }));
  model = edit.addComponent(model, edit.newComponent(model, 'Gaussian', undefined, { A: 150, sigma: 4, centre: 60 }));
  model = edit.addComponent(model, edit.newComponent(model, 'Polynomial', { order: 1 }, { a0: 4, a1: 0 }));
  return { name: 'demo: 2 Gaussians + line (400 points)', dataset: makeDemoSpectrum(1), model };
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function time<T>(f: () => T): { ms: number; last: T } {
  let last = f();
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    last = f();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), last };
}

const report: Record<string, unknown>[] = [];
for (const p of [demoProblem(), threeGaussians()]) {
  const settings = defaultFitSettings();
  const result = fitModel(p.dataset, p.model, settings);
  const ctx = fitUncertaintyContext(p.dataset, p.model, settings, result);
  const { obj, best, bestStatistic, errors, covariance } = ctx;
  const n = obj.n;
  console.log(`\n## ${p.name}: ${n} free parameters, χ² = ${result.statistic.value.toFixed(2)}, fit ${result.elapsedMs.toFixed(1)} ms`);

  const minos = time(() => minosErrors(obj, best, bestStatistic, errors, { covariance }));
  let worst = 0;
  for (const m of minos.last) worst = Math.max(worst, Math.abs(m.upper - (errors[m.index] ?? NaN)) / (errors[m.index] ?? 1), Math.abs(-m.lower - (errors[m.index] ?? NaN)) / (errors[m.index] ?? 1));
  const minosNfev = minos.last.reduce((s, m) => s + m.nfev, 0);
  console.log(`MINOS, all ${n} parameters: ${minos.ms.toFixed(1)} ms (${minosNfev} evaluations; largest |MINOS - symmetric| / error ${worst.toFixed(3)})`);

  const profile = time(() => profileLikelihood(obj, best, 0, { points: 21, covariance, error: errors[0], bestStatistic }));
  console.log(`profile of ${obj.keys[0]}, 21 points re-optimised: ${profile.ms.toFixed(1)} ms (${profile.last.nfev} evaluations)`);

  const levels = [1, 2].map((s) => statisticLevel({ kind: 'region-sigma', sigma: s }, ctx.errordef).delta);
  const contour = time(() => levels.map((lv) => confidenceContour(obj, best, 0, 1, lv, { points: 36, covariance, bestStatistic })));
  const contourNfev = contour.last.reduce((s, c) => s + c.nfev, 0);
  console.log(`contour ${obj.keys[0]} x ${obj.keys[1]}, 2 levels x 36 rays: ${contour.ms.toFixed(1)} ms (${contourNfev} evaluations, valid ${contour.last.every((c) => c.valid)})`);

  const xs = defaultProfileValues(best[0], errors[0], { points: GRID, nSigma: 3, lower: obj.lower[0], upper: obj.upper[0] });
  const ys = defaultProfileValues(best[1], errors[1], { points: GRID, nSigma: 3, lower: obj.lower[1], upper: obj.upper[1] });
  const frozen = time(() => statisticSurface(obj, best, 0, 1, xs, ys, { reoptimize: false, bestStatistic }));
  const reopt = time(() => statisticSurface(obj, best, 0, 1, xs, ys, { reoptimize: true, covariance, bestStatistic }));
  console.log(`surface ${GRID} x ${GRID}, frozen: ${frozen.ms.toFixed(1)} ms; re-optimised: ${reopt.ms.toFixed(1)} ms (${reopt.last.nfev} evaluations, ${(reopt.ms / (GRID * GRID)).toFixed(2)} ms per point)`);

  report.push({
    problem: p.name,
    parameters: n,
    points: p.dataset.values.length,
    reps: REPS,
    minos: { ms: minos.ms, nfev: minosNfev, maxRelDiffToSymmetric: worst },
    profile21: { ms: profile.ms, nfev: profile.last.nfev },
    contour2x36: { ms: contour.ms, nfev: contourNfev },
    surface: { grid: `${GRID}x${GRID}`, frozenMs: frozen.ms, reoptimizedMs: reopt.ms, reoptimizedNfev: reopt.last.nfev },
  });
}

mkdirSync(OUT, { recursive: true });
writeFileSync(`${OUT}uncertainty-node.json`, JSON.stringify({ node: process.version, results: report }, null, 2));
console.log(`\nwritten ${OUT}uncertainty-node.json`);
