/** Offset (HyperSpy `Offset`): a constant. */
import type { ComponentType, GuessInput } from '../component-type';

export const offset: ComponentType = {
  type: 'Offset',
  dims: 1,
  formula: 'offset',
  peak: false,
  params: () => [{ name: 'offset', value: 0, lower: null, upper: null, description: 'constant level' }],
  evaluate(p, _coords, out, jac, n) {
    const c = p[0];
    for (let i = 0; i < n; i++) out[i] = c;
    if (jac !== null) {
      const j0 = jac[0];
      for (let i = 0; i < n; i++) j0[i] = 1;
    }
  },
  guess({ y }: GuessInput) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i];
    return { offset: y.length > 0 ? s / y.length : 0 };
  },
};
