import type { Command } from "commander";
import type { Io } from "../io.js";

/**
 * A CLI command module: adds its subcommand to the program. The action throws
 * an input error (kind "input") for bad input; `run` maps it to exit code 2.
 */
export type Register = (program: Command, io: Io) => void;

// One line per command module; keep alphabetical.
export const commands: Register[] = [
  (await import("./counts.js")).register,
  (await import("./dedupe.js")).register,
  (await import("./escalc.js")).register,
  (await import("./meta.js")).register,
  (await import("./plot.js")).register,
  (await import("./project.js")).register,
  (await import("./records.js")).register,
  (await import("./serve.js")).register,
  (await import("./simulate.js")).register,
  (await import("./summary.js")).register,
];
