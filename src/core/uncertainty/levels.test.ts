import { describe, expect, it } from 'vitest';
import { chi2Cdf, chi2Quantile, coverageOfDelta, deltaForSigma, normalQuantile, statisticLevel } from './levels';

// reference values from scipy.stats 1.10 (chi2.ppf, chi2.cdf, norm.ppf)
describe('levels', () => {
  it('chi2 quantiles match scipy', () => {
    const cases: [number, number, number][] = [
      [0.6827, 2, 2.2958151607859736],
      [0.9545, 2, 6.180085906050465],
      [0.95, 1, 3.841458820694124],
      [0.95, 3, 7.814727903251179],
      [0.6827, 5, 5.887700472524741],
      [0.99, 4, 13.276704135987622],
      [0.001, 10, 1.4787434638356647],
      [0.5, 7, 6.345811195521515],
    ];
    for (const [p, k, x] of cases) {
      expect(Math.abs(chi2Quantile(p, k) / x - 1)).toBeLessThan(1e-12);
      expect(Math.abs(chi2Cdf(x, k) - p)).toBeLessThan(1e-13);
    }
    expect(chi2Cdf(2.5, 3)).toBeCloseTo(0.5247089166569795, 14);
    expect(chi2Cdf(20, 7)).toBeCloseTo(0.9944303169270544, 14);
    expect(chi2Cdf(0.1, 0.5)).toBeCloseTo(0.5165553208304657, 13);
  });

  it('normal quantiles match scipy', () => {
    const cases: [number, number][] = [
      [0.975, 1.959963984540054],
      [1e-10, -6.361340902404056],
      [0.3, -0.5244005127080409],
      [0.999999, 4.753424308817087],
    ];
    for (const [p, z] of cases) expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-12 * Math.max(1, Math.abs(z)));
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('gives the conventional levels with errordef scaling', () => {
    expect(deltaForSigma(1, 1)).toBe(1);
    expect(deltaForSigma(2, 0.5)).toBe(2);
    const s1 = statisticLevel({ kind: 'interval-sigma', sigma: 1 }, 0.5);
    expect(s1.delta).toBe(0.5);
    expect(s1.coverage).toBeCloseTo(0.6826894921370859, 14);
    // 2D regions with the coverage of 1, 2, 3 sigma: 2.30, 6.18, 11.83
    const r1 = statisticLevel({ kind: 'region-sigma', sigma: 1 }, 1);
    expect(r1.deltaChi2).toBeCloseTo(2.295748928898636, 12);
    expect(r1.coverage).toBeCloseTo(0.6826894921370859, 14);
    expect(statisticLevel({ kind: 'region-sigma', sigma: 2 }, 1).deltaChi2).toBeCloseTo(6.1800743062441725, 12);
    expect(statisticLevel({ kind: 'region-sigma', sigma: 3 }, 1).deltaChi2).toBeCloseTo(11.829158081900806, 10);
    // -ln L: half of it
    expect(statisticLevel({ kind: 'region-sigma', sigma: 1 }, 0.5).delta).toBeCloseTo(0.5 * 2.295748928898636, 12);
    // gammapy: Delta chi2 = n^2, coverage 1 - exp(-n^2/2)
    const g = statisticLevel({ kind: 'region-sigma', sigma: 1, convention: 'gammapy' }, 1);
    expect(g.deltaChi2).toBe(1);
    expect(g.coverage).toBeCloseTo(1 - Math.exp(-0.5), 15);
    const cl = statisticLevel({ kind: 'region-cl', cl: 0.9545 }, 1);
    expect(cl.deltaChi2).toBeCloseTo(6.180085906050465, 12);
    expect(statisticLevel({ kind: 'interval-cl', cl: 0.95 }, 1).deltaChi2).toBeCloseTo(3.841458820694124, 12);
    expect(coverageOfDelta(2.3, 1, 2)).toBeCloseTo(1 - Math.exp(-1.15), 15);
    expect(r1.label).toContain('68.3 %');
  });
});
