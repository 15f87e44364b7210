/**
 * Transient state of the spectrum-image panel: the running multifit (its live maps, progress,
 * cancel) and display choices. The maps themselves live in the session document
 * (SessionDoc.cube); a running multifit's maps are committed there when it ends or is cancelled.
 */
import { createStore } from 'zustand/vanilla';
import type { Stretch } from '../core/cube/display';
import type { MapAccumulator } from '../core/cube/parallel';
import type { MapKind } from '../core/cube/session-maps';

export type NavigatorMap = MapKind | 'sum';

export interface MultifitProgress {
  done: number;
  total: number;
  elapsedMs: number;
  pixelsPerSecond: number;
  workers: number;
  linear: boolean;
}

export interface MultifitSummary extends MultifitProgress {
  accepted: number;
  retried: number;
  failed: number;
  cancelled: boolean;
}

export interface CubeUiState {
  running: boolean;
  /** the dataset a running multifit belongs to */
  runningDataset: string | null;
  /** the live maps of a running multifit (mutated in place; `liveVersion` tells when) */
  live: MapAccumulator | null;
  liveVersion: number;
  progress: MultifitProgress | null;
  lastRun: MultifitSummary | null;
  mapKind: NavigatorMap;
  mapKey: string | null;
  stretch: Stretch;
  /** worker count (default: navigator.hardwareConcurrency) */
  workers: number | null;
}

export const cubeStore = createStore<CubeUiState>(() => ({
  running: false,
  runningDataset: null,
  live: null,
  liveVersion: 0,
  progress: null,
  lastRun: null,
  mapKind: 'sum',
  mapKey: null,
  stretch: 'linear',
  workers: null,
}));
