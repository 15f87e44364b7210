/**
 * Posterior summaries and convergence diagnostics, the equivalents of arviz.summary:
 * mean, sd, 94 % HDI, MCSE of the mean and of the sd, bulk and tail ESS, R-hat.
 *
 * Reference: A. Vehtari, A. Gelman, D. Simpson, B. Carpenter & P.-C. Bürkner, "Rank-normalization,
 * folding, and localization: an improved R-hat for assessing convergence of MCMC", Bayesian
 * Analysis 16 (2021) 667-718.
 * - Chains are split in halves (a trend within a chain then shows as disagreement between halves).
 * - R-hat: rank-normalised split R-hat, the larger of the bulk value (z = Phi^-1((r - 3/8)/(S + 1/4))
 *   of the pooled ranks r, ties averaged) and the tail value (the same for |x - median|).
 *   R-hat = sqrt(var+ / W), var+ = (N - 1)/N W + B/N, W the mean within-chain variance and B/N the
 *   variance of the chain means.
 * - ESS = M N / tau, tau = -1 + 2 sum_k P_k over Geyer's initial monotone sequence of pair sums
 *   P_k = rho_2k + rho_2k+1 (truncated at the first negative pair, then made non-increasing), with
 *   the multi-chain autocorrelation rho_t = 1 - (W - mean_m acov_m(t)) / var+; acov by FFT.
 *   ESS is capped at M N log10(M N) as in the paper. Bulk ESS: ESS of the rank-normalised split
 *   chains; tail ESS: the smaller ESS of the indicators I(x <= q05) and I(x <= q95); mean ESS (for
 *   the MCSE of the mean): ESS of the split chains as they are.
 * - MCSE of the mean sd / sqrt(ESS_mean); MCSE of the sd by the delta method from the ESS of
 *   (x - mean)^2: Var(s^2) ~ Var((x - mean)^2) / ESS, Var(s) ~ Var(s^2) / (4 s^2).
 * - HDI: the shortest interval containing floor(prob * S) + 1 sorted draws (unimodal HDI, as arviz).
 * Warnings use arviz's thresholds: R-hat > 1.01, bulk or tail ESS < 400, plus sampler warnings
 * (divergences, maximum tree depth, E-BFMI < 0.3, Betancourt 2016).
 *
 * Ensembles (ensemble.ts). Walkers of one ensemble are not independent chains, and one walker's
 * trace is short compared with its autocorrelation time, so an R-hat over walkers would sit near
 * 1 + tau / S even when converged. What is computed instead:
 * - R-hat: nested R-hat (C. Margossian, M. Hoffman, P. Sountsov, L. Riou-Durand, A. Vehtari &
 *   A. Gelman, "Nested R-hat: assessing the convergence of MCMC when running many short chains",
 *   Bayesian Analysis 2024) with each ensemble a superchain of its walkers, split in halves like
 *   split R-hat (so one ensemble gives two superchains), rank-normalised and folded as above
 *   (on the thinned traces):
 *   nR-hat = sqrt(1 + B / W), B the variance of the superchain means, W the mean over superchains
 *   of (variance of its walker means + mean within-walker variance).
 * - ESS, MCSE: Vehtari's multi-chain estimator with every walker of every ensemble as a chain,
 *   after thinning the walker traces by tau / 2 (which keeps almost all the information and makes
 *   the rank normalisation affordable); this averages the walkers' autocorrelation functions
 *   before integrating, as emcee's autocorr recommends, and ignores the (weak) correlation
 *   between walkers. Mean, sd and HDI use every draw.
 * - tau: emcee's integrated autocorrelation time (mean of the walkers' normalised
 *   autocorrelations, Sokal's automatic window M >= 5 tau), reported per parameter, with emcee's
 *   warning when the kept steps are fewer than 50 tau.
 */
import { erfc } from '../special/erf';
import type { EnsembleChainResult } from './ensemble';
import type { ChainResult, HamiltonianChainResult } from './types';

// ---------- FFT and autocovariance ----------

const twiddles = new Map<number, { cos: Float64Array; sin: Float64Array }>();

