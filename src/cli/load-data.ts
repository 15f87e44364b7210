/** Reads data files from disk for the runner (Node only) through the same core readers as the app. */
import { readFileSync } from 'node:fs';
import type { Dataset } from '../core/data/dataset';
import { readDataFiles, tableToSpectrum, chooseColumns } from '../core/data/readers';
import { UsageError, single, type ParsedArgs } from './args';

export class DataError extends Error {}

function columnIndex(columns: string[], name: string, file: string, flag: string): number {
  const i = columns.findIndex((c) => c === name);
  if (i >= 0) return i;
  const j = columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
  if (j >= 0) return j;
  throw new UsageError(`${flag} ${name}: ${file} has no such column (columns: ${columns.join(', ')})`);
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
  if (xCol === undefined && yCol === undefined && sigmaCol === undefined) return datasets[0];
  const table = tables.get(datasets[0].name) ?? tables.get(path);
  if (!table) throw new UsageError(`--x-col/--y-col/--sigma-col apply to delimited text files; ${path} is not one`);
  const choice = chooseColumns(table);
  if (xCol !== undefined) choice.x = columnIndex(table.columns, xCol, path, '--x-col');
  if (yCol !== undefined) choice.y = columnIndex(table.columns, yCol, path, '--y-col');
  if (sigmaCol !== undefined) choice.sigma = columnIndex(table.columns, sigmaCol, path, '--sigma-col');
  try {
    return tableToSpectrum(table, choice);
  } catch (e) {
    throw new DataError((e as Error).message);
  }
}
