#!/usr/bin/env node
// A stand-in for `pir -p`: writes a pi (version 3) session for the role and prompt it is given into
// --sessions, as pir does with --session-dir, and exits. What the prompt says steers it:
//   [fail]   writes to stderr (a fake GitHub token among it) and exits 3
//   [hang]   starts a child in its process group, writes both pids to --pids, and never exits
//   [print]  also prints the session's path as its last stdout line
// Runs of the same prompt alternate (counted in --state): the 1st, 3rd, ... succeed at their tool
// call and finish; the 2nd, 4th, ... get tool errors and end in an error. So repeats differ.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    prompt: { type: 'string' },
    system: { type: 'string' },
    cwd: { type: 'string' },
    sessions: { type: 'string' },
    state: { type: 'string' },
    pids: { type: 'string' },
  },
});
const { role, prompt, cwd, sessions } = values;
if (!role || !prompt || !cwd || !sessions) {
  process.stderr.write('fake-generator: needs --role, --prompt, --cwd and --sessions\n');
  process.exit(2);
}
if (process.cwd() !== cwd) {
  process.stderr.write(`fake-generator: run in ${process.cwd()}, expected ${cwd}\n`);
  process.exit(2);
}

if (prompt.includes('[fail]')) {
  process.stderr.write('starting pir\nerror: provider said 401 for token ghp_abcdefghijklmnopqrstuvwxyz0123456789\nfatal: giving up\n');
  process.exit(3);
}
if (prompt.includes('[hang]')) {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  if (values.pids) {
    mkdirSync(values.pids, { recursive: true });
    writeFileSync(join(values.pids, `${basename(cwd)}-${process.pid}.json`), JSON.stringify([process.pid, child.pid]));
  }
  setInterval(() => {}, 1000);
} else {
  writeSession();
}

function runIndex() {
  if (!values.state) return 0;
  mkdirSync(values.state, { recursive: true });
  const key = createHash('sha256').update(`${role}\0${prompt}`).digest('hex').slice(0, 16);
  for (let n = 0; ; n++) {
    try {
      closeSync(openSync(join(values.state, `${key}-${n}`), 'wx'));
      return n;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
  }
}

function writeSession() {
  const good = runIndex() % 2 === 0;
  const id = randomUUID();
  const t0 = Date.parse('2026-04-01T09:00:00.000Z');
  const at = (s) => new Date(t0 + s * 1000).toISOString();
  const usage = { input: 1200, output: 80, cacheRead: 0, cacheWrite: 0, totalTokens: 1280, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } };
  const assistant = (content, stopReason) => ({ role: 'assistant', content, api: 'anthropic-messages', provider: 'anthropic', model: 'claude-sonnet-4-5', usage, stopReason });
  const job = basename(cwd);
  const entries = [
    { role: 'user', content: [{ type: 'text', text: prompt }] },
    assistant([
      { type: 'thinking', thinking: `I am the ${role}; first I look at what the rig holds.` },
      { type: 'text', text: `Checking the state of the rig for job ${job}.` },
      { type: 'toolCall', id: 'call-1', name: 'bash', arguments: { command: `gt status --rig sandbox # ${job}` } },
    ], 'toolUse'),
    { role: 'toolResult', toolCallId: 'call-1', toolName: 'bash', content: [{ type: 'text', text: good ? 'polecats: 2 working, 0 stuck' : 'error: gt: rig sandbox not found' }], isError: !good },
    assistant([
      { type: 'text', text: good ? 'Both polecats are making progress.' : 'Retrying the status check.' },
      { type: 'toolCall', id: 'call-2', name: 'bash', arguments: { command: `gt peek sandbox/polecats --all # ${job}` } },
    ], 'toolUse'),
    { role: 'toolResult', toolCallId: 'call-2', toolName: 'bash', content: [{ type: 'text', text: good ? 'nux: running tests\nslit: pushing branch' : 'error: connection refused' }], isError: !good },
    assistant([{ type: 'text', text: good ? 'Patrol done: nothing to nudge, nothing to escalate.' : 'I could not reach the rig.' }], good ? 'stop' : 'error'),
  ];
  const lines = [{ type: 'session', version: 3, id, timestamp: at(0), cwd }];
  let parent = null;
  entries.forEach((message, i) => {
    const entryId = `e${i + 1}`;
    lines.push({ type: 'message', id: entryId, parentId: parent, timestamp: at(i * 10 + 5), message: { ...message, timestamp: t0 + (i * 10 + 5) * 1000 } });
    parent = entryId;
  });
  mkdirSync(sessions, { recursive: true });
  const path = join(sessions, `${at(0).replace(/[:.]/g, '-')}_${id}.jsonl`);
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  process.stdout.write(`wrote a ${role} session\n`);
  if (prompt.includes('[print]')) process.stdout.write(`${path}\n`);
}
