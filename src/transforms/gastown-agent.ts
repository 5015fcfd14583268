// Gas Town agent identities as beads record them (`rig/polecats/name`, `rig/crew/name`,
// `rig/witness`, `rig/refinery`, `mayor`, `deacon`, ...) and as a session's working directory implies.
import { homedir } from 'node:os';
import type { GastownAgent } from '../model/bead.ts';
import type { Role } from '../model/sample.ts';
import { roleFromTownPath } from './role.ts';


const segmentsOf = (p: string): string[] => p.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');

function fromTownSegments(seg: string[]): GastownAgent | null {
  const role = roleFromTownPath(seg);
  if (!role) return null;
  const [first, second, third] = seg;
  switch (role) {
    case 'mayor':
      return first === 'mayor' ? { identity: 'mayor', role, rig: null, name: null } : { identity: `${first}/mayor`, role, rig: first, name: null };
    case 'deacon':
      return { identity: 'deacon', role, rig: null, name: null };
    case 'boot':
      return { identity: 'deacon/dogs/boot', role, rig: null, name: 'boot' };
    case 'dog':
      return { identity: `deacon/dogs/${third}`, role, rig: null, name: third };
    case 'witness':
    case 'refinery':
      return { identity: `${first}/${second}`, role, rig: first, name: null };
    case 'polecat':
    case 'crew':
      return { identity: `${first}/${second}/${third}`, role, rig: first, name: third };
    default:
      return null;
  }
}

/**
 * The agent a working directory belongs to, below the town root (or, on another machine, below a
 * folder named like the town root). Null outside the Gas Town layout.
 */
export type { GastownAgent };
export function agentFromCwd(cwd: string | undefined, townRoot = '~/gt', home = homedir()): GastownAgent | null {
  if (!cwd) return null;
  const root = townRoot === '~' || townRoot.startsWith('~/') ? home + townRoot.slice(1) : townRoot;
  const rootSeg = segmentsOf(root);
  const seg = segmentsOf(cwd);
  if (rootSeg.length && rootSeg.every((s, i) => seg[i] === s)) {
    const a = fromTownSegments(seg.slice(rootSeg.length));
    if (a) return a;
  }
  const base = rootSeg.at(-1);
  if (!base) return null;
  for (let i = 0; i < seg.length; i++) {
    if (seg[i] !== base) continue;
    const a = fromTownSegments(seg.slice(i + 1));
    if (a) return a;
  }
  return null;
}

/** The role an identity names (`rig/polecats/x` -> polecat), or null for a bare name. */
export function roleOfAgent(identity: string | null | undefined): Role | null {
  if (!identity) return null;
  const seg = segmentsOf(identity.trim());
  if (seg.length === 1) {
    const w = seg[0].toLowerCase();
    return w === 'mayor' || w === 'deacon' || w === 'witness' || w === 'refinery' ? (w as Role) : null;
  }
  return roleFromTownPath(seg);
}

/**
 * How well a bead's assignee names this agent: 1 for the same identity, 0.7 for a bare name or
 * role word that fits (`furiosa`, `refinery`), 0 otherwise.
 */
export function assigneeMatch(assignee: string | null | undefined, agent: GastownAgent): number {
  if (!assignee) return 0;
  const a = assignee.trim().replace(/\/+$/, '');
  if (a === agent.identity) return 1;
  if (!a.includes('/')) {
    if (agent.name && a === agent.name) return 0.7;
    if (!agent.name && a === agent.role) return 0.7;
  }
  return 0;
}
