// Boot file of the banded gradient's worker threads (gradient-threads.ts), as multifit-worker.boot.mjs:
// under tsx a worker cannot load a .ts file directly on Node 20 (toolchain-notes pitfall 9), so this
// registers tsx's loader first, or imports the bundled worker (workerData.bundle). If that fails,
// the main thread, blocked in Atomics.wait, is told through the barrier's control array (FAILED = 2
// in thread-barrier.ts) and the worker's port.
import { workerData } from 'node:worker_threads';

try {
  if (workerData.bundle) {
    await import(workerData.bundle);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('./gradient-worker.ts');
  }
} catch (e) {
  workerData.port.postMessage({ index: workerData.index, error: `worker start failed: ${e && e.message ? e.message : String(e)}` });
  const ctrl = new Int32Array(workerData.ctrl);
  Atomics.store(ctrl, 2, 1);
  Atomics.notify(ctrl, 1);
  Atomics.notify(ctrl, 4);
}
