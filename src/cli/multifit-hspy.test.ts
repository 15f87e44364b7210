/**
 * The runner on HyperSpy .hspy files (written by HyperSpy 1.7.3: src/core/data/readers/testdata/hspy,
 * make_hspy_fixtures.py): the 4 x 5 x 64 float32 cube as .hspy and as .npy (numpy.save of the same
 * array) gives identical maps from `multifit`, and the file's signal axis (0.5 + 0.03 * channel keV)
 * reaches the fit: the Gaussian centres come out in keV, as simulated.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../core/data/readers';
import { loadHdf5ForArgs, namesHdf5File } from './hdf5-args';
import { loadCube, multifitCommand } from './multifit-command';
import { registerCommand, runCliAsync } from './run';

registerCommand('multifit', multifitCommand);

const FIXTURES = fileURLToPath(new URL('../core/data/readers/testdata/hspy/', import.meta.url));
const HSPY = join(FIXTURES, 'cube-f32.hspy');
const NPY = join(FIXTURES, 'cube-f32.npy');
const dir = mkdtempSync(join(tmpdir(), 'fitbench-multifit-hspy-'));

const ROWS = 4;
const COLS = 5;
/** make_hspy_fixtures.py cube_truth: centre and area of the Gaussian at pixel (r, c), sigma 0.08 keV, level 2 */
const trueCentre = (r: number, c: number) => 1.2 + 0.04 * r + 0.02 * c;
const trueArea = (r: number, c: number) => 50 + 10 * r + 5 * c;

const MODEL = ['--component', 'Gaussian:centre=1.3,sigma=0.1,A=60', '--component', 'Offset:offset=1', '--workers', '1'];

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCliAsync(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

function map(path: string): { shape: number[]; data: Float64Array } {
  return parseNpy(path, new Uint8Array(readFileSync(path)));
}

describe('multifit on a HyperSpy .hspy cube', () => {
  it('finds the HDF5 arguments (extension or signature) and loads h5wasm only for them', async () => {
    expect(namesHdf5File(HSPY)).toBe(true);
    expect(namesHdf5File(NPY)).toBe(false);
    expect(namesHdf5File('--out')).toBe(false);
    const renamed = join(dir, 'cube-data.bin');
    writeFileSync(renamed, readFileSync(HSPY));
    expect(namesHdf5File(renamed)).toBe(true);
    expect(await loadHdf5ForArgs(['multifit', NPY, '--out', dir])).toBe(false);
    expect(await loadHdf5ForArgs(['multifit', HSPY, '--out', dir])).toBe(true);
  });

  it('loads the cube with its calibrated signal axis', async () => {
    await loadHdf5ForArgs([HSPY]);
    const cube = loadCube([HSPY]);
    expect(cube.kind).toBe('cube');
    expect(cube.shape).toEqual([ROWS, COLS, 64]);
    for (let k = 0; k < 64; k++) expect(cube.coords.x[k]).toBe(0.5 + 0.03 * k);
    expect(cube.labels?.x).toBe('keV');
    // --x-start / --x-step still override the file's calibration
    const shifted = loadCube([HSPY], { start: 10, step: 1 });
    expect(shifted.coords.x[3]).toBe(13);
  });

  it('.npy and .hspy of the same array give identical maps; the centres are in keV', async () => {
    const outNpy = join(dir, 'npy');
    const outHspy = join(dir, 'hspy');
    const a = await run(['multifit', NPY, ...MODEL, '--x-start', '0.5', '--x-step', '0.03', '--out', outNpy, '--json']);
    const b = await run(['multifit', HSPY, ...MODEL, '--out', outHspy, '--json']);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const ja = JSON.parse(a.out);
    const jb = JSON.parse(b.out);
    expect(ja.pixels).toBe(20);
    expect(jb.converged).toBe(20);
    expect(Object.keys(jb.maps).sort()).toEqual(Object.keys(ja.maps).sort());
    expect(Object.keys(jb.maps)).toContain('Gaussian.centre');
    const files = readdirSync(outNpy).sort();
    expect(readdirSync(outHspy).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const x = readFileSync(join(outNpy, f));
      const y = readFileSync(join(outHspy, f));
      expect(Buffer.compare(x, y), `${f} differs`).toBe(0);
    }
    // the fit saw keV: centre, area and width as simulated (noise-free float32 data)
    const centre = map(join(outHspy, 'Gaussian.centre.npy'));
    const area = map(join(outHspy, 'Gaussian.A.npy'));
    const sigma = map(join(outHspy, 'Gaussian.sigma.npy'));
    const level = map(join(outHspy, 'Offset.offset.npy'));
    expect(centre.shape).toEqual([ROWS, COLS]);
    let worst = 0;
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < COLS; c++) {
        const p = r * COLS + c;
        worst = Math.max(worst, Math.abs(centre.data[p] - trueCentre(r, c)));
        expect(area.data[p]).toBeCloseTo(trueArea(r, c), 3);
        expect(sigma.data[p]).toBeCloseTo(0.08, 6);
        expect(level.data[p]).toBeCloseTo(2, 4);
      }
    }
    expect(worst).toBeLessThan(1e-6);
    expect(centre.data[ROWS * COLS - 1]).toBeCloseTo(1.2 + 0.12 + 0.08, 6);
  });

  it('a truncated .hspy fails with exit 1 and a message naming the file', async () => {
    const bytes = readFileSync(HSPY);
    const cut = join(dir, 'cut.hspy');
    writeFileSync(cut, bytes.subarray(0, 20000));
    const r = await run(['multifit', cut, ...MODEL, '--out', join(dir, 'cut'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      error: 'data error',
      reason: `${cut}: the file is truncated: 19.5 kB of the 25.2 kB its HDF5 header announces (copy or download it again)`,
    });
  });

  it('fit: a calibrated .hspy spectrum is fitted in keV', async () => {
    const spectrum = join(FIXTURES, 'spectrum-f64.hspy');
    const r = await run(['fit', spectrum, '--component', 'Gaussian:centre=1.3,sigma=0.1,A=60', '--component', 'Offset:offset=1', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    // make_hspy_fixtures.py: pixel (1, 2) of the truth plus noise of sd 0.5: centre 1.28 keV, area 70
    expect(Math.abs(j.parameters['Gaussian.centre'].value - 1.28)).toBeLessThan(3 * j.parameters['Gaussian.centre'].error);
    expect(j.parameters['Gaussian.centre'].error).toBeLessThan(0.002);
    expect(Math.abs(j.parameters['Gaussian.A'].value - 70)).toBeLessThan(3 * j.parameters['Gaussian.A'].error);
  });
});
