/**
 * Warm-up machinery shared by the samplers.
 *
 * Dual averaging of the step size: M. D. Hoffman & A. Gelman, "The No-U-Turn Sampler", JMLR 15
 * (2014) 1593-1623, section 3.2 (Nesterov's primal-dual averaging): after adaptation iteration m
 *   Hbar_m = (1 - 1/(m + t0)) Hbar_{m-1} + (delta - alpha_m) / (m + t0)
 *   ln eps_m = mu - sqrt(m) / gamma * Hbar_m,   ln epsbar_m = m^-kappa ln eps_m + (1 - m^-kappa) ln epsbar_{m-1}
 * with mu = ln(10 eps_0), gamma = 0.05, t0 = 10, kappa = 0.75; epsbar is used after warm-up.
 *
 * Windowed metric adaptation as in Stan (reference manual, "HMC algorithm parameters / adaptation"):
 * an initial fast interval (75 iterations, step size only), slow windows of 25, 50, 100, ...
 * iterations (the last stretched to the terminal buffer) at whose ends the (co)variance of the
 * window's draws becomes the inverse metric and the step-size adaptation restarts, and a final fast
 * interval (50 iterations). Short warm-ups use 15 % / 75 % / 10 %, as Stan does.
 * Regularisation: Stan shrinks a window's covariance towards 1e-3 * I; parameters here can have any
 * units, so the shrinkage target is 1e-3 * diag(covariance) instead (scale-free), which for a
 * diagonal metric amounts to a factor (c + 5e-3) / (c + 5) on each variance, c = window size.
 */
import { cholesky, Welford } from './linalg';

export class DualAveraging {
  private mu = 0;
  private hbar = 0;
  private logEpsBar = 0;
  private m = 0;
  constructor(
    readonly target: number,
    readonly gamma = 0.05,
    readonly t0 = 10,
    readonly kappa = 0.75,
  ) {}
  restart(eps0: number): void {
    this.mu = Math.log(10 * eps0);
    this.hbar = 0;
    this.logEpsBar = 0;
    this.m = 0;
  }
  /** feeds one acceptance statistic, returns the next step size */
  update(acceptStat: number): number {
    const a = acceptStat > 1 ? 1 : acceptStat >= 0 ? acceptStat : 0;
    this.m++;
    const eta = 1 / (this.m + this.t0);
    this.hbar = (1 - eta) * this.hbar + eta * (this.target - a);
    const logEps = this.mu - (Math.sqrt(this.m) / this.gamma) * this.hbar;
    const w = Math.pow(this.m, -this.kappa);
    this.logEpsBar = w * logEps + (1 - w) * this.logEpsBar;
    return Math.exp(logEps);
  }
  /** the averaged step size epsbar */
  final(): number {
    return Math.exp(this.logEpsBar);
  }
}

export interface WarmupSchedule {
  /** [start, end) iteration ranges (0-based within warm-up) of the slow windows */
  windows: [number, number][];
}

/** Stan's windows for a warm-up of `tune` iterations (no windows below 20 iterations). */
export function warmupSchedule(tune: number, initBuffer = 75, termBuffer = 50, baseWindow = 25): WarmupSchedule {
  if (tune < 20) return { windows: [] };
  if (initBuffer + baseWindow + termBuffer > tune) {
    initBuffer = Math.floor(0.15 * tune);
    termBuffer = Math.floor(0.1 * tune);
    baseWindow = tune - initBuffer - termBuffer;
  }
  const endSlow = tune - termBuffer;
  const windows: [number, number][] = [];
  let start = initBuffer;
  let size = baseWindow;
  while (start < endSlow) {
    let end = start + size;
    if (end + 2 * size > endSlow) end = endSlow;
    windows.push([start, end]);
    start = end;
    size *= 2;
  }
  return { windows };
}

/**
 * Collects draws inside the slow windows and proposes a new (co)variance at each window's end.
 * `observe(i, z)` returns the new regularised covariance (length n or n x n) when iteration i
 * closed a window, else null.
 */
export class CovarianceWindows {
  private readonly acc: Welford;
  private w = 0;
  /** draws behind the last covariance returned */
  lastCount = 0;
  readonly schedule: WarmupSchedule;
  /**
   * `resetWindows`: the accumulator restarts after each of the first resetWindows windows and then
   * keeps growing (Infinity, the default: every window starts afresh, as in Stan).
   */
  constructor(
    readonly n: number,
    readonly dense: boolean,
    tune: number,
    schedule?: WarmupSchedule,
    readonly resetWindows = Infinity,
  ) {
    this.acc = new Welford(n, dense);
    this.schedule = schedule ?? warmupSchedule(tune);
  }
  observe(i: number, z: ArrayLike<number>): Float64Array | null {
    const wins = this.schedule.windows;
    while (this.w < wins.length && i >= wins[this.w][1]) this.w++;
    if (this.w >= wins.length) return null;
    const [start, end] = wins[this.w];
    if (i < start) return null;
    this.acc.add(z);
    if (i !== end - 1) return null;
    const c = this.acc.count;
    this.lastCount = c;
    const n = this.n;
    const cov = new Float64Array(this.dense ? n * n : n);
    this.acc.covariance(cov);
    if (this.w < this.resetWindows) this.acc.reset();
    this.w++;
    if (c < 3) return null;
    const shrink = c / (c + 5);
    const ridge = (5 / (c + 5)) * 1e-3;
    if (this.dense) {
      for (let k = 0; k < n; k++) {
        for (let j = 0; j < n; j++) cov[k * n + j] *= shrink;
        cov[k * n + k] += (ridge * cov[k * n + k]) / shrink;
      }
      const test = Float64Array.from(cov);
      if (!cholesky(n, test)) return null;
    } else {
      for (let k = 0; k < n; k++) {
        cov[k] *= shrink + ridge;
        if (!(cov[k] > 0) || !Number.isFinite(cov[k])) return null;
      }
    }
    return cov;
  }
}
