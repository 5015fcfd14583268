// Which beads a session worked on, each with the method that found it and a confidence:
//   closed_by_session  the bead names the session                                     0.99
//   tool_call          the session ran `bd close|update|show ID`, `gt sling|hook ID`,  0.4-0.95
//                      `gt done` (the hooked bead)
//   dispatch_header    the first prompt or hook output names it (`hook_bead: ID`,      0.7-0.85
//                      `Hooked: ID`, `assigned:ID`, `attached_molecule: MOL` -> its bead)
//   assignee_overlap   the bead's assignee is the session's agent (from its cwd) and   0.42-0.7
//                      the session's time span overlaps the bead's claimed-to-closed span
// Independent evidence combines as 1 - prod(1 - c). Pure: the lookup is a prefetched snapshot.
import { agentKey, type BeadAttempt, type BeadCandidates, type BeadLifecycle, type BeadLink, type BeadLinkMethod, type BeadLookup, type GastownAgent } from '../model/bead.ts';
import type { Session } from '../model/session.ts';
import { agentFromCwd, assigneeMatch } from './gastown-agent.ts';
import { COMMAND_WRAPPERS, commandOf, shellWords } from './shell-command.ts';

export { agentKey, type BeadCandidates, type BeadLookup };



export interface BeadLinkOptions {
  townRoot?: string;
  homeDir?: string;
  /** Links under this confidence are left out (default 0.3). */
  minConfidence?: number;
  /** Slack around the session span when matching assignee spans and closes (default 10 min). */
  slackMs?: number;
}

interface Mention {
  id: string;
  method: BeadLinkMethod;
  action: string;
  confidence: number;
  evidence: string;
  /** Molecule id to resolve to its bead. */
  molecule?: boolean;
}

// bd/gt ids: `lf-0b0`, `lf-2bap.1.2`, `lf-wisp-wisp-mufl`, `hq-79ptcl`, `lf-lora_forge-polecat-nux`.
const ID_RE = /^[A-Za-z][A-Za-z0-9_]*-[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const cleanId = (tok: string): string | null => {
  const t = tok.replace(/^[`'"(<[]+|[`'")\]>,.;:!?]+$/g, '');
  return ID_RE.test(t) && t.length <= 80 && !/\.(?:ts|js|py|go|md|json|jsonl|toml|ya?ml|sh|txt)$/.test(t) ? t : null;
};

const BD_VALUE_FLAGS = new Set([
  '--reason', '-r', '--status', '-s', '--assignee', '-a', '--notes', '--title', '--description', '-d',
  '--priority', '-p', '--type', '-t', '--label', '-l', '--comment', '-m', '--message', '--session',
  '--actor', '--db', '--design', '--acceptance', '--parent', '--deps', '--add-label', '--remove-label',
  '--on', '--rig', '--agent', '--formula', '--var', '--args', '--issue', '--molecule',
]);

/** `bd ...` / `gt ...` invocations in a shell command line: tool, subcommand, positionals, flags. */
export function beadCommands(command: string): { tool: 'bd' | 'gt'; sub: string; args: string[]; flags: Record<string, string | true> }[] {
  const out: ReturnType<typeof beadCommands> = [];
  for (const part of command.split(/&&|\|\||;|\||\n/)) {
    const words = shellWords(part.trim());
    // The command word: first, after env assignments or a wrapper (`sudo`, `env`, `time`, ...).
    let at = 0;
    while (at < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at]) || COMMAND_WRAPPERS.has(words[at]))) at++;
    if (at >= words.length || !/(?:^|\/)(bd|gt)$/.test(words[at])) continue;
    const tool = /bd$/.test(words[at]) ? 'bd' : 'gt';
    const rest = words.slice(at + 1);
    const sub = rest.shift();
    if (!sub || sub.startsWith('-')) continue;
    const args: string[] = [];
    const flags: Record<string, string | true> = {};
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i];
      if (w.startsWith('-')) {
        const eq = w.indexOf('=');
        if (eq > 0) flags[w.slice(0, eq)] = w.slice(eq + 1);
        else if (BD_VALUE_FLAGS.has(w) && i + 1 < rest.length) flags[w] = rest[++i];
        else flags[w] = true;
      } else {
        args.push(w);
      }
    }
    out.push({ tool, sub, args, flags });
  }
  return out;
}

