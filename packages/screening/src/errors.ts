/**
 * Bad input to a screening computation. Carries `kind = "input"` like every
 * Homeward input error, so the CLI answers with exit code 2 and the server
 * with a 4xx, without this package depending on @homeward/model.
 */
export class ScreeningInputError extends Error {
  readonly kind = "input" as const;
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = "ScreeningInputError";
  }
}
