/** The added methods on a spectrum (they are not image-only): two Gaussians on an offset. */
import { describe, expect, it } from 'vitest';
import { makeSpectrum } from '../data/dataset';
import { fitModel } from '../fit/fit-model';
import { defaultFitSettings, type MethodName } from '../fit/settings';
import * as edit from '../model/edit';
import type { ModelDoc } from '../model/document';
import { createRng } from '../random';

function problem(): { d: ReturnType<typeof makeSpectrum>; model: ModelDoc } {
  const rng = createRng(4);
  const x = Array.from({ length: 300 }, (_, i) => i * 0.2);
  const g = (t: number, A: number, c: number, s: number) => (A / (s * Math.sqrt(2 * Math.PI))) * Math.exp(-((t - c) ** 2) / (2 * s * s));
  const y = x.map((t) => g(t, 40, 22, 2) + g(t, 25, 35, 3) + 1.5 + rng.normal(0, 0.2));
  const d = makeSpectrum('two', x, y, new Array(300).fill(0.2));
  let model: ModelDoc = { components: [] };
  model = edit.addComponent(model, edit.newComponent(model, 'Gaussian', undefined, { A: 30, centre: 21, sigma: 2.5 }));
  model = edit.addComponent(model, edit.newComponent(model, 'Gaussian', undefined, { A: 30, centre: 36, sigma: 2.5 }));
  model = edit.addComponent(model, edit.newComponent(model, 'Offset', undefined, { offset: 1 }));
  return { d, model };
}

describe('iter, iterlm and adam on a spectrum', () => {
  it('reach the LM chi-square (iter, iterlm: 1e-3; adam: 1e-2 relative)', () => {
    const { d, model } = problem();
    const lm = fitModel(d, model, { ...defaultFitSettings(), method: 'lm' });
    expect(lm.converged).toBe(true);
    const tol: Partial<Record<MethodName, number>> = { iter: 1e-3, iterlm: 1e-3, adam: 1e-2 };
    for (const method of ['iter', 'iterlm', 'adam'] as MethodName[]) {
      const r = fitModel(d, model, { ...defaultFitSettings(), method, ...(method === 'iterlm' ? { jacobianChunk: 3 } : {}) });
      expect(r.method, method).toBe(method);
      expect(r.statistic.value / lm.statistic.value - 1, method).toBeLessThan(tol[method]!);
      expect(r.statistic.value / lm.statistic.value - 1, method).toBeGreaterThan(-1e-9);
      // errors from the covariance at the end point, as for LM
      expect(r.parameters['Gaussian.A'].error! / lm.parameters['Gaussian.A'].error!, method).toBeCloseTo(1, 1);
    }
  });

  it('iter refuses a likelihood statistic with a clear message', () => {
    const { d, model } = problem();
    expect(() => fitModel(d, model, { ...defaultFitSettings(), method: 'iter', statistic: 'poisson' })).toThrow(/least squares/);
  });
});