/** cos / sin of -2 pi k / n, k < n/2, cached per size */
function twiddle(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddles.get(n);
  if (!t) {
    const h = n >> 1;
    t = { cos: new Float64Array(h), sin: new Float64Array(h) };
    for (let k = 0; k < h; k++) {
      t.cos[k] = Math.cos((2 * Math.PI * k) / n);
      t.sin[k] = -Math.sin((2 * Math.PI * k) / n);
    }
    twiddles.set(n, t);
  }
  return t;
}

/** In-place iterative radix-2 complex FFT (Cooley-Tukey, decimation in time); length a power of two, unscaled. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  const { cos, sin } = twiddle(n);
  const sgn = inverse ? -1 : 1;
  for (let len = 2; len <= n; len <<= 1) {
    const h = len >> 1;
    const stride = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < h; k++) {
        const cr = cos[k * stride];
        const ci = sgn * sin[k * stride];
        const a = i + k;
        const b = a + h;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/**
 * Biased autocovariances acov(t) = (1/N) sum_i (x_i - mean)(x_{i+t} - mean), t = 0..N-1, of several
 * series of length N, by FFT with zero padding to >= 2N (Wiener-Khinchin). Two real series share
 * one complex transform: Z = FFT(x + i y) gives X_k = (Z_k + conj Z_{m-k}) / 2 and
 * Y_k = (Z_k - conj Z_{m-k}) / 2i; the inverse transform of |X|^2 + i |Y|^2 then holds both
 * autocovariances (real and imaginary parts).
 */
export function autocovariances(series: ArrayLike<number>[]): Float64Array[] {
  const out: Float64Array[] = [];
  if (series.length === 0) return out;
  const N = series[0].length;
  let m = 1;
  while (m < 2 * N) m <<= 1;
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  for (let s = 0; s < series.length; s += 2) {
    const x = series[s];
    const y = s + 1 < series.length ? series[s + 1] : null;
    re.fill(0);
    im.fill(0);
    let mx = 0;
    let my = 0;
    for (let i = 0; i < N; i++) mx += x[i];
    mx /= N;
    if (y) {
      for (let i = 0; i < N; i++) my += y[i];
      my /= N;
    }
    for (let i = 0; i < N; i++) {
      re[i] = x[i] - mx;
      if (y) im[i] = y[i] - my;
    }
    fft(re, im, false);
    // power spectra of both series, written back as |X|^2 + i |Y|^2 (k and m - k together)
    for (let k = 0; k <= m >> 1; k++) {
      const j = (m - k) & (m - 1);
      const zr = re[k];
      const zi = im[k];
      const wr = re[j];
      const wi = im[j];
      const xr = 0.5 * (zr + wr);
      const xi = 0.5 * (zi - wi);
      const yr = 0.5 * (zi + wi);
      const yi = -0.5 * (zr - wr);
      const px = xr * xr + xi * xi;
      const py = yr * yr + yi * yi;
      re[k] = px;
      im[k] = py;
      re[j] = px;
      im[j] = py;
    }
    fft(re, im, true);
    const ax = new Float64Array(N);
    for (let t = 0; t < N; t++) ax[t] = re[t] / (m * N);
    out.push(ax);
    if (y) {
      const ay = new Float64Array(N);
      for (let t = 0; t < N; t++) ay[t] = im[t] / (m * N);
      out.push(ay);
    }
  }
  return out;
}

/** Biased autocovariance of one series (see autocovariances). */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  if (x.length === 0) return new Float64Array(0);
  return autocovariances([x])[0];
}

/** Normalised autocorrelation acov(t) / acov(0). */
export function autocorrelation(x: ArrayLike<number>): Float64Array {
  const a = autocovariance(x);
  const a0 = a[0];
  return a.map((v) => (a0 > 0 ? v / a0 : NaN));
}

// ---------- helpers on chains (arrays of equal-length scalar series) ----------

function equalLength(chains: ArrayLike<number>[]): Float64Array[] {
  const len = chains.length === 0 ? 0 : chains.reduce((m, c) => Math.min(m, c.length), Infinity);
  return chains.map((c) => {
    const f = c instanceof Float64Array ? c : Float64Array.from(c);
    return f.length === len ? f : f.subarray(0, len);
  });
}

/**
 * Standard normal quantile: P. J. Acklam's rational approximation (relative error 1.15e-9) refined
 * by one Halley step on Phi(x) - p with erfc (full double accuracy); for the rank normalisation.
 */
