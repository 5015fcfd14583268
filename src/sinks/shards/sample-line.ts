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
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');

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
  const messages: Buffer[] = [];
  for (const m of sample.conversations) {
    if (messages.length) messages.push(COMMA);
    messages.push(messageBytes(m));
  }
  const hash = createHash('sha256').update(OPEN);
  for (const b of messages) hash.update(b);
  hash.update(CLOSE);
  return {
    bytes: Buffer.concat([HEAD, ...messages, MID, Buffer.from(JSON.stringify(sample.metadata), 'utf8'), TAIL]),
    sampleHash: hash.digest('hex'),
  };
}
