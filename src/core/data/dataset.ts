/**
 * A dataset is a set of points with values, optional sigmas and a mask.
 * The same type carries a 1D spectrum, a 2D image and a 3D cube; the evaluator only
 * sees `coords` (one Float64Array per independent variable, one entry per point).
 *
 * - spectrum: shape [n], coords.x
 * - image:    shape [ny, nx], points in row-major order, coords.x = column j, coords.y = row i
 *             (AstroPhot's convention: pixel (i, j) has its centre at x = j, y = i)
 * - cube:     shape [ny, nx, nsignal]; fitted one spectrum at a time through `cubeSpectrum`
 */
export type DatasetKind = 'spectrum' | 'image' | 'cube';

export interface Dataset {
  name: string;
  kind: DatasetKind;
  shape: number[];
  /** independent variables, each of length `values.length` */
  coords: Record<string, Float64Array>;
  values: Float64Array;
  /** standard deviations; absent means unit weights */
  sigma?: Float64Array;
  /** 1 = excluded from the fit */
  mask?: Uint8Array;
  /** notes from loading (e.g. "3 rows with NaN/Inf dropped") */
  notes?: string[];
  /** units or labels of axes, when known */
  labels?: Record<string, string>;
  /** images only: point-spread function (odd size x size, sum 1) the model is convolved with */
  psf?: DatasetPsf;
}

/** A PSF as stored with an image: `size` x `size` values, row-major, normalised to sum 1. */
export interface DatasetPsf {
  data: Float64Array;
  size: number;
  /** where it came from (a file name, or e.g. "Gaussian sigma 2 px") */
  source?: string;
}

export function pointCount(d: Dataset): number {
  return d.values.length;
}

export function makeSpectrum(
  name: string,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  sigma?: ArrayLike<number>,
): Dataset {
  return {
    name,
    kind: 'spectrum',
    shape: [y.length],
    coords: { x: Float64Array.from(x) },
    values: Float64Array.from(y),
    sigma: sigma ? Float64Array.from(sigma) : undefined,
  };
}
