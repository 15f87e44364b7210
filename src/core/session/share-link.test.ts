import { strToU8, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64Url } from './base64';
import { SessionLoadError } from './load';
import { sessionToText } from './serialize';
import { boundedUnzlib, decodeShareFragment, encodeShareFragment, SHARE_LINK_MAX_CHARS, shareLinkFits, shareLinkUrl } from './share-link';
import { sampleSession } from './test-fixtures';

function refusal(f: () => unknown): SessionLoadError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SessionLoadError);
    expect((e as SessionLoadError).source).toBe('share link');
    expect((e as SessionLoadError).message.startsWith('share link: ')).toBe(true);
    return e as SessionLoadError;
  }
  throw new Error('expected a SessionLoadError, but nothing was thrown');
}

const fragmentOf = (bytes: Uint8Array) => 'session=' + bytesToBase64Url(bytes);

describe('share fragment', () => {
  it('round-trips a session, with or without the leading #', () => {
    const doc = sampleSession();
    const f = encodeShareFragment(doc);
    expect(f).toMatch(/^session=[A-Za-z0-9_-]+$/);
    expect(f.length).toBeLessThan(sessionToText(doc).length); // compressed
    const back = decodeShareFragment(f);
    expect(back).toEqual(doc);
    expect(Number.isNaN(back.datasets[0].values[2])).toBe(true);
    expect(back.datasets[0].mask).toBeInstanceOf(Uint8Array);
    expect(decodeShareFragment('#' + f)).toEqual(doc);
    expect(decodeShareFragment(' #' + f + '\n')).toEqual(doc);
  });

  it('is zlib at level 9 of the session text', () => {
    const doc = sampleSession();
    const r = base64ToBytes(encodeShareFragment(doc).slice('session='.length));
    expect(r.ok).toBe(true);
    if (r.ok) expect(Array.from(r.bytes)).toEqual(Array.from(zlibSync(strToU8(sessionToText(doc)), { level: 9 })));
  });

  it('keeps hostile names as plain strings', () => {
    const doc = sampleSession();
    const xss = '<img src=x onerror=alert(1)>';
    doc.datasets[0].name = xss;
    doc.model.components[0] = { ...doc.model.components[0], name: xss };
    const back = decodeShareFragment(encodeShareFragment(doc));
    expect(back.datasets[0].name).toBe(xss);
    expect(back.model.components[0].name).toBe(xss);
  });

  it('refuses an unknown prefix or no session', () => {
    expect(refusal(() => decodeShareFragment('#state=abc')).message).toBe(
      `share link: is not a Fitbench session link (expected "session=..." after the '#', found "state=")`,
    );
    expect(refusal(() => decodeShareFragment('#top')).message).toMatch(/^share link: is not a Fitbench session link/);
    expect(refusal(() => decodeShareFragment('')).message).toMatch(/^share link: holds no session/);
    expect(refusal(() => decodeShareFragment('#')).message).toMatch(/^share link: holds no session/);
    expect(refusal(() => decodeShareFragment('session=')).message).toMatch(/^share link: is truncated/);
  });

  it('refuses bad base64', () => {
    const f = encodeShareFragment(sampleSession());
    expect(refusal(() => decodeShareFragment(f.slice(0, 20) + '$' + f.slice(21))).message).toMatch(
      /^share link: is damaged \(its data contains a character that is not base64 at position 12\)/,
    );
    expect(refusal(() => decodeShareFragment(f.slice(0, 20) + 'é' + f.slice(21))).message).toMatch(/^share link: is damaged/);
  });

  it('says "truncated" for a link cut anywhere in its data', () => {
    const f = encodeShareFragment(sampleSession());
    for (let cut = 'session='.length + 1; cut < f.length; cut += 7) {
      expect(refusal(() => decodeShareFragment(f.slice(0, cut))).message).toMatch(/^share link: is truncated/);
    }
    expect(refusal(() => decodeShareFragment(f.slice(0, -1))).message).toMatch(/^share link: is truncated/);
  });

  it('refuses corrupt compressed data and a wrong checksum', () => {
    const doc = sampleSession();
    const bytes = zlibSync(strToU8(sessionToText(doc)), { level: 9 });
    const badHeader = bytes.slice();
    badHeader[0] = 0x79;
    expect(refusal(() => decodeShareFragment(fragmentOf(badHeader))).message).toBe('share link: is damaged (its data is not zlib-compressed)');
    const badSum = bytes.slice();
    badSum[badSum.length - 1] ^= 0x55;
    expect(refusal(() => decodeShareFragment(fragmentOf(badSum))).message).toBe('share link: is damaged (its checksum does not match its contents)');
    // corrupt data in the middle: refused one way or another, never loaded
    for (let i = 2; i < bytes.length - 4; i += 13) {
      const b = bytes.slice();
      b[i] ^= 0xff;
      const e = refusal(() => decodeShareFragment(fragmentOf(b)));
      expect(e.message).toMatch(/^share link: is (damaged|truncated)/);
    }
    // a block type 3 (reserved): the first deflate byte 0x07 is BFINAL=1, BTYPE=11
    expect(refusal(() => decodeShareFragment(fragmentOf(Uint8Array.from([0x78, 0xda, 0x07, 0, 0, 0, 0, 1])))).message).toMatch(
      /^share link: is damaged \(its compressed data is corrupt/,
    );
  });

  it('refuses compressed text that is not a session', () => {
    expect(refusal(() => decodeShareFragment(fragmentOf(zlibSync(strToU8('hello'))))).message).toMatch(/^share link: is not valid JSON/);
    expect(refusal(() => decodeShareFragment(fragmentOf(zlibSync(strToU8('{"format":"fitbench-session","version":9}'))))).message).toBe(
      'share link: made by a newer Fitbench (version 9); this one reads up to version 1',
    );
  });

  it('stops inflating a zip bomb past the 50 MB limit', () => {
    const big = new Uint8Array(51 * 1024 * 1024).fill(0x20);
    const bomb = zlibSync(big, { level: 6 });
    expect(bomb.length).toBeLessThan(200_000);
    expect(refusal(() => decodeShareFragment(fragmentOf(bomb))).message).toBe('share link: is too large (it unpacks to more than 50 MB)');
    // the bounded inflater itself, with a small limit
    const small = zlibSync(new Uint8Array(10_000).fill(65));
    expect(boundedUnzlib(small, 10_000).length).toBe(10_000);
    expect(() => boundedUnzlib(small, 9_999)).toThrow(/too large/);
  });

  it('measures whether a link fits', () => {
    expect(SHARE_LINK_MAX_CHARS).toBe(32_000);
    const f = encodeShareFragment(sampleSession());
    expect(shareLinkFits(f, 'https://example.org/fitbench/')).toBe(true);
    expect(shareLinkUrl(f, 'https://example.org/fitbench/#session=old')).toBe('https://example.org/fitbench/#' + f);
    expect(shareLinkUrl('#' + f, 'https://example.org/')).toBe('https://example.org/#' + f);
    const base = 'https://example.org/';
    const exact = 'session=' + 'A'.repeat(SHARE_LINK_MAX_CHARS - base.length - 1 - 'session='.length);
    expect(shareLinkUrl(exact, base).length).toBe(SHARE_LINK_MAX_CHARS);
    expect(shareLinkFits(exact, base)).toBe(true);
    expect(shareLinkFits(exact + 'A', base)).toBe(false);
  });
});
