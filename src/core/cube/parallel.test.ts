import { describe, expect, it } from 'vitest';
import { multifit, PIXEL_STATUS } from './multifit';
import { blockSeeds, MapAccumulator, planBlocks, runBlock, splitPixels, type PixelBatch } from './parallel';
import { edsModel, simulateEdsMap } from './simulate';

/** Runs the blocks one after the other as workers would, merging live batches and results like the page does. */
function simulatedWorkers(jobs: ReturnType<typeof planBlocks>, P: number) {
  let acc: MapAccumulator | null = null;
  const batches: PixelBatch[][] = [];
  for (const job of jobs) {
    const mine: PixelBatch[] = [];
    // batchMs 0: a batch per pixel, so the live path is exercised fully
    const r = runBlock({ ...job, batchMs: 0 }, { onBatch: (b) => mine.push(b) });
    acc ??= new MapAccumulator(P, r.slotKeys, r.freeKeys);
    batches.push(mine);
    for (const b of mine) acc.applyBatch(b);
    acc.applyBlock(r);
  }
  return { acc: acc!, batches };
}

describe('splitPixels', () => {
  it('splits into whole rows when there are enough rows', () => {
    const b = splitPixels(5, 3, 2);
    expect(b.map((x) => Array.from(x))).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11, 12, 13, 14],
    ]);
  });
  it('splits the scan path when there are fewer rows than workers', () => {
    const b = splitPixels(2, 3, 4, 'serpentine');
    // serpentine path 0 1 2 5 4 3: stretches [0] [1 2] [5] [4 3]
    expect(b.map((x) => Array.from(x))).toEqual([[0], [1, 2], [5], [3, 4]]);
    const all = b.flatMap((x) => Array.from(x)).sort((x, y) => x - y);
    expect(all).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('never makes more blocks than pixels, nor fewer than one', () => {
    expect(splitPixels(1, 2, 8).length).toBe(2);
    expect(splitPixels(3, 3, 0).length).toBe(1);
  });
});

describe('blockSeeds', () => {
  it('keeps seeds inside a block and gives a seedless block its pixel nearest to a seed', () => {
    const blocks = splitPixels(4, 4, 2); // rows 0-1 and 2-3
    const seeds = [{ pixel: 1, values: { 'a.A': 5 } }];
    const out = blockSeeds(blocks, seeds, 4);
    expect(out[0]).toEqual(seeds);
    // nearest pixel of rows 2-3 to (0, 1) is (2, 1) = 9
    expect(out[1]).toEqual([{ pixel: 9, values: { 'a.A': 5 } }]);
    expect(blockSeeds(blocks, [], 4)).toEqual([[], []]);
  });
});

