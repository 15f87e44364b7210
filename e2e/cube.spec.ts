import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { seededRandom, traceY } from './helpers';

/**
 * A small simulated spectrum image, written as a 3-D .npy (rows, cols, channels): a power law
 * A x^-r plus a Gaussian line (area A, HyperSpy's convention) with Poisson counts. The signal axis
 * of a .npy cube is the channel number 0..channels-1.
 */
const ROWS = 6;
const COLS = 7;
const CH = 96;
const SIGMA = 3;

function truthAt(r: number, c: number) {
  const u = c / (COLS - 1);
  const v = r / (ROWS - 1);
  return { plA: 2500 * (1 + 0.3 * u), plR: 1.2, gA: 1500 + 1500 * v, gCentre: 48 + 4 * u };
}

function expected(r: number, c: number, k: number): number {
  const t = truthAt(r, c);
  const pl = k > 0 ? t.plA * Math.pow(k, -t.plR) : 0;
  const g = (t.gA / (SIGMA * Math.sqrt(2 * Math.PI))) * Math.exp(-((k - t.gCentre) ** 2) / (2 * SIGMA * SIGMA));
  return pl + g;
}

/** xorshift32 uniform numbers and Poisson draws (Knuth's method for small means, normal approximation above 30). */
function makeRng(seed: number) {
  const { uniform, normal } = seededRandom(seed);
  const poisson = (mu: number): number => {
    if (mu <= 0) return 0;
    if (mu > 30) {
      return Math.max(0, Math.round(mu + Math.sqrt(mu) * normal()));
    }
    const L = Math.exp(-mu);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= uniform();
    } while (p > L);
    return k - 1;
  };
  return { poisson };
}

function cubeNpy(): { bytes: Buffer; counts: Float64Array } {
  const rng = makeRng(20240611);
  const counts = new Float64Array(ROWS * COLS * CH);
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) for (let k = 0; k < CH; k++) counts[(r * COLS + c) * CH + k] = rng.poisson(expected(r, c, k));
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${ROWS}, ${COLS}, ${CH}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + counts.length * 8);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  for (let i = 0; i < counts.length; i++) out.writeDoubleLE(counts[i], 10 + header.length + 8 * i);
  return { bytes: out, counts };
}

/** The navigator's plot area: clicks the centre of pixel (r, c). */
async function clickPixel(page: Page, r: number, c: number): Promise<void> {
  const box = (await page.getByTestId('cube-navigator').locator('.nsewdrag').first().boundingBox())!;
  await page.mouse.click(box.x + ((c + 0.5) / COLS) * box.width, box.y + ((r + 0.5) / ROWS) * box.height);
}

/** The Pixel values table as {key: {value, error}}. */
async function pixelTable(page: Page): Promise<Record<string, { value: number; error: number }>> {
  const rows = await page.getByRole('table', { name: 'Pixel values' }).locator('tbody tr').all();
  const out: Record<string, { value: number; error: number }> = {};
  for (const row of rows) {
    const cells = await row.locator('td').allInnerTexts();
    out[cells[0]] = { value: Number(cells[1]), error: Number(cells[2]) };
  }
  return out;
}

