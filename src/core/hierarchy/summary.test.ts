/** Selections, collapsed groups and folded warnings for posteriors with hundreds of parameters. */
import { describe, expect, it } from 'vitest';
import type { PosteriorSummary } from '../sample/diagnostics';
import { hierarchicalLogDensity } from './log-density';
import { simulateStarCluster } from './star-cluster';
import { collapseWarnings, defaultSelection, formatSelection, groupStats, keyLayout, parseSelection } from './summary';

const layout = keyLayout(
  hierarchicalLogDensity({
    hyper: { mu: { value: 0 }, s: { value: 1, lower: 0 }, gain: { value: 1 } },
    members: [
      { name: 'r', count: 12, population: { kind: 'normal', mu: 'mu', sigma: 's' } },
      { name: 'b', count: 1, population: { kind: 'lognormal', mu: 0, sigma: 's' }, parameterization: 'noncentered' },
    ],
    observations: [],
  }),
);

describe('hierarchy summary helpers', () => {
  it('lays out hyperparameters and collapsed member groups', () => {
    expect(layout.hyper).toEqual(['mu', 's', 'gain']);
    expect(layout.groups).toEqual([
      { name: 'r', start: 3, count: 12, label: 'r[0..11]' },
      { name: 'b', start: 15, count: 1, label: 'b[0]' },
    ]);
    expect(layout.keys.length).toBe(16);
    expect(layout.keys[15]).toBe('b[0]');
    expect(defaultSelection(layout)).toEqual(['mu', 's', 'gain']);
    const sc = keyLayout(hierarchicalLogDensity(simulateStarCluster({ n: 256 }).doc));
    expect(sc.groups.map((g) => g.label)).toEqual(['r[0..255]']);
  });

  it('parses selections in layout order, each key once', () => {
    expect(parseSelection('gain, r[2..4] r[3]; mu', layout)).toEqual({ keys: ['mu', 'gain', 'r[2]', 'r[3]', 'r[4]'], error: null });
    expect(parseSelection('b', layout).keys).toEqual(['b[0]']);
    expect(parseSelection('r', layout).keys.length).toBe(12);
    expect(parseSelection('all', layout).keys).toEqual(layout.keys);
    expect(parseSelection('  ', layout)).toEqual({ keys: [], error: null });
    expect(parseSelection('mu, q', layout).error).toBe("unknown parameter 'q' (hyperparameters: mu, s, gain; members: r[0..11], b[0])");
    expect(parseSelection('r[5..2]', layout).error).toBe("'r[5..2]': the range must go up (r[2..5])");
    expect(parseSelection('r[12]', layout).error).toBe("'r[12]': r has members 0 to 11");
    expect(parseSelection('mu[1]', layout).error).toMatch(/^'mu' is not a member group/);
    expect(parseSelection('r[1', layout).error).toMatch(/^cannot read 'r\[1'/);
  });

  it('formats selections with runs collapsed, and round-trips', () => {
    const keys = ['r[7]', 'mu', 'r[0]', 'r[1]', 'r[2]', 'b[0]', 'r[11]', 'r[10]'];
    const text = formatSelection(keys, layout);
    expect(text).toBe('mu, r[0..2], r[7], r[10..11], b[0]');
    expect(parseSelection(text, layout).keys.sort()).toEqual([...keys].sort());
  });

  it('summarises a group in one row', () => {
    const p = (key: string, mean: number, sd: number, rhat: number, essBulk: number, essTail: number) => ({ key, mean, sd, hdiLow: 0, hdiHigh: 0, mcseMean: 0, mcseSd: 0, essBulk, essTail, rhat });
    const summary: PosteriorSummary = {
      method: 'chains',
      chains: 4,
      draws: 100,
      hdiProb: 0.94,
      divergences: 0,
      warnings: [],
      parameters: [p('mu', 1, 1, 1, 1, 1), p('s', 1, 1, 1, 1, 1), p('gain', 1, 1, 1, 1, 1), ...Array.from({ length: 12 }, (_, i) => p(`r[${i}]`, 10 + i, 1 + i, 1 + i / 1000, 500 - i, 400 + i)), p('b[0]', 9, 9, NaN, NaN, NaN)],
    };
    expect(groupStats(summary, layout.groups[0])).toEqual({ label: 'r[0..11]', count: 12, meanMin: 10, meanMax: 21, sdMedian: 6.5, rhatMax: 1.011, essBulkMin: 489, essTailMin: 400 });
    const b = groupStats(summary, layout.groups[1]);
    expect(b.sdMedian).toBe(9);
    expect(Number.isNaN(b.rhatMax)).toBe(true);
  });

  it('folds per-member warnings into one line per group', () => {
    const w = ['r[3]: R-hat 1.020 > 1.01: x', 'r[3]: tail ESS 300 < 400: y', 'r[9]: bulk ESS 100 < 400: z', 'mu: R-hat 1.05 > 1.01: w', 'b[0]: tail ESS 10 < 400: v', 'chain 2 was stopped'];
    expect(collapseWarnings(w, layout)).toEqual(['mu: R-hat 1.05 > 1.01: w', 'chain 2 was stopped', 'r[0..11]: 2 of 12 members have warnings, e.g. r[3]: R-hat 1.020 > 1.01: x', 'b[0]: tail ESS 10 < 400: v']);
  });
});
