// Runs one generator: its argv without a shell, in its own process group, in the job's working
// folder with only the allowed environment, under a timeout. On the timeout (or an abort) the whole
// group gets SIGTERM, then SIGKILL after a grace period; once the generator exits, whatever it
// left running in its group is killed too. Keeps only the last line of stdout (where a generator
// may print its session's path) and the tail of stderr (for the job's error).
import { spawn } from 'node:child_process';

export interface GeneratorRun {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL (default 5 s). */
  killGraceMs?: number;
  signal?: AbortSignal;
}

export interface GeneratorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Could not start (no such program, not executable): the spawn error's message. */
  spawnError: string | null;
  lastStdoutLine: string;
  stderrTail: string;
}

export const STDERR_TAIL_CHARS = 2000;
const STDOUT_KEEP_CHARS = 8192;

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is gone already.
  }
}

const tail = (s: string, n: number): string => (s.length > n ? s.slice(s.length - n) : s);

function lastLine(s: string): string {
  const lines = s.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? '';
}

export function runGenerator(run: GeneratorRun): Promise<GeneratorExit> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let spawnError: string | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(run.argv[0], run.argv.slice(1), {
      cwd: run.cwd,
      env: run.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a timeout kills the generator and everything it started.
      detached: true,
      shell: false,
    });
    const stop = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), run.killGraceMs ?? 5000);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, run.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (run.signal?.aborted) onAbort();
    else run.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = tail(stdout + d, STDOUT_KEEP_CHARS)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = tail(stderr + d, STDERR_TAIL_CHARS * 2)));
    child.on('error', (e) => {
      spawnError = e.message;
    });
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const finish = () => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      run.signal?.removeEventListener('abort', onAbort);
      resolve({
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        timedOut,
        aborted,
        spawnError,
        lastStdoutLine: lastLine(stdout),
        stderrTail: tail(stderr.trim(), STDERR_TAIL_CHARS),
      });
    };
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // What it left behind in its group would hold the pipes open (and keep running): end it.
      killGroup(child.pid, 'SIGKILL');
      // Something outside the group may still hold them: stop waiting after the grace period.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, run.killGraceMs ?? 5000).unref();
    });
    // 'close' follows 'exit' once the pipes are drained; a spawn failure emits only 'close'.
    child.on('close', finish);
  });
}
