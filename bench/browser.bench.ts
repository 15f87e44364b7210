/**
 * Browser half of `npm run bench` (run by bench/run.ts through bench/playwright.bench.config.ts).
 * Writes bench/out/browser.json. Drives the built app as a person would (file drop, slider input
 * events), with the page's scripting handle (window.fitbench) only to set up the 13-parameter model.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dropFiles, gaussianCsv } from '../e2e/helpers';
import { threeGaussians } from './problems';

const results: Record<string, unknown> = { slider: [] as unknown[] };

test.afterAll(() => {
  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/browser.json', JSON.stringify(results, null, 2));
});

for (const points of [1e3, 1e4, 1e5]) {
  test(`slider latency at ${points} points`, async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('spectrum-plot')).toHaveAttribute('data-plot-revision', /\d+/);
    await dropFiles(page, [{ name: `bench-${points}.csv`, text: gaussianCsv({ A: 50, sigma: 1.2, centre: 9, offset: 2, noise: 0.3, n: points, seed: 5 }) }]);
    await expect(page.getByTestId('dataset-info')).toContainText(String(points));
    await page.getByRole('button', { name: 'Add component' }).click();
    await page.getByRole('menuitem', { name: 'Gaussian', exact: true }).click();
    const slider = page.getByRole('slider', { name: 'Gaussian centre' });
    await expect(slider).toBeVisible();
    const samples = await slider.evaluate(async (input) => {
      const el = input as HTMLInputElement;
      const plot = document.querySelector('[data-testid="spectrum-plot"]') as HTMLElement;
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      const min = Number(el.min);
      const max = Number(el.max);
      const out: number[] = [];
      // a drag: pointer down on the thumb, then input events as it moves
      el.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 200));
      for (let k = 0; k < 25; k++) {
        const before = plot.dataset.plotRevision;
        const redrawn = new Promise<void>((resolve) => {
          const mo = new MutationObserver(() => {
            if (plot.dataset.plotRevision !== before) {
              mo.disconnect();
              resolve();
            }
          });
          mo.observe(plot, { attributes: true, attributeFilter: ['data-plot-revision'] });
        });
        const t0 = performance.now();
        setter.call(el, String(min + ((max - min) * (0.3 + 0.02 * k)) ));
        el.dispatchEvent(new Event('input', { bubbles: true }));
        await redrawn;
        out.push(performance.now() - t0);
      }
      el.dispatchEvent(new PointerEvent('pointerup', { bubbles: true }));
      return out;
    });
    const sorted = samples.slice(5).sort((a, b) => a - b);
    (results.slider as unknown[]).push({
      points,
      samples: sorted.length,
      median: sorted[Math.floor(sorted.length / 2)],
      p90: sorted[Math.floor(sorted.length * 0.9)],
    });
  });
}

test('3 Gaussians + offset fit in the worker', async ({ page }) => {
  const p = threeGaussians();
  const d = p.dataset;
  const lines = ['x,y,sigma'];
  for (let i = 0; i < d.values.length; i++) lines.push(`${d.coords.x[i]},${d.values[i]},${d.sigma![i]}`);
  await page.goto('/');
  await expect(page.getByTestId('spectrum-plot')).toHaveAttribute('data-plot-revision', /\d+/);
  await dropFiles(page, [{ name: '3gauss.csv', text: lines.join('\n') }]);
  await expect(page.getByTestId('dataset-info')).toContainText('1000');
  const runs = await page.evaluate(async (model) => {
    const fb = (window as unknown as { fitbench: { actions: { replaceModel(m: unknown): void; runFit(): Promise<void> }; store: { getState(): { session: { result: { elapsedMs: number; nfev: number } | null } }; subscribe(f: (s: { session: { result: unknown } }, p: { session: { result: unknown } }) => void): () => void } } }).fitbench;
    const plot = document.querySelector('[data-testid="spectrum-plot"]') as HTMLElement;
    const out: { wall: number; drawn: number; fit: number; nfev: number }[] = [];
    for (let k = 0; k < 12; k++) {
      fb.actions.replaceModel(model);
      // let the page draw the start model first: the timing starts from an idle page, as after a click
      await new Promise((r) => setTimeout(r, 400));
      const revision = plot.dataset.plotRevision;
      const t0 = performance.now();
      let wall = 0;
      const unsub = fb.store.subscribe((s, prev) => {
        if (s.session.result && !prev.session.result) wall = performance.now() - t0;
      });
      await fb.actions.runFit();
      unsub();
      while (plot.dataset.plotRevision === revision) await new Promise((r) => requestAnimationFrame(r));
      const drawn = performance.now() - t0;
      const r = fb.store.getState().session.result!;
      out.push({ wall, drawn, fit: r.elapsedMs, nfev: r.nfev });
    }
    return out;
  }, p.model);
  const tail = runs.slice(2);
  const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
  results.workerFit = { wallMs: med(tail.map((r) => r.wall)), drawnMs: med(tail.map((r) => r.drawn)), fitMs: med(tail.map((r) => r.fit)), nfev: tail[0].nfev, reps: tail.length };
});

// Images: the AstroPhot tutorial problem (99 x 99, 21 x 21 PSF, FlatSky + 3 Sersics) from the demo button
test('image: slider redraw and LM fit in the worker', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await page.getByRole('button', { name: 'Load image demo' }).click();
  await expect(page.getByTestId('dataset-info')).toContainText('tutorial (simulated).fits');
  await expect(page.locator('[data-testid="image-model"]')).toHaveAttribute('data-revision', /\d+/);
  // input event on a slider -> model and residual canvases repainted -> next frame
  const slider = await page.evaluate(async () => {
    const el = document.querySelector('input[type="range"][aria-label="Sersic_1 Re"]') as HTMLInputElement;
    const canvas = document.querySelector('[data-testid="image-model"]') as HTMLCanvasElement;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const out: number[] = [];
    for (let k = 0; k < 30; k++) {
      const rev = canvas.dataset.revision;
      const t0 = performance.now();
      setter.call(el, String(10 + 0.2 * k));
      el.dispatchEvent(new Event('input', { bubbles: true }));
      while (canvas.dataset.revision === rev) await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      out.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 30));
    }
    return out.slice(5).sort((a, b) => a - b);
  });
  // LM from the tutorial's start, in the fit worker; the slider moved Sersic_1.Re, so reload the demo first
  const fits: { wall: number; fit: number; nfev: number }[] = [];
  for (let k = 0; k < 4; k++) {
    await page.getByRole('button', { name: 'Load image demo' }).click();
    await page.getByRole('combobox', { name: 'Method' }).selectOption('lm');
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await expect(page.getByTestId('fit-message')).toBeVisible({ timeout: 60_000 });
    const wall = Date.now() - t0;
    const r = await page.evaluate(() => (window as unknown as { fitbench: { store: { getState(): { session: { result: { elapsedMs: number; nfev: number } } } } } }).fitbench.store.getState().session.result);
    fits.push({ wall, fit: r.elapsedMs, nfev: r.nfev });
  }
  const tail = fits.slice(1).sort((a, b) => a.fit - b.fit);
  results.image = {
    sliderMedianMs: slider[Math.floor(slider.length / 2)],
    sliderP90Ms: slider[Math.floor(slider.length * 0.9)],
    fitMs: tail[tail.length >> 1].fit,
    fitWallMs: tail[tail.length >> 1].wall,
    nfev: tail[0].nfev,
  };
});
