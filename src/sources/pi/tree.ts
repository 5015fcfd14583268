// The tree of a pi session, as pi's SessionManager builds it: ids assigned (v1 chains entries in
// file order; later versions use the ids written, made up where missing), an index where a later
// duplicate wins, orphans and cycles made roots, the active path from the last entry back to the
// root, and every other leaf an abandoned branch.
import type { AbandonedBranch } from '../../model/session.ts';
import type { PiContext } from './context.ts';
import { TurnBuilder, type PiNode } from './turns.ts';

/**
 * v1: entries chain in file order (pi's migrateV1ToV2). v2+: ids as written; a missing id is made
 * up, a missing parentId (pir's model_change) hangs the entry off the one before it.
 */
export function assignIds(nodes: PiNode[], version: number, ctx: PiContext): void {
  let prev: string | null = null;
  if (version < 2) {
    if (nodes.length) ctx.count('migrated_from_v1');
    nodes.forEach((n, i) => {
      n.id = `v1-${i + 1}`;
      n.parent = prev;
      prev = n.id;
    });
    return;
  }
  if (version === 2 && nodes.length) ctx.count('migrated_from_v2');
  for (const n of nodes) {
    if (n.rawId) n.id = n.rawId;
    else {
      ctx.count('ids_missing');
      ctx.warn('ids_missing', n.line, 'entry without an id; one made up from its line');
      n.id = `line-${n.line}`;
    }
    if (n.rawParent === undefined) {
      if (prev !== null) {
        ctx.count('parent_id_missing');
        ctx.warn('parent_id_missing', n.line, 'entry without parentId; attached to the entry before it');
      }
      n.parent = prev;
    } else n.parent = n.rawParent === '' ? null : n.rawParent;
    prev = n.id;
  }
}

/** id -> node (a later duplicate wins, as in pi's byId); orphans and cycles made roots. */
export function buildIndex(nodes: PiNode[], ctx: PiContext): Map<string, PiNode> {
  const byId = new Map<string, PiNode>();
  for (const n of nodes) {
    if (byId.has(n.id)) {
      ctx.count('duplicate_ids');
      ctx.warn('duplicate_ids', n.line, `duplicate entry id "${n.id}"; the later entry wins`);
    }
    byId.set(n.id, n);
  }
  for (const n of byId.values()) {
    if (n.parent === null) continue;
    if (n.parent === n.id) {
      ctx.count('cycles');
      ctx.warn('cycles', n.line, `entry "${n.id}" is its own parent; made a root`);
      n.parent = null;
    } else if (!byId.has(n.parent)) {
      // pi treats an entry whose parent is unknown as a root of its own.
      ctx.count('orphans');
      ctx.warn('orphans', n.line, `parent "${n.parent}" of entry "${n.id}" does not exist; made a root`);
      n.parent = null;
    }
  }
  // Longer cycles: walk up from each entry; a walk that meets itself is cut where it closes.
  const state = new Map<string, number>(); // 1 on the current walk, 2 done
  for (const start of byId.values()) {
    if (state.get(start.id) === 2) continue;
    const walk: PiNode[] = [];
    let cur: PiNode | undefined = start;
    while (cur && !state.has(cur.id)) {
      state.set(cur.id, 1);
      walk.push(cur);
      cur = cur.parent === null ? undefined : byId.get(cur.parent);
    }
    if (cur && state.get(cur.id) === 1) {
      const closer = walk[walk.length - 1];
      ctx.count('cycles');
      ctx.warn('cycles', closer.line, `parentId cycle through entry "${closer.id}"; cut there`);
      closer.parent = null;
    }
    for (const n of walk) state.set(n.id, 2);
  }
  return byId;
}

export function pathTo(leaf: PiNode, byId: Map<string, PiNode>): PiNode[] {
  const path: PiNode[] = [];
  let cur: PiNode | undefined = leaf;
  while (cur) {
    path.push(cur);
    cur = cur.parent === null ? undefined : byId.get(cur.parent);
  }
  return path.reverse();
}

export function abandonedBranches(
  nodes: PiNode[],
  byId: Map<string, PiNode>,
  active: PiNode[],
  turnsAfter: number[],
  leaf: PiNode | undefined,
  ctx: PiContext,
): AbandonedBranch[] {
  const activePos = new Map<string, number>();
  active.forEach((n, i) => activePos.set(n.id, i));
  const hasChild = new Set<string>();
  for (const n of byId.values()) if (n.parent !== null) hasChild.add(n.parent);
  const out: AbandonedBranch[] = [];
  for (const n of nodes) {
    if (n === leaf || hasChild.has(n.id) || byId.get(n.id) !== n || activePos.has(n.id)) continue;
    // Up to the last entry shared with the active path (or the root of another tree).
    const own: PiNode[] = [];
    let cur: PiNode | undefined = n;
    while (cur && !activePos.has(cur.id)) {
      own.push(cur);
      cur = cur.parent === null ? undefined : byId.get(cur.parent);
    }
    own.reverse();
    if (!own.some((x) => x.item)) continue;
    const bpIndex = cur ? activePos.get(cur.id)! : -1;
    const builder = new TurnBuilder({});
    // Replay from the last assistant turn at or before the branch point: it owns the calls
    // the branch's first results may answer.
    let from = bpIndex;
    while (from > 0 && active[from].item?.k !== 'assistant') from--;
    for (let i = Math.max(from, 0); i <= bpIndex; i++) builder.push(active[i]);
    builder.startBranch(ctx.counts);
    for (const x of own) builder.push(x);
    if (builder.turns.length === 0) continue;
    ctx.count('abandoned_branches');
    ctx.count('abandoned_turns', builder.turns.length);
    out.push({
      branchPointId: cur ? cur.id : null,
      branchPointTurnIndex: bpIndex >= 0 ? turnsAfter[bpIndex] : 0,
      turns: builder.turns,
      leafId: n.id,
    });
  }
  return out;
}
