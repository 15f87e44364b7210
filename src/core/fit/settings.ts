/** Fit settings as stored in the session document. */
export type MethodName = 'auto' | 'lm' | 'simplex' | 'lbfgsb' | 'iter' | 'iterlm' | 'adam';
export type StatisticName = 'chi2' | 'cash' | 'gauss' | 'poisson';

export interface FitRange {
  min: number;
  max: number;
  /** include: only points inside some include range are fitted; exclude: points inside are dropped */
  mode: 'include' | 'exclude';
}

export interface FitSettings {
  method: MethodName;
  statistic: StatisticName;
  ranges: FitRange[];
  maxIterations?: number;
  /** 'posterior': maximise likelihood x priors (MAP); default 'likelihood' (priors ignored) */
  objective?: 'likelihood' | 'posterior';
  /**
   * Jacobian columns per block: image LM fits form J^T J block by block (never the whole J) when
   * set, or by themselves when J would exceed 32 MB; 'iterlm' fits this many parameters at a time
   * (default 8)
   */
  jacobianChunk?: number;
}

export const METHOD_LABELS: Record<MethodName, string> = {
  auto: 'Auto (LM, robust restarts)',
  lm: 'Levenberg-Marquardt',
  simplex: 'Nelder-Mead simplex',
  lbfgsb: 'L-BFGS-B',
  iter: 'Iter (one component at a time)',
  iterlm: 'Iter-LM (LM on chunks of parameters)',
  adam: 'Adam (gradient descent)',
};

export const STATISTIC_LABELS: Record<StatisticName, string> = {
  chi2: 'chi-square',
  cash: 'Cash (Poisson C-stat)',
  gauss: 'Gaussian -ln L',
  poisson: 'Poisson -ln L',
};

export function defaultFitSettings(): FitSettings {
  return { method: 'auto', statistic: 'chi2', ranges: [] };
}
