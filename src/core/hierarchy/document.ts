/**
 * Hierarchical (population) models as plain JSON documents.
 *
 *   hyperparameters  theta_h            (e.g. mu_r, sigma_r), each with a prior
 *   members          x_{m,n} ~ pop_m(. | mu_m, sigma_m), n = 1..N_m     (latent, one per object)
 *   observations     y_{m,n} ~ N(f(x_{m,n}; theta_h), s_{m,n}^2)
 *
 * The joint log density ln p(theta_h) + sum ln pop(x | mu, sigma) + sum ln N(y | f(x), s^2) is built
 * by log-density.ts (A. Gelman et al., "Bayesian Data Analysis", 3rd ed., ch. 5).
 *
 * A hyperprior may be stated on a transformed hyperparameter, t = T(x / scale) with T one of
 * ln, log10 or the identity: ln p_x(x) = ln p_t(t(x)) + ln |dt/dx| (the Jacobian is added by the
 * log density), e.g. ln(sigma_r / 1 kpc) ~ Uniform(-8, 0) with sigma_r in pc is
 * `{ kind: 'uniform', lower: -8, upper: 0, transform: 'ln', scale: 1000 }`. A hyperparameter without
 * a prior gets the (possibly improper) flat prior on its bounds.
 *
 * Populations: 'normal' N(mu, sigma^2); 'truncnormal' N(mu, sigma^2) restricted to [lower, upper]
 * and renormalised (the normaliser depends on mu and sigma); 'lognormal' ln x ~ N(mu, sigma^2)
 * (mu, sigma on the log scale). mu and sigma name hyperparameters or are fixed numbers.
 *
 * Observation models are formulas (src/core/expr) in the member's value `v` and, optionally,
 * hyperparameters by name (e.g. '1000/v + plx_zero'); `values` has one entry per member (null:
 * not observed), `sigmas` one per member or a single number.
 */
import { compileExpression, ExprError } from '../expr';
import type { PriorDoc } from '../model/document';
import { compilePrior, PriorError } from '../stats/priors';

export type HyperTransform = 'none' | 'ln' | 'log10';

/** A prior density p_t on t = T(x / scale) (T from `transform`, default 'none', scale default 1). */
export interface HyperPriorDoc extends PriorDoc {
  transform?: HyperTransform;
  scale?: number;
}

export interface HyperDoc {
  /** start value (and the centre of the chains' start points) */
  value: number;
  /** support of the hyperparameter itself (default unbounded; intersected with the prior's support) */
  lower?: number;
  upper?: number;
  /** default: flat on [lower, upper] (improper when unbounded) */
  prior?: HyperPriorDoc;
}

export type PopulationKind = 'normal' | 'truncnormal' | 'lognormal';

export interface PopulationDoc {
  kind: PopulationKind;
  /** hyperparameter name or fixed number (lognormal: the mean of ln x) */
  mu: string | number;
  /** hyperparameter name or fixed number > 0 (lognormal: the sd of ln x) */
  sigma: string | number;
  /** truncation bounds (truncnormal only; default -Infinity / Infinity) */
  lower?: number;
  upper?: number;
}

export interface MemberDoc {
  name: string;
  count: number;
  population: PopulationDoc;
  /**
   * 'centered' (default): the sampler moves the values x_n themselves; 'noncentered' (normal and
   * lognormal only): it moves z_n ~ N(0, 1) with x_n = mu + sigma z_n (lognormal: exp(mu + sigma z_n)),
   * which removes the funnel between sigma and the x_n when the data constrain the members weakly
   * (M. J. Betancourt & M. Girolami, "Hamiltonian Monte Carlo for hierarchical models", 2013;
   * O. Papaspiliopoulos, G. O. Roberts & M. Skold, Statistical Science 22 (2007) 59-73).
   */
  parameterization?: 'centered' | 'noncentered';
  /** start values of the members (natural scale); default: the population centre */
  start?: number[];
}

