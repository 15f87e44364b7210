import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset';
import type { ModelDoc } from '../model/document';
import { createRng } from '../random/rng';
import { multifit, PIXEL_STATUS } from './multifit';

/**
 * Two domains: a line at centre 3 on the left half of the map and at 7 on the right half, on a
 * flat background. A Gaussian started more than a few widths away from its line has no gradient
 * towards it, so a fit started in the wrong domain ends with the line's area at 0.
 */
const ROWS = 12;
const COLS = 12;
const CH = 200;
const centreAt = (c: number) => (c < 6 ? 3 : 7);

function twoDomainCube(): Dataset {
  const rng = createRng(11);
  const x = Float64Array.from({ length: CH }, (_, k) => 0.05 * k);
  const values = new Float64Array(ROWS * COLS * CH);
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) {
      const A = 30 + 2 * r;
      const centre = centreAt(c);
      const s = 0.1;
      for (let k = 0; k < CH; k++) {
        const mu = 20 + (A / (s * Math.sqrt(2 * Math.PI))) * Math.exp(-((x[k] - centre) ** 2) / (2 * s * s));
        values[(r * COLS + c) * CH + k] = rng.poisson(mu);
      }
    }
  }
  return { name: 'two domains', kind: 'cube', shape: [ROWS, COLS, CH], coords: { x }, values };
}

const model: ModelDoc = {
  components: [
    { name: 'bg', type: 'Offset', active: true, params: { offset: { value: 10, lower: null, upper: null, fixed: false } } },
    {
      name: 'line',
      type: 'Gaussian',
      active: true,
      params: {
        A: { value: 20, lower: 0, upper: null, fixed: false },
        sigma: { value: 0.12, lower: 0.05, upper: 0.3, fixed: false },
        centre: { value: 3, lower: 2, upper: 8, fixed: false },
      },
    },
  ],
};

function centreOk(maps: Record<string, Float64Array>, p: number): boolean {
  return Math.abs(maps['line.centre'][p] - centreAt(p % COLS)) < 0.05;
}

describe('smart order (SAMFire-like) on two domains', () => {
  const cube = twoDomainCube();
  const settings = { statistic: 'chi2' as const };

  it('serpentine from one start fails on the other domain; smart from two seeds fits every pixel', () => {
    const serp = multifit(cube, model, settings, { order: 'serpentine', variance: 'poisson' });
    const serpOk = Array.from({ length: ROWS * COLS }, (_, p) => centreOk(serp.maps, p)).filter(Boolean).length;
    const serpRed = Array.from(serp.redChi2).sort((a, b) => a - b);

    const seeds = [
      { pixel: 5 * COLS + 2, values: { 'line.centre': 3 } },
      { pixel: 5 * COLS + 9, values: { 'line.centre': 7 } },
    ];
    const smart = multifit(cube, model, settings, { order: 'smart', variance: 'poisson', seeds });
    const smartOk = Array.from({ length: ROWS * COLS }, (_, p) => centreOk(smart.maps, p)).filter(Boolean).length;
    const counts = [0, 0, 0, 0];
    for (const s of smart.status) counts[s]++;
    const smartRed = Array.from(smart.redChi2).sort((a, b) => a - b);
    console.log(
      `two domains, ${ROWS * COLS} pixels: serpentine ${serpOk} right (max red chi2 ${serpRed[serpRed.length - 1].toFixed(1)}); ` +
        `smart ${smartOk} right, statuses ${JSON.stringify(counts)}, window [${smart.chi2Window?.map((v) => v.toFixed(2)).join(', ')}], max red chi2 ${smartRed[smartRed.length - 1].toFixed(2)}`,
    );
    expect(serpOk).toBeLessThanOrEqual(ROWS * COLS * 0.6);
    expect(smartOk).toBe(ROWS * COLS);
    expect(counts[PIXEL_STATUS.failed]).toBe(0);
    expect(counts[PIXEL_STATUS.notFitted]).toBe(0);
    expect(counts[PIXEL_STATUS.retriedAccepted]).toBeGreaterThan(0); // the boundary: the neighbours' mean lies between the lines
    expect(smartRed[smartRed.length - 1]).toBeLessThan(smart.chi2Window![1]);
    for (let p = 0; p < ROWS * COLS; p++) {
      expect(smart.maps['line.A'][p]).toBeGreaterThanOrEqual(0);
      expect(smart.maps['line.sigma'][p]).toBeGreaterThanOrEqual(0.05);
      expect(smart.maps['line.sigma'][p]).toBeLessThanOrEqual(0.3);
    }
  });

  it('flags pixels that no candidate fits as failed, within an explicit window', () => {
    // one seed only: the right domain cannot be reached from any candidate start
    const res = multifit(cube, model, settings, { order: 'smart', variance: 'poisson', seeds: [{ pixel: 0, values: {} }], chi2Window: [0, 2] });
    for (let p = 0; p < ROWS * COLS; p++) {
      const right = p % COLS >= 6;
      expect(res.status[p], `pixel ${p}`).toBe(right ? PIXEL_STATUS.failed : PIXEL_STATUS.accepted);
    }
    // serpentine with the same window rejects them too; its robust retry (restarts, simplex)
    // finds the line in some pixels (status 2, and the pixels after them start right), the
    // others are flagged failed; no pixel with the wrong line is accepted
    const serp = multifit(cube, model, settings, { order: 'serpentine', variance: 'poisson', chi2Window: [0, 2] });
    const counts = [0, 0, 0, 0];
    for (let p = 0; p < ROWS * COLS; p++) {
      if (p % COLS < 6) {
        // the document's start is in this domain: the retry from it always succeeds
        expect(serp.status[p]).not.toBe(PIXEL_STATUS.failed);
        expect(centreOk(serp.maps, p)).toBe(true);
      } else {
        counts[serp.status[p]]++;
        if (serp.status[p] !== PIXEL_STATUS.failed) expect(centreOk(serp.maps, p)).toBe(true);
      }
    }
    console.log(`serpentine with window [0, 2], right half: ${counts[1]} accepted, ${counts[2]} retried-accepted, ${counts[3]} failed`);
    expect(counts[PIXEL_STATUS.failed]).toBeGreaterThan(ROWS * 3);
  });

  it('fits a subset (a worker share) with a default seed inside it', () => {
    const share = Int32Array.from({ length: 4 * COLS }, (_, i) => 8 * COLS + i);
    const res = multifit(cube, model, settings, { order: 'smart', variance: 'poisson', pixels: share });
    for (let p = 0; p < ROWS * COLS; p++) expect(res.status[p] !== 0).toBe(p >= 8 * COLS);
  });
});
