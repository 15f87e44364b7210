/**
 * JSON with positions in its error messages. JSON.parse runs first; when it fails, a small
 * recursive-descent parser (RFC 8259 grammar) finds the line and column at fault. That parser also
 * accepts the NaN, Infinity and -Infinity that Python's json module writes, so such files load.
 */

export class JsonSyntaxError extends Error {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  constructor(detail: string, offset: number, line: number, column: number) {
    super(`invalid JSON at line ${line}, column ${column}: ${detail}`);
    this.name = 'JsonSyntaxError';
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

const MAX_DEPTH = 512;

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(detail: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.s.length; i++) {
      if (this.s.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(detail, at, line, at - lineStart + 1);
  }

  found(): string {
    if (this.pos >= this.s.length) return 'the end of the file';
    return JSON.stringify(this.s.slice(this.pos, this.pos + 12));
  }

  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    this.ws();
    const s = this.s;
    if (this.pos >= s.length) this.fail('unexpected end of the file, expected a value');
    const c = s[this.pos];
    if (c === '[') return this.array(depth);
    if (c === '{') return this.object(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null], ['NaN', NaN], ['Infinity', Infinity]] as const) {
      if (s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    this.fail(`expected a value, found ${this.found()}`);
  }

  array(depth: number): unknown[] {
    this.pos++; // [
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c === ']') {
        this.pos++;
        return out;
      } else this.fail(`expected ',' or ']' after array element [${out.length - 1}], found ${this.found()}`);
    }
  }

  object(depth: number): Record<string, unknown> {
    this.pos++; // {
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail(`expected a "quoted" key, found ${this.found()}`);
      const key = this.string();
      this.ws();
      if (this.s[this.pos] !== ':') this.fail(`expected ':' after key ${JSON.stringify(key)}, found ${this.found()}`);
      this.pos++;
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c === '}') {
        this.pos++;
        return out;
      } else this.fail(`expected ',' or '}' after the value of ${JSON.stringify(key)}, found ${this.found()}`);
    }
  }

  string(): string {
    const start = this.pos;
    this.pos++; // "
    const s = this.s;
    let out = '';
    let chunk = this.pos;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 34) {
        out += s.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c < 32) this.fail('control character inside a string');
      if (c === 92) {
        out += s.slice(chunk, this.pos);
        const e = s[this.pos + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          this.pos += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(parseInt(s.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else this.fail(`invalid escape ${JSON.stringify(s.slice(this.pos, this.pos + 2))} in a string`);
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
    this.fail('a string is not closed (missing ")', start);
  }

  number(): number {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (this.s.startsWith('-Infinity', this.pos)) {
      this.pos += 9;
      return -Infinity;
    }
    if (!m || m[0] === '-') this.fail(`malformed number ${this.found()}`);
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

/** Parsed JSON; `extended` tells that NaN/Infinity literals were needed. Throws JsonSyntaxError. */
export function parseJson(text: string): { value: unknown; extended: boolean } {
  try {
    return { value: JSON.parse(text), extended: false };
  } catch {
    const p = new Parser(text);
    const value = p.value(0);
    p.ws();
    if (p.pos < text.length) p.fail(`unexpected ${p.found()} after the end of the JSON value`);
    return { value, extended: true };
  }
}
