/**
 * Showing a posterior with hundreds of parameters: the natural keys of a hierarchical model are
 * its hyperparameters followed by member groups `<member>[0]`, ..., `<member>[N-1]`. These helpers
 * collapse a group to one label (`r[0..255]`), read and write selections such as
 * `mu_r, sigma_r, r[0..9], r[17]`, summarise a group in one row (range of the means, worst R-hat
 * and ESS) and fold the per-member warnings of the diagnostics into one line per group.
 */
import type { ParameterSummary, PosteriorSummary } from '../sample/diagnostics';

/** A member group of the keys: `r[0..255]` stands for r[0], ..., r[255]. */
export interface KeyGroup {
  name: string;
  /** index of its first key */
  start: number;
  count: number;
  /** "r[0..255]" (one member: "r[0]") */
  label: string;
}

export interface KeyLayout {
  keys: string[];
  hyper: string[];
  groups: KeyGroup[];
}

/** The layout of a hierarchical density's natural keys. */
export function keyLayout(d: { hyperNames: string[]; memberOffsets: Record<string, number>; naturalKeys: string[] }): KeyLayout {
  const offsets = Object.entries(d.memberOffsets).sort((a, b) => a[1] - b[1]);
  const n = d.naturalKeys.length;
  const groups = offsets.map(([name, start], i) => {
    const end = i + 1 < offsets.length ? offsets[i + 1][1] : n;
    const count = end - start;
    return { name, start, count, label: groupLabel(name, 0, count - 1) };
  });
  return { keys: [...d.naturalKeys], hyper: [...d.hyperNames], groups };
}

function groupLabel(name: string, a: number, b: number): string {
  return a === b ? `${name}[${a}]` : `${name}[${a}..${b}]`;
}

/** The default selection: the hyperparameters. */
export function defaultSelection(layout: KeyLayout): string[] {
  return [...layout.hyper];
}

const ENTRY = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?\])?$/;

/**
 * Keys named by a selection text: entries separated by commas or spaces, each a hyperparameter,
 * a member group (`r`: all of it), a member (`r[3]`) or a range (`r[0..9]`, inclusive); `all`
 * takes everything. Keys come back in the layout's order, each once.
 */
export function parseSelection(text: string, layout: KeyLayout): { keys: string[]; error: string | null } {
  const chosen = new Set<number>();
  const entries = text
    .split(/[\s,;]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const index = new Map(layout.keys.map((k, i) => [k, i]));
  const known = () => `hyperparameters: ${layout.hyper.join(', ') || 'none'}; members: ${layout.groups.map((g) => g.label).join(', ') || 'none'}`;
  for (const e of entries) {
    if (e === 'all') {
      layout.keys.forEach((_, i) => chosen.add(i));
      continue;
    }
    const m = ENTRY.exec(e);
    if (!m) return { keys: [], error: `cannot read '${e}': write names such as mu_r, r[3] or r[0..9], separated by commas` };
    const name = m[1];
    const g = layout.groups.find((gg) => gg.name === name);
    if (m[2] === undefined) {
      if (g) for (let i = 0; i < g.count; i++) chosen.add(g.start + i);
      else if (index.has(name) && layout.hyper.includes(name)) chosen.add(index.get(name)!);
      else return { keys: [], error: `unknown parameter '${name}' (${known()})` };
      continue;
    }
    if (!g) return { keys: [], error: `'${name}' is not a member group (${known()})` };
    const a = Number(m[2]);
    const b = m[3] === undefined ? a : Number(m[3]);
    if (b < a) return { keys: [], error: `'${e}': the range must go up (${name}[${b}..${a}])` };
    if (b >= g.count) return { keys: [], error: `'${e}': ${name} has members 0 to ${g.count - 1}` };
    for (let i = a; i <= b; i++) chosen.add(g.start + i);
  }
  return { keys: Array.from(chosen).sort((x, y) => x - y).map((i) => layout.keys[i]), error: null };
}

/** A selection as text, runs of consecutive members collapsed: "mu_r, r[0..9], r[17]". */
export function formatSelection(keys: string[], layout: KeyLayout): string {
  const index = new Map(layout.keys.map((k, i) => [k, i]));
  const idx = keys.map((k) => index.get(k)).filter((i): i is number => i !== undefined).sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < idx.length) {
    const k = idx[i];
    const g = layout.groups.find((gg) => k >= gg.start && k < gg.start + gg.count);
    if (!g) {
      out.push(layout.keys[k]);
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1 && idx[j + 1] < g.start + g.count) j++;
    out.push(groupLabel(g.name, k - g.start, idx[j] - g.start));
    i = j + 1;
  }
  return out.join(', ');
}

export interface GroupStats {
  label: string;
  count: number;
  /** smallest and largest posterior mean over the members */
  meanMin: number;
  meanMax: number;
  /** median posterior sd */
  sdMedian: number;
  rhatMax: number;
  essBulkMin: number;
  essTailMin: number;
}

const finiteMax = (a: number[]): number => a.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), -Infinity);
const finiteMin = (a: number[]): number => a.reduce((m, v) => (Number.isFinite(v) && v < m ? v : m), Infinity);

/** One row for a member group: the range of the means, the median sd, the worst diagnostics. */
export function groupStats(summary: PosteriorSummary, group: KeyGroup): GroupStats {
  const ps: ParameterSummary[] = summary.parameters.slice(group.start, group.start + group.count);
  const sds = ps.map((p) => p.sd).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const nan = (v: number) => (Number.isFinite(v) ? v : NaN);
  return {
    label: group.label,
    count: group.count,
    meanMin: nan(finiteMin(ps.map((p) => p.mean))),
    meanMax: nan(finiteMax(ps.map((p) => p.mean))),
    sdMedian: sds.length === 0 ? NaN : sds.length % 2 ? sds[(sds.length - 1) / 2] : 0.5 * (sds[sds.length / 2 - 1] + sds[sds.length / 2]),
    rhatMax: nan(finiteMax(ps.map((p) => p.rhat))),
    essBulkMin: nan(finiteMin(ps.map((p) => p.essBulk))),
    essTailMin: nan(finiteMin(ps.map((p) => p.essTail))),
  };
}

/**
 * The diagnostics' warnings with the per-member ones folded into one line per group
 * ("r[0..255]: 12 of 256 members have warnings, e.g. r[7]: tail ESS 310 < 400: ...").
 */
export function collapseWarnings(warnings: string[], layout: KeyLayout): string[] {
  const out: string[] = [];
  const byGroup = new Map<string, { members: Set<string>; first: string }>();
  for (const w of warnings) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\[(\d+)\]: /.exec(w);
    const g = m ? layout.groups.find((gg) => gg.name === m[1]) : undefined;
    if (!m || !g) {
      out.push(w);
      continue;
    }
    const e = byGroup.get(g.name) ?? { members: new Set<string>(), first: w };
    e.members.add(m[2]);
    byGroup.set(g.name, e);
  }
  for (const g of layout.groups) {
    const e = byGroup.get(g.name);
    if (!e) continue;
    out.push(e.members.size === 1 ? e.first : `${g.label}: ${e.members.size} of ${g.count} members have warnings, e.g. ${e.first}`);
  }
  return out;
}
