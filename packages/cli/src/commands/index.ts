import type { Command } from "commander";
import type { Io } from "../io.js";

/**
 * A CLI command module: adds its subcommand (options, subcommands, action) to
 * the program; its description comes from `commands` below. The action throws
 * an input error (kind "input") for bad input; `run` maps it to exit code 2.
 */
export type Register = (program: Command, io: Io) => void;

/** A command as `homeward --help` lists it, and where its definition lives. */
export interface CommandEntry {
  name: string;
  /** The line `homeward --help` shows; also the command's own description. */
  description: string;
  /**
   * The command module. It is imported only when a command line addresses
   * this command: the modules pull in the store, SQLite, PostgreSQL, Vega and
   * the statistics engine, which would cost every run (even `--version`) a
   * second of start-up.
   */
  load: () => Promise<{ register: Register }>;
}

// One entry per command module; keep alphabetical. Descriptions stay here, not
// in the modules, so the list can be shown without loading any of them.
export const commands: readonly CommandEntry[] = [
  {
    name: "appraise",
    description: 'propose risk-of-bias judgements from signalling-question answers (RoB 2, ROBINS-I, CASP, MMAT, ASSESS); prints {"domains", "overall", "trace"}',
    load: () => import("./appraise.js"),
  },
  {
    name: "audit",
    description: "verify a project's tamper-evident audit log (in the data store or a project file)",
    load: () => import("./audit.js"),
  },
  {
    name: "backup",
    description: "write the whole instance (users, projects, audit logs) to one backup file, a consistent snapshot while the server runs",
    load: () => import("./backup.js"),
  },
  {
    name: "counts",
    description: "record and list PRISMA 2020 counts entered by the team",
    load: () => import("./counts.js"),
  },
  {
    name: "dedupe",
    description: "find duplicate records in an import file and print the groups as JSON",
    load: () => import("./dedupe.js"),
  },
  {
    name: "escalc",
    description: 'compute effect sizes and sampling variances from a JSON spec; prints {"yi", "vi"}',
    load: () => import("./escalc.js"),
  },
  {
    name: "meta",
    description: "fit a meta-analysis / meta-regression / multilevel model from a JSON spec and print the results as JSON",
    load: () => import("./meta.js"),
  },
  {
    name: "plot",
    description: "draw a figure for the model of a meta spec and print its long description",
    load: () => import("./plot.js"),
  },
  {
    name: "project",
    description: "create, list, export and import projects",
    load: () => import("./project.js"),
  },
  {
    name: "records",
    description: "validate, import and export bibliographic records",
    load: () => import("./records.js"),
  },
  {
    name: "report",
    description: "write a project's review report as HTML, PDF, Word (docx) or a bundle (a folder, or a .zip): the draft over the data now, or a --frozen version",
    load: () => import("./report.js"),
  },
  {
    name: "restore",
    description: "restore a backup file into an empty instance (either engine), all or nothing",
    load: () => import("./restore.js"),
  },
  {
    name: "serve",
    description: "serve the web app and the HTTP API on this machine (127.0.0.1)",
    load: () => import("./serve.js"),
  },
  {
    name: "simulate",
    description: "simulate prioritised screening on a labelled CSV with a named model (--model); prints the screening order and WSS@95, recall@10%, ATD as JSON",
    load: () => import("./simulate.js"),
  },
  {
    name: "summary",
    description:
      "print a review's machine-readable summary as one JSON object: PRISMA counts and their sources, studies, typology, risk of bias, appraisal conflicts, CERQual, equity characteristics (e.g. PROGRESS-Plus)",
    load: () => import("./summary.js"),
  },
  {
    name: "user",
    description: "list the instance's users, or print a one-time link for one to set a password",
    load: () => import("./user.js"),
  },
];

/**
 * The command a command line addresses: its first operand, or the one after
 * `help`. The program itself has no option that takes a value, so this is the
 * subcommand commander will dispatch to.
 */
export function addressedCommand(argv: readonly string[]): string | undefined {
  const operands = argv.filter((a) => !a.startsWith("-"));
  return operands[0] === "help" ? operands[1] : operands[0];
}

/**
 * Adds every command to `program`: the addressed one fully (its module is
 * loaded), the others by name and description only, which is all the
 * program's help needs.
 */
export async function addCommands(program: Command, argv: readonly string[], io: Io): Promise<void> {
  const addressed = addressedCommand(argv);
  for (const entry of commands) {
    if (entry.name === addressed) {
      const { register } = await entry.load();
      register(program, io);
      const command = program.commands.find((c) => c.name() === entry.name);
      if (!command) throw new Error(`command module "${entry.name}" did not add a command of that name`);
      command.description(entry.description);
    } else {
      program
        .command(entry.name)
        .description(entry.description)
        // Never reached while addressedCommand agrees with commander; if it did not, failing loudly beats doing nothing.
        .allowUnknownOption()
        .allowExcessArguments()
        .action(() => {
          throw new Error(`command "${entry.name}" ran without its module loaded`);
        });
    }
  }
}
