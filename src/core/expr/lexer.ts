/** Tokenizer for formulas: numbers, names, operators + - * / ^ (or **), parentheses and commas. */
import { ExprError } from './errors';

export type TokenKind = 'number' | 'name' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  /** source text of the token ('^' for both ^ and **) */
  text: string;
  /** numeric value of a number token */
  value: number;
  pos: number;
  len: number;
}

const OPERATORS = '+-*/^(),';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || isDigit(c);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0;
}

/** Readable form of a character for messages. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 32 || code === 127 || (code >= 0x80 && code < 0xa0) || (code >= 0xd800 && code <= 0xdfff)) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return ch === "'" ? `"'"` : `'${ch}'`;
}

function hintFor(ch: string): string {
  switch (ch) {
    case '[': case ']': case '{': case '}': return ' (use ( ) for grouping)';
    case '=': return ' (write only the right-hand side of the formula, without =)';
    case '.': return ' (names cannot contain dots; decimals need a digit after the dot, e.g. 0.5)';
    case '"': case "'": case '`': return ' (text strings are not allowed in formulas)';
    default: return '';
  }
}

function lexNumber(text: string, start: number): Token {
  let i = start;
  const n = text.length;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (i < n && text.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  const c = i < n ? text.charCodeAt(i) : -1;
  if (c === 101 || c === 69 /* e E */) {
    let j = i + 1;
    const s = j < n ? text.charCodeAt(j) : -1;
    if (s === 43 || s === 45) j++;
    if (j < n && isDigit(text.charCodeAt(j))) {
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      i = j;
    } else {
      let k = i + 1;
      while (k < n && isNamePart(text.charCodeAt(k))) k++;
      throw new ExprError(
        `Malformed number '${text.slice(start, Math.max(k, i + 1))}' at position ${start}: the exponent after '${text[i]}' needs digits (e.g. 1e-3)`,
        start,
        Math.max(k, i + 1) - start,
      );
    }
  }
  if (i < n && text.charCodeAt(i) === 46) {
    let k = i + 1;
    while (k < n && (isDigit(text.charCodeAt(k)) || text.charCodeAt(k) === 46)) k++;
    throw new ExprError(`Malformed number '${text.slice(start, k)}' at position ${start}`, start, k - start);
  }
  const src = text.slice(start, i);
  const value = Number(src);
  if (!Number.isFinite(value)) {
    throw new ExprError(`Number '${src}' at position ${start} is too large`, start, i - start);
  }
  return { kind: 'number', text: src, value, pos: start, len: i - start };
}

/** Splits a formula into tokens; the last token has kind 'end'. Throws ExprError on a bad character. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) {
      const t = lexNumber(text, i);
      tokens.push(t);
      i += t.len;
      continue;
    }
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < n && isNamePart(text.charCodeAt(j))) j++;
      tokens.push({ kind: 'name', text: text.slice(i, j), value: 0, pos: i, len: j - i });
      i = j;
      continue;
    }
    const ch = text[i];
    if (ch === '*' && i + 1 < n && text[i + 1] === '*') {
      tokens.push({ kind: 'op', text: '^', value: 0, pos: i, len: 2 });
      i += 2;
      continue;
    }
    if (OPERATORS.includes(ch)) {
      tokens.push({ kind: 'op', text: ch, value: 0, pos: i, len: 1 });
      i++;
      continue;
    }
    const cp = text.codePointAt(i) ?? c;
    const full = String.fromCodePoint(cp);
    throw new ExprError(`Unexpected character ${describeChar(full)} at position ${i}${hintFor(full)}`, i, full.length);
  }
  tokens.push({ kind: 'end', text: '', value: 0, pos: n, len: 0 });
  return tokens;
}
