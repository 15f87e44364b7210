/**
 * multifit's worker thread (and the banded gradient's, gradient-worker.ts) as one plain ES module, so that a worker starts in ~0.1 s instead of
 * ~0.5-1 s: booted through tsx (multifit-worker.boot.mjs), each worker loads tsx, registers its
 * loader (a hooks thread of its own on Node 20) and resolves and transforms every module of the
 * core through it. Here esbuild (tsx's own compiler, present wherever the CLI runs under tsx)
 * bundles multifit-worker.ts and everything it imports once into the OS temp folder; the bundle
 * is reused while none of its input files changes (size and modification time), so a warm start
 * costs a few stat calls. Without esbuild, or when the build fails, workerBundle() returns null
 * and the workers boot through tsx as before. FITBENCH_WORKER_BUNDLE=0 turns the bundle off.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Stamp {
  key: string;
  inputs: string[];
}

interface EsbuildLike {
  buildSync(options: Record<string, unknown>): {
    errors: unknown[];
    outputFiles?: { text: string }[];
    metafile?: { inputs: Record<string, unknown> };
  };
}

const cached = new Map<string, string | null>();

function stampOf(inputs: string[]): string {
  const h = createHash('sha256');
  for (const p of inputs) {
    const s = statSync(p);
    h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex');
}

/**
 * file: URL of the bundled worker module (`entryFile`, a worker beside this file: multifit's by
 * default, or the gradient threads' gradient-worker.ts), or null (boot through tsx). Built at most
 * once per process and entry.
 */
export function workerBundle(entryFile = 'multifit-worker.ts'): string | null {
  const known = cached.get(entryFile);
  if (known !== undefined) return known;
  const done = (url: string | null): string | null => {
    cached.set(entryFile, url);
    return url;
  };
  if (process.env.FITBENCH_WORKER_BUNDLE === '0') return done(null);
  try {
    const entry = fileURLToPath(new URL(`./${entryFile}`, import.meta.url));
    const root = resolve(dirname(entry), '..', '..');
    const dir = join(tmpdir(), 'fitbench-multifit');
    const tag = createHash('sha256').update(entry).digest('hex').slice(0, 16);
    const out = join(dir, `worker-${tag}.mjs`);
    const stampPath = join(dir, `worker-${tag}.json`);
    if (existsSync(out) && existsSync(stampPath)) {
      try {
        const st = JSON.parse(readFileSync(stampPath, 'utf8')) as Stamp;
        if (Array.isArray(st.inputs) && st.key === stampOf(st.inputs)) return done(pathToFileURL(out).href);
      } catch {
        // an input is gone or the stamp is unreadable: build again
      }
    }
    const esbuild = createRequire(import.meta.url)('esbuild') as EsbuildLike;
    const r = esbuild.buildSync({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    if (r.errors.length > 0 || !r.outputFiles || r.outputFiles.length !== 1 || !r.metafile) return done(null);
    const inputs = Object.keys(r.metafile.inputs).map((p) => (isAbsolute(p) ? p : resolve(root, p)));
    mkdirSync(dir, { recursive: true });
    // written under temporary names and renamed: another process may read them at the same time
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, r.outputFiles[0].text);
    renameSync(tmp, out);
    const stamp: Stamp = { key: stampOf(inputs), inputs };
    writeFileSync(`${stampPath}.${process.pid}.tmp`, JSON.stringify(stamp));
    renameSync(`${stampPath}.${process.pid}.tmp`, stampPath);
    return done(pathToFileURL(out).href);
  } catch {
    return done(null);
  }
}

/**
 * The Node options for a worker that runs the bundle: this process's, without the ones that load
 * tsx (`--import tsx`, tsx's `--require .../preflight.cjs` and `--import .../loader.mjs`), which a
 * worker would otherwise inherit and spend ~50 ms on (a loader hooks thread of its own).
 */
export function bundleExecArgv(execArgv: string[] = process.execArgv): string[] {
  const out: string[] = [];
  const loaders = ['--import', '--require', '-r', '--loader', '--experimental-loader'];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i];
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (loaders.includes(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : (execArgv[i + 1] ?? '');
      if (eq < 0) i++;
      if (/(^|[\\/])tsx([\\/]|$)/.test(value) || value === 'tsx') continue;
      out.push(a);
      if (eq < 0) out.push(value);
      continue;
    }
    out.push(a);
  }
  return out;
}
