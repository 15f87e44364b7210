/**
 * Posterior sampling on the demo: fit, NUTS with 2 chains x 300 draws (300 tune) on the sampler
 * workers, per-chain progress bars, the posterior summary (means within 3 posterior sd of the fit,
 * R-hat < 1.05), trace, corner and predictive plots; cancel keeps the draws; a screenshot to look at.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { readParameters } from './helpers';

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('/');
  await expect(page.locator('.js-plotly-plot').first()).toBeVisible();
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Parameters' })).toBeVisible({ timeout: 20_000 });
});

async function configure(page: Page, o: { sampler: string; chains: number; draws: number; tune: number }): Promise<void> {
  const panel = page.getByRole('region', { name: 'Posterior sampling' });
  await panel.getByRole('combobox', { name: 'Sampler' }).selectOption(o.sampler);
  await panel.getByRole('spinbutton', { name: 'Chains' }).fill(String(o.chains));
  await panel.getByRole('spinbutton', { name: 'Draws' }).fill(String(o.draws));
  await panel.getByRole('spinbutton', { name: 'Tune' }).fill(String(o.tune));
}

/** the Posterior summary table as {key: {mean, sd, rhat, ...}} */
async function readSummary(page: Page): Promise<Record<string, { mean: number; sd: number; lo: number; hi: number; essBulk: number; rhat: number }>> {
  const table = page.getByRole('table', { name: 'Posterior summary' });
  const headers = (await table.locator('thead th').allInnerTexts()).map((h) => h.trim());
  expect(headers).toEqual(['Parameter', 'mean', 'sd', 'hdi 3%', 'hdi 97%', 'mcse', 'ESS bulk', 'ESS tail', 'R-hat']);
  const out: Record<string, { mean: number; sd: number; lo: number; hi: number; essBulk: number; rhat: number }> = {};
  for (const r of await table.locator('tbody tr').all()) {
    const c = await r.locator('td').allInnerTexts();
    out[c[0].trim()] = { mean: Number(c[1]), sd: Number(c[2]), lo: Number(c[3]), hi: Number(c[4]), essBulk: Number(c[6]), rhat: Number(c[8]) };
  }
  return out;
}

