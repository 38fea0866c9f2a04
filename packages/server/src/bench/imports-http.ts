import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { exportRecords, type ExportRecord } from "@homeward/records";
import { openStore, syntheticRecords } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * The Searches page's routes over HTTP (127.0.0.1, SQLite store) on a
 * project of N records, with a records file of another N (RIS): validating it (what the preview waits
 * for), importing it, and the searches-and-history answer afterwards. Every
 * 100 ms the process is collected (run with --expose-gc) and its resident
 * and Buffer memory sampled: an upload held whole in memory would show as
 * buffers the size of the file. N = $HOMEWARD_BENCH_RECORDS (default
 * 100000). Prints figures; asserts nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
const MiB = (n: number) => `${(n / (1024 * 1024)).toFixed(0)} MiB`;
const dir = mkdtempSync(join(tmpdir(), "homeward-imports-bench-"));
const store = await openStore({ dataDir: dir });
try {
  const file = join(dir, "search.ris");
  const synthetic = syntheticRecords(N);
  const asExport = function* (): Generator<ExportRecord> {
    for (const r of synthetic)
      yield { type: "article", title: r.title ?? undefined, authors: r.authors ?? [], editors: [], year: r.year == null ? undefined : String(r.year), journal: r.journal ?? undefined, doi: r.doi ?? undefined, abstract: r.abstract ?? undefined, keywords: r.keywords ?? [], urls: [], fields: [] };
  };
  await pipeline(Readable.from(exportRecords(asExport(), "ris")), createWriteStream(file));
  const size = statSync(file).size;
  synthetic.length = 0;

  // A project that already holds N records, as the page meets it in a large review.
  const p = await store.createProject({ title: "Imports benchmark" }, { actor: "bench" });
  await store.insert(p.id, "records", syntheticRecords(N, 3), { actor: "bench" });
  const app = await buildServer({ store, version: "bench", webDir: dir });
  const cookie = await benchSession(store, "bench");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/${p.id}`;
  global.gc?.();
  let peak = 0;
  let peakBuffers = 0;
  // Collected first, so the figures are what is held, not garbage waiting for a collection.
  const sample = () => {
    global.gc?.();
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 100);
  const measure = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    peak = before;
    peakBuffers = 0;
    const t0 = performance.now();
    const out = await run();
    sample();
    console.log(`  ${label.padEnd(44)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s   peak RSS ${MiB(peak)} (+${MiB(peak - before)} over ${MiB(before)}), buffers at most ${MiB(peakBuffers)}`);
    return out;
  };
  // The client is curl in a child process, streaming the file (-T), so this process's memory is the server's alone.
  const send = async (url: string): Promise<Record<string, unknown>> => {
    const out: Buffer[] = [];
    const curl = spawn("curl", ["-sS", "-X", "POST", "-T", file, "-H", "content-type: application/octet-stream", "-H", `cookie: ${cookie}`, "-w", "\n%{http_code}", url]);
    curl.stdout.on("data", (d: Buffer) => out.push(d));
    const code = await new Promise<number>((resolve) => curl.on("close", resolve));
    const text = Buffer.concat(out).toString();
    const status = text.slice(text.lastIndexOf("\n") + 1);
    if (code !== 0 || !status.startsWith("2")) throw new Error(`${url} → curl ${code}, HTTP ${status}: ${text.slice(0, 500)}`);
    return JSON.parse(text.slice(0, text.lastIndexOf("\n"))) as Record<string, unknown>;
  };

  console.log(`\nA project of ${N.toLocaleString("en")} records and a RIS file of ${N.toLocaleString("en")} more (${MiB(size)}), SQLite, server in this process`);
  const rep = await measure("POST imports/validate (preview)", () => send(`${base}/imports/validate?fileName=search.ris`));
  if (rep.records !== N) throw new Error(`validated ${String(rep.records)} records`);
  const res = await measure("POST imports (validate, spool, write)", () => send(`${base}/imports?fileName=search.ris&source=Bench`));
  if (res.imported !== N) throw new Error(`imported ${String(res.imported)} records`);
  clearInterval(timer);

  const xs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await (await fetch(`${base}/imports`, { headers: { cookie } })).json();
    if (i > 0) xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  console.log(`  ${"GET imports (searches and history)".padEnd(44)} ${xs[4]!.toFixed(1).padStart(6)} ms (median of 9)`);
  await app.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
