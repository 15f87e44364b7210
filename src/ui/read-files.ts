/** Browser File objects -> {name, bytes} for the core readers (keeps folder paths when dropped). */
export async function readFiles(files: Iterable<File>): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const f of files) {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
    out.push({ name: rel && rel.length > 0 ? rel : f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  return out;
}

interface Entry {
  isFile: boolean;
  isDirectory: boolean;
  fullPath: string;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (e: Entry[]) => void, fail: (e: unknown) => void): void };
}

/** Walks a dropped folder (File and Directory Entries API): every file with its path inside the drop. */
async function walk(entry: Entry, out: { name: string; file: File }[], budget: { files: number }): Promise<void> {
  if (budget.files <= 0) return;
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((ok, fail) => entry.file!(ok, fail));
    budget.files--;
    out.push({ name: entry.fullPath.replace(/^\//, ''), file });
    return;
  }
  if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0) break;
      for (const e of batch) await walk(e, out, budget);
    }
  }
}

/** The files of a drop, folders included (e.g. a folder of PyAutoFit data.json + noise_map.json pairs). */
export async function readDrop(dt: DataTransfer): Promise<{ name: string; bytes: Uint8Array }[]> {
  const entries: Entry[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    const e = (item as DataTransferItem & { webkitGetAsEntry?: () => Entry | null }).webkitGetAsEntry?.();
    if (e) entries.push(e);
  }
  if (entries.length === 0 || !entries.some((e) => e.isDirectory)) return readFiles(Array.from(dt.files));
  const found: { name: string; file: File }[] = [];
  const budget = { files: 5000 };
  for (const e of entries) await walk(e, found, budget);
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const f of found) out.push({ name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) });
  return out;
}
