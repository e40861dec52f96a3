// Tiny static server for the verifier page: `node web/serve.mjs [PORT] [--root DIR]`.
// Listens on 127.0.0.1 only. Serves .wasm as application/wasm (so browsers can
// compile it while streaming), sends Content-Length (the page's progress bar
// needs it) and Cache-Control: no-store (a rebuilt module is never stale).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** Starts the server; resolves to the `http.Server` once it listens. */
export function startServer({ root, port = 8000, host = '127.0.0.1' } = {}) {
  const base = path.resolve(root ?? path.dirname(fileURLToPath(import.meta.url)));
  const server = http.createServer((req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(text + '\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(base, '.' + rel);
    if (file !== base && !file.startsWith(base + path.sep)) return send(403, 'forbidden');
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) return send(404, 'not found');
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let port = 8000;
  let root;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--root') root = args[++i];
    else if (/^\d+$/.test(args[i])) port = Number(args[i]);
    else {
      console.error('usage: node web/serve.mjs [PORT] [--root DIR]');
      process.exit(2);
    }
  }
  const server = await startServer({ root, port });
  const { port: actual } = server.address();
  console.log(`serving ${path.resolve(root ?? path.dirname(fileURLToPath(import.meta.url)))} at http://127.0.0.1:${actual}/`);
}
