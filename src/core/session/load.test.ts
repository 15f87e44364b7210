import { describe, expect, it } from 'vitest';
import { emptySession, type SessionDoc } from './document';
import { loadSessionText, MAX_SESSION_CHARS, parseSessionJson, SessionLoadError } from './load';
import { sessionToJson, sessionToText } from './serialize';
import { sampleSession } from './test-fixtures';

/** The SessionLoadError that `f` throws (fails the test when it throws nothing or something else). */
function refusal(f: () => unknown): SessionLoadError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SessionLoadError);
    return e as SessionLoadError;
  }
  throw new Error('expected a SessionLoadError, but nothing was thrown');
}

/** The sample's JSON, changed by `edit`, loaded as x.json; returns the refusal message. */
function refusedAfter(edit: (j: any) => void): string {
  const j = JSON.parse(sessionToText(sampleSession()));
  edit(j);
  return refusal(() => loadSessionText(JSON.stringify(j), 'x.json')).message;
}

describe('round trip session -> text -> load', () => {
  it('gives back an equal document, typed arrays and NaN included', () => {
    const doc = sampleSession();
    const back = loadSessionText(sessionToText(doc), 'fit.fitbench.json');
    expect(back).toEqual(doc);
    const d0 = back.datasets[0];
    expect(d0.values).toBeInstanceOf(Float64Array);
    expect(d0.coords.x).toBeInstanceOf(Float64Array);
    expect(d0.sigma).toBeInstanceOf(Float64Array);
    expect(d0.mask).toBeInstanceOf(Uint8Array);
    expect(Number.isNaN(d0.values[2])).toBe(true);
    expect(d0.values[5]).toBe(-1e-300);
    expect(d0.sigma![5]).toBe(1e300);
    expect(Array.from(d0.mask!)).toEqual([0, 0, 1, 0, 0, 0]);
    expect(back.datasets[1].shape).toEqual([2, 3]);
    expect(back.model.components[1].params.centre.twin).toEqual({ source: 'g1.centre', expr: 'x + 1' });
    expect(back.model.components[0].params.A.prior).toEqual({ kind: 'loguniform', lower: 0.1, upper: 1000 });
    expect(back.fit).toEqual(doc.fit);
    expect(back.view).toEqual({ hiddenComponents: ['g2'] });
    // loading again from the loaded document's text is a fixed point
    expect(sessionToText(back)).toBe(sessionToText(doc));
  });

  it('round-trips the empty session and a null result', () => {
    expect(loadSessionText(sessionToText(emptySession()), 'e.json')).toEqual(emptySession());
    const doc = { ...sampleSession(), result: null };
    expect(loadSessionText(sessionToText(doc), 'r.json').result).toBeNull();
  });

  it('reads infinities in data as NaN (JSON writes them as null) and NaN in results as NaN', () => {
    const doc = sampleSession();
    doc.datasets[0].values[0] = Infinity;
    doc.result!.covariance![1][1] = NaN;
    doc.result!.statistic.value = Infinity;
    doc.result!.reducedStatistic = null;
    const back = loadSessionText(sessionToText(doc), 'inf.json');
    expect(Number.isNaN(back.datasets[0].values[0])).toBe(true);
    expect(Number.isNaN(back.result!.covariance![1][1])).toBe(true);
    expect(Number.isNaN(back.result!.statistic.value)).toBe(true);
    expect(back.result!.reducedStatistic).toBeNull();
  });

  it('reads pretty-printed JSON and ignores a byte-order mark', () => {
    const doc = sampleSession();
    const pretty = JSON.stringify(sessionToJson(doc), null, 2);
    expect(loadSessionText(pretty, 'p.json')).toEqual(doc);
    expect(loadSessionText('\uFEFF' + pretty, 'bom.json')).toEqual(doc);
  });

  it('parseSessionJson takes an already parsed value', () => {
    const doc = sampleSession();
    expect(parseSessionJson(JSON.parse(sessionToText(doc)), 'autosave')).toEqual(doc);
  });

  it('strips keys it does not know', () => {
    const j = JSON.parse(sessionToText(sampleSession()));
    j.comment = 'added by hand';
    j.model.components[0].colour = 'red';
    j.datasets[0].extra = [1, 2, 3];
    const back = loadSessionText(JSON.stringify(j), 'extra.json') as SessionDoc & Record<string, unknown>;
    expect(back.comment).toBeUndefined();
    expect((back.model.components[0] as unknown as Record<string, unknown>).colour).toBeUndefined();
    expect((back.datasets[0] as unknown as Record<string, unknown>).extra).toBeUndefined();
    expect(back).toEqual(sampleSession());
  });
});

