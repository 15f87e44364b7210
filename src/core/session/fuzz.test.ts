/**
 * 10,000 seeded random mutations of valid session texts and share fragments through
 * loadSessionText / decodeShareFragment: character flips, deletions, insertions, truncation,
 * values of the wrong type, huge numbers, deep nesting, duplicate keys, corrupt compressed bytes.
 * Nothing but SessionLoadError may escape, every message starts with its source, and every
 * document that does load is well formed.
 */
import { strToU8, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../random/rng';
import { base64ToBytes, bytesToBase64Url } from './base64';
import { emptySession, type SessionDoc } from './document';
import { loadSessionText, SessionLoadError } from './load';
import { sessionToJson, sessionToText } from './serialize';
import { decodeShareFragment, encodeShareFragment } from './share-link';
import { tinySession } from './test-fixtures';

const DEEP = '@@DEEP@@';

const doc = tinySession();
const compact = sessionToText(doc);
const v0 = (() => {
  const j = JSON.parse(compact);
  delete j.version;
  delete j.view;
  delete j.fit.ranges;
  return JSON.stringify(j);
})();
const TEXT_BASES = [compact, JSON.stringify(sessionToJson(doc), null, 2), sessionToText(emptySession()), v0];

const TOKENS = [
  '1e999', '-1e400', '1e308', '-0', '0.5', '9007199254740993', 'null', 'true', '"x"', '""', '[', ']', '{', '}', ',', ':', '"',
  '"__proto__":', '"constructor":', '"prototype":{},', '{"__proto__":{"polluted":1}}', 'NaN', 'Infinity', '\\', '\\u0000', '\\ud800',
  '\u0000', '\ud83d', '\uFEFF', '<img src=x onerror=alert(1)>', '"version":2,', '"version":0,', '"datasets":[],', '"activeDataset":9,',
  '"shape":[1e9,1e9,1e9],', '"format":"fitbench-session",', '1'.repeat(400), '[[[[[[[[[[', ']]]]]]]]]]',
];

const WRONG: unknown[] = [
  null, 'text', '', 1e308, -1e308, 0.5, -1, 2 ** 53, 2 ** 31, true, false, [], {}, [null], [1, 'a'], { a: 1 },
  JSON.parse('{"__proto__":{"polluted":1}}'), JSON.parse('{"constructor":{"prototype":{"polluted":1}}}'),
  '<img src=x onerror=alert(1)>', 'x'.repeat(3000), DEEP,
];

const INTERESTING_CHARS = '{}[]",:0123456789.-+eEnulltrfasx\\ \n\t\u0000\ud800\u00e9';

function pick<T>(rng: Rng, a: readonly T[]): T {
  return a[rng.int(a.length)];
}

/** Every path (list of keys) to a value in a JSON tree, the root excluded, at most 12 levels deep. */
function paths(root: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: { v: unknown; p: (string | number)[] }[] = [{ v: root, p: [] }];
  while (stack.length > 0) {
    const { v, p } = stack.pop()!;
    if (p.length > 0) out.push(p);
    if (p.length >= 12) continue;
    if (Array.isArray(v)) v.forEach((e, i) => stack.push({ v: e, p: [...p, i] }));
    else if (typeof v === 'object' && v !== null) for (const [k, e] of Object.entries(v)) stack.push({ v: e, p: [...p, k] });
  }
  return out;
}

function structural(rng: Rng, text: string): string {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return text;
  }
  const all = paths(root);
  if (all.length === 0) return text;
  const p = pick(rng, all);
  let parent = root as Record<string | number, unknown>;
  for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = p[p.length - 1];
  switch (rng.int(4)) {
    case 0:
    case 1: // a value of the wrong type (or an extreme one)
      parent[last] = pick(rng, WRONG);
      break;
    case 2: // drop the key or entry
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case 3: // an extra key next to it
      if (!Array.isArray(parent)) Object.defineProperty(parent, pick(rng, ['__proto__', 'constructor', 'extra', '', 'x y']), { value: pick(rng, WRONG), enumerable: true, configurable: true, writable: true });
      break;
  }
  let out = JSON.stringify(root);
  if (out.includes(DEEP)) {
    const n = 1 + rng.int(rng.int(10) === 0 ? 20_000 : 500);
    out = out.replace(JSON.stringify(DEEP), '['.repeat(n) + (rng.int(2) ? ']'.repeat(n) : ''));
  }
  return out;
}

