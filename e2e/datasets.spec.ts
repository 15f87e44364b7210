import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { dropFiles } from './helpers';

const DIR = '../shared/data/autofit-example-1d/gaussian_x1_variable';

/** The Parameters table as {key: {value, error, dataset}} with the dataset column. */
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

test('drop three PyAutoFit datasets, share the centre, fit jointly and read per-dataset values', async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('/');
  await expect(page.getByTestId('dataset-info')).toContainText('demo');
  const files = [0, 1, 2].flatMap((k) => [
    { name: `sigma_${k}/data.json`, text: readFileSync(`${DIR}/sigma_${k}/data.json`, 'utf8') },
    { name: `sigma_${k}/noise_map.json`, text: readFileSync(`${DIR}/sigma_${k}/noise_map.json`, 'utf8') },
  ]);
  await dropFiles(page, files);
  const list = page.getByRole('table', { name: 'Dataset list' });
  await expect(list.locator('tbody tr')).toHaveCount(3);

  await page.getByRole('button', { name: 'Add component' }).click();
  await page.getByRole('menuitem', { name: 'Gaussian', exact: true }).click();
  await page.getByRole('checkbox', { name: 'Gaussian.A per dataset' }).check();
  await page.getByRole('checkbox', { name: 'Gaussian.sigma per dataset' }).check();
  await expect(page.getByTestId('free-count')).toHaveText('Total free parameters = 7');

  await page.getByRole('button', { name: 'Fit jointly' }).click();
  await expect(page.getByTestId('total-free')).toHaveText('7', { timeout: 30_000 });
  const rows = await readRows(page);
  const truth = [0, 1, 2].map((k) => JSON.parse(readFileSync(`${DIR}/sigma_${k}/model.json`, 'utf8')));
  expect(Object.keys(rows)).toHaveLength(7);
  const centre = rows['Gaussian.centre'];
  expect(centre.dataset).toBe('all');
  for (let k = 0; k < 3; k++) {
    const t = truth[k];
    const find = (o: unknown, name: string): number => {
      const s = JSON.stringify(o);
      const m = new RegExp(`"${name}"\\s*:\\s*(?:\\{[^}]*"value"\\s*:\\s*)?(-?[0-9.eE+-]+)`).exec(s);
      return Number(m![1]);
    };
    const sig = rows[`Gaussian.sigma[${k}]`];
    expect(Math.abs(sig.value - find(t, 'sigma')), `sigma[${k}]`).toBeLessThan(3 * sig.error);
    expect(Math.abs(rows[`Gaussian.A[${k}]`].value - find(t, 'normalization')), `A[${k}]`).toBeLessThan(3 * rows[`Gaussian.A[${k}]`].error);
    expect(sig.dataset).toContain(`sigma_${k}`);
    if (k === 0) expect(Math.abs(centre.value - find(t, 'centre'))).toBeLessThan(3 * centre.error);
  }
  // each dataset is drawn with its own fitted values
  await list.getByRole('radio').nth(2).check();
  await page.screenshot({ path: 'screenshots/joint.png', fullPage: true });
});