function commandMentions(command: string): { mentions: Mention[]; done: boolean; hookQuery: boolean } {
  const mentions: Mention[] = [];
  let done = false;
  let hookQuery = false;
  for (const c of beadCommands(command)) {
    const ids = c.args.map(cleanId).filter((x): x is string => x !== null);
    const ev = (action: string, id: string) => `${c.tool} ${c.sub}${action !== c.sub ? ` (${action})` : ''} ${id}`;
    const add = (action: string, confidence: number, list = ids) => {
      for (const id of list) mentions.push({ id, method: 'tool_call', action, confidence, evidence: ev(action, id) });
    };
    if (c.tool === 'bd') {
      const status = typeof c.flags['--status'] === 'string' ? c.flags['--status'] : typeof c.flags['-s'] === 'string' ? c.flags['-s'] : null;
      switch (c.sub) {
        case 'close':
          add('close', 0.95);
          break;
        case 'update':
          if (c.flags['--claim'] || status === 'in_progress' || status === 'hooked') add('claim', 0.9);
          else if (status === 'closed' || status === 'completed') add('close', 0.95);
          else if (status === 'open') add('release', 0.6);
          else add('update', 0.75);
          break;
        case 'claim':
          add('claim', 0.9);
          break;
        case 'reopen':
          add('reopen', 0.6);
          break;
        case 'comment':
        case 'comments':
          add('comment', 0.6, ids.slice(0, 1));
          break;
        case 'show':
          add('show', 0.4);
          break;
        default:
          break;
      }
    } else {
      switch (c.sub) {
        case 'done':
          done = true;
          if (typeof c.flags['--issue'] === 'string') {
            const id = cleanId(c.flags['--issue']);
            if (id) add('done', 0.95, [id]);
          }
          break;
        case 'sling':
          add('sling', 0.4, ids.slice(0, 1));
          break;
        case 'hook':
          if (ids.length) add('hook', 0.85, ids.slice(0, 1));
          else hookQuery = true;
          break;
        case 'close':
          add('close', 0.95);
          break;
        case 'prime':
          hookQuery = true;
          break;
        case 'mol':
          hookQuery = true;
          break;
        default:
          break;
      }
    }
  }
  return { mentions, done, hookQuery };
}

/** Dispatch headers in a prompt or in hook output. */
export function headerMentions(text: string, confidence: number): Mention[] {
  const out: Mention[] = [];
  const scan = (re: RegExp, action: string, c: number, molecule = false) => {
    for (const m of text.matchAll(re)) {
      const id = cleanId(m[1]);
      if (id) out.push({ id, method: 'dispatch_header', action, confidence: c, evidence: m[0].trim().slice(0, 120), molecule });
    }
  };
  scan(/\bhook_bead:\s*([^\s,]+)/g, 'hooked', confidence);
  scan(/\bHooked:\s*([^\s:]+)/g, 'hooked', confidence);
  scan(/\[GAS TOWN\][^\n]*?\bassigned:\s*([^\s•]+)/g, 'assigned', confidence);
  scan(/\battached_molecule:\s*([^\s,]+)/g, 'molecule', confidence - 0.05, true);
  scan(/^\s*Work on ([^\s:]+):/gm, 'assigned', confidence - 0.15);
  return out;
}

const MAX_HEADER_TURNS = 2;

