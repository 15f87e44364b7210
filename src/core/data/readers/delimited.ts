/**
 * Delimited numeric text: CSV, TSV, semicolon-, pipe- and whitespace-separated columns.
 * The delimiter is detected, '#' lines and blank lines are skipped, a first row that is not
 * all numeric is the header, rows with NaN/Inf/empty cells are dropped and counted.
 * Text anywhere else in the data is an error naming the file and the line.
 * Delimited rows are split by papaparse (quotes handled); whitespace-separated rows, which
 * papaparse cannot express (runs of spaces), are split here on runs of blanks.
 */
import Papa from 'papaparse';
import { LoadError, quote } from './load-error';
import { parseCell } from './number-cell';
import { decodeText, looksBinary } from './text';
import { DELIMITER_NAMES, detectDelimiter, splitWhitespace, type Delimiter } from './detect-delimiter';

export interface Table {
  file: string;
  /** header names, or col1..colN when the file has none */
  columns: string[];
  /** one array per column, all of the same length (rows kept) */
  data: Float64Array[];
  /** rows dropped for NaN/Inf/empty cells */
  droppedRows: number;
  notes: string[];
  /** 1-based line in the file of each kept row */
  lines: Int32Array;
  /** true when the column names came from the file (a header row or a commented header) */
  hasHeader: boolean;
  delimiter: Delimiter;
  /** true when column 0 is the row index made up for a one-column file */
  indexColumn?: boolean;
}

/** Content lines used to guess the delimiter. */
const SAMPLE_LINES = 200;

function isSkipped(line: string): boolean {
  const t = line.trim();
  return t.length === 0 || t.charCodeAt(0) === 35; // '#'
}

/** Calls `fn(line, lineNumber)` for each line of LF-only text; stops when fn returns false. */
function eachLine(text: string, fn: (line: string, n: number) => boolean | void): void {
  let pos = 0;
  for (let n = 1; pos <= text.length; n++) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    if (fn(text.slice(pos, end), n) === false) return;
    pos = end + 1;
  }
}

/** Upper bound on the number of rows: the number of lines. */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Names made unique ("y", "y (2)") and never empty. */
function cleanNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, i) => {
    let n = raw.trim() || `col${i + 1}`;
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    if (k > 0) n = `${n} (${k + 1})`;
    return n;
  });
}

function splitOne(line: string, delimiter: Delimiter): string[] {
  if (delimiter === 'whitespace') return splitWhitespace(line);
  return Papa.parse<string[]>(line, { delimiter, newline: '\n', quoteChar: '"' }).data[0] ?? [];
}

