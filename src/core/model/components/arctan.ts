/** Arctan (HyperSpy `Arctan`): A arctan(k (x - x0)); tends to -+A pi/2 at the two ends. */
import type { ComponentType, GuessInput } from '../component-type';
import { estimateStep } from './guess-helpers';

export const arctan: ComponentType = {
  type: 'Arctan',
  dims: 1,
  formula: 'A arctan(k (x - x0))',
  peak: false,
  params: () => [
    { name: 'A', value: 1, lower: null, upper: null, description: 'amplitude (the step is A pi)' },
    { name: 'k', value: 1, lower: null, upper: null, description: 'slope factor (1 / width)' },
    { name: 'x0', value: 0, lower: null, upper: null, description: 'centre of the step' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const A = p[0];
    const k = p[1];
    const x0 = p[2];
    if (jac === null) {
      for (let i = 0; i < n; i++) out[i] = A * Math.atan(k * (x[i] - x0));
      return;
    }
    const jA = jac[0];
    const jK = jac[1];
    const jX = jac[2];
    for (let i = 0; i < n; i++) {
      const u = x[i] - x0;
      const ku = k * u;
      const t = Math.atan(ku);
      const d = A / (1 + ku * ku);
      out[i] = A * t;
      jA[i] = t;
      jK[i] = d * u;
      jX[i] = -d * k;
    }
  },
  /** A from the levels at the two ends, x0 at the half-way crossing, k from the 25-75 % width */
  guess({ x, y }: GuessInput) {
    const s = estimateStep(x, y);
    return { A: (s.high - s.low) / Math.PI, k: 2 / (s.x75 - s.x25), x0: s.x50 };
  },
};
