/**
 * Whole-session actions: open a session (file, link, autosave), share links, session files,
 * stored models (HyperSpy's store/restore) and exports. Every refusal goes to the alert area and
 * leaves the current session as it was.
 */
import { loadSessionText, SessionLoadError } from '../core/session/load';
import { download } from './download';
import { decodeShareFragment, encodeShareFragment, SHARE_LINK_MAX_CHARS, shareLinkUrl } from '../core/session/share-link';
import { sessionToText } from '../core/session/serialize';
import type { SessionDoc, StoredModel } from '../core/session/document';
import { curvesCsv, parametersCsv, parametersJson } from '../core/session/exports';
import { evaluateCurves } from '../core/model/display';
import { store } from './store';
import { alert, activeDataset, loadFiles } from './actions';
import { resetHistory } from './undo';
import { activeCube, cubeShareProblem, withStoredMaps } from './cube-session';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Replaces the session (data, model, settings, results) and starts a fresh undo history. */
export function openSession(doc: SessionDoc): void {
  store.setState({ session: doc, sources: {}, fitProgress: null });
  resetHistory();
}

export function isSessionFile(name: string, bytes: Uint8Array): boolean {
  if (name.toLowerCase().endsWith('.fitbench.json')) return true;
  if (!name.toLowerCase().endsWith('.json')) return false;
  const head = new TextDecoder().decode(bytes.subarray(0, 512));
  return /"format"\s*:\s*"fitbench-session"/.test(head);
}

export function openSessionFile(name: string, bytes: Uint8Array): void {
  try {
    openSession(loadSessionText(new TextDecoder('utf-8', { fatal: false }).decode(bytes), name));
  } catch (e) {
    alert(e instanceof SessionLoadError ? e.message : `${name}: ${message(e)}`);
  }
}

function baseUrl(): string {
  return location.origin + location.pathname + location.search;
}

/** Makes the share link; too large for a URL -> says so and offers the session file. */
export function makeShareLink(): void {
  const { session } = store.getState();
  const tooBig = cubeShareProblem(session, SHARE_LINK_MAX_CHARS);
  if (tooBig) {
    store.setState({ shareUrl: null });
    alert(tooBig);
    return;
  }
  const fragment = encodeShareFragment(session);
  const url = shareLinkUrl(fragment, baseUrl());
  if (url.length > SHARE_LINK_MAX_CHARS) {
    store.setState({ shareUrl: null });
    alert(
      `This session is too large for a share link (${url.length.toLocaleString('en')} characters; links work up to ${SHARE_LINK_MAX_CHARS.toLocaleString('en')}). Use "Save session" and send the .fitbench.json file instead.`,
    );
    return;
  }
  store.setState({ shareUrl: url });
  // keep the address bar in step so a reload or bookmark restores this state
  history.replaceState(null, '', url);
  void navigator.clipboard?.writeText(url).catch(() => undefined);
}

/** Opens the session in the URL fragment, if any. Returns whether one was opened. */
export function openFromLocation(): boolean {
  const hash = location.hash;
  if (!hash || hash === '#') return false;
  try {
    openSession(decodeShareFragment(hash));
    return true;
  } catch (e) {
    alert(message(e));
    // the refused fragment must not be retried on reload
    history.replaceState(null, '', baseUrl());
    return false;
  }
}


function baseName(): string {
  const d = activeDataset();
  const stem = d ? d.name.replace(/\.[^.]*$/, '') : 'session';
  return stem.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'session';
}

export function saveSessionFile(): void {
  download(`${baseName()}.fitbench.json`, sessionToText(store.getState().session), 'application/json');
}

export function exportParameters(format: 'csv' | 'json'): void {
  const { result } = store.getState().session;
  if (!result) {
    alert('Fit first: there are no fitted parameters to export.');
    return;
  }
  if (format === 'csv') download(`${baseName()}-parameters.csv`, parametersCsv(result), 'text/csv');
  else download(`${baseName()}-parameters.json`, parametersJson(result), 'application/json');
}

export function exportCurves(): void {
  const d = activeDataset();
  const { model } = store.getState().session;
  if (!d || !model.components.some((c) => c.active)) {
    alert('There is no model to export: add a component first.');
    return;
  }
  try {
    download(`${baseName()}-model.csv`, curvesCsv(d, evaluateCurves(model, d.coords, d.values.length)), 'text/csv');
  } catch (e) {
    alert(`The model cannot be evaluated: ${message(e)}`);
  }
}

/** Saves the current model and its result under a name (replacing one of the same name). */
export function storeModel(name: string): void {
  const trimmed = name.trim();
  if (!trimmed) {
    alert('Give the stored model a name.');
    return;
  }
  const { session } = store.getState();
  // a spectrum image's model keeps its maps (cube-session.ts)
  const cube = activeCube(session);
  const maps = cube ? session.cube?.[cube.name]?.maps : null;
  const entry: StoredModel = {
    name: trimmed.slice(0, 200),
    model: session.model,
    result: session.result,
    dataset: cube?.name ?? activeDataset()?.name ?? '',
    savedAt: new Date().toISOString(),
    ...(maps ? { cube: maps } : {}),
  };
  const stored = [...session.stored.filter((s) => s.name !== entry.name), entry];
  store.setState({ session: { ...session, stored } });
}

export function restoreStoredModel(name: string): void {
  const { session } = store.getState();
  const s = session.stored.find((m) => m.name === name);
  if (!s) return;
  store.setState({ session: withStoredMaps({ ...session, model: s.model, result: s.result }, s) });
}

export function deleteStoredModel(name: string): void {
  const { session } = store.getState();
  store.setState({ session: { ...session, stored: session.stored.filter((m) => m.name !== name) } });
}

/** Dropped or picked files: session files open as sessions, everything else is data. */
export function loadDropped(files: { name: string; bytes: Uint8Array }[]): void {
  const sessions = files.filter((f) => isSessionFile(f.name, f.bytes));
  const data = files.filter((f) => !sessions.includes(f));
  if (sessions.length > 1) alert(`Open one session at a time; opened ${sessions[0].name} and ignored ${sessions.slice(1).map((f) => f.name).join(', ')}.`);
  if (sessions.length > 0) openSessionFile(sessions[0].name, sessions[0].bytes);
  if (data.length > 0) loadFiles(data);
}
