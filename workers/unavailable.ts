// A queue's worker cannot start here for a reason the operator fixes with configuration (no GitHub
// token, say). `harvest worker` with no --queues skips such a queue with one warning; asked for
// by name, it fails with the message (a ConfigError: `harvest` prints it and exits 2).
import { ConfigError } from '../src/config.ts';

export class WorkerUnavailableError extends ConfigError {
  constructor(
    readonly queue: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerUnavailableError';
  }
}
