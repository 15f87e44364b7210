/**
 * The star-cluster example of the hierarchical-model tutorial: distances of N stars of one cluster
 * from their parallaxes.
 *
 * Units: distances (r_n, mu_r, sigma_r) in pc, parallaxes and their errors in mas, so the
 * observation model is parallax = 1000 / r.
 *
 * Simulation (seeded): r_n ~ N(mu_r = 500 pc, sigma_r = 8.7 pc), n = 1..N (N = 256);
 * parallax errors s_n = 10^u mas, u ~ U(-2, -1); observed parallax ~ N(1000 / r_n, s_n^2).
 *
 * Model:
 *   mu_r                 ~ TruncatedNormal(1000 pc, 2000 pc, lower 0)
 *   ln(sigma_r / 1 kpc)  ~ Uniform(-8, 0)     (the tutorial's ln sigma_r ~ U(-8, 0) with sigma_r in kpc;
 *                                              here sigma_r in pc: 0.34 pc <= sigma_r <= 1000 pc)
 *   r_n                  ~ TruncatedNormal(mu_r, sigma_r, lower 0)
 *   parallax_n           ~ N(1000 / r_n, s_n^2)
 *
 * Parameterisation: centred (the default). The parallaxes constrain every distance to 2.5-25 pc,
 * comparable to sigma_r, so the population scale is well identified and the posterior has no
 * funnel; the centred model samples with no divergences (hierarchy.test.ts). (A non-centred form of a
 * truncated population would need the CDF transform; with the truncation at 0 some 57 sigma away
 * it is immaterial, and the 'normal' population with parameterization 'noncentered' is the
 * non-centred variant when wanted.)
 */
import { createRng } from '../random/rng';
import type { HierarchyDoc } from './document';

export interface StarClusterOptions {
  /** stars (default 256) */
  n?: number;
  /** true cluster distance and spread in pc (defaults 500, 8.7) */
  mu?: number;
  sigma?: number;
  /** the parallax errors are 10^U(logErrLow, logErrHigh) mas (defaults -2, -1) */
  logErrLow?: number;
  logErrHigh?: number;
  seed?: number;
  /** parameterisation of the distances (default 'centered'; 'noncentered' uses an untruncated normal population) */
  parameterization?: 'centered' | 'noncentered';
}

export interface StarCluster {
  doc: HierarchyDoc;
  truth: { mu_r: number; sigma_r: number; distances: Float64Array };
  parallax: Float64Array;
  parallaxError: Float64Array;
}

export function simulateStarCluster(options: StarClusterOptions = {}): StarCluster {
  const n = options.n ?? 256;
  const mu = options.mu ?? 500;
  const sigma = options.sigma ?? 8.7;
  const lo = options.logErrLow ?? -2;
  const hi = options.logErrHigh ?? -1;
  const rng = createRng(options.seed ?? 1);
  const distances = new Float64Array(n);
  const parallax = new Float64Array(n);
  const parallaxError = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    distances[i] = rng.normal(mu, sigma);
    parallaxError[i] = Math.pow(10, lo + (hi - lo) * rng.uniform());
    parallax[i] = rng.normal(1000 / distances[i], parallaxError[i]);
  }
  // start values: the inverted parallaxes (clipped to positive), their mean and a mid-range spread
  const start = Array.from(parallax, (p) => 1000 / Math.max(p, 1e-3));
  const meanStart = start.reduce((a, b) => a + b, 0) / n;
  const nc = options.parameterization === 'noncentered';
  const doc: HierarchyDoc = {
    hyper: {
      mu_r: { value: meanStart, lower: 0, prior: { kind: 'truncgaussian', mu: 1000, sigma: 2000, lower: 0 } },
      sigma_r: { value: 20, lower: 0, prior: { kind: 'uniform', lower: -8, upper: 0, transform: 'ln', scale: 1000 } },
    },
    members: [
      {
        name: 'r',
        count: n,
        population: nc ? { kind: 'normal', mu: 'mu_r', sigma: 'sigma_r' } : { kind: 'truncnormal', mu: 'mu_r', sigma: 'sigma_r', lower: 0 },
        parameterization: nc ? 'noncentered' : 'centered',
        start,
      },
    ],
    observations: [{ member: 'r', expr: '1000/v', values: Array.from(parallax), sigmas: Array.from(parallaxError) }],
  };
  return { doc, truth: { mu_r: mu, sigma_r: sigma, distances }, parallax, parallaxError };
}
