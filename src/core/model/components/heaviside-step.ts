/**
 * HeavisideStep (HyperSpy `HeavisideStep`): A for x > n, A/2 at x = n, 0 for x < n.
 * Not differentiable in n: the Jacobian column for n is 0, so a gradient fit never moves n
 * (set it by hand or by the estimate).
 */
import type { ComponentType, GuessInput } from '../component-type';
import { estimateStep } from './guess-helpers';

export const heavisideStep: ComponentType = {
  type: 'HeavisideStep',
  dims: 1,
  formula: 'A H(x - n): A for x > n, A/2 at x = n, 0 below (d/dn taken as 0)',
  peak: false,
  params: () => [
    { name: 'A', value: 1, lower: null, upper: null, description: 'height of the step' },
    { name: 'n', value: 0, lower: null, upper: null, description: 'position of the step (not fitted by gradient: derivative 0)' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const A = p[0];
    const pos = p[1];
    if (jac === null) {
      for (let i = 0; i < n; i++) out[i] = x[i] > pos ? A : x[i] === pos ? 0.5 * A : 0;
      return;
    }
    const jA = jac[0];
    const jN = jac[1];
    for (let i = 0; i < n; i++) {
      const h = x[i] > pos ? 1 : x[i] === pos ? 0.5 : 0;
      out[i] = A * h;
      jA[i] = h;
      jN[i] = 0;
    }
  },
  /** A from the levels at the two ends, n at the half-way crossing */
  guess({ x, y }: GuessInput) {
    const s = estimateStep(x, y);
    return { A: s.high - s.low, n: s.x50 };
  },
};
