/**
 * Reading a session: text -> JSON -> migration -> schema -> SessionDoc.
 *
 * Every refusal is a SessionLoadError whose message starts with the source ("fit.fitbench.json: ...",
 * "share link: ...") and says in one sentence what is wrong and where. Nothing else is ever thrown:
 * unexpected faults are wrapped, so callers can show `e.message` as it is.
 */
import { z } from 'zod';
import { SESSION_VERSION, type SessionDoc } from './document';
import { locateJsonSyntaxError } from './json-error';
import { migrateSession, SessionMigrationError } from './migrate';
import { FORBIDDEN_KEYS, sessionJsonSchema } from './schema';
import { datasetFromJson } from './serialize';
import { cubeFromJson, storedModelFromJson } from './cube-json';

/** Largest session text read, in UTF-16 code units (about bytes for the ASCII JSON Fitbench writes). */
export const MAX_SESSION_CHARS = 50 * 1024 * 1024;

/** Deepest nesting of objects and lists a session can need (it needs 6); deeper input is refused. */
export const MAX_SESSION_DEPTH = 64;

/** A session that could not be loaded. The message always starts with `source`. */
export class SessionLoadError extends Error {
  /** the file name, "share link", ... */
  readonly source: string;
  /** the message without the leading source */
  readonly detail: string;
  /** 1-based position of a JSON syntax error, when that is the fault */
  readonly line?: number;
  readonly column?: number;

  constructor(source: string, detail: string, position?: { line: number; column: number }) {
    super(`${source}: ${detail}`);
    this.name = 'SessionLoadError';
    this.source = source;
    this.detail = detail;
    this.line = position?.line;
    this.column = position?.column;
  }
}

function sourceName(source: unknown): string {
  return typeof source === 'string' && source.trim() !== '' ? source : 'session file';
}

/** Any thrown value as a SessionLoadError for `source`. */
export function asSessionLoadError(source: string, e: unknown): SessionLoadError {
  if (e instanceof SessionLoadError) return e;
  const name = sourceName(source);
  if (e instanceof SessionMigrationError) return new SessionLoadError(name, e.message);
  let what = 'unknown error';
  try {
    what = e instanceof Error ? e.message || e.name : String(e);
  } catch {
    // a thrown value whose conversion throws: keep 'unknown error'
  }
  return new SessionLoadError(name, `could not be read (internal error: ${what})`);
}

/** A short, quoted, escaped excerpt for messages. */
function quote(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? text.slice(0, max) + '…' : text);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `model.components[2].params.sigma.value`; odd keys as `coords["a b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg) && seg.length <= 60) out += out === '' ? seg : `.${seg}`;
    else out += `[${quote(String(seg))}]`;
  }
  return out;
}

/** What a value is, in words, for "found ..." */
function describeInput(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return `the text ${quote(v)}`;
    case 'number':
      return Number.isFinite(v) ? `the number ${v}` : `${v} (a number too large for a double)`;
    case 'boolean':
      return String(v);
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

function expectedPhrase(expected: string): string {
  switch (expected) {
    case 'number':
      return 'a finite number';
    case 'int':
      return 'a whole number';
    case 'string':
      return 'text';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'an object';
    case 'null':
      return 'null';
    default:
      return expected;
  }
}

function listOf(values: readonly unknown[]): string {
  const words = values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
  if (words.length <= 1) return words.join('');
  return `one of ${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}

