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

/// The module each glue was instantiated with.
const initialised = new WeakMap();

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
      // A glue instantiates one module for good: the workers must get the
      // same one, or proofs and chain would be checked by different builds.
      const first = initialised.get(glue);
      const module = options.module ?? first ?? (await platform.compile(wasmUrl));
      if (first && first !== module) {
        const e = new Error('this glue was already initialised with another WebAssembly module; pass the same `wasm.module` everywhere');
        e.name = 'UsageError';
        throw e;
      }
      initialised.set(glue, module);
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

/// Any byte source as an async iterable of Uint8Array chunks. `onCancel`
/// receives a function that stops the source (cancels a ReadableStream,
/// destroys a Node stream) even while a read is pending: a verdict must not
/// leave a download or a pipe open behind it.
export async function* chunksOf(source, onCancel = () => {}) {
  const SLICE = 1 << 20;
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (ArrayBuffer.isView(source)) {
    const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    for (let at = 0; at < bytes.length; at += SLICE) yield bytes.subarray(at, at + SLICE);
    return;
  }
  if (source && typeof source.stream === 'function' && typeof source.size === 'number') source = source.stream();
  // A web ReadableStream through its reader even where it is also async
  // iterable (Node, Chrome, Firefox): only the reader can be cancelled while
  // a read is pending.
  if (source && typeof source.getReader === 'function') {
    const reader = source.getReader();
    onCancel(() => reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        for (let at = 0; at < value.length; at += SLICE) yield value.subarray(at, at + SLICE);
      }
    } finally {
      // The caller gets its stream back (ended, or cancelled by a verdict).
      try {
        reader.releaseLock();
      } catch {
        // A read still pending on a cancelled stream: nothing to give back.
      }
    }
  }
  if (source && typeof source.destroy === 'function') onCancel(() => source.destroy());
  if (source && (source[Symbol.asyncIterator] || source[Symbol.iterator])) {
    for await (const chunk of source) {
      if (typeof chunk === 'string') throw new TypeError('verifyStream: the source yielded a string; give bytes (Uint8Array)');
      const bytes = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
      // At most SLICE bytes are copied into the module at a time.
      for (let at = 0; at < bytes.length; at += SLICE) yield bytes.subarray(at, at + SLICE);
    }
    return;
  }
  throw new TypeError('verifyStream: the source must be bytes, a Blob, a ReadableStream, or an (async) iterable of Uint8Array');
}

