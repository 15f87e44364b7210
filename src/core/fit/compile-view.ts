/**
 * Compiles a model for the fitted points of a dataset: spectra evaluate at their points; images
 * render the whole frame (pixel integration, PSF convolution) and pick the fitted pixels.
 */
import type { Dataset } from '../data/dataset';
import { compileModel, type CompiledModel, type CompileOptions } from '../model/compile';
import type { ModelDoc } from '../model/document';
import type { FitView } from './fit-view';

export function compileForView(model: ModelDoc, dataset: Dataset, view: FitView, options: CompileOptions = {}): CompiledModel {
  if (dataset.kind !== 'image') return compileModel(model, view.coords, view.n, options);
  const [rows, cols] = dataset.shape;
  const every = view.n === rows * cols;
  return compileModel(model, view.coords, view.n, {
    ...options,
    image: { rows, cols, psf: dataset.psf ?? null, indices: every ? undefined : view.indices },
  });
}

/** The model over every pixel of an image (or every point of a spectrum), for display. */
export function compileForDataset(model: ModelDoc, dataset: Dataset, options: CompileOptions = {}): CompiledModel {
  const n = dataset.values.length;
  if (dataset.kind !== 'image') return compileModel(model, dataset.coords, n, options);
  const [rows, cols] = dataset.shape;
  return compileModel(model, dataset.coords, n, { ...options, image: { rows, cols, psf: dataset.psf ?? null } });
}
