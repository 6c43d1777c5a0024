/**
 * The CLI's expected failures. Input/output: none (types only).
 * UsageError -> exit 2 with the command's usage; ExitError -> the message
 * was already printed, exit with its code; InputError -> wrong input,
 * printed as is, exit 1.
 */
export class UsageError extends Error {}

export class ExitError extends Error {
  constructor(public code: number) {
    super(`exit ${code}`);
  }
}

export class InputError extends Error {}
