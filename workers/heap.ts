// V8 sizes the old generation from the heap ceiling: under a ceiling below 2 GB (`--max-old-space-size`,
// how a worker's memory is bounded) it lets the heap grow only 1.3-2x past what survived the last
// full collection, so a worker whose live set is ~40 MB but which allocates ~1 GB of short-lived
// strings per corpus runs a full collection every ~60 ms. Measured on the 726-session bench corpus,
// one worker under a 160 MB ceiling: 160 full collections and 20.2 s CPU, against 10 and 12.6 s
// with this setting, for a peak RSS of 213 MB (no ceiling: 313 MB). The ceiling still holds: V8
// collects before passing it whatever the factor.
import { setFlagsFromString } from 'node:v8';

export const WORKER_HEAP_GROWING_PERCENT = 300;

/** Lets the heap grow 4x past its live set between full collections (V8's factor for large heaps). */
export function tuneHeapForWorkers(percent = WORKER_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
