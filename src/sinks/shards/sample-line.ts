// A sample as the bytes of its shard line, and the hash of its conversation taken from those same
// bytes. Each message is serialised and encoded to UTF-8 once, however many overlapping windows
// share it (the formatter hands them the same message object); a line is then copies, not re-encoding.
import { createHash } from 'node:crypto';
import type { Sample, ShareGptMessage } from '../../model/sample.ts';

export interface EncodedSample {
  /** The JSON line without its newline: exactly `JSON.stringify(sample)`. */
  bytes: Buffer;
  /** sha256 of the conversation's JSON (see `sampleContentHash`). */
  sampleHash: string;
}

const HEAD = Buffer.from('{"conversations":[');
const COMMA = Buffer.from(',');
const MID = Buffer.from('],"metadata":');
const TAIL = Buffer.from('}');

// Messages are not changed once formatted: the encoding of one is good for every line that holds it.
const encoded = new WeakMap<ShareGptMessage, Buffer>();

function messageBytes(m: ShareGptMessage): Buffer {
  let b = encoded.get(m);
  if (!b) {
    b = Buffer.from(JSON.stringify(m), 'utf8');
    encoded.set(m, b);
  }
  return b;
}

export function encodeSample(sample: Sample): EncodedSample {
  const parts: Buffer[] = [HEAD];
  let conversationBytes = 2; // the brackets
  for (const m of sample.conversations) {
    if (parts.length > 1) {
      parts.push(COMMA);
      conversationBytes++;
    }
    const b = messageBytes(m);
    parts.push(b);
    conversationBytes += b.length;
  }
  parts.push(MID, Buffer.from(JSON.stringify(sample.metadata), 'utf8'), TAIL);
  const bytes = Buffer.concat(parts);
  // The conversation's JSON is the line's own bytes from HEAD's last '[' to MID's first ']': one
  // hash update, not one per message.
  const from = HEAD.length - 1;
  return { bytes, sampleHash: createHash('sha256').update(bytes.subarray(from, from + conversationBytes)).digest('hex') };
}
