#!/usr/bin/env python3
"""Writes the tiny FITS fixtures for src/core/data/readers/fits.test.ts with astropy, plus the
values astropy reads back from them (expected.json). Run from the repository root:

    /usr/bin/python3 bench/peers/make_fits_fixtures.py

images.fits   primary HDU: BITPIX 16 with BSCALE = 0.5, BZERO = 100 and BLANK = -32768 (one blank
              pixel), then IMAGE extensions with BITPIX 8, 32 (uint32 -> BZERO = 2**31), 64, -32
              (with a NaN) and -64, each 3 x 4 (rows x columns) or 2 x 5
bintable.fits empty primary HDU + one BINTABLE (no image anywhere)

The tests build the "extension only" and "table then image" files by concatenating HDUs of these
two files (offsets are in expected.json), which keeps the fixtures under 50 KB.
"""
import json
import os

import numpy as np
from astropy.io import fits

OUT = os.path.join('src', 'core', 'data', 'readers', 'testdata', 'fits')
os.makedirs(OUT, exist_ok=True)


def images():
    # primary: raw int16 with scaling and a BLANK pixel; astropy writes the raw integers as given
    raw = np.array([[-3, 0, 7, 12], [-32768, 1000, -1000, 32767], [5, 6, 8, 9]], dtype=np.int16)
    prim = fits.PrimaryHDU(data=raw, do_not_scale_image_data=True)
    prim.header['BSCALE'] = 0.5
    prim.header['BZERO'] = 100.0
    prim.header['BLANK'] = -32768
    prim.header['OBJECT'] = ("O'Neil galaxy", 'a string with a quote')
    prim.header['EXPTIME'] = (1.25e3, 'seconds')
    prim.header['FLAG'] = (True, 'a logical')
    prim.header['GAIN'] = -2.5
    hdus = [prim]
    u8 = np.array([[0, 1, 2, 3], [100, 200, 254, 255], [7, 8, 9, 10]], dtype=np.uint8)
    hdus.append(fits.ImageHDU(data=u8, name='U8'))
    u32 = np.array([[0, 1, 2, 3, 4], [2**31 - 1, 2**31, 2**32 - 1, 123456789, 42]], dtype=np.uint32)
    hdus.append(fits.ImageHDU(data=u32, name='U32'))
    i64 = np.array([[-(2**40), -1, 0], [1, 2**40 + 3, 9007199254740991], [5, -6, 7]], dtype=np.int64)
    hdus.append(fits.ImageHDU(data=i64, name='I64'))
    f32 = np.array([[1.5, -2.25, np.nan, 1e-30], [3.0e20, 0.1, -0.0, 7.0], [1, 2, 3, 4]], dtype=np.float32)
    hdus.append(fits.ImageHDU(data=f32, name='F32'))
    f64 = np.array([[np.pi, -np.e, 1e-300], [1e300, 0.1, -123.456]], dtype=np.float64)
    hdus.append(fits.ImageHDU(data=f64, name='F64'))
    path = os.path.join(OUT, 'images.fits')
    fits.HDUList(hdus).writeto(path, overwrite=True)
    return path


def bintable():
    cols = fits.ColDefs([fits.Column(name='flux', format='E', array=np.array([1.0, 2.0], dtype=np.float32))])
    tab = fits.BinTableHDU.from_columns(cols, name='TAB')
    path = os.path.join(OUT, 'bintable.fits')
    fits.HDUList([fits.PrimaryHDU(), tab]).writeto(path, overwrite=True)
    return path


def describe(path):
    out = []
    with fits.open(path) as hl:
        for k, h in enumerate(hl):
            info = h.fileinfo()
            entry = {
                'index': k,
                'type': type(h).__name__,
                'hdrLoc': info['hdrLoc'],
                'datLoc': info['datLoc'],
                'datSpan': info['datSpan'],
                'bitpix': h.header['BITPIX'],
            }
            # the header as written (astropy drops BSCALE/BZERO/BLANK from it once the data are scaled)
            header = {
                key: h.header[key]
                for key in ('BSCALE', 'BZERO', 'BLANK', 'OBJECT', 'EXPTIME', 'FLAG', 'GAIN', 'EXTNAME')
                if key in h.header
            }
            if h.is_image and h.data is not None:
                data = np.asarray(h.data, dtype=np.float64)  # astropy applies BSCALE/BZERO/BLANK
                entry['shape'] = list(data.shape)
                entry['values'] = [None if not np.isfinite(v) else float(v) for v in data.ravel()]
                entry['header'] = header
            out.append(entry)
    return out


def main():
    files = {'images.fits': describe(images()), 'bintable.fits': describe(bintable())}
    sizes = {name: os.path.getsize(os.path.join(OUT, name)) for name in files}
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump({'files': files, 'sizes': sizes}, f, indent=1)
        f.write('\n')
    print(sizes)


if __name__ == '__main__':
    main()
