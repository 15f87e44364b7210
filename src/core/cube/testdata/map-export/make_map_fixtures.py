"""Writes the numpy.save files that src/core/cube/map-export.test.ts compares byte for byte.

Run: /usr/bin/python3 make_map_fixtures.py (numpy 1.24.2 from Debian; any numpy >= 1.23 writes
the same bytes for these shapes). The values are spelled out in the test too.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

m = (np.arange(20, dtype=np.float64) * 0.1 - 0.7).reshape(4, 5)
m[0, 0] = np.pi
m[0, 1] = np.nan
m[1, 2] = np.inf
m[2, 3] = -np.inf
m[3, 4] = -0.0
m[3, 0] = 1e-300
np.save(os.path.join(HERE, "map-4x5.npy"), m)

np.save(os.path.join(HERE, "status-4x5.npy"), (np.arange(20) % 4).astype(np.uint8).reshape(4, 5))
np.save(os.path.join(HERE, "map-1x7.npy"), np.linspace(-1.5, 1.5, 7).reshape(1, 7))
np.save(os.path.join(HERE, "cube-2x3x4.npy"), np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 3)
print(np.__version__, sorted(os.listdir(HERE)))
