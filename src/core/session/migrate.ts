/**
 * Brings a parsed session file up to the current version (SESSION_VERSION) before it is validated.
 *
 * Versions of the session file (`format: "fitbench-session"` in all of them):
 *
 * - 0: the first format. The same document as version 1 except that it has no `view` and its
 *   `fit` has no `ranges`; `version` is 0 or absent (a file without `version` is read as 0).
 *   Migration to 1 adds `view: { hiddenComponents: [] }` (every component shown) and
 *   `fit.ranges: []` (fit every point), which is what version 0 meant.
 * - 1: the current format (see document.ts and schema.ts).
 *
 * Files from a newer Fitbench are refused rather than guessed at. Migration never mutates its
 * input; it returns new objects where it changes something and leaves everything it does not
 * understand for the schema to judge.
 */
import { SESSION_VERSION } from './document';
import { FORMAT } from './schema';

/** A file that no migration can bring to the current version; the message has no source name. */
export class SessionMigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionMigrationError';
  }
}

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'true/false';
  return typeof v;
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  return JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s);
}

/** Steps: MIGRATIONS[v] turns a version-v document into a version-(v+1) one. */
const MIGRATIONS: ((doc: Obj) => Obj)[] = [
  // 0 -> 1: view settings and fit ranges appear
  (doc) => {
    const out: Obj = { ...doc, version: 1 };
    if (isPlainObject(doc.fit) && doc.fit.ranges === undefined) out.fit = { ...doc.fit, ranges: [] };
    if (doc.view === undefined) out.view = { hiddenComponents: [] };
    return out;
  },
];

/** The version a parsed session file claims (0 when absent); throws SessionMigrationError when it is unusable. */
export function sessionVersionOf(raw: unknown): number {
  if (!isPlainObject(raw)) throw new SessionMigrationError(`is not a Fitbench session (expected a JSON object, found ${kindOf(raw)})`);
  if (raw.format !== FORMAT) {
    if (raw.format === undefined) throw new SessionMigrationError(`is not a Fitbench session (it has no "format": "${FORMAT}")`);
    throw new SessionMigrationError(`is not a Fitbench session (its format is ${short(raw.format)}, expected "${FORMAT}")`);
  }
  const v = raw.version;
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new SessionMigrationError(`has an invalid version ${typeof v === 'number' ? String(v) : short(v)} (expected a whole number)`);
  }
  if (v > SESSION_VERSION) throw new SessionMigrationError(`made by a newer Fitbench (version ${v}); this one reads up to version ${SESSION_VERSION}`);
  return v;
}

/**
 * The document as the current version, ready for the schema. Throws SessionMigrationError for
 * something that is not a session, an invalid version, or a version newer than this Fitbench reads.
 */
export function migrateSession(raw: unknown): unknown {
  let v = sessionVersionOf(raw);
  let doc = raw as Obj;
  while (v < SESSION_VERSION) {
    doc = MIGRATIONS[v](doc);
    v++;
  }
  return doc;
}
