// What a person who gets an argument or a setting wrong sees, through the real command: one line
// naming the thing and what fixes it, exit 2, no stack trace (unless --verbose), no JSON log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { runCli, type CliResult } from '../support/harvest-cli.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { exitCodesOf } from '../../src/cli/exit-codes.ts';

const prefix = uniquePrefix('newcomer');
after(() => dropPrefix(prefix));
const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_LOG_LEVEL: 'info' };

/** Exactly one line on stderr, starting `harvest: `, with no stack frame and no JSON. */
function oneLine(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code\n${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line:\n${r.stderr}`);
  assert.match(lines[0], /^harvest: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\s+at .+:\d+:\d+|"level":/);
}

test('a root that does not exist exits 2 naming it, before Redis is looked for', async () => {
  // Redis is unreachable here: the mistyped folder is said first.
  const r = await runCli(['backfill', '--claude', '/nonexistent/projects', '--inline'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
  oneLine(r, 2, /--claude \/nonexistent\/projects: no such folder; .*leave out --claude/);
  const w = await runCli(['watch', '--pir', '/nonexistent/sessions'], env);
  oneLine(w, 2, /--pir \/nonexistent\/sessions: no such folder/);
});

test('a root whose sessions are a level down (or up) says where they are', async () => {
  const above = await runCli(['backfill', '--claude', 'fixtures/claude', '--inline'], env);
  oneLine(above, 2, /--claude fixtures\/claude holds no sessions itself, but fixtures\/claude\/projects does; run with --claude fixtures\/claude\/projects$/);
  const pi = await runCli(['backfill', '--pir', 'fixtures/pi'], env);
  oneLine(pi, 2, /run with --pir fixtures\/pi\/sessions$/);
  // A project folder named instead of the projects root: its parent.
  const project = await runCli(['backfill', '--claude', 'fixtures/claude/projects/-home-agent-gt-mayor'], env);
  oneLine(project, 2, /run with --claude fixtures\/claude\/projects$/);
  // Two levels down, the folder named as the harness names its root wins over look-alikes.
  const far = await runCli(['backfill', '--claude', 'fixtures'], env);
  oneLine(far, 2, /run with --claude fixtures\/claude\/projects$/);
  // Every harness's flag, through the same discovery.
  oneLine(await runCli(['backfill', '--codex', 'fixtures/codex'], env), 2, /run with --codex fixtures\/codex\/sessions$/);
  oneLine(await runCli(['backfill', '--gemini', 'fixtures/gemini'], env), 2, /run with --gemini fixtures\/gemini\/tmp$/);
  oneLine(await runCli(['backfill', '--opencode', 'fixtures'], env), 2, /run with --opencode fixtures\/opencode$/);
});

test('an existing folder with no sessions anywhere near is a run with nothing found, not an error', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'harvest-empty-root-'));
  const out = mkdtempSync(join(tmpdir(), 'harvest-empty-out-'));
  const r = await runCli(['backfill', '--claude', empty, '--out', out, '--inline', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no session files under/);
});

test('validate and report on a folder with no dataset exit 2', async () => {
  const v = await runCli(['validate', '/nonexistent'], env);
  oneLine(v, 2, /\/nonexistent: no such folder; make one with `harvest backfill --inline --out DIR`/);
  const bare = mkdtempSync(join(tmpdir(), 'harvest-bare-'));
  const v2 = await runCli(['validate', bare], env);
  oneLine(v2, 2, /holds no dataset \(no samples\/, beads\/ or runs\/ in it\)/);
  const r = await runCli(['report', '--out', '/nonexistent'], env);
  oneLine(r, 2, /--out \/nonexistent: no such folder/);
  const r2 = await runCli(['report'], { ...env, HARVEST_OUT: bare });
  oneLine(r2, 2, /the default dataset folder \(HARVEST_OUT\) .*holds no dataset/);
  // A dataset one level down: named.
  const parent = mkdtempSync(join(tmpdir(), 'harvest-parent-'));
  mkdirSync(join(parent, 'data', 'samples'), { recursive: true });
  const r3 = await runCli(['report', '--out', parent], env);
  oneLine(r3, 2, /holds no dataset itself, but .*\/data does; run with --out .*\/data$/);
});

test('bad flags: one line naming the command\'s help, exit 2', async () => {
  oneLine(await runCli(['backfill', '--bogus'], env), 2, /^harvest: unknown option '--bogus'; see harvest backfill --help$/);
  oneLine(await runCli(['backfill', '--concurrency', 'x'], env), 2, /argument 'x' is invalid\. expected a positive whole number; see harvest backfill --help$/);
  oneLine(await runCli(['backfill', '--thinking', 'maybe'], env), 2, /Allowed choices are keep, drop; see harvest backfill --help$/);
  oneLine(await runCli(['record-action'], env), 2, /required option '--repo <owner\/name>' not specified; see harvest record-action --help$/);
  oneLine(await runCli(['nonsense'], env), 2, /unknown command 'nonsense'/);
  oneLine(await runCli(['worker', '--queues', 'nope'], env), 2, /unknown queue\(s\): nope; name one of session-file, .* in --queues/);
});

test('settings: Redis down, a token file that is not there, a queue with no worker', async () => {
  oneLine(await runCli(['backfill'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' }), 2, /Redis is not reachable at redis:\/\/127\.0\.0\.1:1.*; start one .*harvest doctor/);
  oneLine(await runCli(['status'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' }), 2, /Redis is not reachable/);
  const missing = join(mkdtempSync(join(tmpdir(), 'harvest-token-')), 'token');
  oneLine(await runCli(['poll', 'o/r', '--once', '--inline'], { ...env, GITHUB_TOKEN: '', GITHUB_TOKEN_FILE: missing }), 2,
    /cannot read GITHUB_TOKEN_FILE .*token: ENOENT; point GITHUB_TOKEN_FILE at a file holding the token, or set GITHUB_TOKEN/);
  const empty = join(mkdtempSync(join(tmpdir(), 'harvest-token-')), 'token');
  writeFileSync(empty, '\n');
  oneLine(await runCli(['worker', '--queues', 'pr-poll'], { ...env, GITHUB_TOKEN: '', GITHUB_TOKEN_FILE: empty }), 2, /GITHUB_TOKEN_FILE .* is empty; point GITHUB_TOKEN_FILE at a file holding the token/);
});

test('an unexpected failure is one line too; --verbose adds the stack', async () => {
  // A file where the dataset folder should be: the shard writer cannot make its folders.
  const dir = mkdtempSync(join(tmpdir(), 'harvest-unexpected-'));
  const out = join(dir, 'out');
  writeFileSync(out, 'not a folder');
  const args = ['report', '--out', dir, '--html', join(out, 'r.html')];
  mkdirSync(join(dir, 'samples'));
  const r = await runCli(args, env);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^harvest: .*\(run again with --verbose for the stack trace\)$/m);
  const v = await runCli([...args, '--verbose'], env);
  assert.equal(v.code, 1);
  assert.match(v.stderr, /\n\s+at .+:\d+:\d+/, 'stack with --verbose');
});

test('every command\'s help lists its exit codes', async () => {
  const program = await buildProgram(['node', 'harvest']);
  const leaves: { path: string; help: string }[] = [];
  const walk = (cmd: typeof program, path: string[]) => {
    for (const sub of cmd.commands) {
      if (sub.name() === 'help') continue;
      if (sub.commands.length) walk(sub, [...path, sub.name()]);
      else {
        let help = '';
        sub.configureOutput({ writeOut: (s) => (help += s) });
        sub.outputHelp();
        leaves.push({ path: [...path, sub.name()].join(' '), help });
      }
    }
  };
  walk(program, []);
  assert.ok(leaves.length >= 25, `commands (${leaves.length})`);
  for (const l of leaves) {
    assert.match(l.help, /\nExit codes:\n {2}0 {2}/, l.path);
    for (const [code, meaning] of Object.entries(exitCodesOf(l.path))) assert.ok(l.help.includes(`  ${code}  ${meaning}`), `${l.path}: ${code}`);
  }
  assert.match(leaves.find((l) => l.path === 'record-action')!.help, / {2}3 {2}Redis is down/);
});
