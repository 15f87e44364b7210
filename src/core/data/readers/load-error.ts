/** A file that could not be read; the message always starts with the file name. */
export class LoadError extends Error {
  readonly file: string;
  /** 1-based line of the fault in a text file, when there is one */
  readonly line?: number;

  constructor(file: string, detail: string, line?: number) {
    super(line !== undefined ? `${file}, line ${line}: ${detail}` : `${file}: ${detail}`);
    this.name = 'LoadError';
    this.file = file;
    this.line = line;
  }
}

/** Any thrown value as a LoadError for `file` (internal faults are reported, never rethrown). */
export function asLoadError(file: string, e: unknown): LoadError {
  if (e instanceof LoadError) return e;
  const what = e instanceof Error ? e.message : String(e);
  return new LoadError(file, `could not be read (${what || 'unknown error'})`);
}

/** A short, quoted, escaped excerpt of user text for messages. */
export function quote(text: string, max = 40): string {
  const cut = text.length > max ? text.slice(0, max) + '…' : text;
  return JSON.stringify(cut);
}
