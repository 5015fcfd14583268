// Writes a synthetic Claude Code projects folder: N sessions with distinct content, tool calls and
// results, in Gas Town working directories. For scale and crash tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROLES = ['mayor', 'deacon', 'rig1/witness', 'rig1/refinery', 'rig1/polecats/nux', 'rig2/crew/max'];

function uuid(n: number, salt: number): string {
  const h = ((n * 2654435761) ^ salt).toString(16).padStart(8, '0').slice(-8);
  return `${h}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function writeClaudeCorpus(dir: string, sessions: number, turnsPerSession = 24, salt = 7): string[] {
  const paths: string[] = [];
  for (let s = 0; s < sessions; s++) {
    const role = ROLES[s % ROLES.length];
    const cwd = `/home/agent/gt/${role}`;
    const project = join(dir, cwd.replace(/[^A-Za-z0-9]/g, '-'));
    mkdirSync(project, { recursive: true });
    const sid = uuid(s, salt);
    const lines: string[] = [];
    let t = Date.UTC(2026, 0, 1) + s * 3600_000;
    const base = { sessionId: sid, cwd, gitBranch: 'main', version: '2.1.0', isSidechain: false, userType: 'external' };
    const ts = () => new Date((t += 1000)).toISOString();
    let parent: string | null = null;
    const push = (o: Record<string, unknown>) => {
      const uuidv = uuid(lines.length + s * 10_000, salt + 1);
      lines.push(JSON.stringify({ ...base, ...o, parentUuid: parent, uuid: uuidv, timestamp: ts() }));
      parent = uuidv;
    };
    push({ type: 'user', message: { role: 'user', content: `Session ${s}: please fix issue #${s} in module m${s}. The failing test is test_${s}_parse; investigate the parser and make it pass without breaking the other ${s + 3} tests.` } });
    for (let i = 0; i < turnsPerSession; i++) {
      const tid = `toolu_${s}_${i}`;
      const mid = `msg_${s}_${i}`;
      push({ type: 'assistant', message: { id: mid, role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: `Step ${i} of session ${s}: I will inspect file src/m${s}/part${i}.ts to understand how the value ${s * 31 + i} flows.` }], usage: { input_tokens: 10 + i, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } });
      push({ type: 'assistant', message: { id: mid, role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'tool_use', id: tid, name: 'Bash', input: { command: `grep -n value${i} src/m${s}/part${i}.ts` } }], usage: { input_tokens: 10 + i, output_tokens: 40 + i, cache_read_input_tokens: 100, cache_creation_input_tokens: 3 } } });
      const isErr = i % 7 === 3;
      push({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: tid, is_error: isErr, content: isErr ? `grep: src/m${s}/part${i}.ts: No such file` : `${i}: const value${i} = compute(${s}, ${i}); // session ${s}` }] } });
    }
    push({ type: 'assistant', message: { id: `msg_${s}_end`, role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: `Done with session ${s}: the parser now handles case ${s} and all tests pass.` }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 20, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } });
    const p = join(project, `${sid}.jsonl`);
    writeFileSync(p, lines.join('\n') + '\n');
    paths.push(p);
  }
  return paths;
}
