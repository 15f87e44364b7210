"""Reference values for Fitbench's profile-likelihood tools (src/core/uncertainty), from iminuit.

Run:  /usr/bin/python3 bench/peers/iminuit_reference.py [out.json]
      (default out: src/core/uncertainty/testdata/iminuit-reference.json)

Two problems, with the data written into the JSON so the TypeScript tests use exactly the same
numbers (the generator is a fixed numpy seed, but TS never regenerates them):

(a) "logparabola": 30 energy bins, counts n_i ~ Poisson(mu_i) with
        mu_i = A * expo_i * (E_i / 1)^(-alpha - beta ln(E_i / 1))
    (E_i geometric bin centres, expo_i = bin width, i.e. the rate is evaluated at the centre),
    fitted with the Cash statistic C = 2 sum [mu - n + n ln(n / mu)] (n ln(n/mu) = 0 for n = 0),
    errordef 1.
(b) "gausspeak": y = amp exp(-(x - mu)^2 / (2 s^2)) + c on 100 points with per-point sigma,
    fitted by chi-square, errordef 1.

For each: migrad (tight tolerance), hesse, minos (1 sigma, Delta = 1), mncontour of two parameters
at cl = 1 - exp(-2.30 / 2) (Delta = 2.30 for 2 dof), size 20. Because Minuit2's MINOS and
MnContours stop at a crossing tolerance of about 0.01 * up in the statistic, this script also
records, independently:
  - "crossings": the MINOS crossings refined with scipy's brentq on the profile (migrad with the
    parameter fixed, tight tolerance);
  - "contourProfileDelta": the re-optimised Delta at each of iminuit's contour points.
"""
import json
import math
import os
import sys

import numpy as np
from iminuit import Minuit
from scipy.optimize import brentq

LEVEL2D = 2.30
CL2D = 1.0 - math.exp(-LEVEL2D / 2.0)


def logparabola_problem():
    rng = np.random.RandomState(20240611)
    edges = np.logspace(-1, 2, 31)
    e = np.sqrt(edges[:-1] * edges[1:])
    expo = np.diff(edges)
    truth = dict(A=200.0, alpha=2.3, beta=0.15)

    def mu(A, alpha, beta):
        return A * expo * e ** (-alpha - beta * np.log(e))

    n = rng.poisson(mu(**truth)).astype(float)

    def cash(A, alpha, beta):
        m = mu(A, alpha, beta)
        if np.any(m <= 0):
            return 1e300
        t = m - n
        pos = n > 0
        t[pos] += n[pos] * np.log(n[pos] / m[pos])
        return 2.0 * float(np.sum(t))

    cash.errordef = Minuit.LEAST_SQUARES  # 1
    data = dict(energy=e.tolist(), exposure=expo.tolist(), counts=n.tolist(), edges=edges.tolist())
    return dict(
        name="logparabola",
        statistic="cash",
        fcn=cash,
        params=["A", "alpha", "beta"],
        start=dict(A=150.0, alpha=2.0, beta=0.1),
        truth=truth,
        data=data,
        contour=("alpha", "beta"),
    )


def gausspeak_problem():
    rng = np.random.RandomState(77)
    x = np.linspace(0.0, 10.0, 100)
    sigma = 0.3 + 0.05 * x
    truth = dict(amp=5.0, mu=4.6, s=0.8, c=1.0)

    def model(amp, mu, s, c):
        return amp * np.exp(-((x - mu) ** 2) / (2.0 * s * s)) + c

    y = model(**truth) + sigma * rng.standard_normal(x.size)

    def chi2(amp, mu, s, c):
        r = (y - model(amp, mu, s, c)) / sigma
        return float(np.dot(r, r))

    chi2.errordef = Minuit.LEAST_SQUARES
    data = dict(x=x.tolist(), y=y.tolist(), sigma=sigma.tolist())
    return dict(
        name="gausspeak",
        statistic="chi2",
        fcn=chi2,
        params=["amp", "mu", "s", "c"],
        start=dict(amp=4.0, mu=4.0, s=1.0, c=0.5),
        truth=truth,
        data=data,
        contour=("amp", "s"),
    )


