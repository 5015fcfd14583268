// Writes synthetic pir (pi-rust) session trees with the shape of the fleet's real ones, for tests
// and benchmarks: heavy-tailed lengths, tool-heavy turns with errors and recoveries, thinking,
// model and thinking-level changes, branches, compactions, image blobs in `.blobs/` (some
// missing), the pir quirks, Gas Town working directories, a few fake secrets, and a matching
// `session-index.sqlite`. Deterministic for a seed; every file is written streaming.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, statSync, utimesSync, writeSync, existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { readJsonLines } from '../src/sources/jsonl-lines.ts';
import { SESSION_INDEX_FILE } from '../src/sources/pi/discover.ts';
import { sessionIdFromFileName } from '../src/sources/pi/read.ts';

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: small, fast, and the same on every machine. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    const total = xs.reduce((a, [, w]) => a + w, 0);
    let r = this.next() * total;
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1][0];
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  alnum(n: number): string {
    const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < n; i++) s += a[Math.floor(this.next() * a.length)];
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Gas Town

export const TOWN_ROOT = '/home/ubuntu/gt';
const RIGS = ['harvest', 'beads', 'lora_forge', 'gastown', 'wyvern'] as const;
const POLECATS = ['furiosa', 'nux', 'slit', 'rictus', 'capable', 'toast', 'dag', 'cheedo', 'ace', 'morsov'];
const CREW = ['max', 'joe', 'emma', 'ana'];
const DOGS = ['alpha', 'bravo', 'rex'];

export type GtRole = 'mayor' | 'deacon' | 'boot' | 'dog' | 'witness' | 'refinery' | 'polecat' | 'crew';

const ROLE_WEIGHTS: readonly (readonly [GtRole, number])[] = [
  ['polecat', 40], ['crew', 14], ['witness', 12], ['refinery', 10], ['deacon', 8], ['mayor', 8], ['boot', 4], ['dog', 4],
];

function roleCwd(rng: Rng, role: GtRole): string {
  const rig = rng.pick(RIGS);
  switch (role) {
    case 'mayor': return rng.chance(0.8) ? `${TOWN_ROOT}/mayor` : `${TOWN_ROOT}/${rig}/mayor`;
    case 'deacon': return `${TOWN_ROOT}/deacon`;
    case 'boot': return `${TOWN_ROOT}/deacon/dogs/boot`;
    case 'dog': return `${TOWN_ROOT}/deacon/dogs/${rng.pick(DOGS)}`;
    case 'witness': return `${TOWN_ROOT}/${rig}/witness`;
    case 'refinery': return `${TOWN_ROOT}/${rig}/refinery`;
    case 'polecat': return `${TOWN_ROOT}/${rig}/polecats/${rng.pick(POLECATS)}`;
    case 'crew': return `${TOWN_ROOT}/${rig}/crew/${rng.pick(CREW)}`;
  }
}

/** pi's folder name for a cwd: leading separator dropped, `/ \ :` turned into `-`, wrapped in `--`. */
export function encodeCwd(cwd: string): string {
  return `--${cwd.replace(/^[/\\]/, '').replace(/[/\\:]/g, '-')}--`;
}

/** pir's file name: filename-safe UTC timestamp, then the first 8 characters of the session id. */
export function pirFileName(startMs: number, sessionId: string): string {
  return `${new Date(startMs).toISOString().replace(/:/g, '-')}_${sessionId.slice(0, 8)}.jsonl`;
}

// ---------------------------------------------------------------------------------------------
// Content

const MODELS = [
  { provider: 'anthropic', model: 'claude-opus-4-5', api: 'anthropic-messages', w: 45 },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', api: 'anthropic-messages', w: 30 },
  { provider: 'openai', model: 'gpt-5.1-codex', api: 'openai-responses', w: 15 },
  { provider: 'google', model: 'gemini-2.5-pro', api: 'google-generative-ai', w: 10 },
] as const;
type ModelSpec = (typeof MODELS)[number];
const THINKING_LEVELS = ['off', 'minimal', 'low', 'medium', 'high', 'xhigh'];

const FILES = [
  'src/index.ts', 'src/config.ts', 'src/pipeline/run.ts', 'src/transforms/chunk.ts', 'src/sinks/shards.ts',
  'internal/store/store.go', 'cmd/gt/main.go', 'internal/beads/issue.go', 'tests/test_api.py', 'lora/train.py',
  'README.md', 'package.json', 'Cargo.toml', 'src/session.rs', 'src/model/session.ts', 'docs/design.md',
];
const SYMBOLS = ['readSession', 'chunkTurns', 'ShardWriter', 'loadConfig', 'parseIssue', 'Store.Get', 'train_step', 'dispatchJob', 'scoreSample', 'retryPolicy'];
const VERBS = ['fix', 'refactor', 'add tests for', 'speed up', 'document', 'clean up', 'add retries to', 'split'];
const THINGS = ['the shard writer', 'config loading', 'the bead importer', 'the merge queue', 'the training loop', 'session discovery', 'the webhook handler', 'token accounting'];

function beadId(rng: Rng): string {
  return `${rng.pick(['hv', 'bd', 'lf', 'gt', 'wy'])}-${rng.alnum(3).toLowerCase()}`;
}

