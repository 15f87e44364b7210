/**
 * Image datasets from 2D arrays (FITS or .npy): shape [rows, cols], one point per pixel in
 * row-major order with coords x = column j and y = row i (AstroPhot's convention: pixel (i, j) has
 * its centre at x = j, y = i). Optional planes of the same shape: variance (sigma = sqrt(variance))
 * or weight (inverse variance, sigma = 1 / sqrt(weight)), and a mask (non-zero = excluded).
 * Pixels with a NaN/Inf value are masked (their value set to 0) and counted in the notes.
 */
import type { Dataset } from '../data/dataset';
import { LoadError } from '../data/readers/load-error';
import { parseNpy, type NpyArray } from '../data/readers/npy';

/** A named 2D array: a value plane or an auxiliary one (the name is used in messages). */
export interface ImagePlane {
  name: string;
  data: Float64Array;
  shape: number[];
}

export interface ImagePlanes {
  /** per-pixel variance (sigma^2) */
  variance?: ImagePlane;
  /** per-pixel weight = 1 / variance */
  weight?: ImagePlane;
  /** non-zero (or NaN) = pixel excluded from the fit */
  mask?: ImagePlane;
}

function shapeText(shape: number[]): string {
  return `${shape.join(' × ')}`;
}

/** [rows, cols] of a 2D array, dropping leading axes of length 1; a LoadError otherwise. */
export function imageShape(file: string, shape: number[]): [number, number] {
  let s = shape;
  while (s.length > 2 && s[0] === 1) s = s.slice(1);
  if (s.length !== 2) throw new LoadError(file, `shape ${shapeText(shape)} is not an image: expected a 2D array (rows × columns)`);
  if (s[0] === 0 || s[1] === 0) throw new LoadError(file, `the image is empty (shape ${shapeText(shape)})`);
  return [s[0], s[1]];
}

function where(cols: number, k: number): string {
  return `pixel (row ${Math.floor(k / cols)}, column ${k % cols})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Builds the image dataset; errors (LoadError) name the file at fault: shape mismatch between
 * planes, both variance and weight given, and NaN/Inf/negative variance or weight at a pixel that
 * is not masked, zero variance. A zero weight masks the pixel (no information there).
 */
export function arrayToImage(name: string, image: { data: Float64Array; shape: number[] }, planes: ImagePlanes = {}, notes: string[] = []): Dataset {
  const [rows, cols] = imageShape(name, image.shape);
  const n = rows * cols;
  if (image.data.length !== n) throw new LoadError(name, `the data have ${image.data.length} values but the shape ${shapeText(image.shape)} needs ${n}`);
  const check = (p: ImagePlane | undefined, role: string) => {
    if (!p) return;
    const [r, c] = imageShape(p.name, p.shape);
    if (r !== rows || c !== cols || p.data.length !== n) {
      throw new LoadError(p.name, `the ${role} has shape ${shapeText(p.shape)} but the image ${name} is ${rows} × ${cols}`);
    }
  };
  check(planes.variance, 'variance');
  check(planes.weight, 'weight');
  check(planes.mask, 'mask');
  if (planes.variance && planes.weight) {
    throw new LoadError(planes.weight.name, `both a variance (${planes.variance.name}) and a weight map were given for ${name}; give one`);
  }

  const values = Float64Array.from(image.data);
  const mask = new Uint8Array(n);
  let masked = 0;
  let bad = 0;
  if (planes.mask) {
    const m = planes.mask.data;
    for (let k = 0; k < n; k++) {
      if (m[k] !== 0) {
        mask[k] = 1; // NaN !== 0 too
        masked++;
      }
    }
  }
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(values[k])) {
      values[k] = 0;
      if (!mask[k]) bad++;
      mask[k] = 1;
    }
  }
  const out: string[] = [...notes, `image ${rows} × ${cols} (rows × columns); x = column, y = row`];
  if (planes.mask) out.push(`${plural(masked, 'pixel')} masked by ${planes.mask.name}`);
  if (bad > 0) out.push(`${plural(bad, 'pixel')} with NaN/Inf masked`);

  let sigma: Float64Array | undefined;
  const aux = planes.variance ?? planes.weight;
  if (aux) {
    const isWeight = aux === planes.weight;
    const label = isWeight ? 'weight' : 'variance';
    sigma = new Float64Array(n);
    let zero = 0;
    for (let k = 0; k < n; k++) {
      const v = aux.data[k];
      if (mask[k]) {
        sigma[k] = 1; // not used; finite so that statistics stay finite
        continue;
      }
      if (!Number.isFinite(v) || v < 0) {
        throw new LoadError(aux.name, `${label} at ${where(cols, k)} is ${v}; it must be finite and >= 0 (or mask the pixel)`);
      }
      if (v === 0) {
        if (!isWeight) throw new LoadError(aux.name, `variance at ${where(cols, k)} is 0; it must be > 0 (or mask the pixel)`);
        mask[k] = 1; // zero weight: no information
        sigma[k] = 1;
        zero++;
        continue;
      }
      sigma[k] = isWeight ? 1 / Math.sqrt(v) : Math.sqrt(v);
    }
    out.push(isWeight ? `sigma = 1/sqrt(weight) from ${aux.name}` : `sigma = sqrt(variance) from ${aux.name}`);
    if (zero > 0) out.push(`${plural(zero, 'pixel')} with zero weight masked`);
  }

  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0, k = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++, k++) {
      x[k] = j;
      y[k] = i;
    }
  }
  let anyMasked = false;
  for (let k = 0; k < n && !anyMasked; k++) if (mask[k]) anyMasked = true;
  return {
    name,
    kind: 'image',
    shape: [rows, cols],
    coords: { x, y },
    values,
    sigma,
    mask: anyMasked ? mask : undefined,
    notes: out,
    labels: { x: 'column (pixel)', y: 'row (pixel)' },
  };
}

/** An image dataset from a 2D .npy array. */
export function npyToImage(name: string, arr: NpyArray, planes: ImagePlanes = {}): Dataset {
  return arrayToImage(name, { data: arr.data, shape: arr.shape }, planes, [`.npy ${arr.dtype} array`]);
}

/** An image dataset from .npy bytes. */
export function readNpyImage(file: { name: string; bytes: Uint8Array }, planes: ImagePlanes = {}): Dataset {
  return npyToImage(file.name, parseNpy(file.name, file.bytes), planes);
}
