// The npm package as a user gets it: `npm pack`, install the tarball into an
// empty folder with no network, run its bin on a real bundle, import its API
// from ESM and CommonJS, and type-check a TypeScript user of it.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ROOT, tempDir } = require('./helpers.js');

const PACKAGE = path.join(ROOT, 'verifier-wasm');
const BUNDLE = path.join(ROOT, 'build', 'collatz.bundle');
const TSC = path.join(PACKAGE, 'node_modules', '.bin', 'tsc');
for (const f of [BUNDLE, path.join(PACKAGE, 'pkg', 'web', 'sluice_verifier_wasm_bg.wasm'), TSC]) {
  if (!fs.existsSync(f)) throw new Error(`${f} is missing: run scripts/test.sh (it builds the module, proves the bundle and installs the dev dependencies)`);
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = tempDir('sluice-npm-');
let tarball;

test.before(() => {
  const packed = run('npm', ['pack', '--json', '--pack-destination', scratch], PACKAGE);
  assert.equal(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout);
  tarball = path.join(scratch, info.filename);
  const files = info.files.map((f) => f.path).sort();
  // What ships: the library, the bin, the web glue and module, the README.
  for (const want of ['README.md', 'bin/sluice-verify.mjs', 'lib/browser.mjs', 'lib/core.mjs', 'lib/index.d.ts', 'lib/node.mjs', 'lib/worker-browser.mjs', 'lib/worker-node.mjs', 'package.json', 'pkg/web/package.json', 'pkg/web/sluice_verifier_wasm.js', 'pkg/web/sluice_verifier_wasm_bg.wasm', 'verify.js']) {
    assert.ok(files.includes(want), `${want} missing from the tarball: ${files.join(', ')}`);
  }
  // What does not: tests, sources, the nodejs-target glue, the test double.
  for (const f of files) assert.doesNotMatch(f, /^(js|src|node_modules|pkg\/node|pkg-test-double)\//);

  const app = path.join(scratch, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const installed = run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app);
  assert.equal(installed.code, 0, installed.stderr);
});

const app = () => path.join(scratch, 'app');

test('npx sluice-verify verifies a real bundle from the installed package', () => {
  const r = run('npx', ['--offline', '--no-install', 'sluice-verify', '--json', BUNDLE], app());
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.verified, true);
  assert.equal(j.proofVerifier, 'stark');
  assert.ok(j.epochs >= 1);
  const bad = run('npx', ['--offline', '--no-install', 'sluice-verify', '--jobs', '2', '--image-id', '00'.repeat(32), BUNDLE], app());
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /image-id/);
});

test('the API imports from ESM and CommonJS and verifies with workers', () => {
  fs.writeFileSync(
    path.join(app(), 'check.mjs'),
    `import { readFileSync } from 'node:fs';
import { verifyStream, isVerifyError } from 'sluice-verify';
const bytes = readFileSync(process.argv[2]);
const epochs = [];
const summary = await verifyStream(bytes, { jobs: 2, onEvent: (e) => e.type === 'epoch' && epochs.push(e.index) });
const bad = Uint8Array.from(bytes);
bad[bad.length - 100] ^= 1;
const error = await verifyStream(bad, { jobs: 2 }).then(() => null, (e) => e);
console.log(JSON.stringify({ epochs: summary.epochs, order: epochs, rejected: isVerifyError(error), check: error && error.check }));
`,
  );
  const r = run(process.execPath, ['check.mjs', BUNDLE], app());
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.order, [...Array(j.epochs).keys()]);
  assert.equal(j.rejected, true);
  fs.writeFileSync(
    path.join(app(), 'check.cjs'),
    `const { verifyStream, Verifier, init } = require('sluice-verify');
const fs = require('node:fs');
(async () => {
  const info = await init();
  const v = new Verifier(undefined);
  v.push(fs.readFileSync(process.argv[2]));
  const s = v.finish();
  const p = await verifyStream(fs.createReadStream(process.argv[2]), { jobs: 1 });
  console.log(JSON.stringify({ proofVerifier: info.proofVerifier, same: s.outputSha256 === p.outputSha256 && s.epochs === p.epochs }));
})();
`,
  );
  const c = run(process.execPath, ['check.cjs', BUNDLE], app());
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout), { proofVerifier: 'stark', same: true });
});

test('a TypeScript user type-checks against the declarations (tsc --noEmit)', () => {
  fs.writeFileSync(
    path.join(app(), 'check.ts'),
    `import { verifyStream, isVerifyError, Verifier, type Summary, type VerifyEvent } from 'sluice-verify';
export async function check(bytes: Uint8Array): Promise<string> {
  const seen: number[] = [];
  try {
    const s: Summary = await verifyStream(bytes, {
      jobs: 2,
      imageId: null,
      onEvent: (e: VerifyEvent) => {
        if (e.type === 'epoch') seen.push(e.index);
      },
      onProgress: (p) => void p.bytes,
    });
    const v = new Verifier(s.imageId);
    v.free();
    return \`\${s.epochs} epochs, exit \${s.exitCode}, \${seen.length} seen\`;
  } catch (e) {
    if (isVerifyError(e)) return \`rejected at \${e.epoch ?? 'header'}: \${e.check}\`;
    throw e;
  }
}
`,
  );
  // A deliberate type error must be caught, or the check proves nothing.
  fs.writeFileSync(path.join(app(), 'wrong.ts'), `import { verifyStream } from 'sluice-verify';\nexport const x: number = verifyStream(new Uint8Array(), { jobs: 'many' });\n`);
  for (const resolution of [['nodenext', 'nodenext'], ['esnext', 'bundler']]) {
    const base = ['--noEmit', '--strict', '--module', resolution[0], '--moduleResolution', resolution[1], '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
    const ok = run(TSC, [...base, 'check.ts'], app());
    assert.equal(ok.code, 0, `${resolution}: ${ok.stdout}${ok.stderr}`);
    const wrong = run(TSC, [...base, 'wrong.ts'], app());
    assert.notEqual(wrong.code, 0, `${resolution}: the type error was not reported`);
    assert.match(wrong.stdout + wrong.stderr, /jobs|not assignable/);
  }
});
