/**
 * Options and results shared by the samplers. One call runs ONE chain (for the ensemble sampler:
 * one ensemble of walkers) from a seed and a start point; running several chains, in workers or
 * one after another, is the caller's job (chainSeeds and startPoints in start.ts help).
 */
export type SamplerName = 'ensemble' | 'metropolis' | 'hmc' | 'nuts';
export type SamplerPhase = 'tune' | 'sample';

export interface ChainOptions {
  /** kept iterations (ensemble: kept steps per walker); each sampler has its default */
  draws?: number;
  /** warm-up iterations, adapted and discarded (ensemble: burn-in steps) */
  tune?: number;
  /** seed of the chain's Rng (default 1) */
  seed?: number;
  /** start point in the constrained space (default: the middle of the support or 0); moved inside the bounds if on one */
  start?: ArrayLike<number>;
  /**
   * called every `progressInterval` (default 10) iterations and at the end of each phase;
   * `iteration` counts from 1 over tune + draws (ensemble: steps, tune + draws * thin), `phase` is
   * that of the iteration just finished
   */
  onProgress?: (iteration: number, phase: SamplerPhase) => void;
  progressInterval?: number;
  /** polled once per iteration; true stops the chain and returns the draws so far (cancelled: true) */
  shouldStop?: () => boolean;
}

export interface ChainResult {
  sampler: SamplerName;
  n: number;
  keys: string[];
  seed: number;
  /** rows stored in `draws` (fewer than requested when stopped early) */
  nDraws: number;
  /** nDraws x n, row-major, constrained space (ensemble: see ensemble.ts for the row order) */
  draws: Float64Array;
  /** log posterior (constrained space, no Jacobian) of each stored draw */
  logDensity: Float64Array;
  /** mean acceptance: fraction of accepted proposals (Metropolis, ensemble) or mean acceptance statistic (HMC, NUTS) over the kept draws */
  acceptRate: number;
  /** divergent transitions among the kept draws (HMC, NUTS; 0 otherwise) */
  divergences: number;
  /** warm-up iterations completed */
  tuneDone: number;
  cancelled: boolean;
  /** log-density evaluations (with or without gradient) */
  evaluations: number;
  /** ms of wall time when a clock was given, else 0 */
  elapsedMs?: number;
}

export interface HamiltonianChainResult extends ChainResult {
  stepSize: number;
  /** inverse mass matrix in the unconstrained space: length n (diagonal) or n x n (dense) */
  inverseMass: Float64Array;
  /** per kept draw */
  divergent: Uint8Array;
  acceptStat: Float64Array;
  nLeapfrog: Int32Array;
  /** Hamiltonian at each kept state (with the momentum it was reached with; unconstrained space), for E-BFMI */
  energy: Float64Array;
}

export function checkCounts(draws: number, tune: number): void {
  if (!(Number.isInteger(draws) && draws >= 0)) throw new RangeError(`draws must be a non-negative integer, got ${draws}`);
  if (!(Number.isInteger(tune) && tune >= 0)) throw new RangeError(`tune must be a non-negative integer, got ${tune}`);
}

/** Calls onProgress every `interval` iterations and at the phase ends. */
export function progressReporter(options: ChainOptions, tune: number, total: number): (iteration: number) => void {
  const cb = options.onProgress;
  if (!cb) return () => {};
  const every = Math.max(1, Math.floor(options.progressInterval ?? 10));
  return (it: number) => {
    if (it % every === 0 || it === tune || it === total) cb(it, it <= tune ? 'tune' : 'sample');
  };
}