function sessionSpan(session: Session): { start: number | null; end: number | null } {
  let start = session.startedAt ? Date.parse(session.startedAt) : NaN;
  let end = session.endedAt ? Date.parse(session.endedAt) : NaN;
  for (const t of session.turns) {
    if (!t.timestamp) continue;
    const ts = Date.parse(t.timestamp);
    if (!Number.isFinite(ts)) continue;
    if (!Number.isFinite(start) || ts < start) start = ts;
    if (!Number.isFinite(end) || ts > end) end = ts;
  }
  return { start: Number.isFinite(start) ? start : null, end: Number.isFinite(end) ? end : null };
}

interface Extracted {
  mentions: Mention[];
  done: boolean;
}

// `beadCandidates` and `linkSessionToBeads` both need a session's mentions: one walk of its turns.
const extracted = new WeakMap<Session, Extracted>();

function extract(session: Session): Extracted {
  let known = extracted.get(session);
  if (!known) {
    known = extractUncached(session);
    extracted.set(session, known);
  }
  return known;
}

function extractUncached(session: Session): Extracted {
  const mentions: Mention[] = [];
  let done = false;
  let userTextTurns = 0;
  const hookCalls = new Set<string>();
  for (const turn of session.turns) {
    if (turn.role === 'user') {
      if (turn.text.trim() !== '' && !turn.humanCommand && userTextTurns < MAX_HEADER_TURNS) {
        userTextTurns++;
        mentions.push(...headerMentions(turn.text, 0.85));
      }
      for (const r of turn.toolResults) if (hookCalls.has(r.id)) mentions.push(...headerMentions(r.content, 0.8));
      continue;
    }
    for (const call of turn.toolCalls) {
      const cmd = commandOf(call.input);
      if (!cmd) continue;
      const found = commandMentions(cmd);
      mentions.push(...found.mentions);
      if (found.done) done = true;
      if (found.hookQuery) hookCalls.add(call.id);
    }
  }
  return { mentions, done };
}

/** The ids, molecules, session ids and agent a lookup must fetch before `linkSessionToBeads`. */
export function beadCandidates(session: Session, opts: BeadLinkOptions = {}): BeadCandidates {
  return candidatesFrom(session, extract(session), opts);
}

function candidatesFrom(session: Session, { mentions }: Extracted, opts: BeadLinkOptions): BeadCandidates {
  const ids = new Set<string>();
  const molecules = new Set<string>();
  for (const m of mentions) (m.molecule ? molecules : ids).add(m.id);
  const span = sessionSpan(session);
  return {
    ids: [...ids],
    molecules: [...molecules],
    sessionIds: [session.id, ...(session.parentSessionId ? [session.parentSessionId] : [])],
    agent: agentFromCwd(session.cwd, opts.townRoot, opts.homeDir),
    start: span.start,
    end: span.end,
  };
}

const t = (s: string | null): number | null => {
  if (!s) return null;
  const v = Date.parse(s);
  return Number.isFinite(v) ? v : null;
};

/**
 * The attempt a session's work belongs to: the one it closed (a close within the session's span),
 * else the one whose span overlaps the session's most, preferring attempts claimed by its agent.
 */
export function placeAttempt(
  lc: BeadLifecycle,
  span: { start: number | null; end: number | null },
  opts: { closed?: boolean; agent?: GastownAgent | null; slackMs?: number } = {},
): BeadAttempt | null {
  if (lc.attempts.length === 0 || span.start === null || span.end === null) {
    return lc.attempts.length === 1 ? lc.attempts[0] : null;
  }
  const slack = opts.slackMs ?? 10 * 60_000;
  const s = span.start - slack;
  const e = span.end + slack;
  if (opts.closed) {
    const closes = lc.attempts.filter((a) => {
      const at = t(a.endedAt);
      return at !== null && at >= s && at <= e && a.closedBy !== null;
    });
    if (closes.length) return closes[closes.length - 1];
  }
  let best: BeadAttempt | null = null;
  let bestScore = 0;
  const created = t(lc.created_at);
  for (const a of lc.attempts) {
    const as = t(a.startedAt) ?? created ?? -Infinity;
    const ae = t(a.endedAt) ?? Infinity;
    const overlap = Math.min(e, ae) - Math.max(s, as);
    if (overlap < 0) continue;
    const mine = opts.agent && a.claimedBy ? assigneeMatch(a.claimedBy, opts.agent) : 0;
    const score = 1 + overlap / 1e12 + mine;
    if (score > bestScore) {
      best = a;
      bestScore = score;
    }
  }
  return best;
}

