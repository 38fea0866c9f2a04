/**
 * Bad input from a user (a file, a spec, an API body, a CLI flag).
 *
 * Every package signals "the caller gave us something we cannot use" with an
 * error whose `kind` is "input"; the CLI turns it into exit code 2 with its
 * one-line message, the server into a 4xx JSON answer. Packages meant to be
 * used on their own (e.g. @homeward/meta) define their own class with the same
 * `kind` so they need not depend on this one.
 */
export class InputError extends Error {
  readonly kind = "input" as const;
  /** HTTP status the server answers with (400 unless a more precise 4xx fits). */
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = "InputError";
    this.status = status;
  }
}

export function isInputError(err: unknown): err is Error & { kind: "input"; status?: number } {
  return err instanceof Error && (err as { kind?: unknown }).kind === "input";
}
