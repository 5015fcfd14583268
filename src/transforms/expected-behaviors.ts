// What an episode did, as lora-forge's role benchmark (eval/role_bench.py) checks a model's answer:
// one short phrase per distinct tool call. The benchmark turns a phrase into a pattern: a phrase
// naming one of its known commands ("runs gt hook", "runs bd close", "runs git push", ...) looks for
// that command; any other phrase matches its first three words in order, so a phrase here starts
// with the command itself ("gt convoy list", "npm test") or the tool and its target
// ("Edit parser.ts"), never with a verb the answer would not contain.

/** Commands role_bench.py knows by name: their phrase is `runs <command>`. */
const KNOWN_COMMANDS = ['gt hook', 'gt mail inbox', 'gt mail read', 'gt prime', 'bd create', 'bd close', 'git status', 'git commit', 'git push'];

/** Shell segments that only set the scene. */
const SCENERY = new Set(['cd', 'export', 'set', 'true', 'sleep', 'echo', 'source', '.']);
const WORD = /^[a-z][a-z0-9:_-]*$/;

/** The shell command a tool call ran, when it ran one (Claude `Bash`, pi `bash`, Codex, Gemini, OpenCode). */
export function shellCommand(args: Record<string, unknown>): string | null {
  if (typeof args.command === 'string') return args.command;
  if (typeof args.cmd === 'string') return args.cmd;
  // Codex's older `shell` tool: ["bash", "-lc", "the command"].
  if (Array.isArray(args.command) && args.command.every((x) => typeof x === 'string')) {
    const parts = args.command as string[];
    return parts.length >= 3 && /sh$/.test(parts[0]) && parts[1].startsWith('-') ? parts[parts.length - 1] : parts.join(' ');
  }
  return null;
}

/** Each program run by a shell command, as its name and up to two subcommand words. */
export function commandPhrases(command: string): string[] {
  const out: string[] = [];
  // Quoted text (a commit message, a mail body) is an argument, never a command of its own.
  const bare = command.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""');
  for (const raw of bare.split(/&&|\|\||;|\||\n/)) {
    const tokens = raw.trim().split(/\s+/).filter(Boolean);
    while (tokens.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[0])) tokens.shift();
    if (!tokens.length) continue;
    const program = tokens[0].split('/').pop()!;
    if (SCENERY.has(program) || !/^[A-Za-z0-9._-]+$/.test(program)) continue;
    const words = [program];
    for (const t of tokens.slice(1)) {
      if (words.length === 3 || !WORD.test(t)) break;
      words.push(t);
    }
    out.push(words.join(' '));
  }
  return out;
}

function phraseOfCommand(words: string): string {
  const known = KNOWN_COMMANDS.find((k) => words === k || words.startsWith(`${k} `));
  return known ? `runs ${known}` : words;
}

const TARGET_KEYS = ['file_path', 'filePath', 'path', 'notebook_path', 'url', 'subagent_type'];

/** A tool call that is no shell command: the tool and what it acted on. */
function phraseOfTool(name: string, args: Record<string, unknown>): string {
  for (const k of TARGET_KEYS) {
    const v = args[k];
    if (typeof v === 'string' && v.trim()) return `${name} ${v.trim().split('/').filter(Boolean).pop() ?? v.trim()}`;
  }
  return name;
}

/** The phrases of `calls`, first occurrence first, each once, at most `max`. */
export function expectedBehaviors(calls: { name: string; arguments: string }[], max = 8): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (p: string) => {
    const key = p.toLowerCase();
    if (out.length < max && !seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  };
  for (const c of calls) {
    let args: Record<string, unknown> = {};
    try {
      const v: unknown = JSON.parse(c.arguments);
      if (v && typeof v === 'object' && !Array.isArray(v)) args = v as Record<string, unknown>;
    } catch {
      args = {};
    }
    const cmd = shellCommand(args);
    if (cmd !== null) for (const w of commandPhrases(cmd)) add(phraseOfCommand(w));
    else add(phraseOfTool(c.name, args));
  }
  return out;
}
