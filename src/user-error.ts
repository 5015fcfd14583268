// An error a person can act on. The command line prints it as one line (what failed, why, and the
// command or setting that fixes it) and exits with its code; no stack trace unless --verbose.
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    /** Process exit code: 2 for arguments or settings a person got wrong, 1 for a failed run. */
    readonly exitCode = 2,
    /** The command or setting that fixes it, printed after the message. */
    readonly fix?: string,
  ) {
    super(message);
  }

  /** The one line the command line prints. */
  line(): string {
    return this.fix ? `${this.message}; ${this.fix}` : this.message;
  }
}
