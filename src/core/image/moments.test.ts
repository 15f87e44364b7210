import { describe, expect, it } from 'vitest';
import { compileForDataset } from '../fit/compile-view';
import type { ModelDoc } from '../model/document';
import { createRng } from '../random';
import { gaussianPsf } from './psf';
import { emptyImage, simulateTutorialImage, TUTORIAL_TRUTH } from './tutorial';
import { estimateFromMoments, gaussianEnclosed, imageMoments, moffatEnclosed, MomentError, sersicEnclosed, solveScale, wrapPA } from './moments';
import { sersicTotalFlux } from './sersic-math';

const DEG = Math.PI / 180;

/** The model image of one component (plus an optional flat sky) on a rows x cols frame. */
function render(type: string, params: Record<string, number>, rows = 80, cols = 90, opts: { sky?: number; psfSigma?: number } = {}): Float64Array {
  const d = emptyImage('t', rows, cols);
  if (opts.psfSigma) d.psf = { ...gaussianPsf(opts.psfSigma, 21) };
  const p = (value: number) => ({ value, lower: null, upper: null, fixed: false });
  const model: ModelDoc = {
    components: [
      { name: 'C', type, active: true, params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, p(v)])) },
      ...(opts.sky !== undefined ? [{ name: 'S', type: 'FlatSky', active: true, params: { F: p(Math.log10(opts.sky)) } }] : []),
    ],
  };
  const c = compileForDataset(model, d);
  const out = new Float64Array(rows * cols);
  c.evaluate(c.layout.theta0, out);
  return out;
}

/** PA difference modulo 180 degrees, in degrees */
function paDiff(a: number, b: number): number {
  const d = Math.abs(wrapPA(a) - wrapPA(b)) / DEG;
  return Math.min(d, 180 - d);
}

describe('wrapPA', () => {
  it('maps angles to [0, pi)', () => {
    expect(wrapPA(-457.3362834843685)).toBeCloseTo(-457.3362834843685 + 146 * Math.PI, 12);
    expect(wrapPA(Math.PI)).toBe(0);
    expect(wrapPA(-0.25)).toBeCloseTo(Math.PI - 0.25, 14);
    expect(wrapPA(0.5)).toBe(0.5);
  });
});

describe('enclosed light and the scale solver', () => {
  it('has half the light at the scale for Sersic (Re) and the known fractions for Gaussian and Moffat', () => {
    expect(sersicEnclosed(2.5)(7, 7)).toBeCloseTo(0.5, 3);
    expect(sersicEnclosed(1)(3, 3)).toBeCloseTo(0.5, 3);
    expect(gaussianEnclosed(2 * Math.sqrt(2 * Math.LN2), 2)).toBeCloseTo(0.5, 12);
    expect(moffatEnclosed(3)(2, 2)).toBeCloseTo(1 - 0.25, 12);
  });
  it('inverts a truncated curve of growth', () => {
    const f = sersicEnclosed(3);
    // light inside 20 px of a Re = 10 profile; its half point
    const inside = f(20, 10);
    let lo = 0;
    let hi = 20;
    for (let k = 0; k < 80; k++) {
      const m = 0.5 * (lo + hi);
      if (f(m, 10) < inside / 2) lo = m;
      else hi = m;
    }
    const { scale, inside: frac } = solveScale(f, lo, 20);
    expect(scale).toBeCloseTo(10, 6);
    expect(frac).toBeCloseTo(inside, 8);
  });
});

