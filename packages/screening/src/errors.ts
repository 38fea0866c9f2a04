/**
 * Bad input to a screening computation. Carries `kind = "input"` like every
 * Homeward input error, so the CLI answers with exit code 2 and the server
 * with a 4xx (404 when the thing asked about is not there).
 */
export class ScreeningInputError extends Error {
  readonly kind = "input" as const;
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
    this.name = "ScreeningInputError";
  }
}
