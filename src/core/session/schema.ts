/**
 * Zod schema of a session file (SessionJson, version 1): what `serialize.ts` writes.
 *
 * Policy:
 * - Objects strip keys they do not know (newer minor additions, comments someone added by hand).
 * - Records (maps with user-chosen keys: coords, labels, parameters, result values) refuse the keys
 *   `__proto__`, `constructor` and `prototype`, so nothing read from a file can reach an object's
 *   prototype chain when later code copies or indexes these maps.
 * - Numbers the model needs (parameter values, prior parameters, ranges) must be finite; bounds may
 *   be null (unbounded). Data arrays hold finite numbers or null (null stands for NaN, which JSON
 *   cannot hold). Fit results are read leniently: a null where a number belongs becomes NaN, because
 *   JSON.stringify writes NaN and infinities (a diverged fit) as null.
 * - Cross-field checks: every coords/values/sigma/mask array has product(shape) entries, the rank of
 *   `shape` fits the kind, `activeDataset` indexes a dataset (0 when there are none), component names
 *   are unique.
 */
import { z } from 'zod';
import type { SessionJson } from './serialize';
import { hierarchySchema } from './hierarchy-schema';
import { checkCubeSession, cubeMapsSchema, cubeSessionSchema } from './cube-json';

export const FORMAT = 'fitbench-session';

/** Keys that a record (a map with user-chosen keys) may never have. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const MAX_NAME_CHARS = 200;
export const MAX_COMPONENT_NAME_CHARS = 100;
export const MAX_EXPR_CHARS = 2000;
const MAX_KEY_CHARS = 200;
const MAX_TEXT_CHARS = 10_000;
const MAX_DIM = 2 ** 31 - 1;

/** A key of a record: not empty, not too long, never a prototype-polluting name. */
const recordKey = z
  .string()
  .min(1, 'a key must not be empty')
  .max(MAX_KEY_CHARS)
  .refine((k) => !FORBIDDEN_KEYS.has(k), { message: 'this key is not allowed', abort: true });

function safeRecord<V extends z.ZodType>(value: V) {
  return z.record(recordKey, value);
}

/**
 * A plain array checked in one loop (data arrays can hold millions of entries, where a per-element
 * zod union is slow). Reports the first bad entry with its index.
 */
function dataArray<T>(ok: (x: unknown) => boolean, list: string, entry: string) {
  return z.custom<T[]>(() => true).superRefine((v, ctx) => {
    if (!Array.isArray(v)) {
      const message = v === undefined ? `is missing (expected ${list})` : `expected ${list}`;
      ctx.addIssue({ code: 'custom', message, input: v, continue: false });
      return;
    }
    for (let i = 0; i < v.length; i++) {
      if (!ok(v[i])) {
        ctx.addIssue({ code: 'custom', message: `expected ${entry}`, path: [i], input: v[i], continue: false });
        return;
      }
    }
  });
}

const numbersOrNulls = () =>
  dataArray<number | null>((x) => x === null || (typeof x === 'number' && Number.isFinite(x)), 'a list of numbers', 'a finite number or null');
const maskFlags = () => dataArray<number>((x) => x === 0 || x === 1, 'a list of 0/1 flags', '0 or 1');

const finite = z.number();
/** A number of a fit result: null (NaN or an infinity written by JSON.stringify) reads as NaN. */
const lenientNumber = z
  .number()
  .nullable()
  .transform((v) => (v === null ? NaN : v));
const lenientMatrix = z.array(z.array(lenientNumber)).nullable();

export const datasetSchema = z.object({
  name: z.string().max(MAX_NAME_CHARS),
  kind: z.enum(['spectrum', 'image', 'cube']),
  shape: z.array(z.int().min(0).max(MAX_DIM)).min(1).max(3),
  coords: safeRecord(numbersOrNulls()),
  values: numbersOrNulls(),
  sigma: numbersOrNulls().optional(),
  mask: maskFlags().optional(),
  notes: z.array(z.string().max(MAX_TEXT_CHARS)).max(1000).optional(),
  labels: safeRecord(z.string().max(MAX_NAME_CHARS)).optional(),
  // images: the PSF the model is convolved with (odd size; checked against its data below)
  psf: z
    .object({ data: numbersOrNulls(), size: z.int().min(1).max(MAX_DIM), source: z.string().max(MAX_NAME_CHARS).optional() })
    .refine((p) => p.size % 2 === 1 && p.data.length === p.size * p.size && p.data.every((v) => v !== null), {
      message: 'must be an odd size x size grid of finite numbers',
    })
    .optional(),
});

