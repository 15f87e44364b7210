import { describe, expect, it } from 'vitest';
import { makeSpectrum } from '../data/dataset';
import { fitModel } from '../fit/fit-model';
import { defaultFitSettings } from '../fit/settings';
import { addComponent, newComponent } from './edit';
import type { ModelDoc } from './document';
import { resolvedValues, withTwin } from './twins';

function twoPeaks(): ModelDoc {
  let m: ModelDoc = { components: [] };
  m = addComponent(m, newComponent(m, 'Gaussian', undefined, { A: 10, sigma: 1, centre: 3 }));
  m = addComponent(m, newComponent(m, 'Gaussian', undefined, { A: 5, sigma: 2, centre: 9 }));
  return m;
}

describe('twins', () => {
  it('resolves a twin through its function', () => {
    const m = withTwin(twoPeaks(), 'Gaussian_1', 'centre', { source: 'Gaussian.centre', expr: '2*x + 1' });
    expect(resolvedValues(m)['Gaussian_1.centre']).toBe(7);
    expect(resolvedValues(withTwin(m, 'Gaussian_1', 'centre', null))['Gaussian_1.centre']).toBe(9);
  });

  it('refuses self links, cycles, unknown sources and functions of other symbols', () => {
    const m = twoPeaks();
    expect(() => withTwin(m, 'Gaussian', 'A', { source: 'Gaussian.A' })).toThrow(/itself/);
    const a = withTwin(m, 'Gaussian', 'A', { source: 'Gaussian_1.A' });
    expect(() => withTwin(a, 'Gaussian_1', 'A', { source: 'Gaussian.A' })).toThrow(/cycle/);
    expect(() => withTwin(m, 'Gaussian', 'A', { source: 'Nope.A' })).toThrow(/not an active parameter/);
    expect(() => withTwin(m, 'Gaussian', 'A', { source: 'Gaussian_1.A', expr: 'k*x' })).toThrow(/only use x/);
  });

  it('a fit through a twin recovers the truth and its error follows the chain rule', () => {
    // doublet: second peak at 1.5 * first centre with half the area; fit the linked model
    const x = Float64Array.from({ length: 400 }, (_, i) => i * 0.05);
    const g = (A: number, s: number, c: number, v: number) => (A / (s * Math.sqrt(2 * Math.PI))) * Math.exp(-((v - c) ** 2) / (2 * s * s));
    const y = x.map((v) => g(10, 0.8, 6, v) + g(5, 0.8, 9, v));
    let m = twoPeaks();
    m = withTwin(m, 'Gaussian_1', 'centre', { source: 'Gaussian.centre', expr: '1.5*x' });
    m = withTwin(m, 'Gaussian_1', 'A', { source: 'Gaussian.A', expr: 'x/2' });
    m = withTwin(m, 'Gaussian_1', 'sigma', { source: 'Gaussian.sigma' });
    m.components[0].params.centre.value = 5.5;
    const r = fitModel(makeSpectrum('doublet', x, y, new Float64Array(400).fill(0.01)), m, defaultFitSettings());
    expect(r.parameterOrder).toEqual(['Gaussian.A', 'Gaussian.sigma', 'Gaussian.centre']);
    expect(r.parameters['Gaussian.centre'].value).toBeCloseTo(6, 8);
    expect(r.values['Gaussian_1.centre']).toBeCloseTo(9, 8);
    expect(r.values['Gaussian_1.A']).toBeCloseTo(5, 8);
  });
});
