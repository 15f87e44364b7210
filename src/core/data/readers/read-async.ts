/**
 * Reading files including HDF5 ones (HyperSpy .hspy). readDataFiles (index.ts) is synchronous and
 * HDF5 needs h5wasm, whose WebAssembly init is asynchronous; so:
 * - readDataFilesAsync(files): loads h5wasm when some file is HDF5, then reads everything;
 * - readDataFilesWithHdf5(files): synchronous, for callers that loaded h5wasm beforehand
 *   (loadHdf5(), once): HDF5 files through readHspy, the others through readDataFiles. Without
 *   h5wasm loaded an HDF5 file comes back as a LoadError saying so.
 * A file is HDF5 by its signature, or by its extension (.hspy, .hdf5, .h5: so that a damaged or
 * mislabelled one gets the HDF5 reader's message). Datasets keep unique names across both kinds.
 */
import type { Dataset } from '../dataset';
import { hdf5Loaded, isHdf5, loadHdf5, readHspyWith } from './hspy';
import { readDataFiles, type DataFile, type ReadResult } from './index';
import { asLoadError, LoadError } from './load-error';
import { extension } from './text';

const HDF5_EXTENSIONS = new Set(['hspy', 'hdf5', 'h5', 'he5']);

/** Whether the file goes to the HDF5 reader (signature or extension). */
export function isHdf5File(file: DataFile): boolean {
  return HDF5_EXTENSIONS.has(extension(file.name)) || isHdf5(file.bytes ?? new Uint8Array(0));
}

/** Loads h5wasm when one of the files is HDF5 (so that readDataFilesWithHdf5 can read it). */
export async function prepareHdf5(files: DataFile[]): Promise<void> {
  if (files.some(isHdf5File)) await loadHdf5();
}

/** readDataFiles plus HDF5 files, synchronously; h5wasm must have been loaded (see the module comment). */
export function readDataFilesWithHdf5(files: DataFile[]): ReadResult {
  const list = files.map((f) => ({ name: f.name || '(unnamed file)', bytes: f.bytes ?? new Uint8Array(0) }));
  const hdf5 = list.filter(isHdf5File);
  if (hdf5.length === 0) return readDataFiles(list);
  const result = readDataFiles(list.filter((f) => !isHdf5File(f)));
  const used = new Set(result.datasets.map((d) => d.name));
  const h5 = hdf5Loaded();
  for (const f of hdf5) {
    try {
      if (!h5) throw new LoadError(f.name, 'the HDF5 reader is not loaded (call loadHdf5() and wait for it before reading .hspy files)');
      const d: Dataset = readHspyWith(h5, f).dataset;
      let n = d.name;
      for (let k = 2; used.has(n); k++) n = `${d.name} (${k})`;
      used.add(n);
      d.name = n;
      result.datasets.push(d);
    } catch (e) {
      result.errors.push(asLoadError(f.name, e));
    }
  }
  return result;
}

/** Reads files into datasets like readDataFiles, HyperSpy .hspy (HDF5) files included; never throws. */
export async function readDataFilesAsync(files: DataFile[]): Promise<ReadResult> {
  try {
    await prepareHdf5(files);
  } catch (e) {
    // h5wasm could not load: the HDF5 files each get the message, the others are read
    const why = e instanceof Error ? e.message : String(e);
    const result = readDataFiles(files.filter((f) => !isHdf5File(f)));
    for (const f of files.filter(isHdf5File)) result.errors.push(new LoadError(f.name || '(unnamed file)', `the HDF5 reader (h5wasm) could not be loaded: ${why}`));
    return result;
  }
  return readDataFilesWithHdf5(files);
}