test('spectrum image: navigator, seed fit, parallel multifit, maps against the truth, NPY export', async ({ page }) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('dataset-info')).toContainText('demo');

  const { bytes, counts } = cubeNpy();
  await page.getByLabel('Load data').setInputFiles({ name: 'map.npy', mimeType: 'application/octet-stream', buffer: bytes });
  const panel = page.getByRole('region', { name: 'Spectrum image' });
  await expect(panel).toContainText(`${ROWS} × ${COLS} pixels, ${CH} channels`);
  await expect(page.getByTestId('cube-navigator').locator('.heatmap, .main-svg').first()).toBeVisible();

  // the navigator: a click shows that pixel's spectrum
  await clickPixel(page, 4, 2);
  await expect(page.getByTestId('cube-pixel')).toContainText('Pixel (row 4, col 2)');
  const y = await traceY(page, 'data');
  expect(y).toEqual(Array.from(counts.subarray((4 * COLS + 2) * CH, (4 * COLS + 3) * CH)));
  // the arrow keys move the pixel
  await page.getByTestId('cube-navigator').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('cube-pixel')).toContainText('Pixel (row 4, col 3)');
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('cube-pixel')).toContainText('Pixel (row 3, col 3)');
  expect(await traceY(page, 'data')).toEqual(Array.from(counts.subarray((3 * COLS + 3) * CH, (3 * COLS + 4) * CH)));

  // model: PowerLaw (origin fixed at 0) + Gaussian, Poisson likelihood (Cash)
  await page.getByRole('combobox', { name: 'Statistic' }).selectOption('cash');
  await page.getByRole('button', { name: 'Add component' }).click();
  await page.getByRole('menuitem', { name: 'PowerLaw', exact: true }).click();
  await page.getByRole('checkbox', { name: 'PowerLaw origin fixed' }).check();
  for (const [p, v] of [
    ['A', '2000'],
    ['r', '1'],
  ]) {
    const box = page.getByRole('spinbutton', { name: `PowerLaw ${p}` });
    await box.fill(v);
    await box.press('Enter');
  }
  await page.getByRole('button', { name: 'Add component' }).click();
  await page.getByRole('menuitem', { name: 'Gaussian', exact: true }).click();
  await expect(page.getByRole('slider', { name: 'Gaussian centre' })).toBeVisible();
  // the estimate finds the power law's rise at channel 1: put the line where the eye sees it
  for (const [p, v] of [
    ['centre', '50'],
    ['sigma', '3'],
    ['A', '1000'],
  ]) {
    const box = page.getByRole('spinbutton', { name: `Gaussian ${p}` });
    await box.fill(v);
    await box.press('Enter');
  }
  const sigmaLower = page.getByRole('textbox', { name: 'Gaussian sigma lower bound' });
  await sigmaLower.fill('0.5');
  await sigmaLower.blur();

  // fit the selected pixel: it becomes a seed and the maps appear
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  await expect(page.getByTestId('cube-pixel')).toContainText('accepted', { timeout: 30_000 });
  await expect(page.getByTestId('cube-pixel')).toContainText('seed');
  await expect(page.getByTestId('cube-window-note')).toContainText('default: 3 × median of 1 seed fit');

  // a slider edit writes into the maps at that pixel
  const before = await pixelTable(page);
  const aBox = page.getByRole('spinbutton', { name: 'Gaussian A' });
  await aBox.fill('1234.5');
  await aBox.press('Enter');
  await expect.poll(async () => (await pixelTable(page))['Gaussian.A'].value).toBe(1234.5);
  await aBox.fill(String(before['Gaussian.A'].value));
  await aBox.press('Enter');
  await expect.poll(async () => (await pixelTable(page))['Gaussian.A'].value).toBe(before['Gaussian.A'].value);

  // multifit on 2 workers, smart order from the seed
  await page.getByRole('spinbutton', { name: 'Workers' }).fill('2');
  await page.getByRole('button', { name: 'Start multifit' }).click();
  await expect(page.getByTestId('cube-progress')).toContainText(`done: ${ROWS * COLS} / ${ROWS * COLS} pixels`, { timeout: 60_000 });
  const progress = await page.getByTestId('cube-progress').innerText();
  console.log(`multifit: ${progress}`);
  expect(progress).toMatch(/2 workers/);
  expect(progress).toMatch(/px\/s/);

  // the value map of Gaussian.A, and one pixel's numbers against the truth
  await page.getByRole('combobox', { name: 'Navigator map' }).selectOption('value');
  await page.getByRole('combobox', { name: 'Map parameter' }).selectOption('Gaussian.A');
  await clickPixel(page, 1, 5);
  await expect(page.getByTestId('cube-pixel')).toContainText('Pixel (row 1, col 5)');
  const px = await pixelTable(page);
  const t = truthAt(1, 5);
  const checks: [string, number][] = [
    ['Gaussian.A', t.gA],
    ['Gaussian.centre', t.gCentre],
    ['Gaussian.sigma', SIGMA],
    ['PowerLaw.A', t.plA],
    ['PowerLaw.r', t.plR],
  ];
  for (const [key, truth] of checks) {
    const { value, error } = px[key];
    console.log(`pixel (1, 5) ${key}: ${value} ± ${error} (truth ${truth}, ${((value - truth) / error).toFixed(2)} errors)`);
    expect(error).toBeGreaterThan(0);
    expect(Math.abs(value - truth)).toBeLessThanOrEqual(3 * error);
  }
  expect(px['PowerLaw.origin'].value).toBe(0);
  // its spectrum and model: the model's values are the pixel's
  await expect(page.getByRole('spinbutton', { name: 'Gaussian A' })).toHaveValue(String(px['Gaussian.A'].value));
  expect(await traceY(page, 'data')).toEqual(Array.from(counts.subarray((1 * COLS + 5) * CH, (1 * COLS + 6) * CH)));
  expect((await traceY(page, 'model')).length).toBeGreaterThan(50);

  // no failed pixels
  await page.getByRole('combobox', { name: 'Navigator map' }).selectOption('failed');
  await expect(page.getByTestId('cube-map-stats')).toContainText(`${ROWS * COLS} pixels · mean 0 `);
  await page.getByRole('combobox', { name: 'Navigator map' }).selectOption('value');

  // export the value map as .npy and parse it
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Map NPY' }).click()]);
  expect(download.suggestedFilename()).toBe('map-Gaussian.A.npy');
  const npy = readFileSync(await download.path());
  expect(Array.from(npy.subarray(0, 6))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
  const hlen = npy.readUInt16LE(8);
  const header = npy.subarray(10, 10 + hlen).toString('latin1');
  expect(header).toMatch(new RegExp(`^\\{'descr': '<f8', 'fortran_order': False, 'shape': \\(${ROWS}, ${COLS}\\), \\} *\\n$`));
  expect((10 + hlen) % 64).toBe(0);
  const at = (r: number, c: number) => npy.readDoubleLE(10 + hlen + 8 * (r * COLS + c));
  // the table shows 6 significant digits
  expect(Math.abs(at(1, 5) - px['Gaussian.A'].value)).toBeLessThan(1e-5 * px['Gaussian.A'].value);
  let inside = 0;
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) if (Math.abs(at(r, c) - truthAt(r, c).gA) < 0.15 * truthAt(r, c).gA) inside++;
  expect(inside).toBe(ROWS * COLS);

  // the whole cube session as a file: cube, model and maps; it opens again with the maps
  const [saved] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save session file' }).click()]);
  const text = readFileSync(await saved.path(), 'utf8');
  const json = JSON.parse(text);
  expect(json.datasets[0].kind).toBe('cube');
  expect(json.datasets[0].shape).toEqual([ROWS, COLS, CH]);
  const savedA: number[] = json.cube['map.npy'].maps.values['Gaussian.A'];
  expect(savedA).toHaveLength(ROWS * COLS);
  expect(savedA[1 * COLS + 5]).toBe(at(1, 5));
  expect(json.cube['map.npy'].maps.status.every((s: number) => s === 1)).toBe(true);
  expect(json.cube['map.npy'].selected).toBe(1 * COLS + 5);
  // change the pixel's value, then open the saved file: the saved numbers come back
  await aBox.fill('999');
  await aBox.press('Enter');
  await expect.poll(async () => (await pixelTable(page))['Gaussian.A'].value).toBe(999);
  await page.getByLabel('Load data').setInputFiles({ name: saved.suggestedFilename(), mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect.poll(async () => (await pixelTable(page))['Gaussian.A'].value).toBe(px['Gaussian.A'].value);
  await expect(page.getByTestId('cube-pixel')).toContainText('Pixel (row 1, col 5)');

  // a second run on one worker, cancelled at once: every pixel keeps a value (the earlier run's
  // where the new one did not get to it)
  await page.getByRole('spinbutton', { name: 'Workers' }).fill('1');
  await page.getByRole('combobox', { name: 'Multifit order' }).selectOption('serpentine');
  await page.getByRole('button', { name: 'Start multifit' }).click();
  await page.getByRole('button', { name: 'Cancel multifit' }).click({ timeout: 5_000 }).catch(() => undefined);
  await expect(page.getByTestId('cube-progress')).toContainText(/(cancelled|done): \d+ \/ 42 pixels/, { timeout: 30_000 });
  console.log(`second run: ${await page.getByTestId('cube-progress').innerText()}`);
  await expect(page.getByTestId('cube-map-stats')).toContainText(`${ROWS * COLS} pixels · mean`);
  await expect(page.getByTestId('cube-map-stats')).not.toContainText('without a value');

  // every non-linear parameter fixed and a least-squares statistic: the linear fast path
  await page.getByRole('combobox', { name: 'Statistic' }).selectOption('chi2');
  for (const name of ['PowerLaw r', 'Gaussian sigma', 'Gaussian centre']) await page.getByRole('checkbox', { name: `${name} fixed` }).check();
  await page.getByRole('button', { name: 'Start multifit' }).click();
  await expect(page.getByTestId('cube-progress')).toContainText(`done: ${ROWS * COLS} / ${ROWS * COLS} pixels`, { timeout: 30_000 });
  await expect(page.getByTestId('cube-progress')).toContainText('linear fast path');
  console.log(`linear: ${await page.getByTestId('cube-progress').innerText()}`);
  // the fixed parameters hold their value in every pixel
  await page.getByRole('combobox', { name: 'Map parameter' }).selectOption('Gaussian.centre');
  await expect(page.getByTestId('cube-map-stats')).toContainText('std 0 ');
  await page.getByRole('combobox', { name: 'Map parameter' }).selectOption('Gaussian.A');

  // a variance map of the wrong shape is refused with the file named; a right one switches chi-square to it
  const varNpy = (shape: number[], value: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
    header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
    const out = Buffer.alloc(10 + header.length + n * 8);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    out.writeUInt16LE(header.length, 8);
    out.write(header, 10, 'latin1');
    for (let i = 0; i < n; i++) out.writeDoubleLE(value, 10 + header.length + 8 * i);
    return out;
  };
  await page.getByLabel('Variance map file').setInputFiles({ name: 'bad_var.npy', mimeType: 'application/octet-stream', buffer: varNpy([ROWS, COLS, CH - 1], 4) });
  await expect(page.getByRole('alert').first()).toContainText(`bad_var.npy: the variance map has shape ${ROWS} × ${COLS} × ${CH - 1}`);
  await page.getByLabel('Variance map file').setInputFiles({ name: 'var.npy', mimeType: 'application/octet-stream', buffer: varNpy([ROWS, COLS, CH], 4) });
  await expect(page.getByRole('combobox', { name: 'Variance' })).toHaveValue('sigma');

  // the signal axis set in the UI: channel k at 0.5 + 0.01 k keV
  await page.getByLabel('Signal axis start').fill('0.5');
  await page.getByLabel('Signal axis step').fill('0.01');
  await page.getByLabel('Signal axis units').fill('keV');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect
    .poll(() =>
      page.evaluate(() => {
        const el = document.querySelector('[data-testid="spectrum-plot"]') as unknown as { data?: { name?: string; x?: ArrayLike<number> }[] };
        const t = el.data?.find((d) => d.name === 'data');
        return t?.x ? [t.x[0], t.x[t.x.length - 1]] : [];
      }),
    )
    .toEqual([0.5, 0.5 + 0.01 * (CH - 1)]);

  mkdirSync('screenshots', { recursive: true });
  await page.screenshot({ path: 'screenshots/cube.png', fullPage: true });
  expect(errors).toEqual([]);
});
