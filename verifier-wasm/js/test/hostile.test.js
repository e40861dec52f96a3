// Hostile-input drills for verify.js (the same drills as the native
// commands' prover/tests/hostile_inputs.rs): every bad input ends in a clear
// error, an endless stream keeps memory flat, a silent stream is waited for
// without spinning, and a verdict does not wait for a stalled stream.
// Memory is the child's peak RSS (VmHWM) sampled from /proc, CPU time its own
// (utime + stime), never wall time.
//
// TEST DOUBLE: the bundles come from the test-only generator and are checked
// by the `test-double` build of the module.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { VERIFY_JS, TEST_PKG, GENERATOR, requireBuilt, tempDir, makeBundle, records } = require('./helpers.js');

requireBuilt();

const MIB = 1 << 20;
const dir = tempDir('sluice-hostile-test-');
const good = makeBundle(path.join(dir, 'good.bin'), { epochs: 8, epochSizeLog2: 4, lastCycles: 3, proofBytes: 4096 });
const goodBytes = fs.readFileSync(good.file);
const recs = records(goodBytes);
const headerEnd = recs[0].end;
const CLK_TCK = 100; // Linux's USER_HZ

function procStatus(pid, field) {
  try {
    const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field + ':'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/// CPU seconds (user + system) a running process has used.
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/// Starts verify.js; resolves with its exit code, output and sampled peak RSS.
function startVerify(args) {
  const child = spawn(process.execPath, [VERIFY_JS, ...args], {
    env: { ...process.env, SLUICE_WASM_PKG: path.join(TEST_PKG, 'web') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.on('error', () => {}); // EPIPE once it exits
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, procStatus(child.pid, 'VmHWM') ?? 0);
  }, 2);
  const done = new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(sampler);
      resolve({ code, stdout, stderr, peak });
    });
  });
  return { child, done };
}