describe('parallel multifit: 2 simulated workers', () => {
  const sim = simulateEdsMap({ rows: 6, cols: 5, channels: 200, seed: 11 });
  const P = 30;
  const model = edsModel({ start: 'near' });

  it('serpentine: merged maps equal single-thread multifit of each block, and the whole-cube fit to 1e-4 standard errors', () => {
    const jobs = planBlocks(sim.cube, model, { statistic: 'chi2' }, { order: 'serpentine', variance: 'poisson' }, 2);
    expect(jobs.map((j) => j.pixels.length)).toEqual([15, 15]);
    const { acc, batches } = simulatedWorkers(jobs, P);
    expect(acc.done).toBe(P);
    // every pixel came through the live path first
    expect(batches.flat().reduce((s, b) => s + b.pixels.length, 0)).toBeGreaterThanOrEqual(P);
    const merged = acc.snapshot();
    for (const job of jobs) {
      const single = multifit(sim.cube, model, { statistic: 'chi2' }, { order: 'serpentine', variance: 'poisson', pixels: job.pixels });
      for (const p of job.pixels) {
        for (const key of Object.keys(single.maps)) expect(Math.abs(merged.maps[key][p] - single.maps[key][p]), key).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(single.maps[key][p])));
        for (const key of single.freeKeys) expect(Math.abs(merged.errors[key][p] - single.errors[key][p])).toBeLessThanOrEqual(1e-12 * Math.max(1, single.errors[key][p]));
        expect(merged.redChi2[p]).toBe(single.redChi2[p]);
        expect(merged.status[p]).toBe(single.status[p]);
      }
    }
    // against one multifit of the whole cube in one thread: block 2 starts from the document's
    // values instead of row 2's last pixel, so the same minimum is reached by another path
    const whole = multifit(sim.cube, model, { statistic: 'chi2' }, { order: 'serpentine', variance: 'poisson' });
    let worst = 0;
    for (const key of whole.freeKeys) {
      for (let p = 0; p < P; p++) worst = Math.max(worst, Math.abs(merged.maps[key][p] - whole.maps[key][p]) / whole.errors[key][p]);
    }
    console.log(`2 workers vs 1 thread, serpentine: largest difference ${worst.toExponential(2)} standard errors`);
    expect(worst).toBeLessThan(1e-4);
    // the values are right: the lines' parameters within 3 errors of the truth for nearly every
    // pixel (the background is biased low by the data-variance chi-square at low counts, a known
    // property of Neyman's chi-square; the Cash statistic is not)
    let ok = 0;
    let n = 0;
    for (const key of whole.freeKeys.filter((k) => !k.startsWith('bg.'))) {
      for (let p = 0; p < P; p++, n++) if (Math.abs(merged.maps[key][p] - sim.truth[key][p]) <= 3 * merged.errors[key][p]) ok++;
    }
    expect(ok / n).toBeGreaterThan(0.95);
  });

  it('smart order from a user seed: every block fitted, bounds hold, same as multifit per block', () => {
    const seedValues: Record<string, number> = {};
    const truth = sim.truth;
    for (const key of ['bg.A', 'bg.r', 'Si.A', 'S.A', 'Ti.A', 'Fe.A']) seedValues[key] = truth[key][7];
    const jobs = planBlocks(sim.cube, model, { statistic: 'chi2' }, { order: 'smart', variance: 'poisson', seeds: [{ pixel: 7, values: seedValues }], chi2Window: [0, 3] }, 2);
    expect(jobs[0].options.seeds!.map((s) => s.pixel)).toEqual([7]);
    // rows 3-5; nearest to (1, 2) is (3, 2) = 17
    expect(jobs[1].options.seeds!.map((s) => s.pixel)).toEqual([17]);
    const { acc } = simulatedWorkers(jobs, P);
    const merged = acc.snapshot();
    expect(acc.done).toBe(P);
    for (const job of jobs) {
      const single = multifit(sim.cube, model, { statistic: 'chi2' }, { ...job.options, pixels: job.pixels });
      for (const p of job.pixels) for (const key of single.freeKeys) expect(merged.maps[key][p]).toBe(single.maps[key][p]);
    }
    for (const c of model.components) {
      for (const [name, doc] of Object.entries(c.params)) {
        for (const v of merged.maps[`${c.name}.${name}`]) {
          if (doc.lower !== null) expect(v).toBeGreaterThanOrEqual(doc.lower);
          if (doc.upper !== null) expect(v).toBeLessThanOrEqual(doc.upper);
        }
      }
    }
    const accepted = Array.from(merged.status).filter((s) => s === PIXEL_STATUS.accepted || s === PIXEL_STATUS.retriedAccepted).length;
    expect(accepted).toBeGreaterThanOrEqual(28);
  });

  it('linear fast path per block equals linearMultifit on the whole cube exactly', () => {
    const lin = edsModel({ shapesFixed: true });
    const jobs = planBlocks(sim.cube, lin, { statistic: 'chi2' }, { variance: 'poisson' }, 2, true);
    const { acc } = simulatedWorkers(jobs, P);
    const merged = acc.snapshot();
    const whole = multifit(sim.cube, lin, { statistic: 'chi2' }, { variance: 'poisson', order: 'flyback' });
    for (const key of ['bg.A', 'Si.A', 'Fe.A']) {
      for (let p = 0; p < P; p++) expect(Math.abs(merged.maps[key][p] - whole.maps[key][p])).toBeLessThan(1e-6 * whole.errors[key][p]);
    }
    expect(merged.maps['bg.r'][3]).toBe(1.5);
  });

  it('a stop request keeps the pixels already fitted', () => {
    const jobs = planBlocks(sim.cube, model, { statistic: 'chi2' }, { order: 'flyback', variance: 'poisson' }, 1);
    let fitted = 0;
    const r = runBlock({ ...jobs[0], batchMs: 0 }, { shouldStop: () => fitted >= 4, onBatch: (b) => (fitted += b.pixels.length) });
    expect(r.cancelled).toBe(true);
    const done = Array.from(r.status).filter((s) => s !== PIXEL_STATUS.notFitted).length;
    expect(done).toBeGreaterThanOrEqual(4);
    expect(done).toBeLessThan(P);
    expect(r.status[0]).toBe(PIXEL_STATUS.accepted);
    expect(Number.isFinite(r.values[0])).toBe(true);
    expect(r.status[P - 1]).toBe(PIXEL_STATUS.notFitted);
  });
});
