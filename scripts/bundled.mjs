// `node scripts/bundled.mjs ENTRY.ts [arguments]`: runs a TypeScript entry point of Node (the CLI,
// the bench's parts) from one esbuild bundle of it and everything of the project it imports.
//
// Why not tsx: tsx compiles every module on its own to CommonJS, where a function imported from
// another module is reached through a property getter at each call. Hot loops that call across
// modules then run slower than the same code bundled: the tutorial image's gradient takes ~5.8 ms
// through tsx and ~5.2 ms bundled (the browser app, a Vite bundle, and the worker threads, bundled
// by src/cli/multifit-bundle.ts, already run bundled code).
//
// The bundle is written to node_modules/.cache/fitbench/ (the packages stay external and resolve
// from there as from the project) and reused while none of its input files changed (size and
// modification time); a warm start costs a stat per input. Every module keeps its own
// import.meta.url (worker boot files and esbuild are found beside the sources). Without esbuild,
// when the build fails, or with FITBENCH_BUNDLE=0, the entry runs through tsx as before.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const [entryArg, ...rest] = process.argv.slice(2);
if (!entryArg) {
  process.stderr.write('usage: node scripts/bundled.mjs ENTRY.ts [arguments]\n');
  process.exit(2);
}
const entry = resolve(entryArg);
// the entry sees the arguments as if it had been run directly
process.argv = [process.argv[0], entry, ...rest];

function stampOf(inputs) {
  const h = createHash('sha256');
  for (const p of inputs) {
    const s = statSync(p);
    h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex');
}

/** import.meta.url replaced by the module's own file URL (the bundle lives elsewhere) */
const moduleUrls = {
  name: 'fitbench-module-urls',
  setup(build) {
    build.onLoad({ filter: /\.(ts|tsx|mts|js|mjs)$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const ext = extname(args.path).slice(1);
      const loader = ext === 'tsx' ? 'tsx' : ext === 'ts' || ext === 'mts' ? 'ts' : 'js';
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader };
    });
  },
};

/** file: URL of the bundle of `file`, built or reused; null when it cannot be built */
async function bundleOf(file) {
  if (process.env.FITBENCH_BUNDLE === '0') return null;
  const dir = join(ROOT, 'node_modules', '.cache', 'fitbench');
  const tag = createHash('sha256').update(file).digest('hex').slice(0, 16);
  const out = join(dir, `${tag}.mjs`);
  const stampPath = join(dir, `${tag}.json`);
  if (existsSync(out) && existsSync(stampPath)) {
    try {
      const st = JSON.parse(readFileSync(stampPath, 'utf8'));
      if (Array.isArray(st.inputs) && st.key === stampOf(st.inputs)) return pathToFileURL(out).href;
    } catch {
      // an input is gone or the stamp is unreadable: build again
    }
  }
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  try {
    const r = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: ROOT,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [moduleUrls],
    });
    if (r.errors.length > 0 || r.outputFiles.length !== 1) return null;
    const inputs = Object.keys(r.metafile.inputs).map((p) => (isAbsolute(p) ? p : resolve(ROOT, p)));
    mkdirSync(dir, { recursive: true });
    // under temporary names, then renamed: another process may read them at the same time
    writeFileSync(`${out}.${process.pid}.tmp`, r.outputFiles[0].text);
    renameSync(`${out}.${process.pid}.tmp`, out);
    writeFileSync(`${stampPath}.${process.pid}.tmp`, JSON.stringify({ key: stampOf(inputs), inputs }));
    renameSync(`${stampPath}.${process.pid}.tmp`, stampPath);
    return pathToFileURL(out).href;
  } catch {
    return null;
  }
}

const url = await bundleOf(entry);
if (url) {
  await import(url);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(entry).href);
}
