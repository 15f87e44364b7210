/**
 * A spectrum image from a NumPy .npy array: navigation axes first, signal axis last (HyperSpy's
 * and numpy's usual (rows, cols, channels) layout, C order). (rows, cols, channels) is read as is;
 * (n, channels) as one line of n pixels, shape [1, n, channels]. The signal axis is
 * start + step * k (defaults 0 and 1: channel numbers). Values stay in row-major order, pixel
 * major and channel fastest. NaN/Inf values are kept (a fit excludes those points) and counted
 * in the notes.
 */
import type { Dataset } from '../dataset';
import { LoadError } from './load-error';
import { parseNpy, type NpyArray } from './npy';

export interface NpyCubeOptions {
  /** signal axis of channel 0 (default 0) */
  start?: number;
  /** channel width (default 1); any finite non-zero number */
  step?: number;
  /** label of the signal axis, e.g. 'keV' */
  units?: string;
}

function shapeText(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** A cube Dataset from a parsed array (see the module comment for the accepted shapes). */
export function npyToCube(file: string, arr: NpyArray, options: NpyCubeOptions = {}): Dataset {
  const { shape, data } = arr;
  const start = options.start ?? 0;
  const step = options.step ?? 1;
  if (!Number.isFinite(start)) throw new LoadError(file, `the signal axis start must be a finite number; got ${start}`);
  if (!Number.isFinite(step) || step === 0) throw new LoadError(file, `the signal axis step must be a finite non-zero number; got ${step}`);
  let rows: number;
  let cols: number;
  let channels: number;
  if (shape.length === 3) [rows, cols, channels] = shape;
  else if (shape.length === 2) {
    rows = 1;
    [cols, channels] = shape;
  } else {
    throw new LoadError(
      file,
      `shape ${shapeText(shape)} is not a spectrum image: expected (rows, cols, channels) with the signal axis last, or (pixels, channels)`,
    );
  }
  if (rows === 0 || cols === 0 || channels === 0) throw new LoadError(file, `the array is empty (shape ${shapeText(shape)})`);
  if (data.length !== rows * cols * channels) {
    throw new LoadError(file, `shape ${shapeText(shape)} needs ${rows * cols * channels} values but ${data.length} were read`);
  }
  let bad = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) bad++;
  const x = new Float64Array(channels);
  for (let k = 0; k < channels; k++) x[k] = start + step * k;
  const notes = [
    `.npy ${arr.dtype} array of shape ${shapeText(shape)}: ${rows} x ${cols} pixels, ${channels} channels (signal axis last)`,
    `signal axis: ${start} + ${step} * channel${options.units ? ` ${options.units}` : ''}`,
  ];
  if (bad > 0) notes.push(`${bad} value${bad === 1 ? '' : 's'} NaN/Inf kept (excluded from fits)`);
  const d: Dataset = {
    name: file,
    kind: 'cube',
    shape: [rows, cols, channels],
    coords: { x },
    values: data,
    notes,
  };
  if (options.units) d.labels = { x: options.units };
  return d;
}

/** A cube Dataset from .npy bytes; every problem is a LoadError naming the file. */
export function readNpyCube(file: { name: string; bytes: Uint8Array }, options: NpyCubeOptions = {}): Dataset {
  return npyToCube(file.name, parseNpy(file.name, file.bytes), options);
}
