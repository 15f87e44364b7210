/**
 * Transient state of the image view (not part of the session document): stretch, shared zoom and
 * pan of the three panels, click-to-place mode, and the planes each image was read from (kept in
 * memory so that a variance, weight or mask file can be replaced later; image-files.ts).
 */
import { createStore } from 'zustand/vanilla';
import type { Stretch } from '../figures/image-display';
import type { ImageSource } from '../core/data/readers/image-files';

export interface ImageViewport {
  /** image coordinates (x = column, y = row) at the centre of each panel */
  cx: number;
  cy: number;
  /** screen pixels per image pixel */
  scale: number;
}

export interface ImageViewState {
  stretch: Stretch;
  /** null: fit the whole image in the panel */
  viewport: ImageViewport | null;
  /** a component waiting for a click on the image ("estimate from data") */
  placing: string | null;
  /** by dataset name */
  sources: Record<string, ImageSource>;
  /** the last model redraw: evaluation and drawing (ms), for the status line and tests */
  lastRedrawMs: number | null;
  /** pixel under the pointer */
  hover: { i: number; j: number } | null;
}

export const imageViewStore = createStore<ImageViewState>(() => ({
  stretch: 'asinh',
  viewport: null,
  placing: null,
  sources: {},
  lastRedrawMs: null,
  hover: null,
}));

export function setStretch(stretch: Stretch): void {
  imageViewStore.setState({ stretch });
}

export function setViewport(viewport: ImageViewport | null): void {
  imageViewStore.setState({ viewport });
}

export function setPlacing(component: string | null): void {
  imageViewStore.setState({ placing: component });
}
