/**
 * Spectrum-image maps in session files (SessionDoc.cube and StoredModel.cube): typed arrays <->
 * JSON number lists (NaN as null, as for datasets), the zod schema and the cross-checks against
 * the datasets. Sizes are bounded: at most MAX_MAP_KEYS parameter maps, every map rows x cols long,
 * rows x cols at most the largest dataset size the session schema allows.
 */
import { z } from 'zod';
import type { CubeMaps, CubeView } from '../cube/session-maps';
import type { StoredModel } from './document';

export const MAX_MAP_KEYS = 1000;
const MAX_PIXELS = 2 ** 31 - 1;
const MAX_SEEDS = 10_000;

export interface CubeMapsJson {
  rows: number;
  cols: number;
  values: Record<string, (number | null)[]>;
  errors: Record<string, (number | null)[]>;
  redChi2: (number | null)[];
  status: number[];
  statistic: CubeMaps['statistic'];
}

export interface CubeViewJson extends Omit<CubeView, 'maps'> {
  maps: CubeMapsJson | null;
}

export type StoredModelJson = Omit<StoredModel, 'cube'> & { cube?: CubeMapsJson };

function toList(a: Float64Array): (number | null)[] {
  const out = new Array<number | null>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number.isFinite(a[i]) ? a[i] : null;
  return out;
}

function fromList(a: (number | null)[]): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] === null ? NaN : (a[i] as number);
  return out;
}

function mapRecord<A, B>(rec: Record<string, A>, f: (a: A) => B): Record<string, B> {
  const out: Record<string, B> = Object.create(null);
  for (const [k, v] of Object.entries(rec)) out[k] = f(v);
  return out;
}

export function cubeMapsToJson(m: CubeMaps): CubeMapsJson {
  return {
    rows: m.rows,
    cols: m.cols,
    values: mapRecord(m.values, toList),
    errors: mapRecord(m.errors, toList),
    redChi2: toList(m.redChi2),
    status: Array.from(m.status),
    statistic: m.statistic,
  };
}

export function cubeMapsFromJson(j: CubeMapsJson): CubeMaps {
  return {
    rows: j.rows,
    cols: j.cols,
    values: { ...mapRecord(j.values, fromList) },
    errors: { ...mapRecord(j.errors, fromList) },
    redChi2: fromList(j.redChi2),
    status: Uint8Array.from(j.status),
    statistic: j.statistic,
  };
}

export function cubeToJson(c: Record<string, CubeView>): Record<string, CubeViewJson> {
  return mapRecord(c, (v) => ({ ...v, seeds: [...v.seeds], chi2Window: v.chi2Window ? [v.chi2Window[0], v.chi2Window[1]] : null, maps: v.maps ? cubeMapsToJson(v.maps) : null }));
}

export function cubeFromJson(c: Record<string, CubeViewJson>): Record<string, CubeView> {
  return { ...mapRecord(c, (v): CubeView => ({ ...v, maps: v.maps ? cubeMapsFromJson(v.maps) : null })) };
}

export function storedModelToJson(s: StoredModel): StoredModelJson {
  const { cube, ...rest } = s;
  return cube ? { ...rest, cube: cubeMapsToJson(cube) } : rest;
}

export function storedModelFromJson(s: StoredModelJson): StoredModel {
  const { cube, ...rest } = s;
  return cube ? { ...rest, cube: cubeMapsFromJson(cube) } : rest;
}

// ---------------------------------------------------------------- schema

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const key = z
  .string()
  .min(1)
  .max(400)
  .refine((k) => !FORBIDDEN.has(k), { message: 'this key is not allowed', abort: true });

