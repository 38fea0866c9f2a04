import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore, syntheticRecords } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * The protocol editor's and the Studies page's routes over HTTP (127.0.0.1,
 * SQLite store) at N records (N = $HOMEWARD_BENCH_RECORDS, default 100000),
 * every record screened at title and abstract (2% sent on), half of those
 * included at full text: the includes page cold (the screening engine read
 * once) and warm, forming a study per include in one write, the studies
 * list, link, lead, split and merge, and protocol section saves (one that
 * removes no code, one that removes an unused reason, which looks for it in
 * every decision, and one refused for a used reason). Prints medians and the
 * process's memory; asserts nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);

const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => `${x.toFixed(1)} ms`;

const dir = mkdtempSync(join(tmpdir(), "homeward-studies-bench-"));
const store = await openStore({ dataDir: dir });
try {
  const bench = { actor: "bench" };
  const p = await store.createProject({ title: "Studies benchmark" }, bench);
  await store.setProtocol(p.id, { exclusionReasons: [{ code: "population", rank: 1 }, { code: "design", rank: 2 }, { code: "unused", rank: 3 }] }, bench);
  const recs = syntheticRecords(N);
  let t = performance.now();
  await store.insert(p.id, "records", recs, bench);
  const sent = recs.filter((_, i) => i % 50 === 0).map((r) => r.id!);
  const sentSet = new Set(sent);
  await store.insert(
    p.id,
    "screeningDecisions",
    recs.map((r) => ({ recordId: r.id!, stage: "title_abstract" as const, reviewer: "bench", decision: sentSet.has(r.id!) ? ("include" as const) : ("exclude" as const), reasons: sentSet.has(r.id!) ? [] : ["population"] })),
    bench,
  );
  await store.insert(
    p.id,
    "screeningDecisions",
    sent.map((id, i) => ({ recordId: id, stage: "full_text" as const, reviewer: "bench", decision: i % 2 === 0 ? ("include" as const) : ("exclude" as const), reasons: i % 2 === 0 ? [] : ["design"] })),
    bench,
  );
  console.log(`\n${N.toLocaleString("en")} records and ${(N + sent.length).toLocaleString("en")} decisions set up in ${(ms(t) / 1000).toFixed(1)} s; ${Math.ceil(sent.length / 2).toLocaleString("en")} full-text includes`);

  const app = await buildServer({ store, version: "bench", webDir: dir });
  const cookie = await benchSession(store, "bench");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/${p.id}`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const time = async (method: string, path: string, body?: unknown) => {
    const t0 = performance.now();
    const r = await json(method, path, body);
    return { ...r, ms: ms(t0) };
  };
  const repeat = async (n: number, f: () => Promise<{ ms: number }>) => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) xs.push((await f()).ms);
    return median(xs);
  };

  console.log("\nStudies");
  const cold = await time("GET", "/studies/includes?limit=25");
  console.log(`GET studies/includes, cold (screening engine read once): ${fmt(cold.ms)}; ${cold.body.included} included, ${cold.body.total} not in a study`);
  console.log(`GET studies/includes, warm: median ${fmt(await repeat(9, () => time("GET", "/studies/includes?limit=25")))}`);
  console.log(`GET studies/includes?offset=975, warm: median ${fmt(await repeat(9, () => time("GET", "/studies/includes?offset=975&limit=25")))}`);
  const formed = await time("POST", "/studies/form");
  console.log(`POST studies/form: ${fmt(formed.ms)} for ${formed.body.created.length} studies (one transaction)`);
  console.log(`GET studies (${formed.body.created.length} studies with their reports): median ${fmt(await repeat(9, () => time("GET", "/studies")))}`);
  const ids: string[] = formed.body.created.map((s: { id: string }) => s.id);
  const merges: number[] = [];
  const leads: number[] = [];
  const splits: number[] = [];
  for (let i = 0; i < 9; i++) {
    const [into, from] = [ids[2 * i]!, ids[2 * i + 1]!];
    const m = await time("POST", `/studies/${into}/merge`, { fromStudyId: from, reason: "same study" });
    if (m.status !== 200) throw new Error(`merge: ${m.status} ${JSON.stringify(m.body)}`);
    merges.push(m.ms);
    const moved = m.body.moved[0].id;
    leads.push((await time("PUT", `/studies/${into}/lead`, { reportId: moved })).ms);
    const reports = (await json("GET", "/studies")).body.find((s: { id: string }) => s.id === into).reports;
    const linked = reports.find((r: { role: string }) => r.role === "linked").id;
    const sp = await time("POST", `/studies/${into}/split`, { reportId: linked, reason: "separate" });
    if (sp.status !== 201) throw new Error(`split: ${sp.status} ${JSON.stringify(sp.body)}`);
    splits.push(sp.ms);
  }
  console.log(`POST merge: median ${fmt(median(merges))}; PUT lead: median ${fmt(median(leads))}; POST split: median ${fmt(median(splits))}`);

  console.log("\nProtocol");
  console.log(`GET protocol/versions: median ${fmt(await repeat(9, () => time("GET", "/protocol/versions")))}`);
  const relabel = async (label: string) => {
    const { body } = await json("GET", "/protocol/versions");
    const value = body.protocol.exclusionReasons.map((r: { code: string }) => (r.code === "design" ? { ...r, label } : r));
    return time("PATCH", "/protocol/exclusionReasons", { value, version: body.versions.exclusionReasons });
  };
  let k = 0;
  console.log(`PATCH protocol/exclusionReasons, a label changed: median ${fmt(await repeat(9, () => relabel(`Design ${k++}`)))}`);
  const { body: now } = await json("GET", "/protocol/versions");
  const used = await time("PATCH", "/protocol/exclusionReasons", { value: now.protocol.exclusionReasons.filter((r: { code: string }) => r.code !== "population"), version: now.versions.exclusionReasons });
  console.log(`PATCH removing a reason on ${(N - sent.length).toLocaleString("en")} decisions: ${used.status} in ${fmt(used.ms)} (${used.body.error})`);
  const unused = await time("PATCH", "/protocol/exclusionReasons", { value: now.protocol.exclusionReasons.filter((r: { code: string }) => r.code !== "unused"), version: now.versions.exclusionReasons });
  console.log(`PATCH removing a reason no decision gives: ${unused.status} in ${fmt(unused.ms)}`);

  const mem = process.memoryUsage();
  console.log(`\nmemory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB (server and set-up in one process)`);
  await app.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
