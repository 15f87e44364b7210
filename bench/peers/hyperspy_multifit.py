"""Reference maps for Fitbench's cube fitting (src/core/cube), from HyperSpy.

Run:  /usr/bin/python3 bench/peers/hyperspy_multifit.py [out_dir]
      (default out_dir: src/core/cube/testdata; needs python3-hyperspy 1.7.3 and python3-numpy)

Writes
  hs-cube.npy          an 8 x 8 x 256 EDS-like spectrum image (uint16 counts, numpy seed 20240611)
  hs-reference.json    the axis, the model's starting values, the true maps and HyperSpy's results

The map is the one of src/core/cube/simulate.ts (edsTruthAt): a power-law background A x^-r and
four Gaussian lines (Si, S, Ti, Fe) whose areas vary across the map, with Poisson noise drawn here
by numpy (the TypeScript tests read the counts, they never regenerate them).

Two fits, both recorded per pixel:
 1. non-linear: every parameter free except the power law's origin (0), starting from the same
    rough values as edsModel() in simulate.ts; variance max(y, 1) per channel set as
    metadata.Signal.Noise_properties.variance (HyperSpy then weights residuals by 1/sqrt(var));
    m.multifit's loop (fetch_stored_values, fit) over iterpath 'serpentine' with
    optimizer='lm' (scipy.optimize.leastsq, MINPACK lmder) and grad='analytical'. Recorded: values,
    p_std (HyperSpy scales the covariance by chi2/dof even with a variance), fit_output.success,
    reduced chi-square.
 2. linear: sigma, centre and r fixed (edsModel({ shapesFixed: true })), unit weights (no
    variance), m.multifit(optimizer='lstsq'): HyperSpy's vectorised linear fit of all pixels.
"""
import json
import math
import os
import sys
import time

import numpy as np
import hyperspy
import hyperspy.api as hs

ROWS, COLS, CHANNELS = 8, 8, 256
OFFSET, SCALE = 0.2, 0.04
LINES = [("Si", 1.74, 0.045), ("S", 2.31, 0.05), ("Ti", 4.51, 0.06), ("Fe", 6.4, 0.07)]


def truth_at(r, c):
    """Same as edsTruthAt in src/core/cube/simulate.ts (intensity 1)."""
    u = c / (COLS - 1)
    v = r / (ROWS - 1)
    blob = math.exp(-((u - 0.6) ** 2 + (v - 0.4) ** 2) / (2 * 0.2 ** 2))
    out = {"bg.A": 50 + 20 * v, "bg.r": 1.4 + 0.2 * u, "bg.origin": 0.0}
    areas = [20 + 60 * u, 10 + 70 * blob, 15 + 40 * v, 25 + 30 * (u + v) * 0.5]
    for (name, centre, sigma), a in zip(LINES, areas):
        out[name + ".A"] = a
        out[name + ".sigma"] = sigma
        out[name + ".centre"] = centre
    return out


def model_values(x, t):
    y = t["bg.A"] * x ** (-t["bg.r"])
    for name, _, _ in LINES:
        A, s, c = t[name + ".A"], t[name + ".sigma"], t[name + ".centre"]
        y = y + A / (s * math.sqrt(2 * math.pi)) * np.exp(-((x - c) ** 2) / (2 * s * s))
    return y


def start_values(shapes_fixed):
    """edsModel() starting values in simulate.ts ('rough' start)."""
    out = {"bg.A": 30.0, "bg.r": 1.5, "bg.origin": 0.0}
    for name, centre, sigma in LINES:
        out[name + ".A"] = 20.0
        out[name + ".sigma"] = sigma * (1 if shapes_fixed else 1.2)
        out[name + ".centre"] = centre + (0 if shapes_fixed else 0.02)
    return out


def build_model(signal, start, shapes_fixed):
    m = signal.create_model()
    bg = hs.model.components1D.PowerLaw(A=start["bg.A"], r=start["bg.r"], origin=0.0)
    bg.name = "bg"
    bg.origin.free = False
    if shapes_fixed:
        bg.r.free = False
    m.append(bg)
    for name, _, _ in LINES:
        g = hs.model.components1D.Gaussian(A=start[name + ".A"], sigma=start[name + ".sigma"], centre=start[name + ".centre"])
        g.name = name
        if shapes_fixed:
            g.sigma.free = False
            g.centre.free = False
        m.append(g)
    return m


