/**
 * ln Gamma(x) for x > 0: Stirling's asymptotic series for x >= 15 (terms through x^-13, error
 * below 1e-17 relative there), upward recurrence Gamma(x) = Gamma(x + k) / (x (x+1) ... (x+k-1))
 * below. Absolute error about 1e-15 near the zeros at x = 1, 2. Returns +Infinity at x <= 0 / NaN.
 */
const HALF_LN_2PI = 0.9189385332046728; // ln(2 pi) / 2

function stirling(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  const series =
    r *
    (1 / 12 +
      r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156)))))));
  return (x - 0.5) * Math.log(x) - x + HALF_LN_2PI + series;
}

export function lgamma(x: number): number {
  if (!(x > 0)) return Infinity;
  if (x === 1 || x === 2) return 0;
  if (x >= 15) return stirling(x);
  let p = 1;
  let z = x;
  while (z < 15) {
    p *= z;
    z += 1;
  }
  return stirling(z) - Math.log(p);
}

const LOG_FACT: number[] = [];
{
  let f = 1; // k! is exact in double for k <= 18
  for (let k = 0; k <= 18; k++) {
    if (k > 0) f *= k;
    LOG_FACT.push(Math.log(f));
  }
}

/** ln(y!) = ln Gamma(y + 1); exact-product path for integers up to 18 */
export function logFactorial(y: number): number {
  if (y >= 0 && y <= 18 && Number.isInteger(y)) return LOG_FACT[y];
  return lgamma(y + 1);
}
