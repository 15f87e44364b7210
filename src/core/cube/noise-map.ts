/**
 * A noise map for a spectrum image: a variance per point (HyperSpy keeps its noise as
 * `Noise_properties.variance`), read from a .npy array of the cube's shape, becomes the cube's
 * sigma = sqrt(variance) for chi-square fits. Refusals name the file: wrong shape, negative or
 * non-finite variances; zero variance where the data are not masked (an infinite weight).
 */
import type { Dataset } from '../data/dataset';
import { LoadError } from '../data/readers/load-error';
import { parseNpy } from '../data/readers/npy';
import { cubeDims } from './cube';

export function withVarianceMap(cube: Dataset, file: { name: string; bytes: Uint8Array }): Dataset {
  const { rows, cols, channels } = cubeDims(cube);
  const arr = parseNpy(file.name, file.bytes);
  const want = [rows, cols, channels];
  if (arr.shape.length !== 3 || arr.shape.some((v, k) => v !== want[k])) {
    throw new LoadError(file.name, `the variance map has shape ${arr.shape.join(' × ')} but the spectrum image ${cube.name} is ${want.join(' × ')}`);
  }
  const n = arr.data.length;
  const perPointMask = cube.mask && cube.mask.length === n ? cube.mask : null;
  const perChannelMask = cube.mask && cube.mask.length === channels ? cube.mask : null;
  const sigma = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const v = arr.data[k];
    const masked = (perPointMask && perPointMask[k] !== 0) || (perChannelMask && perChannelMask[k % channels] !== 0);
    const where = () => {
      const p = Math.floor(k / channels);
      return `pixel (row ${Math.floor(p / cols)}, column ${p % cols}), channel ${k % channels}`;
    };
    if (!Number.isFinite(v) || v < 0) throw new LoadError(file.name, `variance ${v} at ${where()}: variances must be finite and not negative`);
    if (v === 0 && !masked) throw new LoadError(file.name, `zero variance at ${where()} (an infinite weight); mask that point or give its variance`);
    sigma[k] = Math.sqrt(v);
  }
  return { ...cube, sigma, notes: [...(cube.notes ?? []), `noise: sigma = sqrt(variance) from ${file.name}`] };
}
