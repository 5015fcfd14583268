// A Claude Code session in which an agent meets every fake credential kind: each printed by a tool
// (`cat` of a config file) in one of the contexts of secret-contexts.ts, and one repeated in prose.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAKE_TOKENS, rng } from './fake-tokens.ts';
import { CONTEXT_CASES, CONTEXTS } from './secret-contexts.ts';

export interface SecretSession {
  path: string;
  /** Every secret value written into it. */
  secrets: string[];
  /** Every kind the scrubber must find in it. */
  kinds: string[];
}

export function writeSecretSession(dir: string): SecretSession {
  const cwd = '/home/agent/gt/harvest/polecats/nux';
  const project = join(dir, cwd.replace(/[^A-Za-z0-9]/g, '-'));
  mkdirSync(project, { recursive: true });
  const sid = '5ec2e7a1-0000-4000-8000-000000000013';
  const base = { sessionId: sid, cwd, gitBranch: 'main', version: '2.1.0', isSidechain: false, userType: 'external' };
  const lines: string[] = [];
  let parent: string | null = null;
  let t = Date.UTC(2026, 5, 1);
  const push = (o: Record<string, unknown>) => {
    const uuid = `00000000-0000-4000-8000-${String(lines.length).padStart(12, '0')}`;
    lines.push(JSON.stringify({ ...base, ...o, parentUuid: parent, uuid, timestamp: new Date((t += 1000)).toISOString() }));
    parent = uuid;
  };
  const usage = { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const contexts = Object.values(CONTEXTS);
  const printed: { text: string; secret: string }[] = [];
  FAKE_TOKENS.forEach((f, i) => {
    const token = f.make(rng(5000 + i));
    const place = f.kind === 'private_key' ? CONTEXTS.prose : contexts[i % contexts.length];
    printed.push({ text: place(token), secret: token });
  });
  for (const cases of Object.values(CONTEXT_CASES)) for (const [text, secret] of cases) if (secret) printed.push({ text, secret });
  push({ type: 'user', message: { role: 'user', content: 'Audit the deployment configs in this repo and tell me which credentials they hold; do not change anything.' } });
  printed.forEach((p, i) => {
    const id = `toolu_secret_${i}`;
    push({ type: 'assistant', message: { id: `msg_s${i}`, role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: `Reading config ${i} to see what it holds.` }, { type: 'tool_use', id, name: 'Bash', input: { command: `cat deploy/config-${i}.txt` } }], usage } });
    push({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, is_error: false, content: p.text }] } });
  });
  push({ type: 'assistant', message: { id: 'msg_end', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: `The first one is ${printed[0].secret}; all of them should move to the vault.` }], stop_reason: 'end_turn', usage } });
  const path = join(project, `${sid}.jsonl`);
  writeFileSync(path, lines.join('\n') + '\n');
  return { path, secrets: printed.map((p) => p.secret), kinds: [...new Set([...FAKE_TOKENS.map((f) => f.kind), ...Object.keys(CONTEXT_CASES)])] };
}