function userPrompt(rng: Rng, role: GtRole, first: boolean): string {
  if (!first) {
    return rng.pick([
      'yes, go ahead',
      'the tests still fail, look at the error output',
      'looks good. commit it and push',
      'no, revert that and try a different approach',
      `also ${rng.pick(VERBS)} ${rng.pick(THINGS)} while you are there`,
      'why did that happen? explain before changing anything',
      `check ${rng.pick(FILES)} too`,
      'run the full test suite again',
    ]);
  }
  const bead = beadId(rng);
  switch (role) {
    case 'polecat':
      return `Work on ${bead}: ${rng.pick(VERBS)} ${rng.pick(THINGS)}. Read the bead with \`bd show ${bead}\`, make the change, run the tests, then \`gt done\`.`;
    case 'mayor':
      return `Check convoy status and sling ${bead} to a polecat on ${rng.pick(RIGS)}. Tell me what is blocked.`;
    case 'deacon':
      return 'Patrol: check the witnesses and refineries, restart anything stuck, and file beads for anything broken.';
    case 'boot':
      return 'Boot check: is the deacon alive? Nudge it if the heartbeat is stale.';
    case 'dog':
      return `Run the ${rng.pick(['stale-branch cleanup', 'log rotation', 'orphan bead sweep'])} job and report.`;
    case 'witness':
      return `Check on the polecats in ${rng.pick(RIGS)}; nudge any that have been idle for more than ten minutes.`;
    case 'refinery':
      return `Process the merge queue: rebase, run the tests, and merge what passes. ${bead} is first.`;
    case 'crew':
      return `Can you look at why ${rng.pick(THINGS)} is failing? ${rng.chance(0.5) ? `Start with ${rng.pick(FILES)}.` : ''}`.trim();
  }
}

function thinkingText(rng: Rng): string {
  const n = rng.int(1, 4);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(rng.pick([
      `The user wants me to ${rng.pick(VERBS)} ${rng.pick(THINGS)}. Let me first look at ${rng.pick(FILES)} to see how it is wired.`,
      `The error says the value is undefined at ${rng.pick(SYMBOLS)}. That probably means the config is read before it is validated.`,
      'The test failure is in the assertion on the count, so the off-by-one is in the loop bound, not in the parser.',
      `I should check whether ${rng.pick(SYMBOLS)} is called from anywhere else before changing its signature.`,
      'That edit failed because the whitespace did not match. I will read the file again and copy the exact lines.',
      'The build passes now. I still need to run the full suite, not only the one file.',
    ]));
  }
  return parts.join(' ');
}

function codeLines(rng: Rng, n: number): string {
  const out: string[] = [];
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const ind = '  '.repeat(depth);
    const sym = rng.pick(SYMBOLS).replace('.', '_');
    const r = rng.int(0, 9);
    if (r === 0 && depth < 3) {
      out.push(`${ind}export async function ${sym}${i}(input: ${rng.pick(['string', 'Buffer', 'Options', 'Session'])}): Promise<void> {`);
      depth++;
    } else if (r === 1 && depth > 0) {
      depth--;
      out.push(`${'  '.repeat(depth)}}`);
    } else if (r === 2) out.push(`${ind}// ${rng.pick(['why: the index can lag a save', 'keep this bounded', 'retry once; the queue retries the rest', 'TODO: remove after the migration'])}`);
    else if (r === 3) out.push(`${ind}if (!${sym.toLowerCase()}) throw new Error('${sym} missing for ' + input);`);
    else if (r === 4) out.push(`${ind}for (const item of ${sym.toLowerCase()}s) total += item.size;`);
    else out.push(`${ind}const ${sym.toLowerCase()}${i} = await ${sym}(${rng.pick(['input', 'opts', 'path', 'counts'])});`);
  }
  while (depth-- > 0) out.push(`${'  '.repeat(depth)}}`);
  return out.join('\n');
}

/** A fake credential of a shape scrubbers must catch; never a real one. */
function fakeSecret(rng: Rng): string {
  return rng.pick([
    () => `AWS_ACCESS_KEY_ID=AKIA${rng.alnum(16).toUpperCase()}`,
    () => `GITHUB_TOKEN=ghp_${rng.alnum(36)}`,
    () => `ANTHROPIC_API_KEY=sk-ant-api03-${rng.alnum(80)}-FAKEAA`,
    () => `OPENAI_API_KEY=sk-proj-${rng.alnum(48)}`,
    () => `SLACK_BOT_TOKEN=xoxb-${rng.int(100000000, 999999999)}-${rng.alnum(24)}`,
    () => `-----BEGIN OPENSSH PRIVATE KEY-----\n${rng.alnum(70)}\n${rng.alnum(70)}\n-----END OPENSSH PRIVATE KEY-----`,
  ])();
}

interface ToolPlan {
  name: 'bash' | 'read' | 'edit' | 'write' | 'grep';
  args: Record<string, unknown>;
  output: string;
  isError: boolean;
}

function sized(rng: Rng, small: boolean): number {
  const max = small ? 2000 : 120_000;
  return Math.min(max, Math.max(40, Math.round(rng.logNormal(small ? 300 : 900, 1.2))));
}

function fill(rng: Rng, target: number, gen: () => string): string {
  const parts: string[] = [];
  let n = 0;
  while (n < target) {
    const s = gen();
    parts.push(s);
    n += s.length + 1;
  }
  return parts.join('\n');
}

