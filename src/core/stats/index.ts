/** Fit statistics: chi2, cash, gauss, poisson (see statistic.ts for the conventions). */
import { cash } from './cash';
import { chi2 } from './chi2';
import { gauss } from './gauss';
import { poisson } from './poisson';
import type { Statistic, StatisticName } from './statistic';

export type { Statistic, StatisticName } from './statistic';
export { chi2, cash, gauss, poisson };
export { lgamma, logFactorial } from './lgamma';

export const STATISTICS: Record<StatisticName, Statistic> = { chi2, cash, gauss, poisson };

export function getStatistic(name: StatisticName): Statistic {
  const s = STATISTICS[name];
  if (!s) throw new Error(`unknown statistic: ${name}`);
  return s;
}
