"""Peer for bench/sampler-bench.ts: emcee on the same posterior (3 Gaussians + offset, flat priors).

Input: a JSON spec written by the TypeScript bench:
  {"csv": path (x,y,sigma), "keys": [...], "lower": [...], "upper": [...] (null = unbounded),
   "best": [...], "covariance": [[...]], "walkers": W, "burn": B, "steps": N, "seed": s,
   "chain_out": path prefix}
Model (HyperSpy / Fitbench Gaussian): sum_k A_k / (sigma_k sqrt(2 pi)) exp(-(x - c_k)^2 / (2 sigma_k^2)) + offset,
parameters in Fitbench's order Gaussian.A, Gaussian.sigma, Gaussian.centre, ... , Offset.offset.
log posterior = -chi2 / 2 inside the bounds (flat priors), -inf outside: the density Fitbench samples.

Runs emcee twice: the usual way (log_prob called once per walker) and vectorized (one call per
half-ensemble, numpy over walkers). Walkers start in a ball N(best, 1e-2^2 cov) (emcee's small ball
in the fit's metric). Times run_mcmc(burn + steps) only (Python start-up and imports excluded),
writes the kept chain (steps x walkers x n, float64, C order) to <chain_out>-<mode>.f64 so the
TypeScript side can apply the same ESS estimators to emcee's draws as to its own, and prints JSON
with times, acceptance and emcee's own integrated autocorrelation times.
"""
import json
import sys
import time

import numpy as np
import emcee

SQRT2PI = np.sqrt(2.0 * np.pi)


def main():
    spec = json.load(open(sys.argv[1]))
    d = np.loadtxt(spec["csv"], delimiter=",", skiprows=1)
    x, y, s = d[:, 0], d[:, 1], d[:, 2]
    inv_s = 1.0 / s
    n = len(spec["keys"])
    lower = np.array([-np.inf if v is None else v for v in spec["lower"]])
    upper = np.array([np.inf if v is None else v for v in spec["upper"]])
    ng = (n - 1) // 3

    def model(t):
        m = np.full_like(x, t[n - 1])
        for k in range(ng):
            a, sig, c = t[3 * k], t[3 * k + 1], t[3 * k + 2]
            m += a / (sig * SQRT2PI) * np.exp(-0.5 * ((x - c) / sig) ** 2)
        return m

    def log_prob(t):
        if np.any(t <= lower) or np.any(t >= upper):
            return -np.inf
        r = (y - model(t)) * inv_s
        return -0.5 * np.dot(r, r)

    xx = x[None, :]

    def log_prob_vec(T):
        out = np.full(T.shape[0], -np.inf)
        ok = np.all((T > lower) & (T < upper), axis=1)
        if not np.any(ok):
            return out
        U = T[ok]
        m = np.repeat(U[:, n - 1 : n], x.size, axis=1)
        for k in range(ng):
            a, sig, c = U[:, 3 * k : 3 * k + 1], U[:, 3 * k + 1 : 3 * k + 2], U[:, 3 * k + 2 : 3 * k + 3]
            m += a / (sig * SQRT2PI) * np.exp(-0.5 * ((xx - c) / sig) ** 2)
        r = (y[None, :] - m) * inv_s[None, :]
        out[ok] = -0.5 * np.einsum("ij,ij->i", r, r)
        return out

    best = np.array(spec["best"])
    cov = np.array(spec["covariance"])
    L = np.linalg.cholesky(cov)
    W, B, N = spec["walkers"], spec["burn"], spec["steps"]
    results = []
    for mode in spec.get("modes", ["per-walker", "vectorized"]):
        rng = np.random.default_rng(spec["seed"])
        p0 = best + 1e-2 * (rng.standard_normal((W, n)) @ L.T)
        vec = mode == "vectorized"
        sampler = emcee.EnsembleSampler(W, n, log_prob_vec if vec else log_prob, vectorize=vec)
        sampler.random_state = np.random.RandomState(spec["seed"]).get_state()
        # warm the code paths (numpy dispatch) before timing
        _ = log_prob_vec(p0) if vec else [log_prob(p) for p in p0]
        t0 = time.perf_counter()
        sampler.run_mcmc(p0, B + N, progress=False)
        dt = time.perf_counter() - t0
        chain = sampler.get_chain(discard=B)  # N x W x n
        tau = emcee.autocorr.integrated_time(chain, quiet=True)
        path = f"{spec['chain_out']}-{mode}.f64"
        np.ascontiguousarray(chain, dtype=np.float64).tofile(path)
        results.append(
            {
                "mode": mode,
                "seconds": dt,
                "walkers": W,
                "burn": B,
                "steps": N,
                "evaluations": W * (B + N),
                "acceptance": float(np.mean(sampler.acceptance_fraction)),
                "tau": [float(t) for t in tau],
                "ess_tau": [float(W * N / t) for t in tau],
                "mean": [float(v) for v in chain.reshape(-1, n).mean(axis=0)],
                "sd": [float(v) for v in chain.reshape(-1, n).std(axis=0, ddof=1)],
                "chain": path,
            }
        )
    print(json.dumps({"emcee": emcee.__version__, "numpy": np.__version__, "runs": results}))


if __name__ == "__main__":
    main()