/// A pool of workers, each with its own instance of one compiled module.
/// Every result goes to `onResult` as it arrives; a worker that fails or
/// exits goes to `onBroken`.
class Pool {
  constructor(platform, size, wasm, onResult, onBroken) {
    this.workers = [];
    this.idle = [];
    // Record buffers the workers sent back, for the next records: a fresh
    // buffer per record made Node's RSS grow with the bundle
    // (docs/benchmarks.md). At most one per worker plus one.
    this.spare = [];
    this.maxSpare = size + 1;
    this.onResult = onResult;
    this.onBroken = onBroken;
    for (let i = 0; i < size; i++) {
      const worker = platform.startWorker(
        (message) => this.#receive(worker, message),
        (error) => this.onBroken(error instanceof Error ? error : new Error(String(error))),
      );
      worker.id = i + 1;
      worker.post({ type: 'init', module: wasm.module, glueUrl: wasm.glueUrl });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /// A buffer of at least `len` bytes: a spare one if it is large enough.
  buffer(len) {
    const spare = this.spare.pop();
    if (spare && spare.length >= len) return spare;
    // Some headroom, so that a slightly longer record does not replace it.
    return new Uint8Array(len + (len >> 3));
  }

  run(job) {
    const worker = this.idle.pop();
    if (!worker) throw new Error('internal: no idle worker');
    worker.post({ type: 'job', ...job }, [job.record.buffer]);
  }

  #receive(worker, message) {
    if (message.type === 'failed') return this.onBroken(new Error(`verification worker failed: ${message.message}`));
    if (message.type !== 'result') return;
    if (message.record && this.spare.length < this.maxSpare) this.spare.push(message.record);
    message.record = undefined;
    message.worker = worker.id;
    this.idle.push(worker);
    this.onResult(message);
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

    let context = null;
    let bytes = 0;
    let nextToReport = 0;
    let inFlight = 0;
    const finished = new Map();
    // The earliest proof failure, once every epoch before it passed.
    let failure = null;
    // What ends the run at once: a failure, a broken worker, an abort. It
    // interrupts the one wait in progress (the code below waits for one
    // thing at a time). Each wait is a fresh promise: racing every wait
    // against one long-pending promise would keep every settled wait (and
    // the chunk it carried) reachable until the run ends.
    let stop = null;
    let interrupt = null;
    const halt = (error) => {
      if (stop) return;
      stop = error;
      interrupt?.(error);
    };
    const stoppable = (promise) =>
      new Promise((resolve, reject) => {
        if (stop) return reject(stop);
        interrupt = reject;
        promise.then(
          (value) => {
            interrupt = null;
            resolve(value);
          },
          (error) => {
            interrupt = null;
            reject(error);
          },
        );
      });
    const onAbort = () => halt(signal.reason ?? new DOMException('aborted', 'AbortError'));
    signal?.addEventListener('abort', onAbort, { once: true });
    // Resolves on the next proof verdict; rejects once the run must stop.
    let progressed = null;
    const nextVerdict = () =>
      stoppable(
        new Promise((resolve) => {
          progressed = resolve;
        }),
      );

    // Epoch events come with where and how long their proof took:
    // `{ worker, verifyMs }` (worker 0: the calling thread).
    const onResult = (r) => {
      inFlight -= 1;
      finished.set(r.index, r);
      while (!failure && finished.has(nextToReport)) {
        const due = finished.get(nextToReport);
        finished.delete(nextToReport);
        if (!due.ok) {
          failure = verifyErrorFrom(due.error);
          halt(failure);
          break;
        }
        nextToReport += 1;
        onEvent(due.event, { worker: due.worker, verifyMs: due.ms });
      }
      progressed?.();
    };
    const pool = jobs > 1 ? new Pool(platform, jobs, wasm, onResult, halt) : null;
    const drain = async () => {
      while (inFlight > 0) await nextVerdict();
    };
    let cancelSource = null;
    let completed = false;
    const chunks = chunksOf(source, (cancel) => {
      cancelSource = cancel;
    })[Symbol.asyncIterator]();

    try {
      for (;;) {
        const next = await stoppable(chunks.next());
        if (next.done) break;
        const chunk = next.value;
        bytes += chunk.length;
        checker.push(chunk);
        for (;;) {
          const step = checker.nextStep();
          if (step === null) break;
          if (step.type === 'header') {
            context = step.context;
            onEvent(step.event);
          } else if (step.type === 'epoch') {
            const job = step.job;
            if (!pool) {
              try {
                const started = performance.now();
                const event = job.verify();
                nextToReport += 1;
                onEvent(event, { worker: 0, verifyMs: performance.now() - started });
              } finally {
                job.free();
              }
              continue;
            }
            const index = job.index;
            try {
              // A free worker, and a window of `2 * jobs` epochs past the
              // oldest one not reported: a worker that finished need not wait
              // for a slower proof ahead of it (with a window of `jobs` it
              // did). Records live only in the workers and here, so at most
              // `jobs + 1` are in memory whatever the window; it bounds the
              // small verdicts held back for their turn.
              while (inFlight >= jobs || index >= nextToReport + 2 * jobs) await nextVerdict();
              const record = pool.buffer(job.recordLen);
              const length = job.copyRecord(record);
              pool.run({ index, offset: job.offset, context, record, length });
              inFlight += 1;
            } finally {
              job.free();
            }
          } else if (step.type === 'done') {
            await drain();
            if (stop) throw stop;
            onEvent({ type: 'done' });
          }
        }
        if (onProgress) onProgress({ bytes, epochsVerified: nextToReport, bufferedBytes: checker.bufferedBytes() });
      }
      await drain();
      // A verdict that came in after the last wait.
      if (stop) throw stop;
      completed = true;
      return checker.finish();
    } catch (e) {
      // The verdict for an error found while reading: a proof that failed
      // earlier in the stream wins, as it would sequentially. A stop
      // (failure, broken worker, abort) needs no more waiting.
      let error = e;
      if (!stop && pool) {
        try {
          await drain();
        } catch (stopping) {
          error = stopping;
        }
      }
      error = failure ?? error;
      // Epochs reported before the failure.
      if (isVerifyError(error)) error.epochsVerified = nextToReport;
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      pool?.terminate();
      // A verdict before the end of the stream (or an abort): stop reading
      // it, also when a read is still pending (a stalled stream).
      if (!completed) cancelSource?.();
      chunks.return?.().catch(() => {});
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
      const { index, offset, context, record, length } = message;
      const started = performance.now();
      // The record's buffer goes back with the verdict, for the next record.
      try {
        const event = glue.verifyEpoch(context, offset, record.subarray(0, length));
        post({ type: 'result', index, ok: true, event, ms: performance.now() - started, record }, [record.buffer]);
      } catch (e) {
        if (!isVerifyError(e)) throw e;
        const error = { message: e.message, epoch: e.epoch, check: e.check, offset: e.offset, proofCheck: e.proofCheck, epochsVerified: 0 };
        post({ type: 'result', index, ok: false, error, record }, [record.buffer]);
      }
    } catch (e) {
      post({ type: 'failed', message: String(e && e.stack ? e.stack : e) });
    }
  };
}
