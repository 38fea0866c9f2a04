import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { PROJECT_FORMAT, PROJECT_FORMAT_VERSION } from "@homeward/model";
import { openStore, syntheticRecords } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * Review views over HTTP (127.0.0.1, SQLite store) on a screened project of
 * N records: N = $HOMEWARD_BENCH_RECORDS (default 100000). The project is
 * one a team would have after screening every record one by one: a decision
 * and an audit entry per record, 5% duplicates, 3% sent to full text, 150
 * studies with outcomes and appraisals. Prints medians of 5 requests after
 * one warm-up, and the peak resident memory of the serving process; asserts
 * nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
if (process.argv[2] !== "--views") console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);

function screenedProject(n: number) {
  const at = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
  const searches = [
    { id: "s-db1", source: "MEDLINE", kind: "database", resultsCount: null },
    { id: "s-db2", source: "PsycINFO", kind: "database", resultsCount: null },
    { id: "s-web", source: "Websites", kind: "website", resultsCount: null },
  ];
  const records = syntheticRecords(n).map((r, i) => ({ ...r, searchId: i % 50 === 0 ? "s-web" : i % 2 ? "s-db1" : "s-db2" }));
  // Every 20th record is a duplicate of the one before it.
  const duplicateGroups: { id: string; primaryRecordId: string; method: string; createdBy: string; createdAt: string }[] = [];
  for (let i = 19; i < n; i += 20) {
    const g = `g-${i}`;
    duplicateGroups.push({ id: g, primaryRecordId: records[i - 1]!.id!, method: "automatic", createdBy: "ana", createdAt: at(n) });
    (records[i - 1] as { duplicateGroupId?: string }).duplicateGroupId = g;
    (records[i] as { duplicateGroupId?: string }).duplicateGroupId = g;
  }
  const screenedIds = records.filter((_, i) => i % 20 !== 19).map((r) => r.id!);
  const keep = (k: number) => k % 33 === 0;
  const screeningDecisions = screenedIds.map((id, k) => ({
    id: `d-ta-${k}`, recordId: id, stage: "title_abstract", reviewer: "ana", decision: keep(k) ? "include" : "exclude",
    reasons: keep(k) ? [] : ["population"], at: at(n + k),
  }));
  const fullText = screenedIds.filter((_, k) => keep(k));
  fullText.forEach((id, k) => {
    screeningDecisions.push({
      id: `d-ft-${k}`, recordId: id, stage: "full_text", reviewer: "ana", decision: k % 5 === 0 ? "include" : "exclude",
      reasons: k % 5 === 0 ? [] : ["design"], at: at(2 * n + k),
    });
  });
  const included = fullText.filter((_, k) => k % 5 === 0).slice(0, 150);
  const studies = included.map((_, k) => ({
    id: `st-${k}`, name: `Study ${k}`, design: k % 2 ? "RCT" : "Quasi-experimental",
    classifications: { strand: [k % 3 ? "effectiveness" : "implementation"], designClass: k % 2 ? "RCT" : "QED", interventionType: k % 4 ? "a" : "b" },
    createdAt: at(3 * n),
  }));
  const studyReports = included.map((recordId, k) => ({ id: `sr-${k}`, studyId: `st-${k}`, recordId, role: "lead" }));
  const outcomes = studies.map((s, k) => ({ id: `o-${k}`, studyId: s.id, domain: k % 2 ? "x" : "y", name: "Outcome" }));
  const appraisals = studies.map((s, k) => ({
    id: `ap-${k}`, studyId: s.id, tool: "RoB2",
    domains: ["D1", "D2", "D3", "D4", "D5"].map((domain, j) => ({ domain, judgement: (k + j) % 3 ? "Low" : "Some concerns" })),
    overall: k % 3 ? "Some concerns" : "High", reviewer: "ana", at: at(3 * n),
  }));
  // The log a one-by-one screening leaves: one entry per decision, the decision as its "after".
  const audit = screeningDecisions.map((d, k) => ({
    id: `a-${k}`, at: d.at, actor: "ana", action: "screeningDecisions.create", entity: "screeningDecisions", entityId: d.id, after: d,
  }));
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_FORMAT_VERSION,
    project: { id: "review-bench", title: "Review benchmark", createdAt: at(0), updatedAt: at(0) },
    protocol: {
      exclusionReasons: [
        { code: "population", label: "Population", rank: 1 },
        { code: "design", label: "Design", rank: 2 },
      ],
      outcomeDomains: [{ code: "x", label: "X" }, { code: "y", label: "Y" }],
      classifications: [
        { code: "strand", multiple: true, role: "strand", values: [{ code: "effectiveness" }, { code: "implementation" }] },
        { code: "designClass", role: "design", values: [{ code: "RCT" }, { code: "QED" }] },
        { code: "interventionType", role: "typology", values: [{ code: "a", label: "Type A" }, { code: "b", label: "Type B" }] },
      ],
    },
    users: [{ name: "ana", displayName: "" }],
    searches, records, duplicateGroups, screeningDecisions, studies, studyReports, outcomes, appraisals, audit,
  };
}

/** Times the views against the data folder; run in a process of its own so its peak memory is the views' alone. */
async function timeViews(dataDir: string, projectId: string): Promise<void> {
  const store = await openStore({ dataDir });
  try {
    const app = await buildServer({ store, version: "bench", webDir: dataDir });
    const cookie = await benchSession(store, "bench");
    await app.listen({ port: 0, host: "127.0.0.1" });
    const port = (app.server.address() as { port: number }).port;
    const base = `http://127.0.0.1:${port}/api/projects/${projectId}/review`;
    const rss0 = process.resourceUsage().maxRSS;
    const cases = [
      "/summary",
      "/prisma",
      "/figures/prisma?format=json",
      "/figures/prisma?format=svg",
      "/figures/gap-map?format=json",
      "/figures/rob-summary?format=json&tool=RoB2",
      "/cerqual",
      "/recommendations",
      "/appraisal-conflicts",
    ];
    console.log(`\nGET /api/projects/:id/review… at ${N.toLocaleString("en")} records (SQLite, median of 5)`);
    for (const path of cases) {
      const xs: number[] = [];
      let status = 0;
      for (let i = 0; i < 6; i++) {
        const t = performance.now();
        const res = await fetch(base + path, { headers: { cookie } });
        await res.arrayBuffer();
        status = res.status;
        if (i > 0) xs.push(performance.now() - t);
      }
      xs.sort((a, b) => a - b);
      console.log(`  ${path.padEnd(44)} ${xs[2]!.toFixed(0).padStart(6)} ms   ${status}`);
    }
    console.log(`peak resident memory of the server process: ${(rss0 / 1024).toFixed(0)} MB after start, ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB after the views`);
    await app.close();
  } finally {
    await store.close();
  }
}

if (process.argv[2] === "--views") {
  await timeViews(process.argv[3]!, process.argv[4]!);
} else {
  const dir = mkdtempSync(join(tmpdir(), "homeward-review-bench-"));
  try {
    const store = await openStore({ dataDir: dir });
    const t0 = performance.now();
    const p = await store.importProject(screenedProject(N), { actor: "bench" });
    await store.close();
    console.log(`imported ${N.toLocaleString("en")} records with their decisions and audit log in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const child = fork(fileURLToPath(import.meta.url), ["--views", dir, p.id], { stdio: "inherit" });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    if (code !== 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