def tight_minuit(fcn, values):
    m = Minuit(fcn, **values)
    m.errordef = 1.0
    m.strategy = 2
    m.tol = 1e-6
    m.print_level = 0
    return m


def profile_value(fcn, best, fixed):
    """min of fcn with the parameters in `fixed` held at the given values (tight migrad)."""
    m = tight_minuit(fcn, best)
    for k, v in fixed.items():
        m.values[k] = v
        m.fixed[k] = True
    if all(m.fixed[k] for k in best):
        return fcn(**{k: m.values[k] for k in best})
    m.migrad()
    m.migrad()
    return float(m.fval)


def run(problem):
    fcn = problem["fcn"]
    m = tight_minuit(fcn, problem["start"])
    m.migrad()
    m.migrad()
    m.hesse()
    assert m.valid, m.fmin
    best = {k: float(m.values[k]) for k in problem["params"]}
    fmin = float(m.fval)
    errors = {k: float(m.errors[k]) for k in problem["params"]}
    cov = [[float(m.covariance[a, b]) for b in problem["params"]] for a in problem["params"]]
    m.minos()
    minos = {}
    for k in problem["params"]:
        me = m.merrors[k]
        minos[k] = dict(lower=float(me.lower), upper=float(me.upper), valid=bool(me.is_valid))

    # independent refinement of the MINOS crossings: profile(v) - fmin - 1 = 0 by brentq
    crossings = {}
    for k in problem["params"]:
        out = {}
        for side, sgn in (("lower", -1.0), ("upper", 1.0)):
            g = lambda d: profile_value(fcn, best, {k: best[k] + sgn * d}) - fmin - 1.0
            e = abs(minos[k][side])
            a, b = 0.8 * e, 1.2 * e
            while g(b) < 0:
                b *= 1.5
            while g(a) > 0:
                a *= 0.5
            d = brentq(g, a, b, xtol=1e-12 * e, rtol=1e-12)
            out[side] = sgn * d
        crossings[k] = out

    px, py = problem["contour"]
    # restore the tight minimum before the contour (minos may leave state)
    m2 = tight_minuit(fcn, best)
    m2.migrad()
    m2.migrad()
    m2.hesse()
    factor = None
    try:
        from scipy.stats import chi2 as chi2dist

        factor = float(chi2dist(2).ppf(CL2D))
    except ImportError:  # pragma: no cover
        pass
    pts = m2.mncontour(px, py, cl=CL2D, size=20)
    pts = [[float(a), float(b)] for a, b in pts]
    prof = [profile_value(fcn, best, {px: a, py: b}) - fmin for a, b in pts]

    return dict(
        name=problem["name"],
        statistic=problem["statistic"],
        errordef=1.0,
        params=problem["params"],
        start=problem["start"],
        truth=problem["truth"],
        data=problem["data"],
        best=best,
        fmin=fmin,
        hesseErrors=errors,
        covariance=cov,
        minos=minos,
        crossings=crossings,
        contour=dict(x=px, y=py, cl=CL2D, delta=factor, size=20, points=pts, contourProfileDelta=prof),
    )


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "src", "core", "uncertainty", "testdata", "iminuit-reference.json")
    out_path = sys.argv[1] if len(sys.argv) > 1 else default
    import iminuit

    result = dict(
        generator="bench/peers/iminuit_reference.py",
        iminuit=iminuit.__version__,
        numpy=np.__version__,
        level2d=LEVEL2D,
        problems=[run(logparabola_problem()), run(gausspeak_problem())],
    )
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
    for p in result["problems"]:
        print(p["name"], "fmin", p["fmin"], "best", p["best"])
        for k in p["params"]:
            mi = p["minos"][k]
            cr = p["crossings"][k]
            print(
                f"  {k}: minos {mi['lower']:.8g} {mi['upper']:.8g}  refined {cr['lower']:.8g} {cr['upper']:.8g}"
                f"  rel diff {abs(mi['lower'] / cr['lower'] - 1):.2e} {abs(mi['upper'] / cr['upper'] - 1):.2e}"
            )
        d = np.array(p["contour"]["contourProfileDelta"])
        print("  contour delta", p["contour"]["delta"], "profile at points: min", d.min(), "max", d.max())


if __name__ == "__main__":
    main()
