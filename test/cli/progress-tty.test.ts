// A backfill on a real pseudo-terminal (util-linux `script`) with warnings flowing: what the person
// sees, replayed through a terminal emulator (@xterm/headless). The bars sit in one block at the
// bottom; every log line is whole, above them, never drawn through; warnings of a kind are logged a
// few times and then counted; the ETA never reads NF; the summary groups them and names the run file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { BIN, REPO, runCli } from '../support/harvest-cli.ts';
import { writeWarningCorpus } from '../support/warning-corpus.ts';

const skip = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0 ? false : 'no util-linux script here';
const prefixes: string[] = [];
after(async () => {
  for (const p of prefixes) await dropPrefix(p);
});

const COLS = 110;

/** Runs `args` on a pseudo-terminal of COLS columns; resolves with everything it wrote. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; raw: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfc', `stty cols ${COLS} rows 40; exec ${quoted}`, '/dev/null'], {
    cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let raw = '';
  child.stdout.on('data', (d) => (raw += d));
  child.stderr.on('data', (d) => (raw += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, raw })));
}

/** The screen and scrollback after `raw` was written to a terminal, one string per row. */
async function screen(raw: string): Promise<string[]> {
  const term = new xterm.Terminal({ cols: COLS, rows: 40, scrollback: 5000, allowProposedApi: true });
  await new Promise<void>((r) => term.write(raw.replace(/\r?\n/g, '\r\n'), r));
  const rows: string[] = [];
  const buf = term.buffer.active;
  for (let i = 0; i < buf.length; i++) rows.push(buf.getLine(i)?.translateToString(true) ?? '');
  term.dispose();
  while (rows.length && rows[rows.length - 1] === '') rows.pop();
  return rows;
}

const BAR_ROW = /^(discovered|enqueued|processed|samples) {2,}/;
const LOG_ROW = /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR)/;

test('bars on a terminal: logs above them, never through them; warnings aggregated; a run file with all of them', { skip }, async () => {
  const prefix = uniquePrefix('tty');
  prefixes.push(prefix);
  const root = mkdtempSync(join(tmpdir(), 'harvest-tty-sessions-'));
  const corpus = writeWarningCorpus(root, 80);
  const out = mkdtempSync(join(tmpdir(), 'harvest-tty-out-'));
  const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_LOG_LEVEL: 'info', HARVEST_CONCURRENCY: '1', TERM: 'xterm-256color' };
  const r = await onTerminal(['backfill', '--pir', root, '--out', out, '--inline'], env);
  assert.equal(r.code, 0, r.raw);
  assert.match(r.raw, /\x1b\[\d*A/, 'the bars were redrawn in place (cursor moved up)');
  assert.doesNotMatch(r.raw, /eta (NF|LL|NULL|INF)/);
  assert.match(r.raw, /eta --/, 'no estimate before there is a rate');

  const rows = await screen(r.raw);
  // One block of bars, drawn last before the summary: any bar drawn through a log would leave a
  // second copy, or a row that is part bar, part log.
  const barRows = rows.map((l, i) => (BAR_ROW.test(l) ? i : -1)).filter((i) => i >= 0);
  assert.equal(barRows.length, 4, `one block of 4 bar rows:\n${rows.join('\n')}`);
  assert.deepEqual(barRows, [barRows[0], barRows[0] + 1, barRows[0] + 2, barRows[0] + 3]);
  assert.match(rows[barRows[2]], new RegExp(`processed +█+ ${corpus.files}/${corpus.files} `));
  assert.match(rows[barRows[3]], new RegExp(`samples +${corpus.malformed} written · ${corpus.files} warnings`));
  for (const [i, l] of rows.entries()) {
    if (barRows.includes(i)) continue;
    assert.doesNotMatch(l, /[█░]/, `row ${i} holds a piece of a bar: ${l}`);
  }
  const logRows = rows.filter((l) => LOG_ROW.test(l));
  assert.ok(logRows.length >= 4, rows.join('\n'));
  for (const l of rows.slice(0, barRows[0])) {
    // Above the bars: whole log lines (wrapped ones continue a log line, never start with a bar label).
    assert.doesNotMatch(l, BAR_ROW, `a bar row above the block: ${l}`);
  }
  // Aggregated: 3 of each kind in the log, then one line saying the rest are counted.
  const malformed = logRows.filter((l) => /WARN \(harvest\): 1 line\(s\) skipped \(malformed_json\)/.test(l));
  assert.equal(malformed.length, 3, logRows.join('\n'));
  assert.equal(logRows.filter((l) => /more "N line\(s\) skipped \(malformed_json\)" warnings: counted in the run summary/.test(l)).length, 1);

  // The summary: counts per kind, the first paths, the run file with every warning.
  const text = rows.slice(barRows[3] + 1).join('\n');
  assert.match(text, new RegExp(`warnings ${corpus.files} \\(every one in (.+\\.json)\\):`));
  assert.match(text, new RegExp(` ${corpus.malformed} {2}N line\\(s\\) skipped \\(malformed_json\\)`));
  assert.match(text, new RegExp(` ${corpus.empty} {2}no conversation turns; nothing to emit`));
  assert.match(text, new RegExp(`\\.\\.\\. ${corpus.malformed - 3} more`));
  const runs = readFileSync(join(out, 'runs', readdirOne(join(out, 'runs'))), 'utf8');
  const file = JSON.parse(runs);
  assert.equal(file.kind, 'sessions');
  assert.equal(file.warning_list.length, corpus.files);
  assert.equal(file.warnings.by_kind.find((g: { kind: string }) => g.kind === 'no conversation turns; nothing to emit').count, corpus.empty);
  assert.equal(file.skipped_lines.malformed_json, corpus.malformed);
});

test('off a terminal: no bars, no escape codes; --quiet: only the summary', { skip }, async () => {
  const prefix = uniquePrefix('notty');
  prefixes.push(prefix);
  const root = mkdtempSync(join(tmpdir(), 'harvest-notty-sessions-'));
  writeWarningCorpus(root, 12);
  const out = mkdtempSync(join(tmpdir(), 'harvest-notty-out-'));
  const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_LOG_LEVEL: 'info' };
  const r = await runCli(['backfill', '--pir', root, '--out', out, '--inline'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, /\x1b\[|█/);
  for (const l of r.stderr.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(l), `a JSON log line: ${l}`);
  assert.match(r.stdout, /^warnings 12 /m);

  const q = mkdtempSync(join(tmpdir(), 'harvest-quiet-sessions-'));
  const small = writeWarningCorpus(q, 5);
  // Its own prefix: the same sessions in the same Redis would be duplicates of the run above.
  const quietPrefix = uniquePrefix('quiet');
  prefixes.push(quietPrefix);
  const quiet = await onTerminal(['backfill', '--pir', q, '--out', mkdtempSync(join(tmpdir(), 'harvest-quiet-out-')), '--inline', '--quiet'], { ...env, HARVEST_PREFIX: quietPrefix });
  assert.equal(quiet.code, 0, quiet.raw);
  assert.doesNotMatch(quiet.raw, /█|WARN|INFO/);
  assert.match(quiet.raw, new RegExp(`samples written ${small.malformed}`));
});

function readdirOne(dir: string): string {
  const names = readdirSync(dir);
  assert.equal(names.length, 1, names.join(', '));
  return names[0];
}
