/**
 * PowerLaw (HyperSpy `PowerLaw`): A (x - origin)^(-r).
 * Defined only for x > origin: where x - origin <= 0 the value and all derivatives are 0
 * (HyperSpy's left cut-off is not modelled; restrict the fit range instead).
 */
import type { ComponentType, GuessInput } from '../component-type';

export const powerLaw: ComponentType = {
  type: 'PowerLaw',
  dims: 1,
  formula: 'A (x - origin)^(-r)   (0 where x <= origin)',
  peak: false,
  params: () => [
    { name: 'A', value: 1, lower: null, upper: null, description: 'value at x - origin = 1' },
    { name: 'r', value: 2, lower: null, upper: null, description: 'power-law exponent (decay for r > 0)' },
    { name: 'origin', value: 0, lower: null, upper: null, description: 'position of the singularity (usually kept fixed)' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const A = p[0];
    const r = p[1];
    const origin = p[2];
    if (jac === null) {
      for (let i = 0; i < n; i++) {
        const d = x[i] - origin;
        out[i] = d > 0 ? A * Math.exp(-r * Math.log(d)) : 0;
      }
      return;
    }
    const jA = jac[0];
    const jR = jac[1];
    const jO = jac[2];
    for (let i = 0; i < n; i++) {
      const d = x[i] - origin;
      if (d > 0) {
        const ld = Math.log(d);
        const g = Math.exp(-r * ld);
        const f = A * g;
        out[i] = f;
        jA[i] = g;
        jR[i] = -f * ld;
        jO[i] = (f * r) / d;
      } else {
        out[i] = 0;
        jA[i] = 0;
        jR[i] = 0;
        jO[i] = 0;
      }
    }
  },
  /**
   * With origin = 0: the mean of ln x and ln y over the first and the last fifth of the
   * points with x > 0 and y > 0 give two points of the line ln y = ln A - r ln x.
   */
  guess({ x, y }: GuessInput): Record<string, number> {
    let m = 0;
    for (let i = 0; i < x.length; i++) if (x[i] > 0 && y[i] > 0) m++;
    if (m < 2) return {};
    const w = Math.max(1, Math.floor(m / 5));
    let k = 0;
    let lx1 = 0, ly1 = 0, lx2 = 0, ly2 = 0;
    for (let i = 0; i < x.length; i++) {
      if (!(x[i] > 0 && y[i] > 0)) continue;
      if (k < w) {
        lx1 += Math.log(x[i]);
        ly1 += Math.log(y[i]);
      }
      if (k >= m - w) {
        lx2 += Math.log(x[i]);
        ly2 += Math.log(y[i]);
      }
      k++;
    }
    lx1 /= w; ly1 /= w; lx2 /= w; ly2 /= w;
    if (!(lx2 > lx1)) return {};
    const r = -(ly2 - ly1) / (lx2 - lx1);
    return { A: Math.exp(ly1 + r * lx1), r, origin: 0 };
  },
};
