// The npm package's library API (lib/node.mjs, lib/core.mjs), end to end.
//
// TEST DOUBLE: the bundles come from the test-only generator and are checked
// by the `test-double` build of the module (passed as `wasm.glueUrl`), so
// these tests exercise the pipeline, the workers and the API, not the STARK
// epoch verifier (stark.test.js does that with real bundles).

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';

import { verifyStream, init, imageIdFromElf, isVerifyError } from '../../lib/node.mjs';
import { makeApi, makeWorkerHandler } from '../../lib/core.mjs';

const require = createRequire(import.meta.url);
const { TEST_PKG, requireBuilt, tempDir, makeBundle, records, tinyElf } = require('./helpers.js');

requireBuilt();
const wasm = { glueUrl: pathToFileURL(path.join(TEST_PKG, 'web', 'sluice_verifier_wasm.js')).href };
const dir = tempDir('sluice-library-test-');
const EPOCHS = 12;
const good = makeBundle(path.join(dir, 'good.bin'), { epochs: EPOCHS, epochSizeLog2: 4, lastCycles: 3, exitCode: 4, output: 'library' });
const goodBytes = fs.readFileSync(good.file);
const epochRecords = records(goodBytes).filter((r) => r.kind === 2);

/// The bundle with the last proof byte of the given epochs flipped.
function withBadProofs(...epochs) {
  const copy = Buffer.from(goodBytes);
  for (const e of epochs) copy[epochRecords[e].end - 1] ^= 1;
  return copy;
}

async function collect(source, options = {}) {
  const events = [];
  try {
    const summary = await verifyStream(source, { wasm, ...options, onEvent: (e) => events.push(e) });
    return { events, summary };
  } catch (error) {
    return { events, error };
  }
}

const epochIndices = (events) => events.filter((e) => e.type === 'epoch').map((e) => e.index);

test('init reports the module it loaded', async () => {
  const info = await init(wasm);
  assert.equal(info.proofVerifier, 'test-double');
  assert.match(info.soundnessWarning, /protocol/);
});

test('every kind of source and every job count give the same summary and events', async () => {
  const reference = await collect(goodBytes, { jobs: 1 });
  assert.ok(!reference.error, reference.error);
  assert.equal(reference.summary.epochs, EPOCHS);
  assert.equal(reference.summary.exitCode, 4);
  assert.equal(reference.summary.outputText, 'library');
  assert.equal(reference.events[0].type, 'header');
  assert.deepEqual(epochIndices(reference.events), [...Array(EPOCHS).keys()]);
  assert.deepEqual(reference.events.at(-1), { type: 'done' });
  const sources = {
    'Uint8Array': () => new Uint8Array(goodBytes),
    'ArrayBuffer': () => goodBytes.buffer.slice(goodBytes.byteOffset, goodBytes.byteOffset + goodBytes.length),
    'Blob': () => new Blob([goodBytes]),
    'web ReadableStream': () => new Blob([goodBytes]).stream(),
    'Node Readable': () => fs.createReadStream(good.file, { highWaterMark: 333 }),
    'async generator of 7-byte chunks': () =>
      (async function* () {
        for (let at = 0; at < goodBytes.length; at += 7) yield goodBytes.subarray(at, at + 7);
      })(),
    'array of chunks': () => [goodBytes.subarray(0, 100), goodBytes.subarray(100)],
  };
  for (const [name, source] of Object.entries(sources)) {
    for (const jobs of [1, 2, 3, 4]) {
      const r = await collect(source(), { jobs });
      assert.ok(!r.error, `${name}, ${jobs} jobs: ${r.error}`);
      assert.deepEqual(r.summary, reference.summary, `${name}, ${jobs} jobs`);
      assert.deepEqual(r.events, reference.events, `${name}, ${jobs} jobs`);
    }
  }
});

test('a bad proof is reported at its epoch with the epochs before it, whatever the job count', async () => {
  for (const bad of [withBadProofs(5), withBadProofs(5, 8), withBadProofs(5, 6, 7)]) {
    for (const jobs of [1, 2, 3, 4]) {
      const r = await collect(bad, { jobs });
      assert.ok(isVerifyError(r.error), `${jobs} jobs: ${r.error}`);
      assert.equal(r.error.epoch, 5);
      assert.equal(r.error.check, 'proof');
      assert.equal(r.error.offset, epochRecords[5].start);
      assert.equal(r.error.epochsVerified, 5);
      assert.deepEqual(epochIndices(r.events), [0, 1, 2, 3, 4], `${jobs} jobs`);
      assert.ok(!r.events.some((e) => e.type === 'done'));
    }
  }
});

