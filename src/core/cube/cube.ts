/**
 * Spectrum-image (cube) helpers. A cube Dataset has shape [rows, cols, channels], values in
 * row-major order (pixel-major, channel fastest: value (r, c, k) at (r * cols + c) * channels + k)
 * and coords.x = the signal axis, shared by all pixels (length channels). For compatibility with
 * datasets whose coords hold one entry per point (dataset.ts), a coords.x of length
 * values.length is accepted and its first `channels` entries are taken as the signal axis.
 * sigma, when present, has one entry per point; mask has one entry per point or one per channel.
 */
import type { Dataset } from '../data/dataset';
import { pointIncluded } from '../fit/fit-view';
import type { FitRange } from '../fit/settings';

export interface CubeDims {
  rows: number;
  cols: number;
  channels: number;
  pixels: number;
}

export class CubeError extends Error {}

/** Checks the cube's shape and arrays; returns its dimensions. */
export function cubeDims(d: Dataset): CubeDims {
  if (d.shape.length !== 3) throw new CubeError(`${d.name}: a cube needs shape [rows, cols, channels]; got [${d.shape.join(', ')}]`);
  const [rows, cols, channels] = d.shape;
  for (const v of d.shape) {
    if (!Number.isSafeInteger(v) || v < 1) throw new CubeError(`${d.name}: bad cube shape [${d.shape.join(', ')}]`);
  }
  const pixels = rows * cols;
  const total = pixels * channels;
  if (d.values.length !== total) throw new CubeError(`${d.name}: shape [${d.shape.join(', ')}] holds ${total} values but the dataset has ${d.values.length}`);
  const x = d.coords.x;
  if (!x || (x.length !== channels && x.length !== total)) {
    throw new CubeError(`${d.name}: coords.x must be the signal axis (${channels} values); got ${x ? x.length : 'none'}`);
  }
  if (d.sigma && d.sigma.length !== total) throw new CubeError(`${d.name}: sigma has ${d.sigma.length} values, expected ${total}`);
  if (d.mask && d.mask.length !== total && d.mask.length !== channels) {
    throw new CubeError(`${d.name}: mask has ${d.mask.length} values, expected ${channels} (per channel) or ${total} (per point)`);
  }
  return { rows, cols, channels, pixels };
}

/** The signal axis of a cube (length channels). */
export function signalAxis(d: Dataset): Float64Array {
  const channels = d.shape[2];
  const x = d.coords.x;
  return x.length === channels ? x : x.subarray(0, channels);
}

/** Pixel indices in scan order: 'flyback' = every row left to right; 'serpentine' = odd rows right to left. */
export function scanOrder(rows: number, cols: number, order: 'serpentine' | 'flyback'): Int32Array {
  const out = new Int32Array(rows * cols);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const reverse = order === 'serpentine' && r % 2 === 1;
    for (let j = 0; j < cols; j++) out[k++] = r * cols + (reverse ? cols - 1 - j : j);
  }
  return out;
}

/** One pixel's spectrum as a spectrum Dataset (copies; for fitModel and plots). */
export function cubeSpectrum(d: Dataset, pixel: number): Dataset {
  const { cols, channels, pixels } = cubeDims(d);
  if (!Number.isInteger(pixel) || pixel < 0 || pixel >= pixels) throw new CubeError(`${d.name}: pixel ${pixel} is outside 0..${pixels - 1}`);
  const o = pixel * channels;
  const out: Dataset = {
    name: `${d.name} (${Math.floor(pixel / cols)}, ${pixel % cols})`,
    kind: 'spectrum',
    shape: [channels],
    coords: { x: Float64Array.from(signalAxis(d)) },
    values: d.values.slice(o, o + channels),
  };
  if (d.sigma) out.sigma = d.sigma.slice(o, o + channels);
  if (d.mask) out.mask = d.mask.length === channels ? d.mask.slice() : d.mask.slice(o, o + channels);
  if (d.labels) out.labels = { ...d.labels };
  return out;
}

/** Builds a cube Dataset from a signal axis and row-major values. */
export function makeCube(
  name: string,
  rows: number,
  cols: number,
  x: ArrayLike<number>,
  values: Float64Array,
  sigma?: Float64Array,
): Dataset {
  const d: Dataset = { name, kind: 'cube', shape: [rows, cols, x.length], coords: { x: Float64Array.from(x) }, values };
  if (sigma) d.sigma = sigma;
  cubeDims(d);
  return d;
}

/** The channels a fit uses: finite axis value, not masked for all pixels (per-channel mask), inside the fit ranges. */
export function fitChannels(d: Dataset, ranges: FitRange[] = []): Int32Array {
  const { channels } = cubeDims(d);
  const axis = signalAxis(d);
  const chMask = d.mask && d.mask.length === channels ? d.mask : null;
  const keep: number[] = [];
  for (let k = 0; k < channels; k++) {
    if (chMask && chMask[k]) continue;
    if (!Number.isFinite(axis[k])) continue;
    if (ranges.length > 0 && !pointIncluded(axis[k], ranges)) continue;
    keep.push(k);
  }
  if (keep.length === 0) throw new CubeError(`${d.name}: no channels left to fit (check the mask and the fit ranges)`);
  return Int32Array.from(keep);
}

/** A signal-axis calibration: channel k at start + k * step, in `units`. */
export interface AxisCalibration {
  start: number;
  step: number;
  units?: string;
}

/** The calibration of a uniform signal axis (null when the axis is not uniform to 1e-9 of a step). */
export function axisCalibration(d: Dataset): AxisCalibration | null {
  const x = signalAxis(d);
  if (x.length === 0) return null;
  const step = x.length > 1 ? (x[x.length - 1] - x[0]) / (x.length - 1) : 1;
  for (let k = 0; k < x.length; k++) if (Math.abs(x[k] - (x[0] + k * step)) > 1e-9 * Math.abs(step)) return null;
  return { start: x[0], step, units: d.labels?.x };
}

/** A copy of the cube with the signal axis start + k * step (the values are shared, not copied). */
export function calibrateSignalAxis(d: Dataset, cal: AxisCalibration): Dataset {
  const { channels } = cubeDims(d);
  if (!Number.isFinite(cal.start)) throw new CubeError(`${d.name}: the axis start must be a finite number, got ${cal.start}`);
  if (!Number.isFinite(cal.step) || cal.step === 0) throw new CubeError(`${d.name}: the axis step must be a finite non-zero number, got ${cal.step}`);
  const x = new Float64Array(channels);
  for (let k = 0; k < channels; k++) x[k] = cal.start + k * cal.step;
  const labels = { ...(d.labels ?? {}) };
  if (cal.units !== undefined) {
    if (cal.units.trim() === '') delete labels.x;
    else labels.x = cal.units.trim();
  }
  return { ...d, coords: { ...d.coords, x }, labels };
}
