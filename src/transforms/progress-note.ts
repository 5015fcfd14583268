// What a sample that opens mid-episode says about the steps before it: a short, deterministic note
// after the task (steps so far, tools used with counts, files changed), never an orphan result.
import type { Step } from './episodes.ts';
import { argumentsObject } from './tool-specs.ts';

const MAX_FILES = 8;
// Tools that change files, and the argument naming the file (Claude Code, pi, Codex, Gemini CLI, OpenCode).
const CHANGES_FILES = /edit|write|patch|replace|create|delete|remove|move|rename|notebook/i;
const PATH_KEYS = ['file_path', 'path', 'notebook_path', 'filePath', 'absolute_path', 'target_file'];
// apply_patch bodies (Codex) name their files in headers.
const PATCH_FILE = /^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm;

function filesOf(step: Step, into: string[], seen: Set<string>): void {
  for (const call of step.calls) {
    if (!CHANGES_FILES.test(call.name)) continue;
    const args = argumentsObject(call.input);
    const found: string[] = [];
    for (const k of PATH_KEYS) if (typeof args[k] === 'string' && args[k] !== '') found.push(args[k] as string);
    for (const v of Object.values(args)) {
      if (typeof v === 'string' && v.includes('*** ')) for (const m of v.matchAll(PATCH_FILE)) found.push(m[1].trim());
    }
    for (const f of found) {
      if (!seen.has(f)) {
        seen.add(f);
        into.push(f);
      }
    }
  }
}

/** Paths relative to the session's working folder where they lie inside it. */
function relative(path: string, cwd: string | undefined): string {
  if (cwd && path.startsWith(cwd.endsWith('/') ? cwd : `${cwd}/`)) return path.slice(cwd.length).replace(/^\/+/, '');
  return path;
}

/** The note for `done` (the episode's steps before the sample), or '' when there are none. */
export function progressNote(done: readonly Step[], cwd?: string): string {
  if (done.length === 0) return '';
  const tools = new Map<string, number>();
  const files: string[] = [];
  const seen = new Set<string>();
  for (const step of done) {
    for (const call of step.calls) tools.set(call.name, (tools.get(call.name) ?? 0) + 1);
    filesOf(step, files, seen);
  }
  const parts = [`${done.length} step${done.length === 1 ? '' : 's'}`];
  const used = [...tools].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name, n]) => `${name} (${n})`);
  if (used.length) parts.push(`Tools used: ${used.join(', ')}`);
  if (files.length) {
    const shown = files.slice(0, MAX_FILES).map((f) => relative(f, cwd));
    const more = files.length > MAX_FILES ? ` and ${files.length - MAX_FILES} more` : '';
    parts.push(`Files changed: ${shown.join(', ')}${more}`);
  }
  return `[Progress so far: ${parts.join('. ')}.]`;
}
