/** Messages between the page and the fit worker (plain, structured-cloneable objects). */
import type { Dataset } from '../core/data/dataset';
import type { ModelDoc } from '../core/model/document';
import type { FitSettings } from '../core/fit/settings';
import type { FitProgress, FitResult } from '../core/fit/result';
import type { JointDoc } from '../core/fit/joint-document';

export interface FitJob {
  dataset: Dataset;
  model: ModelDoc;
  settings: FitSettings;
  /** joint fit of several datasets (dataset is then ignored) */
  joint?: { datasets: Dataset[]; doc: JointDoc };
}

export interface SequentialJob {
  datasets: Dataset[];
  model: ModelDoc;
  settings: FitSettings;
}

export interface FitWorkerApi {
  /**
   * Runs a fit. `cancel` is an Int32Array over a SharedArrayBuffer (cancel[0] = 1 stops between
   * iterations and returns the best point) or null when the page is not cross-origin isolated.
   */
  fit(job: FitJob, cancel: Int32Array | null, onProgress: (p: FitProgress) => void): Promise<FitResult>;
  /** Fits each dataset alone (PyAutoFit's fit_sequential); errors per dataset come back as messages. */
  fitEach(job: SequentialJob, cancel: Int32Array | null, onProgress: (p: FitProgress) => void): Promise<(FitResult | { error: string })[]>;
}
