import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * Saved analyses over HTTP (127.0.0.1, SQLite store): a project of S studies
 * with 10 effect sizes each (S = $HOMEWARD_BENCH_STUDIES, default 500, i.e.
 * 5,000 effect sizes), a three-level model with CR2 saved, then the save, the
 * list and a re-run (today's rows fitted and compared). Medians of 5 after
 * one warm-up; asserts nothing.
 */
const S = Number(process.env.HOMEWARD_BENCH_STUDIES ?? 500);
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);

const dir = mkdtempSync(join(tmpdir(), "homeward-bench-saved-"));
const store = await openStore({ dataDir: dir });
const user = "bench";
const at = new Date().toISOString();
const project = (await store.createProject({ title: "Saved analyses bench" }, { actor: user })).id;
// A fixed pseudo-random sequence, so every run fits the same data.
let seed = 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const studies = await store.insert(project, "studies", Array.from({ length: S }, (_, i) => ({ name: `Study ${i + 1}`, createdAt: at })), { actor: user });
const outcomes = await store.insert(project, "outcomes", studies.flatMap((s) => Array.from({ length: 10 }, (_, j) => ({ studyId: s.id, name: `Outcome ${j + 1}` }))), { actor: user });
await store.insert(project, "effectSizes", outcomes.map((o) => ({ outcomeId: o.id, measure: "SMD", inputs: {}, yi: rand() - 0.3, vi: 0.02 + rand() / 10, createdBy: user })), { actor: user });

// The first owner owns every project the store holds, as at a first start.
const cookie = await benchSession(store, user);
const app = await buildServer({ store, version: "bench", webDir: dir });
await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
const headers = { cookie, origin: base, "content-type": "application/json" };
const spec = { data: "effectSizes", method: "REML", test: "t", random: ["study", "outcome"], robust: { cluster: "study" } };
async function time(label: string, run: () => Promise<Response>) {
  const ms: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const res = await run();
    if (!res.ok) throw new Error(`${label}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    if (i > 0) ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label}: median ${ms[2]!.toFixed(0)} ms`);
}
let savedId = "";
await time(`save (${S * 10} effect sizes, three-level + CR2)`, async () => {
  const res = await fetch(`${base}/api/projects/${project}/saved-analyses`, { method: "POST", headers, body: JSON.stringify({ name: "bench", spec }) });
  if (res.ok) savedId = ((await res.clone().json()) as { id: string }).id;
  return res;
});
await time("list (6 versions)", () => fetch(`${base}/api/projects/${project}/saved-analyses`, { headers }));
await time("re-run against today's data", () => fetch(`${base}/api/projects/${project}/saved-analyses/${savedId}/rerun`, { method: "POST", headers: { cookie, origin: base } }));
await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