export const priorSchema = z.object({
  kind: z.enum(['uniform', 'loguniform', 'gaussian', 'truncgaussian']),
  lower: finite.optional(),
  upper: finite.optional(),
  mu: finite.optional(),
  sigma: finite.optional(),
});

export const twinSchema = z.object({
  source: z.string().min(1).max(2 * MAX_KEY_CHARS),
  expr: z.string().max(MAX_EXPR_CHARS).optional(),
});

export const parameterSchema = z.object({
  value: finite,
  lower: finite.nullable(),
  upper: finite.nullable(),
  fixed: z.boolean(),
  twin: twinSchema.optional(),
  prior: priorSchema.optional(),
});

export const componentSchema = z.object({
  // '' is the one bare-expression component; any other name is free text (escaped when shown)
  name: z.string().max(MAX_COMPONENT_NAME_CHARS),
  type: z.string().min(1).max(MAX_COMPONENT_NAME_CHARS),
  active: z.boolean(),
  options: z
    .object({
      order: z.int().min(0).max(10).optional(),
      expr: z.string().max(MAX_EXPR_CHARS).optional(),
    })
    .optional(),
  params: safeRecord(parameterSchema),
});

export const fitRangeSchema = z.object({
  min: finite,
  max: finite,
  mode: z.enum(['include', 'exclude']),
});

export const fitSettingsSchema = z.object({
  method: z.enum(['auto', 'lm', 'simplex', 'lbfgsb', 'iter', 'iterlm', 'adam']),
  statistic: z.enum(['chi2', 'cash', 'gauss', 'poisson']),
  ranges: z.array(fitRangeSchema).max(10_000),
  maxIterations: z.int().min(1).max(1e9).optional(),
  objective: z.enum(['likelihood', 'posterior']).optional(),
});

export const parameterResultSchema = z.object({
  value: lenientNumber,
  error: z.number().nullable(),
  errorReason: z.string().max(MAX_TEXT_CHARS).optional(),
  atBound: z.enum(['lower', 'upper']).nullable(),
});

export const fitResultSchema = z.object({
  parameters: safeRecord(parameterResultSchema),
  parameterOrder: z.array(z.string().max(2 * MAX_KEY_CHARS)),
  values: safeRecord(lenientNumber),
  start: safeRecord(lenientNumber).optional(),
  covariance: lenientMatrix,
  correlation: lenientMatrix,
  covarianceReason: z.string().max(MAX_TEXT_CHARS).optional(),
  statistic: z.object({ name: z.enum(['chi2', 'cash', 'gauss', 'poisson']), value: lenientNumber }),
  dof: lenientNumber,
  reducedStatistic: z.number().nullable(),
  nPoints: lenientNumber,
  converged: z.boolean(),
  cancelled: z.boolean(),
  message: z.string().max(MAX_TEXT_CHARS),
  method: z.string().max(MAX_NAME_CHARS),
  nfev: lenientNumber,
  elapsedMs: lenientNumber,
  errorsScaled: z.boolean(),
  objective: z.enum(['likelihood', 'posterior']).optional(),
  logPrior: lenientNumber.optional(),
  // joint fits of several datasets
  datasets: z.array(z.object({ name: z.string().max(MAX_NAME_CHARS), statistic: lenientNumber, nPoints: lenientNumber })).max(10_000).optional(),
  totalFree: lenientNumber.optional(),
  datasetComponents: z.array(z.array(z.string().max(MAX_COMPONENT_NAME_CHARS)).max(10_000).nullable()).max(10_000).optional(),
  datasetValues: z.array(safeRecord(lenientNumber)).max(10_000).optional(),
  derived: safeRecord(
    z.object({ value: lenientNumber, error: lenientNumber.nullable(), errorReason: z.string().max(MAX_TEXT_CHARS).optional(), relation: z.string().max(MAX_TEXT_CHARS), dataset: z.int().min(0) }),
  ).optional(),
});

