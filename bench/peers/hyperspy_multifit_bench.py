"""HyperSpy's multifit timed on the cube of bench/multifit-bench.ts (peer of Fitbench's multifit).

Run:  /usr/bin/python3 bench/peers/hyperspy_multifit_bench.py SPEC.json
      (python3-hyperspy 1.7.3, python3-numpy; SPEC is written by bench/multifit-bench.ts)

SPEC: {"cube": "cube.npy", "offset": 0.2, "scale": 0.01, "lines": [["Si", 1.74, 0.045], ...],
       "start": {"bg.A": 30, ...}, "budget_s": 90, "mpfit_budget_s": 20, "out": "folder"}

The model is Fitbench's edsModel() (src/core/cube/simulate.ts): PowerLaw "bg" (origin fixed at 0)
plus one Gaussian per line, every other parameter free, the same starting values; no variance
(unit weights, as Fitbench's default without sigma). Timed inside Python (imports and loading
excluded), serial, iterpath 'serpentine', m.multifit (each pixel starts from the previous one):

 1. optimizer 'lm' unbounded (scipy.optimize.leastsq = MINPACK lmder, grad 'analytical'), HyperSpy's
    fastest non-linear path. The whole cube if one row's rate says it takes less than budget_s,
    else as many whole rows as fit in about budget_s (a mask selects them).
 2. optimizer 'lm' bounded=True (HyperSpy's bundled mpfit, pure Python), with Fitbench's bounds
    (A >= 0, sigma in [0.02, 0.15], centre within 0.1 of the line): the same model as Fitbench
    fits; rows within mpfit_budget_s.
 3. the linear case (sigma, centre and r fixed at the truth's line shapes): m.multifit(optimizer=
    'lstsq'), HyperSpy's vectorised linear fit of all pixels at once.

Prints one JSON object; writes the leastsq maps (NaN where not fitted) as <out>/hs_<key>.npy.
"""
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import hyperspy
import hyperspy.api as hs

warnings.filterwarnings("ignore")


def build_model(s, spec, shapes_fixed):
    start = spec["start"]
    m = s.create_model()
    bg = hs.model.components1D.PowerLaw(A=start["bg.A"], r=start["bg.r"], origin=0.0)
    bg.name = "bg"
    bg.origin.free = False
    bg.A.bmin = 0.0
    bg.r.bmin, bg.r.bmax = 0.0, 5.0
    if shapes_fixed:
        bg.r.free = False
    m.append(bg)
    for name, centre, sigma in spec["lines"]:
        if shapes_fixed:
            g = hs.model.components1D.Gaussian(A=start[name + ".A"], sigma=sigma, centre=centre)
        else:
            g = hs.model.components1D.Gaussian(A=start[name + ".A"], sigma=start[name + ".sigma"], centre=start[name + ".centre"])
        g.name = name
        g.A.bmin = 0.0
        g.sigma.bmin, g.sigma.bmax = 0.02, 0.15
        g.centre.bmin, g.centre.bmax = centre - 0.1, centre + 0.1
        if shapes_fixed:
            g.sigma.free = False
            g.centre.free = False
        m.append(g)
    return m


def signal(data, spec):
    s = hs.signals.Signal1D(data)
    ax = s.axes_manager.signal_axes[0]
    ax.offset = spec["offset"]
    ax.scale = spec["scale"]
    ax.units = "keV"
    return s


def timed_rows(data, spec, budget, **fit_kwargs):
    """multifit over whole rows, serpentine: one row to measure the rate, then as many rows as fit in budget."""
    rows, cols, _ = data.shape
    s = signal(data, spec)
    m = build_model(s, spec, False)
    m.axes_manager.iterpath = "serpentine"
    done_rows = 0
    seconds = 0.0
    while done_rows < rows:
        if done_rows == 0:
            take = 1
        else:
            rate_rows = done_rows / seconds
            take = min(rows - done_rows, int(max(0.0, budget - seconds) * rate_rows))
            if take <= 0:
                break
        mask = np.ones((rows, cols), dtype=bool)
        mask[done_rows:done_rows + take, :] = False
        t0 = time.perf_counter()
        m.multifit(mask=mask, iterpath="serpentine", show_progressbar=False, **fit_kwargs)
        seconds += time.perf_counter() - t0
        done_rows += take
    pixels = done_rows * cols
    return m, pixels, seconds, done_rows


def main():
    spec = json.load(open(sys.argv[1]))
    data = np.load(spec["cube"]).astype(float)
    rows, cols, channels = data.shape
    out = spec["out"]
    os.makedirs(out, exist_ok=True)
    result = {"hyperspy": hyperspy.__version__, "numpy": np.__version__, "shape": [rows, cols, channels]}

    # 1. leastsq (unbounded LM, analytical Jacobian)
    m, pixels, seconds, done_rows = timed_rows(data, spec, spec["budget_s"], optimizer="lm", grad="analytical")
    fitted = np.zeros((rows, cols), dtype=bool)
    fitted[:done_rows, :] = True
    for c in m:
        for p in c.parameters:
            v = np.array(p.map["values"], dtype=float)
            v[~fitted] = np.nan
            np.save(os.path.join(out, f"hs_{c.name}.{p.name}.npy"), v)
    red = np.array(m.red_chisq.data, dtype=float)
    result["leastsq"] = {
        "settings": "optimizer lm (scipy leastsq, MINPACK), grad analytical, unbounded, unit weights, serpentine",
        "pixels": int(pixels),
        "rows": int(done_rows),
        "seconds": seconds,
        "pixels_per_second": pixels / seconds,
        "median_red_chisq": float(np.nanmedian(red[fitted])),
    }

    # 2. bounded LM (mpfit), Fitbench's bounds
    if spec.get("mpfit_budget_s", 0) > 0:
        m2, pixels2, seconds2, rows2 = timed_rows(data, spec, spec["mpfit_budget_s"], optimizer="lm", grad="analytical", bounded=True)
        result["mpfit"] = {
            "settings": "optimizer lm bounded=True (HyperSpy's mpfit), grad analytical, Fitbench's bounds, serpentine",
            "pixels": int(pixels2),
            "rows": int(rows2),
            "seconds": seconds2,
            "pixels_per_second": pixels2 / seconds2,
        }

    # 3. linear: shapes fixed at the lines, vectorised lstsq over all pixels
    s3 = signal(data, spec)
    m3 = build_model(s3, spec, True)
    t0 = time.perf_counter()
    m3.multifit(optimizer="lstsq", iterpath="serpentine", show_progressbar=False)
    seconds3 = time.perf_counter() - t0
    result["lstsq"] = {
        "settings": "sigma, centre, r fixed; multifit optimizer lstsq (vectorised over all pixels)",
        "pixels": rows * cols,
        "seconds": seconds3,
        "pixels_per_second": rows * cols / seconds3,
    }
    lin = {}
    for c in m3:
        for p in c.parameters:
            if p.free:
                v = np.broadcast_to(np.array(p.map["values"], dtype=float), (rows, cols))
                np.save(os.path.join(out, f"hs_linear_{c.name}.{p.name}.npy"), np.ascontiguousarray(v))
                lin[f"{c.name}.{p.name}"] = True
    result["lstsq"]["keys"] = sorted(lin)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
