/**
 * Sky backgrounds (AstroPhot `flat sky model` and `plane sky model`), F = log10 of the intensity
 * per pixel:
 *   FlatSky:  I = 10^F
 *   PlaneSky: I = 10^F + dFdx x + dFdy y   (10^F is the sky at x = y = 0, the centre of pixel
 *             (0, 0); the slopes are in intensity per pixel per pixel and may be negative)
 */
import type { ComponentType } from '../../model/component-type';

const LN10 = Math.LN10;

export const flatSky: ComponentType = {
  type: 'FlatSky',
  dims: 2,
  formula: '10^F',
  peak: false,
  params: () => [{ name: 'F', value: 0, lower: null, upper: null, description: 'log10 of the sky intensity per pixel' }],
  evaluate(p, _coords, out, jac, n) {
    const f = Math.pow(10, p[0]);
    out.fill(f, 0, n);
    if (jac) jac[0].fill(f * LN10, 0, n);
  },
};

export const planeSky: ComponentType = {
  type: 'PlaneSky',
  dims: 2,
  formula: '10^F + dFdx x + dFdy y',
  peak: false,
  params: () => [
    { name: 'F', value: 0, lower: null, upper: null, description: 'log10 of the sky intensity per pixel at x = y = 0 (pixel (0, 0))' },
    { name: 'dFdx', value: 0, lower: null, upper: null, description: 'sky gradient along x (intensity per pixel per pixel)' },
    { name: 'dFdy', value: 0, lower: null, upper: null, description: 'sky gradient along y (intensity per pixel per pixel)' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const y = coords.y;
    const f0 = Math.pow(10, p[0]);
    const gx = p[1];
    const gy = p[2];
    for (let i = 0; i < n; i++) out[i] = f0 + gx * x[i] + gy * y[i];
    if (jac) {
      jac[0].fill(f0 * LN10, 0, n);
      for (let i = 0; i < n; i++) {
        jac[1][i] = x[i];
        jac[2][i] = y[i];
      }
    }
  },
};
