/** Which columns of a table are x, y and sigma, and the spectrum they make. */
import { makeSpectrum, type Dataset } from '../dataset';
import { LoadError } from './load-error';
import type { Table } from './delimited';
import { CONSTANT_NAMES, FUNCTION_NAMES } from '../../expr/ast';

export interface ColumnChoice {
  x: number;
  y: number;
  /** null: no sigma column (unit weights) */
  sigma: number | null;
}

const X_WORDS = new Set([
  'x', 'energy', 'ev', 'kev', 'mev', 'wavelength', 'lambda', 'wl', 'wave', 'time', 't', 'channel', 'channels', 'chan',
  'frequency', 'freq', 'wavenumber', 'wavenumbers', 'q', '2theta', 'twotheta', 'tth', 'angle', 'theta', 'mass', 'mz',
  'velocity', 'vel', 'bin', 'index', 'idx', 'position', 'pos', 'shift', 'field', 'temperature', 'temp', 'redshift', 'k',
]);
const Y_WORDS = new Set([
  'y', 'counts', 'count', 'cts', 'intensity', 'flux', 'signal', 'value', 'values', 'data', 'amplitude', 'absorbance',
  'absorption', 'transmittance', 'transmission', 'reflectance', 'power', 'rate', 'response', 'spectrum', 'magnitude',
  'density', 'yield', 'f', 'fx',
]);
const SIGMA_WORDS = new Set([
  'sigma', 'error', 'errors', 'err', 'dy', 'yerr', 'ey', 'uncertainty', 'uncertainties', 'unc', 'noise', 'std', 'stdev',
  'stddev', 'sd', 'dflux', 'dcounts', 'noisemap',
]);

/** Lower-case words of a column name, with units in brackets removed: "Energy (keV)" -> ["energy"]. */
export function nameWords(name: string): string[] {
  const n = name.toLowerCase().replace(/\[[^\]]*\]|\([^)]*\)|\{[^}]*\}/g, ' ');
  const words = n.split(/[^a-z0-9]+/).filter((w) => w.length > 0);
  const joined = words.join('');
  return joined.length > 0 && !words.includes(joined) ? [...words, joined] : words;
}

function isSigmaName(name: string): boolean {
  const w = nameWords(name);
  // "energy_err" is an error on x, not on y
  return w.some((t) => SIGMA_WORDS.has(t)) && !w.some((t) => X_WORDS.has(t));
}

function hasWord(name: string, set: Set<string>): boolean {
  return nameWords(name).some((t) => set.has(t));
}

/**
 * Picks x, y and sigma. sigma: the first column named like an error (sigma, err, error, dy, yerr,
 * uncertainty, noise, std...); x: a column named x, else one named like an axis (energy, wavelength,
 * time, channel...), else the first free column; y: a column named y, else like a signal (counts,
 * intensity, flux, signal...), else the next free column. Without a header, a third and last
 * column that is all > 0 is taken as sigma.
 */
export function chooseColumns(table: Table): ColumnChoice {
  const n = table.columns.length;
  if (table.indexColumn) return { x: 0, y: 1, sigma: null };
  const named = table.hasHeader;
  const taken = new Set<number>();
  let sigma: number | null = null;
  if (named) {
    for (let i = 0; i < n && sigma === null; i++) if (isSigmaName(table.columns[i])) sigma = i;
  }
  if (sigma !== null) taken.add(sigma);
  let x = -1;
  let y = -1;
  if (named) {
    // an exact "x" / "y" beats a looser match
    x = table.columns.findIndex((c, i) => !taken.has(i) && c.trim().toLowerCase() === 'x');
    if (x < 0) x = table.columns.findIndex((c, i) => !taken.has(i) && hasWord(c, X_WORDS));
    if (x >= 0) taken.add(x);
    y = table.columns.findIndex((c, i) => !taken.has(i) && c.trim().toLowerCase() === 'y');
    if (y < 0) y = table.columns.findIndex((c, i) => !taken.has(i) && hasWord(c, Y_WORDS));
    if (y >= 0) taken.add(y);
  }
  if (x < 0) {
    x = firstFree(n, taken);
    taken.add(x);
  }
  if (y < 0) {
    y = firstFree(n, taken);
    if (y < 0) y = x === 0 ? 1 : 0;
    taken.add(y);
  }
  if (sigma === null && !named && n === 3 && x === 0 && y === 1 && allPositive(table.data[2])) sigma = 2;
  return { x, y, sigma };
}

function firstFree(n: number, taken: Set<number>): number {
  for (let i = 0; i < n; i++) if (!taken.has(i)) return i;
  return -1;
}

function allPositive(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!(a[i] > 0) || a[i] === Infinity) return false;
  return a.length > 0;
}

/** Describes a choice for the dataset's notes: "x = column 'energy', y = 'counts', sigma = 'err'". */
export function describeChoice(table: Table, choice: ColumnChoice): string {
  const name = (i: number) => `'${table.columns[i]}'`;
  const x = table.indexColumn && choice.x === 0 ? 'row index' : `column ${name(choice.x)}`;
  return `x = ${x}, y = ${name(choice.y)}, sigma = ${choice.sigma === null ? 'none (unit weights)' : name(choice.sigma)}`;
}

/** names a formula reads as functions or constants, never as data columns */
const RESERVED = new Set<string>([...FUNCTION_NAMES, ...CONSTANT_NAMES]);

/** The spectrum from chosen columns; sigma must be finite and > 0 (LoadError naming the file and line). */
export function tableToSpectrum(table: Table, choice: ColumnChoice): Dataset {
  const n = table.columns.length;
  const check = (i: number | null, role: string) => {
    if (i !== null && (!Number.isInteger(i) || i < 0 || i >= n)) {
      throw new LoadError(table.file, `${role} column ${i} does not exist (the table has ${n} columns: ${table.columns.join(', ')})`);
    }
  };
  check(choice.x, 'x');
  check(choice.y, 'y');
  check(choice.sigma, 'sigma');
  let sigma: Float64Array | undefined;
  if (choice.sigma !== null) {
    sigma = table.data[choice.sigma];
    for (let i = 0; i < sigma.length; i++) {
      const s = sigma[i];
      if (!(s > 0) || s === Infinity) {
        throw new LoadError(
          table.file,
          `sigma (column '${table.columns[choice.sigma]}') is ${s}; sigma must be finite and > 0 (choose another sigma column or none)`,
          table.lines[i],
        );
      }
    }
  }
  const d = makeSpectrum(table.file, table.data[choice.x], table.data[choice.y], sigma);
  // the other named columns are independent variables a formula may use (e.g. `a*x + b*temp`)
  const extra: string[] = [];
  if (table.hasHeader) {
    table.columns.forEach((name, i) => {
      if (i === choice.x || i === choice.y || i === choice.sigma) return;
      const v = name.trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v) || v === 'x' || v in d.coords || RESERVED.has(v)) return;
      d.coords[v] = Float64Array.from(table.data[i]);
      extra.push(v);
    });
  }
  d.notes = [...table.notes, ...(extra.length > 0 ? [`other columns usable in formulas: ${extra.join(', ')}`] : []), describeChoice(table, choice)];
  if (table.hasHeader) d.labels = { x: table.columns[choice.x], y: table.columns[choice.y] };
  return d;
}
