/**
 * The model of an image for display, fast enough for slider drags: one compiled model per
 * (model structure, dataset), kept between calls, and one cached frame per component. A slider
 * moves the parameters of one component, so only that component is rendered (integrated over
 * the pixels and convolved with the PSF) again; the others are summed from their cached frames.
 * PSF convolution is linear, so the sum of convolved components equals the convolved sum.
 *
 * Structure = component names, types, options, active flags and twin links (what the compiled
 * layout depends on); values come from the document on every call. Compiled with `allFree`, so
 * fixed parameters are read from the document too.
 */
import type { Dataset } from '../core/data/dataset';
import { compileForDataset } from '../core/fit/compile-view';
import type { CompiledModel } from '../core/model/compile';
import { paramKey, type ModelDoc } from '../core/model/document';

export interface ImageEvaluation {
  /** the model over every pixel (row-major) */
  model: Float64Array;
  /** (data - model) / sigma (data - model without sigma); NaN at masked pixels */
  residual: Float64Array;
  /** each active component's frame, by name (the cached arrays: do not modify) */
  components: Map<string, Float64Array>;
  /** components rendered by this call (the others came from the cache) */
  rendered: string[];
  /** wall time of this call (ms) */
  ms: number;
}

/** The part of a model that decides its compiled layout. */
export function modelStructureKey(model: ModelDoc): string {
  return JSON.stringify(
    model.components.map((c) => [c.name, c.type, c.active, c.options ?? null, Object.entries(c.params).map(([p, d]) => [p, d.twin ?? null])]),
  );
}

export class ImageModelCache {
  private key: string | null = null;
  private dataset: Dataset | null = null;
  private compiled: CompiledModel | null = null;
  private theta = new Float64Array(0);
  private slots = new Float64Array(0);
  /** slot indices of each compiled component */
  private compSlots: Int32Array[] = [];
  /** slot values each cached frame was rendered with */
  private rendered: Float64Array[] = [];
  private valid: boolean[] = [];
  private frames: Float64Array[] = [];
  private total = new Float64Array(0);
  private resid = new Float64Array(0);
  private now: () => number;

  constructor(now: () => number = () => (typeof performance !== 'undefined' ? performance.now() : Date.now())) {
    this.now = now;
  }

  /** Drops everything (e.g. after the dataset's PSF changed in place; normally not needed). */
  clear(): void {
    this.key = null;
    this.dataset = null;
    this.compiled = null;
  }

  /**
   * The model, its components and the normalised residual for `model` on `dataset`; `live`
   * overrides document values (keys `<component>.<param>`, e.g. a running fit's point).
   * Throws the compile error (ModelError) when the model cannot be built.
   */
  evaluate(model: ModelDoc, dataset: Dataset, live?: Record<string, number>): ImageEvaluation {
    const t0 = this.now();
    const key = modelStructureKey(model);
    if (!this.compiled || key !== this.key || dataset !== this.dataset) this.compile(model, dataset, key);
    const c = this.compiled!;
    const values = new Map<string, number>();
    for (const comp of model.components) for (const [p, d] of Object.entries(comp.params)) values.set(paramKey(comp.name, p), d.value);
    const keys = c.layout.freeKeys;
    for (let k = 0; k < keys.length; k++) {
      const v = live && Object.prototype.hasOwnProperty.call(live, keys[k]) ? live[keys[k]] : values.get(keys[k]);
      this.theta[k] = v ?? c.layout.theta0[k];
    }
    c.expand(this.theta, this.slots);
    const n = dataset.values.length;
    const rendered: string[] = [];
    for (let ci = 0; ci < c.componentNames.length; ci++) {
      const idx = this.compSlots[ci];
      const prev = this.rendered[ci];
      let same = this.valid[ci];
      for (let s = 0; same && s < idx.length; s++) if (!Object.is(prev[s], this.slots[idx[s]])) same = false;
      if (same) continue;
      c.evaluateComponent(ci, this.theta, this.frames[ci]);
      for (let s = 0; s < idx.length; s++) prev[s] = this.slots[idx[s]];
      this.valid[ci] = true;
      rendered.push(c.componentNames[ci]);
    }
    const total = this.total;
    total.fill(0);
    for (const f of this.frames) for (let i = 0; i < n; i++) total[i] += f[i];
    const y = dataset.values;
    const sigma = dataset.sigma;
    const mask = dataset.mask;
    const r = this.resid;
    for (let i = 0; i < n; i++) {
      if (mask && mask[i]) r[i] = NaN;
      else r[i] = sigma ? (y[i] - total[i]) / sigma[i] : y[i] - total[i];
    }
    const components = new Map<string, Float64Array>();
    c.componentNames.forEach((name, i) => components.set(name, this.frames[i]));
    return { model: total, residual: r, components, rendered, ms: this.now() - t0 };
  }

  private compile(model: ModelDoc, dataset: Dataset, key: string): void {
    this.compiled = null;
    const c = compileForDataset(model, dataset, { allFree: true });
    const n = dataset.values.length;
    this.compiled = c;
    this.key = key;
    this.dataset = dataset;
    this.theta = new Float64Array(c.layout.freeKeys.length);
    this.slots = new Float64Array(c.layout.slots.length);
    this.compSlots = c.componentNames.map((name) => {
      const doc = model.components.find((m) => m.name === name)!;
      return Int32Array.from(Object.keys(doc.params).map((p) => c.layout.slotIndex.get(paramKey(name, p)) ?? -1).filter((s) => s >= 0));
    });
    this.rendered = this.compSlots.map((s) => new Float64Array(s.length));
    this.valid = this.compSlots.map(() => false);
    this.frames = c.componentNames.map(() => new Float64Array(n));
    this.total = new Float64Array(n);
    this.resid = new Float64Array(n);
  }
}
