/**
 * ln(k!) for integers k >= 0: a table of summed logs below 30, Stirling's series above
 * (ln Γ(n+1) = n ln n - n + ½ ln(2πn) + 1/(12n) - 1/(360n³) + 1/(1260n⁵) - 1/(1680n⁷),
 * truncation error below 1/(1188 n⁹) < 1e-16 for n >= 30).
 */
const TABLE_SIZE = 30;
const table = new Float64Array(TABLE_SIZE);
for (let i = 2; i < TABLE_SIZE; i++) table[i] = table[i - 1] + Math.log(i);

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export function logFactorial(k: number): number {
  if (k < TABLE_SIZE) return table[k < 0 ? 0 : k];
  const n = k;
  const r = 1 / n;
  const r2 = r * r;
  const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 / 1680)));
  return (n + 0.5) * Math.log(n) - n + HALF_LOG_2PI + series;
}