function toolPlan(rng: Rng, small: boolean, failing: boolean): ToolPlan {
  const file = rng.pick(FILES);
  const name = rng.weighted([['bash', 40], ['read', 30], ['edit', 18], ['write', 6], ['grep', 6]] as const);
  const size = sized(rng, small);
  switch (name) {
    case 'read': {
      if (failing) return { name, args: { path: file }, output: `ENOENT: no such file or directory, open '${file}'`, isError: true };
      const lines = Math.max(3, Math.round(size / 45));
      return { name, args: { path: file, ...(rng.chance(0.3) ? { offset: rng.int(1, 200), limit: lines } : {}) }, output: codeLines(rng, lines), isError: false };
    }
    case 'edit': {
      const oldText = codeLines(rng, rng.int(1, 4));
      const newText = codeLines(rng, rng.int(1, 6));
      return failing
        ? { name, args: { path: file, oldText, newText }, output: `Could not find the exact text in ${file}. The old text must match exactly including all whitespace and newlines.`, isError: true }
        : { name, args: { path: file, oldText, newText }, output: `Successfully replaced text in ${file}.`, isError: false };
    }
    case 'write': {
      const content = codeLines(rng, Math.max(3, Math.round(size / 45)));
      return { name, args: { path: file, content }, output: `Successfully wrote ${content.length} bytes to ${file}`, isError: false };
    }
    case 'grep': {
      const sym = rng.pick(SYMBOLS);
      const output = fill(rng, size, () => `${rng.pick(FILES)}:${rng.int(1, 400)}:  const x = ${sym}(${rng.pick(['input', 'opts'])});`);
      return { name, args: { pattern: sym, path: 'src' }, output, isError: false };
    }
    case 'bash':
    default: {
      const cmd = rng.pick(['npm test', 'go test ./...', 'git status', 'bd ready', 'gt mail inbox', 'ls -la src', 'cargo build', 'git log --oneline -8', 'git diff --stat', 'npx tsc --noEmit', 'pytest -q']);
      let output: string;
      if (failing) {
        output = rng.pick([
          `FAIL src/transforms/chunk.test.ts\n  ✕ splits at the turn boundary (12 ms)\n\n  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n  3 !== 4\n\n    at TestContext.<anonymous> (src/transforms/chunk.test.ts:${rng.int(10, 200)}:12)\n\nTests: 1 failed, ${rng.int(10, 90)} passed\n\nCommand exited with code 1`,
          `error[E0308]: mismatched types\n  --> src/session.rs:${rng.int(10, 900)}:${rng.int(1, 40)}\n   |\n   = note: expected \`u64\`, found \`i64\`\n\nerror: could not compile \`pi\` due to previous error\n\nCommand exited with code 101`,
          `src/config.ts(${rng.int(1, 200)},${rng.int(1, 40)}): error TS2345: Argument of type 'string | undefined' is not assignable to parameter of type 'string'.\n\nCommand exited with code 2`,
          `fatal: not a git repository (or any of the parent directories): .git\n\nCommand exited with code 128`,
        ]);
      } else if (cmd === 'git status') {
        output = `On branch polecat/${rng.pick(POLECATS)}-${rng.hex(6)}\nChanges not staged for commit:\n  modified:   ${rng.pick(FILES)}\n  modified:   ${rng.pick(FILES)}\n\nno changes added to commit`;
      } else if (cmd === 'bd ready') {
        output = fill(rng, Math.min(size, 3000), () => `${beadId(rng)}  [P${rng.int(0, 3)}]  ${rng.pick(VERBS)} ${rng.pick(THINGS)}`);
      } else if (cmd === 'git log --oneline -8') {
        output = Array.from({ length: 8 }, () => `${rng.hex(7)} ${rng.pick(VERBS)} ${rng.pick(THINGS)}`).join('\n');
      } else if (cmd === 'ls -la src') {
        output = fill(rng, Math.min(size, 4000), () => `-rw-r--r-- 1 ubuntu ubuntu ${String(rng.int(200, 90000)).padStart(6)} Jan ${rng.int(1, 28)} 10:${rng.int(10, 59)} ${rng.pick(FILES).split('/').pop()}`);
      } else {
        output = fill(rng, size, () => rng.pick([
          `ok   ${rng.pick(['internal/store', 'internal/beads', 'cmd/gt'])}  ${rng.int(1, 900) / 100}s`,
          `✔ ${rng.pick(SYMBOLS)} ${rng.pick(['handles empty input', 'keeps order', 'retries once', 'counts bad lines'])} (${rng.int(1, 80)} ms)`,
          `   Compiling ${rng.pick(['serde', 'tokio', 'pi', 'fsqlite'])} v${rng.int(0, 2)}.${rng.int(0, 40)}.${rng.int(0, 9)}`,
          `PASS tests/${rng.pick(['api', 'store', 'chunk'])}_test.${rng.pick(['py', 'ts'])}`,
        ]));
        output += `\n\nTests: ${rng.int(20, 400)} passed`;
      }
      return { name: 'bash', args: { command: cmd, ...(rng.chance(0.2) ? { timeout: 120 } : {}) }, output, isError: failing };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

class LineWriter {
  private fd: number;
  private buf: string[] = [];
  private bufLen = 0;
  bytes = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  line(obj: unknown): void {
    const s = `${JSON.stringify(obj)}\n`;
    this.buf.push(s);
    this.bufLen += s.length;
    if (this.bufLen >= 1 << 20) this.flush();
  }
  flush(): void {
    if (!this.buf.length) return;
    this.bytes += writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.bufLen = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Appends entries as children of the current leaf, the way pi's SessionManager does. */
class TreeWriter {
  leaf: string | null = null;
  private ids = new Set<string>();
  ms: number;
  entries = 0;
  messages = 0;
  /** Id of the entry written last (not the leaf after a branch switch). */
  lastWritten: string | null = null;
  constructor(
    readonly out: LineWriter,
    private readonly rng: Rng,
    startMs: number,
  ) {
    this.ms = startMs;
  }
  newId(): string {
    for (;;) {
      const id = this.rng.hex(8);
      if (!this.ids.has(id)) {
        this.ids.add(id);
        return id;
      }
    }
  }
  tick(lo: number, hi: number): void {
    this.ms += this.rng.int(lo, hi);
  }
  append(type: string, body: Record<string, unknown>, opts: { omitParent?: boolean } = {}): string {
    const id = this.newId();
    const e: Record<string, unknown> = { type, id, parentId: this.leaf, timestamp: new Date(this.ms).toISOString(), ...body };
    if (opts.omitParent) delete e.parentId;
    this.out.line(e);
    this.entries++;
    if (type === 'message') this.messages++;
    this.leaf = id;
    this.lastWritten = id;
    return id;
  }
  message(message: Record<string, unknown>): string {
    return this.append('message', { message: { ...message, timestamp: this.ms } });
  }
}

export interface GeneratedPirSession {
  /** Absolute path. */
  path: string;
  /** Header id (a UUID; the file name carries its first 8 characters). */
  id: string;
  role: GtRole;
  /** Working directory as a Gas Town role would have it (also when the header leaves it out). */
  cwd: string;
  cwdInHeader: boolean;
  folder: string;
  entries: number;
  messages: number;
  assistantMessages: number;
  toolCalls: number;
  branches: number;
  compactions: number;
  modelChanges: number;
  modelChangesWithoutParent: number;
  thinkingLevelChanges: number;
  images: number;
  blobs: number;
  blobsMissing: number;
  emptyToolIds: boolean;
  branchedFrom?: string;
  secrets: number;
  name?: string;
  bytes: number;
  startMs: number;
  endMs: number;
}

export interface PirCorpusOptions {
  /** Sessions root to write (the folder that holds `--<cwd>--/` folders and the index). */
  out: string;
  sessions: number;
  seed?: number;
  /** Multiplies session lengths (and so the corpus size); default 1. */
  scale?: number;
  /** Short sessions and small outputs, for tests. */
  small?: boolean;
  /** Write session-index.sqlite (default true). */
  index?: boolean;
}

export interface PirCorpusResult {
  root: string;
  indexPath: string | null;
  sessions: GeneratedPirSession[];
  /** Session files the index leaves out (discovery must find them by walking). */
  unlisted: string[];
  /** Index rows whose file does not exist. */
  missingRows: string[];
  /** Bytes of session files (blobs not included). */
  bytes: number;
  blobBytes: number;
}

interface SessionSpec {
  id: string;
  role: GtRole;
  cwd: string;
  cwdInHeader: boolean;
  startMs: number;
  assistantTurns: number;
  model: ModelSpec;
  thinkingLevel: string;
  emptyToolIds: boolean;
  branchy: boolean;
  images: boolean;
  secret: boolean;
  named: boolean;
  branchedFrom?: string;
  small: boolean;
}

function pickModel(rng: Rng): ModelSpec {
  return rng.weighted(MODELS.map((m) => [m, m.w] as const));
}

function usage(rng: Rng, context: number, model: ModelSpec): Record<string, unknown> {
  const output = Math.round(rng.logNormal(250, 1));
  const cacheRead = Math.round(context * rng.next() * 0.9);
  const input = Math.max(1, context - cacheRead);
  const cacheWrite = rng.chance(0.3) ? rng.int(200, 5000) : 0;
  const price = model.model.includes('opus') ? 5 : model.model.includes('sonnet') ? 3 : 1.25;
  const c = {
    input: (input * price) / 1e6,
    output: (output * price * 5) / 1e6,
    cacheRead: (cacheRead * price * 0.1) / 1e6,
    cacheWrite: (cacheWrite * price * 1.25) / 1e6,
  };
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    input, output, cacheRead, cacheWrite, totalTokens: input + output + cacheRead + cacheWrite,
    cost: { input: r(c.input), output: r(c.output), cacheRead: r(c.cacheRead), cacheWrite: r(c.cacheWrite), total: r(c.input + c.output + c.cacheRead + c.cacheWrite) },
  };
}

/** Deterministic bytes standing in for a screenshot; a PNG signature, then noise. */
function imageBytes(rng: Rng, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let x = rng.int(1, 0x7fffffff);
  for (let i = 8; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeInt32LE(x | 0, Math.min(i, size - 4));
  }
  return b;
}

const BLOB_THRESHOLD = 64 * 1024;

interface SessionStats {
  assistantMessages: number;
  toolCalls: number;
  branches: number;
  compactions: number;
  modelChanges: number;
  modelChangesWithoutParent: number;
  thinkingLevelChanges: number;
  images: number;
  blobs: number;
  blobsMissing: number;
  blobBytes: number;
  secrets: number;
  name?: string;
}

function writeSession(rng: Rng, spec: SessionSpec, path: string): SessionStats & { entries: number; messages: number; bytes: number; endMs: number } {
  const out = new LineWriter(path);
  const t = new TreeWriter(out, rng, spec.startMs);
  const st: SessionStats = {
    assistantMessages: 0, toolCalls: 0, branches: 0, compactions: 0, modelChanges: 0, modelChangesWithoutParent: 0,
    thinkingLevelChanges: 0, images: 0, blobs: 0, blobsMissing: 0, blobBytes: 0, secrets: 0,
  };
  const header: Record<string, unknown> = {
    type: 'session', version: 3, id: spec.id, timestamp: new Date(spec.startMs).toISOString(),
  };
  if (spec.cwdInHeader) header.cwd = spec.cwd;
  header.provider = spec.model.provider;
  header.modelId = spec.model.model;
  header.thinkingLevel = spec.thinkingLevel;
  if (spec.branchedFrom) header.branchedFrom = spec.branchedFrom;
  out.line(header);

  let model = spec.model;
  let context = rng.int(8000, 20000);
  let secretPlanted = !spec.secret;
  const blobDir = `${path}.blobs`;
  /** User-message entries on the current path, for branching back. */
  const userPoints: { id: string; parent: string | null }[] = [];

  const image = (where: 'user' | 'tool'): Record<string, unknown> => {
    st.images++;
    const big = rng.chance(0.7);
    const size = big ? rng.int(BLOB_THRESHOLD, spec.small ? BLOB_THRESHOLD + 30_000 : 420_000) : rng.int(600, 4000);
    const bytes = imageBytes(rng, size);
    if (!big) return { type: 'image', mimeType: 'image/png', data: bytes.toString('base64') };
    // pir moves payloads over 64 KiB into <file>.jsonl.blobs/<sha256 of the decoded bytes>.
    const hex = createHash('sha256').update(bytes).digest('hex');
    st.blobs++;
    if (rng.chance(where === 'user' ? 0.2 : 0.15)) st.blobsMissing++;
    else {
      mkdirSync(blobDir, { recursive: true });
      const fd = openSync(join(blobDir, hex), 'w');
      writeSync(fd, bytes);
      closeSync(fd);
      st.blobBytes += bytes.length;
    }
    return { type: 'image', mimeType: 'image/png', data: { $piBlob: `sha256:${hex}`, sizeBytes: bytes.length, encoding: 'base64' } };
  };

  const changeModel = (): void => {
    const next = pickModel(rng);
    if (next.model === model.model) return;
    model = next;
    st.modelChanges++;
    // pir may write model_change without parentId: seen after the entry it follows in the file.
    const omit = t.leaf === t.lastWritten && rng.chance(0.5);
    if (omit) st.modelChangesWithoutParent++;
    t.tick(500, 5000);
    t.append('model_change', { provider: model.provider, modelId: model.model }, { omitParent: omit });
  };

  if (rng.chance(0.3)) changeModel();
  if (rng.chance(0.25)) {
    t.tick(100, 2000);
    t.append('custom_message', {
      customType: 'gt-prime', display: false,
      content: `[gt prime] You are the ${spec.role} in ${spec.cwd}. Check your hook with \`gt hook\` and your mail with \`gt mail inbox\`.`,
    });
  }

  let turnsLeft = spec.assistantTurns;
  let first = true;
  let sinceCompaction = 0;
  while (turnsLeft > 0) {
    // Branch: go back before an earlier prompt and try again (the old continuation is abandoned).
    if (spec.branchy && !first && userPoints.length > 1 && rng.chance(0.12)) {
      const at = userPoints.length - rng.int(1, Math.min(4, userPoints.length - 1));
      const point = userPoints[at];
      const oldLeaf = t.leaf;
      userPoints.length = at;
      t.leaf = point.parent;
      st.branches++;
      t.tick(2000, 60_000);
      // pi writes a branch summary at the new position when leaving a branch (optional there).
      if (rng.chance(0.7)) t.append('branch_summary', { fromId: oldLeaf, summary: `Tried ${rng.pick(VERBS)} ${rng.pick(THINGS)}; it broke the tests, so this path was abandoned.` });
    }
    if (!first && rng.chance(0.04)) changeModel();
    if (!first && rng.chance(0.05)) {
      st.thinkingLevelChanges++;
      t.tick(500, 3000);
      t.append('thinking_level_change', { thinkingLevel: rng.pick(THINKING_LEVELS) });
    }
    if (!first && rng.chance(0.03)) {
      // A command the human ran with `!`.
      t.tick(5000, 60_000);
      const failed = rng.chance(0.3);
      t.message({ role: 'bashExecution', command: rng.pick(['git status', 'bd ready', 'gt peek', 'ls']), output: failed ? 'error: permission denied' : `ok\n${rng.hex(16)}`, exitCode: failed ? 1 : 0, cancelled: false, truncated: false });
    }

    // The prompt.
    t.tick(5000, 240_000);
    const content: unknown[] = [{ type: 'text', text: userPrompt(rng, spec.role, first) + (!secretPlanted && rng.chance(0.3) ? `\nuse this token: ${fakeSecret(rng)}` : '') }];
    if (!secretPlanted && (content[0] as { text: string }).text.includes('token:')) {
      secretPlanted = true;
      st.secrets++;
    }
    if (spec.images && rng.chance(0.15)) content.push(image('user'));
    const parentOfPrompt = t.leaf;
    const promptId = t.message({ role: 'user', content });
    userPoints.push({ id: promptId, parent: parentOfPrompt });
    first = false;

    // Tool rounds, then a closing answer.
    const rounds = Math.min(turnsLeft - 1, Math.round(rng.logNormal(spec.small ? 2 : 5, 0.9)));
    let failedBefore = false;
    for (let r = 0; r < rounds; r++) {
      const calls = rng.weighted([[1, 70], [2, 20], [3, 10]] as const);
      const plans: ToolPlan[] = [];
      for (let c = 0; c < calls; c++) plans.push(toolPlan(rng, spec.small, !failedBefore && rng.chance(0.1)));
      failedBefore = plans.some((p) => p.isError);
      if (!secretPlanted && rng.chance(0.05)) {
        plans[0] = { name: 'bash', args: { command: 'cat .env' }, output: `NODE_ENV=production\n${fakeSecret(rng)}\nLOG_LEVEL=info`, isError: false };
        secretPlanted = true;
        st.secrets++;
      }
      const blocks: unknown[] = [];
      if (rng.chance(0.55)) blocks.push({ type: 'thinking', thinking: thinkingText(rng), thinkingSignature: rng.alnum(40) });
      if (rng.chance(0.5)) blocks.push({ type: 'text', text: rng.pick(['Let me look at the code first.', 'I will run the tests to see the failure.', 'Reading the relevant files.', 'That failed; let me check the file and retry.', 'Now the edit.']) });
      const callIds = plans.map(() => (spec.emptyToolIds ? '' : `toolu_${rng.alnum(24)}`));
      plans.forEach((p, i) => blocks.push({ type: 'toolCall', id: callIds[i], name: p.name, arguments: p.args }));
      t.tick(2000, 40_000);
      context += 400;
      t.message({ role: 'assistant', content: blocks, api: model.api, provider: model.provider, model: model.model, usage: usage(rng, context, model), stopReason: 'toolUse' });
      st.assistantMessages++;
      st.toolCalls += plans.length;
      turnsLeft--;
      for (let i = 0; i < plans.length; i++) {
        const p = plans[i];
        t.tick(50, p.name === 'bash' ? 90_000 : 800);
        const resultContent: unknown[] = [{ type: 'text', text: p.output }];
        if (spec.images && p.name === 'read' && rng.chance(0.1)) resultContent.push(image('tool'));
        t.message({ role: 'toolResult', toolCallId: callIds[i], toolName: p.name, content: resultContent, isError: p.isError });
        context += Math.round(p.output.length / 4);
      }
    }
    const closing: unknown[] = [];
    if (rng.chance(0.4)) closing.push({ type: 'thinking', thinking: thinkingText(rng), thinkingSignature: rng.alnum(40) });
    closing.push({ type: 'text', text: `${rng.pick(['Done.', 'Fixed.', 'Here is what I found.', 'The change is in.'])} I ${rng.pick(['changed', 'read', 'tested'])} \`${rng.pick(FILES)}\`: ${rng.pick(VERBS)} ${rng.pick(THINGS)}.\n\n- ${rng.pick(['tests pass', 'build is clean', 'one test is still flaky', 'bead updated'])}\n- ${rng.pick(['no other callers', 'committed on the polecat branch', 'left a note on the bead'])}` });
    t.tick(2000, 30_000);
    t.message({ role: 'assistant', content: closing, api: model.api, provider: model.provider, model: model.model, usage: usage(rng, context, model), stopReason: 'stop' });
    st.assistantMessages++;
    turnsLeft--;
    sinceCompaction += rounds + 1;

    if (sinceCompaction > rng.int(120, 220) && context > 60_000) {
      st.compactions++;
      t.tick(1000, 20_000);
      t.append('compaction', { summary: `## Goal\n${rng.pick(VERBS)} ${rng.pick(THINGS)}\n\n## Progress\n- ${rng.pick(FILES)} changed\n- tests: ${rng.int(10, 300)} passing`, firstKeptEntryId: userPoints[userPoints.length - 1].id, tokensBefore: context });
      context = rng.int(10_000, 30_000);
      sinceCompaction = 0;
    }
    if (spec.named && !st.name && rng.chance(0.3)) {
      st.name = `${rng.pick(VERBS)} ${rng.pick(THINGS)}`;
      t.append('session_info', { name: st.name });
    }
    if (rng.chance(0.01)) t.append('label', { targetId: promptId, label: rng.pick(['checkpoint', 'good state', 'before refactor']) });
  }
  // Sometimes the model is switched and the session ends there: a parentless last entry.
  if (rng.chance(0.03)) changeModel();
  out.close();
  return { ...st, entries: t.entries, messages: t.messages, bytes: out.bytes, endMs: t.ms };
}

function sessionLength(rng: Rng, small: boolean, scale: number): number {
  if (small) return Math.max(2, Math.round(rng.int(2, 30) * scale));
  // Heavy tail: median about 60 assistant messages, a long tail past 2000.
  return Math.max(2, Math.min(2600, Math.round(rng.logNormal(60, 1.3) * scale)));
}

/** Writes `sessions` pir sessions under `out` plus a session-index.sqlite listing most of them. */
export async function generatePirCorpus(opts: PirCorpusOptions): Promise<PirCorpusResult> {
  const root = resolve(opts.out);
  const small = opts.small === true;
  const scale = opts.scale ?? 1;
  const rng = new Rng(opts.seed ?? 1);
  mkdirSync(root, { recursive: true });
  const sessions: GeneratedPirSession[] = [];
  let blobBytes = 0;
  let startMs = Date.UTC(2025, 8, 1) + rng.int(0, 86_400_000);
  const span = Date.UTC(2026, 1, 1) - startMs;
  const step = span / Math.max(1, opts.sessions);
  for (let i = 0; i < opts.sessions; i++) {
    const role = rng.weighted(ROLE_WEIGHTS);
    const cwd = roleCwd(rng, role);
    const id = rng.uuid();
    const s0 = startMs + rng.int(0, Math.max(1, Math.round(step)));
    startMs += step;
    const parent = i > 3 && rng.chance(0.05) ? sessions[rng.int(0, sessions.length - 1)] : undefined;
    let length = sessionLength(rng, small, scale);
    // At least one very long session in a full-size corpus, as the fleet has.
    if (!small && i === Math.min(7, opts.sessions - 1)) length = Math.round(rng.int(2000, 2400) * scale);
    const spec: SessionSpec = {
      id, role, cwd, cwdInHeader: !rng.chance(0.04), startMs: s0, assistantTurns: length, model: pickModel(rng),
      thinkingLevel: rng.pick(THINKING_LEVELS), emptyToolIds: rng.chance(0.1), branchy: rng.chance(0.18),
      images: rng.chance(0.1), secret: rng.chance(0.04), named: rng.chance(0.2), small,
      // As on the machine pir ran on: an absolute path under the default sessions root.
      ...(parent ? { branchedFrom: `/home/ubuntu/.pi/agent/sessions/${parent.folder}/${basename(parent.path)}` } : {}),
    };
    const folder = encodeCwd(cwd);
    mkdirSync(join(root, folder), { recursive: true });
    const path = join(root, folder, pirFileName(s0, id));
    const w = writeSession(rng, spec, path);
    blobBytes += w.blobBytes;
    const end = new Date(w.endMs);
    utimesSync(path, end, end);
    sessions.push({
      path, id, role, cwd, cwdInHeader: spec.cwdInHeader, folder, entries: w.entries, messages: w.messages,
      assistantMessages: w.assistantMessages, toolCalls: w.toolCalls, branches: w.branches, compactions: w.compactions,
      modelChanges: w.modelChanges, modelChangesWithoutParent: w.modelChangesWithoutParent,
      thinkingLevelChanges: w.thinkingLevelChanges, images: w.images, blobs: w.blobs, blobsMissing: w.blobsMissing,
      emptyToolIds: spec.emptyToolIds, secrets: w.secrets, bytes: w.bytes, startMs: s0, endMs: w.endMs,
      ...(spec.branchedFrom ? { branchedFrom: spec.branchedFrom } : {}),
      ...(w.name ? { name: w.name } : {}),
    });
  }

  let indexPath: string | null = null;
  const unlisted: string[] = [];
  const missingRows: string[] = [];
  if (opts.index !== false) {
    // Most files listed; a few left for the walk; a row or two whose file is gone.
    const nUnlisted = sessions.length >= 5 ? Math.max(1, Math.round(sessions.length * 0.02)) : 0;
    const skip = new Set<number>();
    while (skip.size < nUnlisted) skip.add(rng.int(0, sessions.length - 1));
    const rows: SessionIndexRow[] = [];
    sessions.forEach((s, i) => {
      if (skip.has(i)) {
        unlisted.push(s.path);
        return;
      }
      const st = statSync(s.path);
      rows.push({ path: s.path, id: s.id, cwd: s.cwdInHeader ? s.cwd : '', timestamp: new Date(s.startMs).toISOString(), message_count: s.messages, last_modified_ms: Math.trunc(st.mtimeMs), size_bytes: st.size, name: s.name ?? null });
    });
    const nMissing = sessions.length >= 5 ? Math.max(1, Math.min(2, Math.round(sessions.length / 300))) : 0;
    for (let k = 0; k < nMissing; k++) {
      const cwd = roleCwd(rng, 'polecat');
      const id = rng.uuid();
      const path = join(root, encodeCwd(cwd), pirFileName(Date.UTC(2025, 9, 1) + k * 1000, id));
      missingRows.push(path);
      rows.push({ path, id, cwd, timestamp: '2025-10-01T00:00:00.000Z', message_count: 12, last_modified_ms: Date.UTC(2025, 9, 1), size_bytes: 4096, name: null });
    }
    indexPath = writeSessionIndex(root, rows, { wal: true, syncEpochMs: startMs });
  }
  return { root, indexPath, sessions, unlisted, missingRows, bytes: sessions.reduce((a, s) => a + s.bytes, 0), blobBytes };
}

// ---------------------------------------------------------------------------------------------
// The index

export interface SessionIndexRow {
  path: string;
  id: string;
  cwd: string;
  timestamp: string;
  message_count: number;
  last_modified_ms: number;
  size_bytes: number;
  name: string | null;
}

/** Writes `<root>/session-index.sqlite` with pir's schema (replacing one that is there). */
export function writeSessionIndex(
  root: string,
  rows: SessionIndexRow[],
  opts: { wal?: boolean; syncEpochMs?: number; pageSize?: number } = {},
): string {
  const path = join(root, SESSION_INDEX_FILE);
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
  const db = new Database(path);
  try {
    if (opts.pageSize) db.pragma(`page_size = ${opts.pageSize}`);
    db.pragma(`journal_mode = ${opts.wal === false ? 'DELETE' : 'WAL'}`);
    db.exec(`CREATE TABLE IF NOT EXISTS sessions (
      path TEXT PRIMARY KEY, id TEXT, cwd TEXT, timestamp TEXT, message_count INTEGER,
      last_modified_ms INTEGER, size_bytes INTEGER, name TEXT);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);`);
    const ins = db.prepare(
      'INSERT OR REPLACE INTO sessions (path,id,cwd,timestamp,message_count,last_modified_ms,size_bytes,name) VALUES (@path,@id,@cwd,@timestamp,@message_count,@last_modified_ms,@size_bytes,@name)',
    );
    db.transaction(() => {
      for (const r of rows) ins.run(r);
      db.prepare('INSERT OR REPLACE INTO meta (key,value) VALUES (?,?)').run('last_sync_epoch_ms', String(Math.trunc(opts.syncEpochMs ?? 0)));
    })();
  } finally {
    db.close();
  }
  return path;
}

/**
 * Builds a session index for a tree already on disk (headers read, messages counted, streaming).
 * `relative: true` stores paths relative to root, so a committed sample tree stays valid anywhere.
 */
export async function indexExistingTree(
  root: string,
  opts: {
    relative?: boolean;
    wal?: boolean;
    /** Files to leave out of the index (found by the walk). */
    exclude?: (path: string) => boolean;
    /** Extra rows for files that do not exist (paths as they go in the index). */
    missingRows?: string[];
  } = {},
): Promise<{ indexPath: string; rows: SessionIndexRow[] }> {
  const abs = resolve(root);
  const rows: SessionIndexRow[] = [];
  const files: string[] = [];
  for (const d of (await readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!d.isDirectory() || d.name.endsWith('.blobs')) continue;
    for (const f of (await readdir(join(abs, d.name))).sort()) if (f.endsWith('.jsonl')) files.push(join(abs, d.name, f));
  }
  for (const path of files) {
    if (opts.exclude?.(path)) continue;
    let header: Record<string, unknown> | undefined;
    let messages = 0;
    let name: string | null = null;
    await readJsonLines(path, (v) => {
      if (v === null || typeof v !== 'object') return;
      const e = v as Record<string, unknown>;
      if (e.type === 'session' && !header) header = e;
      else if (e.type === 'message') messages++;
      else if (e.type === 'session_info' && typeof e.name === 'string' && e.name.trim()) name = e.name.trim();
    }, {});
    const st = statSync(path);
    rows.push({
      path: opts.relative ? relative(abs, path) : path,
      id: typeof header?.id === 'string' ? header.id : '',
      cwd: typeof header?.cwd === 'string' ? header.cwd : '',
      timestamp: typeof header?.timestamp === 'string' ? header.timestamp : '',
      message_count: messages,
      last_modified_ms: Math.trunc(st.mtimeMs),
      size_bytes: st.size,
      name,
    });
  }
  for (const [i, p] of (opts.missingRows ?? []).entries()) {
    rows.push({ path: p, id: sessionIdFromFileName(basename(p)) ?? `missing-${i}`, cwd: '', timestamp: '', message_count: 0, last_modified_ms: 0, size_bytes: 0, name: null });
  }
  const indexPath = writeSessionIndex(abs, rows, { wal: opts.wal, pageSize: 1024 });
  return { indexPath, rows };
}

// ---------------------------------------------------------------------------------------------
// One huge session (memory benchmark)

export interface HugeSessionOptions {
  out: string;
  /** Target size in MiB. */
  mb: number;
  seed?: number;
}

/**
 * Writes one pir session of at least `mb` MiB, streaming: ordinary tool turns interleaved with
 * tool outputs of 1-6 MiB (logs, dumps), which is where a real session gets its size.
 */
export function generateHugePirSession(opts: HugeSessionOptions): { path: string; bytes: number; assistantMessages: number; hugeOutputs: number } {
  const rng = new Rng(opts.seed ?? 1);
  const root = resolve(opts.out);
  const cwd = `${TOWN_ROOT}/harvest/polecats/furiosa`;
  const dir = join(root, encodeCwd(cwd));
  mkdirSync(dir, { recursive: true });
  const id = rng.uuid();
  const startMs = Date.UTC(2025, 11, 1);
  const path = join(dir, pirFileName(startMs, id));
  if (existsSync(path)) rmSync(path);
  const out = new LineWriter(path);
  const t = new TreeWriter(out, rng, startMs);
  const model = MODELS[0];
  out.line({ type: 'session', version: 3, id, timestamp: new Date(startMs).toISOString(), cwd, provider: model.provider, modelId: model.model, thinkingLevel: 'high' });
  const target = opts.mb * 1024 * 1024;
  // One 64 KiB block of log text, repeated with a unique heading per output.
  const block = fill(rng, 64 * 1024, () => `${new Date(startMs + rng.int(0, 1e9)).toISOString()} INFO ${rng.pick(SYMBOLS)} processed ${rng.int(1, 99999)} items in ${rng.int(1, 999)} ms (${rng.hex(12)})`);
  let assistantMessages = 0;
  let hugeOutputs = 0;
  let context = 20_000;
  while (out.bytes < target) {
    t.tick(5000, 60_000);
    t.message({ role: 'user', content: [{ type: 'text', text: userPrompt(rng, 'polecat', rng.chance(0.3)) }] });
    const rounds = rng.int(2, 8);
    for (let r = 0; r < rounds; r++) {
      const huge = rng.chance(0.25);
      const plan = huge
        ? { name: 'bash' as const, args: { command: `cat logs/${rng.pick(['worker', 'ingest', 'train'])}-${rng.int(1, 400)}.log` }, output: '', isError: false }
        : toolPlan(rng, false, rng.chance(0.08));
      if (huge) {
        const copies = rng.int(16, 96); // 1-6 MiB
        plan.output = `== ${plan.args.command} (${copies * 64} KiB) ==\n${block.repeat(copies)}`;
        hugeOutputs++;
      }
      const callId = `toolu_${rng.alnum(24)}`;
      t.tick(1000, 20_000);
      t.message({ role: 'assistant', content: [{ type: 'thinking', thinking: thinkingText(rng), thinkingSignature: rng.alnum(40) }, { type: 'toolCall', id: callId, name: plan.name, arguments: plan.args }], api: model.api, provider: model.provider, model: model.model, usage: usage(rng, context, model), stopReason: 'toolUse' });
      assistantMessages++;
      t.tick(50, 5000);
      t.message({ role: 'toolResult', toolCallId: callId, toolName: plan.name, content: [{ type: 'text', text: plan.output }], isError: plan.isError });
      context = Math.min(180_000, context + 2000);
    }
    t.tick(1000, 20_000);
    t.message({ role: 'assistant', content: [{ type: 'text', text: 'Done; the log shows the retries stopped after the fix.' }], api: model.api, provider: model.provider, model: model.model, usage: usage(rng, context, model), stopReason: 'stop' });
    assistantMessages++;
    out.flush();
  }
  out.close();
  return { path, bytes: out.bytes, assistantMessages, hugeOutputs };
}
