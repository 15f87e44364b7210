/**
 * Undo/redo history of immutable documents.
 *
 * Documents are stored by reference (they are never mutated, so unchanged parts such as big data
 * arrays are shared between steps and cost nothing). A "gesture" (one slider drag, typing into one
 * field) is one undo step: consecutive pushes with the same `coalesceKey` replace the current
 * document instead of adding steps, until `endGesture()`, an undo/redo, a reset, or a push with
 * another (or no) key.
 *
 * Plain TypeScript with no dependencies; the UI store owns one and calls it on every edit.
 */
export interface HistoryOptions {
  /** most undo steps kept (older ones are dropped); default 200 */
  limit?: number;
}

export interface PushOptions {
  /** pushes with the same key, one after another within a gesture, make one undo step */
  coalesceKey?: string;
}

export interface History<T> {
  /** Records `doc` as the new current document (clears the redo steps). Pushing the current document again does nothing. */
  push(doc: T, options?: PushOptions): void;
  /** Closes the current gesture: the next push starts a new undo step even with the same key. */
  endGesture(): void;
  /** Steps back; returns the document to show, or null when there is nothing to undo. */
  undo(): T | null;
  /** Steps forward again; returns the document to show, or null when there is nothing to redo. */
  redo(): T | null;
  /** Forgets every step and starts again from `doc` (after loading a session). */
  reset(doc: T): void;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  readonly current: T;
  /** number of undo steps available */
  readonly undoDepth: number;
  /** number of redo steps available */
  readonly redoDepth: number;
}

export function createHistory<T>(initial: T, options: HistoryOptions = {}): History<T> {
  const limit = options.limit ?? 200;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`history limit must be a whole number >= 0, got ${limit}`);
  let past: T[] = [];
  let present: T = initial;
  let future: T[] = [];
  /** key of the gesture that the current document belongs to; null when no gesture is open */
  let gesture: string | null = null;

  return {
    push(doc: T, opts: PushOptions = {}): void {
      const key = opts.coalesceKey ?? null;
      if (doc === present) return; // nothing changed: no step, the gesture state stays as it is
      if (key !== null && key === gesture) {
        // same gesture: the step that started it already remembers the document before it
        present = doc;
        future = [];
        return;
      }
      past.push(present);
      if (past.length > limit) past = past.slice(past.length - limit);
      present = doc;
      future = [];
      gesture = key;
    },
    endGesture(): void {
      gesture = null;
    },
    undo(): T | null {
      gesture = null;
      if (past.length === 0) return null;
      future.push(present);
      present = past.pop() as T;
      return present;
    },
    redo(): T | null {
      gesture = null;
      if (future.length === 0) return null;
      past.push(present);
      present = future.pop() as T;
      return present;
    },
    reset(doc: T): void {
      past = [];
      future = [];
      present = doc;
      gesture = null;
    },
    get canUndo() {
      return past.length > 0;
    },
    get canRedo() {
      return future.length > 0;
    },
    get current() {
      return present;
    },
    get undoDepth() {
      return past.length;
    },
    get redoDepth() {
      return future.length;
    },
  };
}
