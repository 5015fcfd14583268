// Finds beads exports under a folder: `.beads/issues.jsonl` (bd export), `.beads/backup/issues.jsonl`
// (Gas Town's Dolt backup), or `<name>-issues.jsonl`, each with its event log beside it when present.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { BeadsExportFiles } from './read.ts';

export interface DiscoveredBeadsExport extends BeadsExportFiles {
  /** A name for the export: the rig (folder holding `.beads`) or the file's stem. */
  source: string;
  issuesSize: number;
  issuesMtimeMs: number;
  eventsSize: number;
  eventsMtimeMs: number;
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'target', '.venv', '__pycache__']);
const ISSUES_RE = /^(?:(.+)[-_.])?issues\.jsonl$/;

async function fileInfo(p: string | null): Promise<{ size: number; mtimeMs: number } | null> {
  if (!p) return null;
  try {
    const s = await stat(p);
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : null;
  } catch {
    return null;
  }
}

function sourceName(issuesPath: string, stem: string | undefined): string {
  if (stem) return stem;
  const parts = resolve(issuesPath).split('/').slice(0, -1);
  const beadsAt = parts.lastIndexOf('.beads');
  const name = beadsAt > 0 ? parts[beadsAt - 1] : parts.at(-1);
  return (name || 'beads').replace(/[^A-Za-z0-9._-]/g, '-');
}

async function describe(issuesPath: string): Promise<DiscoveredBeadsExport | null> {
  const m = ISSUES_RE.exec(basename(issuesPath));
  if (!m) return null;
  const dir = dirname(issuesPath);
  const stem = m[1];
  const sibling = (kind: string) => join(dir, stem ? `${stem}-${kind}.jsonl` : `${kind}.jsonl`);
  const issues = await fileInfo(issuesPath);
  if (!issues) return null;
  const events = await fileInfo(sibling('events'));
  const deps = await fileInfo(sibling('dependencies'));
  const labels = await fileInfo(sibling('labels'));
  return {
    issuesPath: resolve(issuesPath),
    eventsPath: events ? resolve(sibling('events')) : null,
    dependenciesPath: deps ? resolve(sibling('dependencies')) : null,
    labelsPath: labels ? resolve(sibling('labels')) : null,
    source: sourceName(issuesPath, stem),
    issuesSize: issues.size,
    issuesMtimeMs: issues.mtimeMs,
    eventsSize: events?.size ?? 0,
    eventsMtimeMs: events?.mtimeMs ?? 0,
  };
}

/**
 * Every export under `path` (a folder searched `maxDepth` levels deep, or an issues file itself),
 * in path order. A folder's `.beads/issues.jsonl` wins over its `.beads/backup/issues.jsonl`.
 */
export async function discoverBeadsExports(path: string, maxDepth = 4): Promise<DiscoveredBeadsExport[]> {
  const root = resolve(path);
  const st = await stat(root);
  if (st.isFile()) {
    const one = await describe(root);
    return one ? [one] : [];
  }
  const found: DiscoveredBeadsExport[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let ents;
    try {
      ents = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    ents.sort((a, b) => a.name.localeCompare(b.name));
    const here: DiscoveredBeadsExport[] = [];
    for (const e of ents) {
      if (e.isFile() && ISSUES_RE.test(e.name)) {
        const d = await describe(join(dir, e.name));
        if (d) here.push(d);
      }
    }
    found.push(...here);
    if (depth >= maxDepth) return;
    for (const e of ents) {
      if (!e.isDirectory() || SKIP_DIRS.has(e.name)) continue;
      // The backup copy of an export already found in `.beads/` is the same data.
      if (e.name === 'backup' && basename(dir) === '.beads' && here.length) continue;
      await walk(join(dir, e.name), depth + 1);
    }
  };
  await walk(root, 0);
  return found;
}
