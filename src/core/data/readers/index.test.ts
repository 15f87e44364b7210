import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LoadError, readDataFiles, writeNpy } from './index';

const enc = (s: string) => new TextEncoder().encode(s);
// PyAutoFit's example 1D Gaussian data (autofit_workspace dataset/example_1d), shared beside the repo
const AUTOFIT = fileURLToPath(new URL('../../../../../shared/data/autofit-example-1d/', import.meta.url));
const autofit = (rel: string) => new Uint8Array(readFileSync(AUTOFIT + rel));

describe('readDataFiles dispatch', () => {
  it('reads each format by extension and keeps the input order', () => {
    const { datasets, errors, tables } = readDataFiles([
      { name: 'a.csv', bytes: enc('x,y\n1,2\n3,4\n') },
      { name: 'b.tsv', bytes: enc('1\t5\t0.5\n2\t6\t0.5\n') },
      { name: 'c.dat', bytes: enc('# energy counts\n 1  7\n 2  8\n') },
      { name: 'd.json', bytes: enc('[9, 10]') },
      { name: 'e.npy', bytes: writeNpy([2, 2], Float64Array.from([1, 11, 2, 12])) },
    ]);
    expect(errors).toEqual([]);
    expect(datasets.map((d) => d.name)).toEqual(['a.csv', 'b.tsv', 'c.dat', 'd.json', 'e.npy']);
    expect(datasets.map((d) => Array.from(d.values))).toEqual([[2, 4], [5, 6], [7, 8], [9, 10], [11, 12]]);
    expect(Array.from(datasets[1].sigma!)).toEqual([0.5, 0.5]);
    expect([...tables.keys()]).toEqual(['a.csv', 'b.tsv', 'c.dat']);
    expect(tables.get('c.dat')!.columns).toEqual(['energy', 'counts']);
    expect(datasets[2].notes).toContain("x = column 'energy', y = 'counts', sigma = none (unit weights)");
  });

  it('sniffs unknown extensions: npy magic, JSON, text; refuses binary', () => {
    const { datasets, errors } = readDataFiles([
      { name: 'spec.out', bytes: enc('1 2\n3 4\n') },
      { name: 'noext', bytes: enc('  {"y": [1, 2, 3]}') },
      { name: 'array.bin', bytes: writeNpy([3], Float64Array.from([4, 5, 6])) },
      { name: 'misnamed.csv', bytes: writeNpy([2], Float64Array.from([7, 8])) },
      { name: 'photo.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]) },
      { name: 'pack.npz', bytes: new Uint8Array([0x50, 0x4b, 3, 4]) },
    ]);
    expect(datasets.map((d) => [d.name, Array.from(d.values)])).toEqual([
      ['spec.out', [2, 4]],
      ['noext', [1, 2, 3]],
      ['array.bin', [4, 5, 6]],
      ['misnamed.csv', [7, 8]],
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      "photo.jpg: unknown file type '.jpg' with binary content; supported: .csv .tsv .txt .dat .json .npy",
      'pack.npz: .npz archives are not supported; save one array with numpy.save (.npy)',
    ]);
  });

  it('collects every error without throwing and still returns the good files', () => {
    const { datasets, errors } = readDataFiles([
      { name: 'broken.csv', bytes: enc('x,y\n1,2\n2,abc\n3,4\n') },
      { name: 'ok.csv', bytes: enc('1,2\n3,4\n') },
      { name: 'empty.txt', bytes: new Uint8Array(0) },
      { name: 'bad.json', bytes: enc('{"y": [1, 2') },
    ]);
    expect(datasets.map((d) => d.name)).toEqual(['ok.csv']);
    expect(errors.every((e) => e instanceof LoadError)).toBe(true);
    expect(errors.map((e) => e.message)).toEqual([
      `broken.csv, line 3: expected 2 numbers, found "abc" in column 2 ('y')`,
      'empty.txt: the file is empty',
      `bad.json: invalid JSON at line 1, column 12: expected ',' or ']' after array element [1], found the end of the file`,
    ]);
    expect(errors.map((e) => e.file)).toEqual(['broken.csv', 'empty.txt', 'bad.json']);
  });

  it('gives datasets with the same name distinct names', () => {
    const { datasets } = readDataFiles([
      { name: 'a.csv', bytes: enc('1,2\n') },
      { name: 'a.csv', bytes: enc('3,4\n') },
    ]);
    expect(datasets.map((d) => d.name)).toEqual(['a.csv', 'a.csv (2)']);
  });

  it('a noise_map.json alone is an error that says what it needs', () => {
    const { errors } = readDataFiles([{ name: 'noise_map.json', bytes: enc('[1, 1]') }]);
    expect(errors.map((e) => e.message)).toEqual(['noise_map.json: a noise map needs its data.json in the same folder (drop both files, or the folder)']);
  });
});

describe('PyAutoFit data.json + noise_map.json', () => {
  it('pairs the real example folder into one dataset named after the folder', () => {
    const dir = 'gaussian_x1_identical_0/';
    const { datasets, errors } = readDataFiles([
      { name: `example_1d/${dir}model.json`, bytes: autofit(`${dir}model.json`) },
      { name: `example_1d/${dir}noise_map.json`, bytes: autofit(`${dir}noise_map.json`) },
      { name: `example_1d/${dir}data.json`, bytes: autofit(`${dir}data.json`) },
    ]);
    expect(errors).toEqual([]);
    expect(datasets).toHaveLength(1);
    const d = datasets[0];
    expect(d.name).toBe('gaussian_x1_identical_0');
    // reference values read with Python's json module: 100 points, first/middle/last values and their sum
    expect(d.values.length).toBe(100);
    expect(d.values[0]).toBe(-0.03939956207252031);
    expect(d.values[50]).toBe(1.0537366679290525);
    expect(d.values[99]).toBe(-0.02443131498823276);
    let sum = 0;
    for (const v of d.values) sum += v;
    expect(sum).toBe(25.476000724607378);
    expect(Array.from(d.coords.x.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(d.coords.x[99]).toBe(99);
    expect(d.sigma!.every((s) => s === 0.04)).toBe(true);
    // model.json: Gaussian normalization 25, centre 50, sigma 10 -> peak 25 / (10 sqrt(2 pi)) = 0.99736; data within 5 noise sd
    expect(Math.abs(d.values[50] - 25 / (10 * Math.sqrt(2 * Math.PI)))).toBeLessThan(5 * 0.04);
    expect(d.notes).toContain('ignored in the folder: model.json');
  });

  it('pairs several folders separately; a pair without a folder is named data.json', () => {
    const files = ['gaussian_x1_identical_0', 'gaussian_x1_identical_1'].flatMap((dir) => [
      { name: `${dir}/data.json`, bytes: autofit(`${dir}/data.json`) },
      { name: `${dir}/noise_map.json`, bytes: autofit(`${dir}/noise_map.json`) },
    ]);
    files.push({ name: 'data.json', bytes: enc('[1, 2]') }, { name: 'noise_map.json', bytes: enc('[1, 1]') });
    const { datasets, errors } = readDataFiles(files);
    expect(errors).toEqual([]);
    expect(datasets.map((d) => d.name)).toEqual(['gaussian_x1_identical_0', 'gaussian_x1_identical_1', 'data.json']);
    // value from Python's json: gaussian_x1_identical_1/data.json[0]
    expect(datasets[1].values[0]).toBe(0.04750115968861037);
  });

  it('a lone data.json is an ordinary JSON array', () => {
    const { datasets } = readDataFiles([{ name: 'x/data.json', bytes: autofit('gaussian_x1_identical_0/data.json') }]);
    expect(datasets[0].name).toBe('x/data.json');
    expect(datasets[0].sigma).toBeUndefined();
  });
});

describe('never throws', () => {
  it('on odd inputs', () => {
    const odd: Uint8Array[] = [
      new Uint8Array(0),
      enc('\uFEFF'),
      enc('\r\n\r\n'),
      enc('1e308,1e309\n-1e400,5\n'),
      enc('9'.repeat(5000) + ',1\n'),
      Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) % 256),
      enc('[' + '1,'.repeat(10) + ']'),
      enc('\x93NUMPY'),
      enc('"'),
      enc(',,,\n,,,\n'),
    ];
    for (const ext of ['csv', 'json', 'npy', 'txt', 'zzz']) {
      for (const bytes of odd) {
        const r = readDataFiles([{ name: `odd.${ext}`, bytes }]);
        expect(r.datasets.length + r.errors.length).toBe(1);
        for (const e of r.errors) expect(e.message.startsWith(`odd.${ext}`)).toBe(true);
      }
    }
  });
});
