// Writes a .gz beside every compressible file of the build (js, css, html, svg, json, wasm), so
// `vigil serve` can answer `Accept-Encoding: gzip` without compressing on each request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const root = process.argv[2] ?? 'dist';
const compressible = /\.(js|mjs|css|html|svg|json|wasm|txt|map)$/;
let files = 0;
let raw = 0;
let packed = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path);
    } else if (compressible.test(name)) {
      const data = readFileSync(path);
      const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
      if (gz.length < data.length) {
        writeFileSync(`${path}.gz`, gz);
        files += 1;
        raw += data.length;
        packed += gz.length;
      }
    }
  }
}

walk(root);
console.log(`compressed ${files} files: ${(raw / 1024).toFixed(0)} KiB -> ${(packed / 1024).toFixed(0)} KiB gzip`);
