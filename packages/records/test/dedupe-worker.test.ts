import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dedupe, type DedupeInput, type DedupeRunner } from "@homeward/records";

/**
 * The detection worker thread as a server runs it: the compiled build's
 * `dedupeInWorker` (from TypeScript sources there is no worker to start, so
 * this needs `npx tsc -b` first, and is skipped without a build). Pages in,
 * the result of `dedupe` out, an input error as an input error, and a
 * cancelled run's thread ended with the signal's reason.
 */
const built = new URL("../dist/index.js", import.meta.url);
const have = existsSync(fileURLToPath(built));

const records: DedupeInput[] = Array.from({ length: 900 }, (_, i) => {
  const k = i % 300;
  return {
    id: `r${i}`,
    // Three copies of each work: the first with a DOI, then without, the third with a full stop at times.
    title: `Outcomes of programme ${k} for families after reunification${i >= 600 && i % 2 ? "." : ""}`,
    authors: [`Author${k}, A`, `Second${k % 17}, B`],
    year: String(1990 + (k % 30)),
    journal: `Journal ${k % 40}`,
    volume: String(1 + (k % 25)),
    pages: `${10 + k}-${20 + k}`,
    ...(i < 300 ? { doi: `10.1/${k}` } : {}),
  };
});

describe.skipIf(!have)("the compiled detection worker", () => {
  const load = async () => (await import(built.href)) as { dedupeInWorker: DedupeRunner };

  it("takes pages and answers dedupe's groups of two or more and questions, with progress", async () => {
    const { dedupeInWorker } = await load();
    const phases = new Set<string>();
    const session = dedupeInWorker((p) => phases.add(p.phase));
    for (let k = 0; k < records.length; k += 100) await session.add(records.slice(k, k + 100));
    const got = await session.finish({ together: [], separate: [] });
    const want = dedupe(records);
    expect(got.groups).toEqual(want.groups.filter((g) => g.length > 1));
    expect(got.groups.length).toBeGreaterThan(100);
    expect(got.maybe).toEqual(want.maybe);
    expect([...phases]).toEqual(["comparing", "grouping"]);
  });

  it("answers an input error as one", async () => {
    const { dedupeInWorker } = await load();
    const session = dedupeInWorker(() => undefined);
    await session.add(records.slice(0, 10));
    await session.add([records[0]!]);
    await expect(session.finish({ together: [], separate: [] })).rejects.toMatchObject({ message: 'duplicate record id "r0"', status: 400 });
  });

  it("ends the thread when the run is cancelled", async () => {
    const { dedupeInWorker } = await load();
    const ac = new AbortController();
    const session = dedupeInWorker(() => undefined, { signal: ac.signal });
    await session.add(records);
    ac.abort(new Error("cancelled by a reviewer"));
    await expect(session.finish({ together: [], separate: [] })).rejects.toThrow("cancelled by a reviewer");
    await expect(session.add(records.slice(0, 1))).rejects.toThrow("cancelled by a reviewer");
  });
});
