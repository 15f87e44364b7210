/**
 * Reading dropped or picked files into datasets. Browser-safe (bytes in, no fs); never throws:
 * every problem comes back as a LoadError naming its file.
 *
 * Spectrum images: a 3-D .npy array (rows, cols, channels) is read as a cube (npy-cube.ts; signal
 * axis = channel number, 0 + 1 * k); 1-D and 2-D arrays stay spectra as before. EMSA/MSA files
 * (.msa / .emsa / .ems, or any text starting with `#FORMAT : EMSA`) are spectra; several MSA files
 * read together are one stack cube [1, n, channels] (msa.ts readMsaStack, one pixel per file in
 * the order given). When their calibrations differ they are kept as separate spectra, each with a
 * note saying why they were not stacked.
 */
import type { Dataset } from '../dataset';
import { asLoadError, LoadError } from './load-error';
import { readDelimited, type Table } from './delimited';
import { chooseColumns, tableToSpectrum } from './columns';
import { readDataNoisePair, readJson } from './json';
import { readMsa, readMsaStack, isMsa } from './msa';
import { isNpy, npyToSpectrum, parseNpy } from './npy';
import { npyToCube } from './npy-cube';
import { baseName, decodeText, dirName, extension, looksBinary } from './text';
import { readImageFiles, type ImageAuxiliary, type ImageSource } from './image-files';

export { LoadError, asLoadError } from './load-error';
export { parseDelimitedText, readDelimited, type Table } from './delimited';
export type { Delimiter } from './detect-delimiter';
export { chooseColumns, tableToSpectrum, describeChoice, type ColumnChoice } from './columns';
export { readJson, readDataNoisePair, jsonValueToSpectrum } from './json';
export { parseNpy, npyToSpectrum, readNpy, isNpy, type NpyArray } from './npy';
export { writeNpy } from './npy-write';
export { npyToCube, readNpyCube, type NpyCubeOptions } from './npy-cube';
export { parseMsa, readMsa, readMsaStack, isMsa, type MsaSpectrum } from './msa';

export interface DataFile {
  /** file name, possibly with a folder path ('run1/data.json') */
  name: string;
  bytes: Uint8Array;
}

export interface ReadResult {
  datasets: Dataset[];
  errors: LoadError[];
  /** the parsed table behind each delimited-text dataset, by dataset name (for choosing other columns) */
  tables: Map<string, Table>;
  /** image variance / weight / mask / PSF files dropped without an image (image-files.ts) */
  auxiliary?: ImageAuxiliary[];
  /** what each image dataset was read from, by dataset name (for replacing planes later) */
  imageSources?: Map<string, ImageSource>;
}

const TEXT_EXTENSIONS = new Set(['csv', 'tsv', 'txt', 'dat', 'asc', 'xy', 'prn', 'tab', 'ssv']);
const NOISE_MAP_NAMES = new Set(['noise_map.json', 'noise-map.json', 'noisemap.json']);

const MSA_EXTENSIONS = new Set(['msa', 'emsa', 'ems']);

type Reader = 'delimited' | 'json' | 'npy' | 'msa';

/** How to read a file: the magic bytes first, then the extension, then a look at the text. */
function sniff(file: DataFile): Reader {
  if (isNpy(file.bytes)) return 'npy';
  const ext = extension(file.name);
  if (ext === 'npy') return 'npy';
  if (MSA_EXTENSIONS.has(ext)) return 'msa';
  if (ext === 'json') return 'json';
  if (ext === 'npz') throw new LoadError(file.name, '.npz archives are not supported; save one array with numpy.save (.npy)');
  const text = decodeText(file.bytes.subarray(0, 4096));
  if (isMsa(text)) return 'msa';
  if (TEXT_EXTENSIONS.has(ext)) return 'delimited';
  if (looksBinary(file.bytes, text)) {
    throw new LoadError(file.name, `unknown file type${ext ? ` '.${ext}'` : ''} with binary content; supported: .csv .tsv .txt .dat .json .npy`);
  }
  const first = text.trimStart()[0];
  return first === '[' || first === '{' ? 'json' : 'delimited';
}

/** A .npy file: a 3-D array is a spectrum image (cube), anything else a spectrum (npy.ts). */
function readNpyFile(file: DataFile): Dataset {
  const arr = parseNpy(file.name, file.bytes);
  return arr.shape.length === 3 ? npyToCube(file.name, arr) : npyToSpectrum(file.name, arr);
}

