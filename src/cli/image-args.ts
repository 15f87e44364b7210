/**
 * Image datasets for the runner: `fit IMAGE [--variance FILE | --weight FILE] [--mask FILE]
 * [--psf FILE | --psf-gaussian SIGMA[,SIZE] | --psf-moffat N,RD[,SIZE]]`.
 *
 * IMAGE is a FITS file (.fits .fit .fts, also .gz; the primary HDU or the first IMAGE extension) or
 * a 2D .npy array; the auxiliary planes are FITS or .npy files of the same shape (variance: sigma =
 * sqrt(variance); weight: inverse variance; mask: non-zero = pixel left out). A PSF file is an odd
 * square image, normalised on load; --psf-gaussian and --psf-moffat build one (pixel-integrated,
 * core/image/psf.ts), the default size holding the profile's wings. Pixel (row i, column j) has its
 * centre at x = j, y = i.
 */
import { readFileSync } from 'node:fs';
import type { Dataset } from '../core/data/dataset';
import { buildImage, isImageFile, psfFromPlane, readImagePlane, type ImageFile } from '../core/data/readers/image-files';
import { LoadError } from '../core/data/readers/load-error';
import { gaussianPsf, moffatPsf, PsfError } from '../core/image/psf';
import { parseNumberArg, single, UsageError, type ParsedArgs } from './args';
import { DataError } from './load-data';

/** the runner's image options (value options; registered in args.ts) */
export const IMAGE_OPTIONS = ['weight', 'mask', 'psf', 'psf-gaussian', 'psf-moffat'];

const FITS_NAME = /\.(fits|fit|fts)(\.gz)?$/i;

function read(path: string): ImageFile {
  try {
    return { name: path, bytes: new Uint8Array(readFileSync(path)) };
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as Error).message}`);
  }
}

/** FITS by name, or a FITS / 2D .npy file by content. */
export function isImagePath(path: string): boolean {
  if (FITS_NAME.test(path)) return true;
  if (!/\.npy$/i.test(path)) return false;
  let file: ImageFile;
  try {
    file = { name: path, bytes: new Uint8Array(readFileSync(path)) };
  } catch {
    return false;
  }
  return isImageFile(file);
}

/** Image-only options given (the --variance of `fit` is a file; multifit's --variance is a mode and is not seen here). */
export function imageFlagsGiven(args: ParsedArgs): string[] {
  const out = IMAGE_OPTIONS.filter((o) => args.flags.has(o));
  if (args.flags.has('variance') && args.command !== 'multifit') out.unshift('variance');
  return out.map((o) => `--${o}`);
}

function dataError(e: unknown): never {
  if (e instanceof LoadError || e instanceof PsfError) throw new DataError(e.message);
  throw e;
}

/** --psf-gaussian SIGMA[,SIZE] | --psf-moffat N,RD[,SIZE] | --psf FILE (at most one) */
function psfFromArgs(args: ParsedArgs): Dataset['psf'] | undefined {
  const file = single(args, 'psf');
  const g = single(args, 'psf-gaussian');
  const m = single(args, 'psf-moffat');
  const given = [file, g, m].filter((v) => v !== undefined).length;
  if (given > 1) throw new UsageError('Give one PSF: --psf FILE, --psf-gaussian SIGMA[,SIZE] or --psf-moffat N,RD[,SIZE]');
  const size = (parts: string[], k: number, flag: string): number | undefined => {
    if (parts.length <= k) return undefined;
    const s = parseNumberArg(parts[k], `${flag} size`);
    if (!Number.isInteger(s) || s < 1 || s % 2 !== 1) throw new UsageError(`${flag}: the size must be a positive odd integer, got "${parts[k]}"`);
    return s;
  };
  try {
    if (g !== undefined) {
      const parts = g.split(',');
      if (parts.length > 2) throw new UsageError(`--psf-gaussian SIGMA[,SIZE], got "${g}"`);
      const sigma = parseNumberArg(parts[0], '--psf-gaussian sigma');
      if (!(sigma > 0)) throw new UsageError(`--psf-gaussian: sigma must be > 0, got "${parts[0]}"`);
      const p = gaussianPsf(sigma, size(parts, 1, '--psf-gaussian'));
      return { ...p, source: `Gaussian sigma ${sigma} px, ${p.size} × ${p.size}` };
    }
    if (m !== undefined) {
      const parts = m.split(',');
      if (parts.length < 2 || parts.length > 3) throw new UsageError(`--psf-moffat N,RD[,SIZE], got "${m}"`);
      const n = parseNumberArg(parts[0], '--psf-moffat n');
      const rd = parseNumberArg(parts[1], '--psf-moffat Rd');
      if (!(n > 1)) throw new UsageError(`--psf-moffat: n must be > 1, got "${parts[0]}"`);
      if (!(rd > 0)) throw new UsageError(`--psf-moffat: Rd must be > 0, got "${parts[1]}"`);
      const p = moffatPsf(n, rd, size(parts, 2, '--psf-moffat'));
      return { ...p, source: `Moffat n ${n}, Rd ${rd} px, ${p.size} × ${p.size}` };
    }
    if (file !== undefined) return psfFromPlane(readImagePlane(read(file)));
  } catch (e) {
    dataError(e);
  }
  return undefined;
}

/** The image dataset of `path` with the planes and PSF named by the options. */
export function loadImageDataset(path: string, args: ParsedArgs): Dataset {
  for (const f of ['x-col', 'y-col', 'sigma-col']) {
    if (args.flags.has(f)) throw new UsageError(`--${f} applies to delimited text files; ${path} is an image`);
  }
  const variance = single(args, 'variance');
  const weight = single(args, 'weight');
  if (variance !== undefined && weight !== undefined) throw new UsageError('Give --variance or --weight, not both');
  const mask = single(args, 'mask');
  const psf = psfFromArgs(args);
  try {
    const image = readImagePlane(read(path));
    const source = {
      image,
      notes: image.notes,
      ...(variance !== undefined ? { variance: readImagePlane(read(variance)) } : {}),
      ...(weight !== undefined ? { weight: readImagePlane(read(weight)) } : {}),
      ...(mask !== undefined ? { mask: readImagePlane(read(mask)) } : {}),
    };
    return buildImage(path, source, psf);
  } catch (e) {
    dataError(e);
  }
}
