import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { askState, getTool } from "@homeward/appraisal";
import { openStore } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * The appraisal stage's routes over HTTP (127.0.0.1, SQLite store) at S
 * included studies (S = $HOMEWARD_BENCH_STUDIES, default 2000), each an RCT
 * with two submitted RoB 2 assessments and one outcome, a tenth of them also
 * appraised for that outcome's result by two reviewers: the study list
 * (with the senior check's draw), one study's form (which draws the sample
 * too), a comparison, agreement, and the robvis export as JSON and CSV.
 * Prints medians and the process's memory; asserts nothing.
 */
const S = Number(process.env.HOMEWARD_BENCH_STUDIES ?? 2000);
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);

const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => `${x.toFixed(1)} ms`;

const rob2 = getTool("rob2")!;
/** Answers to every question RoB 2 asks, by `pick`, skip logic read as it goes. */
function fill(pick: (options: readonly string[]) => string): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const d of rob2.domains) for (const q of d.questions) if (askState(d, answers).asked.includes(q.id) && q.options.length > 0) answers[q.id] = pick(q.options);
  return answers;
}
const yes = fill((o) => (o.includes("Y") ? "Y" : o[0]!));
const probably = fill((o) => (o.includes("PY") ? "PY" : o[0]!));
const assessment = (studyId: string, outcomeId: string | null, reviewer: string, answers: Record<string, string>, at: string) => ({
  studyId,
  outcomeId,
  tool: "RoB2" as const,
  toolVersion: rob2.version,
  variant: "assignment",
  status: "submitted" as const,
  domains: rob2.domains.map((d) => ({ domain: d.name, judgement: "Low", support: "", answers: Object.fromEntries(d.questions.filter((q) => answers[q.id]).map((q) => [q.id, answers[q.id]!])) })),
  overall: "Low",
  reviewer,
  at,
});

const dir = mkdtempSync(join(tmpdir(), "homeward-appraisal-bench-"));
const store = await openStore({ dataDir: dir });
try {
  const p = await store.createProject({ title: "Appraisal benchmark" }, { actor: "bench" });
  let t = performance.now();
  const studies = await store.insert(
    p.id,
    "studies",
    Array.from({ length: S }, (_, i) => ({ name: `Trial ${String(i).padStart(5, "0")}`, design: "RCT", createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString() })),
    { actor: "bench" },
  );
  const outcomes = await store.insert(p.id, "outcomes", studies.map((s) => ({ studyId: s.id, name: "Reunified at 12 months" })), { actor: "bench" });
  const at = (i: number, k: number) => new Date(Date.UTC(2024, 1, 1, 0, 0, 0, i * 4 + k)).toISOString();
  await store.insert(p.id, "appraisals", studies.map((s, i) => assessment(s.id, null, "ana", yes, at(i, 0))), { actor: "ana" });
  await store.insert(p.id, "appraisals", studies.map((s, i) => assessment(s.id, null, "ben", probably, at(i, 1))), { actor: "ben" });
  const results = studies.map((s, i) => [s, outcomes[i]!, i] as const).filter(([, , i]) => i % 10 === 0);
  await store.insert(p.id, "appraisals", results.map(([s, o, i]) => assessment(s.id, o.id, "ana", yes, at(i, 2))), { actor: "ana" });
  await store.insert(p.id, "appraisals", results.map(([s, o, i]) => assessment(s.id, o.id, "ben", probably, at(i, 3))), { actor: "ben" });
  console.log(`\n${S.toLocaleString("en")} studies, ${(2 * S + 2 * results.length).toLocaleString("en")} submitted assessments set up in ${(ms(t) / 1000).toFixed(1)} s`);

  const app = await buildServer({ store, version: "bench", webDir: dir });
  const cookie = await benchSession(store, "bench");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/${p.id}`;
  const time = async (path: string) => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
    return { ms: ms(t0), text };
  };
  const repeat = async (n: number, path: string) => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) xs.push((await time(path)).ms);
    return median(xs);
  };

  const mid = studies[Math.floor(S / 2)]!.id;
  const withResult = results[Math.floor(results.length / 2)]!;
  console.log("\nAppraisal");
  // The first list compares every pair of assessments; later ones find each pair's agreement kept (routes/appraisal.ts).
  console.log(`GET appraisal/studies (${S} rows, sample drawn), first request: ${fmt((await time("/appraisal/studies")).ms)}`);
  console.log(`GET appraisal/studies (${S} rows, sample drawn): median ${fmt(await repeat(5, "/appraisal/studies"))}`);
  console.log(`GET appraisal/studies/:id (the form; reports, flags, sample): median ${fmt(await repeat(9, `/appraisal/studies/${mid}`))}`);
  console.log(`GET appraisal/studies/:id?outcome (a result's form): median ${fmt(await repeat(9, `/appraisal/studies/${withResult[0].id}?outcome=${withResult[1].id}`))}`);
  console.log(`GET appraisal/studies/:id/comparison: median ${fmt(await repeat(9, `/appraisal/studies/${mid}/comparison`))}`);
  console.log(`GET appraisal/agreement: median ${fmt(await repeat(5, "/appraisal/agreement"))}`);
  console.log(`GET appraisal/robvis?tool=rob2 (JSON, ${S + results.length} rows): median ${fmt(await repeat(5, "/appraisal/robvis?tool=rob2"))}`);
  console.log(`GET appraisal/robvis?tool=rob2&format=csv: median ${fmt(await repeat(5, "/appraisal/robvis?tool=rob2&format=csv"))}`);
  console.log(`\nmemory: rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  await app.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
