// Module Web Worker: runs the WebAssembly streaming verifier off the page's
// thread. It reads the bundle as a stream (a File's stream() or a fetch()
// body), pushes each chunk into the verifier and drops it, and posts what it
// learns back to the page.
//
// Messages in:  {type: 'verify', file?: File, url?: string, imageId?: string}
// Messages out: {type: 'ready', proofVerifier}
//               {type: 'start', total}               total bytes, or null
//               {type: 'progress', bytes, buffered}
//               {type: 'event', event}               header / epoch / done
//               {type: 'summary', summary, bytes, ms}
//               {type: 'rejected', message, epoch, check, epochsVerified, bytes}
//               {type: 'failed', message}            could not read / bad input
import init, { Verifier, proofVerifier } from './pkg/sluice_verifier_wasm.js';

const ready = init({ module_or_path: new URL('./pkg/sluice_verifier_wasm_bg.wasm', import.meta.url) }).then(() => {
  postMessage({ type: 'ready', proofVerifier: proofVerifier() });
});

let busy = false;

self.onmessage = async (msg) => {
  const job = msg.data;
  if (job.type !== 'verify') return;
  if (busy) {
    postMessage({ type: 'failed', message: 'a verification is already running' });
    return;
  }
  busy = true;
  try {
    await ready;
    await verify(job);
  } catch (e) {
    postMessage({ type: 'failed', message: String(e && e.message ? e.message : e) });
  } finally {
    busy = false;
  }
};

async function openStream(job) {
  if (job.file) return { stream: job.file.stream(), total: job.file.size };
  const response = await fetch(job.url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`fetching ${job.url}: HTTP ${response.status} ${response.statusText}`);
  if (!response.body) throw new Error(`fetching ${job.url}: no response body`);
  const length = Number(response.headers.get('Content-Length'));
  return { stream: response.body, total: Number.isFinite(length) && length > 0 ? length : null };
}

async function verify(job) {
  let verifier;
  try {
    verifier = new Verifier(job.imageId ? job.imageId : undefined);
  } catch (e) {
    postMessage({ type: 'failed', message: e.message });
    return;
  }
  const started = performance.now();
  const { stream, total } = await openStream(job);
  postMessage({ type: 'start', total });
  const reader = stream.getReader();
  let bytes = 0;
  let lastProgress = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (const event of verifier.push(value)) postMessage({ type: 'event', event });
      const now = performance.now();
      if (now - lastProgress > 50) {
        lastProgress = now;
        postMessage({ type: 'progress', bytes, buffered: verifier.bufferedBytes() });
      }
    }
    postMessage({ type: 'progress', bytes, buffered: verifier.bufferedBytes() });
    const summary = verifier.finish();
    postMessage({ type: 'summary', summary, bytes, ms: performance.now() - started });
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e && e.name === 'VerifyError') {
      postMessage({ type: 'progress', bytes, buffered: null });
      postMessage({ type: 'rejected', message: e.message, epoch: e.epoch, check: e.check, epochsVerified: e.epochsVerified, bytes });
    } else {
      throw e;
    }
  } finally {
    verifier.free();
  }
}
