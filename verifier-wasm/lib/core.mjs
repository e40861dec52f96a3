// The environment-independent part of the package: loading the module once,
// reading any kind of byte source, and verifyStream's in-order pipeline.
// `node.mjs` and `browser.mjs` supply the platform: how to compile the
// module, how to start a worker, how many workers by default.

import * as packagedGlue from '../pkg/web/sluice_verifier_wasm.js';

/// The module's URL. Written as a literal `new URL(…, import.meta.url)` so
/// bundlers (webpack 5, Vite, esbuild, Parcel) ship the file as an asset.
export const PACKAGED_WASM_URL = new URL('../pkg/web/sluice_verifier_wasm_bg.wasm', import.meta.url);

/// A verification failure (a verdict on the bundle). Thrown by the module
/// as a plain `Error` named `VerifyError`; re-created here in workers'
/// results so that every failure looks the same.
export function isVerifyError(e) {
  return e instanceof Error && e.name === 'VerifyError' && typeof e.check === 'string';
}

function verifyErrorFrom(fields) {
  const e = new Error(fields.message);
  e.name = 'VerifyError';
  for (const k of ['epoch', 'check', 'offset', 'proofCheck', 'epochsVerified']) e[k] = fields[k];
  return e;
}

/// Loads the glue and compiles its module once per glue URL.
function makeLoader(platform) {
  const loaded = new Map();
  return function load(options = {}) {
    const glueUrl = options.glueUrl ? String(options.glueUrl) : null;
    const key = glueUrl ?? '';
    if (!options.module && loaded.has(key)) return loaded.get(key);
    const promise = (async () => {
      const glue = glueUrl ? await import(glueUrl) : packagedGlue;
      const wasmUrl = options.wasmUrl ?? (glueUrl ? new URL('sluice_verifier_wasm_bg.wasm', glueUrl) : PACKAGED_WASM_URL);
      const module = options.module ?? (await platform.compile(wasmUrl));
      glue.initSync({ module });
      return { glue, module, glueUrl };
    })();
    if (!options.module) {
      loaded.set(key, promise);
      promise.catch(() => loaded.delete(key));
    }
    return promise;
  };
}

/// Any byte source as an async iterable of Uint8Array chunks.
export async function* chunksOf(source) {
  const SLICE = 1 << 20;
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (ArrayBuffer.isView(source)) {
    const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    for (let at = 0; at < bytes.length; at += SLICE) yield bytes.subarray(at, at + SLICE);
    return;
  }
  if (source && typeof source.stream === 'function' && typeof source.size === 'number') source = source.stream();
  if (source && typeof source.getReader === 'function' && !source[Symbol.asyncIterator]) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (source && (source[Symbol.asyncIterator] || source[Symbol.iterator])) {
    for await (const chunk of source) {
      if (typeof chunk === 'string') throw new TypeError('verifyStream: the source yielded a string; give bytes (Uint8Array)');
      yield chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
    }
    return;
  }
  throw new TypeError('verifyStream: the source must be bytes, a Blob, a ReadableStream, or an (async) iterable of Uint8Array');
}

/// A pool of workers, each with its own instance of one compiled module.
/// Results come back in completion order through `next()`.
class Pool {
  constructor(platform, size, wasm) {
    this.workers = [];
    this.idle = [];
    this.results = [];
    this.waiting = null;
    this.broken = null;
    for (let i = 0; i < size; i++) {
      const worker = platform.startWorker((message) => this.#receive(worker, message), (error) => this.#fail(error));
      worker.id = i + 1;
      worker.post({ type: 'init', module: wasm.module, glueUrl: wasm.glueUrl });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  run(job) {
    const worker = this.idle.pop();
    if (!worker) throw new Error('internal: no idle worker');
    worker.post({ type: 'job', ...job }, [job.record.buffer]);
  }

  next() {
    if (this.results.length) return Promise.resolve(this.results.shift());
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  #receive(worker, message) {
    if (message.type === 'failed') return this.#fail(new Error(`verification worker failed: ${message.message}`));
    if (message.type !== 'result') return;
    message.worker = worker.id;
    this.idle.push(worker);
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve(message);
    } else {
      this.results.push(message);
    }
  }

  #fail(error) {
    this.broken ??= error instanceof Error ? error : new Error(String(error));
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      reject(this.broken);
    }
  }

