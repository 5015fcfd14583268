// Finding the session a generator wrote: the path it printed on its last stdout line, else the
// newest session in the job's own sessions folder, else the newest in pi's sessions folder for the
// job's cwd (`<PI_CODING_AGENT_DIR>/sessions/--<cwd>--/`, where pi writes without `--session-dir`).
// Only a session whose header names the job's cwd counts: a folder shared with other runs cannot
// hand over someone else's session.
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** pi's folder for sessions started in `cwd` (its `getDefaultSessionDir`). */
export function piSessionFolder(cwd: string, piAgentDir: string): string {
  const safe = `--${resolve(cwd).replace(/^[/\\]/, '').replace(/[/\\:]/g, '-')}--`;
  return join(piAgentDir, 'sessions', safe);
}

export function defaultPiAgentDir(env: NodeJS.ProcessEnv): string {
  const d = env.PI_CODING_AGENT_DIR;
  if (!d) return join(homedir(), '.pi', 'agent');
  return d === '~' || d.startsWith('~/') ? join(homedir(), d.slice(1)) : d;
}

/** The `cwd` of a session file's header line (pi, pir, omp), or null when it has none. */
async function headerCwd(path: string): Promise<string | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    // omp may put a fixed-width title line first: look at the first few lines.
    for (const line of buf.subarray(0, bytesRead).toString('utf8').split('\n').slice(0, 3)) {
      try {
        const v = JSON.parse(line) as { type?: string; cwd?: unknown };
        if (v.type === 'session' && typeof v.cwd === 'string') return v.cwd;
      } catch {
        // a partial or non-JSON line
      }
    }
    return null;
  } finally {
    await fh.close();
  }
}

async function newestSessionIn(dir: string, cwd: string): Promise<string | null> {
  const names = await readdir(dir).catch(() => [] as string[]);
  // pi may record the cwd with its links resolved.
  const accepted = new Set([resolve(cwd), await realpath(cwd).catch(() => resolve(cwd))]);
  let best: { path: string; mtime: number } | null = null;
  for (const n of names) {
    if (!n.endsWith('.jsonl')) continue;
    const p = join(dir, n);
    const st = await stat(p).catch(() => null);
    if (!st?.isFile() || st.size === 0) continue;
    if (best && best.mtime >= st.mtimeMs) continue;
    const recorded = await headerCwd(p);
    if (recorded === null || !accepted.has(resolve(recorded))) continue;
    best = { path: p, mtime: st.mtimeMs };
  }
  return best?.path ?? null;
}

export interface SessionSearch {
  lastStdoutLine: string;
  /** The job's sessions folder (`{sessions}`). */
  sessions: string;
  cwd: string;
  piAgentDir: string;
}

/** The generated session's path, and where it was found; null when there is none. */
export async function findGeneratedSession(s: SessionSearch): Promise<{ path: string; via: 'stdout' | 'sessions' | 'pi' } | null> {
  const printed = s.lastStdoutLine.trim();
  if (printed.endsWith('.jsonl')) {
    const p = isAbsolute(printed) ? printed : resolve(s.cwd, printed);
    const st = await stat(p).catch(() => null);
    if (st?.isFile()) return { path: p, via: 'stdout' };
  }
  const inSessions = await newestSessionIn(s.sessions, s.cwd);
  if (inSessions) return { path: inSessions, via: 'sessions' };
  const inPi = await newestSessionIn(piSessionFolder(s.cwd, s.piAgentDir), s.cwd);
  return inPi ? { path: inPi, via: 'pi' } : null;
}
