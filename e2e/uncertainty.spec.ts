/**
 * Uncertainty tools on the demo: MINOS errors into the Parameters table, a contour with a closed
 * curve, a profile and a surface, the model band, the cancel button; a screenshot to look at.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('/');
  await expect(page.locator('.js-plotly-plot').first()).toBeVisible();
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Parameters' })).toBeVisible({ timeout: 20_000 });
});

/** The Parameters table with MINOS columns as {key: {value, error, lower, upper}}. */
async function readMinos(page: Page): Promise<Record<string, { value: number; error: number; lower: string; upper: string }>> {
  const table = page.getByRole('table', { name: 'Parameters' });
  const headers = await table.locator('thead th').allInnerTexts();
  const col = (name: string) => headers.findIndex((h) => h.trim() === name);
  const lo = col('MINOS −');
  const up = col('MINOS +');
  expect(lo).toBeGreaterThan(0);
  expect(up).toBeGreaterThan(0);
  const out: Record<string, { value: number; error: number; lower: string; upper: string }> = {};
  for (const r of await table.locator('tbody tr').all()) {
    const cells = await r.locator('td').allInnerTexts();
    out[`${cells[0]}.${cells[1]}`] = { value: Number(cells[2]), error: Number(cells[3]), lower: cells[lo].trim(), upper: cells[up].trim() };
  }
  return out;
}

/** traces of the uncertainty plot */
async function plotTraces(page: Page): Promise<{ name?: string; type?: string; x?: number[]; y?: number[]; meta?: string }[]> {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="uncertainty-plot"]') as unknown as { data?: { name?: string; type?: string; x?: ArrayLike<number>; y?: ArrayLike<number>; meta?: string }[] };
    return (el.data ?? []).map((d) => ({ name: d.name, type: d.type, meta: d.meta, x: d.x ? Array.from(d.x) : undefined, y: d.y ? Array.from(d.y) : undefined }));
  });
}

test('MINOS errors fill the Parameters table, close to the symmetric errors', async ({ page }) => {
  await page.getByRole('button', { name: 'MINOS errors' }).click();
  await expect(page.getByRole('progressbar', { name: 'Uncertainty progress' })).toBeHidden({ timeout: 60_000 });
  await expect(page.getByTestId('uncertainty-status')).toContainText('MINOS: 16 sides');
  const rows = await readMinos(page);
  expect(Object.keys(rows).length).toBe(8);
  for (const [key, r] of Object.entries(rows)) {
    expect(r.lower, key).not.toBe('');
    expect(r.upper, key).not.toBe('');
    const lower = Number(r.lower);
    const upper = Number(r.upper);
    expect(lower, `${key} lower ${r.lower}`).toBeLessThan(0);
    expect(upper, `${key} upper ${r.upper}`).toBeGreaterThan(0);
    expect(Math.abs(-lower - r.error) / r.error, `${key}: ${r.lower} vs -${r.error}`).toBeLessThan(0.2);
    expect(Math.abs(upper - r.error) / r.error, `${key}: ${r.upper} vs ${r.error}`).toBeLessThan(0.2);
  }
});

test('a contour draws closed curves with the convention in the legend; screenshot', async ({ page }, testInfo) => {
  await expect(page.getByRole('combobox', { name: 'Contour x parameter' })).toHaveValue('Gaussian.A');
  await page.getByRole('combobox', { name: 'Contour y parameter' }).selectOption('Gaussian.sigma');
  await page.getByRole('button', { name: 'Contour', exact: true }).click();
  await expect(page.getByRole('progressbar', { name: 'Uncertainty progress' })).toBeHidden({ timeout: 60_000 });
  await expect(page.getByTestId('uncertainty-status')).toContainText('Contour: 72 rays');
  // the plot redraws at most every 200 ms while results stream in: wait for the final curves
  await expect.poll(async () => (await plotTraces(page)).filter((t) => t.meta === 'contour closed').length).toBe(2);
  const traces = await plotTraces(page);
  const curves = traces.filter((t) => t.meta === 'contour closed');
  for (const c of curves) {
    const x = c.x!;
    const y = c.y!;
    expect(x.length).toBe(37);
    expect(x[0]).toBe(x[x.length - 1]);
    expect(y[0]).toBe(y[y.length - 1]);
    expect(new Set(x).size).toBeGreaterThan(30);
  }
  expect(curves[0].name).toContain('68.3 %');
  expect(curves[1].name).toContain('95.4 %');
  expect(traces.some((t) => t.name === 'best fit')).toBe(true);
  const legend = await page.locator('[data-testid="uncertainty-plot"] .legendtitletext').textContent();
  expect(legend).toContain('coverage');

  await page.getByRole('button', { name: 'MINOS errors' }).click();
  await expect(page.getByRole('progressbar', { name: 'Uncertainty progress' })).toBeHidden({ timeout: 60_000 });
  await page.getByRole('checkbox', { name: 'Confidence band' }).check();
  await expect.poll(async () => page.evaluate(() => {
    const el = document.querySelector('[data-testid="spectrum-plot"]') as unknown as { data?: { name?: string }[] };
    return (el.data ?? []).some((d) => d.name === 'model 1σ band');
  })).toBe(true);

  mkdirSync('screenshots', { recursive: true });
  await page.waitForTimeout(300);
  const shot = await page.screenshot({ fullPage: true });
  await testInfo.attach('uncertainty', { body: shot, contentType: 'image/png' });
  await page.screenshot({ path: 'screenshots/uncertainty.png', fullPage: true });
});

