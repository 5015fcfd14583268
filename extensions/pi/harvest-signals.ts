// harvest-signals: a pi / pir extension that tells harvest which tools an agent session used.
// Copy it to `.pi/extensions/` (one project) or `~/.pi/agent/extensions/` (every project).
//
// On each `tool_call` it notes the time, the tool, the names of its arguments (never their
// values), the session id and the working directory. When the agent finishes (`agent_end`, and on
// `session_shutdown`), it posts them as `tool_signal` events to harvest's events API; if that
// fails, it appends them to the spool file, which a harvest worker on this host drains.
//
//   HARVEST_URL        harvest serve's address       (default http://127.0.0.1:3000)
//   HARVEST_API_TOKEN  the events API bearer token   (required for posting; else spooled)
//   HARVEST_SPOOL      the spool file                (default ~/.harvest/spool/events.jsonl;
//                      point the worker's HARVEST_SPOOL at the same file)
//
// Self-contained (node built-ins only, no shell commands) so it loads wherever pi runs.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** The part of pi's ExtensionAPI this extension uses. */
export interface PiExtensionApi {
  on(event: 'tool_call', handler: (event: ToolCallEvent, ctx: PiContext) => unknown): void;
  on(event: 'agent_end' | 'session_shutdown', handler: (event: unknown, ctx: PiContext) => unknown): void;
}
export interface ToolCallEvent {
  toolName: string;
  toolCallId?: string;
  input?: unknown;
}
export interface PiContext {
  cwd?: string;
  sessionManager?: { getSessionId?: () => string | undefined; getSessionFile?: () => string | undefined };
}

/** One `tool_signal` event as the events API takes it (`POST /v1/events`). */
export interface ToolSignalPayload {
  type: 'tool_signal';
  at: string;
  tool: string;
  arg_keys: string[];
  session?: string;
  cwd?: string;
  /** Session and tool call id: a resend records once. */
  key?: string;
}

export interface SignalSettings {
  url: string;
  token: string | undefined;
  spool: string;
  timeoutMs: number;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): SignalSettings {
  return {
    url: (env.HARVEST_URL || 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    token: env.HARVEST_API_TOKEN || undefined,
    spool: env.HARVEST_SPOOL || join(homedir(), '.harvest', 'spool', 'events.jsonl'),
    timeoutMs: 5000,
  };
}

const MAX_BATCH = 1000;
const MAX_ID = 200;
const clip = (s: string, n: number): string => (s.length > n ? s.slice(0, n) : s);

function sessionIdOf(ctx: PiContext): string | undefined {
  try {
    const id = ctx.sessionManager?.getSessionId?.();
    return typeof id === 'string' && id ? clip(id, MAX_ID) : undefined;
  } catch {
    return undefined;
  }
}

/** The signal of one tool call: names only, never argument values. */
export function toolSignal(event: ToolCallEvent, ctx: PiContext, now: number = Date.now()): ToolSignalPayload {
  const input = event.input;
  const keys = input && typeof input === 'object' && !Array.isArray(input) ? Object.keys(input).slice(0, 100).map((k) => clip(k, MAX_ID)) : [];
  const session = sessionIdOf(ctx);
  const signal: ToolSignalPayload = { type: 'tool_signal', at: new Date(now).toISOString(), tool: clip(String(event.toolName || 'unknown'), MAX_ID), arg_keys: keys };
  if (session) signal.session = session;
  if (ctx.cwd) signal.cwd = clip(ctx.cwd, 4096);
  if (session && event.toolCallId) signal.key = clip(`pi:${session}:${event.toolCallId}`, MAX_ID);
  return signal;
}

/**
 * Appends lines durably; re-appends if a drain claimed the file meanwhile (a repeat is harmless).
 * After a few lost races the lines go to a file of their own, named as harvest names a claimed
 * spool file (`<spool>.claimed-...`), which its next drain takes.
 */
export async function appendSpool(path: string, signals: readonly ToolSignalPayload[], tries = 5): Promise<void> {
  if (signals.length === 0) return;
  const text = signals.map((s) => JSON.stringify(s) + '\n').join('');
  await mkdir(dirname(path), { recursive: true });
  for (let i = 0; i < tries; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, i));
    const fh = await open(path, 'a', 0o600);
    try {
      await fh.appendFile(text);
      const ino = (await fh.stat()).ino;
      const now = await stat(path).catch(() => null);
      await fh.datasync();
      if (now && now.ino === ino) return;
    } finally {
      await fh.close();
    }
  }
  const id = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const tmp = join(dirname(path), `.${basename(path)}.spill-${id}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dirname(path), `${basename(path)}.claimed-spill-${id}`));
}

/** Posts the signals (in batches the API accepts); what cannot be posted goes to the spool. */
export async function deliver(signals: readonly ToolSignalPayload[], s: SignalSettings): Promise<{ posted: number; spooled: number }> {
  let posted = 0;
  const failed: ToolSignalPayload[] = [];
  for (let i = 0; i < signals.length; i += MAX_BATCH) {
    const batch = signals.slice(i, i + MAX_BATCH);
    let ok = false;
    if (s.token) {
      try {
        const res = await fetch(`${s.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
          body: JSON.stringify(batch),
          signal: AbortSignal.timeout(s.timeoutMs),
        });
        ok = res.status === 202;
        await res.body?.cancel().catch(() => undefined);
      } catch {
        ok = false;
      }
    }
    if (ok) posted += batch.length;
    else failed.push(...batch);
  }
  if (failed.length) await appendSpool(s.spool, failed);
  return { posted, spooled: failed.length };
}

export default function harvestSignals(pi: PiExtensionApi, settings: SignalSettings = settingsFromEnv()): void {
  let pending: ToolSignalPayload[] = [];
  let flushing: Promise<unknown> = Promise.resolve();

  const flush = (): Promise<unknown> => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return flushing;
    // One delivery at a time; a failure never reaches the agent.
    flushing = flushing.then(() => deliver(batch, settings)).catch(() => undefined);
    return flushing;
  };

  pi.on('tool_call', (event, ctx) => {
    try {
      pending.push(toolSignal(event, ctx));
    } catch {
      // a signal is never worth disturbing the agent
    }
    return undefined;
  });
  pi.on('agent_end', () => flush());
  pi.on('session_shutdown', () => flush());
}