const ACK_A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const ACK_B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const ACK_C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACK_D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
export function probit(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  // work in the lower tail, x(1 - p) = -x(p)
  if (p > 0.5) return -probit(1 - p);
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((ACK_C[0] * q + ACK_C[1]) * q + ACK_C[2]) * q + ACK_C[3]) * q + ACK_C[4]) * q + ACK_C[5]) / ((((ACK_D[0] * q + ACK_D[1]) * q + ACK_D[2]) * q + ACK_D[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((ACK_A[0] * r + ACK_A[1]) * r + ACK_A[2]) * r + ACK_A[3]) * r + ACK_A[4]) * r + ACK_A[5]) * q) / (((((ACK_B[0] * r + ACK_B[1]) * r + ACK_B[2]) * r + ACK_B[3]) * r + ACK_B[4]) * r + 1);
  }
  // Halley: e = Phi(x) - p, u = e sqrt(2 pi) exp(x^2 / 2), x -= u / (1 + x u / 2)
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

/** Each chain cut into its first and second half (the middle draw of an odd chain dropped). */
export function splitChains(chains: ArrayLike<number>[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of equalLength(chains)) {
    const h = Math.floor(c.length / 2);
    out.push(c.slice(0, h), c.slice(c.length - h));
  }
  return out;
}

function meanOf(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

function varianceOf(x: ArrayLike<number>, mean = meanOf(x)): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - mean) * (x[i] - mean);
  return s / (x.length - 1);
}

function pooled(chains: ArrayLike<number>[]): Float64Array {
  const total = chains.reduce((s, c) => s + c.length, 0);
  const out = new Float64Array(total);
  let o = 0;
  for (const c of chains) {
    for (let i = 0; i < c.length; i++) out[o + i] = c[i];
    o += c.length;
  }
  return out;
}