test('gammapy convention: Δχ² = n², named in the legend', async ({ page }) => {
  await page.getByRole('combobox', { name: 'Convention' }).selectOption('gammapy');
  await page.getByRole('checkbox', { name: '2σ' }).uncheck();
  await page.getByRole('button', { name: 'Contour', exact: true }).click();
  await expect(page.getByRole('progressbar', { name: 'Uncertainty progress' })).toBeHidden({ timeout: 60_000 });
  await expect.poll(async () => (await plotTraces(page)).filter((t) => t.meta === 'contour closed').length).toBe(1);
  const traces = await plotTraces(page);
  const curves = traces.filter((t) => t.meta === 'contour closed');
  expect(curves[0].name).toContain('Δχ² = 1.00');
  expect(await page.locator('[data-testid="uncertainty-plot"] .legendtitletext').textContent()).toContain('gammapy');
});

test('profile streams points and shows the levels; surface heatmap; cancel stops a run', async ({ page }) => {
  await page.getByRole('combobox', { name: 'Profile parameter' }).selectOption('Gaussian.centre');
  await page.getByRole('button', { name: 'Profile', exact: true }).click();
  await expect(page.getByRole('progressbar', { name: 'Uncertainty progress' })).toBeHidden({ timeout: 60_000 });
  await expect.poll(async () => (await plotTraces(page)).find((t) => t.name?.startsWith('profile'))?.x?.length).toBe(21);
  let traces = await plotTraces(page);
  const prof = traces.find((t) => t.name?.startsWith('profile'));
  // the middle point is the best fit (Delta 0), the ends about 9 (3 errors out)
  expect(Math.min(...prof!.y!)).toBeLessThan(1e-6);
  expect(Math.max(...prof!.y!)).toBeGreaterThan(6);
  expect(traces.some((t) => t.name === 'covariance parabola')).toBe(true);
  mkdirSync('screenshots', { recursive: true });
  await page.locator('.uncertainty-panel').screenshot({ path: 'screenshots/uncertainty-profile.png' });

  await page.getByRole('spinbutton', { name: 'Surface grid' }).fill('8');
  await page.getByRole('button', { name: 'Surface', exact: true }).click();
  await expect(page.getByRole('progressbar', { name: 'Uncertainty progress' })).toBeHidden({ timeout: 60_000 });
  await expect
    .poll(async () => {
      const z = await page.evaluate(() => {
        const el = document.querySelector('[data-testid="uncertainty-plot"]') as unknown as { data?: { type?: string; z?: (number | null)[][] }[] };
        return el.data?.find((d) => d.type === 'heatmap')?.z ?? null;
      });
      return z !== null && z.length === 8 && z.every((row) => row.every((v) => v !== null));
    })
    .toBe(true);
  traces = await plotTraces(page);
  expect(traces.filter((t) => t.type === 'contour').length).toBe(2);
  await page.locator('.uncertainty-panel').screenshot({ path: 'screenshots/uncertainty-surface.png' });

  // a big re-optimised surface, cancelled while running
  await page.getByRole('spinbutton', { name: 'Surface grid' }).fill('60');
  await page.getByRole('button', { name: 'Surface', exact: true }).click();
  await expect(page.getByRole('progressbar', { name: 'Uncertainty progress' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel uncertainty' }).click();
  await expect(page.getByRole('progressbar', { name: 'Uncertainty progress' })).toBeHidden({ timeout: 10_000 });
  await expect(page.getByTestId('uncertainty-status')).toContainText('(cancelled)');
});
