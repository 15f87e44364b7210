import { describe, expect, it } from 'vitest';
import { parseDelimitedText, readDelimited, type Table } from './delimited';
import { LoadError } from './load-error';
import { detectDelimiter } from './detect-delimiter';

const enc = (s: string) => new TextEncoder().encode(s);

function col(t: Table, i: number): number[] {
  return Array.from(t.data[i]);
}

function loadError(fn: () => unknown): LoadError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return e as LoadError;
  }
  throw new Error('expected a LoadError');
}

describe('delimiters', () => {
  const expected = { x: [1, 2, 3], y: [10.5, -20, 3e-5] };
  it.each([
    ['comma', 'x,y\n1,10.5\n2,-20\n3,3e-5\n', ','],
    ['tab', 'x\ty\n1\t10.5\n2\t-20\n3\t3e-5\n', '\t'],
    ['semicolon', 'x;y\n1;10.5\n2;-20\n3;3e-5\n', ';'],
    ['pipe', 'x|y\n1|10.5\n2|-20\n3|3e-5\n', '|'],
    ['whitespace runs', 'x   y\n  1   10.5\n2\t\t-20\n 3 \t 3e-5   \n', 'whitespace'],
    ['comma with spaces', 'x, y\n1, 10.5\n2, -20\n3, 3e-5\n', ','],
  ])('%s', (_, text, delimiter) => {
    const t = parseDelimitedText('f.txt', text);
    expect(t.delimiter).toBe(delimiter);
    expect(t.columns).toEqual(['x', 'y']);
    expect(col(t, 0)).toEqual(expected.x);
    expect(col(t, 1)).toEqual(expected.y);
    expect(Array.from(t.lines)).toEqual([2, 3, 4]);
    expect(t.droppedRows).toBe(0);
  });

  it('semicolon files with decimal commas read the commas as points', () => {
    const t = parseDelimitedText('eu.csv', 'energie;intensität\n1,5;2,25\n2,5;-3,75\n');
    expect(t.delimiter).toBe(';');
    expect(col(t, 0)).toEqual([1.5, 2.5]);
    expect(col(t, 1)).toEqual([2.25, -3.75]);
    expect(t.notes).toContain('decimal commas read as decimal points');
  });

  it('detectDelimiter prefers the delimiter that gives numeric cells', () => {
    expect(detectDelimiter(['1,5;2,5', '3,5;4,5'])).toEqual({ delimiter: ';', fields: 2 });
    expect(detectDelimiter(['1.5, 2.5, 7', '3.5, 4.5, 8'])).toEqual({ delimiter: ',', fields: 3 });
    expect(detectDelimiter(['1 2 3 4', '5 6 7 8'])).toEqual({ delimiter: 'whitespace', fields: 4 });
    expect(detectDelimiter(['1', '2'])).toEqual({ delimiter: 'whitespace', fields: 1 });
  });

  it('reads Fortran D exponents and signs', () => {
    const t = parseDelimitedText('f.dat', '1.0D+02 -2.5d-1\n+3 .5\n');
    expect(col(t, 0)).toEqual([100, 3]);
    expect(col(t, 1)).toEqual([-0.25, 0.5]);
  });
});

