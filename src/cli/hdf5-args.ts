/**
 * The runner's readers are synchronous; HDF5 (.hspy) needs h5wasm, whose init is asynchronous.
 * So before a command runs, runCliAsync (run.ts) loads h5wasm once when an argument names an HDF5
 * file: by extension (.hspy, .hdf5, .h5, .he5) or by the HDF5 signature in its first bytes.
 * Other runs never load it.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isHdf5, loadHdf5 } from '../core/data/readers/hspy';
import { isHdf5File } from '../core/data/readers/read-async';

/** The first bytes of a regular file (empty when it is not one or cannot be read). */
function head(path: string, n: number): Uint8Array {
  try {
    if (!statSync(path).isFile()) return new Uint8Array(0);
    const fd = openSync(path, 'r');
    try {
      const buf = new Uint8Array(n);
      const got = readSync(fd, buf, 0, n, 0);
      return buf.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  } catch {
    return new Uint8Array(0);
  }
}

/** Whether an argument is (the path of) an HDF5 file. */
export function namesHdf5File(arg: string): boolean {
  if (arg.startsWith('-') || arg.trim() === '') return false;
  if (isHdf5File({ name: arg, bytes: new Uint8Array(0) })) return true;
  return isHdf5(head(arg, 8));
}

/** Loads h5wasm when some argument is an HDF5 file; true when it did (or had already). */
export async function loadHdf5ForArgs(argv: string[]): Promise<boolean> {
  if (!argv.some(namesHdf5File)) return false;
  await loadHdf5();
  return true;
}
