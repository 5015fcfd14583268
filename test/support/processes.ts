// Whether a process is gone (no such pid, or a zombie nobody has reaped yet), and waiting on a
// condition instead of sleeping.
import { readFileSync } from 'node:fs';

export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    // `<pid> (<comm>) <state> ...`: a zombie has exited and only waits to be reaped.
    return /\)\s+Z\b/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
