import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { encodeShareFragment } from '../src/core/session/share-link';
import { emptySession } from '../src/core/session/document';
import { makeSpectrum } from '../src/core/data/dataset';
import { dropFiles, gaussianCsv, readParameters, traceY } from './helpers';

const EVIL = '<img src=x onerror="window.__pwned=1">';

async function fitPeak(page: Page): Promise<void> {
  await dropFiles(page, [{ name: 'peak.csv', text: gaussianCsv({ A: 40, sigma: 1.2, centre: 8, offset: 2, noise: 0.3, n: 200, seed: 11 }) }]);
  await expect(page.getByTestId('dataset-info')).toContainText('peak.csv');
  await page.getByRole('button', { name: 'Add component' }).click();
  await page.getByRole('menuitem', { name: 'Gaussian', exact: true }).click();
  await page.getByRole('button', { name: 'Add component' }).click();
  await page.getByRole('menuitem', { name: 'Offset', exact: true }).click();
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Parameters' })).toBeVisible({ timeout: 20_000 });
}

async function sliderValue(page: Page, name: string): Promise<number> {
  return Number(await page.getByRole('spinbutton', { name }).inputValue());
}

/** A real mouse drag along a slider: press, move in steps, release. */
async function dragSlider(page: Page, name: string, fromFrac: number, toFrac: number): Promise<void> {
  const box = (await page.getByRole('slider', { name }).boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * fromFrac, y);
  await page.mouse.down();
  for (let k = 1; k <= 8; k++) await page.mouse.move(box.x + box.width * (fromFrac + ((toFrac - fromFrac) * k) / 8), y);
  await page.mouse.up();
}

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`);
  });
});

test('a share link restores data, model and results in a fresh browser without refitting', async ({ page, browser }) => {
  await page.goto('/');
  await fitPeak(page);
  const params = await readParameters(page);
  const statistic = await page.getByTestId('statistic').innerText();
  await page.getByRole('button', { name: 'Share link' }).click();
  const url = await page.getByRole('textbox', { name: 'Share link URL' }).inputValue();
  expect(url).toMatch(/#session=[A-Za-z0-9_-]+$/);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(url);
  await expect(other.getByRole('table', { name: 'Parameters' })).toBeVisible();
  await expect(other.getByTestId('dataset-info')).toContainText('peak.csv');
  expect(await readParameters(other)).toEqual(params);
  await expect(other.getByTestId('statistic')).toHaveText(statistic);
  // plots at once: data and the fitted model drawn
  await expect.poll(async () => (await traceY(other, 'data')).length).toBe(200);
  await expect.poll(async () => (await traceY(other, 'model')).length).toBeGreaterThan(100);
  expect(await other.getByRole('progressbar', { name: 'Fit progress' }).count()).toBe(0);
  await fresh.close();
});

test('after a reload the last state comes back (autosave)', async ({ page }) => {
  await page.goto('/');
  await fitPeak(page);
  await page.getByRole('spinbutton', { name: 'Offset offset' }).fill('7.25');
  await page.getByRole('spinbutton', { name: 'Offset offset' }).blur();
  await page.evaluate(() => (window as unknown as { fitbench: { flushAutosave(): Promise<void> } }).fitbench.flushAutosave());
  await page.reload();
  await expect(page.getByTestId('dataset-info')).toContainText('peak.csv');
  await expect.poll(() => sliderValue(page, 'Offset offset')).toBe(7.25);
  await expect(page.getByRole('table', { name: 'Parameters' })).toBeVisible();
});

test('undo and redo a slider drag as one step (buttons and keys)', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('slider', { name: 'Gaussian centre' })).toBeVisible();
  const before = await sliderValue(page, 'Gaussian centre');
  const modelBefore = (await traceY(page, 'model')).join(',');
  await dragSlider(page, 'Gaussian centre', 0.5, 0.8);
  const after = await sliderValue(page, 'Gaussian centre');
  expect(after).not.toBe(before);
  await expect.poll(async () => (await traceY(page, 'model')).join(',')).not.toBe(modelBefore);

  await page.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => sliderValue(page, 'Gaussian centre')).toBe(before);
  await expect.poll(async () => (await traceY(page, 'model')).join(',')).toBe(modelBefore);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect.poll(() => sliderValue(page, 'Gaussian centre')).toBe(after);

  await page.locator('h1').click();
  await page.keyboard.press('Control+z');
  await expect.poll(() => sliderValue(page, 'Gaussian centre')).toBe(before);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => sliderValue(page, 'Gaussian centre')).toBe(after);
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+y');
  await expect.poll(() => sliderValue(page, 'Gaussian centre')).toBe(after);
});

test('a hostile link is refused with a message and runs nothing; hostile names stay text', async ({ page }) => {
  await page.goto('/#session=eJzLSM3JyVcozy_KSQEAGgQEXQ');
  await expect(page.getByRole('alert')).toContainText('share link');
  await expect(page.getByTestId('dataset-info')).toContainText('demo');

  const doc = emptySession();
  const x = Float64Array.from({ length: 20 }, (_, i) => i);
  doc.datasets = [makeSpectrum(EVIL, x, x.map((v) => 1 + v))];
  doc.model = {
    components: [{ name: EVIL, type: 'Expression', active: true, options: { expr: 'constructor*x + __proto__' }, params: { constructor: { value: 1, lower: null, upper: null, fixed: false }, __proto__x: { value: 0, lower: null, upper: null, fixed: false } } }],
  };
  // a formula naming JavaScript globals is just a formula with parameters of those names
  doc.model.components[0].options!.expr = 'alert*x + window';
  doc.model.components[0].params = { alert: { value: 1, lower: null, upper: null, fixed: false }, window: { value: 0, lower: null, upper: null, fixed: false } };
  const link = `/#${encodeShareFragment(doc)}`;
  const fresh = await page.context().browser()!.newContext();
  const p2 = await fresh.newPage();
  p2.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`);
  });
  await p2.goto(link);
  await expect(p2.getByTestId('dataset-info')).toContainText(EVIL);
  await expect(p2.getByRole('slider', { name: `${EVIL} alert` })).toBeVisible();
  await p2.getByRole('button', { name: 'Fit', exact: true }).click();
  await expect(p2.getByRole('table', { name: 'Parameters' })).toBeVisible({ timeout: 20_000 });
  expect(await p2.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await p2.locator('img[src="x"]').count()).toBe(0);
  const p = await readParameters(p2);
  expect(p[`${EVIL}.alert`].value).toBeCloseTo(1, 8);
  expect(p[`${EVIL}.window`].value).toBeCloseTo(1, 8);
  await fresh.close();
});

test('save a session file and open it by dropping it onto a fresh window', async ({ page, browser }) => {
  await page.goto('/');
  await fitPeak(page);
  const params = await readParameters(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save session' }).click()]);
  expect(download.suggestedFilename()).toBe('peak.fitbench.json');
  const text = readFileSync(await download.path(), 'utf8');
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto('/');
  await expect(other.getByTestId('dataset-info')).toContainText('demo');
  await dropFiles(other, [{ name: 'peak.fitbench.json', text }]);
  await expect(other.getByTestId('dataset-info')).toContainText('peak.csv');
  expect(await readParameters(other)).toEqual(params);
  // a truncated file is refused and the session stays
  await dropFiles(other, [{ name: 'cut.fitbench.json', text: text.slice(0, text.length / 2) }]);
  await expect(other.getByRole('alert')).toContainText('cut.fitbench.json');
  await expect(other.getByRole('alert')).toContainText('truncated');
  await expect(other.getByTestId('dataset-info')).toContainText('peak.csv');
  await fresh.close();
});

test('stored models: store, change, compare and restore', async ({ page }) => {
  await page.goto('/');
  await fitPeak(page);
  const fitted = await sliderValue(page, 'Gaussian centre');
  await page.getByRole('textbox', { name: 'Stored model name' }).fill('gauss+offset');
  await page.getByRole('button', { name: 'Store model' }).click();
  await page.getByRole('spinbutton', { name: 'Gaussian centre' }).fill('5');
  await page.getByRole('spinbutton', { name: 'Gaussian centre' }).blur();
  const table = page.getByRole('table', { name: 'Stored models comparison' });
  await expect(table.getByRole('columnheader', { name: /gauss\+offset/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /Gaussian\.centre/ })).toContainText(String(fitted).slice(0, 4));
  await page.getByRole('button', { name: 'Restore gauss+offset' }).click();
  await expect.poll(() => sliderValue(page, 'Gaussian centre')).toBe(fitted);
});

test('exports: parameters CSV and JSON, model CSV, plot PNG and SVG', async ({ page }) => {
  await page.goto('/');
  await fitPeak(page);
  const grab = async (label: string) => {
    await page.locator('.export-menu summary').click();
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: label }).click()]);
    return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
  };
  const csv = await grab('Parameters CSV');
  expect(csv.name).toBe('peak-parameters.csv');
  expect(csv.text.split('\n')[0]).toBe('component,parameter,value,error,at_bound,free');
  const json = JSON.parse((await grab('Parameters JSON')).text);
  expect(json.parameters['Gaussian.centre'].value).toBeCloseTo(8, 1);
  const model = await grab('Model and residuals CSV');
  expect(model.text.split('\n')[0]).toBe('x,data,sigma,model,Gaussian,Offset,residual,residual_over_sigma');
  expect(model.text.trim().split('\n')).toHaveLength(201);
  for (const f of ['PNG', 'SVG']) {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Plot ${f}` }).click()]);
    expect(d.suggestedFilename()).toBe(`peak.${f.toLowerCase()}`);
  }
});
