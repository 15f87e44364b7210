/**
 * Image files: FITS (.fits .fit .fts, also gzip-compressed; the primary HDU or the first IMAGE
 * extension with data, fits.ts) and 2D .npy arrays, read into image datasets
 * (core/image/image-dataset.ts: x = column j, y = row i, NaN pixels masked and counted).
 *
 * Files dropped together are given roles by their names (the stem's words, split at anything
 * that is not a letter or digit):
 *   weight:   wht, weight(s), ivar, invvar, inverse     (weight = 1 / variance)
 *   variance: var, variance
 *   mask:     mask, bpm, badpix                          (non-zero = pixel excluded)
 *   psf:      psf, prf                                   (normalised to sum 1 on load)
 *   anything else is an image.
 * An auxiliary file belongs to the image whose name holds the same words once the role word is
 * taken out ("ngc_var.fits" -> "ngc.fits"), or else to the only image of the drop (or of its
 * folder). Auxiliary files dropped without any image come back in `auxiliary`, for the app to
 * apply to the active image. Every problem is a LoadError naming the file at fault.
 *
 * A 2D .npy array is an image when it has more than 3 rows and more than 3 columns, or when its
 * name gives it an auxiliary role; narrower arrays stay spectra (columns x, y[, sigma]; npy.ts).
 */
import type { Dataset, DatasetPsf } from '../dataset';
import { isFits, readFitsImage } from './fits';
import { asLoadError, LoadError } from './load-error';
import { isNpy, parseNpy } from './npy';
import { baseName, dirName } from './text';
import { arrayToImage, imageShape, type ImagePlane, type ImagePlanes } from '../../image/image-dataset';
import { psfFromImage, PsfError } from '../../image/psf';

export type ImageRole = 'image' | 'variance' | 'weight' | 'mask' | 'psf';
export type AuxRole = Exclude<ImageRole, 'image'>;

export interface ImageFile {
  name: string;
  bytes: Uint8Array;
}

/** A plane read from an auxiliary file, not yet attached to an image. */
export interface ImageAuxiliary {
  role: AuxRole;
  plane: ImagePlane;
}

/** What an image dataset was built from, kept (in memory) so that planes can be replaced later. */
export interface ImageSource {
  image: ImagePlane;
  variance?: ImagePlane;
  weight?: ImagePlane;
  mask?: ImagePlane;
  /** the notes of the image file itself (FITS HDU, .npy dtype) */
  notes: string[];
  /** true when rebuilt from a dataset (restored session): masked pixels cannot be unmasked */
  derived?: boolean;
}

export interface ImageReadResult {
  datasets: Dataset[];
  errors: LoadError[];
  /** auxiliary files dropped without an image */
  auxiliary: ImageAuxiliary[];
  /** indices (into the list given) of the files read here */
  consumed: Set<number>;
  /** by dataset name */
  sources: Map<string, ImageSource>;
}

const FITS_EXT = /\.(fits|fit|fts)(\.gz)?$/i;
const NPY_EXT = /\.npy$/i;

const ROLE_WORDS: [AuxRole, Set<string>][] = [
  ['weight', new Set(['wht', 'weight', 'weights', 'ivar', 'invvar', 'inverse', 'wt'])],
  ['variance', new Set(['var', 'variance', 'vars'])],
  ['mask', new Set(['mask', 'bpm', 'badpix', 'badpixels', 'badpixel'])],
  ['psf', new Set(['psf', 'prf'])],
];
/** role words that also count inside a longer word ("tutorialvariance") */
const ROLE_SUBSTRINGS: [AuxRole, string[]][] = [
  ['weight', ['invvar', 'ivar', 'weight']],
  ['variance', ['variance']],
  ['mask', ['mask']],
  ['psf', ['psf']],
];

function stemWords(name: string): string[] {
  const stem = baseName(name)
    .toLowerCase()
    .replace(/\.gz$/, '')
    .replace(/\.[a-z0-9]+$/, '');
  return stem.split(/[^a-z0-9]+/).filter((w) => w.length > 0);
}

/** The role a file name gives (see the header). */
export function imageRole(name: string): ImageRole {
  const words = stemWords(name);
  for (const [role, set] of ROLE_WORDS) if (words.some((w) => set.has(w))) return role;
  const joined = words.join('_');
  for (const [role, subs] of ROLE_SUBSTRINGS) if (subs.some((s) => joined.includes(s))) return role;
  return 'image';
}