describe('header, comments, line ends', () => {
  it('no header: columns are col1..colN', () => {
    const t = parseDelimitedText('n.csv', '1,2,3\n4,5,6\n');
    expect(t.columns).toEqual(['col1', 'col2', 'col3']);
    expect(t.hasHeader).toBe(false);
    expect(col(t, 2)).toEqual([3, 6]);
    expect(t.notes[0]).toBe('comma-separated, no header');
  });

  it('skips # comment lines and blank lines, and keeps true line numbers', () => {
    const text = '# instrument: X\n# date: today\n\nenergy,counts\n# mid comment\n1,5\n\n2,6\n   # indented comment\n3,7\n\n\n';
    const t = parseDelimitedText('c.csv', text);
    expect(t.columns).toEqual(['energy', 'counts']);
    expect(col(t, 1)).toEqual([5, 6, 7]);
    expect(Array.from(t.lines)).toEqual([6, 8, 10]);
    expect(t.notes[0]).toBe('comma-separated, header on line 4');
  });

  it('takes column names from a commented header (numpy.savetxt style)', () => {
    const t = parseDelimitedText('s.txt', '# wavelength flux flux_err\n5000 1.0 0.1\n5001 1.2 0.1\n');
    expect(t.columns).toEqual(['wavelength', 'flux', 'flux_err']);
    expect(t.hasHeader).toBe(true);
    expect(t.notes).toContain('column names from the comment on line 1');
  });

  it('a comment that does not name every column is not a header', () => {
    // (a comment with exactly as many words as columns would be taken as names: a known limit of the heuristic)
    const t = parseDelimitedText('s.txt', '# measured on Monday\n1 2\n3 4\n');
    expect(t.columns).toEqual(['col1', 'col2']);
    expect(t.hasHeader).toBe(false);
  });

  it('handles CRLF, lone CR, a UTF-8 BOM and trailing blank lines', () => {
    const crlf = readDelimited({ name: 'w.csv', bytes: enc('\uFEFFx,y\r\n1,2\r\n3,4\r\n\r\n\r\n') });
    expect(crlf.columns).toEqual(['x', 'y']);
    expect(col(crlf, 1)).toEqual([2, 4]);
    expect(Array.from(crlf.lines)).toEqual([2, 3]);
    const cr = readDelimited({ name: 'm.csv', bytes: enc('x,y\r1,2\r3,4\r') });
    expect(col(cr, 0)).toEqual([1, 3]);
    // BOM bytes EF BB BF written explicitly
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('a\tb\n1\t2\n')]);
    expect(readDelimited({ name: 'b.tsv', bytes: bom }).columns).toEqual(['a', 'b']);
  });

  it('a quoted field spanning lines keeps later line numbers right', () => {
    const t = parseDelimitedText('m.csv', '"long\nname",y\n1,2\n# "odd, comment\n3,4\n');
    expect(t.columns).toEqual(['long\nname', 'y']);
    expect(Array.from(t.lines)).toEqual([3, 5]);
    const e = loadError(() => parseDelimitedText('m.csv', '"a\nb",y\n1,2\n\n3,zz\n'));
    expect(e.line).toBe(5);
  });

  it('quoted header names may contain the delimiter or spaces', () => {
    const t = parseDelimitedText('q.csv', '"energy, keV","counts"\n1,2\n');
    expect(t.columns).toEqual(['energy, keV', 'counts']);
    const w = parseDelimitedText('q.txt', '"peak energy" counts\n1 2\n');
    expect(w.columns).toEqual(['peak energy', 'counts']);
  });

  it('ignores a delimiter at the end of every row', () => {
    const t = parseDelimitedText('t.csv', 'x,y,\n1,2,\n3,4,\n');
    expect(t.columns).toEqual(['x', 'y']);
    expect(col(t, 1)).toEqual([2, 4]);
    expect(t.notes).toContain('a delimiter at the end of every row was ignored');
  });

  it('duplicate and empty header names are made unique', () => {
    const t = parseDelimitedText('d.csv', 'y,,y\n1,2,3\n');
    expect(t.columns).toEqual(['y', 'col2', 'y (2)']);
  });
});

describe('missing values', () => {
  it('drops rows with NaN, Inf, empty and NA cells and counts them with their lines', () => {
    const text = 'x,y\n1,2\n2,NaN\n3,inf\n4,\n5,6\n6,-Infinity\n7,NA\n8,1e999\n9,10\n';
    const t = parseDelimitedText('nan.csv', text);
    expect(col(t, 0)).toEqual([1, 5, 9]);
    expect(col(t, 1)).toEqual([2, 6, 10]);
    expect(t.droppedRows).toBe(6);
    expect(Array.from(t.lines)).toEqual([2, 6, 10]);
    expect(t.notes).toContain('6 rows with NaN/Inf/empty values dropped (lines 3, 4, 5, 7, 8, …)');
  });

  it('one dropped row is counted in the singular', () => {
    const t = parseDelimitedText('nan.csv', '1 2\n2 nan\n3 4\n');
    expect(t.droppedRows).toBe(1);
    expect(t.notes).toContain('1 row with NaN/Inf/empty values dropped (line 2)');
  });

  it('all rows missing is an error saying so', () => {
    const e = loadError(() => parseDelimitedText('allnan.csv', 'x,y\n1,nan\n2,nan\n'));
    expect(e.message).toBe('allnan.csv: no usable rows: all 2 data rows have NaN, Inf or empty values');
  });
});

