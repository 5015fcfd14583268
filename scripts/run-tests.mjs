#!/usr/bin/env node
// Runs the test suite with node's own runner (TypeScript through tsx). Arguments narrow it to
// files or folders: `npm test -- test/transforms`. A test still running after 5 minutes fails, and a file
// whose tests are done exits even if something it started still runs: a hang cannot stall CI.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(p, out) {
  if (statSync(p).isDirectory()) {
    for (const name of readdirSync(p).sort()) collect(join(p, name), out);
  } else if (p.endsWith('.test.ts')) out.push(p);
  return out;
}

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (roots.length ? roots : ['test']).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error('no test files found under', roots.join(' ') || 'test');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=300000', '--test-force-exit', ...files],
  { stdio: 'inherit', env: { ...process.env, HARVEST_LOG_LEVEL: process.env.HARVEST_LOG_LEVEL ?? 'silent' } },
);
process.exit(r.status ?? 1);
