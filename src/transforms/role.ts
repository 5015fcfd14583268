import { homedir } from 'node:os';
import type { Role } from '../model/sample.ts';

/** Which piece of evidence decided the role. */
export type RoleSignal = 'cwd' | 'banner' | 'folder' | 'none';

export interface RoleEvidence {
  /** The session's working directory. */
  cwd?: string;
  /** Text of the first user message (where Gas Town puts its `[GAS TOWN] role <- sender` banner). */
  firstUserText?: string;
  /** Name of the folder the session file sits in (pi `--home-u-gt-deacon--`, Claude `-home-u-gt-mayor`). */
  encodedFolder?: string;
}

export interface RoleOptions {
  /** Town root; `~` is expanded. Default `~/gt`. */
  townRoot?: string;
  /** Home directory for `~` (default: the current user's). */
  homeDir?: string;
}

export interface RoleDetection {
  role: Role;
  signal: RoleSignal;
}

export const DEFAULT_TOWN_ROOT = '~/gt';

function pathSegments(p: string): string[] {
  return p.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
}

function expandHome(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') ? home + p.slice(1) : p;
}

/**
 * Role of a working directory given as its path segments below the town root:
 * `mayor/`, `deacon/`, `deacon/dogs/boot/`, `deacon/dogs/<name>/`, `<rig>/mayor/`, `<rig>/witness/`,
 * `<rig>/refinery/`, `<rig>/polecats/<name>/`, `<rig>/crew/<name>/`; anything deeper keeps the role.
 */
export function roleFromTownPath(segments: string[]): Role | null {
  const [first, second, third] = segments;
  if (first === undefined) return null;
  if (first === 'mayor') return 'mayor';
  if (first === 'deacon') {
    if (second === 'dogs' && third === 'boot') return 'boot';
    if (second === 'dogs' && third !== undefined) return 'dog';
    return 'deacon';
  }
  switch (second) {
    case 'mayor':
      return 'mayor';
    case 'witness':
      return 'witness';
    case 'refinery':
      return 'refinery';
    case 'polecats':
      return third === undefined ? null : 'polecat';
    case 'crew':
      return third === undefined ? null : 'crew';
    default:
      return null;
  }
}

function roleFromCwd(cwd: string, rootSegments: string[]): Role | null {
  const segments = pathSegments(cwd);
  const underRoot =
    rootSegments.length > 0 &&
    segments.length >= rootSegments.length &&
    rootSegments.every((s, i) => segments[i] === s);
  if (underRoot) return roleFromTownPath(segments.slice(rootSegments.length));
  // Fleet machines have other home dirs: look for the same layout after a segment named like the root.
  const base = rootSegments.at(-1);
  if (base === undefined) return null;
  for (let i = 0; i < segments.length; i++) {
    if (segments[i] !== base) continue;
    const role = roleFromTownPath(segments.slice(i + 1));
    if (role) return role;
  }
  return null;
}

const BANNER = /\[GAS TOWN\]\s+(?:role:\s*)?([A-Za-z][\w./-]*)/;
const ROLE_WORDS: Record<string, Role> = {
  mayor: 'mayor',
  deacon: 'deacon',
  boot: 'boot',
  dog: 'dog',
  dogs: 'dog',
  witness: 'witness',
  refinery: 'refinery',
  polecat: 'polecat',
  polecats: 'polecat',
  crew: 'crew',
};

/** Role from `[GAS TOWN] witness (rig: x) <- deacon ...` or `[GAS TOWN] role:<role> pid:...`. */
export function roleFromBanner(text: string): Role | null {
  const match = BANNER.exec(text);
  if (!match) return null;
  const word = match[1].toLowerCase();
  if (word.includes('/')) return roleFromTownPath(pathSegments(word));
  return ROLE_WORDS[word] ?? null;
}

const LAYOUT_WORDS = new Set(['mayor', 'witness', 'refinery', 'polecats', 'crew']);

/**
 * Role from a folder name that encodes the cwd with `-` for `/` (pi wraps it in `--`; Claude also
 * turns `_` and `.` into `-`). Lossy: a rig name with a `-` in it spans several segments.
 */
export function roleFromEncodedFolder(folder: string, townRootBase: string): Role | null {
  const encodedBase = townRootBase.replace(/[^A-Za-z0-9]/g, '-');
  if (encodedBase === '') return null;
  const padded = `-${folder.replace(/^-+|-+$/g, '')}-`;
  const needle = `-${encodedBase}-`;
  for (let at = padded.indexOf(needle); at !== -1; at = padded.indexOf(needle, at + 1)) {
    const rest = padded.slice(at + needle.length).split('-').filter(Boolean);
    const exact = roleFromTownPath(rest);
    if (exact) return exact;
    const layoutAt = rest.findIndex((s, i) => i >= 1 && LAYOUT_WORDS.has(s));
    if (layoutAt !== -1) {
      const role = roleFromTownPath(['rig', ...rest.slice(layoutAt)]);
      if (role) return role;
    }
  }
  return null;
}

/** The Gas Town role of a session: from its cwd, else its first-message banner, else its folder name. */
export function detectRole(evidence: RoleEvidence, opts: RoleOptions = {}): RoleDetection {
  const root = expandHome(opts.townRoot ?? DEFAULT_TOWN_ROOT, opts.homeDir ?? homedir());
  const rootSegments = pathSegments(root);
  if (evidence.cwd) {
    const role = roleFromCwd(evidence.cwd, rootSegments);
    if (role) return { role, signal: 'cwd' };
  }
  if (evidence.firstUserText) {
    const role = roleFromBanner(evidence.firstUserText);
    if (role) return { role, signal: 'banner' };
  }
  const base = rootSegments.at(-1);
  if (evidence.encodedFolder && base !== undefined) {
    const role = roleFromEncodedFolder(evidence.encodedFolder, base);
    if (role) return { role, signal: 'folder' };
  }
  return { role: 'unknown', signal: 'none' };
}
