import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore, syntheticRecords } from "@homeward/store";
import { blindView } from "../blinding.js";
import type { RequestContext } from "../context.js";

/**
 * What the blinding check costs a request at scale: a project of
 * $HOMEWARD_BENCH_RECORDS records (default 100,000) dually screened at title
 * and abstract by two reviewers (one decision each per record), checked as a
 * third reviewer who has decided nothing (their own work is read), as an
 * owner (who also reads which records two people have done), and for the
 * page of 100 decisions an audit page lists. Prints figures; asserts nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
console.log(`${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
const dir = mkdtempSync(join(tmpdir(), "homeward-blinding-bench-"));
const store = await openStore({ dataDir: dir });
try {
  const p = (await store.createProject({ title: "Blinding benchmark" }, { actor: "olive" })).id;
  await store.insert(p, "members", [{ userName: "ana", role: "reviewer" }, { userName: "ben", role: "reviewer" }, { userName: "cy", role: "reviewer" }] as never[], { actor: "olive" });
  const recs = await store.insert(p, "records", syntheticRecords(N), { actor: "olive" });
  for (const reviewer of ["ana", "ben"]) {
    await store.insert(p, "screeningDecisions", recs.map((r) => ({ recordId: r.id, stage: "title_abstract" as const, decision: "exclude" as const })), { actor: reviewer });
  }
  const page = (await store.list(p, "screeningDecisions")).slice(0, 100) as unknown as Record<string, unknown>[];
  const ctx = (actor: string, role: RequestContext["role"]): RequestContext => ({ identity: null, actor, named: true, role, reason: null });
  for (const [who, c] of [["a reviewer who has decided nothing", ctx("cy", "reviewer")], ["an owner who screened nothing", ctx("olive", "owner")]] as const) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const view = await blindView(store, p, c);
      for (const e of page) await view.visible("screeningDecisions", e);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`${N.toLocaleString("en")} records, ${(2 * N).toLocaleString("en")} decisions: 100 decisions checked for ${who}: median ${times[2]!.toFixed(0)} ms`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
