/**
 * Immutable edits of a hierarchical model (document.ts) for the app's panel: every function
 * returns a new document and leaves the old one as it was (the session history keeps it).
 * Edits may leave a document invalid for a while (e.g. a formula naming a hyperparameter not yet
 * added); validateHierarchy says what is wrong.
 */
import { parseExpression, type ExprNode } from '../expr';
import type { HierarchyDoc, HyperDoc, MemberDoc, ObservationDoc, PopulationDoc } from './document';

/** A small valid model to start from: x_n ~ N(mu, sigma), n = 1..10, no observations yet. */
export function blankHierarchy(): HierarchyDoc {
  return {
    hyper: {
      mu: { value: 0, prior: { kind: 'gaussian', mu: 0, sigma: 10 } },
      sigma: { value: 1, lower: 0, prior: { kind: 'uniform', lower: -5, upper: 5, transform: 'ln', scale: 1 } },
    },
    members: [{ name: 'x', count: 10, population: { kind: 'normal', mu: 'mu', sigma: 'sigma' } }],
    observations: [],
  };
}

function uniqueName(base: string, taken: (name: string) => boolean): string {
  for (let i = 1; ; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
}

function nameTaken(doc: HierarchyDoc, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(doc.hyper, name) || doc.members.some((m) => m.name === name);
}

export function addHyper(doc: HierarchyDoc): { doc: HierarchyDoc; name: string } {
  const name = uniqueName('h', (n) => nameTaken(doc, n));
  return { doc: { ...doc, hyper: { ...doc.hyper, [name]: { value: 0 } } }, name };
}

export function setHyper(doc: HierarchyDoc, name: string, h: HyperDoc): HierarchyDoc {
  return { ...doc, hyper: { ...doc.hyper, [name]: h } };
}

export function removeHyper(doc: HierarchyDoc, name: string): HierarchyDoc {
  const hyper: Record<string, HyperDoc> = {};
  for (const [k, v] of Object.entries(doc.hyper)) if (k !== name) hyper[k] = v;
  return { ...doc, hyper };
}

function usesSymbol(node: ExprNode, name: string): boolean {
  switch (node.type) {
    case 'symbol':
      return node.name === name;
    case 'neg':
    case 'call':
      return usesSymbol(node.arg, name);
    case 'binary':
      return usesSymbol(node.left, name) || usesSymbol(node.right, name);
    default:
      return false;
  }
}

/** The formula with the symbol `from` written as `to` (text kept as typed otherwise). */
export function renameSymbol(expr: string, from: string, to: string): string {
  try {
    if (!usesSymbol(parseExpression(expr), from)) return expr;
  } catch {
    return expr;
  }
  const esc = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // a whole identifier, not a function call (name followed by "(")
  return expr.replace(new RegExp(`(?<![A-Za-z0-9_.])${esc}(?![A-Za-z0-9_]|\\s*\\()`, 'g'), to);
}

/** Renames a hyperparameter in place (order kept) and in the populations and formulas that use it. */
export function renameHyper(doc: HierarchyDoc, from: string, to: string): HierarchyDoc {
  if (from === to || !Object.prototype.hasOwnProperty.call(doc.hyper, from)) return doc;
  const hyper: Record<string, HyperDoc> = {};
  for (const [k, v] of Object.entries(doc.hyper)) hyper[k === from ? to : k] = v;
  const ref = (r: string | number) => (r === from ? to : r);
  return {
    hyper,
    members: doc.members.map((m) => (m.population.mu === from || m.population.sigma === from ? { ...m, population: { ...m.population, mu: ref(m.population.mu), sigma: ref(m.population.sigma) } } : m)),
    observations: doc.observations.map((o) => {
      const expr = renameSymbol(o.expr, from, to);
      return expr === o.expr ? o : { ...o, expr };
    }),
  };
}

export function addMember(doc: HierarchyDoc): HierarchyDoc {
  const names = Object.keys(doc.hyper);
  const name = uniqueName('x', (n) => nameTaken(doc, n));
  const member: MemberDoc = { name, count: 10, population: { kind: 'normal', mu: names[0] ?? 0, sigma: names[1] ?? 1 } };
  return { ...doc, members: [...doc.members, member] };
}

/** Changes a member group; a new count drops start values of the old length. */
export function setMember(doc: HierarchyDoc, index: number, patch: Partial<Omit<MemberDoc, 'name' | 'population'>>): HierarchyDoc {
  return {
    ...doc,
    members: doc.members.map((m, i) => {
      if (i !== index) return m;
      const next: MemberDoc = { ...m, ...patch };
      if (next.start && next.start.length !== next.count) delete next.start;
      if (patch.start === undefined && 'start' in patch) delete next.start;
      return next;
    }),
  };
}

export function setPopulation(doc: HierarchyDoc, index: number, patch: Partial<PopulationDoc>): HierarchyDoc {
  return {
    ...doc,
    members: doc.members.map((m, i) => {
      if (i !== index) return m;
      const population: PopulationDoc = { ...m.population, ...patch };
      // truncation bounds belong to truncated populations only; non-centred truncated ones do not exist
      if (population.kind !== 'truncnormal') {
        delete population.lower;
        delete population.upper;
      }
      for (const k of ['lower', 'upper'] as const) if (k in patch && patch[k] === undefined) delete population[k];
      const next: MemberDoc = { ...m, population };
      if (population.kind === 'truncnormal' && next.parameterization === 'noncentered') next.parameterization = 'centered';
      return next;
    }),
  };
}

/** Renames a member group and the observations of it. */
export function renameMember(doc: HierarchyDoc, index: number, name: string): HierarchyDoc {
  const old = doc.members[index]?.name;
  if (old === undefined || old === name) return doc;
  return {
    ...doc,
    members: doc.members.map((m, i) => (i === index ? { ...m, name } : m)),
    observations: doc.observations.map((o) => (o.member === old ? { ...o, member: name } : o)),
  };
}

/** Removes a member group and its observations. */
export function removeMember(doc: HierarchyDoc, index: number): HierarchyDoc {
  const name = doc.members[index]?.name;
  return { ...doc, members: doc.members.filter((_, i) => i !== index), observations: doc.observations.filter((o) => o.member !== name) };
}

/** An observation of the first member group: y = v, nothing observed yet, sigma 1. */
export function addObservation(doc: HierarchyDoc): HierarchyDoc {
  const m = doc.members[0];
  if (!m) return doc;
  const o: ObservationDoc = { member: m.name, expr: 'v', values: new Array<null>(m.count).fill(null), sigmas: 1 };
  return { ...doc, observations: [...doc.observations, o] };
}

export function setObservation(doc: HierarchyDoc, index: number, patch: Partial<ObservationDoc>): HierarchyDoc {
  return { ...doc, observations: doc.observations.map((o, i) => (i === index ? { ...o, ...patch } : o)) };
}

export function removeObservation(doc: HierarchyDoc, index: number): HierarchyDoc {
  return { ...doc, observations: doc.observations.filter((_, i) => i !== index) };
}

/**
 * Values (and sigmas) of an observation from columns; NaN values become null (not observed).
 * When the member group has a different count, the count follows the data (its start values are
 * dropped), and the note says so.
 */
export function setObservationData(doc: HierarchyDoc, index: number, values: ArrayLike<number | null>, sigmas: ArrayLike<number> | number): { doc: HierarchyDoc; note: string | null } {
  const o = doc.observations[index];
  if (!o) return { doc, note: null };
  const vals = Array.from(values, (v) => (v === null || !Number.isFinite(v) ? null : v));
  const sig = typeof sigmas === 'number' ? sigmas : Array.from(sigmas, (s) => (Number.isFinite(s) ? s : NaN));
  let next = setObservation(doc, index, { values: vals, sigmas: sig });
  let note: string | null = null;
  const mi = next.members.findIndex((m) => m.name === o.member);
  if (mi >= 0 && next.members[mi].count !== vals.length) {
    note = `member group '${o.member}' now has ${vals.length} members (was ${next.members[mi].count}), one per row of the data`;
    next = setMember(next, mi, { count: vals.length });
  }
  return { doc: next, note };
}

/**
 * Numbers typed or pasted: separated by spaces, commas, semicolons or new lines; `null`, `nan`,
 * `na` or `-` for a missing value. Returns the first entry that is not a number.
 */
export function parseNumberList(text: string): { values: (number | null)[]; error: string | null } {
  const tokens = text.split(/[\s,;]+/).filter((t) => t !== '');
  const values: (number | null)[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].toLowerCase();
    if (t === 'null' || t === 'nan' || t === 'na' || t === '-') {
      values.push(null);
      continue;
    }
    const v = Number(t);
    if (!Number.isFinite(v)) return { values: [], error: `entry ${i + 1} ('${tokens[i].slice(0, 20)}') is not a number` };
    values.push(v);
  }
  return { values, error: null };
}