test('a bad proof before a broken chain or a truncation is the verdict', async () => {
  const bad = withBadProofs(2);
  // Epoch 6's record removed: the chain breaks there.
  const gap = Buffer.concat([bad.subarray(0, epochRecords[6].start), bad.subarray(epochRecords[7].start)]);
  const cut = bad.subarray(0, epochRecords[9].start + 11);
  for (const [name, bytes] of [['gap', gap], ['cut', cut]]) {
    for (const jobs of [1, 3]) {
      const r = await collect(bytes, { jobs });
      assert.equal(r.error?.epoch, 2, `${name}, ${jobs} jobs: ${r.error}`);
      assert.equal(r.error.check, 'proof');
    }
  }
  // Without the bad proof, the gap and the cut are the verdicts.
  for (const jobs of [1, 3]) {
    const gapOnly = Buffer.concat([goodBytes.subarray(0, epochRecords[6].start), goodBytes.subarray(epochRecords[7].start)]);
    const r = await collect(gapOnly, { jobs });
    assert.equal(r.error?.check, 'index', String(r.error));
    assert.equal(r.error.epochsVerified, 6);
    assert.deepEqual(epochIndices(r.events), [0, 1, 2, 3, 4, 5]);
    const t = await collect(goodBytes.subarray(0, epochRecords[9].start + 11), { jobs });
    assert.equal(t.error?.check, 'truncated', String(t.error));
    assert.equal(t.error.epoch, 9);
  }
});

test('the expected image ID is enforced and bad arguments are refused before any work', async () => {
  const other = '11'.repeat(32);
  const r = await collect(goodBytes, { imageId: other, jobs: 2 });
  assert.equal(r.error?.check, 'image-id');
  const ok = await collect(goodBytes, { imageId: good.imageId, jobs: 2 });
  assert.ok(!ok.error, String(ok.error));
  await assert.rejects(verifyStream(goodBytes, { wasm, imageId: 'zz' }), { name: 'UsageError' });
  await assert.rejects(verifyStream(goodBytes, { wasm, jobs: 0 }), RangeError);
  await assert.rejects(verifyStream(goodBytes, { wasm, jobs: 1.5 }), RangeError);
  await assert.rejects(verifyStream(42, { wasm }), TypeError);
  await assert.rejects(verifyStream(['not bytes'], { wasm }), TypeError);
});

test('imageIdFromElf computes the ID and refuses a non-ELF', async () => {
  const id = await imageIdFromElf(tinyElf(0x10000, [0x00000073]), wasm);
  assert.match(id, /^[0-9a-f]{64}$/);
  await assert.rejects(imageIdFromElf(new Uint8Array([1, 2, 3]), wasm), { name: 'UsageError' });
});

test('aborting stops the verification', async () => {
  const controller = new AbortController();
  const source = (async function* () {
    yield goodBytes.subarray(0, epochRecords[3].end);
    controller.abort();
    yield goodBytes.subarray(epochRecords[3].end);
  })();
  await assert.rejects(verifyStream(source, { wasm, jobs: 2, signal: controller.signal }), { name: 'AbortError' });
});

test('a source that fails is reported as its own error, not as a verdict', async () => {
  const source = (async function* () {
    yield goodBytes.subarray(0, epochRecords[2].end);
    throw new Error('disk on fire');
  })();
  await assert.rejects(verifyStream(source, { wasm, jobs: 3 }), /disk on fire/);
});

/// A platform whose "workers" run in this thread after a delay chosen per
/// epoch, so that proofs finish in an order the test picks.
function delayedPlatform(delayOf) {
  return {
    compile: async (url) => WebAssembly.compile(await readFile(url)),
    defaultJobs: () => 3,
    startWorker(onMessage) {
      const handle = makeWorkerHandler((m) => onMessage(m));
      let alive = true;
      return {
        post(message) {
          const delay = message.type === 'job' ? delayOf(message.index) : 0;
          setTimeout(() => alive && handle(message), delay);
        },
        terminate() {
          alive = false;
        },
      };
    },
  };
}

