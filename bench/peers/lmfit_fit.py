"""Peer timing for `npm run bench`: fits the same problems with lmfit (MINPACK leastsq).

Input: a JSON file {"problems": [{"name", "csv", "model": "3gauss"|"voigt2"|"nist", ...}]}.
Output: one JSON list on stdout, per problem: values, nfev, median and minimum seconds per fit (Python start-up excluded).
"""
import json
import sys
import time

import numpy as np
import lmfit
from lmfit.models import GaussianModel, ConstantModel, VoigtModel, LinearModel


def load(csv):
    d = np.loadtxt(csv, delimiter=",", skiprows=1)
    return d[:, 0], d[:, 1], d[:, 2] if d.shape[1] > 2 else None


def build(kind, start):
    if kind == "3gauss":
        m = GaussianModel(prefix="g0_") + GaussianModel(prefix="g1_") + GaussianModel(prefix="g2_") + ConstantModel(prefix="c_")
    elif kind == "voigt2":
        m = VoigtModel(prefix="v0_") + VoigtModel(prefix="v1_") + LinearModel(prefix="l_")
    else:
        raise ValueError(kind)
    p = m.make_params()
    for k, v in start.items():
        p[k].set(value=v)
    if kind == "voigt2":
        for pre in ("v0_", "v1_"):
            p[pre + "gamma"].set(vary=True, expr="", min=0)
    return m, p


def main():
    spec = json.load(open(sys.argv[1]))
    out = []
    for prob in spec["problems"]:
        x, y, s = load(prob["csv"])
        m, p = build(prob["model"], prob["start"])
        w = None if s is None else 1.0 / s
        reps = prob.get("reps", 20)
        r = m.fit(y, p, x=x, weights=w)  # warm-up
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            r = m.fit(y, p, x=x, weights=w)
            times.append(time.perf_counter() - t0)
        times.sort()
        dt = times[len(times) // 2]
        out.append({
            "name": prob["name"],
            "seconds": dt,
            "min_seconds": times[0],
            "nfev": r.nfev,
            "chisqr": r.chisqr,
            "values": {k: v.value for k, v in r.params.items()},
            "errors": {k: (v.stderr if v.stderr is not None else None) for k, v in r.params.items()},
        })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
