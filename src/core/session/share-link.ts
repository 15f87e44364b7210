/**
 * A session in a URL fragment: `#session=<base64url(zlib(utf-8 JSON))>`.
 *
 * The fragment never reaches a server (browsers do not send it), so the only limits are those of
 * browsers and of the places where people paste links; see SHARE_LINK_MAX_CHARS.
 * Decoding treats the link as hostile: the zlib header and Adler-32 checksum are checked, and
 * inflation is streamed and stopped as soon as the output passes MAX_SESSION_CHARS, so a small
 * "zip bomb" link cannot exhaust memory.
 */
import { Inflate, strFromU8, strToU8, zlibSync } from 'fflate';
import { base64ToBytes, bytesToBase64Url } from './base64';
import type { SessionDoc } from './document';
import { asSessionLoadError, loadSessionText, MAX_SESSION_CHARS, SessionLoadError } from './load';
import { sessionToText } from './serialize';

export const SHARE_LINK_SOURCE = 'share link';
export const SHARE_PREFIX = 'session=';

/**
 * Longest share link (whole URL, base and fragment) that Fitbench offers; longer sessions are
 * offered as a file download instead.
 *
 * Figures behind it:
 * - Chrome (and Chromium-based Edge, Opera, Brave) accept URLs of up to 2 MB (Chromium's
 *   kMaxURLChars = 2 * 1024 * 1024 = 2,097,152), but the omnibox shows at most 32 KiB of a URL
 *   (url_formatter::kMaxURLDisplayChars = 32 * 1024 = 32,768). Below that a link can be seen whole,
 *   selected and copied from the address bar.
 * - Firefox loads longer URLs, but stops showing them in the address bar past 65,536 characters,
 *   and its history/bookmarks (Places, URL_LENGTH_MAX = 65,536) do not keep longer ones.
 * - Safari has been tested to work with URLs of 80,000 characters.
 * - The classic 2,083-character limit (2,048 for the path) belonged to Internet Explorer and
 *   EdgeHTML ("legacy" Edge), both retired (legacy Edge in March 2021, IE 11 in June 2022); no
 *   browser Fitbench runs in has it.
 * - RFC 9110 (HTTP semantics, section 4.1) recommends support for URIs of at least 8,000 octets.
 *   Chat apps, mail clients and link shorteners differ (some cut links at a few thousand
 *   characters), so a link over 8,000 characters may be damaged by such a tool; the decoder then
 *   reports "truncated" or "damaged" rather than loading something wrong.
 * 32,000 characters hold about 24 kB of compressed JSON: a model with a few hundred to a few
 * thousand data points. Larger sessions are shared as files.
 */
export const SHARE_LINK_MAX_CHARS = 32_000;

/** The URL fragment (without '#') that carries `doc`. */
export function encodeShareFragment(doc: SessionDoc): string {
  const compressed = zlibSync(strToU8(sessionToText(doc)), { level: 9 });
  return SHARE_PREFIX + bytesToBase64Url(compressed);
}

/** The full link for `fragment` on `baseUrl` (any fragment already on `baseUrl` is replaced). */
export function shareLinkUrl(fragment: string, baseUrl: string): string {
  const hash = baseUrl.indexOf('#');
  const base = hash >= 0 ? baseUrl.slice(0, hash) : baseUrl;
  return `${base}#${fragment.startsWith('#') ? fragment.slice(1) : fragment}`;
}

/** Whether `baseUrl#fragment` is short enough to share as a link (SHARE_LINK_MAX_CHARS). */
export function shareLinkFits(fragment: string, baseUrl: string): boolean {
  return shareLinkUrl(fragment, baseUrl).length <= SHARE_LINK_MAX_CHARS;
}

