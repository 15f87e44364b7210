/** Browser File objects -> {name, bytes} for the core readers (keeps folder paths when dropped). */
export async function readFiles(files: Iterable<File>): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const f of files) {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
    out.push({ name: rel && rel.length > 0 ? rel : f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  return out;
}
