import { expect, test, type Page } from '@playwright/test';
import { dropFiles, seededRandom } from './helpers';

/**
 * Datasets with different models: a.csv = Gaussian + Exponential + Offset, b.csv = Gaussian + Offset,
 * the same Gaussian centre and width; h.csv (first in the list) is left out of the fit, so the
 * component lists must follow the datasets that are fitted.
 */
const TRUTH = {
  centre: 10,
  sigma: 1.5,
  a: { A: 30, offset: 1, expA: 4, tau: 5 },
  b: { A: 20, offset: 2 },
};
const NOISE = 0.05;

function csv(opts: { A: number; offset: number; expA?: number; tau?: number; seed: number }): string {
  const { normal } = seededRandom(opts.seed);
  const lines = ['x,y,sigma'];
  for (let i = 0; i <= 200; i++) {
    const x = i * 0.1;
    const g = (opts.A / (TRUTH.sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-((x - TRUTH.centre) ** 2) / (2 * TRUTH.sigma ** 2));
    const e = opts.expA !== undefined ? opts.expA * Math.exp(-x / opts.tau!) : 0;
    lines.push(`${x},${g + e + opts.offset + NOISE * normal()},${NOISE}`);
  }
  return lines.join('\n') + '\n';
}

/** The Parameters table as {key: {value, error, dataset}}. */
async function readRows(page: Page): Promise<Record<string, { value: number; error: number; dataset: string }>> {
  const rows = await page.getByRole('table', { name: 'Parameters' }).locator('tbody tr').all();
  const out: Record<string, { value: number; error: number; dataset: string }> = {};
  for (const r of rows) {
    const key = (await r.getAttribute('data-key'))!;
    const cells = await r.locator('td').allInnerTexts();
    out[key] = { value: Number(cells[2]), error: Number(cells[3]), dataset: cells[cells.length - 1] };
  }
  return out;
}

async function addComponent(page: Page, type: string): Promise<void> {
  await page.getByRole('button', { name: 'Add component' }).click();
  await page.getByRole('menuitem', { name: type, exact: true }).click();
}

async function setValue(page: Page, label: string, value: number): Promise<void> {
  const box = page.getByRole('spinbutton', { name: label, exact: true });
  await box.fill(String(value));
  await box.blur();
}

test('two datasets with different models share the Gaussian: untick "b.csv uses Exponential", fit jointly', async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('/');
  await expect(page.getByTestId('dataset-info')).toContainText('demo');
  await dropFiles(page, [
    { name: 'h.csv', text: csv({ A: 50, offset: 0, seed: 5 }) },
    { name: 'a.csv', text: csv({ ...TRUTH.a, seed: 11 }) },
    { name: 'b.csv', text: csv({ ...TRUTH.b, seed: 23 }) },
  ]);
  const list = page.getByRole('table', { name: 'Dataset list' });
  await expect(list.locator('tbody tr')).toHaveCount(3);
  await page.getByRole('checkbox', { name: 'Use h.csv in multi-dataset fits' }).uncheck();

  await addComponent(page, 'Gaussian');
  await addComponent(page, 'Offset');
  await addComponent(page, 'Exponential');
  await setValue(page, 'Exponential A', 3);
  await setValue(page, 'Exponential tau', 4);
  await setValue(page, 'Offset offset', 1);

  // the grid: every dataset uses every component by default
  const grid = page.getByRole('table', { name: 'Components per dataset' });
  await expect(grid.getByRole('checkbox')).toHaveCount(9);
  for (const d of ['h.csv', 'a.csv', 'b.csv']) for (const c of ['Gaussian', 'Offset', 'Exponential']) await expect(page.getByRole('checkbox', { name: `${d} uses ${c}` })).toBeChecked();

  await page.getByRole('checkbox', { name: 'Gaussian.A per dataset' }).check();
  await page.getByRole('checkbox', { name: 'Offset.offset per dataset' }).check();
  // centre, sigma, A[0], A[1], offset[0], offset[1], Exponential A, tau
  await expect(page.getByTestId('free-count')).toHaveText('Total free parameters = 8');
  // Exponential.tau per dataset while both datasets use the Exponential: two copies, 9
  await page.getByRole('checkbox', { name: 'Exponential.tau per dataset' }).check();
  await expect(page.getByTestId('free-count')).toHaveText('Total free parameters = 9');

  // a dataset without components is refused, with the reason
  for (const c of ['Gaussian', 'Offset', 'Exponential']) await page.getByRole('checkbox', { name: `b.csv uses ${c}` }).uncheck();
  await expect(page.getByTestId('free-count')).toHaveText('Joint setup: dataset 1 (b.csv) uses no active component; give it at least one');
  await expect(page.getByRole('button', { name: 'Fit jointly' })).toBeDisabled();
  await page.getByRole('checkbox', { name: 'b.csv uses Gaussian' }).check();
  await page.getByRole('checkbox', { name: 'b.csv uses Offset' }).check();
  await expect(page.getByRole('checkbox', { name: 'b.csv uses Exponential' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'a.csv uses Exponential' })).toBeChecked();
  // only a.csv uses the Exponential now: one copy of the per-dataset tau, 8
  await expect(page.getByTestId('free-count')).toHaveText('Total free parameters = 8');
  await page.getByRole('checkbox', { name: 'Exponential.tau per dataset' }).uncheck();
  await expect(page.getByTestId('free-count')).toHaveText('Total free parameters = 8');

  await page.getByRole('button', { name: 'Fit jointly' }).click();
  await expect(page.getByTestId('total-free')).toHaveText('8', { timeout: 30_000 });
  const rows = await readRows(page);
  expect(Object.keys(rows).sort()).toEqual(
    ['Exponential.A', 'Exponential.tau', 'Gaussian.A[0]', 'Gaussian.A[1]', 'Gaussian.centre', 'Gaussian.sigma', 'Offset.offset[0]', 'Offset.offset[1]'].sort(),
  );
  const expected: [string, number, string[]][] = [
    ['Gaussian.centre', TRUTH.centre, ['all']],
    ['Gaussian.sigma', TRUTH.sigma, ['all']],
    ['Gaussian.A[0]', TRUTH.a.A, ['a.csv']],
    ['Gaussian.A[1]', TRUTH.b.A, ['b.csv']],
    ['Offset.offset[0]', TRUTH.a.offset, ['a.csv']],
    ['Offset.offset[1]', TRUTH.b.offset, ['b.csv']],
    // only a.csv uses the Exponential (the table may say "all" for a shared key)
    ['Exponential.A', TRUTH.a.expA, ['a.csv', 'all']],
    ['Exponential.tau', TRUTH.a.tau, ['a.csv', 'all']],
  ];
  for (const [key, truth, datasets] of expected) {
    const r = rows[key];
    console.log(`${key.padEnd(18)} truth ${truth} fit ${r.value} ± ${r.error} (${r.dataset})`);
    expect(datasets, key).toContain(r.dataset);
    expect(r.error, key).toBeGreaterThan(0);
    expect(Math.abs(r.value - truth), key).toBeLessThan(3 * r.error);
  }
  await page.screenshot({ path: 'screenshots/joint-models.png', fullPage: true });
});
