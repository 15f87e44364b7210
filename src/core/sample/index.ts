/** MCMC samplers over a LogDensity (see log-density.ts) and their diagnostics. */
export type { LogDensity } from './log-density';
export type { ChainOptions, ChainResult, HamiltonianChainResult, SamplerName, SamplerPhase } from './types';
export { makeTransform, unconstrain, interiorPoint, covarianceToUnconstrained, transformKind } from './transform';
export type { Transform, TransformKind, UnconstrainedDensity } from './transform';
export { chainSeeds, startPoints, SamplerError } from './start';
export { sampleEnsemble, defaultWalkers, type EnsembleOptions, type EnsembleChainResult } from './ensemble';
export { sampleMetropolis, type MetropolisOptions, type MetropolisChainResult } from './metropolis';
export { sampleHmc, type HmcOptions } from './hmc';
export { sampleNuts, type NutsOptions, type NutsChainResult, type HamiltonianOptions } from './nuts';
export * from './diagnostics';
