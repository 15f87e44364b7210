/**
 * Line search for the strong Wolfe conditions by bracketing and zoom with safeguarded cubic
 * interpolation (Nocedal & Wright 2006, Algorithms 3.5 and 3.6). Non-finite values are treated
 * as "too far": the step is bisected back towards the last good one.
 */

export interface LinePoint {
  /** phi(alpha) */
  f: number;
  /** phi'(alpha) */
  df: number;
}

export interface LineSearchResult {
  alpha: number;
  f: number;
  df: number;
  /** strong Wolfe conditions met (or the maximum step reached with sufficient decrease) */
  ok: boolean;
  evaluations: number;
}

/**
 * phi(alpha) evaluates the objective and its directional derivative at x + alpha d.
 * ok = false with alpha > 0: no strong-Wolfe point within the budget, but alpha gives sufficient
 * decrease; alpha = 0: no decrease found.
 */
export function strongWolfe(
  phi: (alpha: number) => LinePoint,
  f0: number,
  df0: number,
  alpha1: number,
  alphaMax: number,
  c1 = 1e-3,
  c2 = 0.9,
  maxEvaluations = 30,
): LineSearchResult {
  let evaluations = 0;
  let aPrev = 0;
  let fPrev = f0;
  let dPrev = df0;
  let alpha = Math.min(alpha1, alphaMax);
  let hi = alphaMax;
  let first = true;
  while (evaluations < maxEvaluations) {
    const pt = phi(alpha);
    evaluations++;
    if (!Number.isFinite(pt.f) || !Number.isFinite(pt.df)) {
      hi = alpha;
      alpha = aPrev + 0.5 * (alpha - aPrev);
      if (alpha - aPrev <= 1e-16 * Math.max(1, alpha)) break;
      continue;
    }
    if (pt.f > f0 + c1 * alpha * df0 || (!first && pt.f >= fPrev)) {
      return zoom(phi, f0, df0, aPrev, fPrev, dPrev, alpha, pt.f, pt.df, c1, c2, evaluations, maxEvaluations);
    }
    if (Math.abs(pt.df) <= -c2 * df0) return { alpha, f: pt.f, df: pt.df, ok: true, evaluations };
    if (pt.df >= 0) {
      return zoom(phi, f0, df0, alpha, pt.f, pt.df, aPrev, fPrev, dPrev, c1, c2, evaluations, maxEvaluations);
    }
    if (alpha >= hi) return { alpha, f: pt.f, df: pt.df, ok: true, evaluations };
    first = false;
    // extrapolate: cubic minimiser beyond alpha, kept in [alpha + 1.1 (alpha - aPrev), alpha + 10 (alpha - aPrev)]
    let next = cubicMin(aPrev, fPrev, dPrev, alpha, pt.f, pt.df);
    const lo = alpha + 1.1 * (alpha - aPrev);
    const up = Math.min(hi, alpha + 10 * (alpha - aPrev));
    if (!(next > lo) || !Number.isFinite(next)) next = lo;
    if (next > up) next = up;
    aPrev = alpha;
    fPrev = pt.f;
    dPrev = pt.df;
    alpha = Math.min(next, hi);
  }
  // budget exhausted: return the last good point if it decreased f
  if (aPrev > 0 && fPrev < f0) return { alpha: aPrev, f: fPrev, df: dPrev, ok: false, evaluations };
  return { alpha: 0, f: f0, df: df0, ok: false, evaluations };
}

function zoom(
  phi: (alpha: number) => LinePoint,
  f0: number,
  df0: number,
  aLo: number,
  fLo: number,
  dLo: number,
  aHi: number,
  fHi: number,
  dHi: number,
  c1: number,
  c2: number,
  evaluations: number,
  maxEvaluations: number,
): LineSearchResult {
  while (evaluations < maxEvaluations) {
    const width = Math.abs(aHi - aLo);
    if (width <= 1e-15 * Math.max(Math.abs(aLo), Math.abs(aHi))) break;
    let a = Number.isFinite(fHi) ? cubicMin(aLo, fLo, dLo, aHi, fHi, dHi) : NaN;
    const lo = Math.min(aLo, aHi) + 0.1 * width;
    const up = Math.max(aLo, aHi) - 0.1 * width;
    if (!Number.isFinite(a) || a < lo || a > up) a = 0.5 * (aLo + aHi);
    const pt = phi(a);
    evaluations++;
    if (!Number.isFinite(pt.f) || !Number.isFinite(pt.df) || pt.f > f0 + c1 * a * df0 || pt.f >= fLo) {
      aHi = a;
      fHi = Number.isFinite(pt.f) ? pt.f : Infinity;
      dHi = pt.df;
    } else {
      if (Math.abs(pt.df) <= -c2 * df0) return { alpha: a, f: pt.f, df: pt.df, ok: true, evaluations };
      if (pt.df * (aHi - aLo) >= 0) {
        aHi = aLo;
        fHi = fLo;
        dHi = dLo;
      }
      aLo = a;
      fLo = pt.f;
      dLo = pt.df;
    }
  }
  // no strong-Wolfe point found: the best bracketing end still satisfies sufficient decrease if aLo > 0
  if (aLo > 0 && fLo < f0) return { alpha: aLo, f: fLo, df: dLo, ok: false, evaluations };
  return { alpha: 0, f: f0, df: df0, ok: false, evaluations };
}

/** minimiser of the cubic interpolating (a, fa, da) and (b, fb, db); NaN when none */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}
