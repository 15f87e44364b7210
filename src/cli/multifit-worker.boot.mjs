// Boot file of multifit's worker threads: under tsx, a worker_threads Worker cannot load a .ts
// file directly on Node 20 (ERR_UNKNOWN_FILE_EXTENSION; toolchain-notes pitfall 9), so this plain
// module registers tsx's loader and then imports the worker (or imports the bundled worker,
// workerData.bundle, when the main thread could build one: multifit-bundle.ts). If that fails, the main thread is
// told through the pool's boot control array (CTRL in multifit-shared.ts: DONE = 0, ERRORS = 3) and
// the message port, since it is blocked in Atomics.wait and sees no 'error' event.
import { workerData } from 'node:worker_threads';

try {
  if (workerData.bundle) {
    // the worker bundled into one plain module (multifit-bundle.ts): no loader needed
    await import(workerData.bundle);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('./multifit-worker.ts');
  }
} catch (e) {
  const ctrl = new Int32Array(workerData.ctrl);
  Atomics.add(ctrl, 3, 1);
  workerData.port.postMessage({ index: workerData.index, error: `worker start failed: ${e && e.message ? e.message : String(e)}` });
  Atomics.add(ctrl, 0, 1);
  Atomics.notify(ctrl, 0);
}
