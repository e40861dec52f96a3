// Module Web Worker: the page's verification coordinator, off the page's
// thread. It reads the bundle as a stream (a File's stream() or a fetch()
// body) and runs the sluice-verify library on it: the chain is checked here
// in order, the proofs in N nested workers that share one streamed-compiled
// module. It posts what it learns back to the page.
//
// Messages in:  {type: 'verify', file?: File, url?: string, imageId?: string, jobs?: number}
// Messages out: {type: 'ready', proofVerifier, jobs}  jobs: the default worker count
//               {type: 'start', total, jobs}          total bytes, or null
//               {type: 'progress', bytes, buffered}
//               {type: 'event', event, info}         header / epoch / done; info:
//                                                    {worker, verifyMs} for an epoch
//               {type: 'summary', summary, bytes, ms}
//               {type: 'rejected', message, epoch, check, epochsVerified, bytes}
//               {type: 'failed', message}            could not read / bad input
import { defaultJobs, init, isVerifyError, verifyStream } from './sluice-verify/lib/browser.mjs';

const ready = init().then((info) => {
  postMessage({ type: 'ready', proofVerifier: info.proofVerifier, jobs: defaultJobs() });
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
  const started = performance.now();
  const { stream, total } = await openStream(job);
  const jobs = job.jobs ?? defaultJobs();
  postMessage({ type: 'start', total, jobs });
  let bytes = 0;
  let lastProgress = 0;
  try {
    const summary = await verifyStream(stream, {
      imageId: job.imageId,
      jobs,
      onEvent: (event, info) => postMessage({ type: 'event', event, info }),
      onProgress: (p) => {
        bytes = p.bytes;
        const now = performance.now();
        if (now - lastProgress > 50) {
          lastProgress = now;
          postMessage({ type: 'progress', bytes, buffered: p.bufferedBytes });
        }
      },
    });
    postMessage({ type: 'progress', bytes, buffered: 0 });
    postMessage({ type: 'summary', summary, bytes, ms: performance.now() - started });
  } catch (e) {
    if (!isVerifyError(e)) throw e;
    postMessage({ type: 'progress', bytes, buffered: null });
    postMessage({ type: 'rejected', message: e.message, epoch: e.epoch, check: e.check, epochsVerified: e.epochsVerified, bytes });
  }
}