function mutateText(rng: Rng, src: string): string {
  let s = src;
  const ops = 1 + rng.int(3);
  for (let k = 0; k < ops; k++) {
    const pos = rng.int(s.length + 1);
    switch (rng.int(9)) {
      case 0: // flip a character
        if (s.length > 0) s = s.slice(0, pos) + pick(rng, INTERESTING_CHARS.split('')) + s.slice(pos + 1);
        break;
      case 1: // a random code unit
        if (s.length > 0) s = s.slice(0, pos) + String.fromCharCode(rng.int(0x10000)) + s.slice(pos + 1);
        break;
      case 2: // delete a run
        s = s.slice(0, pos) + s.slice(pos + 1 + rng.int(12));
        break;
      case 3: // insert a token
        s = s.slice(0, pos) + pick(rng, TOKENS) + s.slice(pos);
        break;
      case 4: // truncate
        s = s.slice(0, pos);
        break;
      case 5: // duplicate a chunk
        s = s.slice(0, pos) + s.slice(pos, pos + 1 + rng.int(40)) + s.slice(pos);
        break;
      case 6: {
        // duplicate key: right after some '{', repeat a key with another value
        const at = s.indexOf('{', pos);
        if (at >= 0) s = s.slice(0, at + 1) + pick(rng, ['"version":2,', '"datasets":"x",', '"name":1,', '"value":null,', '"kind":"cube",', '"mask":[2],']) + s.slice(at + 1);
        break;
      }
      case 7: {
        // deep nesting at some position
        const n = 1 + rng.int(rng.int(10) === 0 ? 50_000 : 500);
        s = s.slice(0, pos) + '['.repeat(n) + (rng.int(2) ? ']'.repeat(n) : '') + s.slice(pos);
        break;
      }
      default:
        s = structural(rng, s);
    }
  }
  return s;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function fragmentOf(text: string): string {
  return 'session=' + bytesToBase64Url(zlibSync(strToU8(text), { level: 9 }));
}

function mutateFragment(rng: Rng, base: string): string {
  switch (rng.int(4)) {
    case 0: {
      // characters of the link
      let s = base;
      const ops = 1 + rng.int(3);
      for (let k = 0; k < ops; k++) {
        const pos = rng.int(s.length + 1);
        switch (rng.int(6)) {
          case 0:
            s = s.slice(0, pos) + pick(rng, B64.split('')) + s.slice(pos + 1);
            break;
          case 1:
            s = s.slice(0, pos) + s.slice(pos + 1 + rng.int(6));
            break;
          case 2:
            s = s.slice(0, pos) + pick(rng, ['=', '%', '#', '+', '/', ' ', 'é', '&x=1', 'session=']) + s.slice(pos);
            break;
          case 3:
            s = s.slice(0, pos);
            break;
          case 4:
            s = pick(rng, ['#', '', 'state=', '#session=', 'Session=']) + s.slice(rng.int(12));
            break;
          default:
            s = s.slice(0, pos) + pick(rng, B64.split('')) + s.slice(pos);
        }
      }
      return s;
    }
    case 1: {
      // bytes of the compressed data
      const r = base64ToBytes(base.slice('session='.length));
      if (!r.ok) return base;
      const b = r.bytes.slice();
      const flips = 1 + rng.int(4);
      for (let k = 0; k < flips; k++) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return 'session=' + bytesToBase64Url(b);
    }
    default:
      // a damaged session text, compressed properly: the loader behind the link
      return fragmentOf(mutateText(rng, pick(rng, TEXT_BASES)));
  }
}

function shapeSize(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A loaded document is well formed. */
function checkDoc(d: SessionDoc): void {
  expect(d.version).toBe(1);
  expect(Array.isArray(d.datasets)).toBe(true);
  for (const ds of d.datasets) {
    const n = shapeSize(ds.shape);
    expect(ds.values).toBeInstanceOf(Float64Array);
    expect(ds.values.length).toBe(n);
    for (const c of Object.values(ds.coords)) expect(c.length).toBe(n);
    if (ds.sigma) expect(ds.sigma.length).toBe(n);
    if (ds.mask) expect(ds.mask.length).toBe(n);
  }
  expect(d.activeDataset === 0 || d.activeDataset < d.datasets.length).toBe(true);
  for (const c of d.model.components) for (const p of Object.values(c.params)) expect(Number.isFinite(p.value)).toBe(true);
}

type Tally = { loaded: number; refused: number };

function attempt(load: () => SessionDoc, source: string, tally: Tally, input: string): void {
  let loaded: SessionDoc | undefined;
  try {
    loaded = load();
  } catch (e) {
    if (!(e instanceof SessionLoadError)) {
      throw new Error(`not a SessionLoadError (${String(e)}) for input ${JSON.stringify(input.slice(0, 300))}`);
    }
    if (!e.message.startsWith(source + ': ') || e.message.length <= source.length + 2 || e.source !== source) {
      throw new Error(`bad message ${JSON.stringify(e.message)} for input ${JSON.stringify(input.slice(0, 300))}`);
    }
    tally.refused++;
    return;
  }
  checkDoc(loaded);
  tally.loaded++;
}

describe('fuzz', () => {
  it('the unmutated bases load', () => {
    for (const t of TEXT_BASES) checkDoc(loadSessionText(t, 'base.json'));
    expect(decodeShareFragment(encodeShareFragment(doc))).toEqual(doc);
  });

  it('6,000 mutated session texts give a document or a SessionLoadError naming the file', () => {
    const rng = createRng(20240611);
    const tally: Tally = { loaded: 0, refused: 0 };
    for (let i = 0; i < 6000; i++) {
      const text = mutateText(rng, pick(rng, TEXT_BASES));
      const source = `fuzz-${i}.json`;
      attempt(() => loadSessionText(text, source), source, tally, text);
    }
    expect(tally.loaded + tally.refused).toBe(6000);
    expect(tally.refused).toBeGreaterThan(3000);
    expect(tally.loaded).toBeGreaterThan(50); // harmless mutations (whitespace, stripped keys) still load
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('4,000 mutated share fragments give a document or a SessionLoadError from "share link"', () => {
    const rng = createRng(77);
    const bases = [encodeShareFragment(doc), encodeShareFragment(emptySession()), fragmentOf(v0)];
    const tally: Tally = { loaded: 0, refused: 0 };
    for (let i = 0; i < 4000; i++) {
      const f = mutateFragment(rng, pick(rng, bases));
      attempt(() => decodeShareFragment(f), 'share link', tally, f);
    }
    expect(tally.loaded + tally.refused).toBe(4000);
    expect(tally.refused).toBeGreaterThan(2000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
