/** Exponential (HyperSpy `Exponential`): A exp(-x / tau). */
import type { ComponentType, GuessInput } from '../component-type';

export const exponential: ComponentType = {
  type: 'Exponential',
  dims: 1,
  formula: 'A exp(-x / tau)',
  peak: false,
  params: () => [
    { name: 'A', value: 1, lower: null, upper: null, description: 'value at x = 0' },
    { name: 'tau', value: 1, lower: null, upper: null, description: 'decay length (negative: growth)' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const A = p[0];
    const tau = p[1];
    const invTau = 1 / tau;
    if (jac === null) {
      for (let i = 0; i < n; i++) out[i] = A * Math.exp(-x[i] * invTau);
      return;
    }
    const jA = jac[0];
    const jT = jac[1];
    const invTau2 = invTau * invTau;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(-x[i] * invTau);
      const f = A * e;
      out[i] = f;
      jA[i] = e;
      jT[i] = f * x[i] * invTau2;
    }
  },
  /** straight-line least squares of ln|y| against x over the points with y of the majority sign */
  guess({ x, y }: GuessInput): Record<string, number> {
    let pos = 0;
    for (let i = 0; i < y.length; i++) pos += y[i] > 0 ? 1 : y[i] < 0 ? -1 : 0;
    const sign = pos >= 0 ? 1 : -1;
    let m = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let i = 0; i < y.length; i++) {
      const v = sign * y[i];
      if (!(v > 0)) continue;
      const l = Math.log(v);
      m++;
      sx += x[i];
      sy += l;
      sxx += x[i] * x[i];
      sxy += x[i] * l;
    }
    if (m < 2) return {};
    const mx = sx / m;
    const my = sy / m;
    const vxx = sxx / m - mx * mx;
    if (!(vxx > 0)) return {};
    const slope = (sxy / m - mx * my) / vxx;
    const out: Record<string, number> = { A: sign * Math.exp(my - slope * mx) };
    if (slope !== 0) out.tau = -1 / slope;
    return out;
  },
};
