/**
 * Autosave: every change of the session is written to IndexedDB (debounced, and flushed when the
 * page is hidden or closed), so a reload, a crash or a closed tab brings the last state back.
 * Stored as the session file text, read back through the same validating loader as files and links.
 */
import { datasetToJson, sessionToTextWith } from '../core/session/serialize';
import type { Dataset } from '../core/data/dataset';
import { loadSessionText } from '../core/session/load';
import type { SessionDoc } from '../core/session/document';
import { store } from './store';

const DB_NAME = 'fitbench';
const STORE = 'sessions';
const KEY = 'autosave';
const DEBOUNCE_MS = 300;

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

let dbPromise: Promise<IDBDatabase> | null = null;
function db(): Promise<IDBDatabase> {
  dbPromise ??= openDb();
  return dbPromise;
}

async function put(text: string): Promise<void> {
  const d = await db();
  await new Promise<void>((resolve, reject) => {
    const tx = d.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(text, KEY);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('autosave failed'));
  });
}

async function get(): Promise<string | null> {
  const d = await db();
  return new Promise((resolve, reject) => {
    const req = d.transaction(STORE, 'readonly').objectStore(STORE).get(KEY);
    req.onsuccess = () => resolve(typeof req.result === 'string' ? req.result : null);
    req.onerror = () => reject(req.error ?? new Error('autosave read failed'));
  });
}

/** The autosaved session, or null (none, unreadable storage, or refused: then the message). */
export async function readAutosave(): Promise<{ doc: SessionDoc | null; problem: string | null }> {
  let text: string | null;
  try {
    text = await get();
  } catch {
    return { doc: null, problem: null };
  }
  if (text === null) return { doc: null, problem: null };
  try {
    return { doc: loadSessionText(text, 'autosaved session'), problem: null };
  } catch (e) {
    return { doc: null, problem: e instanceof Error ? e.message : String(e) };
  }
}

// datasets are replaced, never mutated, in the store: their text is made once per object
const datasetTexts = new WeakMap<Dataset, string>();
function cachedDatasetText(d: Dataset): string {
  let t = datasetTexts.get(d);
  if (t === undefined) {
    t = JSON.stringify(datasetToJson(d));
    datasetTexts.set(d, t);
  }
  return t;
}

let timer: ReturnType<typeof setTimeout> | null = null;
let pending: SessionDoc | null = null;
let lastWritten: SessionDoc | null = null;
/** resolves when the last write finished (tests and the benchmark wait on it) */
let writing: Promise<void> = Promise.resolve();

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  const doc = pending;
  pending = null;
  if (!doc || doc === lastWritten) return;
  lastWritten = doc;
  writing = writing.then(() => put(sessionToTextWith(doc, cachedDatasetText))).catch(() => undefined);
}

export function startAutosave(): void {
  store.subscribe((state, prev) => {
    if (state.session === prev.session || state.fitRunning) return;
    pending = state.session;
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  });
  const now = () => {
    if (pending) flush();
  };
  addEventListener('pagehide', now);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') now();
  });
}

/** Writes any pending change now and waits for it (used before a deliberate reload). */
export async function flushAutosave(): Promise<void> {
  flush();
  await writing;
}