describe('errors name the file and the line', () => {
  it('text in the middle of the data', () => {
    const e = loadError(() => parseDelimitedText('data.csv', 'x,y,s\n1,2,3\n# c\n\n4,5,6\n7,abc,9\n'));
    expect(e.message).toBe(`data.csv, line 6: expected 3 numbers, found "abc" in column 2 ('y')`);
    expect(e.file).toBe('data.csv');
    expect(e.line).toBe(6);
  });

  it('text without a header names the column number only', () => {
    const e = loadError(() => parseDelimitedText('d.txt', '1 2\n3 x4\n'));
    expect(e.message).toBe('d.txt, line 2: expected 2 numbers, found "x4" in column 2');
  });

  it('a row with the wrong number of fields', () => {
    const e = loadError(() => parseDelimitedText('short.csv', '1,2,3\n4,5,6\n7,8\n'));
    expect(e.message).toBe('short.csv, line 3: expected 3 values, found 2 ("7,8")');
  });

  it('a header that names more columns than the data have', () => {
    const e = loadError(() => parseDelimitedText('h.csv', 'x,y,sigma\n1,2\n'));
    expect(e.message).toBe('h.csv, line 2: the header on line 1 names 3 columns, found 2 ("1,2")');
  });

  it('an unterminated quote', () => {
    const e = loadError(() => parseDelimitedText('q.csv', 'x,y\n1,2\n3,"4\n5,6\n'));
    expect(e.message).toBe('q.csv, line 3: a quoted field is not closed (missing ")');
  });

  it('empty, comment-only and header-only files', () => {
    expect(loadError(() => parseDelimitedText('e.csv', '')).message).toBe('e.csv: the file is empty');
    expect(loadError(() => parseDelimitedText('e.csv', '\n\n  \n')).message).toBe('e.csv: the file is empty');
    expect(loadError(() => parseDelimitedText('c.csv', '# a\n# b\n')).message).toBe('c.csv: no data rows (only comments and blank lines)');
    expect(loadError(() => parseDelimitedText('h.csv', 'x,y\n')).message).toBe('h.csv: no numeric rows after the header on line 1');
  });

  it('binary content is refused as such', () => {
    const e = loadError(() => readDelimited({ name: 'img.dat', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]) }));
    expect(e.message).toBe('img.dat: not a text file (binary content); expected CSV, TSV or whitespace-separated numbers');
  });
});

describe('one column', () => {
  it('is read as y with x = row index (decision: allowed, like a JSON array or a 1D .npy)', () => {
    const t = parseDelimitedText('one.txt', 'counts\n5\n7\nnan\n9\n');
    expect(t.columns).toEqual(['index', 'counts']);
    expect(t.indexColumn).toBe(true);
    expect(col(t, 0)).toEqual([0, 1, 2]);
    expect(col(t, 1)).toEqual([5, 7, 9]);
    expect(t.notes).toContain('one column: read as y, with x = row index 0, 1, 2, …');
  });
});

describe('size', () => {
  it('reads 200,000 rows with the right sums', () => {
    const n = 200_000;
    const parts: string[] = ['x,y,sigma'];
    for (let i = 0; i < n; i++) parts.push(`${i},${(i % 7) * 0.5},1`);
    const t0 = performance.now();
    const t = parseDelimitedText('big.csv', parts.join('\n'));
    const ms = performance.now() - t0;
    expect(t.data[0].length).toBe(n);
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      sx += t.data[0][i];
      sy += t.data[1][i];
    }
    expect(sx).toBe((n * (n - 1)) / 2);
    // sum over i of (i mod 7) / 2: 28571 full cycles of 0..6 (sum 21) plus the remainder 0..2 (sum 3)
    expect(sy).toBe((28571 * 21 + 3) / 2);
    expect(ms).toBeLessThan(5000);
  });
});
