import { describe, expect, it } from 'vitest';
import { parseDelimitedText } from './delimited';
import { chooseColumns, nameWords, tableToSpectrum } from './columns';
import { LoadError } from './load-error';

const table = (text: string, file = 't.csv') => parseDelimitedText(file, text);

describe('chooseColumns', () => {
  it.each([
    ['x,y', { x: 0, y: 1, sigma: null }],
    ['y,x', { x: 1, y: 0, sigma: null }],
    ['X,Y,SIGMA', { x: 0, y: 1, sigma: 2 }],
    ['counts,energy', { x: 1, y: 0, sigma: null }],
    ['Energy (keV),Counts,err', { x: 0, y: 1, sigma: 2 }],
    ['wavelength_nm,flux,flux_err', { x: 0, y: 1, sigma: 2 }],
    ['time,signal,uncertainty', { x: 0, y: 1, sigma: 2 }],
    ['channel,intensity,dy', { x: 0, y: 1, sigma: 2 }],
    ['yerr,x,y', { x: 1, y: 2, sigma: 0 }],
    ['a,b,noise', { x: 0, y: 1, sigma: 2 }],
    ['a,b,c', { x: 0, y: 1, sigma: null }],
    ['a,b,c,d', { x: 0, y: 1, sigma: null }],
    ['x,x_err,y,y_err', { x: 0, y: 2, sigma: 3 }],
    ['energy,energy_err,counts', { x: 0, y: 2, sigma: null }],
    ['index,value,std', { x: 0, y: 1, sigma: 2 }],
  ])('header %s', (header, expected) => {
    const ncol = header.split(',').length;
    const row = Array.from({ length: ncol }, (_, i) => i + 1).join(',');
    expect(chooseColumns(table(`${header}\n${row}\n${row}\n`))).toEqual(expected);
  });

  it('without a header, a positive third of exactly three columns is sigma', () => {
    expect(chooseColumns(table('1 2 0.5\n2 3 0.5\n'))).toEqual({ x: 0, y: 1, sigma: 2 });
    // a zero or negative value in the third column: not a sigma
    expect(chooseColumns(table('1 2 0.5\n2 3 0\n'))).toEqual({ x: 0, y: 1, sigma: null });
    expect(chooseColumns(table('1 2 0.5\n2 3 -1\n'))).toEqual({ x: 0, y: 1, sigma: null });
    // four unnamed columns: no sigma guessed
    expect(chooseColumns(table('1 2 0.5 1\n2 3 0.5 1\n'))).toEqual({ x: 0, y: 1, sigma: null });
    // named third column that is not an error name: not sigma
    expect(chooseColumns(table('a b c\n1 2 0.5\n2 3 0.5\n'))).toEqual({ x: 0, y: 1, sigma: null });
  });

  it('one-column files use the index as x', () => {
    expect(chooseColumns(table('time\n5\n6\n'))).toEqual({ x: 0, y: 1, sigma: null });
  });

  it('nameWords removes units and splits words', () => {
    expect(nameWords('Energy (keV)')).toEqual(['energy']);
    expect(nameWords('flux_err [erg/s]')).toEqual(['flux', 'err', 'fluxerr']);
    expect(nameWords('Y')).toEqual(['y']);
  });
});

describe('tableToSpectrum', () => {
  it('builds the spectrum and records the choice in the notes', () => {
    const t = table('energy,counts,err\n1,10,1\n2,nan,1\n3,30,2\n', 'spec.csv');
    const d = tableToSpectrum(t, chooseColumns(t));
    expect(d.name).toBe('spec.csv');
    expect(d.kind).toBe('spectrum');
    expect(d.shape).toEqual([2]);
    expect(Array.from(d.coords.x)).toEqual([1, 3]);
    expect(Array.from(d.values)).toEqual([10, 30]);
    expect(Array.from(d.sigma!)).toEqual([1, 2]);
    expect(d.notes).toEqual([
      'comma-separated, header on line 1',
      '1 row with NaN/Inf/empty values dropped (line 3)',
      "x = column 'energy', y = 'counts', sigma = 'err'",
    ]);
    expect(d.labels).toEqual({ x: 'energy', y: 'counts' });
  });

  it('other columns can be chosen; no sigma gives unit weights', () => {
    const t = table('a,b,c\n1,2,3\n4,5,6\n');
    const d = tableToSpectrum(t, { x: 2, y: 0, sigma: null });
    expect(Array.from(d.coords.x)).toEqual([3, 6]);
    expect(Array.from(d.values)).toEqual([1, 4]);
    expect(d.sigma).toBeUndefined();
    expect(d.notes?.at(-1)).toBe("x = column 'c', y = 'a', sigma = none (unit weights)");
  });

  it('a sigma that is zero or negative is an error naming the file and line', () => {
    const t = table('x,y,err\n1,2,0.5\n# note\n2,3,0\n', 'bad.csv');
    let err: unknown;
    try {
      tableToSpectrum(t, chooseColumns(t));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).message).toBe(
      "bad.csv, line 4: sigma (column 'err') is 0; sigma must be finite and > 0 (choose another sigma column or none)",
    );
    expect(() => tableToSpectrum(t, { x: 0, y: 1, sigma: 5 })).toThrow(/bad\.csv: sigma column 5 does not exist/);
  });

  it('one-column file: x is the index', () => {
    const t = table('7\n8\n9\n', 'one.txt');
    const d = tableToSpectrum(t, chooseColumns(t));
    expect(Array.from(d.coords.x)).toEqual([0, 1, 2]);
    expect(Array.from(d.values)).toEqual([7, 8, 9]);
    expect(d.notes?.at(-1)).toBe("x = row index, y = 'col1', sigma = none (unit weights)");
  });
});
