/**
 * Elliptical geometry shared by the 2D profiles (AstroPhot's galaxy-model conventions):
 *   dx = x - x0, dy = y - y0 (pixel (i, j) has its centre at x = j, y = i)
 *   X =  cos(PA) dx + sin(PA) dy      (along the major axis; PA from +x towards +y, radians)
 *   Y = -sin(PA) dx + cos(PA) dy
 *   R = sqrt(X^2 + (Y / q)^2)         (q = b/a: R is the semi-major-axis radius of the isophote)
 * With f = I(R): df/dx0 = I'(R)/R (-cos X + sin Y / q^2), df/dy0 = I'(R)/R (-sin X - cos Y / q^2),
 * df/dq = I'(R)/R (-Y^2 / q^3), df/dPA = I'(R)/R X Y (1 - 1/q^2)  (dX/dPA = Y, dY/dPA = -X).
 */
import type { ParamSpec } from '../../model/component-type';

export const GEOMETRY_PARAMS: ParamSpec[] = [
  { name: 'x', value: 0, lower: null, upper: null, description: 'centre, column coordinate (pixels; pixel centres at integers)' },
  { name: 'y', value: 0, lower: null, upper: null, description: 'centre, row coordinate (pixels)' },
  { name: 'q', value: 0.8, lower: 0.01, upper: 1, description: 'axis ratio b/a (0 < q <= 1; the lower bound 0.01 keeps 1/q finite)' },
  { name: 'PA', value: 0, lower: null, upper: null, description: 'position angle of the major axis from +x towards +y (radians)' },
];

/**
 * A radial profile evaluated at R (and R^2): writes s[0] = f, s[1] = (df/dR) / R (finite at R = 0
 * for smooth profiles; 0 at R = 0 for cusps, by symmetry), s[2 + k] = df / d(profile parameter k).
 * `prepare` is called once per evaluate with the profile's parameters (after x, y, q, PA).
 */
export interface RadialProfile {
  /** number of profile parameters after the 4 geometric ones */
  count: number;
  prepare(p: ArrayLike<number>, offset: number, withJac: boolean): void;
  at(R: number, R2: number, s: Float64Array, withJac: boolean): void;
  /** when the profile is normalised by 1/q (total light independent of q): df/dq gains -f/q */
  perQ?: boolean;
}

/** What every point of an elliptical profile needs: the centre, cos and sin of PA, and 1/q. */
export interface EllipseFrame {
  x0: number;
  y0: number;
  c: number;
  sn: number;
  iq: number;
}

/** The frame of parameters (x, y, q, PA, ...). */
export function frameOf(p: ArrayLike<number>): EllipseFrame {
  return { x0: p[0], y0: p[1], c: Math.cos(p[3]), sn: Math.sin(p[3]), iq: 1 / p[2] };
}

export function evaluateElliptical(
  prof: RadialProfile,
  s: Float64Array,
  p: ArrayLike<number>,
  coords: Record<string, Float64Array>,
  out: Float64Array,
  jac: Float64Array[] | null,
  n: number,
): void {
  const xs = coords.x;
  const ys = coords.y;
  const { x0, y0, c, sn, iq } = frameOf(p);
  const q = p[2];
  const withJac = jac !== null;
  prof.prepare(p, 4, withJac);
  if (jac === null) {
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - x0;
      const dy = ys[i] - y0;
      const X = c * dx + sn * dy;
      const Y = (-sn * dx + c * dy) * iq;
      const R2 = X * X + Y * Y;
      prof.at(Math.sqrt(R2), R2, s, false);
      out[i] = s[0];
    }
    return;
  }
  const jx = jac[0];
  const jy = jac[1];
  const jq = jac[2];
  const jpa = jac[3];
  const k = prof.count;
  const perQ = prof.perQ === true;
  const paFactor = q - iq; // X Y (1 - 1/q^2) = X (Y/q) (q - 1/q)
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - x0;
    const dy = ys[i] - y0;
    const X = c * dx + sn * dy;
    const Y = (-sn * dx + c * dy) * iq; // Y / q, same rounding as the value-only loop
    const R2 = X * X + Y * Y;
    prof.at(Math.sqrt(R2), R2, s, true);
    const f = s[0];
    const g = s[1];
    out[i] = f;
    jx[i] = g * (-c * X + sn * Y * iq);
    jy[i] = g * (-sn * X - c * Y * iq);
    jq[i] = -g * Y * Y * iq - (perQ ? f * iq : 0);
    jpa[i] = g * X * Y * paFactor;
    for (let m = 0; m < k; m++) jac[4 + m][i] = s[2 + m];
  }
}
