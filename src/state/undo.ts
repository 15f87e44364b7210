/**
 * Undo/redo over the session document. Every change of `session` in the store is recorded
 * (one subscription, so no action can forget it); a slider drag is one step because the slider
 * opens a gesture on pointer-down and closes it on release. Undo and redo themselves are not recorded.
 */
import { createHistory, type History } from '../core/session/history';
import type { SessionDoc } from '../core/session/document';
import { store } from './store';

let history: History<SessionDoc> = createHistory(store.getState().session);
let applying = false;
let gestureKey: string | null = null;

store.subscribe((state, prev) => {
  if (applying || state.session === prev.session) return;
  // live fit progress is not a step; the result at the end is
  if (state.fitRunning && state.session.result === prev.session.result && state.session.model === prev.session.model) return;
  history.push(state.session, gestureKey ? { coalesceKey: gestureKey } : {});
  publish();
});

function publish(): void {
  store.setState({ canUndo: history.canUndo, canRedo: history.canRedo });
}

function apply(doc: SessionDoc | null): void {
  if (!doc) return;
  applying = true;
  try {
    store.setState((s) => ({ session: doc, sources: s.sources }));
  } finally {
    applying = false;
  }
  publish();
}

export function undo(): void {
  if (store.getState().fitRunning) return;
  apply(history.undo());
}

export function redo(): void {
  if (store.getState().fitRunning) return;
  apply(history.redo());
}

/** A slider drag (or any continuous edit) from here to endGesture() is one undo step. */
export function beginGesture(key: string): void {
  if (gestureKey !== key) history.endGesture();
  gestureKey = key;
  if (!store.getState().gesture) store.setState({ gesture: true });
}

export function endGesture(): void {
  gestureKey = null;
  history.endGesture();
  if (store.getState().gesture) store.setState({ gesture: false });
}

/** Forgets the steps (after opening a session or a link). */
export function resetHistory(): void {
  history = createHistory(store.getState().session);
  publish();
}