/** One zod issue as words (without its path). */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type': {
      const want = expectedPhrase(String(issue.expected));
      return input === undefined ? `is missing (expected ${want})` : `expected ${want}, found ${describeInput(input)}`;
    }
    case 'invalid_value':
      return input === undefined ? `is missing (expected ${listOf(issue.values)})` : `expected ${listOf(issue.values)}, found ${describeInput(input)}`;
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `is too long (${typeof input === 'string' ? `${input.length} characters; ` : ''}at most ${max})`;
      if (issue.origin === 'array') return `has too many entries (at most ${max})`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${max}, found ${describeInput(input)}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? 'must not be empty' : `is too short (at least ${min} characters)`;
      if (issue.origin === 'array') return `needs at least ${plural(min, 'entry', 'entries')}`;
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${min}, found ${describeInput(input)}`;
    }
    case 'invalid_key': {
      const key = String(input);
      if (FORBIDDEN_KEYS.has(key)) return `the key ${quote(key)} is not allowed`;
      if (key === '') return 'a key must not be empty';
      return `the key ${quote(key)} is not allowed (too long or not text)`;
    }
    case 'invalid_union':
      return `does not have any accepted form, found ${describeInput(input)}`;
    case 'unrecognized_keys':
      return `has unknown keys ${issue.keys.map((k) => quote(k)).join(', ')}`;
    case 'custom':
      return issue.message || 'is not valid';
    default:
      return issue.message || 'is not valid';
  }
}

/** The first issue as one sentence (path: problem), noting how many more there are. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  if (issues.length === 0) return 'is not a valid session';
  const first = issues[0];
  // an invalid_key issue already names the key at the end of its path; show the map it is in
  const path = first.code === 'invalid_key' ? first.path.slice(0, -1) : first.path;
  const where = formatPath(path);
  const more = issues.length > 1 ? ` (and ${plural(issues.length - 1, 'more problem', 'more problems')})` : '';
  return `${where === '' ? '' : `${where}: `}${describeIssue(first)}${more}`;
}

/**
 * One walk over the parsed JSON (iterative, so any depth is safe): refuses `__proto__` keys anywhere
 * (JSON.parse makes them own properties; code that later copies the object key by key could set a
 * prototype with them) and nesting deeper than a session can have. Returns the problem, or null.
 */
function scanStructure(value: unknown): string | null {
  const stack: { v: unknown; path: PropertyKey[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= MAX_SESSION_DEPTH) {
      return `${formatPath(path.slice(0, 8))}…: is nested too deeply (more than ${MAX_SESSION_DEPTH} levels; a session needs fewer than 10)`;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (typeof e === 'object' && e !== null) stack.push({ v: e, path: [...path, i] });
      }
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key === '__proto__') {
        const where = formatPath(path);
        return `${where === '' ? '' : `${where}: `}the key "__proto__" is not allowed`;
      }
      const e: unknown = (v as Record<string, unknown>)[key];
      if (typeof e === 'object' && e !== null) stack.push({ v: e, path: [...path, key] });
    }
  }
  return null;
}

/** A parsed session file (plain JSON values) as a SessionDoc; throws only SessionLoadError. */
export function parseSessionJson(value: unknown, source: string): SessionDoc {
  const name = sourceName(source);
  try {
    const problem = scanStructure(value);
    if (problem !== null) throw new SessionLoadError(name, problem);
    const migrated = migrateSession(value);
    const parsed = sessionJsonSchema.safeParse(migrated, { reportInput: true });
    if (!parsed.success) throw new SessionLoadError(name, describeIssues(parsed.error.issues));
    const j = parsed.data;
    return {
      version: SESSION_VERSION,
      datasets: j.datasets.map(datasetFromJson),
      activeDataset: j.activeDataset,
      model: j.model,
      fit: j.fit,
      result: j.result,
      view: j.view,
      stored: j.stored.map(storedModelFromJson),
      ...(j.joint ? { joint: j.joint } : {}),
      ...(j.hierarchy ? { hierarchy: j.hierarchy } : {}),
      ...(j.cube ? { cube: cubeFromJson(j.cube) } : {}),
    };
  } catch (e) {
    throw asSessionLoadError(name, e);
  }
}

/** Session file text as a SessionDoc; throws only SessionLoadError. */
export function loadSessionText(text: string, source: string): SessionDoc {
  const name = sourceName(source);
  try {
    if (typeof text !== 'string') throw new SessionLoadError(name, 'could not be read (it is not text)');
    if (text.length > MAX_SESSION_CHARS) {
      const mb = (text.length / (1024 * 1024)).toFixed(1);
      throw new SessionLoadError(name, `is too large (${mb} MB; sessions of up to ${MAX_SESSION_CHARS / (1024 * 1024)} MB are read)`);
    }
    // a byte-order mark that an editor may have added
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (parseError) {
      throw syntaxError(name, body, parseError);
    }
    return parseSessionJson(value, name);
  } catch (e) {
    throw asSessionLoadError(name, e);
  }
}

function syntaxError(name: string, text: string, parseError: unknown): SessionLoadError {
  if (text.trim() === '') return new SessionLoadError(name, 'is empty');
  const at = locateJsonSyntaxError(text);
  if (at === null) {
    // valid JSON by the grammar, yet JSON.parse failed (an engine limit such as nesting depth)
    const what = parseError instanceof Error ? parseError.message : String(parseError);
    return new SessionLoadError(name, `could not be parsed as JSON (${what})`);
  }
  const pos = { line: at.line, column: at.column };
  if (at.truncated) {
    return new SessionLoadError(name, `is truncated: ${at.reason} (at line ${at.line}, column ${at.column})`, pos);
  }
  return new SessionLoadError(name, `is not valid JSON: ${at.reason} at line ${at.line}, column ${at.column}`, pos);
}
