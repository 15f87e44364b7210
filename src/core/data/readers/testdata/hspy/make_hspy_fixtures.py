"""Writes the .hspy test fixtures of src/core/data/readers/hspy.test.ts and src/cli/multifit-hspy.test.ts.

Run with Debian's HyperSpy 1.7.3 (python3-hyperspy): /usr/bin/python3 make_hspy_fixtures.py
Every signal is saved by HyperSpy's own writer (s.save, .hspy, default gzip compression); the same
array is saved with numpy.save beside it (.npy), so the tests compare values exactly. The few error
fixtures are HyperSpy files edited with h5py, or plain h5py files. expected.json holds HyperSpy's
own view of each file's axes (axes_manager: name, units, scale, offset, size, navigate, axis).

Size: HyperSpy 1.7.3 opens h5py.File with h5py's default format (libver 'earliest', superblock
v0), about 22 kB of groups per file. cube-f32 and spectrum-f64 are written that way (what users
have); the others are written with libver='latest' (superblock v3, compact groups, about 10 kB),
by wrapping h5py.File while HyperSpy saves; this also covers both superblock versions.
"""
import contextlib
import json
import os

import h5py
import hyperspy
import hyperspy.api as hs
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OFFSET, SCALE, CHANNELS = 0.5, 0.03, 64
ROWS, COLS = 4, 5


@contextlib.contextmanager
def compact_files():
    """h5py.File opened with libver='latest' while HyperSpy's hspy writer runs (see the module comment)."""
    import hyperspy.io_plugins.hspy as writer

    original = writer.h5py.File

    class File(original):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("libver", "latest")
            super().__init__(*args, **kwargs)

    writer.h5py.File = File
    try:
        yield
    finally:
        writer.h5py.File = original


def path(name):
    return os.path.join(HERE, name)


def cube_truth():
    """Noise-free Gaussian peaks on a flat background; the centre moves across the map (keV)."""
    x = OFFSET + SCALE * np.arange(CHANNELS)
    r = np.arange(ROWS)[:, None, None]
    c = np.arange(COLS)[None, :, None]
    centre = 1.2 + 0.04 * r + 0.02 * c
    area = 50.0 + 10.0 * r + 5.0 * c
    sigma = 0.08
    return 2.0 + area / (sigma * np.sqrt(2 * np.pi)) * np.exp(-((x - centre) ** 2) / (2 * sigma**2))


def calibrate(s, nav=True):
    sig = s.axes_manager.signal_axes[0]
    sig.offset, sig.scale, sig.units, sig.name = OFFSET, SCALE, "keV", "Energy"
    if nav and s.axes_manager.navigation_dimension == 2:
        # navigation axes in HyperSpy's natural order: x (columns) first, then y (rows)
        ax, ay = s.axes_manager.navigation_axes
        ax.offset, ax.scale, ax.units, ax.name = 10.0, 2.5, "nm", "x"
        ay.offset, ay.scale, ay.units, ay.name = -5.0, 2.5, "nm", "y"
    return s


expected = {"hyperspy": hyperspy.__version__, "numpy": np.__version__, "files": {}}


def save(name, s, data, compact=True):
    if compact:
        with compact_files():
            s.save(path(name + ".hspy"), overwrite=True)
    else:
        s.save(path(name + ".hspy"), overwrite=True)
    np.save(path(name + ".npy"), data)
    axes = []
    for a in s.axes_manager._axes:  # array order
        axes.append(
            {
                "index_in_array": a.index_in_array,
                "name": None if a.name is None or str(a.name) == "<undefined>" else str(a.name),
                "units": None if a.units is None or str(a.units) == "<undefined>" else str(a.units),
                "scale": float(a.scale),
                "offset": float(a.offset),
                "size": int(a.size),
                "navigate": bool(a.navigate),
                "axis": [float(v) for v in a.axis],
            }
        )
    back = hs.load(path(name + ".hspy"))
    assert np.array_equal(back.data, data) and back.data.dtype == data.dtype
    expected["files"][name] = {
        "title": s.metadata.General.title,
        "dtype": str(data.dtype),
        "shape": list(data.shape),
        "axes": axes,
    }


rng = np.random.default_rng(7)
truth = cube_truth()

# 1 spectrum, float64, calibrated
spec = truth[1, 2] + rng.normal(0, 0.5, CHANNELS)
s = calibrate(hs.signals.Signal1D(spec))
s.metadata.General.title = "one spectrum"
save("spectrum-f64", s, spec, compact=False)

# cubes 4 x 5 x 64: float32 (noise-free, for the fit), float64 and int64 (Poisson counts)
f32 = truth.astype(np.float32)
s = calibrate(hs.signals.Signal1D(f32))
s.metadata.General.title = "gaussian map"
save("cube-f32", s, f32, compact=False)

f64 = truth + rng.normal(0, 0.5, truth.shape)
s = calibrate(hs.signals.Signal1D(f64))
s.metadata.General.title = "noisy map"
save("cube-f64", s, f64)

i64 = rng.poisson(truth).astype(np.int64)
s = calibrate(hs.signals.Signal1D(i64))
s.metadata.General.title = "counts"
save("cube-i64", s, i64)

# a line scan (one navigation axis) of uint16 counts, big-endian float spectrum
line = rng.poisson(truth[0, :, ::2]).astype(np.uint16)  # (5, 32)
s = hs.signals.Signal1D(line)
s.axes_manager.signal_axes[0].offset = OFFSET
s.axes_manager.signal_axes[0].scale = 2 * SCALE
s.axes_manager.signal_axes[0].units = "keV"
s.metadata.General.title = "line"
save("line-u16", s, line)

be = (truth[2, 3] + 0.25).astype(">f8")
s = calibrate(hs.signals.Signal1D(be))
s.metadata.General.title = "big-endian"
save("spectrum-f8be", s, be)

# a 2-D signal (image), float32, calibrated
img = rng.normal(10, 1, (6, 8)).astype(np.float32)
s = hs.signals.Signal2D(img)
ax, ay = s.axes_manager.signal_axes
ax.offset, ax.scale, ax.units, ax.name = 1.0, 0.5, "nm", "x"
ay.offset, ay.scale, ay.units, ay.name = -2.0, 0.25, "nm", "y"
s.metadata.General.title = "an image"
save("image-f32", s, img)

# error cases
s = hs.signals.ComplexSignal1D(np.arange(16) * (1 + 0.5j))
s.metadata.General.title = "complex"
with compact_files():
    s.save(path("complex.hspy"), overwrite=True)

# the data have 64 channels but the signal axis says 60
with open(path("cube-i64.hspy"), "rb") as f:
    raw = f.read()
with open(path("mismatch.hspy"), "wb") as f:
    f.write(raw)
with h5py.File(path("mismatch.hspy"), "r+") as f:
    f["Experiments/counts/axis-2"].attrs["size"] = np.int64(60)

# an HDF5 file that is not a HyperSpy file
with h5py.File(path("plain.h5"), "w") as f:
    f.create_dataset("values", data=np.arange(10.0))

with open(path("expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
print("written:", sorted(os.listdir(HERE)))