/** The last comment line before the data, when it names exactly `ncols` columns (numpy.savetxt's header). */
function commentedHeader(text: string, firstRowLine: number, delimiter: Delimiter, ncols: number): { names: string[]; line: number } | null {
  const before: string[] = [];
  eachLine(text, (l, n) => {
    if (n >= firstRowLine) return false;
    before.push(l);
  });
  for (let i = before.length - 1; i >= 0; i--) {
    const t = before[i].trim();
    if (t.length === 0) continue;
    if (t.charCodeAt(0) !== 35) return null;
    const body = t.replace(/^#+/, '').trim();
    if (body.length === 0) return null;
    let names = splitOne(body, delimiter).map((s) => s.trim());
    if (names.length === ncols + 1 && names[ncols] === '') names = names.slice(0, ncols);
    if (names.length !== ncols || names.some((s) => s.length === 0 || parseCell(s) !== null)) return null;
    return { names, line: i + 1 };
  }
  return null;
}

function listLines(lines: number[], total: number): string {
  const shown = lines.slice(0, 5).join(', ');
  return total > 5 ? `lines ${shown}, …` : lines.length === 1 ? `line ${shown}` : `lines ${shown}`;
}

/** Feeds every content row (fields, 1-based first line) to `onRow`, skipping blank and '#' lines. */
function forEachRow(file: string, text: string, delimiter: Delimiter, onRow: (fields: string[], line: number) => void): void {
  if (delimiter === 'whitespace') {
    eachLine(text, (l, n) => {
      if (!isSkipped(l)) onRow(splitWhitespace(l), n);
    });
    return;
  }
  // a row's line: the line where papaparse's cursor ends it, less the newlines inside its quoted fields
  let scanned = 0;
  let endLine = 1;
  let cursorBefore = 0;
  let failure: LoadError | null = null;
  Papa.parse<string[]>(text, {
    delimiter,
    newline: '\n',
    quoteChar: '"',
    comments: '#',
    step: (result, parser) => {
      if (failure !== null) return;
      // the cursor stands after the row's newline (or at the end of the text)
      let end = result.meta.cursor;
      if (end > 0 && text.charCodeAt(end - 1) === 10) end--;
      for (let i = text.indexOf('\n', scanned); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) endLine++;
      scanned = end;
      const fields = result.data;
      let inner = 0;
      for (const f of fields) for (let i = f.indexOf('\n'); i >= 0; i = f.indexOf('\n', i + 1)) inner++;
      const rowLine = endLine - inner;
      const previousEnd = cursorBefore;
      cursorBefore = result.meta.cursor;
      if (result.errors.length > 0) {
        // the failed row starts on the first content line after the previous row
        let at = previousEnd;
        for (;;) {
          let eol = text.indexOf('\n', at);
          if (eol < 0) eol = text.length;
          if (!isSkipped(text.slice(at, eol)) || eol >= text.length) break;
          at = eol + 1;
        }
        let errLine = 1;
        for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) errLine++;
        const err = result.errors[0];
        failure = new LoadError(file, err.code === 'MissingQuotes' ? 'a quoted field is not closed (missing ")' : err.message, errLine);
        parser.abort();
        return;
      }
      const f0 = fields[0] ?? '';
      if (fields.length === 1 && f0.trim() === '') return; // blank line
      if (f0.trimStart().charCodeAt(0) === 35) return; // comment
      try {
        onRow(fields, rowLine);
      } catch (e) {
        failure = e instanceof LoadError ? e : new LoadError(file, String(e), rowLine);
        parser.abort();
      }
    },
  });
  if (failure) throw failure;
}