/** Adler-32 (RFC 1950 section 8.2), updated chunk by chunk. */
function adler32(a: number, b: number, data: Uint8Array): [number, number] {
  const NMAX = 5552; // largest n with 255 n (n + 1) / 2 + (n + 1) (65520) < 2^32: sums stay exact
  for (let i = 0; i < data.length; ) {
    const end = Math.min(data.length, i + NMAX);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return [a, b];
}

/** Input slice per push: bounds the output of one push to about 1 MB (deflate expands at most 1032:1). */
const PUSH_BYTES = 1024;

function fail(detail: string): never {
  throw new SessionLoadError(SHARE_LINK_SOURCE, detail);
}

/**
 * zlib data -> bytes, refusing a bad header, corrupt or truncated data, a wrong checksum, and output
 * larger than `limit` bytes (inflation stops there). Refusals are SessionLoadErrors from "share link".
 */
export function boundedUnzlib(data: Uint8Array, limit: number): Uint8Array {
  if (data.length < 2) fail('is truncated (its compressed data ends after the header); copy the whole link');
  const cmf = data[0];
  const flg = data[1];
  if ((cmf & 15) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0) fail('is damaged (its data is not zlib-compressed)');
  if (flg & 0x20) fail('is damaged (its compressed data needs a preset dictionary)');
  if (data.length < 2 + 2 + 4) fail('is truncated (its compressed data is cut short); copy the whole link');
  const body = data.subarray(2, data.length - 4);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooLarge = false;
  let finished = false;
  let a = 1;
  let b = 0;
  const inflater = new Inflate((chunk, final) => {
    if (final) finished = true;
    if (tooLarge || chunk.length === 0) return;
    total += chunk.length;
    if (total > limit) {
      tooLarge = true;
      chunks.length = 0;
      return;
    }
    chunks.push(chunk);
    [a, b] = adler32(a, b, chunk);
  });
  try {
    for (let i = 0; i < body.length && !tooLarge; i += PUSH_BYTES) {
      const end = Math.min(body.length, i + PUSH_BYTES);
      inflater.push(body.subarray(i, end), end === body.length);
    }
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 0) fail('is truncated (its compressed data ends early); copy the whole link');
    const what = e instanceof Error ? e.message : String(e);
    fail(`is damaged (its compressed data is corrupt: ${what})`);
  }
  if (tooLarge) fail(`is too large (it unpacks to more than ${limit / (1024 * 1024)} MB)`);
  if (!finished) fail('is truncated (its compressed data ends early); copy the whole link');
  const t = data.length - 4;
  const expected = ((data[t] << 24) | (data[t + 1] << 16) | (data[t + 2] << 8) | data[t + 3]) >>> 0;
  if ((((b << 16) | a) >>> 0) !== expected) fail('is damaged (its checksum does not match its contents)');
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * The session in a share-link fragment (with or without the leading '#'). Throws only
 * SessionLoadError, with source "share link".
 */
export function decodeShareFragment(fragment: string): SessionDoc {
  try {
    if (typeof fragment !== 'string') fail('could not be read (it is not text)');
    let f = fragment.trim();
    if (f.startsWith('#')) f = f.slice(1);
    if (!f.startsWith(SHARE_PREFIX)) {
      if (f === '') fail('holds no session (the link has no #session=... part)');
      const eq = f.indexOf('=');
      const what = eq > 0 && eq <= 40 ? `"${f.slice(0, eq + 1)}"` : 'something else';
      fail(`is not a Fitbench session link (expected "${SHARE_PREFIX}..." after the '#', found ${what})`);
    }
    const payload = f.slice(SHARE_PREFIX.length);
    if (payload === '') fail('is truncated (it holds no session data after "session="); copy the whole link');
    // base64 of more compressed bytes than a session may unpack to is refused before decoding
    if (payload.length > Math.ceil((MAX_SESSION_CHARS * 4) / 3) + 4) fail(`is too large (over ${MAX_SESSION_CHARS / (1024 * 1024)} MB)`);
    const decoded = base64ToBytes(payload);
    if (!decoded.ok) {
      if (/length/.test(decoded.reason)) fail(`is truncated or damaged (its data ${decoded.reason}); copy the whole link`);
      fail(`is damaged (its data ${decoded.reason})`);
    }
    const bytes = boundedUnzlib(decoded.bytes, MAX_SESSION_CHARS);
    return loadSessionText(strFromU8(bytes), SHARE_LINK_SOURCE);
  } catch (e) {
    throw asSessionLoadError(SHARE_LINK_SOURCE, e);
  }
}
