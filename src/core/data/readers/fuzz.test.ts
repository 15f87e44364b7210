/**
 * 3,000 seeded random byte mutations of valid CSV, JSON and .npy inputs through readDataFiles:
 * it never throws, every failure is a LoadError whose message names the file, and every dataset
 * it returns is well formed (aligned arrays, finite values, sigma > 0).
 */
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../random';
import { LoadError, readDataFiles, writeNpy, type DataFile } from './index';
import { NPY_FIXTURES, fromHex } from './npy.fixtures';

const enc = (s: string) => new TextEncoder().encode(s);

const BASES: { name: string; bytes: Uint8Array }[] = [
  { name: 'spec.csv', bytes: enc('x,y,sigma\n0,1.5,0.1\n1,2.5,0.1\n2,3.25e1,0.2\n3,-4,0.1\n4,5,0.3\n') },
  { name: 'plain.csv', bytes: enc('0,1\n1,4\n2,9\n3,16\n4,25\n') },
  { name: 'tabs.tsv', bytes: enc('energy\tcounts\terr\n1.0\t10\t3.1\n2.0\t12\t3.4\n3.0\t9\t3.0\n') },
  { name: 'semi.csv', bytes: enc('x;y\n1,5;2,5\n2,5;3,5\n3,5;4,25\n') },
  { name: 'ws.txt', bytes: enc('# wavelength flux flux_err\n 5000.0   1.0  0.1\n 5001.0   1.2  0.1\n\t5002.0\t0.9\t0.1\n') },
  { name: 'crlf.dat', bytes: enc('\uFEFF# comment\r\nx y\r\n1 2\r\n3 4\r\n5 nan\r\n\r\n') },
  { name: 'quoted.csv', bytes: enc('"time (s)","signal"\n0,"1"\n1,2\n2,3\n') },
  { name: 'arr.json', bytes: enc('[0.5, 1.5, 2.5, null, 4.5, 5.5]') },
  { name: 'obj.json', bytes: enc('{"x": [1, 2, 3, 4], "y": [2, 4, 6, 8], "yerr": [0.5, 0.5, 0.5, 0.5]}') },
  { name: 'rows.json', bytes: enc('[[0, 1, 0.1], [1, 2, 0.1], [2, 3, 0.1]]') },
  { name: 'recs.json', bytes: enc('[{"x": 0, "y": 1}, {"x": 1, "y": 2}, {"x": 2, "y": NaN}]') },
  { name: 'y.npy', bytes: writeNpy([6], Float64Array.from([1, 2, 3, 4, 5, 6])) },
  { name: 'xys.npy', bytes: writeNpy([4, 3], Float64Array.from([0, 1, 0.5, 1, 2, 0.5, 2, 3, 0.5, 3, 4, 0.5])) },
  { name: 'f4.npy', bytes: fromHex(NPY_FIXTURES.f4_nx2.hex) },
  { name: 'fortran.npy', bytes: fromHex(NPY_FIXTURES.fortran_nx3.hex) },
  { name: 'i2.npy', bytes: fromHex(NPY_FIXTURES.i2_1d.hex) },
  { name: 'v3.npy', bytes: fromHex(NPY_FIXTURES.f8_v3.hex) },
];
const PAIR = {
  data: enc('[0.1, 0.5, 1.2, 0.4, 0.05]'),
  noise: enc('[0.04, 0.04, 0.04, 0.04, 0.04]'),
};

