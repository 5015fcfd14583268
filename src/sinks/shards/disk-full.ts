// A full disk (or quota) under a dataset folder: the job fails with a message that says so and is
// retried by the queue; nothing half-written counts (positional writes are overwritten by the next).
import { dirname } from 'node:path';

export const isDiskFull = (e: unknown): boolean => {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
};

export class DiskFullError extends Error {
  override name = 'DiskFullError';
  constructor(readonly root: string, readonly file: string, cause: unknown) {
    super(`no space left on the device of ${root} (writing ${file}: ${(cause as NodeJS.ErrnoException).code}); free space under ${dirname(root)}: the job will be retried`, { cause });
  }
}
