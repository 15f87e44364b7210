/**
 * Finds where a JSON text stops being valid JSON (RFC 8259 grammar), with line and column.
 * Engines word JSON.parse errors differently and not all give a position, so after JSON.parse
 * fails we scan the text once more with this small recogniser. It is iterative (an explicit
 * stack), so deeply nested input cannot overflow the call stack.
 */
export interface JsonSyntaxError {
  /** offset in UTF-16 code units */
  offset: number;
  /** 1-based */
  line: number;
  column: number;
  /** what is wrong, in words */
  reason: string;
  /** true when the text ends before the JSON value is complete (a truncated file or link) */
  truncated: boolean;
}

const enum Expect {
  Value, // a value (or, right after '[', a value or ']')
  ValueOrEndArray,
  KeyOrEndObject,
  Key,
  Colon,
  CommaOrEnd,
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function describeChar(text: string, i: number): string {
  const c = text.charCodeAt(i);
  if (c < 0x20 || c === 0x7f) return `control character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return `character ${JSON.stringify(text.charAt(i))}`;
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Scans a string starting at the opening quote; returns the offset after the closing quote, or an error. */
function scanString(text: string, start: number): { end: number } | { at: number; reason: string } {
  let i = start + 1;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return { end: i + 1 };
    if (c < 0x20) return { at: i, reason: `unescaped ${describeChar(text, i)} inside a string` };
    if (c === 0x5c) {
      if (i + 1 >= n) return { at: n, reason: 'the text ends inside a string' };
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) {
          if (i + k >= n) return { at: n, reason: 'the text ends inside a string' };
          if (!isHex(text.charCodeAt(i + k))) return { at: i + k, reason: 'bad \\u escape in a string' };
        }
        i += 6;
        continue;
      }
      if ('"\\/bfnrt'.indexOf(text.charAt(i + 1)) < 0) return { at: i + 1, reason: 'bad escape in a string' };
      i += 2;
      continue;
    }
    i++;
  }
  return { at: n, reason: 'the text ends inside a string' };
}

/** Scans a number; returns the offset after it, or an error. */
function scanNumber(text: string, start: number): { end: number } | { at: number; reason: string } {
  const n = text.length;
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  if (i >= n) return { at: n, reason: 'the text ends inside a number' };
  if (text.charCodeAt(i) === 0x30) i++;
  else if (isDigit(text.charCodeAt(i))) while (i < n && isDigit(text.charCodeAt(i))) i++;
  else return { at: i, reason: `unexpected ${describeChar(text, i)} in a number` };
  if (i < n && text.charCodeAt(i) === 0x2e) {
    i++;
    if (i >= n) return { at: n, reason: 'the text ends inside a number' };
    if (!isDigit(text.charCodeAt(i))) return { at: i, reason: 'a number needs digits after its decimal point' };
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  if (i < n && (text.charCodeAt(i) === 0x65 || text.charCodeAt(i) === 0x45)) {
    i++;
    if (i < n && (text.charCodeAt(i) === 0x2b || text.charCodeAt(i) === 0x2d)) i++;
    if (i >= n) return { at: n, reason: 'the text ends inside a number' };
    if (!isDigit(text.charCodeAt(i))) return { at: i, reason: 'a number needs digits in its exponent' };
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  return { end: i };
}

function fail(text: string, at: number, reason: string): JsonSyntaxError {
  const truncated = at >= text.length;
  return { offset: at, ...position(text, at), reason, truncated };
}

/** The first syntax error of `text`, or null when it is valid JSON. */
export function locateJsonSyntaxError(text: string): JsonSyntaxError | null {
  const n = text.length;
  // stack of open containers: 1 = array, 2 = object
  const stack: number[] = [];
  let expect: Expect = Expect.Value;
  let i = 0;
  for (;;) {
    while (i < n && isWs(text.charCodeAt(i))) i++;
    if (expect === Expect.CommaOrEnd && stack.length === 0) {
      if (i < n) return fail(text, i, `unexpected ${describeChar(text, i)} after the end of the JSON value`);
      return null;
    }
    if (i >= n) {
      return fail(text, n, n === 0 || /^\s*$/.test(text) ? 'the text is empty' : 'the text ends before the JSON value is complete');
    }
    const c = text.charCodeAt(i);
    switch (expect) {
      case Expect.Value:
      case Expect.ValueOrEndArray: {
        if (expect === Expect.ValueOrEndArray && c === 0x5d) {
          stack.pop();
          i++;
          expect = Expect.CommaOrEnd;
          break;
        }
        if (c === 0x7b) {
          stack.push(2);
          i++;
          expect = Expect.KeyOrEndObject;
        } else if (c === 0x5b) {
          stack.push(1);
          i++;
          expect = Expect.ValueOrEndArray;
        } else if (c === 0x22) {
          const r = scanString(text, i);
          if ('at' in r) return fail(text, r.at, r.reason);
          i = r.end;
          expect = Expect.CommaOrEnd;
        } else if (c === 0x2d || isDigit(c)) {
          const r = scanNumber(text, i);
          if ('at' in r) return fail(text, r.at, r.reason);
          i = r.end;
          expect = Expect.CommaOrEnd;
        } else {
          let matched = false;
          for (const word of ['true', 'false', 'null']) {
            if (text.startsWith(word, i)) {
              i += word.length;
              matched = true;
              break;
            }
            if (word.startsWith(text.slice(i, i + word.length)) && i + word.length > n) {
              return fail(text, n, 'the text ends before the JSON value is complete');
            }
          }
          if (!matched) return fail(text, i, `unexpected ${describeChar(text, i)} where a value should be`);
          expect = Expect.CommaOrEnd;
        }
        break;
      }
      case Expect.KeyOrEndObject:
      case Expect.Key: {
        if (expect === Expect.KeyOrEndObject && c === 0x7d) {
          stack.pop();
          i++;
          expect = Expect.CommaOrEnd;
          break;
        }
        if (c !== 0x22) return fail(text, i, `unexpected ${describeChar(text, i)} where a quoted key should be`);
        const r = scanString(text, i);
        if ('at' in r) return fail(text, r.at, r.reason);
        i = r.end;
        expect = Expect.Colon;
        break;
      }
      case Expect.Colon: {
        if (c !== 0x3a) return fail(text, i, `unexpected ${describeChar(text, i)} where ':' should be`);
        i++;
        expect = Expect.Value;
        break;
      }
      case Expect.CommaOrEnd: {
        const top = stack[stack.length - 1];
        if (c === 0x2c) {
          i++;
          expect = top === 1 ? Expect.Value : Expect.Key;
        } else if ((top === 1 && c === 0x5d) || (top === 2 && c === 0x7d)) {
          stack.pop();
          i++;
          expect = Expect.CommaOrEnd;
        } else {
          const want = top === 1 ? "',' or ']'" : "',' or '}'";
          return fail(text, i, `unexpected ${describeChar(text, i)} where ${want} should be`);
        }
        break;
      }
    }
  }
}
