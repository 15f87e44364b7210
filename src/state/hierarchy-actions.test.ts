/**
 * The hierarchical-model panel's document handling: valid edits go into the session document,
 * invalid drafts stay in the panel with their problems (the session keeps the last valid model),
 * and a session replaced from outside (undo, a loaded file) replaces the draft.
 */
import { describe, expect, it } from 'vitest';
import { simulateStarCluster } from '../core/hierarchy/star-cluster';
import { loadSessionText } from '../core/session/load';
import { sessionToText } from '../core/session/serialize';
import {
  hierarchySamplingUnavailable,
  hierarchyStore,
  loadStarClusterExample,
  newHierarchy,
  observationFromText,
  removeHierarchy,
  renameHyperparameter,
  setMemberPopulation,
  addObservationModel,
  runHierarchySampling,
  datasetColumns,
  observationFromDataset,
} from './hierarchy-actions';
import { makeSpectrum } from '../core/data/dataset';
import { store } from './store';

const session = () => store.getState().session;
const state = () => hierarchyStore.getState();

describe('hierarchy panel state', () => {
  it('the star cluster example goes into the session document and survives a save / load', () => {
    loadStarClusterExample(1, 256);
    const h = session().hierarchy!;
    expect(h).toEqual(simulateStarCluster({ n: 256, seed: 1 }).doc);
    expect(state().draft).toBe(h);
    expect(state().problems).toEqual([]);
    expect(state().note).toBe('star cluster example: 256 simulated stars (true mu_r = 500 pc, sigma_r = 8.7 pc, seed 1)');
    expect(hierarchySamplingUnavailable(state())).toBeNull();
    const back = loadSessionText(sessionToText(session()), 'x.fitbench.json');
    expect(back.hierarchy).toEqual(h);
  });

  it('an invalid edit stays a draft; fixing it writes the session', async () => {
    newHierarchy();
    const valid = session().hierarchy!;
    expect(Object.keys(valid.hyper)).toEqual(['mu', 'sigma']);
    setMemberPopulation(0, { mu: 'nope' });
    expect(state().draft!.members[0].population.mu).toBe('nope');
    expect(state().problems).toEqual(["member 1 'x': population mu 'nope' is not a hyperparameter (known: mu, sigma)"]);
    expect(session().hierarchy).toBe(valid);
    expect(hierarchySamplingUnavailable(state())).toBe('Fix the problem of the model first.');
    await runHierarchySampling();
    expect(state().error).toBe('Fix the problem of the model first.');
    expect(state().running).toBe(false);
    renameHyperparameter('mu', 'nope');
    expect(state().problems).toEqual([]);
    expect(Object.keys(session().hierarchy!.hyper)).toEqual(['nope', 'sigma']);
    expect(session().hierarchy!.members[0].population.mu).toBe('nope');
  });

  it('pasted observations: the count follows the data; bad text names the field and changes nothing', () => {
    newHierarchy();
    addObservationModel();
    expect(observationFromText(0, '1 2 3', '0.1 0.2')).toBe('Pasted sigmas: give one number or 3 (one per value), not 2');
    expect(observationFromText(0, '1 two 3', '1')).toBe("Pasted values: entry 2 ('two') is not a number");
    expect(session().hierarchy!.observations[0].values).toHaveLength(10);
    expect(observationFromText(0, '1, null, 3', '0.5')).toBeNull();
    expect(session().hierarchy!.members[0].count).toBe(3);
    expect(session().hierarchy!.observations[0]).toEqual({ member: 'x', expr: 'v', values: [1, null, 3], sigmas: 0.5 });
    expect(state().note).toBe("member group 'x' now has 3 members (was 10), one per row of the data");
  });

  it('observations from the columns of a loaded dataset', () => {
    newHierarchy();
    addObservationModel();
    store.setState((s) => ({ session: { ...s.session, datasets: [makeSpectrum('plx.csv', [1, 2, 3, 4], [2.1, 1.9, NaN, 2.4], [0.1, 0.2, 0.3, 0.4])], activeDataset: 0 } }));
    expect(datasetColumns(0)).toEqual(['x', 'values', 'sigma']);
    expect(observationFromDataset(0, 0, 'nope', { value: 1 })).toBe("Values column: plx.csv has no column 'nope'");
    expect(observationFromDataset(0, 0, 'values', { value: 0 })).toBe('Sigma: must be a number > 0');
    expect(observationFromDataset(0, 1, 'values', { value: 1 })).toBe('Dataset: choose a loaded dataset');
    expect(observationFromDataset(0, 0, 'values', { column: 'sigma' })).toBeNull();
    expect(session().hierarchy!.observations[0]).toEqual({ member: 'x', expr: 'v', values: [2.1, 1.9, null, 2.4], sigmas: [0.1, 0.2, 0.3, 0.4] });
    expect(session().hierarchy!.members[0].count).toBe(4);
    expect(observationFromDataset(0, 0, 'x', { value: 0.25 })).toBeNull();
    expect(session().hierarchy!.observations[0].values).toEqual([1, 2, 3, 4]);
    expect(session().hierarchy!.observations[0].sigmas).toBe(0.25);
  });

  it('a session replaced from outside replaces the draft; removing the model takes it out of the session', () => {
    newHierarchy();
    setMemberPopulation(0, { mu: 'nope' }); // an invalid draft
    const sc = simulateStarCluster({ n: 4, seed: 2 }).doc;
    store.setState((s) => ({ session: { ...s.session, hierarchy: sc } }));
    expect(state().draft).toBe(sc);
    expect(state().problems).toEqual([]);
    removeHierarchy();
    expect(state().draft).toBeNull();
    expect('hierarchy' in session()).toBe(false);
    expect(hierarchySamplingUnavailable(state())).toBe('Build a hierarchical model first (or load the star cluster example).');
  });
});
