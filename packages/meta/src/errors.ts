/**
 * Bad input to the engine (wrong lengths, non-finite values, rank-deficient
 * designs, unknown options). `kind = "input"` lets front ends (the Homeward
 * CLI maps it to exit code 2) tell a caller's mistake from an engine failure
 * without depending on this package's class identity.
 */
export class MetaInputError extends Error {
  readonly kind = "input" as const;
  constructor(message: string) {
    super(message);
    this.name = "MetaInputError";
  }
}

export function isMetaInputError(err: unknown): err is MetaInputError {
  return typeof err === "object" && err !== null && (err as { kind?: unknown }).kind === "input";
}
