// The package's entry point in Node: the shared core with Node's way of
// compiling the module (from the file next to this one) and of starting
// workers (worker_threads, one per core by default).

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import { isVerifyError, makeApi } from './core.mjs';

/// Workers by default: one per core.
function defaultJobs() {
  return availableParallelism();
}

const platform = {
  compile: async (url) => WebAssembly.compile(await readFile(url)),
  defaultJobs,
  startWorker(onMessage, onError) {
    const worker = new Worker(new URL('./worker-node.mjs', import.meta.url));
    worker.on('message', onMessage);
    worker.on('error', onError);
    // Workers end only when terminated: any exit before that loses a proof.
    worker.on('exit', (code) => onError(new Error(`verification worker exited (code ${code})`)));
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      terminate: () => {
        worker.removeAllListeners('exit');
        worker.terminate();
      },
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