test('events stay in epoch order and the earliest failure wins when proofs finish out of order', async () => {
  const api = makeApi(delayedPlatform((i) => (i % 3 === 0 ? 40 : 1)));
  for (const jobs of [2, 3, 5]) {
    const events = [];
    const summary = await api.verifyStream(goodBytes, { wasm, jobs, onEvent: (e) => events.push(e) });
    assert.equal(summary.epochs, EPOCHS);
    assert.deepEqual(epochIndices(events), [...Array(EPOCHS).keys()], `${jobs} jobs`);
  }
  // Epoch 3 is slow and bad, epoch 4 fast and bad: 3 is reported.
  const bad = withBadProofs(3, 4);
  for (const jobs of [2, 3, 5]) {
    const events = [];
    await assert.rejects(api.verifyStream(bad, { wasm, jobs, onEvent: (e) => events.push(e) }), (e) => {
      assert.equal(e.epoch, 3);
      assert.equal(e.epochsVerified, 3);
      return true;
    });
    assert.deepEqual(epochIndices(events), [0, 1, 2]);
  }
});

test('the package entry can be required from CommonJS', () => {
  const lib = require('../../lib/node.mjs');
  assert.equal(typeof lib.verifyStream, 'function');
  assert.equal(typeof lib.Verifier, 'function');
});

test('a bad proof stops the run while the source stalls, and so does an abort', async () => {
  const bad = withBadProofs(1);
  const stalling = () =>
    (async function* () {
      yield bad.subarray(0, epochRecords[4].end);
      await new Promise(() => {}); // a live stream that never sends more
    })();
  for (const jobs of [1, 2, 3]) {
    const r = await collect(stalling(), { jobs });
    assert.equal(r.error?.epoch, 1, `${jobs} jobs: ${r.error}`);
    assert.equal(r.error.check, 'proof');
    assert.deepEqual(epochIndices(r.events), [0]);
  }
  const controller = new AbortController();
  const good = (async function* () {
    yield goodBytes.subarray(0, epochRecords[4].end);
    setTimeout(() => controller.abort(), 50);
    await new Promise(() => {});
  })();
  await assert.rejects(verifyStream(good, { wasm, jobs: 2, signal: controller.signal }), { name: 'AbortError' });
});

test('a worker that breaks fails the run instead of hanging it', async () => {
  const api = makeApi({
    compile: async (url) => WebAssembly.compile(await readFile(url)),
    defaultJobs: () => 2,
    startWorker(onMessage, onError) {
      return {
        post(message) {
          if (message.type === 'job') setTimeout(() => onError(new Error('worker died')), 5);
        },
        terminate() {},
      };
    },
  });
  await assert.rejects(api.verifyStream(goodBytes, { wasm, jobs: 2 }), /worker died/);
});

test('the workers cannot be given another module than the calling thread', async () => {
  const other = await WebAssembly.compile(await readFile(new URL('../../pkg/web/sluice_verifier_wasm_bg.wasm', import.meta.url)));
  await init(wasm);
  await assert.rejects(verifyStream(goodBytes, { wasm: { ...wasm, module: other }, jobs: 2 }), { name: 'UsageError' });
});

test('a run keeps no chunk it has consumed (memory stays flat with the stream)', () => {
  const big = makeBundle(path.join(dir, 'big.bin'), { epochs: 150, epochSizeLog2: 20, lastCycles: 9, proofBytes: 400000, seed: 'big' });
  assert.ok(fs.statSync(big.file).size > 50 * 1024 * 1024);
  const script = path.join(dir, 'held.mjs');
  fs.writeFileSync(
    script,
    `import { createReadStream } from 'node:fs';
import { verifyStream } from ${JSON.stringify(new URL('../../lib/node.mjs', import.meta.url).href)};
const wasm = ${JSON.stringify(wasm)};
for (const jobs of [1, 2]) {
  const s = await verifyStream(createReadStream(process.argv[2], { highWaterMark: 1 << 20 }), { wasm, jobs });
  if (s.epochs !== 150) throw new Error('epochs ' + s.epochs);
}
// Under load a worker's last messages can still be settling when the run
// resolves: collect a few times (at most half a second) before judging;
// a chunk that is kept stays whatever the wait.
let held = Infinity;
for (let i = 0; i < 10 && held >= 16 * 1024 * 1024; i++) {
  await new Promise((r) => setTimeout(r, 50));
  globalThis.gc();
  held = process.memoryUsage().arrayBuffers;
}
console.log(held);
`,
  );
  const r = spawnSync(process.execPath, ['--expose-gc', script, big.file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const held = Number(r.stdout.trim());
  // A few records and chunks at most, not the 60 MB that went through.
  assert.ok(held < 16 * 1024 * 1024, `${held} bytes of ArrayBuffers still held`);
});
