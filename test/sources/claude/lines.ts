// Builds Claude Code transcript lines for tests, in the shapes Claude Code writes.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

type Obj = Record<string, unknown>;

export class Lines {
  private n = 0;
  private clock = Date.parse('2026-03-02T09:00:00.000Z');

  constructor(private readonly base: Obj = {}) {}

  private common(): Obj {
    this.n++;
    this.clock += 1000;
    return {
      parentUuid: null,
      isSidechain: false,
      userType: 'external',
      cwd: '/home/agent/gt/harvest/polecats/nux',
      sessionId: 'sess-1',
      version: '2.1.39',
      gitBranch: 'main',
      ...this.base,
      uuid: `uuid-${this.n}`,
      timestamp: new Date(this.clock).toISOString(),
    };
  }

  user(content: string | unknown[], extra: Obj = {}): Obj {
    return { ...this.common(), type: 'user', message: { role: 'user', content }, ...extra };
  }

  result(id: string, content: unknown, extra: { isError?: boolean; toolUseResult?: unknown } = {}): Obj {
    const block: Obj = { type: 'tool_result', tool_use_id: id, content };
    if (extra.isError !== undefined) block.is_error = extra.isError;
    const line = this.user([block]);
    if (extra.toolUseResult !== undefined) line.toolUseResult = extra.toolUseResult;
    return line;
  }

  assistant(msgId: string, content: unknown[], opts: { usage?: Obj; model?: string; stop?: string | null } = {}): Obj {
    return {
      ...this.common(),
      type: 'assistant',
      requestId: `req-${msgId}`,
      message: {
        model: opts.model ?? 'claude-sonnet-4-5-20250929',
        id: msgId,
        type: 'message',
        role: 'assistant',
        content,
        stop_reason: opts.stop ?? null,
        usage: opts.usage ?? { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      },
    };
  }
}

export function usage(input: number, output: number, cacheRead = 0, cacheWrite = 0): Obj {
  return { input_tokens: input, output_tokens: output, cache_read_input_tokens: cacheRead, cache_creation_input_tokens: cacheWrite };
}

export function text(t: string): Obj {
  return { type: 'text', text: t };
}

export function toolUse(id: string, name: string, input: Obj = {}): Obj {
  return { type: 'tool_use', id, name, input };
}

/** Serialises lines (objects as JSON, strings and Buffers as given) one per line. */
export function jsonl(lines: Array<Obj | string | Buffer>, trailingNewline = true): Buffer {
  const parts: Buffer[] = [];
  lines.forEach((l, i) => {
    parts.push(Buffer.isBuffer(l) ? l : Buffer.from(typeof l === 'string' ? l : JSON.stringify(l)));
    if (trailingNewline || i < lines.length - 1) parts.push(Buffer.from('\n'));
  });
  return Buffer.concat(parts);
}

export function tempDir(prefix = 'harvest-claude-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `content` at `dir/rel`, creating folders; returns the path. */
export function put(dir: string, rel: string, content: Buffer | string): string {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}