/** Parses delimited numeric text; throws LoadError naming the file (and line) at fault. */
export function parseDelimitedText(file: string, rawText: string): Table {
  const text = rawText.indexOf('\r') >= 0 ? rawText.replace(/\r\n?/g, '\n') : rawText;
  const sample: string[] = [];
  eachLine(text, (l) => {
    if (!isSkipped(l)) sample.push(l);
    return sample.length < SAMPLE_LINES;
  });
  if (sample.length === 0) {
    throw new LoadError(file, text.trim().length === 0 ? 'the file is empty' : 'no data rows (only comments and blank lines)');
  }
  const { delimiter } = detectDelimiter(sample);
  const decimalComma = delimiter === ';';
  const capacity = countLines(text);

  let header = null as string[] | null;
  let headerLine = 0;
  let firstLine = 0;
  let ncols = -1;
  let data: Float64Array[] = [];
  let emptyLast = 0; // data rows whose last cell is empty
  let extraTrailing = 0; // data rows with one more, empty, field than the header names
  let usedDecimalComma = false;
  const rowLines = new Int32Array(capacity);
  let nrows = 0;

  forEachRow(file, text, delimiter, (fields, line) => {
    if (ncols < 0) {
      firstLine = line;
      if (fields.some((f) => parseCell(f, decimalComma) === null)) {
        header = fields;
        headerLine = line;
        // "x,y," names two columns
        if (header.length > 1 && header[header.length - 1].trim() === '') header = header.slice(0, -1);
        ncols = header.length;
        data = Array.from({ length: ncols }, () => new Float64Array(capacity));
        return;
      }
      ncols = fields.length;
      data = Array.from({ length: ncols }, () => new Float64Array(capacity));
    }
    let n = fields.length;
    if (n === ncols + 1 && fields[n - 1].trim() === '') {
      n = ncols;
      extraTrailing++;
    }
    if (n !== ncols) {
      const what = header !== null && nrows === 0 ? `the header on line ${headerLine} names ${ncols} columns` : `expected ${ncols} values`;
      throw new LoadError(file, `${what}, found ${fields.length} (${quote(fields.join(delimiter === 'whitespace' ? ' ' : delimiter))})`, line);
    }
    for (let c = 0; c < ncols; c++) {
      const v = parseCell(fields[c], decimalComma);
      if (v === null) {
        const name = header !== null ? ` ('${header[c].trim()}')` : '';
        throw new LoadError(file, `expected ${ncols} numbers, found ${quote(fields[c].trim())} in column ${c + 1}${name}`, line);
      }
      data[c][nrows] = v;
      if (decimalComma && !usedDecimalComma && fields[c].indexOf(',') >= 0) usedDecimalComma = true;
    }
    if (ncols > 1 && fields[ncols - 1].trim() === '') emptyLast++;
    rowLines[nrows++] = line;
  });
  if (ncols < 0) throw new LoadError(file, 'no data rows');
  if (nrows === 0) throw new LoadError(file, `no numeric rows after the header on line ${headerLine}`);

  const notes: string[] = [];
  let names: string[] | null = header;
  // a delimiter at the end of every row: an all-empty last column (unnamed, or with an empty name) goes
  let trailing = extraTrailing === nrows;
  if (!trailing && emptyLast === nrows && ncols > 1 && (names === null || names[ncols - 1].trim() === '')) {
    trailing = true;
    ncols--;
    data.pop();
    if (names) names = names.slice(0, ncols);
  }
  if (trailing) notes.push('a delimiter at the end of every row was ignored');

  let hasHeader = header !== null;
  let columns: string[];
  if (names) {
    columns = cleanNames(names);
  } else {
    const commented = commentedHeader(text, firstLine, delimiter, ncols);
    if (commented) {
      columns = cleanNames(commented.names);
      hasHeader = true;
      notes.push(`column names from the comment on line ${commented.line}`);
    } else {
      columns = Array.from({ length: ncols }, (_, i) => `col${i + 1}`);
    }
  }

  // drop rows with a NaN/Inf cell, compacting in place
  let kept = 0;
  let dropped = 0;
  const droppedLines: number[] = [];
  for (let r = 0; r < nrows; r++) {
    let ok = true;
    for (let c = 0; c < ncols; c++) if (!Number.isFinite(data[c][r])) ok = false;
    if (!ok) {
      dropped++;
      if (droppedLines.length < 5) droppedLines.push(rowLines[r]);
      continue;
    }
    if (kept !== r) {
      for (let c = 0; c < ncols; c++) data[c][kept] = data[c][r];
      rowLines[kept] = rowLines[r];
    }
    kept++;
  }
  if (kept === 0) throw new LoadError(file, `no usable rows: all ${dropped} data rows have NaN, Inf or empty values`);
  if (dropped > 0) notes.push(`${dropped} row${dropped === 1 ? '' : 's'} with NaN/Inf/empty values dropped (${listLines(droppedLines, dropped)})`);
  if (usedDecimalComma) notes.push('decimal commas read as decimal points');

  let outData = data.map((a) => a.slice(0, kept));
  if (ncols === 1) {
    // one column: read as y with x = row index (the same convention as a JSON array or a 1D .npy)
    const index = new Float64Array(kept);
    for (let i = 0; i < kept; i++) index[i] = i;
    outData = [index, outData[0]];
    columns = ['index', columns[0]];
    notes.push('one column: read as y, with x = row index 0, 1, 2, …');
  }
  notes.unshift(`${DELIMITER_NAMES[delimiter]}${header !== null ? `, header on line ${headerLine}` : hasHeader ? '' : ', no header'}`);
  return {
    file,
    columns,
    data: outData,
    droppedRows: dropped,
    notes,
    lines: rowLines.slice(0, kept),
    hasHeader,
    delimiter,
    indexColumn: ncols === 1,
  };
}

/** Delimited text from bytes (UTF-8, BOM and CRLF handled); refuses binary content. */
export function readDelimited(file: { name: string; bytes: Uint8Array }): Table {
  const text = decodeText(file.bytes);
  if (file.bytes.length > 0 && looksBinary(file.bytes, text)) throw new LoadError(file.name, 'not a text file (binary content); expected CSV, TSV or whitespace-separated numbers');
  return parseDelimitedText(file.name, text);
}
