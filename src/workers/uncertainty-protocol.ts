/**
 * Messages between the page and the uncertainty workers (plain, structured-cloneable objects).
 * Each worker is set up once per fit (dataset, model, settings, result: it builds the
 * ProfileObjective itself) and then runs single jobs: one MINOS side, one profile chain, one
 * contour ray, one surface row.
 */
import type { Dataset } from '../core/data/dataset';
import type { FitResult } from '../core/fit/result';
import type { FitSettings } from '../core/fit/settings';
import type { ModelDoc } from '../core/model/document';

export interface UncertaintySetup {
  dataset: Dataset;
  model: ModelDoc;
  settings: FitSettings;
  result: FitResult;
}

export interface MinosJob {
  kind: 'minos';
  k: number;
  side: 'lower' | 'upper';
  /** width in sigma (default 1) */
  sigma?: number;
}

/** one chain of profile values walking outward from the best fit (all on one side of it) */
export interface ProfileChainJob {
  kind: 'profile-chain';
  k: number;
  /** values in walking order */
  values: number[];
  /** index of each value in the full profile grid */
  indices: number[];
  reoptimize: boolean;
}

export interface ContourRayJob {
  kind: 'contour-ray';
  i: number;
  j: number;
  direction: [number, number];
  /** level of the statistic (errordef * Delta chi2) */
  level: number;
  /** first trial along the ray (a neighbour's t), default the covariance ellipse */
  t0?: number;
  /** a neighbouring solved point (full free vector) for the warm start */
  seed?: number[] | null;
  /** the scheduler's bookkeeping: level index and ray index */
  L?: number;
  m?: number;
}

export interface SurfaceRowJob {
  kind: 'surface-row';
  i: number;
  j: number;
  xValues: number[];
  yValue: number;
  reoptimize: boolean;
  /** start vector for the row's anchor column: the nearest solved row's anchor, or null (best fit) */
  start: number[] | null;
  /** the scheduler's bookkeeping: row index */
  r?: number;
}

export type UncertaintyJob = MinosJob | ProfileChainJob | ContourRayJob | SurfaceRowJob;

export interface MinosSideOutcome {
  kind: 'minos';
  offset: number;
  valid: boolean;
  status: string;
  reason: string | null;
  delta: number;
  nfev: number;
  /** statistic of a better minimum met on the way (the fit was not at its minimum), else null */
  newMinimumStatistic: number | null;
}

export interface ProfilePointOutcome {
  /** index in the full grid */
  index: number;
  value: number;
  delta: number;
  converged: boolean;
}

export interface ProfileChainOutcome {
  kind: 'profile-chain';
  points: ProfilePointOutcome[];
  cancelled: boolean;
  nfev: number;
}

export interface ContourRayOutcome {
  kind: 'contour-ray';
  x: number;
  y: number;
  t: number;
  delta: number;
  valid: boolean;
  status: string;
  reason: string | null;
  theta: number[] | null;
  nfev: number;
}

export interface SurfaceRowOutcome {
  kind: 'surface-row';
  delta: number[];
  converged: number[];
  /** solution at the anchor column (warm start for neighbouring rows) */
  anchorTheta: number[] | null;
  cancelled: boolean;
  nfev: number;
}

export type UncertaintyOutcome = MinosSideOutcome | ProfileChainOutcome | ContourRayOutcome | SurfaceRowOutcome;

/** facts about the fit the page needs (from the worker's context) */
export interface SetupInfo {
  keys: string[];
  errordef: number;
  bestStatistic: number;
}

export interface UncertaintyWorkerApi {
  /** builds the ProfileObjective for a fit; throws (rejects) when the fit and the model disagree */
  init(setup: UncertaintySetup): Promise<SetupInfo>;
  /**
   * Runs one job. `cancel` is an Int32Array over a SharedArrayBuffer (cancel[0] = 1 stops the
   * re-optimisations at their next iteration) or null without cross-origin isolation.
   * `onPoint` streams profile points as they are solved.
   */
  run(job: UncertaintyJob, cancel: Int32Array | null, onPoint?: (p: ProfilePointOutcome) => void): Promise<UncertaintyOutcome>;
}
