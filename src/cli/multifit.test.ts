/** `multifit`: the runner in-process on a simulated 8 x 8 x 256 EDS map, with 1 and 2 worker threads. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linearMultifit } from '../core/cube/linear';
import { multifit } from '../core/cube/multifit';
import { simulateEdsMap } from '../core/cube/simulate';
import { parseNpy, writeNpy } from '../core/data/readers';
import type { Dataset } from '../core/data/dataset';
import { defaultFitSettings } from '../core/fit/settings';
import { parseArgs } from './args';
import { bundleExecArgv } from './multifit-bundle';
import { loadCube, mapFileName, MultifitPool, multifitCommand, parallelMultifit, splitPixels } from './multifit-command';
import { modelFromArgs } from './model-args';
import { registerCommand, runCli } from './run';

registerCommand('multifit', multifitCommand);

const dir = mkdtempSync(join(tmpdir(), 'fitbench-multifit-'));
const ROWS = 8;
const COLS = 8;
const { cube: sim } = simulateEdsMap({ rows: ROWS, cols: COLS, channels: 256, seed: 11 });
const cubePath = join(dir, 'map.npy');
writeFileSync(cubePath, writeNpy(sim.shape, sim.values));

/** the model of edsModel() (rough start) as runner arguments */
const MODEL_ARGS = [
  '--component', 'PowerLaw:A=30,r=1.5',
  '--component', 'Gaussian:centre=1.76,sigma=0.054,A=20',
  '--component', 'Gaussian:centre=2.33,sigma=0.06,A=20',
  '--component', 'Gaussian:centre=4.53,sigma=0.072,A=20',
  '--component', 'Gaussian:centre=6.42,sigma=0.084,A=20',
  '--fix', 'PowerLaw.origin',
  '--bounds', 'PowerLaw.A=0:inf,Gaussian.A=0:inf,Gaussian_1.A=0:inf,Gaussian_2.A=0:inf,Gaussian_3.A=0:inf',
  // tight enough to be reached in some pixels
  '--bounds', 'Gaussian.sigma=0.02:0.046,Gaussian_3.centre=6.3:6.401',
];
const AXIS_ARGS = ['--x-start', '0.2', '--x-step', '0.04'];

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

function readMap(path: string): { shape: number[]; data: Float64Array; dtype: string } {
  const a = parseNpy(path, new Uint8Array(readFileSync(path)));
  return { shape: a.shape, data: a.data, dtype: a.dtype };
}

function expectClose(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (Number.isNaN(b)) {
      expect(Number.isNaN(a), `${what}[${i}]`).toBe(true);
      continue;
    }
    const tol = 1e-9 * Math.max(1, Math.abs(b));
    if (!(Math.abs(a - b) <= tol)) throw new Error(`${what}[${i}]: ${a} vs ${b}`);
  }
}

const modelArgs = parseArgs(['multifit', cubePath, ...MODEL_ARGS]);
const model = modelFromArgs(modelArgs, ['x']);
const cube = loadCube([cubePath], { start: 0.2, step: 0.04 });