/** Quantile of sorted data, linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default). */
function quantileSorted(s: Float64Array, p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export function quantile(x: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(x).sort();
  return quantileSorted(s, p);
}

function isConstant(chains: Float64Array[]): boolean {
  const first = chains.length > 0 && chains[0].length > 0 ? chains[0][0] : NaN;
  for (const c of chains) for (let i = 0; i < c.length; i++) if (c[i] !== first) return false;
  return true;
}

/** Pooled ranks (ties get their average rank) mapped to normal scores Phi^-1((r - 3/8) / (S + 1/4)) (Blom). */
export function rankNormalize(chains: ArrayLike<number>[]): Float64Array[] {
  const all = pooled(chains);
  const S = all.length;
  const sorted = all.slice().sort();
  // normal score of each sorted position; a run of ties [i, j] shares the score of rank (i + j)/2 + 1
  const score = new Float64Array(S);
  for (let i = 0; i < S; ) {
    let j = i;
    while (j + 1 < S && sorted[j + 1] === sorted[i]) j++;
    const v = probit(((i + j) / 2 + 1 - 0.375) / (S + 0.25));
    for (let k = i; k <= j; k++) score[k] = v;
    i = j + 1;
  }
  const z = new Float64Array(S);
  for (let i = 0; i < S; i++) {
    // first position of all[i] in sorted (binary search)
    const v = all[i];
    let lo = 0;
    let hi = S;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    z[i] = score[lo];
  }
  const out: Float64Array[] = [];
  let o = 0;
  for (const c of chains) {
    out.push(z.slice(o, o + c.length));
    o += c.length;
  }
  return out;
}

// ---------- R-hat ----------

/** Classic potential scale reduction sqrt(var+ / W) of the chains as given (no split, no ranks). */
export function rhatBasic(chains: ArrayLike<number>[]): number {
  const cs = equalLength(chains);
  const M = cs.length;
  const N = M > 0 ? cs[0].length : 0;
  if (M < 2 || N < 2) return NaN;
  const means = cs.map((c) => meanOf(c));
  const W = meanOf(cs.map((c, m) => varianceOf(c, means[m])));
  const B_over_N = varianceOf(means);
  if (!(W > 0)) return NaN;
  const varPlus = ((N - 1) / N) * W + B_over_N;
  return Math.sqrt(varPlus / W);
}

/** Split R-hat (no rank normalisation). */
export function splitRhat(chains: ArrayLike<number>[]): number {
  return rhatBasic(splitChains(chains));
}

function folded(chains: Float64Array[]): Float64Array[] {
  const med = quantile(pooled(chains), 0.5);
  return chains.map((c) => c.map((v) => Math.abs(v - med)));
}

/** Rank-normalised split R-hat: max of bulk and tail (folded) values (Vehtari et al. 2021). */
export function rhat(chains: ArrayLike<number>[]): number {
  const sp = splitChains(chains);
  if (sp.length < 2 || sp[0].length < 2 || isConstant(sp)) return NaN;
  const bulk = rhatBasic(rankNormalize(sp));
  const tail = rhatBasic(rankNormalize(folded(sp)));
  return Math.max(bulk, tail);
}

// ---------- ESS ----------

/** ESS of the chains as given (multi-chain autocorrelation, Geyer's initial monotone sequence). */
export function essRaw(chains: ArrayLike<number>[]): number {
  const cs = equalLength(chains);
  const M = cs.length;
  const N = M > 0 ? cs[0].length : 0;
  if (M < 1 || N < 4 || isConstant(cs)) return NaN;
  const acov = autocovariances(cs);
  const means = cs.map((c) => meanOf(c));
  let meanAcov0 = 0;
  for (const a of acov) meanAcov0 += a[0];
  meanAcov0 /= M;
  const W = (meanAcov0 * N) / (N - 1);
  let varPlus = (W * (N - 1)) / N;
  if (M > 1) varPlus += varianceOf(means);
  if (!(varPlus > 0)) return NaN;
  const rho = (t: number): number => {
    let s = 0;
    for (const a of acov) s += a[t];
    return 1 - (W - s / M) / varPlus;
  };
  // Geyer: pair sums P_k = rho(2k) + rho(2k+1) while positive, then made monotone
  let sum = 0;
  let prev = Infinity;
  for (let k = 0; 2 * k + 1 < N - 2; k++) {
    let p = (k === 0 ? 1 : rho(2 * k)) + rho(2 * k + 1);
    if (!(p > 0)) break;
    if (p > prev) p = prev;
    sum += p;
    prev = p;
  }
  const total = M * N;
  const tau = Math.max(-1 + 2 * sum, 1 / Math.log10(total));
  return total / tau;
}

/** ESS of the split chains without rank normalisation (the ESS behind the MCSE of the mean). */
export function essMean(chains: ArrayLike<number>[]): number {
  return essRaw(splitChains(chains));
}

/** Bulk ESS: ESS of the rank-normalised split chains. */
export function essBulk(chains: ArrayLike<number>[]): number {
  const sp = splitChains(chains);
  if (isConstant(sp)) return NaN;
  return essRaw(rankNormalize(sp));
}

/** ESS of the indicator I(x <= q_prob). */
export function essQuantile(chains: ArrayLike<number>[], prob: number): number {
  const sp = splitChains(chains);
  const q = quantile(pooled(sp), prob);
  return essRaw(sp.map((c) => c.map((v) => (v <= q ? 1 : 0))));
}

/** Tail ESS: min of the ESS of the 5 % and 95 % quantile indicators. */
export function essTail(chains: ArrayLike<number>[]): number {
  const sp = splitChains(chains);
  const s = pooled(sp).sort();
  const ind = (q: number) => essRaw(sp.map((c) => c.map((v) => (v <= q ? 1 : 0))));
  return Math.min(ind(quantileSorted(s, 0.05)), ind(quantileSorted(s, 0.95)));
}

export function mcseMean(chains: ArrayLike<number>[]): number {
  const all = pooled(chains);
  return Math.sqrt(varianceOf(all) / essMean(chains));
}

export function mcseSd(chains: ArrayLike<number>[]): number {
  const cs = equalLength(chains);
  const mean = meanOf(pooled(cs));
  const sq = cs.map((c) => c.map((v) => (v - mean) * (v - mean)));
  const ess = essMean(sq);
  const all = pooled(sq);
  const evar = meanOf(all);
  let m4 = 0;
  for (let i = 0; i < all.length; i++) m4 += all[i] * all[i];
  m4 /= all.length;
  const varvar = (m4 - evar * evar) / ess;
  return Math.sqrt(varvar / evar / 4);
}

/** Highest density interval (shortest interval holding floor(prob S) + 1 sorted draws). */
export function hdi(values: ArrayLike<number>, prob = 0.94): [number, number] {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return [NaN, NaN];
  const inc = Math.min(n - 1, Math.floor(prob * n));
  let best = Infinity;
  let at = 0;
  for (let i = 0; i + inc < n; i++) {
    const w = s[i + inc] - s[i];
    if (w < best) {
      best = w;
      at = i;
    }
  }
  return [s[at], s[at + inc]];
}

/**
 * emcee's integrated autocorrelation time: the walkers' normalised autocorrelations averaged,
 * tau(M) = 1 + 2 sum_{t=1..M} rho(t), M the smallest window with M >= c tau(M) (Sokal 1997).
 */
export function integratedAutocorrTime(chains: ArrayLike<number>[], c = 5): number {
  const cs = equalLength(chains);
  const N = cs.length > 0 ? cs[0].length : 0;
  if (N < 2) return NaN;
  const f = new Float64Array(N);
  let used = 0;
  for (const a of autocovariances(cs)) {
    const a0 = a[0];
    if (!(a0 > 0)) continue;
    for (let t = 0; t < N; t++) f[t] += a[t] / a0;
    used++;
  }
  if (used === 0) return NaN;
  let tau = 1;
  for (let M = 1; M < N; M++) {
    tau += (2 * f[M]) / used;
    if (M >= c * tau) return tau;
  }
  return tau;
}

/** Nested R-hat of superchains, each a list of equal-length subchains (Margossian et al. 2024), as given. */
export function nestedRhatBasic(superchains: ArrayLike<number>[][]): number {
  const K0 = superchains.length;
  if (K0 < 2) return NaN;
  const supMeans: number[] = [];
  const within: number[] = [];
  for (const sc of superchains) {
    const subs = equalLength(sc);
    const means = subs.map((c) => meanOf(c));
    const m = meanOf(means);
    supMeans.push(m);
    const N = subs[0].length;
    const Bk = subs.length > 1 ? varianceOf(means, m) : 0;
    const Wk = N > 1 ? meanOf(subs.map((c, i) => varianceOf(c, means[i]))) : 0;
    within.push(Bk + Wk);
  }
  const B = varianceOf(supMeans);
  const W = meanOf(within);
  if (!(W > 0)) return NaN;
  return Math.sqrt(1 + B / W);
}

/**
 * Rank-normalised, split nested R-hat: every subchain cut in halves, first halves forming one
 * superchain and second halves another; max of bulk and folded values.
 */
export function nestedRhat(superchains: ArrayLike<number>[][]): number {
  const split: Float64Array[][] = [];
  for (const sc of superchains) {
    const halves = splitChains(sc);
    split.push(halves.filter((_, i) => i % 2 === 0), halves.filter((_, i) => i % 2 === 1));
  }
  const sizes = split.map((s) => s.length);
  const flat = split.flat();
  if (flat.length === 0 || flat[0].length < 2 || isConstant(flat)) return NaN;
  const regroup = (xs: Float64Array[]): Float64Array[][] => {
    const out: Float64Array[][] = [];
    let o = 0;
    for (const s of sizes) {
      out.push(xs.slice(o, o + s));
      o += s;
    }
    return out;
  };
  const bulk = nestedRhatBasic(regroup(rankNormalize(flat)));
  const tail = nestedRhatBasic(regroup(rankNormalize(folded(flat))));
  return Math.max(bulk, tail);
}

/** Energy Bayesian fraction of missing information: sum (E_i - E_i-1)^2 / sum (E_i - mean)^2 (Betancourt 2016). */
export function ebfmi(energy: ArrayLike<number>): number {
  const N = energy.length;
  if (N < 2) return NaN;
  const m = meanOf(energy);
  let num = 0;
  let den = 0;
  for (let i = 0; i < N; i++) {
    den += (energy[i] - m) * (energy[i] - m);
    if (i > 0) num += (energy[i] - energy[i - 1]) * (energy[i] - energy[i - 1]);
  }
  return num / den;
}

// ---------- summaries ----------

export interface ParameterSummary {
  key: string;
  mean: number;
  sd: number;
  hdiLow: number;
  hdiHigh: number;
  mcseMean: number;
  mcseSd: number;
  essBulk: number;
  essTail: number;
  rhat: number;
  /** ensembles only: emcee's integrated autocorrelation time in steps */
  tau?: number;
  /** ensembles only: thinning of the walker traces behind ESS, MCSE and R-hat */
  thin?: number;
}

export interface PosteriorSummary {
  /** 'chains': Vehtari et al. over the chains; 'ensemble': see the header */
  method: 'chains' | 'ensemble';
  chains: number;
  /** draws per chain used (chains truncated to the shortest) */
  draws: number;
  hdiProb: number;
  parameters: ParameterSummary[];
  divergences: number;
  warnings: string[];
}

export interface SummaryOptions {
  /** default 0.94 (arviz) */
  hdiProb?: number;
  /** R-hat threshold (default 1.01) and minimum ESS (default 400) */
  rhatMax?: number;
  essMin?: number;
}

/** Column k of a rows x n row-major block. */
export function column(draws: Float64Array, rows: number, n: number, k: number, start = 0): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = draws[(start + i) * n + k];
  return out;
}

