// A per-file warning of a run (a missing blob, skipped lines, a file that failed), as the run file
// `<out>/runs/<run>.json` lists it, and its kind: the message with the paths and numbers taken out,
// so that a thousand files with the same problem are one line of a summary.

export interface RunWarning {
  /** The message with paths and numbers replaced: what groups warnings in a summary. */
  kind: string;
  /** The session file the warning is about. */
  path: string;
  message: string;
}

/** Warnings of one kind: how many, and the first few files. */
export interface WarningGroup {
  kind: string;
  count: number;
  first: string[];
}

/** An absolute path: a slash that does not continue a word (`Task/Agent` is no path). */
const ABS_PATH = /(?<![\w.~-])(?:\/[^\s/:()"']+)+\/?/g;

export function warningKind(message: string): string {
  return message
    .replace(ABS_PATH, '<path>')
    .replace(/[^\s()"']*\.jsonl(?:\.blobs\/[^\s()"']*)?/g, '<file>')
    .replace(/(?<![0-9a-z])[0-9a-f]{12,}(?![0-9a-z])/gi, '<hash>')
    .replace(/\b\d+(?:\.\d+)?\b/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A reader's warning text (`<file>[:<line>]: <message>`) as a RunWarning of `path`. Text naming
 * another file (a sidechain, a parent session) keeps that name in its message.
 */
export function toRunWarning(path: string, text: string): RunWarning {
  const own = text.startsWith(`${path}:`) ? text.slice(path.length).replace(/^:\d+/, '').replace(/^:\s*/, '') : text;
  const message = own || text;
  return { kind: warningKind(message), path, message };
}

/** Groups warnings by kind, most frequent first, with the first `firstN` distinct files of each. */
export function groupWarnings(list: Iterable<RunWarning>, firstN = 3): WarningGroup[] {
  const groups = new Map<string, WarningGroup>();
  for (const w of list) {
    let g = groups.get(w.kind);
    if (!g) groups.set(w.kind, (g = { kind: w.kind, count: 0, first: [] }));
    g.count++;
    if (g.first.length < firstN && !g.first.includes(w.path)) g.first.push(w.path);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
}
