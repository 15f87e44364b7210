import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_NAME, DEMO_TRUTH, demoCsv, demoModel, makeDemoSpectrum } from './demo';
import { readDataFiles } from './readers';

describe('demo spectrum', () => {
  it('has 400 points on [0, 100] with sigma = 1', () => {
    const d = makeDemoSpectrum();
    expect(d.name).toBe(DEMO_NAME);
    expect(d.name).toContain('demo');
    expect(d.kind).toBe('spectrum');
    expect(d.shape).toEqual([400]);
    expect(d.coords.x[0]).toBe(0);
    expect(d.coords.x[399]).toBe(100);
    expect(d.coords.x[1]).toBeCloseTo(100 / 399, 15);
    expect(d.sigma!.every((s) => s === 1)).toBe(true);
  });

  it('the noise-free model matches the HyperSpy Gaussian definition', () => {
    // mpmath (30 digits): 5 + 0.02 x + sum A/(sigma sqrt(2 pi)) exp(-(x - c)^2 / (2 sigma^2))
    const ref: [number, number][] = [
      [0, 5.0],
      [35, 45.594234726645908193],
      [50, 6.806351762565817716],
      [62, 20.601922094451576509],
      [100, 7.0000000000041189634],
    ];
    for (const [x, y] of ref) expect(Math.abs(demoModel(x) - y)).toBeLessThan(1e-13 * y);
    // the peaks' areas add up to A1 + A2 = 480 (trapezoid rule on a fine grid)
    const n = 20001;
    const h = 100 / (n - 1);
    let area = 0;
    for (let i = 0; i < n; i++) {
      const x = i * h;
      const w = i === 0 || i === n - 1 ? 0.5 : 1;
      area += w * h * (demoModel(x) - DEMO_TRUTH.background.a0 - DEMO_TRUTH.background.a1 * x);
    }
    expect(Math.abs(area - 480)).toBeLessThan(1e-8);
  });

  it('is reproducible from its seed and the noise has the stated size', () => {
    const a = makeDemoSpectrum(1);
    expect(Array.from(makeDemoSpectrum(1).values)).toEqual(Array.from(a.values));
    expect(Array.from(makeDemoSpectrum(2).values)).not.toEqual(Array.from(a.values));
    for (const seed of [1, 2, 3]) {
      const d = makeDemoSpectrum(seed);
      let sum = 0;
      let chi2 = 0;
      for (let i = 0; i < 400; i++) {
        const r = d.values[i] - demoModel(d.coords.x[i]);
        sum += r;
        chi2 += r * r;
      }
      // mean residual within 5 standard errors (1/sqrt(400)); chi-square 400 within 5 sd (sqrt(800))
      expect(Math.abs(sum / 400)).toBeLessThan(5 / 20);
      expect(Math.abs(chi2 - 400)).toBeLessThan(5 * Math.sqrt(800));
    }
  });

  it('demoCsv round-trips exactly through the CSV reader', () => {
    const csv = demoCsv(1);
    const lines = csv.split('\n');
    expect(lines[0]).toBe('x,y,sigma');
    expect(lines.length).toBe(402); // header, 400 rows, empty string after the final newline
    const { datasets, errors } = readDataFiles([{ name: 'demo.csv', bytes: new TextEncoder().encode(csv) }]);
    expect(errors).toEqual([]);
    const d = makeDemoSpectrum(1);
    expect(Array.from(datasets[0].coords.x)).toEqual(Array.from(d.coords.x));
    expect(Array.from(datasets[0].values)).toEqual(Array.from(d.values));
    expect(Array.from(datasets[0].sigma!)).toEqual(Array.from(d.sigma!));
  });

  it('public/demo.csv is the output of scripts/make-demo.ts (seed 1)', () => {
    const file = fileURLToPath(new URL('../../../public/demo.csv', import.meta.url));
    expect(readFileSync(file, 'utf8')).toBe(demoCsv(1));
  });
});