const fmt = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

function parameterWarnings(p: ParameterSummary, o: Required<SummaryOptions>, out: string[]): void {
  if (p.rhat > o.rhatMax) out.push(`${p.key}: R-hat ${fmt(p.rhat)} > ${o.rhatMax}: the chains disagree (not converged); run a longer warm-up or more draws`);
  if (p.essBulk < o.essMin) out.push(`${p.key}: bulk ESS ${fmt(p.essBulk, 0)} < ${o.essMin}: the posterior mean and sd are unreliable; draw more`);
  if (p.essTail < o.essMin) out.push(`${p.key}: tail ESS ${fmt(p.essTail, 0)} < ${o.essMin}: the interval ends are unreliable; draw more`);
  if (Number.isNaN(p.rhat) && Number.isNaN(p.essBulk)) out.push(`${p.key}: all draws are equal (or too few draws); no diagnostics`);
}

function fillOptions(options: SummaryOptions): Required<SummaryOptions> {
  return { hdiProb: options.hdiProb ?? 0.94, rhatMax: options.rhatMax ?? 1.01, essMin: options.essMin ?? 400 };
}

function summarizeSeries(key: string, chains: Float64Array[], hdiProb: number): ParameterSummary {
  const all = pooled(chains);
  const mean = meanOf(all);
  const sd = Math.sqrt(varianceOf(all, mean));
  const [lo, hi] = hdi(all, hdiProb);
  return {
    key,
    mean,
    sd,
    hdiLow: lo,
    hdiHigh: hi,
    mcseMean: mcseMean(chains),
    mcseSd: mcseSd(chains),
    essBulk: essBulk(chains),
    essTail: essTail(chains),
    rhat: rhat(chains),
  };
}

