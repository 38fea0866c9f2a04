import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { captureIo } from "./io.js";

// Every command module and every heavy package is wrapped so that importing it
// is recorded; the real module is still returned. Start-up time itself is
// measured by bench/startup.mjs, not here.
const { loaded, track } = vi.hoisted(() => {
  const loaded = new Set<string>();
  const track = (name: string) => async (original: () => Promise<unknown>) => {
    loaded.add(name);
    return original();
  };
  return { loaded, track };
});
vi.mock("./commands/appraise.js", track("appraise"));
vi.mock("./commands/audit.js", track("audit"));
vi.mock("./commands/backup.js", track("backup"));
vi.mock("./commands/counts.js", track("counts"));
vi.mock("./commands/dedupe.js", track("dedupe"));
vi.mock("./commands/escalc.js", track("escalc"));
vi.mock("./commands/meta.js", track("meta"));
vi.mock("./commands/plot.js", track("plot"));
vi.mock("./commands/project.js", track("project"));
vi.mock("./commands/records.js", track("records"));
vi.mock("./commands/report.js", track("report"));
vi.mock("./commands/restore.js", track("restore"));
vi.mock("./commands/serve.js", track("serve"));
vi.mock("./commands/simulate.js", track("simulate"));
vi.mock("./commands/summary.js", track("summary"));
vi.mock("./commands/user.js", track("user"));
vi.mock("@homeward/model", track("@homeward/model"));
vi.mock("@homeward/meta", track("@homeward/meta"));
vi.mock("@homeward/appraisal", track("@homeward/appraisal"));
vi.mock("@homeward/figures", track("@homeward/figures"));
vi.mock("@homeward/records", track("@homeward/records"));
vi.mock("@homeward/screening", track("@homeward/screening"));
vi.mock("@homeward/review", track("@homeward/review"));
vi.mock("@homeward/store", track("@homeward/store"));
vi.mock("@homeward/server", track("@homeward/server"));
vi.mock("@homeward/accounts", track("@homeward/accounts"));

const { commands } = await import("./commands/index.js");
const atStartup = [...loaded];
const NAMES = commands.map((c) => c.name);

const { run } = await import("./run.js");

/**
 * Runs the CLI and returns what it imported that was not imported before.
 * Vitest evaluates a mocked module once per test file, so the tests below run
 * in order and each sees only its own additions.
 */
async function runLoading(argv: string[], io: ReturnType<typeof captureIo>): Promise<{ code: number; added: string[] }> {
  const before = new Set(loaded);
  const code = await run(argv, io);
  return { code, added: [...loaded].filter((m) => !before.has(m)).sort() };
}

const dir = mkdtempSync(join(tmpdir(), "homeward-lazy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const commandsIn = (modules: string[]) => modules.filter((m) => NAMES.includes(m));

describe("command modules load only when their command runs", () => {
  it("declares every command module, and tracks each (a new module needs its vi.mock line above)", () => {
    const modules = readdirSync(new URL("./commands/", import.meta.url))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "index.ts")
      .map((f) => f.replace(/\.ts$/, ""));
    expect(NAMES).toEqual(modules.sort());
    expect(NAMES).toEqual(["appraise", "audit", "backup", "counts", "dedupe", "escalc", "meta", "plot", "project", "records", "report", "restore", "serve", "simulate", "summary", "user"]);
  });

  it("the command list and the program import no command module and no engine package", () => {
    expect(atStartup).toEqual([]);
    expect([...loaded]).toEqual([]);
  });

  it("--version loads nothing", async () => {
    const io = captureIo(dir);
    const { code, added } = await runLoading(["--version"], io);
    expect(code).toBe(0);
    expect(io.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(added).toEqual([]);
  });

  it("--help lists every command with its description and loads nothing", async () => {
    const io = captureIo(dir);
    const { code, added } = await runLoading(["--help"], io);
    expect(code).toBe(0);
    const listing = io.stdout.replace(/\s+/g, " ");
    for (const c of commands) expect(listing).toContain(` ${c.name} ${c.description}`);
    expect(added).toEqual([]);
  });

  it("no command is bad input: the help on stderr, exit 2, nothing loaded", async () => {
    const io = captureIo(dir);
    const { code, added } = await runLoading([], io);
    expect(code).toBe(2);
    expect(io.stdout).toBe("");
    expect(io.stderr).toMatch(/^Usage: homeward /);
    expect(io.stderr).not.toMatch(/outputHelp/);
    expect(added).toEqual([]);
  });

  it("an unknown command is bad input (exit 2, one line) and loads nothing", async () => {
    const io = captureIo(dir);
    const { code, added } = await runLoading(["metaa"], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/^homeward: unknown command 'metaa'[^\n]*\n$/);
    expect(added).toEqual([]);
  });

  it("meta loads its own module and the engine: not the store, the model or another command", async () => {
    const spec = join(dir, "spec.json");
    writeFileSync(spec, JSON.stringify({ data: [{ yi: 0.1, vi: 0.02 }, { yi: 0.3, vi: 0.03 }, { yi: 0.2, vi: 0.05 }], yi: "yi", vi: "vi" }));
    const io = captureIo(dir);
    const { code, added } = await runLoading(["meta", "--spec", spec], io);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout).k).toBe(3);
    expect(added).toEqual(["@homeward/meta", "meta"]);
  });

  it("appraise loads its own module and the appraisal engine only", async () => {
    const answers = join(dir, "answers.json");
    const low = { "1.1": "Y", "1.2": "Y", "1.3": "N", "2.1": "N", "2.2": "N", "2.6": "Y", "3.1": "Y", "4.1": "N", "4.2": "N", "4.3": "N", "5.1": "Y", "5.2": "N", "5.3": "N" };
    writeFileSync(answers, JSON.stringify({ variant: "assignment", answers: low }));
    const io = captureIo(dir);
    const { code, added } = await runLoading(["appraise", "--tool", "rob2", "--answers", answers], io);
    expect(code, io.stderr).toBe(0);
    expect(JSON.parse(io.stdout).overall).toBe("Low");
    expect(added).toEqual(["@homeward/appraisal", "appraise"]);
  });

  it("bad input to meta is still exit 2 with one line", async () => {
    const io = captureIo(dir);
    const { code } = await runLoading(["meta", "--spec", join(dir, "missing.json")], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/^homeward: cannot read spec [^\n]*\n$/);
  });

  it.each([
    [["records", "--help"], "records", /^ {2}import /m],
    [["help", "dedupe"], "dedupe", /--input <file>/],
  ])("%j loads that command's module only, and shows its options", async (argv, name, option) => {
    const io = captureIo(dir);
    const { code, added } = await runLoading(argv, io);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(new RegExp(`^Usage: homeward ${name} `, "m"));
    expect(io.stdout).toMatch(option);
    expect(commandsIn(added)).toEqual([name]);
  });

  it.each(commands.map((c) => [c.name, c] as const))("%s: its module adds that command, with the declared description", async (name, entry) => {
    const io = captureIo(dir);
    const { code, added } = await runLoading([name, "--help"], io);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(new RegExp(`^Usage: homeward ${name} `, "m"));
    expect(io.stdout.replace(/\s+/g, " ")).toContain(entry.description);
    expect(loaded.has(name)).toBe(true);
    // A command module may bring the modules it builds on (plot fits with meta's), never one it does not import.
    expect(commandsIn(added).filter((m) => m !== name && !(name === "plot" && m === "meta"))).toEqual([]);
  });
});
