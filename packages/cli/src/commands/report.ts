import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { InputError } from "@homeward/model";
import { buildServer, type AccessPolicy } from "@homeward/server";
import yauzl from "yauzl";
import type { Register } from "./index.js";
import { actorOf, DEFAULT_DATA_DIR, withStore } from "../data.js";
import { VERSION } from "../version.js";
import { progressLine } from "../progress.js";

const FORMATS = ["html", "pdf", "docx", "bundle"] as const;
type Format = (typeof FORMATS)[number];

/** The zip's entries as files under `dir` (names are checked to stay inside it). */
async function unzipInto(zip: Buffer, dir: string): Promise<string[]> {
  const root = resolve(dir);
  const zf = await new Promise<yauzl.ZipFile>((ok, fail) => yauzl.fromBuffer(zip, { lazyEntries: true }, (err, z) => (err ? fail(err) : ok(z!))));
  const written: string[] = [];
  await new Promise<void>((ok, fail) => {
    zf.on("error", fail);
    zf.on("end", () => ok());
    zf.on("entry", (entry: yauzl.Entry) => {
      const target = resolve(root, entry.fileName);
      if (!target.startsWith(root + sep)) return fail(new Error(`bundle entry outside the folder: ${entry.fileName}`));
      zf.openReadStream(entry, (err, stream) => {
        if (err) return fail(err);
        const parts: Buffer[] = [];
        stream!.on("data", (c: Buffer) => parts.push(c));
        stream!.on("error", fail);
        stream!.on("end", () => {
          mkdir(dirname(target), { recursive: true })
            .then(() => writeFile(target, Buffer.concat(parts)))
            .then(() => {
              written.push(entry.fileName);
              zf.readEntry();
            }, fail);
        });
      });
    });
    zf.readEntry();
  });
  return written;
}

export const register: Register = (program, io) => {
  program
    .command("report")
    .requiredOption("--project <id>", "project id, e.g. reunification (the built-in project)")
    .requiredOption("--format <format>", "html | pdf | docx | bundle")
    .requiredOption("--out <path>", "file to write (a bundle: a folder, or a .zip file when the path ends in .zip)")
    .option("--frozen <n>", "a frozen report version's number (default: the draft over the data now)")
    .option("--user <name>", "read as this user (default $HOMEWARD_USER or local): blinding applies as in the app")
    .option("--data <dir>", "data folder (SQLite); ignored when DATABASE_URL is set", DEFAULT_DATA_DIR)
    .action(async (o: { project: string; format: string; out: string; frozen?: string; user?: string; data: string }) => {
      if (!(FORMATS as readonly string[]).includes(o.format)) throw new InputError(`--format must be one of ${FORMATS.join(", ")}, not "${o.format}"`);
      const format = o.format as Format;
      if (o.frozen !== undefined && !/^[1-9]\d*$/.test(o.frozen)) throw new InputError(`--frozen must be a version number (1, 2, …), not "${o.frozen}"`);
      const user = actorOf(o.user);
      const out = resolve(io.cwd, o.out);
      const { body, note } = await withStore(o.data, io, async (store) => {
        if (!(await store.hasProject(o.project))) throw new InputError(`no project "${o.project}" in the data folder`, 404);
        // The report is made by the server's own report job, in process and without a port, so the file is the one the app downloads.
        // The operator of the data folder reads as a member with their role, else as a viewer.
        const policy: AccessPolicy = {
          identify: async () => ({ user, displayName: "", admin: false }),
          roleOf: async (projectId, name) => (await store.roleOf(projectId, name)) ?? "viewer",
          projectExists: (projectId) => store.hasProject(projectId),
        };
        const webDir = await mkdtemp(join(tmpdir(), "homeward-report-web-"));
        const app = await buildServer({ store, policy, version: VERSION, webDir });
        try {
          // The report job the app starts, run by this process's own queue, with its progress on standard error.
          const base = `/api/projects/${encodeURIComponent(o.project)}`;
          const refused = (res: { statusCode: number; json: () => unknown }) => {
            const msg = (() => {
              try {
                return (res.json() as { error?: string }).error;
              } catch {
                return undefined;
              }
            })();
            return new InputError(msg ?? `the report could not be rendered (${res.statusCode})`, res.statusCode);
          };
          const started = await app.inject({ method: "POST", url: `${base}/report/jobs`, payload: { format, ...(o.frozen ? { version: Number(o.frozen) } : {}) } });
          if (started.statusCode >= 400) throw refused(started);
          const jobId = (started.json() as { id: string }).id;
          const line = progressLine(io);
          try {
            for (;;) {
              const j = (await app.inject({ method: "GET", url: `${base}/jobs/${jobId}` })).json() as { state: string; progress: number; message: string; error: string | null };
              line.report(j.progress, j.message);
              if (j.state === "done") break;
              if (j.state === "failed" || j.state === "cancelled") throw new Error(`the report could not be rendered: ${j.error ?? j.state}`);
              await new Promise((r) => setTimeout(r, 200));
            }
          } finally {
            line.done();
          }
          const file = await app.inject({ method: "GET", url: `${base}/jobs/${jobId}/file` });
          if (file.statusCode >= 400) throw refused(file);
          return { body: file.rawPayload, note: o.frozen ? `version ${o.frozen}` : "the draft" };
        } finally {
          await app.close();
          await rm(webDir, { recursive: true, force: true });
        }
      });
      const fail = (err: NodeJS.ErrnoException): never => {
        if (["ENOENT", "EACCES", "EISDIR", "ENOTDIR", "EEXIST"].includes(err.code ?? "")) throw new InputError(`cannot write ${o.out}: ${err.code}`);
        throw err;
      };
      if (format === "bundle" && !out.toLowerCase().endsWith(".zip")) {
        const files = await mkdir(out, { recursive: true }).then(() => unzipInto(body, out), fail);
        io.out(`wrote ${files.length} files of the report bundle (${note}) to ${o.out}\n`);
        return;
      }
      await writeFile(out, body).catch(fail);
      io.out(`wrote the report (${note}) as ${format === "bundle" ? "a zip bundle" : format.toUpperCase()} to ${o.out} (${body.length} bytes)\n`);
    });
};
