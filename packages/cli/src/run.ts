import { Command, CommanderError } from "commander";
import { addCommands } from "./commands/index.js";
import type { Io } from "./io.js";
import { VERSION } from "./version.js";

/**
 * Runs the CLI on `argv` (without node and script) and resolves to the exit
 * code: 0 success, 2 bad input (one line on stderr), 1 internal failure.
 */
export async function run(argv: string[], io: Io): Promise<number> {
  const program = new Command("homeward")
    .description("Homeward: living evidence reviews, from protocol to practice guidance")
    .version(VERSION, "-v, --version")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: () => {} })
    .showHelpAfterError(false);
  try {
    await addCommands(program, argv, io);
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0 by design.
      if (err.exitCode === 0) return 0;
      // No command given: commander has already printed the help to stderr.
      if (err.code === "commander.help") return 2;
      io.err(`homeward: ${oneLine(err.message.replace(/^error: /, ""))}\n`);
      return 2;
    }
    if (await isInputError(err)) {
      io.err(`homeward: ${oneLine((err as Error).message)}\n`);
      return 2;
    }
    io.err(`homeward: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

/**
 * The model's rule, loaded only once something failed: importing the model
 * evaluates zod and every schema, which would add to the start-up of every
 * run, while most commands that fail have loaded it already.
 */
async function isInputError(err: unknown): Promise<boolean> {
  const model = await import("@homeward/model");
  return model.isInputError(err);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").trim();
}
