import { describe, expect, it } from 'vitest';
import { loadSessionText, SessionLoadError } from './load';
import { migrateSession, SessionMigrationError } from './migrate';
import { sessionToJson, sessionToText } from './serialize';
import { sampleSession } from './test-fixtures';

/** The sample as a version-0 file: no view, fit without ranges, version absent or 0. */
function version0(withVersionField: boolean): Record<string, unknown> {
  const j = JSON.parse(sessionToText(sampleSession()));
  delete j.view;
  delete j.fit.ranges;
  if (withVersionField) j.version = 0;
  else delete j.version;
  return j;
}

function loadError(text: string, source: string): SessionLoadError {
  try {
    loadSessionText(text, source);
  } catch (e) {
    expect(e).toBeInstanceOf(SessionLoadError);
    return e as SessionLoadError;
  }
  throw new Error('expected a refusal');
}

describe('migrateSession', () => {
  it('reads version 0 (no version field) as version 1 with defaults', () => {
    const back = loadSessionText(JSON.stringify(version0(false)), 'old.json');
    const expected = sampleSession();
    expected.view = { hiddenComponents: [] };
    expected.fit = { ...expected.fit, ranges: [] };
    expect(back).toEqual(expected);
    expect(back.version).toBe(1);
  });

  it('reads an explicit version 0 the same way, and keeps a v0 file that already has ranges', () => {
    const v0 = version0(true);
    const back = loadSessionText(JSON.stringify(v0), 'old.json');
    expect(back.view).toEqual({ hiddenComponents: [] });
    expect(back.fit.ranges).toEqual([]);
    (v0.fit as Record<string, unknown>).ranges = [{ min: 1, max: 2, mode: 'exclude' }];
    expect(loadSessionText(JSON.stringify(v0), 'old.json').fit.ranges).toEqual([{ min: 1, max: 2, mode: 'exclude' }]);
  });

  it('does not mutate its input and leaves version 1 as it is', () => {
    const v0 = version0(false);
    const before = JSON.stringify(v0);
    const out = migrateSession(v0) as Record<string, unknown>;
    expect(JSON.stringify(v0)).toBe(before);
    expect(out.version).toBe(1);
    expect(out.view).toEqual({ hiddenComponents: [] });
    expect((out.fit as Record<string, unknown>).ranges).toEqual([]);
    const v1 = sessionToJson(sampleSession());
    expect(migrateSession(v1)).toBe(v1);
  });

  it('refuses a future version with a clear message', () => {
    const j = JSON.parse(sessionToText(sampleSession()));
    j.version = 2;
    expect(() => migrateSession(j)).toThrow(SessionMigrationError);
    expect(() => migrateSession(j)).toThrow('made by a newer Fitbench (version 2); this one reads up to version 1');
    expect(loadError(JSON.stringify(j), 'future.json').message).toBe('future.json: made by a newer Fitbench (version 2); this one reads up to version 1');
    j.version = 17;
    j.somethingNew = { whatever: true };
    expect(loadError(JSON.stringify(j), 'future.json').message).toBe('future.json: made by a newer Fitbench (version 17); this one reads up to version 1');
  });

  it('refuses versions that are not whole numbers', () => {
    for (const [v, shown] of [
      ['1', '"1"'],
      [1.5, '1.5'],
      [-1, '-1'],
      [null, '"null"'],
    ] as const) {
      const j = JSON.parse(sessionToText(sampleSession()));
      j.version = v;
      expect(loadError(JSON.stringify(j), 'v.json').message).toBe(`v.json: has an invalid version ${shown} (expected a whole number)`);
    }
  });
});
