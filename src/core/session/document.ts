/**
 * The session document: the single source of truth. Data, model, fit settings and results.
 * At run time datasets hold typed arrays; `serialize.ts` turns the document into plain JSON.
 */
import type { Dataset } from '../data/dataset';
import type { ModelDoc } from '../model/document';
import type { FitResult } from '../fit/result';
import type { JointDoc } from '../fit/joint-document';
import type { HierarchyDoc } from '../hierarchy/document';
import { defaultFitSettings, type FitSettings } from '../fit/settings';
import type { CubeMaps, CubeView } from '../cube/session-maps';

export const SESSION_VERSION = 1;

export interface ViewSettings {
  /** components whose curves are hidden in the plot */
  hiddenComponents: string[];
  /** datasets left out of joint and sequential fits (kept in the session) */
  hiddenDatasets?: string[];
}

/** A model saved under a name with its results (HyperSpy's store/restore). */
export interface StoredModel {
  name: string;
  model: ModelDoc;
  result: FitResult | null;
  /** dataset the result belongs to */
  dataset: string;
  /** ISO time */
  savedAt: string;
  /** the parameter maps of the spectrum image `dataset` when the model was stored */
  cube?: CubeMaps;
}

export interface SessionDoc {
  version: typeof SESSION_VERSION;
  datasets: Dataset[];
  activeDataset: number;
  model: ModelDoc;
  fit: FitSettings;
  result: FitResult | null;
  view: ViewSettings;
  stored: StoredModel[];
  /** joint fit of all datasets: parameters free per dataset, dataset variables, relations (absent: all shared) */
  joint?: JointDoc;
  /** a hierarchical (population) model sampled on its own (core/hierarchy; absent: none) */
  hierarchy?: HierarchyDoc;
  /** spectrum images: navigator pixel, seeds, multifit settings and parameter maps, by dataset name */
  cube?: Record<string, CubeView>;
}

export function emptySession(): SessionDoc {
  return {
    version: SESSION_VERSION,
    datasets: [],
    activeDataset: 0,
    model: { components: [] },
    fit: defaultFitSettings(),
    result: null,
    view: { hiddenComponents: [] },
    stored: [],
  };
}
