// The default session folder of each harness: there or not, and how many session files it holds
// (found the way a backfill finds them).
import { existsSync } from 'node:fs';
import { defaultRoots } from '../../config.ts';
import { discoverSessionFiles, type SessionRoots } from '../../sources/discover-all.ts';
import { check, type CheckResult } from './check.ts';

async function countSessions(kind: string, root: string): Promise<number> {
  let n = 0;
  for await (const _ of discoverSessionFiles({ [kind]: [root] } as SessionRoots, { notices: [], missing: [] })) n++;
  return n;
}

export async function checkSessionRoots(env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  let total = 0;
  for (const [kind, root] of Object.entries(defaultRoots(env) as Record<string, string>)) {
    if (!existsSync(root)) {
      out.push(check(`sessions ${kind}`, 'info', `${root}: not here`, undefined, { root, sessions: 0 }));
      continue;
    }
    const n = await countSessions(kind, root);
    total += n;
    out.push(check(`sessions ${kind}`, n > 0 ? 'ok' : 'info', `${root}: ${n} session file${n === 1 ? '' : 's'}`, undefined, { root, sessions: n }));
  }
  if (total === 0) {
    out.push(check('sessions', 'warn', 'no default session folder holds sessions: `harvest backfill` reads the sample data in fixtures/',
      'name your folders: `harvest backfill --claude DIR --pir DIR --omp DIR` (or set CLAUDE_CONFIG_DIR, PI_CODING_AGENT_DIR)'));
  }
  return out;
}