async function traceNames(page: Page, testId: string): Promise<{ name?: string; type?: string; meta?: string; n: number }[]> {
  return page.evaluate((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`) as unknown as { data?: { name?: string; type?: string; meta?: string; x?: ArrayLike<number> }[] } | null;
    return (el?.data ?? []).map((d) => ({ name: d.name, type: d.type, meta: d.meta, n: d.x ? d.x.length : 0 }));
  }, testId);
}

test('NUTS, 2 chains: summary agrees with the fit, R-hat < 1.05, plots drawn; screenshot', async ({ page }, testInfo) => {
  const fitted = await readParameters(page);
  expect(Object.keys(fitted).length).toBe(8);
  await configure(page, { sampler: 'nuts', chains: 2, draws: 300, tune: 300 });
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  // one progress bar per chain while running (the run can be quick: they may already be gone)
  const bar1 = page.getByRole('progressbar', { name: 'Chain 1 progress' });
  const bar2 = page.getByRole('progressbar', { name: 'Chain 2 progress' });
  const table = page.getByRole('table', { name: 'Posterior summary' });
  await expect(bar1.or(table)).toBeVisible({ timeout: 20_000 });
  if (await bar1.isVisible()) await expect(bar2).toBeVisible();
  await expect(table).toBeVisible({ timeout: 90_000 });
  await expect(page.getByRole('button', { name: 'Cancel sampling' })).toBeHidden();
  await expect(page.getByTestId('sampler-status')).toContainText('2 chains × 300 draws');

  const summary = await readSummary(page);
  expect(Object.keys(summary).sort()).toEqual(Object.keys(fitted).sort());
  for (const [key, p] of Object.entries(summary)) {
    const v = fitted[key].value;
    expect(p.sd, key).toBeGreaterThan(0);
    expect(Math.abs(p.mean - v) / p.sd, `${key}: posterior mean ${p.mean} ± ${p.sd} vs fit ${v}`).toBeLessThan(3);
    expect(p.rhat, `${key} R-hat`).toBeLessThan(1.05);
    expect(p.lo).toBeLessThan(p.mean);
    expect(p.hi).toBeGreaterThan(p.mean);
    // the demo has sigma = 1 and 400 points: the posterior sd is close to the fit error
    expect(p.sd / fitted[key].error, `${key} sd vs error`).toBeGreaterThan(0.6);
    expect(p.sd / fitted[key].error, `${key} sd vs error`).toBeLessThan(1.6);
  }
  await expect(page.getByLabel('Sampler warnings')).toBeVisible();
  await expect(page.getByTestId('sampler-map')).toContainText('MAP sample');

  // traces: one line per chain and parameter; corner: histograms, density contours, ellipses, best fit, MAP
  await expect.poll(async () => (await traceNames(page, 'sampler-trace')).filter((t) => t.meta?.startsWith('trace')).length, { timeout: 10_000 }).toBe(16);
  const tr = await traceNames(page, 'sampler-trace');
  expect(tr.filter((t) => t.meta?.startsWith('trace')).every((t) => t.n === 300)).toBe(true);
  expect(tr.some((t) => t.name === 'MAP sample')).toBe(true);
  await expect.poll(async () => (await traceNames(page, 'sampler-corner')).filter((t) => t.meta?.startsWith('hist')).length, { timeout: 10_000 }).toBe(4);
  const corner = await traceNames(page, 'sampler-corner');
  expect(corner.filter((t) => t.type === 'contour').length).toBe(12);
  expect(corner.filter((t) => t.meta?.startsWith('ellipse')).length).toBe(12);
  expect(corner.some((t) => t.name === 'best fit')).toBe(true);
  expect(corner.some((t) => t.name === 'MAP sample')).toBe(true);
  // choose three parameters for the corner plot
  await page.getByRole('listbox', { name: 'Corner parameters' }).selectOption(['Gaussian.A', 'Gaussian.centre', 'Gaussian.sigma']);
  await expect.poll(async () => (await traceNames(page, 'sampler-corner')).filter((t) => t.meta?.startsWith('hist')).length).toBe(3);
  await expect.poll(async () => (await traceNames(page, 'sampler-predictive')).map((t) => t.name)).toContain('MAP sample model');
  const pred = await traceNames(page, 'sampler-predictive');
  expect(pred.some((t) => t.name?.startsWith('posterior predictive'))).toBe(true);
  expect(pred.some((t) => t.name?.startsWith('model 94'))).toBe(true);

  mkdirSync('screenshots', { recursive: true });
  await page.getByRole('region', { name: 'Posterior sampling' }).scrollIntoViewIfNeeded();
  await page.waitForTimeout(400);
  const shot = await page.screenshot({ fullPage: true });
  await testInfo.attach('sampler', { body: shot, contentType: 'image/png' });
  await page.screenshot({ path: 'screenshots/sampler.png', fullPage: true });
  await page.getByRole('region', { name: 'Posterior sampling' }).screenshot({ path: 'screenshots/sampler-panel.png' });
});

test('Cancel sampling keeps the draws made so far', async ({ page }) => {
  await configure(page, { sampler: 'nuts', chains: 2, draws: 200000, tune: 200 });
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByRole('progressbar', { name: 'Chain 1 progress' })).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Chain 2 progress' })).toBeVisible();
  // wait until draws stream in (live traces), then cancel
  await expect.poll(async () => (await traceNames(page, 'sampler-trace')).filter((t) => t.meta?.startsWith('trace')).length, { timeout: 30_000 }).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Cancel sampling' }).click();
  await expect(page.getByRole('table', { name: 'Posterior summary' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('sampler-status')).toContainText('cancelled');
  await expect(page.getByLabel('Sampler warnings')).toContainText('stopped early');
});

test('without shared memory, Cancel sampling terminates the workers and keeps the streamed draws', async ({ page }) => {
  // a fresh page that reports no cross-origin isolation: the pool cannot use a shared cancel flag
  await page.addInitScript(() => Object.defineProperty(window, 'crossOriginIsolated', { get: () => false }));
  await page.goto('/');
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Parameters' })).toBeVisible({ timeout: 20_000 });
  await configure(page, { sampler: 'nuts', chains: 2, draws: 200000, tune: 200 });
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect.poll(async () => (await traceNames(page, 'sampler-trace')).filter((t) => t.meta?.startsWith('trace')).length, { timeout: 30_000 }).toBe(16);
  await page.getByRole('button', { name: 'Cancel sampling' }).click();
  await expect(page.getByRole('table', { name: 'Posterior summary' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('sampler-status')).toContainText('cancelled');
  await expect(page.getByLabel('Sampler warnings')).toContainText('stopped early');
  // a new run works on fresh workers
  await configure(page, { sampler: 'nuts', chains: 2, draws: 100, tune: 100 });
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByTestId('sampler-status')).toContainText('2 chains × 100 draws', { timeout: 60_000 });
});

test('ensemble and Metropolis run in the app; the ensemble names its diagnostics', async ({ page }) => {
  await configure(page, { sampler: 'ensemble', chains: 2, draws: 400, tune: 200 });
  await expect(page.getByRole('spinbutton', { name: 'Chains' })).toBeVisible();
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByTestId('sampler-status')).toContainText('2 ensembles × 400 steps', { timeout: 60_000 });
  await expect(page.getByText(/nested R-hat over the ensembles/)).toBeVisible();
  const s = await readSummary(page);
  expect(Object.keys(s).length).toBe(8);
  await configure(page, { sampler: 'mh', chains: 2, draws: 2000, tune: 1000 });
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByTestId('sampler-status')).toContainText('Metropolis (adaptive): 2 chains × 2000 draws', { timeout: 60_000 });
});
