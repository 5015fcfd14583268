// Which pull requests a session worked on, each with the method that found it and a confidence:
//   pr_link        Claude Code's `pr-link` line names the PR                              0.9
//   gh_pr_create   `gh pr create` printed the PR's URL                                    0.95  author
//   gh_pr_command  another `gh pr` command named it (view, diff, comment, review, ...)    0.6   reviewer
//   git_push       `git push` pushed a branch that is a PR's head (in the pushed repo),   0.85  author
//                  or printed a PR's URL                                            (0.7 repo unknown)
//   commit_sha     a commit the session made (`git commit`, a push's new head) is one     0.9   author
//                  of the PR's head commits
//   git_branch     the session's git branch is a PR's head ref, and their times overlap   0.6   author
// Independent evidence combines as 1 - prod(1 - c). The relation says what the session did to the
// PR: `author` when any evidence says it wrote or pushed the PR's commits, `reviewer` when it only
// looked, diffed or commented, `unknown` when only the pr-link line names it. Works on any harness:
// it reads tool calls and their results, whatever the tool is called. Pure: the lookup is a
// prefetched snapshot.
import { prKey, type PrCandidates, type PrLifecycle, type PrLink, type PrLinkMethod, type PrLookup, type PrRelation } from '../model/pr.ts';
import type { Session, ToolCall } from '../model/session.ts';
import { commandOf, simpleCommands } from './shell-command.ts';

export interface PrLinkOptions {
  /** Hosts whose `/OWNER/NAME/pull/N` URLs are PRs (default github.com). GitHub Enterprise: add its host. */
  hosts?: string[];
  /** Links under this confidence are left out (default 0.3). */
  minConfidence?: number;
}

const CONFIDENCE: Record<PrLinkMethod, number> = {
  pr_link: 0.9,
  gh_pr_create: 0.95,
  gh_pr_command: 0.6,
  git_push: 0.85,
  commit_sha: 0.9,
  git_branch: 0.6,
};
const RANK: PrLinkMethod[] = ['gh_pr_create', 'pr_link', 'commit_sha', 'git_push', 'gh_pr_command', 'git_branch'];

/** Branch names that are bases, not the head of one piece of work. */
const SHARED_BRANCHES = new Set(['main', 'master', 'develop', 'development', 'dev', 'next', 'trunk', 'staging', 'production', 'release', 'HEAD']);
/** `gh pr` subcommands that look at a PR without writing to it. */
const REVIEW_SUBCOMMANDS = new Set(['view', 'diff', 'checks', 'comment', 'review', 'status']);
/** How long before a PR opens a session may already work on its branch, and after it ends still count. */
const BEFORE_OPEN_MS = 7 * 24 * 3600_000;
const AFTER_END_MS = 3600_000;

interface Evidence {
  repo: string | null;
  number: number | null;
  /** A head branch to resolve to PRs, when the number is not known. */
  branch?: string;
  /** A commit to resolve to PRs. */
  sha?: string;
  method: PrLinkMethod;
  relation: PrRelation;
  confidence: number;
  evidence: string;
}

function urlPattern(hosts: string[]): RegExp {
  const h = hosts.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return new RegExp(`https?://(?:www\\.)?(?:${h})/([A-Za-z0-9-]+/[A-Za-z0-9._-]+)/pull/(\\d+)`, 'g');
}

/** PR URLs in a text: `{repo, number, url}` each. */
export function prUrls(text: string, hosts: string[] = ['github.com']): { repo: string; number: number; url: string }[] {
  const out: { repo: string; number: number; url: string }[] = [];
  for (const m of text.matchAll(urlPattern(hosts))) {
    const repo = m[1].replace(/\.git$/, '');
    out.push({ repo, number: Number(m[2]), url: `https://${m[0].split('/')[2]}/${repo}/pull/${m[2]}` });
  }
  return out;
}

const REPO_FLAG = new Set(['--repo', '-R']);
function repoFlag(args: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    if (REPO_FLAG.has(args[i]) && args[i + 1]) return args[i + 1].replace(/^https?:\/\/[^/]+\//, '');
    const eq = /^--repo=(.+)$/.exec(args[i]);
    if (eq) return eq[1];
  }
  return null;
}

/** What `git push` printed: the remote repository, the branches it updated and their new heads. */
export function parsePushOutput(text: string, hosts: string[] = ['github.com']): { repo: string | null; branches: string[]; shas: string[] } {
  const h = hosts.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const to = new RegExp(`^To\\s+(?:https?://(?:[^@/]+@)?|ssh://(?:[^@/]+@)?|[^@\\s]+@)?(?:${h})[:/]([A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\\.git)?/?\\s*$`, 'm').exec(text);
  const branches: string[] = [];
  const shas: string[] = [];
  for (const m of text.matchAll(/^\s*[+*\s-]?\s*(?:\[new branch\]|([0-9a-f]{7,40})\.\.\.?([0-9a-f]{7,40}))\s+(\S+)\s+->\s+(\S+)/gm)) {
    branches.push(m[4].replace(/^refs\/heads\//, ''));
    if (m[2]) shas.push(m[2]);
  }
  return { repo: to ? to[1] : null, branches: [...new Set(branches)], shas: [...new Set(shas)] };
}

/** Commits `git commit` printed: `[branch 1a2b3c4] message` (also `(root-commit)`). */
export function parseCommitOutput(text: string): string[] {
  return [...new Set([...text.matchAll(/^\[[^\]\s]+(?: \([^)]*\))? ([0-9a-f]{7,40})\]/gm)].map((m) => m[1]))];
}

