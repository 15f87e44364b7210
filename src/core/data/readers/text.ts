/** Bytes to text for the readers: UTF-8 (BOM dropped), line splitting, binary detection. */

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** UTF-8 text; invalid sequences become U+FFFD, a leading BOM is removed. */
export function decodeText(bytes: Uint8Array): string {
  const text = decoder.decode(bytes);
  // TextDecoder drops one BOM; a second (files concatenated by hand) is dropped too
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Lines split on CRLF, CR or LF; a final line ending does not add an empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * True when the bytes do not look like text: NUL bytes, or more than 5% of the first 4 KiB
 * being control characters or invalid UTF-8.
 */
export function looksBinary(bytes: Uint8Array, text: string): boolean {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  const head = text.slice(0, 4096);
  let bad = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12)) bad++;
  }
  return head.length > 0 && bad > 0.05 * head.length;
}

/** The part of a path after the last '/' or '\'. */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** The folder part of a path ('' when there is none). */
export function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(0, i) : '';
}

/** Lower-case extension without the dot ('' when there is none). */
export function extension(path: string): string {
  const b = baseName(path);
  const i = b.lastIndexOf('.');
  return i > 0 ? b.slice(i + 1).toLowerCase() : '';
}
