#!/usr/bin/env node
// Builds the app under test into dist/app: the page script, the hashing worker, HTML and CSS.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'app-under-test');
const out = path.join(root, 'dist', 'app');
fs.mkdirSync(out, { recursive: true });

const started = Date.now();
await esbuild.build({
  entryPoints: { main: path.join(src, 'main.ts'), 'hash-worker': path.join(src, 'hash', 'hash-worker.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
  // simple-peer's package entry expects Node's stream/buffer; its own browser bundle is self-contained.
  alias: { 'simple-peer': path.join(root, 'node_modules', 'simple-peer', 'simplepeer.min.js') },
});
for (const f of ['index.html', 'app.css']) fs.copyFileSync(path.join(src, f), path.join(out, f));
console.log(`built the app into ${path.relative(root, out)}/ in ${Date.now() - started} ms`);