def sig(v):
    return float("%.12g" % v) if np.isfinite(v) else None


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "src", "core", "cube", "testdata")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.RandomState(20240611)
    x = OFFSET + SCALE * np.arange(CHANNELS)
    truth = {}
    data = np.zeros((ROWS, COLS, CHANNELS))
    for r in range(ROWS):
        for c in range(COLS):
            t = truth_at(r, c)
            for k, v in t.items():
                truth.setdefault(k, np.zeros((ROWS, COLS)))[r, c] = v
            data[r, c] = rng.poisson(model_values(x, t))
    counts = data.astype("<u2")
    assert np.all(counts == data)
    np.save(os.path.join(out_dir, "hs-cube.npy"), counts)

    # 1. non-linear, Poisson variance, serpentine
    s = hs.signals.Signal1D(counts.astype(float))
    s.axes_manager.signal_axes[0].offset = OFFSET
    s.axes_manager.signal_axes[0].scale = SCALE
    s.axes_manager.signal_axes[0].units = "keV"
    s.metadata.set_item("Signal.Noise_properties.variance", hs.signals.Signal1D(np.maximum(counts.astype(float), 1.0)))
    start = start_values(False)
    m = build_model(s, start, False)
    free_keys = [f"{c.name}.{p.name}" for c in m for p in c.parameters if p.free]
    success = np.zeros((ROWS, COLS), dtype=bool)
    m.axes_manager.iterpath = "serpentine"
    t0 = time.perf_counter()
    with m.suspend_update():
        for index in m.axes_manager:
            m.fetch_stored_values()
            m.fit(optimizer="lm", grad="analytical")
            success[index[::-1]] = bool(m.fit_output.success)
    seconds = time.perf_counter() - t0
    maps, std = {}, {}
    for c in m:
        for p in c.parameters:
            key = f"{c.name}.{p.name}"
            if key not in free_keys:
                continue
            maps[key] = [sig(v) for v in p.map["values"].ravel()]
            std[key] = [sig(v) for v in p.map["std"].ravel()]
    red = [sig(v) for v in m.red_chisq.data.ravel()]

    # 2. linear: shapes fixed, unit weights, vectorised lstsq
    s2 = hs.signals.Signal1D(counts.astype(float))
    s2.axes_manager.signal_axes[0].offset = OFFSET
    s2.axes_manager.signal_axes[0].scale = SCALE
    start2 = start_values(True)
    m2 = build_model(s2, start2, True)
    t1 = time.perf_counter()
    m2.multifit(optimizer="lstsq", iterpath="serpentine")
    seconds2 = time.perf_counter() - t1
    lin = {}
    for c in m2:
        for p in c.parameters:
            if p.free:
                lin[f"{c.name}.{p.name}"] = [sig(v) for v in np.broadcast_to(p.map["values"], (ROWS, COLS)).ravel()]

    ref = {
        "source": "bench/peers/hyperspy_multifit.py",
        "hyperspy": hyperspy.__version__,
        "numpy": np.__version__,
        "shape": [ROWS, COLS, CHANNELS],
        "axis": {"offset": OFFSET, "scale": SCALE, "units": "keV"},
        "start": start,
        "truth": {k: [sig(v) for v in a.ravel()] for k, a in truth.items() if np.ptp(a) > 0},
        "nonlinear": {
            "settings": "variance max(y,1); iterpath serpentine; optimizer lm (leastsq), grad analytical",
            "freeKeys": free_keys,
            "values": maps,
            "std": std,
            "success": [bool(v) for v in success.ravel()],
            "redChi2": red,
            "seconds": round(seconds, 3),
            "pixelsPerSecond": round(ROWS * COLS / seconds, 1),
        },
        "linear": {
            "settings": "sigma, centre, r fixed; unit weights; multifit optimizer lstsq (vectorised)",
            "values": lin,
            "seconds": round(seconds2, 4),
        },
    }
    with open(os.path.join(out_dir, "hs-reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
    print(f"HyperSpy {hyperspy.__version__}: non-linear {ROWS * COLS / seconds:.1f} px/s, "
          f"{int(success.sum())}/{ROWS * COLS} converged; linear {seconds2 * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
