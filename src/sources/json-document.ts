// Streams one JSON document that holds a session as `{...fields, <list>: [items]}` (Gemini CLI's
// older `session-*.json`, `opencode export` files): the fields without the list in one small pass,
// then the list one item at a time, so a large file is never held whole (stream-json's parser).
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable, type Duplex } from 'node:stream';
import parserStream from 'stream-json/index.js';
import { ignore } from 'stream-json/filters/ignore.js';
import { pick } from 'stream-json/filters/pick.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import { streamValues } from 'stream-json/streamers/stream-values.js';
import { addCount, type Counts } from '../model/session.ts';
import { isObj, type Obj } from './json-values.ts';

export interface JsonDocumentHandlers {
  /** The top-level object without the list (called once, before any item). */
  onHead(head: Obj): void;
  /** Each item of the list, in order. */
  onItem(item: unknown, index: number): void;
}

async function run(path: string, stages: Duplex[], onValue: (v: unknown, key: number) => boolean | void): Promise<void> {
  let stop = false;
  const sink = new Writable({
    objectMode: true,
    write(chunk: { key?: number; value: unknown }, _enc, done) {
      if (!stop && onValue(chunk.value, chunk.key ?? 0) === false) stop = true;
      done();
    },
  });
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), parserStream(), ...stages, sink);
}

/**
 * Reads `path` (bytes from `readFrom`) as `{...head, [listKey]: [...]}`. Counts `malformed_json`
 * (the document does not parse to the end: what came before it is kept) and `not_an_object`.
 * Rejects only when the file cannot be read.
 */
export async function readJsonDocument(readFrom: string, listKey: string, h: JsonDocumentHandlers, counts: Counts): Promise<boolean> {
  let head: Obj | undefined;
  try {
    await run(readFrom, [ignore.asStream({ filter: listKey }), streamValues.asStream()], (v) => {
      if (head === undefined && isObj(v)) head = v;
      return false;
    });
  } catch (err) {
    if (isReadError(err)) throw err;
    addCount(counts, 'malformed_json');
    return false;
  }
  if (!head) {
    addCount(counts, 'not_an_object');
    return false;
  }
  h.onHead(head);
  try {
    await run(readFrom, [pick.asStream({ filter: listKey }), streamArray.asStream()], (v, key) => {
      h.onItem(v, key);
    });
  } catch (err) {
    if (isReadError(err)) throw err;
    addCount(counts, 'malformed_json');
  }
  return true;
}

function isReadError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && code !== 'ERR_STREAM_PREMATURE_CLOSE';
}
