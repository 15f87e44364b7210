/**
 * Hierarchical models in the app: the star-cluster example (N = 256 stars at ~N(500 pc, 8.7 pc),
 * parallaxes with errors 10^U(-2,-1) mas, seeded) sampled with NUTS on the sampler workers (few
 * draws, so it runs in seconds); mu_r read from the summary table must bracket 500 pc with its 94 %
 * interval; the members are collapsed to r[0..255] and the user chooses the shown parameters; the
 * model travels in a share link; invalid input names the field. Screenshots to look at.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('/');
  await expect(page.locator('.js-plotly-plot').first()).toBeVisible();
});

type Row = { mean: string; sd: string; lo: string; hi: string; essBulk: string; rhat: string };

async function readSummary(page: Page): Promise<Record<string, Row>> {
  const table = page.getByRole('table', { name: 'Hierarchy summary' });
  const headers = (await table.locator('thead th').allInnerTexts()).map((h) => h.trim());
  expect(headers).toEqual(['Parameter', 'mean', 'sd', 'hdi 3%', 'hdi 97%', 'mcse', 'ESS bulk', 'ESS tail', 'R-hat']);
  const out: Record<string, Row> = {};
  for (const r of await table.locator('tbody tr').all()) {
    const c = (await r.locator('td').allInnerTexts()).map((t) => t.trim());
    out[c[0]] = { mean: c[1], sd: c[2], lo: c[3], hi: c[4], essBulk: c[6], rhat: c[8] };
  }
  return out;
}

async function plotTraces(page: Page, testId: string): Promise<{ name?: string; meta?: string; n: number }[]> {
  return page.evaluate((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`) as unknown as { data?: { name?: string; meta?: string; x?: ArrayLike<number> }[] } | null;
    return (el?.data ?? []).map((d) => ({ name: d.name, meta: d.meta, n: d.x ? d.x.length : 0 }));
  }, testId);
}

test('star cluster example: NUTS recovers mu_r (its 94 % interval holds 500 pc); members collapsed; screenshot', async ({ page }, testInfo) => {
  const panel = page.getByRole('region', { name: 'Hierarchical model' });
  await panel.getByRole('button', { name: 'Star cluster example' }).click();
  await expect(panel.getByTestId('hierarchy-size')).toContainText('2 hyperparameters, 256 × r: 258 parameters; 1 observation model');
  await expect(panel.getByRole('textbox', { name: 'Hyperparameter 1 name' })).toHaveValue('mu_r');
  await expect(panel.getByRole('combobox', { name: 'sigma_r prior transform' })).toHaveValue('ln');
  await expect(panel.getByRole('textbox', { name: 'sigma_r prior scale' })).toHaveValue('1000');
  await expect(panel.getByRole('combobox', { name: 'r population' })).toHaveValue('truncnormal');
  await expect(panel.getByRole('textbox', { name: 'Observation 1 formula' })).toHaveValue('1000/v');
  await expect(panel.getByTestId('observation-1-data')).toContainText('256 of 256 members observed');

  await panel.getByRole('spinbutton', { name: 'Hierarchy draw count' }).fill('150');
  await panel.getByRole('spinbutton', { name: 'Hierarchy warm-up iterations' }).fill('150');
  const t0 = Date.now();
  await panel.getByRole('button', { name: 'Sample with NUTS' }).click();
  const table = panel.getByRole('table', { name: 'Hierarchy summary' });
  await expect(panel.getByRole('progressbar', { name: 'Progress of hierarchy chain 1' }).or(table)).toBeVisible({ timeout: 20_000 });
  await expect(table).toBeVisible({ timeout: 40_000 });
  const seconds = (Date.now() - t0) / 1000;
  const status = await panel.getByTestId('hierarchy-status').innerText();
  console.log(`star cluster in the app: ${seconds.toFixed(1)} s from click to summary; ${status}`);
  expect(status).toContain('4 chains × 150 draws (tune 150), 258 parameters');

  // hyperparameters shown, the 256 distances collapsed into one row
  const s = await readSummary(page);
  expect(Object.keys(s)).toEqual(['mu_r', 'sigma_r', 'r[0..255] (256)']);
  const mu = { mean: Number(s.mu_r.mean), sd: Number(s.mu_r.sd), lo: Number(s.mu_r.lo), hi: Number(s.mu_r.hi) };
  const sigma = { mean: Number(s.sigma_r.mean), sd: Number(s.sigma_r.sd), lo: Number(s.sigma_r.lo), hi: Number(s.sigma_r.hi) };
  console.log(`mu_r ${mu.mean} ± ${mu.sd} [${mu.lo}, ${mu.hi}], R-hat ${s.mu_r.rhat}; sigma_r ${sigma.mean} ± ${sigma.sd} [${sigma.lo}, ${sigma.hi}], R-hat ${s.sigma_r.rhat}; members ${JSON.stringify(s['r[0..255] (256)'])}`);
  expect(mu.lo).toBeLessThan(500);
  expect(mu.hi).toBeGreaterThan(500);
  expect(Math.abs(mu.mean - 500)).toBeLessThan(3 * mu.sd);
  expect(mu.sd).toBeGreaterThan(0.3);
  expect(mu.sd).toBeLessThan(1.5);
  expect(Math.abs(sigma.mean - 8.7)).toBeLessThan(3 * sigma.sd);
  expect(Number(s.mu_r.rhat)).toBeLessThan(1.05);
  const divergences = Number(/divergences (\d+)/.exec(status)?.[1]);
  expect(divergences).toBe(0);
  expect(s['r[0..255] (256)'].mean).toMatch(/^4\d\d(\.\d+)? … 5\d\d(\.\d+)?$/);

  // traces of the two hyperparameters, 4 chains each; corner of the two
  await expect.poll(async () => (await plotTraces(page, 'hierarchy-trace')).filter((t) => t.meta?.startsWith('trace')).length, { timeout: 10_000 }).toBe(8);
  expect((await plotTraces(page, 'hierarchy-trace')).filter((t) => t.meta?.startsWith('trace')).every((t) => t.n === 150)).toBe(true);
  await expect.poll(async () => (await plotTraces(page, 'hierarchy-corner')).filter((t) => t.meta?.startsWith('hist')).map((t) => t.meta), { timeout: 10_000 }).toEqual(['hist mu_r', 'hist sigma_r']);

  // choose parameters: mu_r and three distances
  const chooser = panel.getByRole('textbox', { name: 'Shown parameters' });
  await expect(chooser).toHaveValue('mu_r, sigma_r');
  await chooser.fill('mu_r, r[0..2]');
  await chooser.press('Enter');
  await expect(table.locator('tbody tr')).toHaveCount(5);
  expect(Object.keys(await readSummary(page))).toEqual(['mu_r', 'r[0]', 'r[1]', 'r[2]', 'r[0..255] (256)']);
  await expect(panel.getByRole('checkbox', { name: 'Show sigma_r' })).not.toBeChecked();
  await expect.poll(async () => (await plotTraces(page, 'hierarchy-corner')).filter((t) => t.meta?.startsWith('hist')).length).toBe(4);
  await expect.poll(async () => (await plotTraces(page, 'hierarchy-trace')).filter((t) => t.meta?.startsWith('trace')).length).toBe(16);
  // an unknown name: a message naming the field, the table as it was
  await chooser.fill('mu_r, q');
  await chooser.press('Enter');
  await expect(panel.getByText("Shown parameters: unknown parameter 'q' (hyperparameters: mu_r, sigma_r; members: r[0..255])")).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(5);
  // all 256 members with one checkbox
  await panel.getByRole('checkbox', { name: 'Show all of r[0..255]' }).check();
  await expect(table.locator('tbody tr')).toHaveCount(1 + 256);
  await panel.getByRole('checkbox', { name: 'Show all of r[0..255]' }).uncheck();
  await panel.getByRole('checkbox', { name: 'Show sigma_r' }).check();
  await expect(chooser).toHaveValue('mu_r, sigma_r');

  mkdirSync('screenshots', { recursive: true });
  await panel.scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await panel.screenshot({ path: 'screenshots/hierarchy-panel.png' });
  const shot = await page.screenshot({ fullPage: true });
  await testInfo.attach('hierarchy', { body: shot, contentType: 'image/png' });
  await page.screenshot({ path: 'screenshots/hierarchy.png', fullPage: true });

  // the model is in the session document: a share link carries it to a new page
  await page.getByRole('button', { name: 'Share link' }).click();
  const url = await page.getByRole('textbox', { name: 'Share link URL' }).inputValue();
  const other = await page.context().newPage();
  await other.goto(url);
  const panel2 = other.getByRole('region', { name: 'Hierarchical model' });
  await expect(panel2.getByTestId('hierarchy-size')).toContainText('258 parameters');
  await expect(panel2.getByTestId('observation-1-data')).toContainText('256 of 256 members observed');
  await other.close();
});

test('building a model: invalid input names the field, the model stays usable', async ({ page }) => {
  const panel = page.getByRole('region', { name: 'Hierarchical model' });
  await panel.getByRole('button', { name: 'New hierarchical model' }).click();
  await expect(panel.getByTestId('hierarchy-size')).toContainText('2 hyperparameters, 10 × x: 12 parameters; 0 observation models');
  // not a number
  const count = panel.getByRole('textbox', { name: 'x count' });
  await count.fill('abc');
  await count.press('Enter');
  await expect(panel.getByText("x count: 'abc' is not a number")).toBeVisible();
  // a population mu that is not a hyperparameter: listed as a problem, not saved, sampling refused
  const mu = panel.getByRole('textbox', { name: 'x population mu' });
  await mu.fill('nope');
  await mu.press('Enter');
  await expect(panel.getByRole('list', { name: 'Model problems' })).toContainText("member 1 'x': population mu 'nope' is not a hyperparameter (known: mu, sigma)");
  await expect(panel.getByRole('button', { name: 'Sample with NUTS' })).toBeDisabled();
  await mu.fill('mu');
  await mu.press('Enter');
  await expect(panel.getByRole('list', { name: 'Model problems' })).toBeHidden();
  // five members with pasted observations; the count follows the data
  await panel.getByRole('button', { name: 'Add observation' }).click();
  await panel.getByText('Paste values').click();
  await panel.getByRole('textbox', { name: 'Observation 1 pasted values' }).fill('1.2, 0.8, null, 1.5 0.9');
  await panel.getByRole('textbox', { name: 'Observation 1 pasted sigmas' }).fill('0.2');
  await panel.getByRole('button', { name: 'Use pasted values' }).click();
  await expect(panel.getByTestId('observation-1-data')).toContainText('4 of 5 members observed');
  await expect(panel.getByText("member group 'x' now has 5 members (was 10)")).toBeVisible();
  await panel.getByRole('textbox', { name: 'Observation 1 pasted values' }).fill('1 2 x');
  await panel.getByRole('button', { name: 'Use pasted values' }).click();
  await expect(panel.getByText("Pasted values: entry 3 ('x') is not a number")).toBeVisible();
  // a formula with an unknown symbol
  const f = panel.getByRole('textbox', { name: 'Observation 1 formula' });
  await f.fill('v + k');
  await f.press('Enter');
  await expect(panel.getByRole('list', { name: 'Model problems' })).toContainText("observation 1: unknown symbol 'k' in 'v + k' (v and hyperparameters only)");
  await f.fill('v');
  await f.press('Enter');
  await expect(panel.getByRole('list', { name: 'Model problems' })).toBeHidden();
  // a quick NUTS run of this small model
  await panel.getByRole('spinbutton', { name: 'Hierarchy draw count' }).fill('100');
  await panel.getByRole('spinbutton', { name: 'Hierarchy warm-up iterations' }).fill('100');
  await panel.getByRole('button', { name: 'Sample with NUTS' }).click();
  await expect(panel.getByRole('table', { name: 'Hierarchy summary' })).toBeVisible({ timeout: 30_000 });
  expect(Object.keys(await readSummary(page))).toEqual(['mu', 'sigma', 'x[0..4] (5)']);
  await panel.screenshot({ path: 'screenshots/hierarchy-build.png' });
  // the whole page is still there
  await expect(page.getByRole('region', { name: 'Posterior sampling' })).toBeVisible();
});