/** Whether the agent held the bead while the session ran: claimed-to-closed overlap. */
function assigneeOverlap(lc: BeadLifecycle, agent: GastownAgent, span: { start: number | null; end: number | null }, slack: number): { match: number; attempt: BeadAttempt | null } {
  if (span.start === null || span.end === null) return { match: 0, attempt: null };
  const s = span.start - slack;
  const e = span.end + slack;
  let best = { match: 0, attempt: null as BeadAttempt | null };
  const created = t(lc.created_at);
  for (const a of lc.attempts) {
    const who = a.claimedBy ?? lc.assignee;
    const match = assigneeMatch(who, agent);
    if (match === 0) continue;
    const as = t(a.startedAt) ?? t(lc.claimed_at) ?? created;
    const ae = t(a.endedAt) ?? (a.end === 'open' ? Infinity : null);
    if (as === null || ae === null) continue;
    if (Math.min(e, ae) - Math.max(s, as) < 0) continue;
    if (match > best.match) best = { match, attempt: a };
  }
  return best;
}

const combine = (cs: number[]): number => Math.min(0.999, 1 - cs.reduce((p, c) => p * (1 - c), 1));
const METHOD_RANK: Record<BeadLinkMethod, number> = { closed_by_session: 0, tool_call: 1, dispatch_header: 2, assignee_overlap: 3 };

