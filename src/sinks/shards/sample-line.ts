// A sample as the bytes of its shard line, and the hash of its content taken from those same bytes.
// Each message and tool spec is serialised and encoded to UTF-8 once, however many samples share it
// (a session's samples share their tool specs, a context step repeats a message); a line is then
// copies, not re-encoding.
import { createHash } from 'node:crypto';
import type { Sample } from '../../model/sample.ts';

export interface EncodedSample {
  /** The JSON line without its newline: exactly `JSON.stringify(sample)` for `{messages, tools, metadata}`. */
  bytes: Buffer;
  /** sha256 of `{"messages":[...],"tools":[...]` (see `sampleContentHash`). */
  sampleHash: string;
}

const HEAD = Buffer.from('{"messages":[');
const COMMA = Buffer.from(',');
const TOOLS = Buffer.from('],"tools":[');
const MID = Buffer.from('],"metadata":');
const TAIL = Buffer.from('}');

// Messages and specs are not changed once built: the encoding of one is good for every line that holds it.
const encoded = new WeakMap<object, Buffer>();

function bytesOf(v: object): Buffer {
  let b = encoded.get(v);
  if (!b) {
    b = Buffer.from(JSON.stringify(v), 'utf8');
    encoded.set(v, b);
  }
  return b;
}

function pushList(parts: Buffer[], list: readonly object[]): number {
  let n = 0;
  list.forEach((v, i) => {
    if (i > 0) {
      parts.push(COMMA);
      n++;
    }
    const b = bytesOf(v);
    parts.push(b);
    n += b.length;
  });
  return n;
}

export function encodeSample(sample: Sample): EncodedSample {
  const parts: Buffer[] = [HEAD];
  let content = HEAD.length;
  content += pushList(parts, sample.messages);
  parts.push(TOOLS);
  content += TOOLS.length;
  content += pushList(parts, sample.tools);
  content += 1; // the tools list's closing ']'
  parts.push(MID, Buffer.from(JSON.stringify(sample.metadata), 'utf8'), TAIL);
  const bytes = Buffer.concat(parts);
  // The content is the line's own bytes up to the tools list's ']': one hash update.
  return { bytes, sampleHash: createHash('sha256').update(bytes.subarray(0, content)).digest('hex') };
}
