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
});