/** Bytes that tend to matter to the parsers. */
const INTERESTING = Uint8Array.from([...enc('0123456789,;\t \n\r"#[]{}:.-+eENaI\\\'()'), 0, 0xff, 0x93, 0xc3, 0xef, 0xbb, 0xbf]);
const TOKENS = ['NaN', '1e999', '-1e400', 'abc', 'null', '""', '"', '\r\n', '#', ',,', '[', '}', "'shape': (", '<f8', '>i8', '|O', 'True', '\uFEFF'].map(enc);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function mutate(rng: Rng, src: Uint8Array): Uint8Array {
  let b: Uint8Array = src.slice();
  const ops = 1 + rng.int(4);
  for (let k = 0; k < ops; k++) {
    const pos = b.length > 0 ? rng.int(b.length) : 0;
    switch (rng.int(8)) {
      case 0: // overwrite a byte with any value
        if (b.length > 0) b[pos] = rng.int(256);
        break;
      case 1: // overwrite with an interesting byte
        if (b.length > 0) b[pos] = INTERESTING[rng.int(INTERESTING.length)];
        break;
      case 2: // insert an interesting byte
        b = concat(concat(b.subarray(0, pos), Uint8Array.of(INTERESTING[rng.int(INTERESTING.length)])), b.subarray(pos));
        break;
      case 3: {
        // delete a run
        const len = 1 + rng.int(8);
        b = concat(b.subarray(0, pos), b.subarray(Math.min(b.length, pos + len)));
        break;
      }
      case 4: // truncate
        b = b.slice(0, pos);
        break;
      case 5: {
        // duplicate a chunk in place
        const len = 1 + rng.int(16);
        b = concat(concat(b.subarray(0, pos), b.subarray(pos, pos + len)), b.subarray(pos));
        break;
      }
      case 6: // insert a token
        b = concat(concat(b.subarray(0, pos), TOKENS[rng.int(TOKENS.length)]), b.subarray(pos));
        break;
      case 7: // flip one bit
        if (b.length > 0) b[pos] ^= 1 << rng.int(8);
        break;
    }
  }
  return b;
}

function checkDataset(d: ReturnType<typeof readDataFiles>['datasets'][number]): void {
  expect(typeof d.name).toBe('string');
  expect(d.name.length).toBeGreaterThan(0);
  expect(d.kind).toBe('spectrum');
  const n = d.values.length;
  expect(n).toBeGreaterThan(0);
  expect(d.shape).toEqual([n]);
  expect(d.coords.x.length).toBe(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(d.values[i]) || !Number.isFinite(d.coords.x[i])) throw new Error(`${d.name}: non-finite point ${i}`);
  }
  if (d.sigma) {
    expect(d.sigma.length).toBe(n);
    for (let i = 0; i < n; i++) if (!(d.sigma[i] > 0 && Number.isFinite(d.sigma[i]))) throw new Error(`${d.name}: bad sigma ${d.sigma[i]} at ${i}`);
  }
  for (const note of d.notes ?? []) expect(typeof note).toBe('string');
}

describe('fuzz: mutated inputs through readDataFiles', () => {
  it('3,000 mutations: no throw, LoadErrors naming the file, well-formed datasets', () => {
    const rng = createRng(20240611);
    const stats = { loaded: 0, failed: 0 };
    const failures: string[] = [];
    for (let iter = 0; iter < 3000; iter++) {
      let files: DataFile[];
      const choice = rng.int(BASES.length + 1);
      if (choice === BASES.length) {
        // a PyAutoFit pair with one or both files mutated
        const which = rng.int(3);
        files = [
          { name: 'run/data.json', bytes: which !== 1 ? mutate(rng, PAIR.data) : PAIR.data },
          { name: 'run/noise_map.json', bytes: which !== 0 ? mutate(rng, PAIR.noise) : PAIR.noise },
        ];
      } else {
        const base = BASES[choice];
        // sometimes under a folder, sometimes with an extension that does not match
        const renamed = rng.int(10) === 0 ? base.name.replace(/\.\w+$/, '.bin') : base.name;
        const name = rng.int(4) === 0 ? `folder ${iter}/${renamed}` : renamed;
        files = [{ name, bytes: mutate(rng, base.bytes) }];
      }
      let result: ReturnType<typeof readDataFiles>;
      try {
        result = readDataFiles(files);
      } catch (e) {
        failures.push(`iteration ${iter}: threw ${(e as Error).message}`);
        continue;
      }
      expect(result.datasets.length + result.errors.length).toBe(1);
      for (const e of result.errors) {
        expect(e).toBeInstanceOf(LoadError);
        expect(e.message.length).toBeGreaterThan(e.file.length + 2);
        if (!files.some((f) => e.message.includes(f.name) && e.file === f.name)) failures.push(`iteration ${iter}: message without its file: ${e.message}`);
        expect(e.message).not.toMatch(/could not be read \(/); // no internal fault leaked through asLoadError
        stats.failed++;
      }
      for (const d of result.datasets) {
        checkDataset(d);
        stats.loaded++;
      }
    }
    expect(failures).toEqual([]);
    // both outcomes occur often: the mutations are neither all harmless nor all fatal
    expect(stats.loaded).toBeGreaterThan(300);
    expect(stats.failed).toBeGreaterThan(300);
  });
});
