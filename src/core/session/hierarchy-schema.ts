/**
 * Zod schema of a hierarchical model (core/hierarchy/document.ts) as stored in a session file
 * (`hierarchy`) or in a bare HierarchyDoc file (the runner's `sample --hierarchy FILE.json`).
 *
 * Same policy as schema.ts: bounded sizes, unknown keys stripped, record keys never
 * `__proto__` / `constructor` / `prototype`. JSON cannot hold infinities: a bound written as
 * null (JSON.stringify of +-Infinity) reads as "no bound"; a null sigma of an observation reads as
 * NaN (refused by the meaning check where that member is observed). After the shapes, the
 * meaning is checked by validateHierarchy and each of its problems becomes an issue on the path it
 * names (hyperparameter 'mu_r' -> hyper.mu_r, member 2 -> members[1], observation 1 ->
 * observations[0], plus the field when the message starts with one), so a refused session says
 * e.g. `hierarchy.members[0].count: count must be an integer from 1 to ...`.
 *
 * (Constants are repeated here rather than imported from schema.ts, which imports this file.)
 */
import { z } from 'zod';
import { validateHierarchy, type HierarchyDoc } from '../hierarchy/document';

export const MAX_HYPERPARAMETERS = 1000;
export const MAX_MEMBER_GROUPS = 1000;
export const MAX_OBSERVATIONS = 1000;
/** members in one group (values, sigmas and start arrays have this many entries) */
export const MAX_MEMBER_COUNT = 1_000_000;
const MAX_NAME = 200;
const MAX_EXPR = 2000;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

const finite = z.number();
/** a bound: a finite number, or null / absent for none */
const bound = z
  .number()
  .nullable()
  .optional()
  .transform((v) => (v === null ? undefined : v));

/** number | null per entry (null: not observed); checked in one loop (arrays can be long) */
function numberList<T>(okEntry: (x: unknown) => boolean, entry: string, max: number) {
  return z.custom<T[]>(() => true).superRefine((v, ctx) => {
    if (!Array.isArray(v)) {
      ctx.addIssue({ code: 'custom', message: v === undefined ? 'is missing (expected a list of numbers)' : 'expected a list of numbers', input: v, continue: false });
      return;
    }
    if (v.length > max) {
      ctx.addIssue({ code: 'custom', message: `has too many entries (at most ${max})`, input: v, continue: false });
      return;
    }
    for (let i = 0; i < v.length; i++) {
      if (!okEntry(v[i])) {
        ctx.addIssue({ code: 'custom', message: `expected ${entry}`, path: [i], input: v[i], continue: false });
        return;
      }
    }
  });
}

const isFinite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);

const hyperPriorSchema = z.object({
  kind: z.enum(['uniform', 'loguniform', 'gaussian', 'truncgaussian']),
  lower: finite.optional(),
  upper: finite.optional(),
  mu: finite.optional(),
  sigma: finite.optional(),
  transform: z.enum(['none', 'ln', 'log10']).optional(),
  scale: finite.optional(),
});

const hyperSchema = z.object({
  value: finite,
  lower: bound,
  upper: bound,
  prior: hyperPriorSchema.optional(),
});

const hyperKey = z
  .string()
  .min(1, 'a hyperparameter name must not be empty')
  .max(MAX_NAME)
  .refine((k) => !FORBIDDEN.has(k), { message: 'this name is not allowed', abort: true });

/** hyperparameter name or a fixed number */
const reference = z.union([z.string().min(1).max(MAX_NAME), finite]);

const populationSchema = z.object({
  kind: z.enum(['normal', 'truncnormal', 'lognormal']),
  mu: reference,
  sigma: reference,
  lower: bound,
  upper: bound,
});

const memberSchema = z.object({
  name: z.string().min(1).max(MAX_NAME),
  count: z.int().min(1).max(MAX_MEMBER_COUNT),
  population: populationSchema,
  parameterization: z.enum(['centered', 'noncentered']).optional(),
  start: numberList<number>(isFinite, 'a finite number', MAX_MEMBER_COUNT).optional(),
});