/** Summary of plain chains: draws[c] is chain c as rows x n (row-major); chains cut to the shortest. */
export function summarizeDraws(draws: Float64Array[], n: number, keys: string[], options: SummaryOptions = {}): PosteriorSummary {
  const o = fillOptions(options);
  const rows = draws.reduce((m, d) => Math.min(m, Math.floor(d.length / Math.max(1, n))), Infinity);
  const N = draws.length === 0 ? 0 : rows;
  const parameters: ParameterSummary[] = [];
  const warnings: string[] = [];
  for (let k = 0; k < n; k++) {
    const chains = draws.map((d) => column(d, N, n, k));
    const p = summarizeSeries(keys[k] ?? `p${k}`, chains, o.hdiProb);
    parameters.push(p);
    parameterWarnings(p, o, warnings);
  }
  if (draws.length < 2) warnings.unshift('only one chain: R-hat compares its two halves only; run 4 or more chains');
  return { method: 'chains', chains: draws.length, draws: N, hdiProb: o.hdiProb, parameters, divergences: 0, warnings };
}

/** Summary of sampler results (one per chain): arviz-style for MCMC chains, nested R-hat for ensembles. */
export function summarizeChains(results: ChainResult[], options: SummaryOptions = {}): PosteriorSummary {
  if (results.length === 0) throw new RangeError('no chains to summarise');
  if (results.every((r) => r.sampler === 'ensemble')) return summarizeEnsembles(results as EnsembleChainResult[], options);
  if (results.some((r) => r.sampler === 'ensemble')) throw new RangeError('cannot summarise ensembles together with other chains');
  const n = results[0].n;
  const s = summarizeDraws(
    results.map((r) => r.draws.subarray(0, r.nDraws * n)),
    n,
    results[0].keys,
    options,
  );
  s.divergences = results.reduce((t, r) => t + r.divergences, 0);
  const extra: string[] = [];
  const total = results.reduce((t, r) => t + r.nDraws, 0);
  if (s.divergences > 0) {
    extra.push(`${s.divergences} of ${total} transitions after warm-up were divergent: the sampler missed part of the posterior; raise targetAccept (e.g. 0.95) or reparametrise`);
  }
  results.forEach((r, c) => {
    const h = r as Partial<HamiltonianChainResult> & { maxTreeDepthHits?: number };
    if (h.maxTreeDepthHits && h.maxTreeDepthHits > 0) extra.push(`chain ${c + 1}: ${h.maxTreeDepthHits} transitions hit the maximum tree depth (efficiency, not validity, concern)`);
    if (h.energy && h.energy.length > 1) {
      const e = ebfmi(h.energy);
      if (e < 0.3) extra.push(`chain ${c + 1}: E-BFMI ${fmt(e, 2)} < 0.3: the momentum resampling explores the energy poorly (heavy tails?); reparametrise`);
    }
    if (r.cancelled) extra.push(`chain ${c + 1} was stopped early (${r.nDraws} draws)`);
  });
  s.warnings = [...extra, ...s.warnings];
  return s;
}

