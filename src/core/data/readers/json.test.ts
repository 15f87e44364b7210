import { describe, expect, it } from 'vitest';
import { readDataNoisePair, readJson } from './json';
import { parseJson, JsonSyntaxError } from './json-parse';
import { LoadError } from './load-error';

const enc = (s: string) => new TextEncoder().encode(s);
const json = (name: string, text: string) => readJson({ name, bytes: enc(text) });

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return (e as LoadError).message;
  }
  throw new Error('expected a LoadError');
}

describe('JSON shapes', () => {
  it('an array of numbers is y with x = index', () => {
    const d = json('a.json', '[1.5, 2, -3e2, null, 4]');
    expect(Array.from(d.coords.x)).toEqual([0, 1, 2, 4]);
    expect(Array.from(d.values)).toEqual([1.5, 2, -300, 4]);
    expect(d.sigma).toBeUndefined();
    expect(d.notes).toEqual(['JSON array: y, with x = index 0, 1, 2, …', '1 point with null/NaN/Inf dropped ([3])']);
  });

  it('{x, y, sigma}', () => {
    const d = json('o.json', '{"x": [1, 2, 3], "y": [4, 5, 6], "sigma": [0.1, 0.2, 0.3]}');
    expect(Array.from(d.coords.x)).toEqual([1, 2, 3]);
    expect(Array.from(d.values)).toEqual([4, 5, 6]);
    expect(Array.from(d.sigma!)).toEqual([0.1, 0.2, 0.3]);
    expect(d.notes).toEqual(['JSON object: x = "x", y = "y", sigma = "sigma"']);
  });

  it.each(['yerr', 'error', 'noise_map', 'Err', 'dy'])('sigma under the key %s', (key) => {
    const d = json('o.json', `{"y": [4, 5], "${key}": [1, 2]}`);
    expect(Array.from(d.sigma!)).toEqual([1, 2]);
    expect(Array.from(d.coords.x)).toEqual([0, 1]);
  });

  it('{data, noise_map} (PyAutoFit keys in one file)', () => {
    const d = json('p.json', '{"data": [1, 2], "noise_map": [0.5, 0.5]}');
    expect(Array.from(d.values)).toEqual([1, 2]);
    expect(Array.from(d.sigma!)).toEqual([0.5, 0.5]);
  });

  it('rows [[x, y, sigma], ...], columns [[x...], [y...]] and records [{x, y}]', () => {
    const rows = json('r.json', '[[0, 1, 0.5], [1, 3, 0.5], [2, 5, 0.5]]');
    expect(Array.from(rows.coords.x)).toEqual([0, 1, 2]);
    expect(Array.from(rows.values)).toEqual([1, 3, 5]);
    expect(Array.from(rows.sigma!)).toEqual([0.5, 0.5, 0.5]);
    const cols = json('c.json', '[[0, 1, 2, 3], [5, 6, 7, 8]]');
    expect(Array.from(cols.coords.x)).toEqual([0, 1, 2, 3]);
    expect(Array.from(cols.values)).toEqual([5, 6, 7, 8]);
    const recs = json('rec.json', '[{"x": 1, "y": 2}, {"x": 3, "y": 4, "extra": "ok"}]');
    expect(Array.from(recs.coords.x)).toEqual([1, 3]);
    expect(Array.from(recs.values)).toEqual([2, 4]);
  });

  it("Python's NaN and Infinity literals are accepted and dropped", () => {
    const d = json('py.json', '{"x": [1, 2, 3, 4], "y": [1, NaN, -Infinity, 4]}');
    expect(Array.from(d.values)).toEqual([1, 4]);
    expect(d.notes).toContain('non-standard NaN/Infinity literals accepted');
    expect(d.notes).toContain('2 points with null/NaN/Inf dropped ([1], [2])');
  });

  it('a UTF-8 BOM and CRLF are fine', () => {
    const d = readJson({ name: 'b.json', bytes: new Uint8Array([0xef, 0xbb, 0xbf, ...enc('[1,\r\n2]\r\n')]) });
    expect(Array.from(d.values)).toEqual([1, 2]);
  });
});

