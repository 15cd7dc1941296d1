// Bundles the web map into one folder of static files that the server embeds.
// Usage: node build.mjs [--out DIR]   (default: dist)
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const here = new URL('.', import.meta.url).pathname;
const at = process.argv.indexOf('--out');
const out = resolve(at > 0 ? process.argv[at + 1] : join(here, 'dist'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await esbuild.build({
  entryPoints: [join(here, 'src/planner.ts'), join(here, 'src/resident.ts'), join(here, 'src/embed.ts'), join(here, 'src/app.css')],
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',
  outdir: out,
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});

// MapLibre 6 runs its worker from a file of its own; the page points at it with setWorkerUrl.
copyFileSync(join(here, 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'), join(out, 'maplibre-gl-worker.mjs'));
for (const f of readdirSync(join(here, 'static'))) copyFileSync(join(here, 'static', f), join(out, f));

// The sizes go into the README: print them, and keep them beside the files.
const sizes = readdirSync(out)
  .filter((f) => f !== 'sizes.json')
  .sort()
  .map((f) => {
    const bytes = statSync(join(out, f)).size;
    const gzip = gzipSync(readFileSync(join(out, f))).length;
    return { file: f, bytes, gzip };
  });
writeFileSync(join(out, 'sizes.json'), JSON.stringify(sizes, null, 1));
const total = sizes.reduce((a, s) => [a[0] + s.bytes, a[1] + s.gzip], [0, 0]);
console.log(`web map built in ${out}: ${sizes.length} files, ${(total[0] / 1024).toFixed(0)} KiB (${(total[1] / 1024).toFixed(0)} KiB gzipped)`);

