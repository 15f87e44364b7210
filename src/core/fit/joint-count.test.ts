import { describe, expect, it } from 'vitest';
import { addComponent, newComponent } from '../model/edit';
import type { ModelDoc } from '../model/document';
import { jointFreeCount } from './joint-count';

describe('jointFreeCount', () => {
  let m: ModelDoc = { components: [] };
  m = addComponent(m, newComponent(m, 'Gaussian', undefined, { A: 10, sigma: 2, centre: 50 }));
  it('PyAutoFit: three datasets, shared centre, per-dataset normalization and sigma -> 7', () => {
    expect(jointFreeCount(m, { perDataset: ['Gaussian.A', 'Gaussian.sigma'], datasetVars: [], relations: [] }, 3)).toEqual({ total: 7 });
  });
  it('a relation replaces a parameter by its hyperparameters', () => {
    const joint = { perDataset: ['Gaussian.A'], datasetVars: [{ x: 1 }, { x: 2 }, { x: 3 }], relations: [{ param: 'Gaussian.sigma', expr: 'm*x + c', params: {} }] };
    expect(jointFreeCount(m, joint, 3)).toEqual({ total: 3 + 1 + 2 });
  });
  it('a bad setup is reported, not counted', () => {
    const r = jointFreeCount(m, { perDataset: ['Nope.A'], datasetVars: [], relations: [] }, 3);
    expect('problem' in r && r.problem).toMatch(/Nope\.A/);
  });
  it('datasets with different models: per-dataset keys once per dataset that uses them', () => {
    let m2: ModelDoc = { components: [] };
    m2 = addComponent(m2, newComponent(m2, 'Gaussian', undefined, { A: 10, sigma: 2, centre: 50 }));
    m2 = addComponent(m2, newComponent(m2, 'Exponential', undefined, { A: 1, tau: 10 }));
    m2 = addComponent(m2, newComponent(m2, 'Offset', undefined, { offset: 1 }));
    const components = [['Gaussian', 'Offset'], ['Gaussian', 'Exponential', 'Offset'], null];
    // shared centre (1) + A, sigma per dataset (3 + 3) + Exponential.A, tau (2, used by datasets 1 and 2) + offset (1)
    expect(jointFreeCount(m2, { perDataset: ['Gaussian.A', 'Gaussian.sigma'], datasetVars: [], relations: [], components }, 3)).toEqual({ total: 10 });
    // Exponential.tau per dataset: 2 copies (datasets 1 and 2 only)
    expect(jointFreeCount(m2, { perDataset: ['Exponential.tau'], datasetVars: [], relations: [], components }, 3)).toEqual({ total: 3 + 1 + 2 + 1 });
    // a component no dataset uses adds nothing
    expect(jointFreeCount(m2, { perDataset: [], datasetVars: [], relations: [], components: [['Gaussian', 'Offset'], ['Gaussian', 'Offset']] }, 2)).toEqual({ total: 4 });
    const bad = jointFreeCount(m2, { perDataset: [], datasetVars: [], relations: [], components: [['Gauss']] }, 2, ['a.csv', 'b.csv']);
    expect('problem' in bad && bad.problem).toBe('Unknown component "Gauss" in the components of dataset 0 (a.csv) (components: Gaussian, Exponential, Offset)');
  });
});
