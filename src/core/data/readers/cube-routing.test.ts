/** readDataFiles routes 3-D .npy arrays to cubes and EMSA/MSA files to spectra or one stack cube. */
import { describe, expect, it } from 'vitest';
import { readDataFiles, writeNpy } from './index';

const enc = (name: string, text: string) => ({ name, bytes: new TextEncoder().encode(text) });

function msa(values: number[], options: { offset?: number; xperchan?: number; title?: string } = {}): string {
  return [
    '#FORMAT      : EMSA/MAS Spectral Data File',
    '#VERSION     : 1.0',
    `#TITLE       : ${options.title ?? 'spectrum'}`,
    `#NPOINTS     : ${values.length}`,
    '#NCOLUMNS    : 1',
    '#XUNITS      : keV',
    '#DATATYPE    : Y',
    `#XPERCHAN    : ${options.xperchan ?? 0.01}`,
    `#OFFSET      : ${options.offset ?? -0.2}`,
    '#SPECTRUM    : Spectral Data Starts Here',
    ...values.map((v) => `${v.toFixed(6)}, `),
    '#ENDOFDATA   : ',
    '',
  ].join('\n');
}

describe('readDataFiles: spectrum images', () => {
  it('reads a 3-D .npy array as a cube (rows, cols, channels), values in C order', () => {
    const data = Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 0.5);
    const { datasets, errors } = readDataFiles([{ name: 'map.npy', bytes: writeNpy([2, 3, 4], data) }]);
    expect(errors).toEqual([]);
    expect(datasets).toHaveLength(1);
    const d = datasets[0];
    expect(d.kind).toBe('cube');
    expect(d.shape).toEqual([2, 3, 4]);
    expect(Array.from(d.values)).toEqual(Array.from(data));
    expect(Array.from(d.coords.x)).toEqual([0, 1, 2, 3]);
    expect(d.name).toBe('map.npy');
  });

  it('keeps 1-D, (n, 2) and (n, 3) arrays as spectra, as before', () => {
    const { datasets, errors } = readDataFiles([
      { name: 'y.npy', bytes: writeNpy([4], Float64Array.from([1, 2, 3, 4])) },
      { name: 'xy.npy', bytes: writeNpy([3, 2], Float64Array.from([0, 1, 1, 2, 2, 5])) },
      { name: 'xys.npy', bytes: writeNpy([3, 3], Float64Array.from([0, 1, 0.1, 1, 2, 0.1, 2, 5, 0.2])) },
    ]);
    expect(errors).toEqual([]);
    expect(datasets.map((d) => [d.kind, d.shape])).toEqual([
      ['spectrum', [4]],
      ['spectrum', [3]],
      ['spectrum', [3]],
    ]);
    expect(Array.from(datasets[2].sigma!)).toEqual([0.1, 0.1, 0.2]);
  });

  it('reads 2-D arrays wider than 3 x 3 as images (image-files.ts) and still refuses 4-D arrays with a message naming the file', () => {
    const { datasets, errors } = readDataFiles([
      { name: 'img.npy', bytes: writeNpy([5, 5], new Float64Array(25)) },
      { name: 'hyper.npy', bytes: writeNpy([2, 2, 2, 2], new Float64Array(16)) },
    ]);
    expect(datasets.map((d) => [d.name, d.kind, d.shape])).toEqual([['img.npy', 'image', [5, 5]]]);
    expect(errors.map((e) => e.message)).toEqual([
      'hyper.npy: shape (2, 2, 2, 2) is not a spectrum: expected (n,), (n, 2) [x, y] or (n, 3) [x, y, sigma]',
    ]);
  });

  it('reads one .msa file as a spectrum with its calibration', () => {
    const { datasets, errors, tables } = readDataFiles([enc('a.msa', msa([1, 2, 3, 4]))]);
    expect(errors).toEqual([]);
    expect(datasets).toHaveLength(1);
    const d = datasets[0];
    expect(d.kind).toBe('spectrum');
    expect(Array.from(d.values)).toEqual([1, 2, 3, 4]);
    expect(d.coords.x[0]).toBeCloseTo(-0.2, 12);
    expect(d.coords.x[3]).toBeCloseTo(-0.17, 12);
    expect(d.labels?.x).toBe('keV');
    expect(tables.size).toBe(0);
  });

  it('recognises MSA content by its #FORMAT line whatever the extension (.txt, none)', () => {
    const { datasets, errors } = readDataFiles([enc('export.txt', msa([5, 6, 7]))]);
    expect(errors).toEqual([]);
    expect(datasets[0].kind).toBe('spectrum');
    expect(Array.from(datasets[0].values)).toEqual([5, 6, 7]);
    const noExt = readDataFiles([enc('spectrum', msa([8, 9]))]);
    expect(noExt.errors).toEqual([]);
    expect(Array.from(noExt.datasets[0].values)).toEqual([8, 9]);
    // .emsa / .ems extensions
    expect(readDataFiles([enc('b.emsa', msa([1, 2]))]).datasets[0].kind).toBe('spectrum');
    expect(readDataFiles([enc('b.ems', msa([1, 2]))]).datasets[0].kind).toBe('spectrum');
  });

  it('stacks several MSA files into one cube [1, n, channels] in the order given', () => {
    const files = [enc('p0.msa', msa([1, 2, 3])), enc('p1.msa', msa([4, 5, 6])), enc('p2.emsa', msa([7, 8, 9]))];
    const { datasets, errors } = readDataFiles(files);
    expect(errors).toEqual([]);
    expect(datasets).toHaveLength(1);
    const d = datasets[0];
    expect(d.kind).toBe('cube');
    expect(d.shape).toEqual([1, 3, 3]);
    expect(Array.from(d.values)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(d.coords.x).toHaveLength(3);
    expect(d.coords.x[1]).toBeCloseTo(-0.19, 12);
    expect(d.notes?.[0]).toMatch(/^stack of 3 EMSA\/MSA spectra/);
  });

  it('stacks the MSA files among others and reads the others as before', () => {
    const files = [enc('line.csv', 'x,y\n0,1\n1,2\n2,3\n'), enc('p0.msa', msa([1, 2])), enc('p1.msa', msa([3, 4]))];
    const { datasets, errors } = readDataFiles(files);
    expect(errors).toEqual([]);
    expect(datasets.map((d) => [d.name, d.kind, d.shape])).toEqual([
      ['line.csv', 'spectrum', [3]],
      ['p0.msa + 1 more', 'cube', [1, 2, 2]],
    ]);
  });

  it('keeps MSA files of different calibrations as separate spectra, with a note', () => {
    const files = [enc('a.msa', msa([1, 2, 3])), enc('b.msa', msa([4, 5, 6], { xperchan: 0.02 }))];
    const { datasets, errors } = readDataFiles(files);
    expect(errors).toEqual([]);
    expect(datasets.map((d) => [d.name, d.kind])).toEqual([
      ['a.msa', 'spectrum'],
      ['b.msa', 'spectrum'],
    ]);
    for (const d of datasets) expect(d.notes?.at(-1)).toMatch(/^not stacked with the other EMSA\/MSA files: b\.msa: #XPERCHAN is 0\.02/);
  });

  it('reports a broken MSA file by name and stacks the rest', () => {
    const broken = msa([1, 2, 3]).replace('#NPOINTS     : 3', '#NPOINTS     : 5');
    const files = [enc('ok0.msa', msa([1, 2, 3])), enc('bad.msa', broken), enc('ok1.msa', msa([4, 5, 6]))];
    const { datasets, errors } = readDataFiles(files);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^bad\.msa, line \d+: truncated: #NPOINTS is 5/);
    expect(datasets).toHaveLength(1);
    expect(datasets[0].shape).toEqual([1, 2, 3]);
    expect(Array.from(datasets[0].values)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('does not take delimited text with # comments for MSA', () => {
    const { datasets, errors } = readDataFiles([enc('ws.txt', '# wavelength flux\n5000 1.0\n5001 1.2\n')]);
    expect(errors).toEqual([]);
    expect(datasets[0].kind).toBe('spectrum');
    expect(Array.from(datasets[0].values)).toEqual([1.0, 1.2]);
  });
});
