/**
 * Sequential fits (each dataset alone) as one result for the Parameters table: keys get the
 * dataset index as in joint fits (`Gaussian.sigma[1]`), the statistic and degrees of freedom add
 * up, and each dataset keeps its own values for drawing. No joint covariance (the fits are
 * independent; each dataset's errors come from its own fit).
 */
import type { FitResult, ParameterResult } from './result';

export function combineSequential(fits: { name: string; result: FitResult }[]): FitResult {
  const parameters: Record<string, ParameterResult> = {};
  const values: Record<string, number> = {};
  const order: string[] = [];
  let statistic = 0;
  let dof = 0;
  let nPoints = 0;
  let nfev = 0;
  let elapsedMs = 0;
  fits.forEach(({ result }, i) => {
    for (const key of result.parameterOrder) {
      parameters[`${key}[${i}]`] = result.parameters[key];
      order.push(`${key}[${i}]`);
    }
    for (const [key, v] of Object.entries(result.values)) values[`${key}[${i}]`] = v;
    statistic += result.statistic.value;
    dof += result.dof;
    nPoints += result.nPoints;
    nfev += result.nfev;
    elapsedMs += result.elapsedMs;
  });
  const first = fits[0].result;
  const name = first.statistic.name;
  return {
    parameters,
    parameterOrder: order,
    values,
    covariance: null,
    correlation: null,
    covarianceReason: 'sequential fits: each dataset has its own covariance',
    statistic: { name, value: statistic },
    dof,
    reducedStatistic: dof > 0 && (name === 'chi2' || name === 'cash') ? statistic / dof : null,
    nPoints,
    converged: fits.every((f) => f.result.converged),
    cancelled: fits.some((f) => f.result.cancelled),
    message: `${fits.length} sequential fits; ${fits.filter((f) => f.result.converged).length} converged`,
    method: `sequential (${first.method})`,
    nfev,
    elapsedMs,
    errorsScaled: fits.some((f) => f.result.errorsScaled),
    datasets: fits.map((f) => ({ name: f.name, statistic: f.result.statistic.value, nPoints: f.result.nPoints })),
    totalFree: order.length,
    datasetValues: fits.map((f) => f.result.values),
  };
}