/** The push's target branch from its own words, when the output does not say (`git push origin x`, `HEAD:x`). */
function pushedBranchFromArgs(args: string[]): string | null {
  const positional = args.filter((a) => !a.startsWith('-'));
  const spec = positional[1];
  if (!spec) return null;
  const dst = spec.includes(':') ? spec.split(':')[1] : spec;
  return dst && dst !== 'HEAD' ? dst.replace(/^refs\/heads\//, '').replace(/^\+/, '') : null;
}

function resultsById(session: Session): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of session.turns) for (const r of t.toolResults) if (r.id && !r.isError) out.set(r.id, (out.get(r.id) ?? '') + r.content);
  return out;
}

function* toolCalls(session: Session): Generator<ToolCall> {
  for (const t of session.turns) yield* t.toolCalls;
}

/** Everything the session itself says about PRs, before any lookup. */
function evidenceOf(session: Session, opts: PrLinkOptions): Evidence[] {
  const hosts = opts.hosts ?? ['github.com'];
  const out: Evidence[] = [];
  for (const p of session.prs ?? []) {
    out.push({ repo: p.repo, number: p.number, method: 'pr_link', relation: 'unknown', confidence: CONFIDENCE.pr_link, evidence: `pr-link ${p.url}` });
  }
  const results = resultsById(session);
  for (const call of toolCalls(session)) {
    const command = commandOf(call.input);
    if (!command) continue;
    const result = results.get(call.id) ?? '';
    for (const c of simpleCommands(command)) {
      const program = c.program.replace(/^.*\//, '');
      if (program === 'gh' && c.args[0] === 'pr') {
        const sub = c.args[1] ?? '';
        const rest = c.args.slice(2);
        if (sub === 'create') {
          for (const u of prUrls(result, hosts)) {
            out.push({ ...u, method: 'gh_pr_create', relation: 'author', confidence: CONFIDENCE.gh_pr_create, evidence: `gh pr create -> ${u.url}` });
          }
          continue;
        }
        const named = [...prUrls(rest.join(' '), hosts), ...prUrls(result, hosts)];
        const number = rest.map((a) => /^#?(\d+)$/.exec(a)?.[1]).find(Boolean);
        const repo = repoFlag(rest);
        if (number && repo) named.push({ repo, number: Number(number), url: `https://${hosts[0]}/${repo}/pull/${number}` });
        const relation: PrRelation = REVIEW_SUBCOMMANDS.has(sub) ? 'reviewer' : 'unknown';
        const seen = new Set<string>();
        for (const u of named) {
          if (seen.has(prKey(u.repo, u.number))) continue;
          seen.add(prKey(u.repo, u.number));
          out.push({ ...u, method: 'gh_pr_command', relation, confidence: CONFIDENCE.gh_pr_command, evidence: `gh pr ${sub} ${u.repo}#${u.number}` });
        }
        continue;
      }
      if (program !== 'git') continue;
      const verb = c.args.find((a) => !a.startsWith('-'));
      if (verb === 'push') {
        const push = parsePushOutput(result, hosts);
        const fromArgs = pushedBranchFromArgs(c.args.slice(c.args.indexOf('push')));
        const branches = push.branches.length ? push.branches : fromArgs ? [fromArgs] : [];
        const confidence = push.repo ? CONFIDENCE.git_push : 0.7;
        for (const branch of branches) {
          out.push({ repo: push.repo, number: null, branch, method: 'git_push', relation: 'author', confidence, evidence: `git push ${push.repo ?? '?'} ${branch}` });
        }
        for (const sha of push.shas) out.push({ repo: push.repo, number: null, sha, method: 'commit_sha', relation: 'author', confidence: CONFIDENCE.commit_sha, evidence: `pushed ${sha}` });
        for (const u of prUrls(result, hosts)) {
          out.push({ ...u, method: 'git_push', relation: 'author', confidence: CONFIDENCE.git_push, evidence: `git push -> ${u.url}` });
        }
      } else if (verb === 'commit') {
        for (const sha of parseCommitOutput(result)) out.push({ repo: null, number: null, sha, method: 'commit_sha', relation: 'author', confidence: CONFIDENCE.commit_sha, evidence: `commit ${sha}` });
      }
    }
  }
  if (session.gitBranch && !SHARED_BRANCHES.has(session.gitBranch)) {
    out.push({ repo: null, number: null, branch: session.gitBranch, method: 'git_branch', relation: 'author', confidence: CONFIDENCE.git_branch, evidence: `git branch ${session.gitBranch}` });
  }
  return out;
}

/** What a lookup must fetch for `session`. */
export function prCandidates(session: Session, opts: PrLinkOptions = {}): PrCandidates {
  const ev = evidenceOf(session, opts);
  const prs = new Map<string, { repo: string; number: number }>();
  for (const e of ev) if (e.repo && e.number) prs.set(prKey(e.repo, e.number), { repo: e.repo, number: e.number });
  return {
    prs: [...prs.values()],
    branches: [...new Set(ev.filter((e) => e.branch).map((e) => e.branch!))],
    shas: [...new Set(ev.filter((e) => e.sha).map((e) => e.sha!))],
  };
}

function span(session: Session): { start: number | null; end: number | null } {
  const times = session.turns.map((t) => (t.timestamp ? Date.parse(t.timestamp) : Number.NaN)).filter(Number.isFinite);
  const start = session.startedAt ? Date.parse(session.startedAt) : times.length ? Math.min(...times) : Number.NaN;
  const end = session.endedAt ? Date.parse(session.endedAt) : times.length ? Math.max(...times) : Number.NaN;
  return { start: Number.isFinite(start) ? start : null, end: Number.isFinite(end) ? end : null };
}

/** A branch shared by many PRs over time: only a PR open around the session's time is its work. */
function overlaps(lc: PrLifecycle, s: { start: number | null; end: number | null }): boolean {
  const opened = lc.opened_at ? Date.parse(lc.opened_at) : null;
  const ended = lc.closed_at ? Date.parse(lc.closed_at) : null;
  if (s.end !== null && opened !== null && s.end < opened - BEFORE_OPEN_MS) return false;
  if (s.start !== null && ended !== null && s.start > ended + AFTER_END_MS) return false;
  return true;
}

const combine = (cs: number[]): number => Math.round((1 - cs.reduce((p, c) => p * (1 - c), 1)) * 1000) / 1000;

/** The session's PR links, strongest first. */
export function linkSessionToPrs(session: Session, lookup: PrLookup, opts: PrLinkOptions = {}): PrLink[] {
  const hosts = opts.hosts ?? ['github.com'];
  const when = span(session);
  const found = new Map<string, { repo: string; number: number; url: string | null; known: boolean; ev: Evidence[] }>();
  const add = (repo: string, number: number, url: string | null, e: Evidence) => {
    const lc = lookup.get(repo, number);
    const k = prKey(lc?.repo ?? repo, number);
    const slot = found.get(k) ?? { repo: lc?.repo ?? repo, number, url, known: lc !== undefined, ev: [] };
    slot.url ??= url;
    slot.ev.push(e);
    found.set(k, slot);
  };
  for (const e of evidenceOf(session, opts)) {
    if (e.repo && e.number) {
      add(e.repo, e.number, `https://${hosts[0]}/${e.repo}/pull/${e.number}`, e);
      continue;
    }
    const keys = e.sha ? lookup.bySha(e.sha) : e.branch ? lookup.byBranch(e.branch) : [];
    for (const k of keys) {
      const [repo, n] = [k.slice(0, k.lastIndexOf('#')), Number(k.slice(k.lastIndexOf('#') + 1))];
      const lc = lookup.get(repo, n);
      if (!lc) continue;
      if (e.repo && lc.repo.toLowerCase() !== e.repo.toLowerCase()) continue;
      // A branch name (not a commit) says little about when: the PR must be open around the session.
      if (e.branch && !overlaps(lc, when)) continue;
      // A branch matched in an unknown repository is weaker: the same name may live in many.
      const confidence = e.branch && !e.repo && keys.length > 1 ? e.confidence * 0.75 : e.confidence;
      add(lc.repo, n, null, { ...e, confidence });
    }
  }
  const links: PrLink[] = [];
  for (const f of found.values()) {
    // Each method counts once, at its strongest: two pushes of one branch are one piece of evidence.
    const best = new Map<PrLinkMethod, number>();
    for (const e of f.ev) best.set(e.method, Math.max(best.get(e.method) ?? 0, e.confidence));
    const methods = RANK.filter((m) => best.has(m));
    const relations = new Set(f.ev.map((e) => e.relation));
    const relation: PrRelation = relations.has('author') ? 'author' : relations.has('reviewer') ? 'reviewer' : 'unknown';
    const confidence = combine([...best.values()]);
    if (confidence < (opts.minConfidence ?? 0.3)) continue;
    links.push({
      repo: f.repo,
      number: f.number,
      url: f.url ?? `https://${hosts[0]}/${f.repo}/pull/${f.number}`,
      method: methods[0],
      methods,
      confidence,
      relation,
      evidence: [...new Set(f.ev.map((e) => e.evidence))],
      known: f.known,
    });
  }
  return links.sort((a, b) => b.confidence - a.confidence || a.repo.localeCompare(b.repo) || a.number - b.number);
}
