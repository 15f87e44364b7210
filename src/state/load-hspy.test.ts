/** The app's file loading (actions.loadFiles) reads HyperSpy .hspy files: h5wasm loads first, then the file is read. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hdf5Loaded, loadHdf5 } from '../core/data/readers/hspy';
import { loadFiles } from './actions';
import { store } from './store';

function fixture(name: string): { name: string; bytes: Uint8Array } {
  return { name, bytes: new Uint8Array(readFileSync(new URL(`../core/data/readers/testdata/hspy/${name}`, import.meta.url))) };
}

describe('loadFiles with .hspy', () => {
  it('loads h5wasm, then adds the calibrated spectrum; a broken .hspy is an alert naming it', async () => {
    expect(hdf5Loaded()).toBeNull();
    const before = store.getState().alerts.length;
    loadFiles([fixture('spectrum-f64.hspy'), { name: 'broken.hspy', bytes: new TextEncoder().encode('not hdf5') }]);
    // nothing yet: the reader is loading
    expect(store.getState().session.datasets.some((d) => d.name === 'spectrum-f64.hspy')).toBe(false);
    await loadHdf5();
    await Promise.resolve();
    const d = store.getState().session.datasets.find((x) => x.name === 'spectrum-f64.hspy');
    expect(d?.kind).toBe('spectrum');
    expect(d?.coords.x[0]).toBe(0.5);
    expect(d?.coords.x[63]).toBe(0.5 + 0.03 * 63);
    expect(d?.labels?.x).toBe('keV');
    const alerts = store.getState().alerts.slice(before);
    expect(alerts).toEqual([expect.stringMatching(/^broken\.hspy: not an HDF5 file/)]);
  });
});
