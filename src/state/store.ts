/**
 * The app's one vanilla zustand store. Actions live at module level (actions.ts) so tests and
 * scripts can drive them without React. The session document is the only numeric truth;
 * everything else here is transient UI state.
 */
import { createStore } from 'zustand/vanilla';
import { emptySession, type SessionDoc } from '../core/session/document';
import type { FitProgress } from '../core/fit/result';
import type { ColumnChoice, Table } from '../core/data/readers';

export type { ColumnChoice };

export interface SourceTable {
  table: Table;
  choice: ColumnChoice;
}

export interface AppState {
  session: SessionDoc;
  /** tables behind delimited-text datasets, by dataset name, for changing columns */
  sources: Record<string, SourceTable>;
  /** messages shown in the alert area (load errors, refused input, worker failures) */
  alerts: string[];
  fitRunning: boolean;
  fitProgress: FitProgress | null;
  /** which range mode a plot selection adds */
  rangeMode: 'include' | 'exclude' | null;
  canUndo: boolean;
  canRedo: boolean;
  /** a slider drag (or typing into a value) is in progress: the plot keeps its axis ranges */
  gesture: boolean;
  /** the last share link made (shown in the Share link URL field) */
  shareUrl: string | null;
  /** where the session was restored from at start-up, for the status line */
  restoredFrom: 'link' | 'autosave' | 'demo' | null;
}

export const store = createStore<AppState>(() => ({
  session: emptySession(),
  sources: {},
  alerts: [],
  fitRunning: false,
  fitProgress: null,
  rangeMode: null,
  canUndo: false,
  canRedo: false,
  gesture: false,
  shareUrl: null,
  restoredFrom: null,
}));
