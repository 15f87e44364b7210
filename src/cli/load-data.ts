/** Reads data files from disk for the runner (Node only) through the same core readers as the app. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Dataset } from '../core/data/dataset';
import { tableToSpectrum, type ColumnChoice, type Table } from '../core/data/readers';
// HDF5 (.hspy) files too, once h5wasm is loaded (run.ts runCliAsync loads it when an argument is one)
import { readDataFilesWithHdf5 as readDataFiles } from '../core/data/readers/read-async';
import { UsageError, single, type ParsedArgs } from './args';
import { imageFlagsGiven, isImagePath, loadImageDataset } from './image-args';
import { loadSessionText } from '../core/session/load';
import { jointSchema } from '../core/session/schema';
import type { SessionDoc } from '../core/session/document';

export class DataError extends Error {}

function columnIndex(columns: string[], name: string, file: string, flag: string): number {
  const i = columns.findIndex((c) => c === name);
  if (i >= 0) return i;
  const j = columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
  if (j >= 0) return j;
  throw new UsageError(`${flag} ${name}: ${file} has no such column (columns: ${columns.join(', ')})`);
}

/**
 * The runner's documented defaults (simpler than the app's guess, so scripts can rely on them):
 * x is the column named `x`, else the first; y the one named `y`, else the second; sigma the one
 * named sigma, error or err (any case), else none.
 */
export function runnerDefaultColumns(table: Table): ColumnChoice {
  const lower = table.columns.map((c) => c.trim().toLowerCase());
  const named = (names: string[]) => lower.findIndex((c) => names.includes(c));
  const x = named(['x']);
  const y = named(['y']);
  const sigma = named(['sigma', 'error', 'err']);
  const xi = x >= 0 ? x : 0;
  let yi = y >= 0 ? y : 1;
  if (yi === xi) yi = xi === 0 ? 1 : 0;
  if (yi >= table.columns.length) throw new DataError(`${table.file}: needs at least two columns (x and y)`);
  return { x: xi, y: yi, sigma: sigma >= 0 && sigma !== xi && sigma !== yi ? sigma : null };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const NOISE_MAP_FILES = ['noise_map.json', 'noise-map.json', 'noisemap.json'];

/** A PyAutoFit dataset folder: data.json with noise_map.json beside it (sigma); named by the path given. */
function loadFolder(path: string): Dataset {
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  const data = entries.find((f) => f.toLowerCase() === 'data.json');
  if (!data) throw new DataError(`${path} is a folder without a data.json; give a data file, or a folder holding data.json (and noise_map.json)`);
  const noise = entries.find((f) => NOISE_MAP_FILES.includes(f.toLowerCase()));
  const folder = basename(path.replace(/[\\/]+$/, '')) || 'data';
  const files = [data, ...(noise ? [noise] : [])].map((f) => {
    try {
      return { name: `${folder}/${f}`, bytes: new Uint8Array(readFileSync(join(path, f))) };
    } catch (e) {
      throw new DataError(`Cannot read ${join(path, f)}: ${(e as Error).message}`);
    }
  });
  const { datasets, errors } = readDataFiles(files);
  if (errors.length > 0) throw new DataError(errors.map((e) => e.message).join('\n'));
  if (datasets.length === 0) throw new DataError(`${path}: no dataset found`);
  return { ...datasets[0], name: path };
}

export function loadDataset(path: string, args: ParsedArgs): Dataset {
  // images: FITS or 2D .npy, with --variance/--weight/--mask/--psf (image-args.ts)
  if (!isDirectory(path) && isImagePath(path)) return loadImageDataset(path, args);
  const imageFlags = imageFlagsGiven(args);
  if (imageFlags.length > 0) throw new UsageError(`${imageFlags.join(', ')} apply to images (FITS or 2D .npy); ${path} is not one`);
  if (isDirectory(path)) {
    if (single(args, 'x-col') !== undefined || single(args, 'y-col') !== undefined || single(args, 'sigma-col') !== undefined) {
      throw new UsageError(`--x-col/--y-col/--sigma-col apply to delimited text files; ${path} is a folder`);
    }
    return loadFolder(path);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  const { datasets, errors, tables } = readDataFiles([{ name: path, bytes }]);
  if (errors.length > 0) throw new DataError(errors.map((e) => e.message).join('\n'));
  if (datasets.length === 0) throw new DataError(`${path}: no dataset found`);
  const xCol = single(args, 'x-col');
  const yCol = single(args, 'y-col');
  const sigmaCol = single(args, 'sigma-col');
  const table = tables.get(datasets[0].name) ?? tables.get(path);
  if (!table) {
    if (xCol === undefined && yCol === undefined && sigmaCol === undefined) return datasets[0];
    throw new UsageError(`--x-col/--y-col/--sigma-col apply to delimited text files; ${path} is not one`);
  }
  const choice = runnerDefaultColumns(table);
  if (xCol !== undefined) choice.x = columnIndex(table.columns, xCol, path, '--x-col');
  if (yCol !== undefined) choice.y = columnIndex(table.columns, yCol, path, '--y-col');
  if (sigmaCol !== undefined) choice.sigma = columnIndex(table.columns, sigmaCol, path, '--sigma-col');
  try {
    return tableToSpectrum(table, choice);
  } catch (e) {
    throw new DataError((e as Error).message);
  }
}

/** A session file saved by the app (`.fitbench.json`, or any JSON whose format is fitbench-session), else null. */
export function readSessionIfAny(path: string): SessionDoc | null {
  let text: string;
  if (isDirectory(path)) return null;
  try {
    const bytes = readFileSync(path);
    if (!path.toLowerCase().endsWith('.json')) return null;
    text = bytes.toString('utf8');
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  if (!path.toLowerCase().endsWith('.fitbench.json') && !/"format"\s*:\s*"fitbench-session"/.test(text)) return null;
  let session: SessionDoc;
  try {
    session = loadSessionText(text, path);
  } catch (e) {
    throw new DataError(e instanceof Error ? e.message : String(e));
  }
  // the joint-fit settings (validated by the session schema) when the loader does not carry them
  if (session.joint === undefined && /"joint"\s*:/.test(text)) {
    const parsed = jointSchema.safeParse((JSON.parse(text) as { joint?: unknown }).joint);
    if (parsed.success) session.joint = parsed.data;
  }
  return session;
}
