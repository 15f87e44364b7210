/** Number formatting for tables and inputs. */
export function fmt(v: number | null | undefined, digits = 6): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

/** Parses a user-typed number; also accepts inf, -inf and empty (null). */
export function parseNumber(text: string): number | null | undefined {
  const t = text.trim().toLowerCase();
  if (t === '') return null;
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}