export interface ObservationDoc {
  member: string;
  /** observation model in the member's value `v` (and hyperparameters by name) */
  expr: string;
  /** one per member; null = not observed */
  values: (number | null)[];
  /** Gaussian errors, one per member or one for all, > 0 */
  sigmas: number[] | number;
}

export interface HierarchyDoc {
  hyper: Record<string, HyperDoc>;
  members: MemberDoc[];
  observations: ObservationDoc[];
}

export class HierarchyError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `hierarchical model: ${problems.length} problems:\n- ${problems.join('\n- ')}`);
    this.problems = problems;
  }
}

/** The variable of observation formulas. */
export const MEMBER_VARIABLE = 'v';
/** internal shift parameter of the observation formulas (log-density.ts); names starting with __ are reserved */
export const OBSERVATION_SHIFT = '__v_shift';
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['v', 'pi', 'e']);
const MAX_MEMBERS = 10_000_000;

const isNum = (x: unknown): x is number => typeof x === 'number' && !Number.isNaN(x);
const isFiniteNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** t = T(x / scale) and its inverse (for the support of a transformed prior). */
export function hyperTransformForward(kind: HyperTransform, scale: number, x: number): number {
  if (kind === 'ln') return x <= 0 ? -Infinity : Math.log(x / scale);
  if (kind === 'log10') return x <= 0 ? -Infinity : Math.log10(x / scale);
  return x / scale;
}

export function hyperTransformInverse(kind: HyperTransform, scale: number, t: number): number {
  if (kind === 'ln') return scale * Math.exp(t);
  if (kind === 'log10') return scale * Math.pow(10, t);
  return scale * t;
}

/**
 * Support of a hyperparameter: its own bounds, intersected with the support of its prior carried
 * back through the transform, and with (0, inf) for a log transform or use as a population sigma.
 */
export function hyperSupport(name: string, h: HyperDoc, positive: boolean): [number, number] {
  let lo = isNum(h.lower) ? h.lower : -Infinity;
  let hi = isNum(h.upper) ? h.upper : Infinity;
  const p = h.prior;
  const tr = p?.transform ?? 'none';
  if (positive || tr !== 'none') lo = Math.max(lo, 0);
  if (p) {
    const scale = p.scale ?? 1;
    const cp = compilePrior(p, hyperTransformForward(tr, scale, lo), hyperTransformForward(tr, scale, hi));
    lo = Math.max(lo, hyperTransformInverse(tr, scale, cp.lower));
    hi = Math.min(hi, hyperTransformInverse(tr, scale, cp.upper));
  }
  if (!(lo < hi)) throw new HierarchyError([`hyperparameter '${name}' has an empty support [${lo}, ${hi}] (bounds, prior and positivity together)`]);
  return [lo, hi];
}

/** Names of hyperparameters that must be positive (population sigmas). */
export function sigmaHypers(doc: HierarchyDoc): Set<string> {
  const s = new Set<string>();
  for (const m of doc.members ?? []) if (typeof m?.population?.sigma === 'string') s.add(m.population.sigma);
  return s;
}

/** Support of a member value under its population (centred parameterisation). */
export function memberSupport(p: PopulationDoc): [number, number] {
  if (p.kind === 'lognormal') return [0, Infinity];
  if (p.kind === 'truncnormal') return [isNum(p.lower) ? p.lower : -Infinity, isNum(p.upper) ? p.upper : Infinity];
  return [-Infinity, Infinity];
}

