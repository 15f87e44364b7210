/** Reads data files from disk for the runner (Node only) through the same core readers as the app. */
import { readFileSync } from 'node:fs';
import type { Dataset } from '../core/data/dataset';
import { readDataFiles, tableToSpectrum, type ColumnChoice, type Table } from '../core/data/readers';
import { UsageError, single, type ParsedArgs } from './args';
import { loadSessionText } from '../core/session/load';
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

export function loadDataset(path: string, args: ParsedArgs): Dataset {
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
  try {
    const bytes = readFileSync(path);
    if (!path.toLowerCase().endsWith('.json')) return null;
    text = bytes.toString('utf8');
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  if (!path.toLowerCase().endsWith('.fitbench.json') && !/"format"\s*:\s*"fitbench-session"/.test(text)) return null;
  try {
    return loadSessionText(text, path);
  } catch (e) {
    throw new DataError(e instanceof Error ? e.message : String(e));
  }
}
