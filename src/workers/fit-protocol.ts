/** Messages between the page and the fit worker (plain, structured-cloneable objects). */
import type { Dataset } from '../core/data/dataset';
import type { ModelDoc } from '../core/model/document';
import type { FitSettings } from '../core/fit/settings';
import type { FitProgress, FitResult } from '../core/fit/result';

export interface FitJob {
  dataset: Dataset;
  model: ModelDoc;
  settings: FitSettings;
}

export interface FitWorkerApi {
  /**
   * Runs a fit. `cancel` is an Int32Array over a SharedArrayBuffer (cancel[0] = 1 stops between
   * iterations and returns the best point) or null when the page is not cross-origin isolated.
   */
  fit(job: FitJob, cancel: Int32Array | null, onProgress: (p: FitProgress) => void): Promise<FitResult>;
}
