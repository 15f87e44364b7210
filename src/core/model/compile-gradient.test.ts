import { describe, expect, it } from 'vitest';
import { compileModel } from './compile';
import { addComponent, newComponent } from './edit';
import { withTwin } from './twins';
import type { ModelDoc } from './document';

describe('evaluateWithGradient', () => {
  it('equals J^T dS of the full Jacobian, twins (chain rule) included', () => {
    let model: ModelDoc = { components: [] };
    model = addComponent(model, newComponent(model, 'Gaussian', undefined, { A: 30, sigma: 1.2, centre: 4 }));
    model = addComponent(model, newComponent(model, 'Lorentzian', undefined, { A: 12, gamma: 0.7, centre: 6 }));
    model = addComponent(model, newComponent(model, 'Offset', undefined, { offset: 2 }));
    // the Lorentzian's centre follows the Gaussian's: d/dcentre gets both components' terms
    model = withTwin(model, 'Lorentzian', 'centre', { source: 'Gaussian.centre', expr: '2*x - 2' });
    const n = 200;
    const x = Float64Array.from({ length: n }, (_, i) => i * 0.05);
    const c = compileModel(model, { x }, n);
    const theta = Float64Array.from(c.layout.theta0);
    const y = Float64Array.from(x, (v) => 3 + Math.sin(v));
    // a chi-square with unit sigma: S = sum (y - m)^2, dS/dm = -2 (y - m)
    const stat = (m: Float64Array, d: Float64Array) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const r = y[i] - m[i];
        s += r * r;
        d[i] = -2 * r;
      }
      return s;
    };
    const out = new Float64Array(n);
    const g = new Float64Array(c.nFree);
    const s = c.evaluateWithGradient!(theta, out, stat, g);

    const J = new Float64Array(n * c.nFree);
    const out2 = new Float64Array(n);
    c.evaluateWithJacobian(theta, out2, J);
    const d = new Float64Array(n);
    expect(s).toBe(stat(out2, d));
    expect(Array.from(out)).toEqual(Array.from(out2));
    for (let k = 0; k < c.nFree; k++) {
      let ref = 0;
      for (let i = 0; i < n; i++) ref += d[i] * J[i * c.nFree + k];
      expect(g[k]).toBeCloseTo(ref, 9);
    }
    expect(c.nFree).toBe(6); // Gaussian 3 + Lorentzian A, gamma + Offset 1 (the Lorentzian centre is a twin)
  });
});
