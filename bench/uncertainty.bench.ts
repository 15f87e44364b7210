/**
 * Browser speed-up of the uncertainty worker pool: the same re-optimised surface (and contour)
 * on 1 worker and on N, in the built app (Debian's Chromium via Playwright). Run:
 *   node node_modules/vite/bin/vite.js build
 *   node node_modules/@playwright/test/cli.js test -c bench/playwright.bench.config.ts bench/uncertainty.bench.ts
 * Writes bench/out/uncertainty.json. Problem: 3 Gaussians + offset, 1000 points (bench/problems.ts).
 * Uses the page's scripting handles (window.fitbench, window.fitbenchUncertainty) to set the
 * model and the pool size; each size gets a warm-up run (worker start and set-up), then the
 * median of the timed runs is reported.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dropFiles } from '../e2e/helpers';
import { threeGaussians } from './problems';

const GRID = Number(process.env.UNC_BENCH_GRID ?? 30);
const REPS = Number(process.env.UNC_BENCH_REPS ?? 2);

test('uncertainty pool: 1 worker vs N', async ({ page }) => {
  test.setTimeout(600_000);
  const p = threeGaussians();
  const d = p.dataset;
  const lines = ['x,y,sigma'];
  for (let i = 0; i < d.values.length; i++) lines.push(`${d.coords.x[i]},${d.values[i]},${d.sigma![i]}`);
  await page.goto('/');
  await expect(page.getByTestId('spectrum-plot')).toHaveAttribute('data-plot-revision', /\d+/);
  await dropFiles(page, [{ name: '3gauss.csv', text: lines.join('\n') }]);
  await expect(page.getByTestId('dataset-info')).toContainText('1000');
  const out = await page.evaluate(
    async ({ model, grid, reps }) => {
      type Api = {
        fitbench: { actions: { replaceModel(m: unknown): void; runFit(): Promise<void> }; store: { getState(): { session: { result: { parameterOrder: string[] } | null } } } };
        fitbenchUncertainty: {
          actions: {
            setPoolSize(n: number): void;
            runSurface(r: unknown): Promise<void>;
            runContour(r: unknown): Promise<void>;
          };
          store: { getState(): { error: string | null; lastRun: { elapsedMs: number; cancelled: boolean } | null } };
        };
      };
      const w = window as unknown as Api;
      w.fitbench.actions.replaceModel(model);
      await w.fitbench.actions.runFit();
      const keys = w.fitbench.store.getState().session.result!.parameterOrder;
      const hc = navigator.hardwareConcurrency || 2;
      const sizes = [...new Set([1, 2, Math.max(1, hc - 1), hc])].sort((a, b) => a - b);
      const u = w.fitbenchUncertainty;
      const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
      const timeIt = async (f: () => Promise<void>) => {
        await f(); // warm-up: worker start, set-up (dataset, model, objective)
        const t: number[] = [];
        for (let r = 0; r < reps; r++) {
          const t0 = performance.now();
          await f();
          t.push(performance.now() - t0);
          if (u.store.getState().error) throw new Error(u.store.getState().error!);
        }
        return med(t);
      };
      const rows: { workers: number; surfaceMs: number; contourMs: number }[] = [];
      for (const size of sizes) {
        u.actions.setPoolSize(size);
        const surfaceMs = await timeIt(() => u.actions.runSurface({ x: keys[0], y: keys[1], grid, reoptimize: true, convention: 'coverage' }));
        const contourMs = await timeIt(() => u.actions.runContour({ x: keys[0], y: keys[1], sigmas: [1, 2], convention: 'coverage', points: 36, ellipses: false }));
        rows.push({ workers: size, surfaceMs, contourMs });
      }
      return { hardwareConcurrency: hc, rows };
    },
    { model: p.model, grid: GRID, reps: REPS },
  );
  const one = out.rows.find((r) => r.workers === 1)!;
  const result = {
    problem: p.name,
    surface: `${GRID}x${GRID} re-optimised`,
    contour: '2 levels x 36 rays',
    hardwareConcurrency: out.hardwareConcurrency,
    defaultPoolSize: Math.max(1, out.hardwareConcurrency - 1),
    rows: out.rows.map((r) => ({ ...r, surfaceSpeedup: one.surfaceMs / r.surfaceMs, contourSpeedup: one.contourMs / r.contourMs })),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/uncertainty.json', JSON.stringify(result, null, 2));
});
