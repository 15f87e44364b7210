/** Reading one text cell as a number, with the missing-value spellings that data files use. */

/** A decimal or scientific number; Fortran's D exponent is accepted. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?$/;
const MISSING = new Set(['nan', '+nan', '-nan', 'na', 'n/a', 'null', 'none', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity', '1.#inf', '-1.#inf', '1.#qnan', '-1.#ind']);

/**
 * The cell's value: a finite or infinite number, NaN for an empty or missing-value cell
 * (NaN, Inf, NA, empty: the row is dropped), or null for text that is not a number.
 * With `decimalComma`, "1,5" reads as 1.5 (semicolon-separated files from European locales).
 */
export function parseCell(raw: string, decimalComma = false): number | null {
  let s = raw.trim();
  if (s.length === 0) return NaN;
  // fast path for plain decimals; Number() alone would also take hex, octal and binary literals
  const c0 = s.charCodeAt(0);
  const c1 = s.length > 1 ? s.charCodeAt(1) | 0x20 : 0;
  if (((c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 43 || c0 === 46) && c1 !== 0x78 && c1 !== 0x6f && c1 !== 0x62) {
    const v = Number(s);
    if (v === v) return v;
  }
  if (decimalComma && s.indexOf(',') >= 0 && s.indexOf('.') < 0) s = s.replace(',', '.');
  if (NUMBER.test(s)) {
    // Number() refuses the Fortran exponent letter
    return Number(s.replace(/[dD]/, 'e'));
  }
  const lower = s.toLowerCase();
  if (MISSING.has(lower)) return lower.includes('inf') ? (lower.startsWith('-') ? -Infinity : Infinity) : NaN;
  return null;
}

/** True when the cell reads as a number or a missing value (not as text). */
export function isNumericCell(raw: string, decimalComma = false): boolean {
  return parseCell(raw, decimalComma) !== null;
}