function thinSeries(x: Float64Array, thin: number): Float64Array {
  if (thin <= 1) return x;
  const out = new Float64Array(Math.floor(x.length / thin));
  for (let i = 0; i < out.length; i++) out[i] = x[i * thin];
  return out;
}

/** Walker w of an ensemble result as a scalar trace of parameter k. */
export function walkerTrace(r: EnsembleChainResult, w: number, k: number): Float64Array {
  return column(r.draws, r.steps, r.n, k, w * r.steps);
}

/** Summary of independent ensembles (see the header for the method). */
export function summarizeEnsembles(results: EnsembleChainResult[], options: SummaryOptions = {}): PosteriorSummary {
  const o = fillOptions(options);
  const n = results[0].n;
  const keys = results[0].keys;
  const S = results.reduce((m, r) => Math.min(m, r.steps), Infinity);
  const parameters: ParameterSummary[] = [];
  const warnings: string[] = [];
  for (let k = 0; k < n; k++) {
    const superchains = results.map((r) => Array.from({ length: r.walkers }, (_, w) => walkerTrace(r, w, k).subarray(0, S)));
    const walkers = superchains.flat();
    const all = pooled(walkers);
    const mean = meanOf(all);
    const sd = Math.sqrt(varianceOf(all, mean));
    const [lo, hi] = hdi(all, o.hdiProb);
    const tau = integratedAutocorrTime(walkers);
    // thin by tau / 2 (little information lost, W S / thin values to rank instead of W S)
    const thin = Number.isFinite(tau) ? Math.max(1, Math.min(Math.floor(tau / 2), Math.floor(S / 20))) : 1;
    const thinned = superchains.map((sc) => sc.map((t) => thinSeries(t, thin)));
    const tw = thinned.flat();
    const p: ParameterSummary = {
      key: keys[k],
      mean,
      sd,
      hdiLow: lo,
      hdiHigh: hi,
      mcseMean: Math.sqrt(varianceOf(pooled(tw)) / essMean(tw)),
      mcseSd: mcseSd(tw),
      essBulk: essBulk(tw),
      essTail: essTail(tw),
      rhat: nestedRhat(thinned),
      tau,
      thin,
    };
    parameters.push(p);
    parameterWarnings(p, o, warnings);
    if (S < 50 * tau) warnings.push(`${keys[k]}: ${S} kept steps per walker < 50 autocorrelation times (tau = ${fmt(tau, 1)}): estimates may be unreliable; run longer (emcee's rule)`);
  }
  results.forEach((r, c) => {
    if (r.acceptRate < 0.15) warnings.push(`ensemble ${c + 1}: acceptance ${fmt(r.acceptRate, 2)} is low (< 0.15); the ensemble may be stuck`);
    if (r.cancelled) warnings.push(`ensemble ${c + 1} was stopped early (${r.steps} steps)`);
  });
  return { method: 'ensemble', chains: results.length, draws: S, hdiProb: o.hdiProb, parameters, divergences: 0, warnings };
}
