/** Edits of a hierarchical model: new documents, references kept in step, validity as expected. */
import { describe, expect, it } from 'vitest';
import { validateHierarchy } from './document';
import {
  addHyper,
  addMember,
  addObservation,
  blankHierarchy,
  parseNumberList,
  removeHyper,
  removeMember,
  renameHyper,
  renameMember,
  renameSymbol,
  setMember,
  setObservation,
  setObservationData,
  setPopulation,
} from './edit';
import { simulateStarCluster } from './star-cluster';

describe('hierarchy edits', () => {
  it('the blank model is valid and edits never touch the original', () => {
    const d = blankHierarchy();
    expect(validateHierarchy(d)).toEqual([]);
    const frozen = JSON.stringify(d);
    const a = addHyper(d);
    expect(a.name).toBe('h1');
    expect(Object.keys(a.doc.hyper)).toEqual(['mu', 'sigma', 'h1']);
    addMember(a.doc);
    addObservation(d);
    setPopulation(d, 0, { kind: 'truncnormal', lower: 0 });
    renameHyper(d, 'mu', 'm');
    expect(JSON.stringify(d)).toBe(frozen);
  });

  it('renaming a hyperparameter keeps its place and follows it into populations and formulas', () => {
    const sc = simulateStarCluster({ n: 5 }).doc;
    const withShift = setObservation(addHyper(sc).doc, 0, { expr: '1000/v + h1*mu_r/mu_r' });
    const r = renameHyper(withShift, 'mu_r', 'centre');
    expect(Object.keys(r.hyper)).toEqual(['centre', 'sigma_r', 'h1']);
    expect(r.members[0].population.mu).toBe('centre');
    expect(r.observations[0].expr).toBe('1000/v + h1*centre/centre');
    expect(validateHierarchy(r)).toEqual([]);
    expect(renameSymbol('exp(e1) + e1 + ne1', 'e1', 'k')).toBe('exp(k) + k + ne1');
    expect(renameSymbol('1000/(v', 'v', 'w')).toBe('1000/(v');
    // removing a hyperparameter that is used: the validation names the use
    const gone = removeHyper(r, 'sigma_r');
    expect(validateHierarchy(gone)).toContain("member 1 'r': population sigma 'sigma_r' is not a hyperparameter (known: centre, h1)");
  });

  it('members: count drops stale start values, renames follow into observations, removal takes observations', () => {
    const sc = simulateStarCluster({ n: 5 }).doc;
    expect(sc.members[0].start).toHaveLength(5);
    const c = setMember(sc, 0, { count: 6 });
    expect(c.members[0].start).toBeUndefined();
    expect(validateHierarchy(c)).toContain("observation 1: values must have 6 entries (one per member 'r'; null where not observed)");
    const n = renameMember(sc, 0, 'dist');
    expect(n.observations[0].member).toBe('dist');
    expect(validateHierarchy(n)).toEqual([]);
    const two = addMember(sc);
    expect(two.members[1]).toEqual({ name: 'x1', count: 10, population: { kind: 'normal', mu: 'mu_r', sigma: 'sigma_r' } });
    expect(removeMember(two, 0).observations).toEqual([]);
    // a truncated population cannot be non-centred; leaving truncnormal drops the bounds
    const nc = setPopulation(setMember(sc, 0, { parameterization: 'noncentered' }), 0, { kind: 'truncnormal' });
    expect(nc.members[0].parameterization).toBe('centered');
    const norm = setPopulation(sc, 0, { kind: 'normal' });
    expect(norm.members[0].population).toEqual({ kind: 'normal', mu: 'mu_r', sigma: 'sigma_r' });
    expect(setPopulation(sc, 0, { lower: undefined }).members[0].population).toEqual({ kind: 'truncnormal', mu: 'mu_r', sigma: 'sigma_r' });
  });

  it('observation data from columns: NaN -> null, count follows the data', () => {
    const d = addObservation(blankHierarchy());
    expect(d.observations[0].values).toEqual(new Array(10).fill(null));
    expect(validateHierarchy(d)).toEqual([]);
    const { doc, note } = setObservationData(d, 0, Float64Array.of(1, NaN, 3), Float64Array.of(0.1, 0.2, 0.3));
    expect(note).toBe("member group 'x' now has 3 members (was 10), one per row of the data");
    expect(doc.members[0].count).toBe(3);
    expect(doc.observations[0].values).toEqual([1, null, 3]);
    expect(doc.observations[0].sigmas).toEqual([0.1, 0.2, 0.3]);
    expect(validateHierarchy(doc)).toEqual([]);
    const same = setObservationData(doc, 0, [4, 5, 6], 0.5);
    expect(same.note).toBeNull();
    expect(same.doc.observations[0].sigmas).toBe(0.5);
  });

  it('parses pasted numbers', () => {
    expect(parseNumberList('1, 2.5e-3\n-4;null  NaN -')).toEqual({ values: [1, 0.0025, -4, null, null, null], error: null });
    expect(parseNumberList('1 2 abc 4')).toEqual({ values: [], error: "entry 3 ('abc') is not a number" });
    expect(parseNumberList('1 Infinity')).toEqual({ values: [], error: "entry 2 ('Infinity') is not a number" });
    expect(parseNumberList('   ')).toEqual({ values: [], error: null });
  });
});