describe('imageMoments / estimateFromMoments', () => {
  it('recovers a rendered Sersic: centre within 0.1 px, PA within 2 deg, q within 0.05, Re and Ie close', () => {
    const truth = { x: 47.3, y: 38.6, q: 0.55, PA: 37 * DEG, n: 2, Re: 9, Ie: 1.2 };
    const img = render('Sersic', truth);
    const est = estimateFromMoments('Sersic', img, 80, 90, { x: 45, y: 40 }, { n: 2 }, { background: 0 });
    expect(Math.abs(est.x - truth.x)).toBeLessThan(0.1);
    expect(Math.abs(est.y - truth.y)).toBeLessThan(0.1);
    expect(paDiff(est.PA, truth.PA)).toBeLessThan(2);
    expect(Math.abs(est.q - truth.q)).toBeLessThan(0.05);
    expect(est.n).toBe(2);
    expect(Math.abs(est.Re / truth.Re - 1)).toBeLessThan(0.1);
    expect(Math.abs(est.Ie - truth.Ie)).toBeLessThan(0.1);
  });

  it('recovers a rendered Gaussian2D on a sky with noise, background from the local annulus', () => {
    const truth = { x: 30.2, y: 44.7, q: 0.7, PA: 120 * DEG, sigma: 4, flux: 4 };
    const clean = render('Gaussian2D', truth, 80, 90, { sky: 20 });
    const rng = createRng(7);
    const img = clean.map((v) => v + rng.normal(0, 1));
    const m = imageMoments(img, 80, 90, { x: 31, y: 43 });
    expect(Math.abs(m.background - 20)).toBeLessThan(0.3);
    const est = estimateFromMoments('Gaussian2D', img, 80, 90, { x: 31, y: 43 }, {});
    expect(Math.abs(est.x - truth.x)).toBeLessThan(0.1);
    expect(Math.abs(est.y - truth.y)).toBeLessThan(0.1);
    expect(paDiff(est.PA, truth.PA)).toBeLessThan(3);
    expect(Math.abs(est.q - truth.q)).toBeLessThan(0.05);
    expect(Math.abs(est.sigma / truth.sigma - 1)).toBeLessThan(0.08);
    expect(Math.abs(est.flux - truth.flux)).toBeLessThan(0.05);
  });

  it('removes the PSF moments: a Gaussian blurred by a Gaussian PSF keeps its intrinsic shape', () => {
    const truth = { x: 45, y: 40, q: 0.4, PA: 80 * DEG, sigma: 3.5, flux: 4 };
    const img = render('Gaussian2D', truth, 80, 90, { psfSigma: 2 });
    const psf = gaussianPsf(2, 21);
    const blurred = imageMoments(img, 80, 90, { x: 45, y: 40 }, { background: 0 });
    expect(blurred.q).toBeGreaterThan(0.55); // (0.4 * 3.5)^2 + 4 over 3.5^2 + 4: b/a about 0.6 before the correction
    const est = estimateFromMoments('Gaussian2D', img, 80, 90, { x: 45, y: 40 }, {}, { background: 0, psf });
    expect(Math.abs(est.q - truth.q)).toBeLessThan(0.05);
    expect(paDiff(est.PA, truth.PA)).toBeLessThan(2);
    expect(Math.abs(est.sigma / truth.sigma - 1)).toBeLessThan(0.1);
    expect(Math.abs(est.flux - truth.flux)).toBeLessThan(0.05);
  });

  it('gives the Sersic total light through Ie for the n asked for', () => {
    const truth = { x: 40, y: 40, q: 0.8, PA: 0.3, n: 4, Re: 5, Ie: 1 };
    const img = render('Sersic', truth);
    const est = estimateFromMoments('Sersic', img, 80, 90, { x: 40, y: 40 }, { n: 4 }, { background: 0 });
    const L = sersicTotalFlux(4, est.Re, 10 ** est.Ie, est.q);
    const Ltrue = sersicTotalFlux(4, 5, 10, 0.8);
    expect(Math.abs(L / Ltrue - 1)).toBeLessThan(0.1);
  });

  it('gives usable starts in the crowded tutorial image (three overlapping Sersics on a sky, PSF, noise)', () => {
    const { dataset } = simulateTutorialImage();
    for (const t of TUTORIAL_TRUTH.sersics) {
      // a click a pixel or two off the centre
      const est = estimateFromMoments('Sersic', dataset.values, 99, 99, { x: t.x + 1.2, y: t.y - 0.8 }, { n: t.n }, { psf: dataset.psf });
      expect(Math.hypot(est.x - t.x, est.y - t.y)).toBeLessThan(0.5);
      expect(paDiff(est.PA, t.PA)).toBeLessThan(5);
      expect(Math.abs(est.q - t.q)).toBeLessThan(0.08);
      expect(Math.abs(est.Re / t.Re - 1)).toBeLessThan(0.3);
      expect(Math.abs(est.Ie - t.Ie)).toBeLessThan(0.25);
    }
  });

  it('estimates a flat sky from the median, and refuses empty regions and points outside', () => {
    const img = render('Gaussian2D', { x: 40, y: 40, q: 1, PA: 0, sigma: 2, flux: 3 }, 80, 90, { sky: 5 });
    expect(estimateFromMoments('FlatSky', img, 80, 90, { x: 0, y: 0 }, {}).F).toBeCloseTo(Math.log10(5), 3);
    expect(() => imageMoments(new Float64Array(80 * 90), 80, 90, { x: 10, y: 10 }, { background: 0 })).toThrow(MomentError);
    expect(() => imageMoments(img, 80, 90, { x: 95, y: 10 })).toThrow(/outside the image/);
  });
});
