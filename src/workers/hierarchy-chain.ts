/**
 * Sampling a hierarchical model (core/hierarchy) instead of a fit's posterior, shared by the
 * runner (src/cli/sample-hierarchy.ts, chains one after another) and the app's sampler workers
 * (sampler.worker.ts with a HierarchySamplerJob, one chain per worker).
 *
 * prepareHierarchySampling: the joint log density, one seed per chain and dispersed start points:
 * the model's start point (hyperparameter values; member start values or population centres)
 * jittered uniformly by +-0.5 in the samplers' unconstrained space (core/sample/start.ts), so
 * R-hat can see chains that have not mixed. There is no fit covariance, so the samplers start
 * from the identity metric and adapt it in the warm-up.
 *
 * runHierarchyChain: runChain (sampler-chain.ts) on that density; every segment and the merged
 * chain are carried to the natural parameters (non-centred members z -> x, keys `<member>[n]`),
 * while the chain itself continues in the sampler's space.
 */
import type { HierarchyDoc } from '../core/hierarchy/document';
import { hierarchicalLogDensity, type HierarchicalDensity } from '../core/hierarchy/log-density';
import { chainSeeds, startPoints, type ChainResult } from '../core/sample';
import { runChain, type ChainHooks, type ChainSpec } from './sampler-chain';

export interface HierarchySetup {
  density: HierarchicalDensity;
  /** keys of the results (natural parameters): hyperparameters, then `<member>[n]` */
  keys: string[];
  seeds: number[];
  /** start points, sampler's space (constrained) */
  starts: number[][];
}

/** Log density, seeds and start points for `chains` chains; throws HierarchyError on an invalid model. */
export function prepareHierarchySampling(doc: HierarchyDoc, chains: number, seed: number): HierarchySetup {
  const density = hierarchicalLogDensity(doc);
  const all = chainSeeds(seed, chains + 1);
  const seeds = all.slice(0, chains);
  const starts = startPoints(density, density.startPoint(), chains, all[chains]).map((p) => Array.from(p));
  return { density, keys: [...density.naturalKeys], seeds, starts };
}

/** One chain on the hierarchy's density; segments and result in natural parameters. */
export function runHierarchyChain(density: HierarchicalDensity, spec: ChainSpec, hooks: ChainHooks = {}): ChainResult {
  const onSegment = hooks.onSegment;
  const r = runChain(density, spec, { ...hooks, onSegment: onSegment ? (s) => onSegment(density.naturalResult(s)) : undefined });
  return density.naturalResult(r);
}