/** Reads files into spectra; pairs PyAutoFit's data.json + noise_map.json of one folder. */
export function readDataFiles(files: DataFile[]): ReadResult {
  const datasets: Dataset[] = [];
  const errors: LoadError[] = [];
  const tables = new Map<string, Table>();
  const used = new Set<string>();
  const uniqueName = (name: string): string => {
    let n = name;
    for (let k = 2; used.has(n); k++) n = `${name} (${k})`;
    used.add(n);
    return n;
  };
  const add = (d: Dataset, table?: Table) => {
    d.name = uniqueName(d.name);
    datasets.push(d);
    if (table) tables.set(d.name, table);
  };

  const list = files.map((f) => ({ name: f.name || '(unnamed file)', bytes: f.bytes ?? new Uint8Array(0) }));
  // PyAutoFit folders: data.json with noise_map.json beside it
  const consumed = new Set<number>();
  const pairFolders = new Map<string, { data: number; noise: number }>();
  list.forEach((f, i) => {
    if (baseName(f.name).toLowerCase() !== 'data.json') return;
    const dir = dirName(f.name);
    const j = list.findIndex((g, k) => !consumed.has(k) && dirName(g.name) === dir && NOISE_MAP_NAMES.has(baseName(g.name).toLowerCase()));
    if (j < 0 || pairFolders.has(dir)) return;
    pairFolders.set(dir, { data: i, noise: j });
    consumed.add(i);
    consumed.add(j);
  });
  // other JSON files in such a folder (model.json, info.json...) are PyAutoFit metadata
  const skipped = new Map<string, string[]>();
  list.forEach((f, i) => {
    const dir = dirName(f.name);
    if (consumed.has(i) || !pairFolders.has(dir) || extension(f.name) !== 'json') return;
    consumed.add(i);
    skipped.set(dir, [...(skipped.get(dir) ?? []), baseName(f.name)]);
  });

  // FITS and 2D .npy images with their variance / weight / mask / PSF files (image-files.ts)
  const images = readImageFiles(list, consumed);
  for (const i of images.consumed) consumed.add(i);
  errors.push(...images.errors);
  const imageSources = new Map<string, ImageSource>();
  for (const d of images.datasets) {
    const source = images.sources.get(d.name);
    add(d);
    if (source) imageSources.set(d.name, source);
  }

  // EMSA/MSA files: sniffed first, so that several of them become one stack (added where the first one is)
  const readers = list.map((f, i): Reader | LoadError | null => {
    if (consumed.has(i) || [...pairFolders.values()].some((p) => p.data === i)) return null;
    try {
      return sniff(f);
    } catch (e) {
      return asLoadError(f.name, e);
    }
  });
  const msaIndices = readers.flatMap((r, i) => (r === 'msa' ? [i] : []));
  const msaDatasets = new Map<number, Dataset>();
  if (msaIndices.length > 0) {
    const good: number[] = [];
    for (const i of msaIndices) {
      try {
        msaDatasets.set(i, readMsa(list[i]));
        good.push(i);
      } catch (e) {
        errors.push(asLoadError(list[i].name, e));
      }
    }
    if (good.length > 1) {
      try {
        const stack = readMsaStack(good.map((i) => list[i]));
        for (const i of good) msaDatasets.delete(i);
        msaDatasets.set(good[0], stack);
      } catch (e) {
        const why = asLoadError(list[good[0]].name, e).message;
        for (const i of good) {
          const d = msaDatasets.get(i)!;
          d.notes = [...(d.notes ?? []), `not stacked with the other EMSA/MSA files: ${why}`];
        }
      }
    }
  }

  list.forEach((f, i) => {
    if (readers[i] === 'msa') {
      const d = msaDatasets.get(i);
      if (d) add(d);
      return;
    }
    const pair = [...pairFolders.entries()].find(([, p]) => p.data === i);
    if (pair) {
      const [dir, p] = pair;
      try {
        const folder = baseName(dir);
        const d = readDataNoisePair(folder || 'data.json', list[p.data], list[p.noise]);
        const ignored = skipped.get(dir);
        if (ignored) d.notes = [...(d.notes ?? []), `ignored in the folder: ${ignored.join(', ')}`];
        add(d);
      } catch (e) {
        errors.push(asLoadError(f.name, e));
      }
      return;
    }
    if (consumed.has(i)) return;
    try {
      const reader = readers[i];
      if (reader instanceof LoadError) throw reader;
      if (reader === 'npy') add(readNpyFile(f));
      else if (reader === 'json') {
        if (NOISE_MAP_NAMES.has(baseName(f.name).toLowerCase())) {
          throw new LoadError(f.name, 'a noise map needs its data.json in the same folder (drop both files, or the folder)');
        }
        add(readJson(f));
      } else {
        const table = readDelimited(f);
        add(tableToSpectrum(table, chooseColumns(table)), table);
      }
    } catch (e) {
      errors.push(asLoadError(f.name, e));
    }
  });
  return { datasets, errors, tables, auxiliary: images.auxiliary, imageSources };
}