/** one sigma for all, or one per member (null, where JSON wrote a NaN, reads as NaN) */
const sigmasSchema = z
  .custom<number | (number | null)[]>(() => true)
  .superRefine((v, ctx) => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) ctx.addIssue({ code: 'custom', message: 'expected a finite number > 0 or a list of them', input: v });
      return;
    }
    if (!Array.isArray(v)) {
      ctx.addIssue({ code: 'custom', message: v === undefined ? 'is missing (expected one number or a list)' : 'expected one number or a list of numbers', input: v, continue: false });
      return;
    }
    if (v.length > MAX_MEMBER_COUNT) {
      ctx.addIssue({ code: 'custom', message: `has too many entries (at most ${MAX_MEMBER_COUNT})`, input: v, continue: false });
      return;
    }
    for (let i = 0; i < v.length; i++) {
      if (!(v[i] === null || isFinite(v[i]))) {
        ctx.addIssue({ code: 'custom', message: 'expected a finite number or null', path: [i], input: v[i], continue: false });
        return;
      }
    }
  })
  .transform((v): number | number[] => (typeof v === 'number' ? v : v.map((s) => (s === null ? NaN : s))));

const observationSchema = z.object({
  member: z.string().min(1).max(MAX_NAME),
  expr: z.string().min(1, 'the formula must not be empty').max(MAX_EXPR),
  values: numberList<number | null>((x) => x === null || isFinite(x), 'a finite number or null', MAX_MEMBER_COUNT),
  sigmas: sigmasSchema,
});

type Path = (string | number)[];

const FIELD_WORDS = new Set(['value', 'lower', 'upper', 'prior', 'name', 'count', 'population', 'parameterization', 'start', 'expr', 'values', 'sigmas', 'truncation']);

/**
 * Where a validateHierarchy message points, and the message without its leading "where" when the
 * path says it. Exported for the panel, which shows the same problems beside the fields.
 */
export function hierarchyProblemPath(message: string): { path: Path; message: string } {
  let m = /^hyperparameter '([^']*)': (.*)$/s.exec(message);
  let path: Path;
  let rest: string;
  if (m) {
    path = ['hyper', m[1]];
    rest = m[2];
  } else if ((m = /^member (\d+)(?: '[^']*')?: (.*)$/s.exec(message))) {
    path = ['members', Number(m[1]) - 1];
    rest = m[2];
  } else if ((m = /^observation (\d+): (.*)$/s.exec(message))) {
    path = ['observations', Number(m[1]) - 1];
    rest = m[2];
  } else if ((m = /^(hyper|members|observations) (.*)$/s.exec(message))) {
    return { path: [m[1]], message: `${m[1]} ${m[2]}` };
  } else return { path: [], message };
  const word = /^([a-z]+)\b/.exec(rest)?.[1];
  if (word && FIELD_WORDS.has(word)) {
    if (word === 'truncation') path.push('population');
    else if (path[0] === 'members' && (word === 'lower' || word === 'upper')) path.push('population', word);
    else {
      path.push(word);
      const sub = /^population (mu|sigma|kind)\b/.exec(rest)?.[1];
      if (word === 'population' && sub) path.push(sub);
    }
  } else if (/^a fixed population sigma/.test(rest)) path.push('population', 'sigma');
  else if (/^(the formula|unknown symbol|write the member)/.test(rest)) path.push('expr');
  else if (/^the name is/.test(rest)) path.push('name');
  else if (/^the non-centred/.test(rest)) path.push('parameterization');
  const arr = /^(values|sigmas|start)\[(\d+)\]/.exec(rest);
  if (arr) path.push(Number(arr[2]));
  return { path, message: rest };
}

export const hierarchySchema = z
  .object({
    hyper: z.record(hyperKey, hyperSchema).refine((r) => Object.keys(r).length <= MAX_HYPERPARAMETERS, { message: `has too many hyperparameters (at most ${MAX_HYPERPARAMETERS})` }),
    members: z.array(memberSchema).min(1).max(MAX_MEMBER_GROUPS),
    observations: z.array(observationSchema).max(MAX_OBSERVATIONS),
  })
  .superRefine((doc, ctx) => {
    let problems: string[];
    try {
      problems = validateHierarchy(doc as HierarchyDoc);
    } catch (e) {
      problems = [`hierarchical model: could not be checked (${e instanceof Error ? e.message : String(e)})`];
    }
    for (const p of problems) {
      const { path, message } = hierarchyProblemPath(p);
      ctx.addIssue({ code: 'custom', path, message });
    }
  });

export type ParsedHierarchy = z.output<typeof hierarchySchema>;

// Compile-time check: what the schema lets through is a HierarchyDoc.
const _assignable: (p: ParsedHierarchy) => HierarchyDoc = (p) => p;
void _assignable;
