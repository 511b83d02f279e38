export const EXIT = {
  ok: 0,
  failure: 1,
  badInput: 2,
  unreachable: 3,
  interrupted: 130,
  terminated: 143,
} as const;

/** A failure the CLI explains in one line and maps to an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
