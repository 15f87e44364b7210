/**
 * Base64 (RFC 4648) without DOM helpers (btoa/atob work on binary strings and are slow on
 * megabytes). Encoding writes the URL-safe alphabet without padding (RFC 4648 section 5);
 * decoding accepts both alphabets and optional '=' padding, and refuses anything else.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** char code -> 6-bit value, 255 for characters outside both alphabets */
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
DECODE['+'.charCodeAt(0)] = 62;
DECODE['/'.charCodeAt(0)] = 63;

export function bytesToBase64Url(bytes: Uint8Array): string {
  const n = bytes.length;
  const parts: string[] = [];
  // Build the text in slices so String.fromCharCode never gets too many arguments.
  const sliceBytes = 3 * 8192;
  const codes = new Uint16Array((sliceBytes / 3) * 4);
  for (let start = 0; start < n; start += sliceBytes) {
    const end = Math.min(n, start + sliceBytes);
    let o = 0;
    let i = start;
    for (; i + 2 < end; i += 3) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      codes[o++] = ALPHABET.charCodeAt(v >>> 18);
      codes[o++] = ALPHABET.charCodeAt((v >>> 12) & 63);
      codes[o++] = ALPHABET.charCodeAt((v >>> 6) & 63);
      codes[o++] = ALPHABET.charCodeAt(v & 63);
    }
    const rest = end - i;
    if (rest === 1) {
      const v = bytes[i] << 16;
      codes[o++] = ALPHABET.charCodeAt(v >>> 18);
      codes[o++] = ALPHABET.charCodeAt((v >>> 12) & 63);
    } else if (rest === 2) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
      codes[o++] = ALPHABET.charCodeAt(v >>> 18);
      codes[o++] = ALPHABET.charCodeAt((v >>> 12) & 63);
      codes[o++] = ALPHABET.charCodeAt((v >>> 6) & 63);
    }
    parts.push(String.fromCharCode.apply(null, codes.subarray(0, o) as unknown as number[]));
  }
  return parts.join('');
}

export type Base64Result = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/** Decodes base64 or base64url, with or without padding. */
export function base64ToBytes(text: string): Base64Result {
  let len = text.length;
  // up to two '=' of padding at the end
  while (len > 0 && text.charCodeAt(len - 1) === 61 && text.length - len < 2) len--;
  if (len % 4 === 1) return { ok: false, reason: 'has a length that no base64 text can have' };
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c] : 255;
    if (v === 255) return { ok: false, reason: `contains a character that is not base64 at position ${i}` };
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 255;
    }
  }
  return { ok: true, bytes: out };
}

/** Little-endian IEEE 754 doubles, bit for bit (NaN, infinities and -0 included). */
export function float64ToBase64(a: Float64Array): string {
  const bytes = new Uint8Array(a.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < a.length; i++) view.setFloat64(i * 8, a[i], true);
  return bytesToBase64Url(bytes);
}

export type Float64Result = { ok: true; values: Float64Array } | { ok: false; reason: string };

export function base64ToFloat64(text: string): Float64Result {
  const r = base64ToBytes(text);
  if (!r.ok) return r;
  if (r.bytes.length % 8 !== 0) return { ok: false, reason: 'does not hold a whole number of 8-byte values' };
  const n = r.bytes.length / 8;
  const view = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = view.getFloat64(i * 8, true);
  return { ok: true, values };
}

/** Number of bytes that a base64 text of this many characters (without padding) decodes to. */
export function base64DecodedLength(chars: number): number {
  return Math.floor((chars * 3) / 4);
}
