import { renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { createAccounts } from "@homeward/accounts";
import { InputError, Role } from "@homeward/model";
import { readProjectSource } from "@homeward/store";
import type { Register } from "./index.js";
import { actorOf, DEFAULT_DATA_DIR, memberActor, withStore } from "../data.js";

interface Common {
  data: string;
  user?: string;
}

export const register: Register = (program, io) => {
  const project = program.command("project");
  const common = (cmd: ReturnType<typeof project.command>) =>
    cmd
      .option("--data <dir>", "data folder (SQLite); ignored when DATABASE_URL is set", DEFAULT_DATA_DIR)
      .option("--user <name>", "acting user recorded in the audit log (default $HOMEWARD_USER or \"local\")");

  common(project.command("create").description("create an empty project"))
    .requiredOption("--title <title>", "project title")
    .option("--description <text>", "project description", "")
    .action(async (o: Common & { title: string; description: string }) => {
      const p = await withStore(o.data, io, (s) => s.createProject({ title: o.title, description: o.description }, { actor: actorOf(o.user) }));
      io.out(`${p.id}\t${p.title}\n`);
    });

  common(project.command("member").description("add a member to a project with a role, or change their role (as an owner of the project)"))
    .requiredOption("--project <id>", "project id")
    .requiredOption("--name <user>", "the member's user name")
    .requiredOption("--role <role>", "owner, adjudicator, reviewer or viewer")
    .option("--reason <text>", "why, for the audit log")
    .action(async (o: Common & { project: string; name: string; role: string; reason?: string }) => {
      const role = Role.safeParse(o.role);
      if (!role.success) throw new InputError(`--role is one of owner, adjudicator, reviewer, viewer, not "${o.role}"`);
      const out = await withStore(o.data, io, async (store) => {
        const actor = await memberActor(store, o.project, o.user, "owner");
        const accounts = createAccounts(store);
        const by = { actor, reason: o.reason ?? null };
        const existing = (await accounts.listMembers(o.project)).find((m) => m.userName === o.name);
        if (existing) return { member: await accounts.changeMemberRole(o.project, o.name, role.data, by), link: null };
        return accounts.addMember(o.project, { userName: o.name, displayName: "", role: role.data }, by);
      });
      io.out(`${out.member.userName}\t${out.member.role}${out.link ? `\tinvitation: /welcome#token=${out.link.token} (until ${out.link.expiresAt})` : ""}\n`);
    });

  common(project.command("list").description("list projects"))
    .option("--json", "print JSON")
    .action(async (o: Common & { json?: boolean }) => {
      const list = await withStore(o.data, io, (s) => s.listProjects());
      if (o.json) {
        io.out(JSON.stringify(list, null, 2) + "\n");
        return;
      }
      if (list.length === 0) {
        io.out("No projects.\n");
        return;
      }
      const rows = [["ID", "TITLE", "RECORDS", "STUDIES", "UPDATED"], ...list.map((p) => [p.id, p.title, String(p.counts.records), String(p.counts.studies), p.updatedAt])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) io.out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ") + "\n");
    });

  common(project.command("export").description("write a project to one JSON project file"))
    .requiredOption("--project <id>", "project id")
    .requiredOption("--out <file>", 'file to write ("-" for standard output)')
    .action(async (o: Common & { project: string; out: string }) => {
      const file = await withStore(o.data, io, (s) => s.exportProject(o.project));
      const text = JSON.stringify(file, null, 2) + "\n";
      if (o.out === "-") {
        io.out(text);
        return;
      }
      const path = resolve(io.cwd, o.out);
      // Write beside the target, then rename: a failed export never leaves half a file.
      const tmp = `${path}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, text);
        renameSync(tmp, path);
      } catch (err) {
        throw new InputError(`cannot write ${o.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      io.err(`Exported "${file.project.title}" to ${o.out}\n`);
    });

  common(project.command("import").description("import a project file or a directory bundle (project.json + <collection>.json)"))
    .requiredOption("--file <path>", "project file or bundle directory")
    .option("--copy", "if the project exists, import it as a copy with a new id")
    .action(async (o: Common & { file: string; copy?: boolean }) => {
      const value = readProjectSource(resolve(io.cwd, o.file));
      const p = await withStore(o.data, io, (s) => s.importProject(value, { actor: actorOf(o.user), copy: o.copy ?? false }));
      io.out(`${p.id}\t${p.title}\n`);
    });
};
