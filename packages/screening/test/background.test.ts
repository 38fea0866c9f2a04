import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { Prioritiser, RankingService } from "@homeward/screening";
import { fixture, loadCsv } from "./helpers.js";

const { labels, texts } = loadCsv(fixture("cohen2006_adhd_subset.csv"));

// The worker thread runs plain JavaScript: the package's sources are
// transpiled into a scratch folder (the tests run without a build).
const scratch = mkdtempSync(join(tmpdir(), "homeward-ranking-worker-"));
const src = new URL("../src/", import.meta.url);
for (const f of readdirSync(src).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
  const out = ts.transpileModule(readFileSync(new URL(f, src), "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(join(scratch, f.replace(/\.ts$/, ".js")), out.outputText);
}
writeFileSync(join(scratch, "package.json"), '{"type":"module"}');
symlinkSync(new URL("../../../node_modules", import.meta.url).pathname, join(scratch, "node_modules"));
const workerUrl = pathToFileURL(join(scratch, "worker.js"));

const services: RankingService[] = [];
afterAll(async () => {
  for (const s of services) await s.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe.each([
  ["a worker thread", () => new RankingService({ worker: workerUrl }), true],
  ["this thread", () => new RankingService({ worker: false }), false],
])("BackgroundPrioritiser, training in %s", (_, make, threaded) => {
  it("serves at once from the last ranking and ranks as the in-thread Prioritiser does", async () => {
    const service = make();
    services.push(service);
    expect(service.threaded).toBe(threaded);
    const q = service.open("p1", { seed: 3 });
    const p = new Prioritiser({ seed: 3 });
    texts.forEach((t, i) => {
      q.addRecord(`r${i}`, t);
      p.addRecord(`r${i}`, t);
    });
    q.setDecision("r9", true);
    q.setDecision("r163", false);
    p.setDecision("r9", true);
    p.setDecision("r163", false);
    q.retrain();
    // Nothing ranked yet: the request is answered from import order, without waiting.
    expect(q.ranked).toBe(false);
    expect(q.next()).toBe("r0");
    await q.idle();
    expect(q.ranked).toBe(true);
    p.retrain();
    expect(q.ranking()).toEqual(p.ranking());
    expect(q.last).toMatchObject({ trained: true, labelled: 2, unscreened: 298 });

    // Decisions close records at once; the next ranking learns from them.
    const top = q.next()!;
    q.setDecision(top, labels[Number(top.slice(1))] === 1);
    p.setDecision(top, labels[Number(top.slice(1))] === 1);
    expect(q.next()).not.toBe(top);
    q.retrain();
    await q.idle();
    p.retrain();
    expect(q.ranking()).toEqual(p.ranking());
  });

  it("coalesces retrain requests and keeps queues of different keys apart", async () => {
    const service = make();
    services.push(service);
    const a = service.open("a");
    const b = service.open("b");
    ["x", "y", "z"].forEach((id, i) => a.addRecord(id, `statin trial ${i} ${id}`));
    ["u", "v"].forEach((id) => b.addRecord(id, `bird song ${id}`));
    a.setDecision("x", true);
    a.setDecision("y", false);
    for (let k = 0; k < 20; k++) a.retrain();
    b.retrain();
    await Promise.all([a.idle(), b.idle()]);
    // One running and at most one queued behind it.
    expect(a.rankings).toBeLessThanOrEqual(2);
    expect(a.ranking()).toEqual(["z"]);
    expect(b.ranked).toBe(false);
    expect(b.ranking()).toEqual(["u", "v"]);
  });
});

describe("RankingService when the worker fails", () => {
  it("reports the error and the queue keeps serving", async () => {
    const errors: Error[] = [];
    const service = new RankingService({ worker: new URL("data:text/javascript,throw new Error('boom')"), onError: (e) => errors.push(e) });
    services.push(service);
    const q = service.open("k");
    ["a", "b"].forEach((id) => q.addRecord(id, `text ${id}`));
    q.setDecision("a", true);
    q.setDecision("b", false);
    q.retrain();
    await q.idle();
    expect(errors[0]?.message).toMatch(/boom/);
    expect(q.busy).toBe(false);
    q.setDecision("a", null, false);
    expect(q.next()).toBe("a");
  });
});
