// Shell command lines as agents run them through their tools, read just enough to see which
// programs ran with which words: quotes respected, nothing expanded. Shared by the bead and PR
// linkers.

/** Words that run the next word as the command. */
export const COMMAND_WRAPPERS = new Set(['sudo', 'env', 'time', 'exec', 'command', 'nohup', '(', '{', 'then', 'do', 'else', '!']);

/** Shell words of one simple command (quotes respected, no expansion). */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The command line of a tool call's input (`command`, `cmd` or `script`; a word list is joined). */
export function commandOf(input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  const o = input as Record<string, unknown>;
  const c = o.command ?? o.cmd ?? o.script;
  if (typeof c === 'string') return c;
  if (Array.isArray(c) && c.every((x) => typeof x === 'string')) {
    // Codex runs `["bash", "-lc", "<script>"]`: the script is the command line.
    const script = shellScript(c[0], c.slice(1));
    return script ?? c.join(' ');
  }
  return null;
}

const SHELLS = /(?:^|\/)(?:ba|z|da|k)?sh$/;

/** The script of `bash -c SCRIPT` (also `-lc`, `-ec`, ...), or null for anything else. */
function shellScript(program: string, args: string[]): string | null {
  if (!SHELLS.test(program)) return null;
  const i = args.findIndex((a) => /^-[a-z]*c$/.test(a));
  return i >= 0 && typeof args[i + 1] === 'string' ? args[i + 1] : null;
}

/** Each simple command of a line (split at `&&`, `||`, `;`, `|`, newlines): its program and words after. */
export function simpleCommands(command: string): { program: string; args: string[] }[] {
  const out: { program: string; args: string[] }[] = [];
  for (const part of command.split(/&&|\|\||;|\||\n/)) {
    const words = shellWords(part.trim());
    let at = 0;
    while (at < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at]) || COMMAND_WRAPPERS.has(words[at]))) at++;
    if (at >= words.length) continue;
    const script = shellScript(words[at], words.slice(at + 1));
    if (script !== null) out.push(...simpleCommands(script));
    else out.push({ program: words[at], args: words.slice(at + 1) });
  }
  return out;
}
