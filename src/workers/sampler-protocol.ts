/**
 * Messages between the page and the sampler workers (plain, structured-cloneable objects). One
 * job is one chain (for the ensemble sampler, one ensemble of walkers): the worker builds the
 * posterior of the fit itself (cheap: a compile and one evaluation) and runs the chain in
 * segments (sampler-chain.ts), streaming progress and each finished segment of draws.
 */
import type { Dataset } from '../core/data/dataset';
import type { FitSettings } from '../core/fit/settings';
import type { ModelDoc } from '../core/model/document';
import type { HierarchyDoc } from '../core/hierarchy/document';
import type { ChainResult, SamplerPhase } from '../core/sample';
import type { ChainSpec } from './sampler-chain';

/** A chain on the posterior of a fit. */
export interface FitSamplerJob {
  target?: 'fit';
  /** index of the chain in the run */
  chain: number;
  dataset: Dataset;
  /** the model with the best-fit values (the posterior does not depend on them; the start point does) */
  model: ModelDoc;
  settings: FitSettings;
  spec: ChainSpec;
  /** target wall time of a streamed segment of draws (ms) */
  segmentMs: number;
  /** shortest time between two progress messages (ms) */
  progressMs: number;
}

/** A chain on a hierarchical model's joint density (workers/hierarchy-chain.ts); results in natural parameters. */
export interface HierarchySamplerJob {
  target: 'hierarchy';
  chain: number;
  hierarchy: HierarchyDoc;
  spec: ChainSpec;
  segmentMs: number;
  progressMs: number;
}

export type SamplerJob = FitSamplerJob | HierarchySamplerJob;

export type SamplerEvent =
  | { kind: 'progress'; chain: number; phase: SamplerPhase; iteration: number; total: number }
  | { kind: 'segment'; chain: number; segment: ChainResult };

export interface SamplerWorkerApi {
  /**
   * Runs one chain. `cancel` is an Int32Array over a SharedArrayBuffer (cancel[0] = 1 stops the
   * chain at its next iteration; the draws so far come back) or null without cross-origin
   * isolation (the page then terminates the worker and keeps the streamed segments).
   * Resolves with the whole chain (all segments merged).
   */
  run(job: SamplerJob, cancel: Int32Array | null, onEvent: (e: SamplerEvent) => void): Promise<ChainResult>;
}
