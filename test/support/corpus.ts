// Where the shared conformance corpus lives: `../shared/corpus` beside the checkout (see its
// SOURCES.md), or HARVEST_CORPUS. Tests that read it skip when it is absent; it is never copied here.
import { fileURLToPath } from 'node:url';

export const CORPUS = process.env.HARVEST_CORPUS ?? fileURLToPath(new URL('../../../shared/corpus', import.meta.url));