function withBytes(name, bytes) {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('headers claiming huge epochs or another protocol are rejected at the header', async () => {
  const cases = [
    ['epochs of 2^255 cycles', (b) => (b[headerEnd - 1] = 255), 'epoch-size'],
    ['epochs of 2^33 cycles', (b) => (b[headerEnd - 1] = 33), 'epoch-size'],
    ['protocol 127', (b) => (b[recs[0].bodyStart] = 0x7f), 'protocol-version'],
  ];
  for (const [what, mutate, check] of cases) {
    const bytes = Buffer.from(goodBytes);
    mutate(bytes);
    const { done } = startVerify(['--json', withBytes('header.bin', bytes)]);
    const r = await done;
    assert.equal(r.code, 1, `${what}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.equal(j.error.check, check, `${what}: ${j.error.message}`);
    assert.equal(j.error.offset, 12, what);
  }
});

test('a record at the maximum length costs one record of memory; one byte more is refused from its prefix', async () => {
  // MAX_EPOCH_BODY_LEN: 16 fixed bytes, a statement of up to 2^24 + 96, a
  // proof of up to 2^26.
  const MAX = 16 + (2 ** 24 + 96) + 2 ** 26;
  const prefix = (len) => {
    const p = Buffer.alloc(5);
    p[0] = 2;
    p.writeUInt32LE(len, 1);
    return p;
  };
  const atMax = withBytes('max.bin', Buffer.concat([goodBytes.subarray(0, headerEnd), prefix(MAX), Buffer.alloc(MAX, 0xa5)]));
  const r = await startVerify(['--json', '--jobs', '2', atMax]).done;
  assert.equal(r.code, 1, r.stderr);
  assert.equal(JSON.parse(r.stdout).verified, false);
  console.log(`max-length record (${(MAX / MIB).toFixed(0)} MiB): verify.js peak RSS ${(r.peak / MIB).toFixed(0)} MiB`);
  assert.ok(r.peak < 5 * MAX + 100 * MIB, `peak RSS ${r.peak}`);

  const over = withBytes('over.bin', Buffer.concat([goodBytes.subarray(0, headerEnd), prefix(MAX + 1)]));
  const o = await startVerify(['--json', over]).done;
  assert.equal(o.code, 1, o.stderr);
  assert.equal(JSON.parse(o.stdout).error.check, 'format');
});

test('stdin trickling one byte per 100 ms: waited for without spinning, then verified', async () => {
  const { child, done } = startVerify(['--json', '--jobs', '2', '-']);
  // Start-up (compiling the module) is not the drill.
  await sleep(1500);
  const before = cpuSeconds(child.pid);
  for (let i = 0; i < headerEnd; i++) {
    child.stdin.write(goodBytes.subarray(i, i + 1));
    await sleep(100);
  }
  const spent = cpuSeconds(child.pid) - before;
  console.log(`${headerEnd} bytes trickled over ${(headerEnd / 10).toFixed(1)} s: verify.js used ${spent.toFixed(2)} s of CPU`);
  // A busy loop would use the whole trickle.
  assert.ok(spent < 1.5, `${spent} s of CPU`);
  child.stdin.end(goodBytes.subarray(headerEnd));
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).verified, true);
});

test('an endless stream keeps memory flat, then is reported truncated when it stops', async () => {
  const generator = spawn(GENERATOR, ['--endless', '--proof-bytes', '4096', '--epoch-size-log2', '4', '-o', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const { child, done } = startVerify(['--json', '--jobs', '2', '-']);
  let passed = 0;
  const rssAt = {};
  const marks = [16 * MIB, 256 * MIB];
  const finished = new Promise((resolve) => {
    generator.stdout.on('data', (d) => {
      passed += d.length;
      if (!child.stdin.write(d)) {
        generator.stdout.pause();
        child.stdin.once('drain', () => generator.stdout.resume());
      }
      for (const m of marks) if (passed >= m && rssAt[m] === undefined) rssAt[m] = procStatus(child.pid, 'VmRSS');
      if (passed >= marks[marks.length - 1]) {
        generator.kill();
        resolve();
      }
    });
  });
  await finished;
  child.stdin.end();
  const r = await done;
  const [early, late] = marks.map((m) => rssAt[m]);
  console.log(`endless stream: verify.js RSS ${(early / MIB).toFixed(0)} MiB after 16 MiB, ${(late / MIB).toFixed(0)} MiB after 256 MiB (${Math.round(passed / 4200)} epochs)`);
  assert.ok(late - early < 32 * MIB, `RSS grew from ${early} to ${late}`);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(JSON.parse(r.stdout).error.check, 'truncated');
});

test('a bad proof followed by a stalled stream is rejected at once, and verify.js exits', async () => {
  const bad = Buffer.from(goodBytes);
  const epoch1 = recs.find((x) => x.kind === 2 && x.index === 1);
  bad[epoch1.end - 1] ^= 1;
  for (const jobs of ['1', '2']) {
    const { child, done } = startVerify(['--json', '--jobs', jobs, '-']);
    // Everything up to epoch 3, then nothing (stdin stays open).
    const epoch3 = recs.find((x) => x.kind === 2 && x.index === 3);
    child.stdin.write(bad.subarray(0, epoch3.end));
    const timeout = sleep(30000).then(() => 'timeout');
    const r = await Promise.race([done, timeout]);
    if (r === 'timeout') child.kill();
    assert.notEqual(r, 'timeout', `--jobs ${jobs}: no verdict while the stream was silent`);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.error.epoch, 1, `--jobs ${jobs}`);
  }
});

test('hostile --elf paths: empty, a directory, an endless device', async () => {
  const cases = [
    ['empty', withBytes('empty.elf', Buffer.alloc(0)), /shorter than an ELF32 header/],
    ['a directory', dir, /is a directory/],
    ['/dev/zero', '/dev/zero', /larger than 1280 MiB/],
  ];
  for (const [what, elf, message] of cases) {
    const r = await startVerify(['--elf', elf, good.file]).done;
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, message, what);
    assert.ok(r.peak < 1500 * MIB, `${what}: peak RSS ${r.peak}`);
  }
});