  terminate() {
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}

/// The public functions for one platform; see index.d.ts.
export function makeApi(platform) {
  const load = makeLoader(platform);
  return {
    init: async (options) => {
      const { glue } = await load(options ?? {});
      return { proofVerifier: glue.proofVerifier(), soundnessWarning: glue.soundnessWarning() };
    },
    verifyStream: makeVerifyStream(platform, load),
    imageIdFromElf: async (elf, options) => (await load(options ?? {})).glue.imageIdFromElf(elf),
  };
}

/// verifyStream(source, options) → summary; see index.d.ts.
function makeVerifyStream(platform, load) {
  return async function verifyStream(source, options = {}) {
    const { imageId = null, onEvent = () => {}, onProgress = null, signal = null } = options;
    const jobs = options.jobs === undefined || options.jobs === null ? platform.defaultJobs() : options.jobs;
    if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`verifyStream: jobs must be a positive integer, not ${jobs}`);
    signal?.throwIfAborted();
    const wasm = await load(options.wasm ?? {});
    const checker = new wasm.glue.Checker(imageId ?? undefined);
    const pool = jobs > 1 ? new Pool(platform, jobs, wasm) : null;

    let context = null;
    let bytes = 0;
    let nextToReport = 0;
    let inFlight = 0;
    const finished = new Map();
    let failure = null;

    // Epoch events come with where and how long their proof took:
    // `{ worker, verifyMs }` (worker 0: the calling thread).
    const report = (event, info) => {
      onEvent(event, info);
    };
    // Waits for one worker result, then reports every verdict now due.
    const receiveOne = async () => {
      const result = await pool.next();
      inFlight -= 1;
      finished.set(result.index, result);
      while (!failure && finished.has(nextToReport)) {
        const r = finished.get(nextToReport);
        finished.delete(nextToReport);
        if (!r.ok) {
          failure = verifyErrorFrom(r.error);
          break;
        }
        nextToReport += 1;
        report(r.event, { worker: r.worker, verifyMs: r.ms });
      }
    };
    const drain = async () => {
      while (inFlight > 0) await receiveOne();
    };
    // The verdict for an error found while reading: a proof that failed
    // earlier in the stream wins, as it would sequentially.
    const settle = async (error) => {
      if (error && error.name === 'AbortError') throw error;
      if (pool) await drain();
      throw failure ?? error;
    };

    try {
      try {
        for await (const chunk of chunksOf(source)) {
          signal?.throwIfAborted();
          bytes += chunk.length;
          checker.push(chunk);
          for (;;) {
            const step = checker.nextStep();
            if (step === null) break;
            if (step.type === 'header') {
              context = step.context;
              report(step.event);
            } else if (step.type === 'epoch') {
              const job = step.job;
              if (!pool) {
                try {
                  const started = performance.now();
                  const event = job.verify();
                  nextToReport += 1;
                  report(event, { worker: 0, verifyMs: performance.now() - started });
                } finally {
                  job.free();
                }
                continue;
              }
              const index = job.index;
              while (index >= nextToReport + jobs && !failure) await receiveOne();
              if (failure) {
                job.free();
                throw failure;
              }
              const record = job.record();
              const offset = job.offset;
              job.free();
              inFlight += 1;
              pool.run({ index, offset, context, record });
            } else if (step.type === 'done') {
              if (pool) await drain();
              if (failure) throw failure;
              report({ type: 'done' });
            }
          }
          if (onProgress) onProgress({ bytes, epochsVerified: nextToReport, bufferedBytes: checker.bufferedBytes() });
        }
      } catch (e) {
        await settle(e);
      }
      if (pool) await drain();
      if (failure) throw failure;
      return checker.finish();
    } catch (e) {
      // Epochs reported before the failure (a failing chunk's earlier
      // epochs included).
      if (isVerifyError(e)) e.epochsVerified = nextToReport;
      throw e;
    } finally {
      pool?.terminate();
      try {
        checker.free();
      } catch {
        // finish() already consumed it.
      }
    }
  };
}

/// The message handler a worker runs (worker-node.mjs, worker-browser.mjs).
export function makeWorkerHandler(post) {
  let glue = packagedGlue;
  let ready = null;
  return async function handle(message) {
    try {
      if (message.type === 'init') {
        ready = (async () => {
          if (message.glueUrl) glue = await import(message.glueUrl);
          glue.initSync({ module: message.module });
        })();
        await ready;
        return;
      }
      if (message.type !== 'job') return;
      await ready;
      const { index, offset, context, record } = message;
      const started = performance.now();
      try {
        const event = glue.verifyEpoch(context, offset, record);
        post({ type: 'result', index, ok: true, event, ms: performance.now() - started });
      } catch (e) {
        if (!isVerifyError(e)) throw e;
        const error = { message: e.message, epoch: e.epoch, check: e.check, offset: e.offset, proofCheck: e.proofCheck, epochsVerified: 0 };
        post({ type: 'result', index, ok: false, error });
      }
    } catch (e) {
      post({ type: 'failed', message: String(e && e.stack ? e.stack : e) });
    }
  };
}