/** Joint fits of all datasets (core/fit/joint-document.ts); its meaning is checked against the model when fitting. */
export const jointSchema = z.object({
  perDataset: z.array(z.string().min(1).max(2 * MAX_KEY_CHARS)).max(10_000),
  datasetVars: z.array(safeRecord(finite)).max(10_000),
  relations: z
    .array(
      z.object({
        param: z.string().min(1).max(2 * MAX_KEY_CHARS),
        expr: z.string().min(1).max(MAX_EXPR_CHARS),
        params: safeRecord(parameterSchema),
      }),
    )
    .max(10_000),
  perDatasetStart: safeRecord(z.array(finite).max(10_000)).optional(),
  // per dataset: the names of the components its model uses (null: all active components)
  components: z.array(z.array(z.string().max(MAX_COMPONENT_NAME_CHARS)).max(10_000).nullable()).max(10_000).optional(),
});

export const viewSchema = z.object({
  hiddenComponents: z.array(z.string().max(MAX_COMPONENT_NAME_CHARS)),
  hiddenDatasets: z.array(z.string().max(MAX_NAME_CHARS)).max(10_000).optional(),
});

type IssueSink = { addIssue(issue: { code: 'custom'; message: string; path: (string | number)[]; input?: unknown }): void };

/** Product of a shape, or -1 when it is not a list of non-negative integers or overflows. */
function shapeSize(shape: unknown): number {
  if (!Array.isArray(shape)) return -1;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return -1;
    n *= d;
  }
  return Number.isSafeInteger(n) ? n : -1;
}

const RANK: Record<string, number> = { spectrum: 1, image: 2, cube: 3 };

/**
 * Checks that relate fields to each other. Written defensively: zod may run it on a document
 * whose other parts already failed (with their own issues), so nothing here trusts the types.
 */
