// The default session folder of each harness: there or not, and how many session files it holds
// (found the way a backfill finds them).
import { existsSync } from 'node:fs';
import { defaultRoots } from '../../config.ts';
import { discoverSessionFiles, ROOT_KINDS, type SessionRoots } from '../../sources/discover-all.ts';
import { check, type CheckResult } from './check.ts';

async function countSessions(kind: string, root: string): Promise<number> {
  let n = 0;
  for await (const _ of discoverSessionFiles({ [kind]: [root] } as SessionRoots, { notices: [], missing: [] })) n++;
  return n;
}

export async function checkSessionRoots(env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  let total = 0;
  const defaults = defaultRoots(env);
  for (const { key: kind } of ROOT_KINDS) {
    const root = defaults[kind];
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
      `name your folders: \`harvest backfill ${ROOT_KINDS.map((k) => `--${k.key} DIR`).join(' ')}\` (any of them), or set CLAUDE_CONFIG_DIR, PI_CODING_AGENT_DIR, CODEX_HOME, GEMINI_CLI_HOME, XDG_DATA_HOME`));
  }
  return out;
}
