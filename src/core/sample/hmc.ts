/**
 * Static Hamiltonian Monte Carlo (Duane, Kennedy, Pendleton & Roweth 1987; R. M. Neal, "MCMC using
 * Hamiltonian dynamics", Handbook of MCMC, 2011) with a Metropolis correction on the end point.
 * Warm-up as for NUTS (nuts.ts): dual averaging of the step size (Hoffman & Gelman 2014, target
 * acceptance 0.65, their recommendation for HMC) and Stan's windowed diagonal / dense metric
 * adaptation. The integration time is pathLength (in the units the adapted metric makes ~1 per
 * posterior sd) and is jittered uniformly by +-50 % each iteration, L = ceil(u * pathLength / eps),
 * which avoids the periodic, non-ergodic orbits of a fixed trajectory length (Neal 2011, sec. 5.4).
 * A trajectory whose energy error passes maxEnergyError is stopped and counted as divergent.
 */
import { PhasePoint } from './hamiltonian';
import type { LogDensity } from './log-density';
import { HamiltonianDraws, setupHamiltonian, warmupUpdate, type HamiltonianOptions } from './nuts';
import { makeRng } from './start';
import { checkCounts, progressReporter, type HamiltonianChainResult } from './types';

export interface HmcOptions extends HamiltonianOptions {
  /** integration time (default 2) */
  pathLength?: number;
  /** cap on leapfrog steps per iteration (default 1024) */
  maxSteps?: number;
  /** divergence threshold on H - H0 (default 1000) */
  maxEnergyError?: number;
}

export function sampleHmc(ld: LogDensity, options: HmcOptions = {}): HamiltonianChainResult {
  const draws = options.draws ?? 1000;
  const tune = options.tune ?? 1000;
  checkCounts(draws, tune);
  const seed = options.seed ?? 1;
  const rng = makeRng(seed);
  const now = options.now;
  const t0 = now ? now() : 0;
  const n = ld.n;
  const pathLength = options.pathLength ?? 2;
  const maxSteps = Math.max(1, Math.floor(options.maxSteps ?? 1024));
  const maxEnergyError = options.maxEnergyError ?? 1000;
  const s = setupHamiltonian(ld, options, options.targetAccept ?? 0.65, tune, rng);
  const { metric, integ, z } = s;
  const prop = new PhasePoint(n);

  const rec = new HamiltonianDraws(n, draws);
  const report = progressReporter(options, tune, tune + draws);
  let tuneDone = 0;
  let cancelled = false;

  for (let i = 0; i < tune + draws; i++) {
    if (options.shouldStop?.()) {
      cancelled = true;
      break;
    }
    metric.sampleMomentum(rng, z.p);
    const h0 = integ.hamiltonian(z);
    prop.copyFrom(z);
    const steps = Math.min(maxSteps, Math.max(1, Math.ceil(((0.5 + rng.uniform()) * pathLength) / s.eps)));
    let h = h0;
    let div = false;
    let taken = 0;
    for (let l = 0; l < steps; l++) {
      h = integ.step(prop, s.eps);
      taken++;
      if (!(h - h0 <= maxEnergyError)) {
        div = true;
        break;
      }
    }
    const a = div ? 0 : h0 - h >= 0 ? 1 : Math.exp(h0 - h);
    if (!div && rng.uniform() < a) z.copyFrom(prop);
    if (i < tune) {
      warmupUpdate(s, i, a, tune, rng);
      tuneDone = i + 1;
    } else rec.keep(s, div, a, taken);
    report(i + 1);
  }
  return rec.result('hmc', ld, seed, s, { tuneDone, cancelled, elapsedMs: now ? now() - t0 : 0 });
}