/** The words of a file's stem without its role words ("ngc_1_var.fits" -> ["ngc", "1"]). */
export function imageStemWords(name: string): string[] {
  const role = imageRole(name);
  const words = stemWords(name);
  if (role === 'image') return words;
  const subs = ROLE_SUBSTRINGS.find(([r]) => r === role)![1];
  return words
    .filter((w) => !ROLE_WORDS.some(([, set]) => set.has(w)))
    .map((w) => {
      for (const s of subs) if (w.includes(s)) return w.replace(s, '');
      return w;
    })
    .filter((w) => w.length > 0);
}

export function isFitsFile(file: ImageFile): boolean {
  return isFits(file.bytes) || FITS_EXT.test(file.name);
}

/** The 2D array of a FITS or .npy file as a named plane (LoadError naming the file otherwise). */
export function readImagePlane(file: ImageFile): ImagePlane & { notes: string[] } {
  if (isFitsFile(file)) {
    const f = readFitsImage(file.name, file.bytes);
    imageShape(file.name, f.shape);
    return { name: file.name, data: f.data, shape: f.shape, notes: [`FITS image from HDU ${f.hdu} (BITPIX ${f.bitpix})`] };
  }
  if (isNpy(file.bytes) || NPY_EXT.test(file.name)) {
    const arr = parseNpy(file.name, file.bytes);
    const shape = imageShape(file.name, arr.shape);
    return { name: file.name, data: arr.data, shape, notes: [`.npy ${arr.dtype} array`] };
  }
  throw new LoadError(file.name, 'not an image file: expected FITS (.fits, .fit, .fts, optionally .gz) or a 2D .npy array');
}

/** Whether this file is read here (FITS, or a .npy that is an image or an auxiliary plane). */
export function isImageFile(file: ImageFile): boolean {
  if (isFitsFile(file)) return true;
  if (!(isNpy(file.bytes) || NPY_EXT.test(file.name))) return false;
  let shape: number[];
  try {
    shape = parseNpy(file.name, file.bytes).shape;
  } catch {
    return false; // the spectrum reader reports it
  }
  let s = shape;
  while (s.length > 2 && s[0] === 1) s = s.slice(1);
  if (s.length !== 2) return false;
  if (imageRole(file.name) !== 'image') return true;
  return s[0] > 3 && s[1] > 3;
}

/** A PSF from a plane: square, odd side, finite, centred; normalised to sum 1 (psf.ts). */
export function psfFromPlane(plane: ImagePlane): DatasetPsf {
  const [rows, cols] = imageShape(plane.name, plane.shape);
  try {
    const p = psfFromImage(plane.data, rows, cols, plane.name);
    return { data: p.data, size: p.size, source: plane.name };
  } catch (e) {
    if (e instanceof PsfError) {
      const prefix = `${plane.name}: `;
      throw new LoadError(plane.name, e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message);
    }
    throw e;
  }
}

/** The image dataset of a source (planes checked against the image; psf attached when given). */
export function buildImage(name: string, source: ImageSource, psf?: DatasetPsf): Dataset {
  const planes: ImagePlanes = { variance: source.variance, weight: source.weight, mask: source.mask };
  const d = arrayToImage(name, { data: source.image.data, shape: source.image.shape }, planes, source.notes);
  if (psf) {
    d.psf = psf;
    d.notes = [...(d.notes ?? []), `PSF ${psf.size} × ${psf.size} from ${psf.source ?? 'unknown'}`];
  }
  return d;
}

/**
 * A source for an image dataset that was not read in this page (a restored session): the values as
 * the image, the current mask and sigma as planes. Pixels masked now stay masked.
 */
export function sourceFromDataset(d: Dataset): ImageSource {
  const n = d.values.length;
  const image: ImagePlane = { name: d.name, data: Float64Array.from(d.values), shape: [...d.shape] };
  const src: ImageSource = { image, notes: [], derived: true };
  if (d.mask) {
    const m = new Float64Array(n);
    for (let k = 0; k < n; k++) m[k] = d.mask[k];
    src.mask = { name: `${d.name} (current mask)`, data: m, shape: [...d.shape] };
  }
  if (d.sigma) {
    const v = new Float64Array(n);
    for (let k = 0; k < n; k++) v[k] = d.sigma[k] * d.sigma[k];
    src.variance = { name: `${d.name} (current sigma)`, data: v, shape: [...d.shape] };
  }
  return src;
}

