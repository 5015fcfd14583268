// The bundled beads fixtures as tests use them: lifecycles of fixtures/beads/harvest and the
// sessions under fixtures/beads/sessions (plus the sibling Claude and pi fixtures), read for real.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BeadLifecycle } from '../../src/model/bead.ts';
import type { Session } from '../../src/model/session.ts';
import { readBeadsExport } from '../../src/sources/beads/read.ts';
import { buildLifecycle, typicalDurations } from '../../src/transforms/bead-lifecycle.ts';
import { readClaudeSession } from '../../src/sources/claude/read.ts';
import { readPiSession } from '../../src/sources/pi/read.ts';
import { SESSION_IDS } from '../../fixtures/beads/generate.ts';

export { SESSION_IDS };
export const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
export const BEADS_DIR = join(FIXTURES, 'beads');
export const TOWN_ROOT = '/home/agent/gt';
export const SESSION_ROOTS = {
  claude: [join(BEADS_DIR, 'sessions/claude'), join(FIXTURES, 'claude/projects')],
  pi: [join(BEADS_DIR, 'sessions/pi'), join(FIXTURES, 'pi/sessions')],
};

export async function fixtureLifecycles(): Promise<{ lifecycles: BeadLifecycle[]; durations: Record<string, number> }> {
  const ex = await readBeadsExport({
    issuesPath: join(BEADS_DIR, 'harvest/.beads/issues.jsonl'),
    eventsPath: join(BEADS_DIR, 'harvest/.beads/events.jsonl'),
  });
  const lifecycles = [...ex.issues.values()].map((i) => buildLifecycle(i, ex.events.get(i.id) ?? [], { source: 'harvest' }));
  return { lifecycles, durations: typicalDurations(lifecycles) };
}

export function sessionFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) {
        if (!n.endsWith('.blobs')) walk(p);
      } else if (n.endsWith('.jsonl')) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** Every fixture session (beads sessions first), keyed by session id. */
export async function fixtureSessions(): Promise<Map<string, Session>> {
  const out = new Map<string, Session>();
  for (const root of SESSION_ROOTS.claude) {
    for (const f of sessionFiles(root)) {
      const r = await readClaudeSession(f, { runtime: 'claude-code' });
      if (r.session) out.set(r.session.id, r.session);
    }
  }
  for (const root of SESSION_ROOTS.pi) {
    for (const f of sessionFiles(root)) {
      const r = await readPiSession(f, { runtime: 'pi' });
      if (r.session) out.set(r.session.id, r.session);
    }
  }
  return out;
}
