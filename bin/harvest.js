#!/usr/bin/env node
// Entry of the `harvest` command. Runs the bundle from `npm run build` while it is newer than every
// source file; otherwise (an edit since, or no build) loads the TypeScript sources through tsx.
// HARVEST_TSX=1 always takes the sources.
import { fileURLToPath } from 'node:url';
import { freshBundle } from './fresh-bundle.js';

const bundle = freshBundle(fileURLToPath(new URL('..', import.meta.url)));
let main;
if (bundle) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
await main();
