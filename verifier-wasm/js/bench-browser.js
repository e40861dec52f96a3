// Times verification of one bundle in headless Chromium through the page
// (module Web Worker, streaming fetch), for docs/benchmarks.md.
//
//   node verifier-wasm/js/bench-browser.js BUNDLE
//
// Prints epochs, wall seconds from the click to the verdict, and ms/epoch.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { chromium } = require('playwright-core');

async function main() {
  const bundle = process.argv[2];
  if (!bundle || !fs.existsSync(bundle)) {
    console.error('usage: node verifier-wasm/js/bench-browser.js BUNDLE');
    process.exit(2);
  }
  const root = path.resolve(__dirname, '..', '..');
  const site = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-web-'));
  fs.cpSync(path.join(root, 'web'), site, { recursive: true });
  fs.copyFileSync(bundle, path.join(site, 'bundle.bin'));
  const { startServer } = await import(pathToFileURL(path.join(root, 'web', 'serve.mjs')).href);
  const server = await startServer({ root: site, port: 0 });
  const base = `http://127.0.0.1:${server.address().port}/`;
  const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-chromium-')), {
    executablePath: process.env.SLUICE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    await page.goto(base);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await page.fill('#url', base + 'bundle.bin');
    const started = process.hrtime.bigint();
    await page.click('#url-form button');
    await page.waitForSelector('#status.ok, #status.bad', { timeout: 600000 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ok = await page.$('#status.ok');
    const epochs = ok ? Number((await page.textContent('#s-epochs')).replace(/,/g, '')) : NaN;
    console.log(JSON.stringify({ verified: Boolean(ok), epochs, seconds, msPerEpoch: (seconds * 1000) / epochs }));
  } finally {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
