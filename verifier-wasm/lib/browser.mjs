// The package's entry point in browsers and bundlers: the shared core with
// streaming compilation and module Web Workers (no SharedArrayBuffer, so no
// cross-origin isolation headers are needed).

import { isVerifyError, makeApi } from './core.mjs';

/// Workers by default: one per logical core, at most 8, and fewer on
/// devices that report little memory (each worker holds its own
/// WebAssembly memory, tens of MiB while it checks a proof).
function defaultJobs() {
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  const gib = globalThis.navigator?.deviceMemory;
  const byMemory = typeof gib === 'number' ? Math.max(1, Math.floor(gib * 2)) : 8;
  return Math.max(1, Math.min(cores, 8, byMemory));
}

const platform = {
  async compile(url) {
    if (WebAssembly.compileStreaming) {
      try {
        return await WebAssembly.compileStreaming(fetch(url));
      } catch (e) {
        // A server without the application/wasm MIME type: compile the bytes.
        if (!(e instanceof TypeError)) throw e;
      }
    }
    const response = await fetch(url);
    if (!response.ok) throw new Error(`fetching ${url}: HTTP ${response.status}`);
    return WebAssembly.compile(await response.arrayBuffer());
  },
  defaultJobs,
  startWorker(onMessage, onError) {
    const worker = new Worker(new URL('./worker-browser.mjs', import.meta.url), { type: 'module' });
    worker.onmessage = (event) => onMessage(event.data);
    worker.onmessageerror = () => onError(new Error('verification worker: a message could not be read'));
    worker.onerror = (event) => {
      event.preventDefault?.();
      onError(new Error(`verification worker failed: ${event.message || 'could not start'}`));
    };
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      terminate: () => worker.terminate(),
    };
  },
};

const api = makeApi(platform);

/// Compiles and instantiates the module on this thread; the low-level
/// classes work once it resolves. `verifyStream` calls it itself.
export const init = api.init;
export const verifyStream = api.verifyStream;
export const imageIdFromElf = api.imageIdFromElf;
export { isVerifyError, defaultJobs };
export { Verifier, Checker, EpochJob, verifyEpoch, proofVerifier, soundnessWarning } from '../pkg/web/sluice_verifier_wasm.js';
