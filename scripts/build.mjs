#!/usr/bin/env node
// Bundles the command line (sources and their packages) into dist/harvest.mjs. The bundle starts in
// about a third of the time tsx needs to load the TypeScript sources and their ~1000 package files,
// which is most of an unchanged re-run. bin/harvest.js uses it only while it is newer than every source.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;

/**
 * Kept as packages: native addons, and pino, whose log transports run in worker threads it starts
 * from its own files.
 */
export const EXTERNAL = ['better-sqlite3', 'msgpackr-extract', 'pino', 'pino-pretty'];

mkdirSync(dist, { recursive: true });
await build({
  entryPoints: { harvest: `${root}src/cli/main.ts` },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  // Commands and queue workers are imported when run: each lands in a chunk of its own.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  // Bundled CommonJS packages call require() for Node built-ins and resolve their own files.
  banner: { js: "import { createRequire as __harvestRequire } from 'node:module'; const require = __harvestRequire(import.meta.url);" },
  logLevel: 'warning',
});
// Written last: bin/harvest.js compares the sources' times against this file's.
writeFileSync(`${dist}/BUILT`, `${new Date().toISOString()}\n`);
