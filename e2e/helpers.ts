import type { Page } from '@playwright/test';

/** xorshift32 uniform numbers and Box-Muller normals: the same numbers on every run. */
export function seededRandom(seed: number): { uniform: () => number; normal: () => number } {
  let s = seed >>> 0;
  const uniform = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** A deterministic noisy Gaussian + offset as CSV text (x, y, sigma). */
export function gaussianCsv(opts: { A: number; sigma: number; centre: number; offset: number; noise: number; n: number; seed: number }): string {
  const { normal } = seededRandom(opts.seed);
  const lines = ['x,y,sigma'];
  for (let i = 0; i < opts.n; i++) {
    const x = (20 * i) / (opts.n - 1);
    const g = (opts.A / (opts.sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-((x - opts.centre) ** 2) / (2 * opts.sigma ** 2));
    lines.push(`${x},${g + opts.offset + opts.noise * normal()},${opts.noise}`);
  }
  return lines.join('\n') + '\n';
}

/** Drops files onto the window the way a browser does (a drop event carrying a DataTransfer). */
export async function dropFiles(page: Page, files: { name: string; text: string; mime?: string }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: f.mime ?? 'text/plain' }));
    return dt;
  }, files);
  const target = page.locator('.app');
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
}

/** y values of a named plot trace. */
export async function traceY(page: Page, name: string): Promise<number[]> {
  return page.evaluate((traceName) => {
    const el = document.querySelector('[data-testid="spectrum-plot"]') as unknown as { data?: { name?: string; y?: ArrayLike<number> }[] };
    const t = el.data?.find((d) => d.name === traceName);
    return t?.y ? Array.from(t.y) : [];
  }, name);
}

/** Reads the Parameters table as {key: {value, error}}. */
export async function readParameters(page: Page): Promise<Record<string, { value: number; error: number }>> {
  const table = page.getByRole('table', { name: 'Parameters' });
  const rows = await table.locator('tbody tr').all();
  const out: Record<string, { value: number; error: number }> = {};
  for (const r of rows) {
    const cells = await r.locator('td').allInnerTexts();
    out[`${cells[0]}.${cells[1]}`] = { value: Number(cells[2]), error: Number(cells[3]) };
  }
  return out;
}