function crossCheck(doc: unknown, ctx: IssueSink): void {
  if (typeof doc !== 'object' || doc === null) return;
  const d = doc as { datasets?: unknown; activeDataset?: unknown; model?: unknown };
  const datasets = Array.isArray(d.datasets) ? d.datasets : null;
  if (datasets) {
    datasets.forEach((ds: unknown, i) => {
      if (typeof ds !== 'object' || ds === null) return;
      const { kind, shape, coords, values, sigma, mask } = ds as Record<string, unknown>;
      const at = ['datasets', i];
      if (typeof kind === 'string' && Array.isArray(shape) && RANK[kind] !== undefined && shape.length !== RANK[kind]) {
        const dims = RANK[kind];
        ctx.addIssue({ code: 'custom', path: [...at, 'shape'], message: `a ${kind} needs ${dims} dimension${dims === 1 ? '' : 's'}, this shape has ${shape.length}` });
      }
      const n = shapeSize(shape);
      if (n < 0) return;
      const need = (a: unknown, path: (string | number)[]) => {
        if (Array.isArray(a) && a.length !== n) {
          ctx.addIssue({ code: 'custom', path, message: `has ${a.length} entries, but the shape [${(shape as number[]).join(', ')}] needs ${n}` });
        }
      };
      need(values, [...at, 'values']);
      need(sigma, [...at, 'sigma']);
      // a spectrum image's signal axis (and a per-channel mask) has one entry per channel (core/cube/cube.ts)
      const perChannel = (a: unknown) => kind === 'cube' && Array.isArray(a) && Array.isArray(shape) && shape.length === 3 && a.length === shape[2];
      if (!perChannel(mask)) need(mask, [...at, 'mask']);
      if (typeof coords === 'object' && coords !== null) {
        for (const [k, v] of Object.entries(coords)) if (!perChannel(v)) need(v, [...at, 'coords', k]);
      }
    });
  }
  const active = d.activeDataset;
  if (datasets && typeof active === 'number' && Number.isInteger(active)) {
    if (datasets.length === 0 && active !== 0) {
      ctx.addIssue({ code: 'custom', path: ['activeDataset'], message: `must be 0 when there are no datasets, not ${active}` });
    } else if (datasets.length > 0 && (active < 0 || active >= datasets.length)) {
      ctx.addIssue({
        code: 'custom',
        path: ['activeDataset'],
        message: `there ${datasets.length === 1 ? 'is 1 dataset' : `are ${datasets.length} datasets`}, so it must be between 0 and ${datasets.length - 1}, not ${active}`,
      });
    }
  }
  const joint = (doc as { joint?: unknown }).joint;
  if (datasets && typeof joint === 'object' && joint !== null) {
    const { datasetVars, perDatasetStart, components } = joint as { datasetVars?: unknown; perDatasetStart?: unknown; components?: unknown };
    if (Array.isArray(datasetVars) && datasetVars.length > datasets.length) {
      ctx.addIssue({ code: 'custom', path: ['joint', 'datasetVars'], message: `has ${datasetVars.length} entries, but there are ${datasets.length} datasets` });
    }
    // names of components the model no longer has are left to the fit to report (a stale name
    // must not make a saved session unreadable); a list longer than the datasets is refused
    if (Array.isArray(components)) {
      if (components.length > datasets.length) {
        ctx.addIssue({ code: 'custom', path: ['joint', 'components'], message: `has ${components.length} entries, but there are ${datasets.length} datasets` });
      }
      components.forEach((list: unknown, i) => {
        if (!Array.isArray(list)) return;
        const dup = list.find((name, k) => list.indexOf(name) !== k);
        if (dup !== undefined) ctx.addIssue({ code: 'custom', path: ['joint', 'components', i], message: `names the component ${JSON.stringify(dup)} twice` });
      });
    }
    if (typeof perDatasetStart === 'object' && perDatasetStart !== null) {
      for (const [k, v] of Object.entries(perDatasetStart)) {
        if (Array.isArray(v) && v.length !== datasets.length) {
          ctx.addIssue({ code: 'custom', path: ['joint', 'perDatasetStart', k], message: `has ${v.length} start values, but there are ${datasets.length} datasets` });
        }
      }
    }
  }
  const model = d.model as { components?: unknown } | undefined;
  if (model && typeof model === 'object' && Array.isArray(model.components)) {
    const seen = new Map<string, number>();
    model.components.forEach((c: unknown, i) => {
      const name = typeof c === 'object' && c !== null ? (c as { name?: unknown }).name : undefined;
      if (typeof name !== 'string') return;
      const first = seen.get(name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['model', 'components', i, 'name'], message: `component ${first} already has the name ${JSON.stringify(name)}; names must be unique` });
      } else seen.set(name, i);
    });
  }
}

export const sessionJsonSchema = z
  .object({
    format: z.literal(FORMAT),
    version: z.literal(1),
    datasets: z.array(datasetSchema).max(10_000),
    activeDataset: z.int().min(0),
    model: z.object({ components: z.array(componentSchema).max(10_000) }),
    fit: fitSettingsSchema,
    result: fitResultSchema.nullable(),
    view: viewSchema,
    stored: z
      .array(
        z.object({
          name: z.string().min(1).max(MAX_NAME_CHARS),
          model: z.object({ components: z.array(componentSchema).max(10_000) }),
          result: fitResultSchema.nullable(),
          dataset: z.string().max(MAX_NAME_CHARS),
          savedAt: z.string().max(64),
          cube: cubeMapsSchema.optional(),
        }),
      )
      .max(1000)
      .default([]),
    joint: jointSchema.optional(),
    hierarchy: hierarchySchema.optional(),
    cube: cubeSessionSchema.optional(),
  })
  .superRefine((doc, ctx) => {
    crossCheck(doc, ctx);
    checkCubeSession(doc, ctx);
  });

export type ParsedSessionJson = z.output<typeof sessionJsonSchema>;

// Compile-time check: what the schema lets through is a SessionJson.
const _assignable: (p: ParsedSessionJson) => SessionJson = (p) => p;
void _assignable;