describe('JSON errors name the file and the path or position', () => {
  it.each([
    ['data.json', '[1, 2, "abc"]', 'data.json: element [2] is "abc", expected a number'],
    ['o.json', '{"x": [1, 2], "y": [1, true]}', 'o.json: y[1] is true, expected a number'],
    ['o.json', '{"x": [1, 2, 3], "y": [1, 2]}', 'o.json: "x" has 3 elements but "y" has 2'],
    ['o.json', '{"y": [1, 2], "sigma": [1, 0]}', 'o.json: sigma[1] is 0; sigma must be finite and > 0'],
    ['o.json', '{"y": 5}', 'o.json: y is 5, expected an array of numbers'],
    ['m.json', '{"type": "instance", "arguments": {}}', 'm.json: no data found: expected an array of numbers or an object with a "y" array (found keys: type, arguments)'],
    ['r.json', '[[1, 2], [3, "q"]]', 'r.json: element [1][1] is "q", expected a number'],
    ['r.json', '[[1, 2], [3, 4, 5]]', 'r.json: element [1] has 3 entries, expected 2 like element [0]'],
    ['img.json', '[[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]', 'img.json: a 4 x 4 array is not a spectrum: expected numbers, [x, y] / [x, y, sigma] rows, or 2-3 columns (images are not supported)'],
    ['rec.json', '[{"x": 1, "y": 2}, {"x": 3}]', 'rec.json: element [1].y is missing, expected a number'],
    ['e.json', '[]', 'e.json: the JSON array is empty'],
    ['e.json', '   ', 'e.json: the file is empty'],
    ['s.json', '"hello"', 's.json: the JSON value is "hello"; expected an array of numbers or an object with x and y arrays'],
    ['n.json', '[null, null]', 'n.json: no usable points: all 2 have null/NaN/Inf values'],
  ])('%s %s', (name, text, expected) => {
    expect(message(() => json(name, text))).toBe(expected);
  });

  it.each([
    ['[1, 2,\n 3 a]', 'invalid JSON at line 2, column 4: expected \',\' or \']\' after array element [2], found "a]"'],
    ['[1, 2', 'invalid JSON at line 1, column 6: expected \',\' or \']\' after array element [1], found the end of the file'],
    ['{"x": [1], y: [2]}', 'invalid JSON at line 1, column 12: expected a "quoted" key, found "y: [2]}"'],
    ['[1, 2] 3', 'invalid JSON at line 1, column 8: unexpected "3" after the end of the JSON value'],
    ['[1, "abc\n"]', 'invalid JSON at line 1, column 9: control character inside a string'],
    ['[01]', 'invalid JSON at line 1, column 3: expected \',\' or \']\' after array element [0], found "1]"'],
    ['[-]', 'invalid JSON at line 1, column 2: malformed number "-]"'],
    ['{"a" 1}', 'invalid JSON at line 1, column 6: expected \':\' after key "a", found "1}"'],
  ])('syntax error in %j', (text, detail) => {
    expect(message(() => json('bad.json', text))).toBe(`bad.json: ${detail}`);
  });

  it('deep nesting is reported, not a stack overflow', () => {
    const text = '['.repeat(100000);
    expect(message(() => json('deep.json', text))).toBe('deep.json: invalid JSON at line 1, column 514: nested deeper than 512 levels');
  });
});

describe('parseJson', () => {
  it('agrees with JSON.parse on valid input and gives offsets on errors', () => {
    const text = '{"a": [1, 2.5e-3, -0, true, false, null, "s\\u00e9\\n"], "b": {}}';
    expect(parseJson(text)).toEqual({ value: JSON.parse(text), extended: false });
    try {
      parseJson('[1,\n\n  x]');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect((e as JsonSyntaxError).line).toBe(3);
      expect((e as JsonSyntaxError).column).toBe(3);
      expect((e as JsonSyntaxError).offset).toBe(7);
    }
  });

  it('a "__proto__" key is kept as data, not as a prototype', () => {
    const { value } = parseJson('{"__proto__": [1], "y": [NaN]}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(['__proto__', 'y']);
  });
});

describe('data.json + noise_map.json', () => {
  it('pairs into one dataset with sigma from the noise map', () => {
    const d = readDataNoisePair('run1', { name: 'run1/data.json', bytes: enc('[1, 2, null, 4]') }, { name: 'run1/noise_map.json', bytes: enc('[0.1, 0.2, 0.3, 0.4]') });
    expect(d.name).toBe('run1');
    expect(Array.from(d.coords.x)).toEqual([0, 1, 3]);
    expect(Array.from(d.values)).toEqual([1, 2, 4]);
    expect(Array.from(d.sigma!)).toEqual([0.1, 0.2, 0.4]);
  });

  it('length mismatch, bad noise values and images are errors naming the file', () => {
    const data = { name: 'r/data.json', bytes: enc('[1, 2, 3]') };
    expect(message(() => readDataNoisePair('r', data, { name: 'r/noise_map.json', bytes: enc('[1, 1]') }))).toBe(
      'r/data.json: has 3 values but r/noise_map.json has 2; they must match',
    );
    expect(message(() => readDataNoisePair('r', data, { name: 'r/noise_map.json', bytes: enc('[1, -1, 1]') }))).toBe(
      'r/noise_map.json: element [1] is -1; a noise map must be finite and > 0',
    );
    expect(message(() => readDataNoisePair('r', { name: 'r/data.json', bytes: enc('[[1, 2], [3, 4]]') }, data))).toBe(
      'r/data.json: is a 2 x 2 array (an image?); only 1D data with a noise map are supported',
    );
    expect(message(() => readDataNoisePair('r', data, { name: 'r/noise_map.json', bytes: enc('[1, 1') }))).toMatch(/^r\/noise_map\.json: invalid JSON at line 1, column 6/);
  });
});
