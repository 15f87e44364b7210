import { describe, expect, it } from 'vitest';
import type { ModelDoc } from '../model/document';
import { cubeSpectrum, scanOrder } from './cube';
import { multifit, PIXEL_STATUS, type MultifitResult } from './multifit';
import { edsModel, simulateEdsMap } from './simulate';

/** fraction of pixels whose value lies within z errors of the truth, per free parameter */
function coverage(res: MultifitResult, truth: Record<string, Float64Array>, z = 3): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of res.freeKeys) {
    let ok = 0;
    const v = res.maps[key];
    for (let p = 0; p < v.length; p++) if (Math.abs(v[p] - truth[key][p]) <= z * res.errors[key][p]) ok++;
    out[key] = ok / v.length;
  }
  return out;
}

function expectBounds(res: MultifitResult, model: ModelDoc): void {
  for (const c of model.components) {
    for (const [name, doc] of Object.entries(c.params)) {
      const map = res.maps[`${c.name}.${name}`];
      for (let p = 0; p < map.length; p++) {
        if (doc.lower !== null) expect(map[p]).toBeGreaterThanOrEqual(doc.lower);
        if (doc.upper !== null) expect(map[p]).toBeLessThanOrEqual(doc.upper);
        if (doc.fixed) expect(map[p]).toBe(doc.value);
      }
    }
  }
}

describe('multifit on a simulated 16 x 16 x 256 EDS map', () => {
  const sim = simulateEdsMap({ rows: 16, cols: 16, channels: 256, seed: 7 });
  const model = edsModel();

  it('recovers the true maps within 3 errors (chi2, dataset sigma, serpentine)', () => {
    const cube = { ...sim.cube, sigma: sim.expected.map((mu) => Math.sqrt(Math.max(mu, 1))) };
    const res = multifit(cube, model, { statistic: 'chi2' }, { order: 'serpentine' });
    const pps = (256 / res.elapsedMs) * 1000;
    console.log(`multifit chi2 serpentine: ${res.elapsedMs.toFixed(0)} ms for 256 pixels (${pps.toFixed(0)} px/s, ${res.freeKeys.length} free parameters, ${(res.nfev / 256).toFixed(1)} evaluations per pixel)`);
    expect(res.status.every((s) => s === PIXEL_STATUS.accepted)).toBe(true);
    const cov = coverage(res, sim.truth);
    const worst = Object.entries(cov).sort((a, b) => a[1] - b[1])[0];
    console.log(`within 3 errors of the truth: lowest ${worst[0]} ${(worst[1] * 100).toFixed(1)} % of pixels`);
    for (const [key, f] of Object.entries(cov)) expect(f, key).toBeGreaterThanOrEqual(0.95);
    expectBounds(res, model);
    const rc = Array.from(res.redChi2).sort((a, b) => a - b);
    expect(rc[128]).toBeGreaterThan(0.85);
    expect(rc[128]).toBeLessThan(1.15);
  });

  it('recovers the true maps with the Cash statistic (flyback), unbiased at low counts', () => {
    const res = multifit(sim.cube, model, { statistic: 'cash' }, { order: 'flyback', pixels: Int32Array.from({ length: 64 }, (_, i) => i * 4) });
    expect(Array.from(res.status).filter((s) => s !== 0).length).toBe(64);
    expect(Array.from(res.status).filter((s) => s === PIXEL_STATUS.accepted).length).toBe(64);
    const covered: Record<string, number> = {};
    for (const key of res.freeKeys) {
      let ok = 0;
      for (let p = 0; p < 256; p += 4) if (Math.abs(res.maps[key][p] - sim.truth[key][p]) <= 3 * res.errors[key][p]) ok++;
      covered[key] = ok / 64;
      expect(covered[key], key).toBeGreaterThanOrEqual(0.95);
    }
    console.log(`Cash: lowest coverage ${Math.min(...Object.values(covered)) * 100} %`);
    // pixels outside the subset are not fitted
    expect(res.status[1]).toBe(PIXEL_STATUS.notFitted);
    expect(res.maps['Fe.A'][1]).toBeNaN();
    expect(res.redChi2[1]).toBeNaN();
  });

  it('the Poisson variance estimate max(y, 1) biases the weak background (Neyman chi2), as known', () => {
    const res = multifit(sim.cube, model, { statistic: 'chi2' }, { order: 'serpentine', variance: 'poisson', pixels: Int32Array.from({ length: 32 }, (_, i) => i * 8) });
    let bias = 0;
    for (let p = 0; p < 256; p += 8) bias += (res.maps['bg.A'][p] - sim.truth['bg.A'][p]) / res.errors['bg.A'][p] / 32;
    expect(bias).toBeLessThan(-2); // documented: use Cash or sigma for counts this low
  });

  it('reports pixels, stops on request and checks seeds', () => {
    const seen: number[] = [];
    const res = multifit(sim.cube, model, {}, {
      order: 'flyback',
      variance: 'poisson',
      onPixel: (i, r) => {
        seen.push(i);
        expect(r.theta.length).toBe(14);
      },
      shouldStop: () => seen.length >= 5,
    });
    expect(res.cancelled).toBe(true);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(res.status.slice(0, 5).every((s) => s === 1)).toBe(true);
    expect(res.status[5]).toBe(0);
    expect(() => multifit(sim.cube, model, {}, { seeds: [{ pixel: 0, values: { 'Fe.B': 1 } }] })).toThrow(/unknown parameter Fe.B/);
    expect(() => multifit(sim.cube, model, {}, { seeds: [{ pixel: 0, values: { 'bg.origin': 1 } }] })).toThrow(/not a free parameter/);
    expect(() => multifit(sim.cube, model, {}, { seeds: [{ pixel: 256, values: {} }] })).toThrow(/outside/);
  });

  it('scan orders and single-pixel spectra', () => {
    expect(Array.from(scanOrder(2, 3, 'flyback'))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(scanOrder(3, 2, 'serpentine'))).toEqual([0, 1, 3, 2, 4, 5]);
    const s = cubeSpectrum(sim.cube, 17);
    expect(s.kind).toBe('spectrum');
    expect(Array.from(s.values)).toEqual(Array.from(sim.cube.values.subarray(17 * 256, 18 * 256)));
    expect(s.name).toContain('(1, 1)');
  });
});
