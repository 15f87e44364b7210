/**
 * A hierarchical model in the session document: save / load / share-link round trips (the log
 * density of the loaded model equals the original's), JSON's nulls for infinite bounds and NaN
 * sigmas, and refusals that name the path of the problem.
 */
import { describe, expect, it } from 'vitest';
import { hierarchicalLogDensity } from '../hierarchy/log-density';
import { simulateStarCluster } from '../hierarchy/star-cluster';
import type { HierarchyDoc } from '../hierarchy/document';
import type { SessionDoc } from './document';
import { hierarchyProblemPath } from './hierarchy-schema';
import { loadSessionText, SessionLoadError } from './load';
import { sessionToJson, sessionToText } from './serialize';
import { decodeShareFragment, encodeShareFragment, SHARE_LINK_MAX_CHARS, shareLinkUrl } from './share-link';
import { sampleSession } from './test-fixtures';

function withHierarchy(h: HierarchyDoc): SessionDoc {
  return { ...sampleSession(), hierarchy: h };
}

/** the session text with `hierarchy` replaced by `h` (any JSON value) */
function textWith(h: unknown): string {
  const j = sessionToJson(sampleSession()) as unknown as Record<string, unknown>;
  j.hierarchy = h;
  return JSON.stringify(j);
}

function refusal(text: string): string {
  try {
    loadSessionText(text, 'c.fitbench.json');
  } catch (e) {
    expect(e).toBeInstanceOf(SessionLoadError);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

const small = (): HierarchyDoc => ({
  hyper: {
    mu: { value: 1, prior: { kind: 'gaussian', mu: 0, sigma: 10 } },
    tau: { value: 0.5, lower: 0, prior: { kind: 'uniform', lower: -5, upper: 2, transform: 'log10', scale: 2 } },
  },
  members: [{ name: 'x', count: 3, population: { kind: 'normal', mu: 'mu', sigma: 'tau' }, parameterization: 'noncentered' }],
  observations: [{ member: 'x', expr: 'v', values: [1.2, null, 0.7], sigmas: [0.1, NaN, 0.2] }],
});

describe('session: hierarchical model', () => {
  it('round-trips the star cluster through the session file: same document, same log density', () => {
    const sc = simulateStarCluster({ n: 256, seed: 4 });
    const doc = withHierarchy(sc.doc);
    const back = loadSessionText(sessionToText(doc), 's.fitbench.json');
    expect(back.hierarchy).toEqual(sc.doc);
    expect(back.hierarchy!.observations[0].values).toHaveLength(256);
    const a = hierarchicalLogDensity(sc.doc);
    const b = hierarchicalLogDensity(back.hierarchy!);
    expect(b.keys).toEqual(a.keys);
    const x = a.startPoint();
    expect(Number.isFinite(a.logDensity(x))).toBe(true);
    expect(b.logDensity(x)).toBe(a.logDensity(x));
    // the rest of the session is untouched
    expect({ ...back, hierarchy: undefined }).toEqual({ ...sampleSession(), hierarchy: undefined });
  });

  it('round-trips through a share link (N = 256 fits in a link)', () => {
    const sc = simulateStarCluster({ n: 256, seed: 4 });
    const frag = encodeShareFragment(withHierarchy(sc.doc));
    const url = shareLinkUrl(frag, 'http://127.0.0.1:4173/');
    expect(url.length).toBeLessThan(SHARE_LINK_MAX_CHARS);
    const back = decodeShareFragment(frag);
    expect(back.hierarchy).toEqual(sc.doc);
  });

  it('infinite bounds (JSON null) read as no bound; a NaN sigma where nothing is observed survives', () => {
    const h = small();
    h.hyper.mu.lower = -Infinity;
    h.hyper.mu.upper = Infinity;
    const text = sessionToText(withHierarchy(h));
    expect(text).toContain('"lower":null');
    const back = loadSessionText(text, 's.fitbench.json').hierarchy!;
    expect(back.hyper.mu.lower).toBeUndefined();
    expect(back.hyper.mu.upper).toBeUndefined();
    const sig = back.observations[0].sigmas as number[];
    expect(sig[0]).toBe(0.1);
    expect(Number.isNaN(sig[1])).toBe(true);
    const a = hierarchicalLogDensity(h);
    const b = hierarchicalLogDensity(back);
    const x = Float64Array.of(0.8, 0.3, 0.5, -1, 0.2);
    expect(b.logDensity(x)).toBe(a.logDensity(x));
    expect(Array.from(b.lower)).toEqual(Array.from(a.lower));
  });

  it('a session without a hierarchy has none after loading', () => {
    const back = loadSessionText(sessionToText(sampleSession()), 's.fitbench.json');
    expect('hierarchy' in back).toBe(false);
  });

  it('refuses invalid models with the path of the problem', () => {
    const h = small();
    h.observations[0].values = [1, 2];
    h.observations[0].sigmas = 0.1;
    expect(refusal(textWith(h))).toBe("c.fitbench.json: hierarchy.observations[0].values: values must have 3 entries (one per member 'x'; null where not observed)");

    const h2 = small();
    h2.members[0].population.mu = 'nope';
    expect(refusal(textWith(h2))).toBe("c.fitbench.json: hierarchy.members[0].population.mu: population mu 'nope' is not a hyperparameter (known: mu, tau)");

    const h3 = small();
    h3.hyper.tau.value = -1;
    expect(refusal(textWith(h3))).toMatch(/^c\.fitbench\.json: hierarchy\.hyper\.tau\.value: value -1 must lie strictly inside its support \(0\.0000199999\d*, 200\) \(it is a population sigma, so > 0\)$/);

    const h4 = small();
    (h4.observations[0].sigmas as number[])[2] = 0;
    expect(refusal(textWith(h4))).toBe('c.fitbench.json: hierarchy.observations[0].sigmas[2]: sigmas[2] = 0 must be a finite number > 0');

    const h5 = small();
    h5.observations[0].expr = '2*q';
    // two problems: no v, and the unknown symbol q
    expect(refusal(textWith(h5))).toBe("c.fitbench.json: hierarchy.observations[0].expr: the formula '2*q' does not use v, the value of member 'x' (and 1 more problem)");

    // a NaN sigma (JSON null) where the member is observed
    const h6 = small();
    (h6.observations[0].sigmas as number[])[0] = NaN;
    expect(refusal(textWith(h6))).toBe('c.fitbench.json: hierarchy.observations[0].sigmas[0]: sigmas[0] = NaN must be a finite number > 0');
  });

  it('refuses wrong shapes and oversized input before the meaning check', () => {
    const j = JSON.parse(JSON.stringify(small())) as Record<string, unknown> & { observations: { values: unknown[] }[]; members: { count: unknown }[]; hyper: Record<string, unknown> };
    j.observations[0].values[1] = 'x';
    expect(refusal(textWith(j))).toBe('c.fitbench.json: hierarchy.observations[0].values[1]: expected a finite number or null');
    const k = JSON.parse(JSON.stringify(small()));
    k.members[0].count = 2_000_000;
    expect(refusal(textWith(k))).toMatch(/^c\.fitbench\.json: hierarchy\.members\[0\]\.count: must be at most 1000000, found the number 2000000/);
    const c = JSON.parse(JSON.stringify(small()));
    c.hyper.constructor = { value: 1 };
    expect(refusal(textWith(c))).toMatch(/^c\.fitbench\.json: hierarchy\.hyper: the key "constructor" is not allowed/);
    expect(refusal(textWith({ hyper: {}, members: [], observations: [] }))).toMatch(/^c\.fitbench\.json: hierarchy\.members: needs at least 1 entry/);
    expect(refusal(textWith('model'))).toBe('c.fitbench.json: hierarchy: expected an object, found the text "model"');
  });

  it('maps validation messages to paths', () => {
    expect(hierarchyProblemPath("member 2 'y': lower / upper apply to 'truncnormal' populations only").path).toEqual(['members', 1, 'population', 'lower']);
    expect(hierarchyProblemPath("member 1 'x': start[4] = -2 is not strictly inside the support (0, Infinity)")).toEqual({ path: ['members', 0, 'start', 4], message: 'start[4] = -2 is not strictly inside the support (0, Infinity)' });
    expect(hierarchyProblemPath("hyperparameter 's': prior scale must be a finite number > 0").path).toEqual(['hyper', 's', 'prior']);
    expect(hierarchyProblemPath('members must be a non-empty list').path).toEqual(['members']);
  });
});