describe('multifit command', () => {
  it('reads the .npy cube with the given signal axis (the simulation axis exactly)', () => {
    expect(cube.shape).toEqual([ROWS, COLS, 256]);
    expect(Array.from(cube.coords.x)).toEqual(Array.from(sim.coords.x));
    expect(Array.from(cube.values)).toEqual(Array.from(sim.values));
  });

  it('splits pixels into blocks of rows (or scan-path stretches when rows are fewer than workers)', () => {
    const b = splitPixels(8, 8, 3);
    expect(b.map((x) => x.length)).toEqual([16, 24, 24]);
    expect(Array.from(b[1].slice(0, 2))).toEqual([16, 17]);
    const c = splitPixels(1, 10, 4);
    expect(c.map((x) => Array.from(x))).toEqual([[0, 1], [2, 3, 4], [5, 6], [7, 8, 9]]);
    const all = splitPixels(2, 3, 4).flatMap((x) => Array.from(x)).sort((p, q) => p - q);
    expect(all).toEqual([0, 1, 2, 3, 4, 5]);
  });

  for (const workers of [1, 2]) {
    it(`--workers ${workers}: maps equal the core's multifit, files and JSON as documented, bounds hold`, () => {
      const out = join(dir, `out-w${workers}`);
      const r = run(['multifit', cubePath, ...AXIS_ARGS, ...MODEL_ARGS, '--workers', String(workers), '--out', out, '--json']);
      expect(r.code, r.err + r.out).toBe(0);
      const j = JSON.parse(r.out);
      expect(Object.keys(j).sort()).toEqual(['converged', 'elapsed_ms', 'failed', 'maps', 'pixels', 'pixels_per_second', 'workers']);
      expect(j.pixels).toBe(ROWS * COLS);
      expect(j.workers).toBe(workers);
      expect(j.converged + j.failed).toBe(ROWS * COLS);
      expect(j.converged).toBeGreaterThanOrEqual(60);
      expect(j.elapsed_ms).toBeGreaterThan(0);
      expect(j.pixels_per_second).toBeCloseTo((ROWS * COLS) / (j.elapsed_ms / 1000), 6);

      // the reference: the core in-process, on the whole cube (1 worker) or on each block alone (2)
      const settings = defaultFitSettings();
      const blocks = workers === 1 ? [null] : splitPixels(ROWS, COLS, workers);
      const refs = blocks.map((pixels) => multifit(cube, model, settings, { order: 'serpentine', variance: 'auto', ...(pixels ? { pixels } : {}) }));
      const pick = (get: (res: (typeof refs)[number]) => Float64Array): Float64Array => {
        const outArr = new Float64Array(ROWS * COLS).fill(NaN);
        refs.forEach((res, b) => {
          const px = blocks[b] ?? Int32Array.from({ length: ROWS * COLS }, (_, i) => i);
          for (const p of px) outArr[p] = get(res)[p];
        });
        return outArr;
      };

      const keys = Object.keys(refs[0].maps);
      expect(keys).toContain('Gaussian_3.centre');
      for (const key of keys) {
        const path = j.maps[key];
        expect(path, key).toBe(join(out, `${mapFileName(key)}.npy`));
        expect(existsSync(path)).toBe(true);
        const m = readMap(path);
        expect(m.shape).toEqual([ROWS, COLS]);
        expect(m.dtype).toBe('<f8');
        expectClose(m.data, pick((res) => res.maps[key]), key);
      }
      for (const key of refs[0].freeKeys) {
        const m = readMap(j.maps[`${key}.error`]);
        expect(m.shape).toEqual([ROWS, COLS]);
        expectClose(m.data, pick((res) => res.errors[key]), `${key}.error`);
      }
      expect(j.maps['PowerLaw.origin.error']).toBeUndefined();
      const red = readMap(j.maps.red_chisq);
      expect(red.shape).toEqual([ROWS, COLS]);
      expectClose(red.data, pick((res) => res.redChi2), 'red_chisq');
      const status = readMap(j.maps.status);
      expect(status.dtype).toBe('|u1');
      expect(status.shape).toEqual([ROWS, COLS]);
      expectClose(status.data, pick((res) => Float64Array.from(res.status)), 'status');
      expect(Object.keys(j.maps)).toHaveLength(keys.length + refs[0].freeKeys.length + 2);

      // the bounds hold in every pixel
      const check = (key: string, lo: number, hi: number): number => {
        let atUpper = 0;
        for (const v of readMap(j.maps[key]).data) {
          expect(v).toBeGreaterThanOrEqual(lo);
          expect(v).toBeLessThanOrEqual(hi);
          if (v === hi) atUpper++;
        }
        return atUpper;
      };
      for (const g of ['Gaussian', 'Gaussian_1', 'Gaussian_2', 'Gaussian_3']) check(`${g}.A`, 0, Infinity);
      check('PowerLaw.A', 0, Infinity);
      // both upper bounds are reached in some pixels (the bounds are active, not just satisfied)
      expect(check('Gaussian.sigma', 0.02, 0.046)).toBeGreaterThan(0);
      expect(check('Gaussian_3.centre', 6.3, 6.401)).toBeGreaterThan(0);
      // the fixed origin is a constant map
      for (const v of readMap(j.maps['PowerLaw.origin']).data) expect(v).toBe(0);
    });
  }

  it('2 workers with the smart order: each block alone, as the core fits it', () => {
    const out = join(dir, 'out-smart');
    const r = run(['multifit', cubePath, ...AXIS_ARGS, ...MODEL_ARGS, '--order', 'smart', '--workers', '2', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const blocks = splitPixels(ROWS, COLS, 2, 'smart');
    const got = readMap(j.maps['Gaussian_1.A']).data;
    for (const pixels of blocks) {
      const ref = multifit(cube, model, defaultFitSettings(), { order: 'smart', pixels });
      for (const p of pixels) expect(Math.abs(got[p] - ref.maps['Gaussian_1.A'][p])).toBeLessThanOrEqual(1e-9 * Math.abs(ref.maps['Gaussian_1.A'][p]));
    }
  });

  it('workers boot from the bundled worker or through tsx with the same maps; bundled workers do not load tsx', () => {
    expect(
      bundleExecArgv(['--require', '/p/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///p/node_modules/tsx/dist/loader.mjs', '--max-old-space-size=4096', '--import', 'tsx', '--import=tsx', '--require', './other.cjs']),
    ).toEqual(['--max-old-space-size=4096', '--require', './other.cjs']);
    const a = parallelMultifit(cube, model, defaultFitSettings(), { order: 'serpentine' }, { workers: 2 });
    const b = parallelMultifit(cube, model, defaultFitSettings(), { order: 'serpentine' }, { workers: 2, bundle: false });
    expect(a.workers).toBe(2);
    for (const key of a.freeKeys) {
      expect(Array.from(a.maps[key]), key).toEqual(Array.from(b.maps[key]));
      expect(Array.from(a.errors[key]), key).toEqual(Array.from(b.errors[key]));
    }
  });

  it('a started pool runs several fits (another model, another cube) with the maps of fresh workers, then refuses once closed', () => {
    const fresh = parallelMultifit(cube, model, defaultFitSettings(), { order: 'serpentine' }, { workers: 2 });
    const pool = new MultifitPool(2);
    try {
      expect(pool.waitReady()).toBe(true);
      const first = parallelMultifit(cube, model, defaultFitSettings(), { order: 'serpentine' }, { workers: 1, pool });
      expect(first.workers).toBe(2);
      // a different job on the same workers: the top half of the cube, flyback order, one less free parameter
      const half = ROWS >> 1;
      const top: Dataset = { ...cube, shape: [half, COLS, cube.shape![2]], values: cube.values.slice(0, half * COLS * cube.shape![2]) };
      const fixedModel = { ...model, components: model.components.map((c) => (c.name === 'PowerLaw' ? { ...c, params: { ...c.params, r: { ...c.params.r, fixed: true } } } : c)) };
      const other = pool.run(top, fixedModel, defaultFitSettings(), { order: 'flyback' });
      const again = pool.run(cube, model, defaultFitSettings(), { order: 'serpentine' });
      for (const key of fresh.freeKeys) {
        expect(Array.from(first.maps[key]), key).toEqual(Array.from(fresh.maps[key]));
        expect(Array.from(again.maps[key]), key).toEqual(Array.from(fresh.maps[key]));
      }
      expect(other.freeKeys).not.toContain('PowerLaw.r');
      const blocks = splitPixels(half, COLS, 2, 'flyback');
      for (const pixels of blocks) {
        const ref = multifit(top, fixedModel, defaultFitSettings(), { order: 'flyback', pixels });
        for (const p of pixels) expect(other.maps['Gaussian_1.A'][p]).toBe(ref.maps['Gaussian_1.A'][p]);
      }
    } finally {
      pool.close();
    }
    expect(() => pool.run(cube, model, defaultFitSettings(), { order: 'serpentine' })).toThrow(/closed/);
  });

  it('a worker that never takes its job: the stall check ends the run with a message, and the pool is closed', () => {
    // a boot module that exits at once without a word (a worker that died before reporting)
    const silent = join(dir, 'silent-worker.mjs');
    writeFileSync(silent, '// exits without taking a job\n');
    const pool = new MultifitPool(2, { workerUrl: new URL(`file://${silent}`) });
    expect(pool.waitReady(300)).toBe(false);
    const t0 = performance.now();
    expect(() => pool.run(cube, model, defaultFitSettings(), { order: 'serpentine' }, { stallMs: 800 })).toThrow(/no pixel fitted for 1 s with 2 of 2 workers still running \(did one die\?\)/);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(() => pool.run(cube, model, defaultFitSettings(), { order: 'serpentine' })).toThrow(/closed/);
  });

  it('takes the linear fast path by itself when only amplitudes are free; --linear otherwise fails with exit 1', () => {
    const linArgs = [
      '--component', 'PowerLaw:A=30,r=1.5',
      '--component', 'Gaussian:centre=1.74,sigma=0.045,A=20',
      '--component', 'Gaussian:centre=2.31,sigma=0.05,A=20',
      '--component', 'Gaussian:centre=4.51,sigma=0.06,A=20',
      '--component', 'Gaussian:centre=6.4,sigma=0.07,A=20',
      '--fix', 'PowerLaw.origin,PowerLaw.r,Gaussian.sigma,Gaussian.centre,Gaussian_1.sigma,Gaussian_1.centre',
      '--fix', 'Gaussian_2.sigma,Gaussian_2.centre,Gaussian_3.sigma,Gaussian_3.centre',
    ];
    const out = join(dir, 'out-linear');
    const r = run(['multifit', cubePath, ...AXIS_ARGS, ...linArgs, '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.converged).toBe(ROWS * COLS);
    const linModel = modelFromArgs(parseArgs(['multifit', ...linArgs]), ['x']);
    const ref = linearMultifit(cube, linModel, defaultFitSettings());
    for (const key of ref.freeKeys) expectClose(readMap(j.maps[key]).data, ref.maps[key], key);
    // --linear forced: the same
    const forced = run(['multifit', cubePath, ...AXIS_ARGS, ...linArgs, '--linear', '--out', join(dir, 'out-linear2'), '--json']);
    expect(forced.code).toBe(0);
    // --linear with free widths: a fit problem, exit 1, {"error", "reason"} naming the parameter
    const bad = run(['multifit', cubePath, ...AXIS_ARGS, ...MODEL_ARGS, '--linear', '--out', join(dir, 'out-bad'), '--json']);
    expect(bad.code).toBe(1);
    const e = JSON.parse(bad.out);
    expect(Object.keys(e).sort()).toEqual(['error', 'reason']);
    expect(e.reason).toMatch(/--linear: the model is not linear in its free parameters: PowerLaw\.r is free/);
  });

  it('fits a stack of EMSA/MSA files (one pixel each, their calibration)', () => {
    const files: string[] = [];
    for (let p = 0; p < 3; p++) {
      const y = Array.from(sim.values.subarray(p * 256, (p + 1) * 256));
      const text = [
        '#FORMAT      : EMSA/MAS Spectral Data File',
        '#VERSION     : 1.0',
        '#NPOINTS     : 256',
        '#NCOLUMNS    : 1',
        '#XUNITS      : keV',
        '#DATATYPE    : Y',
        '#XPERCHAN    : 0.04',
        '#OFFSET      : 0.2',
        '#SPECTRUM    : Spectral Data Starts Here',
        ...y.map((v) => `${v}, `),
        '#ENDOFDATA   : ',
      ].join('\n');
      const f = join(dir, `p${p}.msa`);
      writeFileSync(f, text);
      files.push(f);
    }
    const out = join(dir, 'out-msa');
    const r = run(['multifit', ...files, ...MODEL_ARGS, '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.pixels).toBe(3);
    const m = readMap(j.maps['Gaussian.A']);
    expect(m.shape).toEqual([1, 3]);
    const stack = loadCube(files);
    const ref = multifit(stack, model, defaultFitSettings());
    expectClose(m.data, ref.maps['Gaussian.A'], 'Gaussian.A');
  });

  it('usage errors exit 2: unknown component, no --out, bad --workers / --order, no cube', () => {
    const cases: [string[], RegExp][] = [
      [['multifit', cubePath, '--component', 'Blob:A=1', '--out', join(dir, 'x'), '--json'], /unknown type "Blob"/],
      [['multifit', cubePath, ...MODEL_ARGS, '--json'], /needs --out DIR/],
      [['multifit', cubePath, ...MODEL_ARGS, '--workers', '0', '--out', join(dir, 'x')], /--workers must be a whole number >= 1/],
      [['multifit', cubePath, ...MODEL_ARGS, '--order', 'zigzag', '--out', join(dir, 'x')], /--order must be one of serpentine, flyback, smart/],
      [['multifit', ...MODEL_ARGS, '--out', join(dir, 'x')], /multifit needs a cube/],
      [['multifit', cubePath, ...MODEL_ARGS, '--method', 'lm', '--out', join(dir, 'x')], /--method is not used by multifit/],
    ];
    for (const [argv, msg] of cases) {
      const r = run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(msg);
    }
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('a data problem exits 1 with {"error", "reason"}', () => {
    const r = run(['multifit', join(dir, 'missing.npy'), ...MODEL_ARGS, '--out', join(dir, 'y'), '--json']);
    expect(r.code).toBe(1);
    const e = JSON.parse(r.out);
    expect(e.error).toBe('data error');
    expect(e.reason).toMatch(/Cannot read .*missing\.npy/);
  });
});