describe('schema errors are one sentence with a path', () => {
  it('names the path of a bad parameter value', () => {
    expect(refusedAfter((j) => (j.model.components[1].params.sigma.value = 'wide'))).toBe(
      'x.json: model.components[1].params.sigma.value: expected a finite number, found the text "wide"',
    );
    expect(refusedAfter((j) => delete j.model.components[2].params.a1.value)).toBe(
      'x.json: model.components[2].params.a1.value: is missing (expected a finite number)',
    );
  });

  it('refuses huge numbers that JSON.parse turns into Infinity', () => {
    const text = sessionToText(sampleSession()).replace('"value":10,', '"value":1e999,');
    expect(refusal(() => loadSessionText(text, 'big.json')).message).toBe(
      'big.json: model.components[0].params.A.value: expected a finite number, found Infinity (a number too large for a double)',
    );
    const data = sessionToText(sampleSession()).replace('"values":[1.25,', '"values":[-1e400,');
    expect(refusal(() => loadSessionText(data, 'big.json')).message).toBe('big.json: datasets[0].values[0]: expected a finite number or null');
  });

  it('explains enums, lengths, ranges and kinds', () => {
    expect(refusedAfter((j) => (j.fit.method = 'newton'))).toBe(
      'x.json: fit.method: expected one of "auto", "lm", "simplex", "lbfgsb", "iter", "iterlm" or "adam", found the text "newton"',
    );
    expect(refusedAfter((j) => delete j.fit.statistic)).toMatch(/^x\.json: fit\.statistic: is missing \(expected one of "chi2"/);
    expect(refusedAfter((j) => (j.fit.ranges[1].mode = 'both'))).toMatch(/^x\.json: fit\.ranges\[1\]\.mode: expected one of "include" or "exclude"/);
    expect(refusedAfter((j) => (j.datasets[0].name = 'n'.repeat(201)))).toBe('x.json: datasets[0].name: is too long (201 characters; at most 200)');
    expect(refusedAfter((j) => (j.model.components[0].name = 'c'.repeat(101)))).toMatch(/^x\.json: model\.components\[0\]\.name: is too long/);
    expect(refusedAfter((j) => (j.model.components[2].options.order = 11))).toBe(
      'x.json: model.components[2].options.order: must be at most 10, found the number 11',
    );
    expect(refusedAfter((j) => (j.model.components[2].options.order = 1.5))).toBe(
      'x.json: model.components[2].options.order: expected a whole number, found the number 1.5',
    );
    expect(refusedAfter((j) => (j.model.components[3].options.expr = 'x'.repeat(2001)))).toMatch(/options\.expr: is too long/);
    expect(refusedAfter((j) => (j.datasets[0].kind = 'table'))).toMatch(/^x\.json: datasets\[0\]\.kind: expected one of "spectrum", "image" or "cube"/);
    expect(refusedAfter((j) => (j.datasets[0].mask[3] = 2))).toBe('x.json: datasets[0].mask[3]: expected 0 or 1');
    expect(refusedAfter((j) => (j.datasets[0].values[4] = '3'))).toBe('x.json: datasets[0].values[4]: expected a finite number or null');
    expect(refusedAfter((j) => (j.model.components[0].params.A.prior.kind = 'beta'))).toMatch(/params\.A\.prior\.kind: expected one of "uniform"/);
    expect(refusedAfter((j) => (j.model.components[0].active = 'yes'))).toBe(
      'x.json: model.components[0].active: expected true or false, found the text "yes"',
    );
    expect(refusedAfter((j) => (j.fit.maxIterations = 0))).toBe('x.json: fit.maxIterations: must be at least 1, found the number 0');
    expect(refusedAfter((j) => (j.result.converged = 1))).toBe('x.json: result.converged: expected true or false, found the number 1');
  });

  it('quotes odd keys in paths', () => {
    expect(refusedAfter((j) => (j.datasets[0].coords['x axis'] = 5))).toBe('x.json: datasets[0].coords["x axis"]: expected a list of numbers');
  });

  it('counts further problems', () => {
    expect(
      refusedAfter((j) => {
        j.model = null;
        j.fit = 3;
      }),
    ).toBe('x.json: model: expected an object, found null (and 1 more problem)');
  });

  it('checks array lengths against the shape', () => {
    expect(refusedAfter((j) => j.datasets[0].values.pop())).toBe('x.json: datasets[0].values: has 5 entries, but the shape [6] needs 6');
    expect(refusedAfter((j) => j.datasets[0].sigma.push(1))).toBe('x.json: datasets[0].sigma: has 7 entries, but the shape [6] needs 6');
    expect(refusedAfter((j) => j.datasets[0].mask.pop())).toBe('x.json: datasets[0].mask: has 5 entries, but the shape [6] needs 6');
    expect(refusedAfter((j) => j.datasets[1].coords.y.pop())).toBe('x.json: datasets[1].coords.y: has 5 entries, but the shape [2, 3] needs 6');
    expect(refusedAfter((j) => (j.datasets[1].shape = [3, 3]))).toBe(
      'x.json: datasets[1].values: has 6 entries, but the shape [3, 3] needs 9 (and 2 more problems)', // and coords x, y
    );
    expect(refusedAfter((j) => (j.datasets[0].shape = [3, 2]))).toBe('x.json: datasets[0].shape: a spectrum needs 1 dimension, this shape has 2');
    expect(refusedAfter((j) => (j.datasets[0].shape = [-6]))).toMatch(/^x\.json: datasets\[0\]\.shape\[0\]: must be at least 0/);
  });

  it('checks activeDataset and unique component names', () => {
    expect(refusedAfter((j) => (j.activeDataset = 2))).toBe('x.json: activeDataset: there are 2 datasets, so it must be between 0 and 1, not 2');
    expect(
      refusedAfter((j) => {
        j.datasets = [];
        j.activeDataset = 1;
      }),
    ).toBe('x.json: activeDataset: must be 0 when there are no datasets, not 1');
    expect(refusedAfter((j) => (j.model.components[3].name = 'g1'))).toBe(
      'x.json: model.components[3].name: component 0 already has the name "g1"; names must be unique',
    );
  });

  it('accepts null bounds, a bare-expression component named "" and components without options', () => {
    const doc = sampleSession();
    doc.model.components[3] = { ...doc.model.components[3], name: '' };
    const back = loadSessionText(sessionToText(doc), 'bare.json');
    expect(back.model.components[3].name).toBe('');
    expect(back.model.components[0].options).toBeUndefined();
    expect(back.model.components[1].params.A.lower).toBeNull();
  });
});

describe('hostile content', () => {
  const XSS = '<img src=x onerror=alert(1)>';

  it('keeps hostile names as plain strings', () => {
    const doc = sampleSession();
    doc.datasets[0].name = XSS;
    doc.datasets[0].notes = ['<script>alert("n")</script>'];
    doc.datasets[0].labels = { x: '"><svg onload=alert(2)>', y: '{{constructor.constructor("alert(3)")()}}' };
    doc.model.components[0] = { ...doc.model.components[0], name: XSS };
    doc.model.components[3] = { ...doc.model.components[3], options: { expr: 'k*x"); alert(4); ("' } };
    doc.model.components[2] = { ...doc.model.components[2], params: { ...doc.model.components[2].params, '<b>p</b>': { value: 1, lower: null, upper: null, fixed: false } } };
    doc.view.hiddenComponents = [XSS, 'javascript:alert(5)'];
    const text = sessionToText(doc);
    const back = loadSessionText(text, XSS + '.json');
    expect(back).toEqual(doc);
    expect(typeof back.datasets[0].name).toBe('string');
    expect(back.datasets[0].name).toBe(XSS);
    expect(back.model.components[0].name).toBe(XSS);
    expect(back.model.components[2].params['<b>p</b>'].value).toBe(1);
    expect(back.view.hiddenComponents[0]).toBe(XSS);
    // and via a share link too: covered in share-link.test.ts; the error source keeps the name as text
    expect(refusal(() => loadSessionText('{', XSS + '.json')).message.startsWith(XSS + '.json: ')).toBe(true);
  });

  it('refuses __proto__ keys anywhere without polluting Object.prototype', () => {
    const base = sessionToText(sampleSession());
    const cases = [
      base.replace('"version":1,', '"__proto__":{"polluted":"yes"},"version":1,'),
      base.replace('"params":{"A":', '"params":{"__proto__":{"value":1,"lower":null,"upper":null,"fixed":false},"A":'),
      base.replace('"coords":{"x":', '"coords":{"__proto__":[1,2,3,4,5,6],"x":'),
      base.replace('"labels":{', '"labels":{"__proto__":{"polluted":"yes"},'),
      base.replace('"values":{', '"values":{"__proto__":{"toString":1},'),
    ];
    for (const text of cases) {
      expect(text).not.toBe(base);
      const e = refusal(() => loadSessionText(text, 'evil.json'));
      expect(e.message).toMatch(/^evil\.json: .*the key "__proto__" is not allowed$/);
    }
    expect(refusal(() => loadSessionText(cases[1], 'evil.json')).message).toBe(
      'evil.json: model.components[0].params: the key "__proto__" is not allowed',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(typeof ({} as { toString: unknown }).toString).toBe('function');
  });

  it('refuses constructor and prototype as record keys', () => {
    expect(refusedAfter((j) => (j.model.components[0].params.constructor = j.model.components[0].params.A))).toBe(
      'x.json: model.components[0].params: the key "constructor" is not allowed',
    );
    expect(refusedAfter((j) => (j.datasets[0].coords.prototype = j.datasets[0].coords.x))).toBe(
      'x.json: datasets[0].coords: the key "prototype" is not allowed',
    );
  });

  it('loaded records have no prototype-pollution path', () => {
    const back = loadSessionText(sessionToText(sampleSession()), 'ok.json');
    expect(Object.getPrototypeOf(back.datasets[0].coords)).toBeNull();
    for (const c of back.model.components) expect(Object.getPrototypeOf(c.params)).toBe(Object.prototype);
  });
});

describe('syntax errors, truncation, size', () => {
  it('says "truncated" with line and column for text cut short', () => {
    const text = JSON.stringify(sessionToJson(sampleSession()), null, 1);
    for (const cut of [1, 2, 17, 100, Math.floor(text.length / 2), text.length - 1]) {
      const e = refusal(() => loadSessionText(text.slice(0, cut), 'cut.json'));
      expect(e.message).toMatch(/^cut\.json: is truncated/);
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
    }
  });

  it('gives the line and column of a syntax error', () => {
    const lines = JSON.stringify(sessionToJson(sampleSession()), null, 2).split('\n');
    const k = lines.findIndex((l) => l.includes('"activeDataset"'));
    lines[k] = lines[k].replace(':', ' :,');
    const e = refusal(() => loadSessionText(lines.join('\n'), 'typo.json'));
    expect(e.line).toBe(k + 1);
    expect(e.message).toBe(`typo.json: is not valid JSON: unexpected character "," where a value should be at line ${k + 1}, column ${lines[k].indexOf(',') + 1}`);
    expect(e.message).not.toMatch(/truncated/);
  });

  it('refuses empty text and things that are not sessions', () => {
    expect(refusal(() => loadSessionText('', 'empty.json')).message).toBe('empty.json: is empty');
    expect(refusal(() => loadSessionText('  \n', 'empty.json')).message).toBe('empty.json: is empty');
    expect(refusal(() => loadSessionText('[1,2]', 'a.json')).message).toBe('a.json: is not a Fitbench session (expected a JSON object, found a list)');
    expect(refusal(() => loadSessionText('{}', 'b.json')).message).toBe('b.json: is not a Fitbench session (it has no "format": "fitbench-session")');
    expect(refusal(() => loadSessionText('{"format":"other"}', 'c.json')).message).toBe(
      'c.json: is not a Fitbench session (its format is "other", expected "fitbench-session")',
    );
    expect(refusal(() => loadSessionText('{"format":"fitbench-session","version":1}', 'd.json')).message).toMatch(/^d\.json: datasets: /);
  });

  it('refuses text over the size limit before parsing it', () => {
    const huge = ' '.repeat(MAX_SESSION_CHARS + 1);
    const e = refusal(() => loadSessionText(huge, 'huge.json'));
    expect(e.message).toBe('huge.json: is too large (50.0 MB; sessions of up to 50 MB are read)');
  });

  it('never throws anything but SessionLoadError, and names a source', () => {
    expect(refusal(() => loadSessionText(undefined as unknown as string, 'u.json')).message).toBe('u.json: could not be read (it is not text)');
    expect(refusal(() => loadSessionText('{', '')).message).toMatch(/^session file: is truncated/);
    expect(refusal(() => parseSessionJson(undefined, 'v')).message).toMatch(/^v: is not a Fitbench session/);
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(refusal(() => loadSessionText(deep, 'deep.json')).message).toMatch(/^deep\.json: /);
    const deepObject = JSON.parse('{"format":"fitbench-session","version":1,"datasets":' + '['.repeat(100) + ']'.repeat(100) + '}');
    expect(refusal(() => parseSessionJson(deepObject, 'deep.json')).message).toMatch(/^deep\.json: datasets\[0\]\[0\].*is nested too deeply/);
  });
});

describe('sessionToTextWith', () => {
  it('reads back as the same document as sessionToText, datasets text from the callback', async () => {
    const { sessionToText, sessionToTextWith, datasetToJson } = await import('./serialize');
    const { loadSessionText } = await import('./load');
    const { makeSpectrum } = await import('../data/dataset');
    const { emptySession } = await import('./document');
    const doc = { ...emptySession(), datasets: [makeSpectrum('a.csv', [1, 2, 3], [4, 5, NaN]), makeSpectrum('b.csv', [0], [1], [0.5])] };
    let calls = 0;
    const text = sessionToTextWith(doc, (d) => {
      calls++;
      return JSON.stringify(datasetToJson(d));
    });
    expect(calls).toBe(2);
    const a = loadSessionText(text, 'with');
    const b = loadSessionText(sessionToText(doc), 'plain');
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.datasets[1].sigma![0]).toBe(0.5);
    expect(Number.isNaN(a.datasets[0].values[2])).toBe(true);
  });
});

describe('image fit methods in sessions', () => {
  it('a session fitted with iter, iterlm or adam reads back', () => {
    for (const method of ['iter', 'iterlm', 'adam'] as const) {
      const doc: SessionDoc = { ...emptySession(), fit: { ...emptySession().fit, method } };
      expect(loadSessionText(sessionToText(doc), 's.json').fit.method).toBe(method);
    }
  });
});
