/** The result of a fit: a plain JSON object that goes into the session document. */
import type { StatisticName } from './settings';

export interface ParameterResult {
  value: number;
  /** standard error, or null with `errorReason` when none can be given honestly */
  error: number | null;
  errorReason?: string;
  atBound: 'lower' | 'upper' | null;
}

export interface FitResult {
  parameters: Record<string, ParameterResult>;
  /** free parameters, in covariance order */
  parameterOrder: string[];
  /** values of every parameter (free, fixed, twinned) at the end */
  values: Record<string, number>;
  /** free parameters where the fit started (marked on the covariance corner plot) */
  start?: Record<string, number>;
  covariance: number[][] | null;
  correlation: number[][] | null;
  covarianceReason?: string;
  statistic: { name: StatisticName; value: number };
  dof: number;
  reducedStatistic: number | null;
  nPoints: number;
  converged: boolean;
  cancelled: boolean;
  message: string;
  method: string;
  nfev: number;
  elapsedMs: number;
  /** errors scaled by the reduced statistic (data without sigma) */
  errorsScaled: boolean;
  /** 'posterior' for a maximum a posteriori fit (priors included); absent for a likelihood fit */
  objective?: 'likelihood' | 'posterior';
  /** sum of the log prior densities at the result (MAP fits) */
  logPrior?: number;
  /** joint fits: per-dataset statistic, free-parameter count, values per dataset, relation values */
  datasets?: { name: string; statistic: number; nPoints: number }[];
  totalFree?: number;
  /** joint fits with different models: the components each dataset uses (null = all) */
  datasetComponents?: (string[] | null)[];
  datasetValues?: Record<string, number>[];
  derived?: Record<string, { value: number; error: number | null; errorReason?: string; relation: string; dataset: number }>;
}

export interface FitProgress {
  iteration: number;
  nfev: number;
  statistic: number;
  /** current values of the free parameters, keyed */
  values: Record<string, number>;
}