/** All problems of a document, as readable sentences (empty when it is usable). */
export function validateHierarchy(doc: HierarchyDoc): string[] {
  const out: string[] = [];
  if (doc === null || typeof doc !== 'object') return ['hierarchical model: the document must be an object'];
  const hyper = doc.hyper;
  if (hyper === null || typeof hyper !== 'object' || Array.isArray(hyper)) {
    out.push('hyper must be an object { name: { value, lower?, upper?, prior? } }');
    return out;
  }
  if (!Array.isArray(doc.members) || doc.members.length === 0) out.push('members must be a non-empty list');
  if (!Array.isArray(doc.observations)) out.push('observations must be a list (it may be empty)');
  if (out.length > 0) return out;
  const hyperNames = Object.keys(hyper);
  const positive = sigmaHypers(doc);
  for (const name of hyperNames) {
    const h = hyper[name];
    const where = `hyperparameter '${name}'`;
    if (!NAME_RE.test(name) || RESERVED.has(name) || name.startsWith('__')) {
      out.push(`${where}: names must be identifiers (letters, digits, _; not starting with __) other than v, pi, e`);
      continue;
    }
    if (h === null || typeof h !== 'object') {
      out.push(`${where}: must be an object { value, lower?, upper?, prior? }`);
      continue;
    }
    if (!isFiniteNum(h.value)) out.push(`${where}: value must be a finite number`);
    if (h.lower !== undefined && !isNum(h.lower)) out.push(`${where}: lower must be a number`);
    if (h.upper !== undefined && !isNum(h.upper)) out.push(`${where}: upper must be a number`);
    const p = h.prior;
    if (p !== undefined) {
      const tr = p.transform ?? 'none';
      if (tr !== 'none' && tr !== 'ln' && tr !== 'log10') out.push(`${where}: prior transform must be 'none', 'ln' or 'log10' (got '${String(tr)}')`);
      if (p.scale !== undefined && !(isFiniteNum(p.scale) && p.scale > 0)) out.push(`${where}: prior scale must be a finite number > 0`);
      if (tr === 'none' && p.scale !== undefined && p.scale !== 1) out.push(`${where}: prior scale applies to the ln / log10 transforms only`);
    }
    try {
      const [lo, hi] = hyperSupport(name, h, positive.has(name));
      if (isFiniteNum(h.value) && !(h.value > lo && h.value < hi)) {
        out.push(`${where}: value ${h.value} must lie strictly inside its support (${lo}, ${hi})${positive.has(name) ? ' (it is a population sigma, so > 0)' : ''}`);
      }
    } catch (e) {
      if (e instanceof PriorError || e instanceof HierarchyError) out.push(`${where}: ${e.message}`);
      else throw e;
    }
  }
  const memberNames = new Set<string>();
  for (const [i, m] of doc.members.entries()) {
    const where = `member ${i + 1}${m && typeof m.name === 'string' ? ` '${m.name}'` : ''}`;
    if (m === null || typeof m !== 'object') {
      out.push(`${where}: must be an object { name, count, population }`);
      continue;
    }
    if (typeof m.name !== 'string' || !NAME_RE.test(m.name) || RESERVED.has(m.name)) out.push(`${where}: name must be an identifier other than v, pi, e`);
    else if (memberNames.has(m.name)) out.push(`${where}: the name is used twice`);
    else if (Object.prototype.hasOwnProperty.call(hyper, m.name)) out.push(`${where}: the name is also a hyperparameter`);
    memberNames.add(m.name);
    if (!(Number.isInteger(m.count) && m.count >= 1 && m.count <= MAX_MEMBERS)) out.push(`${where}: count must be an integer from 1 to ${MAX_MEMBERS}`);
    const p = m.population;
    if (p === null || typeof p !== 'object') {
      out.push(`${where}: population must be an object { kind, mu, sigma }`);
      continue;
    }
    if (p.kind !== 'normal' && p.kind !== 'truncnormal' && p.kind !== 'lognormal') {
      out.push(`${where}: population kind must be 'normal', 'truncnormal' or 'lognormal' (got '${String(p.kind)}')`);
      continue;
    }
    for (const role of ['mu', 'sigma'] as const) {
      const r = p[role];
      if (typeof r === 'string') {
        if (!Object.prototype.hasOwnProperty.call(hyper, r)) out.push(`${where}: population ${role} '${r}' is not a hyperparameter (known: ${hyperNames.join(', ') || 'none'})`);
      } else if (!isFiniteNum(r)) out.push(`${where}: population ${role} must be a hyperparameter name or a finite number`);
      else if (role === 'sigma' && !(r > 0)) out.push(`${where}: a fixed population sigma must be > 0`);
    }
    if (p.kind !== 'truncnormal' && (p.lower !== undefined || p.upper !== undefined)) out.push(`${where}: lower / upper apply to 'truncnormal' populations only`);
    const [lo, hi] = memberSupport(p);
    if (Number.isNaN(lo) || Number.isNaN(hi) || (p.lower !== undefined && !isNum(p.lower)) || (p.upper !== undefined && !isNum(p.upper))) out.push(`${where}: truncation bounds must be numbers`);
    else if (!(lo < hi)) out.push(`${where}: truncation needs lower < upper (got [${lo}, ${hi}])`);
    const pz = m.parameterization ?? 'centered';
    if (pz !== 'centered' && pz !== 'noncentered') out.push(`${where}: parameterization must be 'centered' or 'noncentered'`);
    else if (pz === 'noncentered' && p.kind === 'truncnormal') out.push(`${where}: the non-centred parameterisation is available for normal and lognormal populations only`);
    if (m.start !== undefined) {
      if (!Array.isArray(m.start) || m.start.length !== m.count) out.push(`${where}: start must have ${m.count} values`);
      else {
        const bad = m.start.findIndex((x) => !(isFiniteNum(x) && x > lo && x < hi));
        if (bad >= 0) out.push(`${where}: start[${bad}] = ${m.start[bad]} is not strictly inside the support (${lo}, ${hi})`);
      }
    }
  }
  for (const [i, o] of doc.observations.entries()) {
    const where = `observation ${i + 1}`;
    if (o === null || typeof o !== 'object') {
      out.push(`${where}: must be an object { member, expr, values, sigmas }`);
      continue;
    }
    const m = doc.members.find((mm) => mm?.name === o.member);
    if (!m) {
      out.push(`${where}: member '${String(o.member)}' does not exist`);
      continue;
    }
    if (typeof o.expr !== 'string') out.push(`${where}: expr must be a formula in v`);
    else {
      try {
        const c = compileExpression(o.expr, { variables: [MEMBER_VARIABLE] });
        if (!c.variables.includes(MEMBER_VARIABLE)) out.push(`${where}: the formula '${o.expr}' does not use v, the value of member '${m.name}'`);
        for (const s of c.parameters) {
          if (s === m.name) out.push(`${where}: write the member's value as v, not '${s}'`);
          else if (!Object.prototype.hasOwnProperty.call(hyper, s)) out.push(`${where}: unknown symbol '${s}' in '${o.expr}' (v and hyperparameters only)`);
        }
      } catch (e) {
        if (e instanceof ExprError) out.push(`${where}: ${e.message}`);
        else throw e;
      }
    }
    if (!Array.isArray(o.values) || o.values.length !== m.count) out.push(`${where}: values must have ${m.count} entries (one per member '${m.name}'; null where not observed)`);
    else {
      const bad = o.values.findIndex((y) => !(y === null || isFiniteNum(y)));
      if (bad >= 0) out.push(`${where}: values[${bad}] must be a finite number or null`);
    }
    if (typeof o.sigmas === 'number') {
      if (!(isFiniteNum(o.sigmas) && o.sigmas > 0)) out.push(`${where}: sigmas must be > 0`);
    } else if (!Array.isArray(o.sigmas) || o.sigmas.length !== m.count) out.push(`${where}: sigmas must be one number or ${m.count} numbers`);
    else if (Array.isArray(o.values)) {
      const bad = o.sigmas.findIndex((s, k) => o.values[k] !== null && !(isFiniteNum(s) && s > 0));
      if (bad >= 0) out.push(`${where}: sigmas[${bad}] = ${o.sigmas[bad]} must be a finite number > 0`);
    }
  }
  return out;
}

/** Throws HierarchyError listing every problem. */
export function assertValidHierarchy(doc: HierarchyDoc): void {
  const problems = validateHierarchy(doc);
  if (problems.length > 0) throw new HierarchyError(problems);
}
