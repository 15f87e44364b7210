import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dropFiles, gaussianCsv, readParameters, traceY } from './helpers';

const TRUTH = { A: 50, sigma: 1.5, centre: 9.3, offset: 3 };

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('/');
});

test('a fresh start shows the demo spectrum with a plot', async ({ page }) => {
  await expect(page.locator('.js-plotly-plot')).toBeVisible();
  await expect(page.getByTestId('dataset-info')).toContainText('demo');
  await expect(page.getByTestId('dataset-info')).toContainText('400 points');
  expect((await traceY(page, 'data')).length).toBe(400);
  expect((await traceY(page, 'model')).length).toBeGreaterThan(100);
});

test('drop a CSV, add Gaussian + Offset, fit: the table shows the known answer within its errors', async ({ page }, testInfo) => {
  const csv = gaussianCsv({ ...TRUTH, noise: 0.4, n: 300, seed: 7 });
  await dropFiles(page, [{ name: 'peak.csv', text: csv }]);
  await expect(page.getByTestId('dataset-info')).toContainText('peak.csv');
  await expect(page.getByTestId('dataset-info')).toContainText('300 points');

  await page.getByRole('button', { name: 'Add component' }).click();
  await page.getByRole('menuitem', { name: 'Gaussian', exact: true }).click();
  await page.getByRole('button', { name: 'Add component' }).click();
  await page.getByRole('menuitem', { name: 'Offset', exact: true }).click();
  await expect(page.getByRole('spinbutton', { name: 'Gaussian centre' })).toBeVisible();
  await expect(page.getByRole('slider', { name: 'Offset offset' })).toBeVisible();

  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  const table = page.getByRole('table', { name: 'Parameters' });
  await expect(table).toBeVisible({ timeout: 20_000 });
  for (const h of ['Component', 'Parameter', 'Value', 'Error']) await expect(table.getByRole('columnheader', { name: h })).toBeVisible();

  const p = await readParameters(page);
  const truth: Record<string, number> = { 'Gaussian.A': TRUTH.A, 'Gaussian.sigma': TRUTH.sigma, 'Gaussian.centre': TRUTH.centre, 'Offset.offset': TRUTH.offset };
  for (const [key, t] of Object.entries(truth)) {
    expect(p[key], key).toBeDefined();
    expect(p[key].error, key).toBeGreaterThan(0);
    expect(Math.abs(p[key].value - t), `${key} = ${p[key].value} ± ${p[key].error}, truth ${t}`).toBeLessThan(3 * p[key].error);
  }
  const redchi = Number(await page.getByTestId('reduced-statistic').innerText());
  expect(redchi).toBeGreaterThan(0.7);
  expect(redchi).toBeLessThan(1.3);

  mkdirSync('screenshots', { recursive: true });
  const shot = await page.screenshot({ fullPage: true });
  await testInfo.attach('fitted', { body: shot, contentType: 'image/png' });
  await page.screenshot({ path: 'screenshots/fitted.png', fullPage: true });
});

test('a slider drag changes the plotted model', async ({ page }) => {
  const before = await traceY(page, 'model');
  const slider = page.getByRole('slider', { name: 'Gaussian centre' });
  await slider.focus();
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await traceY(page, 'model')).join(',') !== before.join(',')).toBe(true);
  const value = Number(await page.getByRole('spinbutton', { name: 'Gaussian centre' }).inputValue());
  expect(value).toBeGreaterThan(33);
});

test('a malformed file shows an error naming it and keeps the previous data and model', async ({ page }) => {
  await dropFiles(page, [{ name: 'broken.csv', text: 'x,y\n1,2\n2,abc\n3,4\n' }]);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('broken.csv');
  await expect(alert).toContainText('line 3');
  await expect(page.getByTestId('dataset-info')).toContainText('demo');
  await expect(page.getByRole('slider', { name: 'Gaussian centre' })).toBeVisible();
});

test('the file picker loads a file', async ({ page }) => {
  const csv = gaussianCsv({ ...TRUTH, noise: 0.4, n: 120, seed: 3 });
  await page.getByLabel('Load data').setInputFiles({ name: 'picked.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('dataset-info')).toContainText('picked.csv');
  await expect(page.getByTestId('dataset-info')).toContainText('120 points');
});
