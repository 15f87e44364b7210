/** Guessing how the columns of a text table are separated. */
import Papa from 'papaparse';
import { isNumericCell } from './number-cell';

/** 'whitespace' means runs of spaces and tabs. */
export type Delimiter = ',' | '\t' | ';' | '|' | 'whitespace';

/** Preference when two candidates explain the sample equally well. */
const CANDIDATES: Delimiter[] = ['\t', ',', ';', '|', 'whitespace'];

export const DELIMITER_NAMES: Record<Delimiter, string> = {
  ',': 'comma-separated',
  '\t': 'tab-separated',
  ';': 'semicolon-separated',
  '|': 'pipe-separated',
  whitespace: 'whitespace-separated',
};

/** Fields of a line split on runs of whitespace; "double quoted" fields may contain spaces. */
export function splitWhitespace(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out.push(m[1] !== undefined ? m[1] : m[2]);
  return out;
}

export function splitFields(lines: string[], delimiter: Delimiter): string[][] {
  if (delimiter === 'whitespace') return lines.map(splitWhitespace);
  const parsed = Papa.parse<string[]>(lines.join('\n'), { delimiter, newline: '\n', quoteChar: '"' });
  return parsed.data;
}

export interface DelimiterGuess {
  delimiter: Delimiter;
  /** the usual number of fields per line under this delimiter */
  fields: number;
}

/**
 * Chooses the delimiter under which the sample lines split into the same number (>= 2) of
 * fields most consistently and with the most numeric cells (the first line, a possible header,
 * is left out of the numeric count). Returns fields = 1 when no delimiter gives two columns.
 */
export function detectDelimiter(sample: string[]): DelimiterGuess {
  let best: DelimiterGuess = { delimiter: 'whitespace', fields: 1 };
  let bestScore = -1;
  for (const d of CANDIDATES) {
    if (d !== 'whitespace' && !sample.some((l) => l.includes(d))) continue;
    const rows = splitFields(sample, d);
    if (rows.length === 0) continue;
    const histogram = new Map<number, number>();
    for (const r of rows) {
      const n = r.length > 1 && r[r.length - 1].trim() === '' ? r.length - 1 : r.length;
      histogram.set(n, (histogram.get(n) ?? 0) + 1);
    }
    let mode = 0;
    let modeCount = 0;
    for (const [n, c] of histogram) {
      if (c > modeCount || (c === modeCount && n > mode)) {
        mode = n;
        modeCount = c;
      }
    }
    if (mode < 2) continue;
    const consistency = modeCount / rows.length;
    let cells = 0;
    let numeric = 0;
    const decimalComma = d === ';';
    for (let i = rows.length > 1 ? 1 : 0; i < rows.length; i++) {
      for (const c of rows[i]) {
        cells++;
        if (isNumericCell(c, decimalComma)) numeric++;
      }
    }
    const score = consistency * (cells > 0 ? numeric / cells : 0);
    // a strictly better score wins; on a tie the earlier (preferred) candidate stays
    if (score > bestScore + 1e-12) {
      bestScore = score;
      best = { delimiter: d, fields: mode };
    }
  }
  return best;
}