/** The beads a session worked on, strongest first. */
export function linkSessionToBeads(session: Session, lookup: BeadLookup, opts: BeadLinkOptions = {}): BeadLink[] {
  const min = opts.minConfidence ?? 0.3;
  const slack = opts.slackMs ?? 10 * 60_000;
  const extracted = extract(session);
  const { mentions, done } = extracted;
  const cand = candidatesFrom(session, extracted, opts);
  const span = { start: cand.start, end: cand.end };
  const all: Mention[] = [];
  for (const m of mentions) {
    if (!m.molecule) {
      all.push(m);
      continue;
    }
    const bead = lookup.byMolecule(m.id);
    if (bead) all.push({ ...m, id: bead, evidence: `${m.evidence} -> ${bead}` });
  }
  for (const sid of cand.sessionIds) {
    for (const id of lookup.closedBySession(sid)) {
      all.push({ id, method: 'closed_by_session', action: 'close', confidence: sid === session.id ? 0.99 : 0.8, evidence: `closed_by_session: ${sid}` });
    }
  }
  // `gt done` finishes whatever is on the hook: the beads the headers named.
  if (done) {
    const hooked = [...new Set(all.filter((m) => m.method === 'dispatch_header' || m.action === 'hook' || m.action === 'claim').map((m) => m.id))];
    for (const id of hooked) all.push({ id, method: 'tool_call', action: 'done', confidence: hooked.length === 1 ? 0.9 : 0.6, evidence: `gt done (hooked ${id})` });
  }
  if (cand.agent) {
    const seen = new Set(all.map((m) => m.id));
    for (const id of lookup.byAgent(cand.agent.identity)) {
      const lc = lookup.get(id);
      if (!lc) continue;
      const o = assigneeOverlap(lc, cand.agent, span, slack);
      if (o.match === 0) continue;
      const startedInside = o.attempt?.startedAt && span.start !== null && span.end !== null
        && (t(o.attempt.startedAt) as number) >= span.start - slack && (t(o.attempt.startedAt) as number) <= span.end + slack;
      all.push({
        id,
        method: 'assignee_overlap',
        action: 'assigned',
        confidence: 0.6 * o.match + (startedInside ? 0.1 : 0) + (seen.has(id) ? 0 : 0),
        evidence: `assignee ${o.attempt?.claimedBy ?? lc.assignee} while the session ran`,
      });
    }
  }

  const byId = new Map<string, Mention[]>();
  for (const m of all) {
    const list = byId.get(m.id) ?? [];
    list.push(m);
    byId.set(m.id, list);
  }
  const links: BeadLink[] = [];
  for (const [id, ms] of byId) {
    const lc = lookup.get(id);
    // A session cannot have worked on a bead that did not exist yet (an id of another rig, reused).
    const createdAt = lc ? t(lc.created_at) : null;
    if (createdAt !== null && span.end !== null && span.end + slack < createdAt && !ms.some((m) => m.method === 'closed_by_session')) continue;
    // Per method the strongest evidence counts once: ten `bd show` calls are not ten witnesses.
    const bestPer = new Map<string, number>();
    for (const m of ms) {
      const k = `${m.method}:${m.action}`;
      bestPer.set(k, Math.max(bestPer.get(k) ?? 0, m.confidence));
    }
    let confidence = combine([...bestPer.values()]);
    const actions = [...new Set(ms.map((m) => m.action))];
    const onlyLooked = actions.every((a) => a === 'show');
    if (!lc && onlyLooked) continue;
    if (!lc) confidence *= 0.8;
    if (confidence < min) continue;
    const methods = [...new Set(ms.map((m) => m.method))].sort((a, b) => METHOD_RANK[a] - METHOD_RANK[b]);
    const closed = actions.includes('close') || actions.includes('done');
    const attempt = lc ? placeAttempt(lc, span, { closed, agent: cand.agent, slackMs: slack }) : null;
    links.push({
      bead_id: id,
      method: methods[0],
      methods,
      confidence: Math.round(confidence * 1000) / 1000,
      evidence: [...new Set(ms.map((m) => m.evidence))].slice(0, 5),
      actions,
      known: lc !== undefined,
      attempt: attempt ? attempt.index : null,
    });
  }
  return links.sort((a, b) => b.confidence - a.confidence || a.bead_id.localeCompare(b.bead_id));
}

/** A lookup over lifecycles in memory (tests, exports that read `<out>/beads`). */
export function memoryBeadLookup(lifecycles: Iterable<BeadLifecycle>, roleDurations: Record<string, number> = {}): BeadLookup {
  const byId = new Map<string, BeadLifecycle>();
  const bySession = new Map<string, string[]>();
  const byAgent = new Map<string, string[]>();
  const byMolecule = new Map<string, string>();
  const push = (m: Map<string, string[]>, k: string, v: string) => {
    const l = m.get(k) ?? [];
    if (!l.includes(v)) l.push(v);
    m.set(k, l);
  };
  for (const lc of lifecycles) {
    byId.set(lc.id, lc);
    if (lc.closed_by_session) push(bySession, lc.closed_by_session, lc.id);
    for (const a of new Set([...lc.assignees, ...(lc.claimed_by ? [lc.claimed_by] : [])])) push(byAgent, agentKey(a), lc.id);
    if (lc.molecule) byMolecule.set(lc.molecule, lc.id);
  }
  return {
    get: (id) => byId.get(id),
    closedBySession: (sid) => bySession.get(sid) ?? [],
    byAgent: (identity) => [...new Set([...(byAgent.get(agentKey(identity)) ?? []), ...(byAgent.get(agentKey(identity.split('/').at(-1) ?? '')) ?? [])])],
    byMolecule: (m) => byMolecule.get(m),
    typicalDurationMs: (role) => roleDurations[role],
  };
}