/**
 * A source with one plane replaced (or removed with `plane = null`). A mask given for a derived
 * source is combined with the current one (the session does not keep which pixels were NaN).
 */
export function withPlane(source: ImageSource, role: 'variance' | 'weight' | 'mask', plane: ImagePlane | null): ImageSource {
  const out: ImageSource = { ...source };
  if (role === 'mask') {
    if (plane && source.derived && source.mask) {
      const m = new Float64Array(plane.data.length);
      for (let k = 0; k < m.length; k++) m[k] = plane.data[k] !== 0 || source.mask.data[k] !== 0 ? 1 : 0;
      out.mask = { name: plane.name, data: m, shape: plane.shape };
    } else if (plane) out.mask = plane;
    else delete out.mask;
    return out;
  }
  // variance and weight replace each other
  delete out.variance;
  delete out.weight;
  if (plane) out[role] = plane;
  return out;
}

interface Candidate {
  index: number;
  file: ImageFile;
  role: ImageRole;
  words: string[];
  dir: string;
}

function containsInOrder(haystack: string[], needle: string[]): boolean {
  let i = 0;
  for (const w of haystack) if (i < needle.length && w === needle[i]) i++;
  return i === needle.length;
}

/**
 * Reads the image files among `files` (skipping the indices in `skip`), attaches the auxiliary
 * ones to their images, and returns what it read. Never throws.
 */
export function readImageFiles(files: ImageFile[], skip: Set<number> = new Set()): ImageReadResult {
  const out: ImageReadResult = { datasets: [], errors: [], auxiliary: [], consumed: new Set(), sources: new Map() };
  const cands: Candidate[] = [];
  files.forEach((file, index) => {
    if (skip.has(index) || !isImageFile(file)) return;
    out.consumed.add(index);
    cands.push({ index, file, role: imageRole(file.name), words: imageStemWords(file.name), dir: dirName(file.name) });
  });
  const images = cands.filter((c) => c.role === 'image');
  const aux = cands.filter((c) => c.role !== 'image');
  // auxiliary file -> image it belongs to
  const owner = new Map<Candidate, Candidate>();
  for (const a of aux) {
    const key = a.words.join('_');
    const sameDir = images.filter((im) => im.dir === a.dir);
    let match = sameDir.filter((im) => im.words.join('_') === key);
    if (match.length !== 1 && a.words.length > 0) match = sameDir.filter((im) => containsInOrder(im.words, a.words));
    if (match.length !== 1) match = sameDir.length === 1 ? sameDir : images.length === 1 ? images : [];
    if (match.length === 1) owner.set(a, match[0]);
    else if (images.length === 0) {
      try {
        const plane = readImagePlane(a.file);
        out.auxiliary.push({ role: a.role as AuxRole, plane: { name: plane.name, data: plane.data, shape: plane.shape } });
      } catch (e) {
        out.errors.push(asLoadError(a.file.name, e));
      }
    } else {
      out.errors.push(
        new LoadError(
          a.file.name,
          `looks like a ${a.role} (from its name) but it is not clear which image it belongs to (${images.map((im) => baseName(im.file.name)).join(', ')}); give it the image's name with _${a.role === 'variance' ? 'var' : a.role}`,
        ),
      );
    }
  }
  for (const im of images) {
    const mine = aux.filter((a) => owner.get(a) === im);
    const name = im.file.name;
    try {
      const plane = readImagePlane(im.file);
      const source: ImageSource = { image: { name, data: plane.data, shape: plane.shape }, notes: plane.notes };
      let psf: DatasetPsf | undefined;
      const seen = new Map<AuxRole, string>();
      for (const a of mine) {
        const role = a.role as AuxRole;
        const first = seen.get(role);
        if (first) throw new LoadError(a.file.name, `a second ${role} file for ${name} (the first is ${first}); drop one`);
        seen.set(role, a.file.name);
        const p = readImagePlane(a.file);
        const ap: ImagePlane = { name: p.name, data: p.data, shape: p.shape };
        if (role === 'psf') psf = psfFromPlane(ap);
        else source[role] = ap;
      }
      const d = buildImage(name, source, psf);
      out.datasets.push(d);
      out.sources.set(d.name, source);
    } catch (e) {
      const err = asLoadError(name, e);
      out.errors.push(err.file === name ? err : new LoadError(err.file, `${err.message.slice(err.file.length + 2)} (so ${name} was not loaded)`));
    }
  }
  return out;
}
