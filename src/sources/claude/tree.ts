// The shape of a Claude Code conversation: lines link to their parent by `parentUuid` (across a
// compaction by `logicalParentUuid`). The active conversation is the path from the last message
// back to the root; a rewound conversation leaves its old messages off that path, kept as
// abandoned branches (raw material for preference pairs, as pi's are). Lines that are not on the
// path yet belong to it stay with it: the other lines of a streamed reply (parallel tool calls
// hang off one another) and the results of its calls.
//
// A line whose parent is absent, null or not in the file (hand-made files, old formats, a pasted
// fragment) hangs off the line before it; the first line is the root (a subagent's first line
// names a line of its parent session). Counts: tree_parents_assumed, tree_parents_outside, tree_cycles, abandoned_leaves_capped.
import { addCount, type Counts } from '../../model/session.ts';
import type { ClaudeNode } from './entries.ts';

export interface AbandonedPath {
  /** The last active node before the branch (null: the branch starts its own root). */
  point: ClaudeNode | null;
  /** The branch's nodes from the point down to its leaf. */
  nodes: ClaudeNode[];
  leaf: ClaudeNode;
}

export interface ConversationTree {
  /** Nodes of the active conversation. */
  active: Set<ClaudeNode>;
  abandoned: AbandonedPath[];
}

const MAX_BRANCHES = 100;

function isMessage(n: ClaudeNode): boolean {
  return n.item !== undefined;
}

export function resolveTree(nodes: ClaudeNode[], counts: Counts): ConversationTree {
  const byUuid = new Map<string, ClaudeNode>();
  for (const n of nodes) if (n.uuid && !byUuid.has(n.uuid)) byUuid.set(n.uuid, n);
  const parentOf = new Map<ClaudeNode, ClaudeNode>();
  let prev: ClaudeNode | undefined;
  for (const n of nodes) {
    let p: ClaudeNode | undefined;
    if (typeof n.parent === 'string' && byUuid.has(n.parent)) {
      p = byUuid.get(n.parent);
    } else if (typeof n.parent === 'string') {
      // Outside the file: the first line of a subagent or a continued session starts the tree;
      // a later one (a pasted fragment) continues from the line before it.
      addCount(counts, 'tree_parents_outside');
      p = prev;
    } else if (n.logicalParent && byUuid.has(n.logicalParent)) {
      p = byUuid.get(n.logicalParent);
    } else if (prev) {
      p = prev;
      addCount(counts, 'tree_parents_assumed');
    }
    if (p && p !== n) parentOf.set(n, p);
    prev = n;
  }

  const leaf = nodes.findLast(isMessage);
  const active = new Set<ClaudeNode>();
  for (let cur = leaf; cur && !active.has(cur); cur = parentOf.get(cur)) active.add(cur);
  // Replies and their results that hang off the path belong to it.
  const keys = new Set<string>();
  const calls = new Set<string>();
  const noteReply = (n: ClaudeNode) => {
    if (n.item?.k !== 'assistant') return;
    keys.add(n.item.key);
    for (const b of n.item.blocks) if (b.k === 'tool' && b.id) calls.add(b.id);
  };
  for (const n of active) noteReply(n);
  for (const n of nodes) {
    if (active.has(n)) continue;
    const it = n.item;
    const parent = parentOf.get(n);
    if (it?.k === 'assistant' && keys.has(it.key)) {
      active.add(n);
      noteReply(n);
    } else if (it?.k === 'user' && it.pieces.length > 0 && it.pieces.every((p) => p.k === 'result') && it.pieces.some((p) => p.k === 'result' && calls.has(p.id))) {
      active.add(n);
    } else if (!it && parent && active.has(parent)) {
      // a hook line, progress, an attachment: never a branch of its own
      active.add(n);
    } else if (it?.k === 'prompt' && parent && active.has(parent)) {
      active.add(n);
    }
  }

  // Branch leaves: message nodes off the path with no message below them off the path.
  const hasInactiveMessageBelow = new Set<ClaudeNode>();
  for (const n of nodes) {
    if (active.has(n) || !isMessage(n)) continue;
    const seen = new Set<ClaudeNode>();
    for (let p = parentOf.get(n); p && !active.has(p) && !seen.has(p); p = parentOf.get(p)) {
      seen.add(p);
      if (hasInactiveMessageBelow.has(p)) break;
      hasInactiveMessageBelow.add(p);
    }
  }
  const abandoned: AbandonedPath[] = [];
  for (const n of nodes) {
    if (active.has(n) || !isMessage(n) || hasInactiveMessageBelow.has(n)) continue;
    if (abandoned.length >= MAX_BRANCHES) {
      addCount(counts, 'abandoned_leaves_capped');
      continue;
    }
    const own: ClaudeNode[] = [];
    const seen = new Set<ClaudeNode>();
    let cur: ClaudeNode | undefined = n;
    while (cur && !active.has(cur)) {
      if (seen.has(cur)) {
        addCount(counts, 'tree_cycles');
        break;
      }
      seen.add(cur);
      own.push(cur);
      cur = parentOf.get(cur);
    }
    abandoned.push({ point: cur && active.has(cur) ? cur : null, nodes: own.reverse(), leaf: n });
  }
  return { active, abandoned };
}
