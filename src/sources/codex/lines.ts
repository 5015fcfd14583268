// One Codex CLI rollout line -> what it is. Current rollouts wrap every line as
// `{timestamp, type, payload}` (type session_meta, response_item, event_msg, turn_context,
// compacted; newer ones add more); the oldest ones (2025 spring) wrote a bare `{id, timestamp,
// instructions}` first line and bare response items after it, which read the same.
import { isObj, str, type Obj } from '../json-values.ts';

export type CodexLine =
  | { k: 'meta'; payload: Obj; timestamp?: string }
  | { k: 'context'; payload: Obj; timestamp?: string }
  | { k: 'item'; item: Obj; timestamp?: string }
  | { k: 'event'; type: string; payload: Obj; timestamp?: string }
  | { k: 'compacted'; payload: Obj; timestamp?: string }
  | { k: 'state' }
  | { k: 'other'; type: string }
  | { k: 'invalid' };

/** Item types the Responses API writes into a rollout (the conversation itself). */
export const RESPONSE_ITEM_TYPES: ReadonlySet<string> = new Set([
  'message',
  'reasoning',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'local_shell_call',
  'local_shell_call_output',
  'web_search_call',
  'tool_search_call',
  'image_generation_call',
  'compaction',
  'compaction_summary',
]);

export function parseCodexLine(v: unknown): CodexLine {
  if (!isObj(v)) return { k: 'invalid' };
  const timestamp = str(v.timestamp);
  const type = str(v.type);
  if (type !== undefined && isObj(v.payload)) {
    switch (type) {
      case 'session_meta':
        return { k: 'meta', payload: v.payload, timestamp };
      case 'turn_context':
        return { k: 'context', payload: v.payload, timestamp };
      case 'response_item':
        return { k: 'item', item: v.payload, timestamp };
      case 'event_msg':
        return { k: 'event', type: str(v.payload.type) ?? 'unnamed', payload: v.payload, timestamp };
      case 'compacted':
        return { k: 'compacted', payload: v.payload, timestamp };
      default:
        return { k: 'other', type };
    }
  }
  // The envelope-less layout.
  if (type !== undefined && RESPONSE_ITEM_TYPES.has(type)) return { k: 'item', item: v, timestamp };
  if (v.record_type === 'state') return { k: 'state' };
  if (type === undefined && str(v.id) && (str(v.timestamp) || 'instructions' in v)) {
    return { k: 'meta', payload: v, timestamp };
  }
  return type === undefined ? { k: 'invalid' } : { k: 'other', type };
}
