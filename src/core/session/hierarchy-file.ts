/**
 * A hierarchical model read on its own: a bare HierarchyDoc as JSON (`{ hyper, members,
 * observations }`), or a session file, whose `hierarchy` is taken. Refusals are SessionLoadErrors
 * whose message starts with the source and names the path of the first problem, as for sessions.
 */
import type { HierarchyDoc } from '../hierarchy/document';
import { hierarchySchema } from './hierarchy-schema';
import { locateJsonSyntaxError } from './json-error';
import { asSessionLoadError, describeIssues, loadSessionText, MAX_SESSION_CHARS, SessionLoadError } from './load';
import { FORMAT } from './schema';

/** A parsed JSON value as a HierarchyDoc; throws only SessionLoadError. */
export function parseHierarchyJson(value: unknown, source: string): HierarchyDoc {
  try {
    const parsed = hierarchySchema.safeParse(value, { reportInput: true });
    if (!parsed.success) throw new SessionLoadError(source, describeIssues(parsed.error.issues));
    return parsed.data;
  } catch (e) {
    throw asSessionLoadError(source, e);
  }
}

/** The text of a hierarchy file (or of a session holding one) as a HierarchyDoc; throws only SessionLoadError. */
export function loadHierarchyText(text: string, source: string): HierarchyDoc {
  try {
    if (text.length > MAX_SESSION_CHARS) throw new SessionLoadError(source, `is too large (more than ${MAX_SESSION_CHARS / (1024 * 1024)} MB)`);
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      if (body.trim() === '') throw new SessionLoadError(source, 'is empty');
      const at = locateJsonSyntaxError(body);
      throw new SessionLoadError(source, at ? `is not valid JSON: ${at.reason} at line ${at.line}, column ${at.column}` : 'could not be parsed as JSON');
    }
    if (typeof value === 'object' && value !== null && (value as { format?: unknown }).format === FORMAT) {
      const session = loadSessionText(body, source);
      if (!session.hierarchy) throw new SessionLoadError(source, 'the session holds no hierarchical model (no "hierarchy")');
      return session.hierarchy;
    }
    return parseHierarchyJson(value, source);
  } catch (e) {
    throw asSessionLoadError(source, e);
  }
}
