import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { openStore } from "@homeward/store";
import { buildServer } from "../index.js";
import { benchSession } from "./session.js";

/**
 * The server's resident memory and event-loop delay while a large file
 * streams to POST /imports/validate (the upload made by a sender of its own,
 * `curl -T -` fed by a child process, so only the server runs here), and
 * while a health request is made every 100 ms. $HOMEWARD_BENCH_MB sets the
 * size (default 500); $HOMEWARD_BENCH_SHAPE=line sends one line without a
 * newline instead of RIS records. Prints figures; asserts nothing.
 */
const MB = Number(process.env.HOMEWARD_BENCH_MB ?? 500);
const oneLine = process.env.HOMEWARD_BENCH_SHAPE === "line";
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
const dir = mkdtempSync(join(tmpdir(), "homeward-upload-bench-"));
const store = await openStore({ dataDir: dir });
const app = await buildServer({ store, version: "bench", webDir: dir });
try {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as { port: number }).port;
  const p = (await store.createProject({ title: "Upload benchmark" }, { actor: "bench" })).id;
  const cookie = await benchSession(store, "bench");
  const rec = oneLine ? "x".repeat(1000) : `TY  - JOUR\nTI  - A trial of home visits for families ${"x".repeat(100)}\nAU  - Doe, J.\nPY  - 2020\nAB  - ${"abstract words ".repeat(60)}\nER  - \n\n`;
  const gen = `const b = ${JSON.stringify(rec)}.repeat(1000); const n = Math.ceil(${MB} * 1048576 / b.length); let i = 0; function w() { while (i < n) { i++; if (!process.stdout.write(b)) return process.stdout.once("drain", w); } process.stdout.end(); } w();`;

  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let worstPing = 0;
  const ping = setInterval(() => {
    const t0 = performance.now();
    void fetch(`http://127.0.0.1:${port}/api/health`).then(() => (worstPing = Math.max(worstPing, performance.now() - t0)));
  }, 100);
  const t0 = performance.now();
  const answer = await new Promise<string>((resolve, reject) => {
    const g = spawn(process.execPath, ["-e", gen], { stdio: ["ignore", "pipe", "inherit"] });
    const url = `http://127.0.0.1:${port}/api/projects/${p}/imports/validate?fileName=upload.ris`;
    const c = spawn("curl", ["-s", "-X", "POST", "-H", "content-type: application/octet-stream", "-H", `cookie: ${cookie}`, "-T", "-", url], { stdio: ["pipe", "pipe", "inherit"] });
    g.stdout.pipe(c.stdin);
    let out = "";
    c.stdout.on("data", (d: Buffer) => (out += d.toString()));
    c.on("close", () => resolve(out));
    c.on("error", reject);
  });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sample);
  clearInterval(ping);
  delay.disable();
  const report = JSON.parse(answer) as { records?: number; error?: string };
  const mb = (n: number) => Math.round(n / 1048576);
  console.log(`${MB} MB (${oneLine ? "one line" : "RIS"}) to /imports/validate: ${seconds.toFixed(1)} s, ${report.records ?? report.error} records`);
  console.log(`resident memory ${mb(base)} MB before, ${mb(peak)} MB at most; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms, max ${(delay.max / 1e6).toFixed(0)} ms; slowest health answer ${worstPing.toFixed(0)} ms`);
} finally {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