/** One loop over a long list (a per-entry zod union is slow for maps of many pixels). */
function list<T>(ok: (x: unknown) => boolean, what: string, entry: string) {
  return z.custom<T[]>(() => true).superRefine((v, ctx) => {
    if (!Array.isArray(v)) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}`, input: v, continue: false });
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

const numbers = () => list<number | null>((x) => x === null || (typeof x === 'number' && Number.isFinite(x)), 'a list of numbers', 'a finite number or null');
const statuses = () => list<number>((x) => x === 0 || x === 1 || x === 2 || x === 3, 'a list of pixel status codes', '0, 1, 2 or 3');

function keyCount(rec: unknown): number {
  return typeof rec === 'object' && rec !== null ? Object.keys(rec).length : 0;
}

export const cubeMapsSchema = z
  .object({
    rows: z.int().min(1).max(MAX_PIXELS),
    cols: z.int().min(1).max(MAX_PIXELS),
    values: z.record(key, numbers()).refine((r) => keyCount(r) <= MAX_MAP_KEYS, { message: `at most ${MAX_MAP_KEYS} maps` }),
    errors: z.record(key, numbers()).refine((r) => keyCount(r) <= MAX_MAP_KEYS, { message: `at most ${MAX_MAP_KEYS} maps` }),
    redChi2: numbers(),
    status: statuses(),
    statistic: z.enum(['chi2', 'cash', 'gauss', 'poisson']),
  })
  .superRefine((m, ctx) => {
    const P = m.rows * m.cols;
    if (!Number.isSafeInteger(P) || P > MAX_PIXELS) {
      ctx.addIssue({ code: 'custom', path: ['rows'], message: `${m.rows} x ${m.cols} pixels is too large` });
      return;
    }
    const need = (a: unknown[], path: (string | number)[]) => {
      if (a.length !== P) ctx.addIssue({ code: 'custom', path, message: `has ${a.length} entries, but a ${m.rows} x ${m.cols} map needs ${P}` });
    };
    for (const [k, a] of Object.entries(m.values)) need(a, ['values', k]);
    for (const [k, a] of Object.entries(m.errors)) need(a, ['errors', k]);
    need(m.redChi2, ['redChi2']);
    need(m.status, ['status']);
  });

export const cubeViewSchema = z.object({
  selected: z.int().min(0).max(MAX_PIXELS),
  seeds: z.array(z.int().min(0).max(MAX_PIXELS)).max(MAX_SEEDS),
  order: z.enum(['serpentine', 'flyback', 'smart']),
  variance: z.enum(['auto', 'sigma', 'poisson', 'unit']),
  chi2Window: z
    .tuple([z.number(), z.number()])
    .refine((w) => w[0] <= w[1] && w[0] >= 0, { message: 'the window must be [low, high] with 0 <= low <= high' })
    .nullable(),
  maps: cubeMapsSchema.nullable(),
});

export const cubeSessionSchema = z.record(key, cubeViewSchema);

type IssueSink = { addIssue(issue: { code: 'custom'; message: string; path: (string | number)[] }): void };

/**
 * Cross-checks: an entry for a cube dataset must fit its navigation shape (maps rows x cols, the
 * selected pixel and seeds inside). Entries for datasets the session does not have are left alone
 * (the maps of a removed dataset must not make the file unreadable).
 */
export function checkCubeSession(doc: unknown, ctx: IssueSink): void {
  if (typeof doc !== 'object' || doc === null) return;
  const { datasets, cube } = doc as { datasets?: unknown; cube?: unknown };
  if (!Array.isArray(datasets) || typeof cube !== 'object' || cube === null) return;
  for (const [name, view] of Object.entries(cube)) {
    if (typeof view !== 'object' || view === null) continue;
    const d = datasets.find((x: unknown) => typeof x === 'object' && x !== null && (x as { name?: unknown }).name === name) as { kind?: unknown; shape?: unknown } | undefined;
    if (!d) continue;
    const at = ['cube', name];
    if (d.kind !== 'cube' || !Array.isArray(d.shape) || d.shape.length !== 3) {
      ctx.addIssue({ code: 'custom', path: at, message: `holds maps for ${JSON.stringify(name)}, which is not a spectrum image` });
      continue;
    }
    const [rows, cols] = d.shape as number[];
    const P = rows * cols;
    const v = view as { selected?: unknown; seeds?: unknown; maps?: { rows?: unknown; cols?: unknown } | null };
    if (typeof v.selected === 'number' && v.selected >= P) ctx.addIssue({ code: 'custom', path: [...at, 'selected'], message: `pixel ${v.selected} is outside the ${rows} x ${cols} map` });
    if (Array.isArray(v.seeds)) {
      const bad = v.seeds.findIndex((s) => typeof s === 'number' && s >= P);
      if (bad >= 0) ctx.addIssue({ code: 'custom', path: [...at, 'seeds', bad], message: `pixel ${v.seeds[bad]} is outside the ${rows} x ${cols} map` });
    }
    if (v.maps && (v.maps.rows !== rows || v.maps.cols !== cols)) {
      ctx.addIssue({ code: 'custom', path: [...at, 'maps'], message: `are ${String(v.maps.rows)} x ${String(v.maps.cols)}, but the spectrum image is ${rows} x ${cols}` });
    }
  }
}
