import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "@homeward/server";
import { parseAll } from "@homeward/records";
import { syntheticRecords, type Store } from "@homeward/store";
import type { FastifyInstance } from "fastify";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { storeEngines } from "../../store/test/scratch-database.js";
import { namedUserPolicy } from "./identity.js";

/**
 * The records export at more than a page of records (the export reads 1,000 at
 * a time): every record once, in the records' order, each with the decisions
 * of its duplicate group even when the decided copy is pages away, and the
 * project's records never listed whole.
 */
describe.each(storeEngines("records_export"))("records export over pages on %s", (_name, open) => {
  let store: Store;
  let done: () => Promise<void>;
  let app: FastifyInstance;
  let project: string;
  const N = 2_345;

  beforeAll(async () => {
    ({ store, done } = await open());
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    project = (await store.createProject({ title: "Export pages" }, { actor: "ana" })).id;
    await store.insert(project, "records", syntheticRecords(N, 7), { actor: "ana" });
  });
  afterAll(async () => {
    await app?.close();
    await done?.();
  });

  it("streams every record once in order, a group's decisions on each of its copies, without listing the records", async () => {
    const records = await store.list(project, "records");
    expect(records).toHaveLength(N);
    // A group whose copies sit on the first and the third page; the decision is on the later copy.
    const [early, late, alone] = [records[4]!, records[2_200]!, records[1_500]!];
    const [group] = await store.insert(project, "duplicateGroups", [{ primaryRecordId: early.id, method: "manual" }], { actor: "ana" });
    await store.setDuplicateGroups(project, [early, late].map((r) => ({ id: r.id, duplicateGroupId: group!.id })), { actor: "ana" });
    await store.insert(
      project,
      "screeningDecisions",
      [
        { recordId: late.id, stage: "title_abstract", reviewer: "ana", decision: "exclude", reasons: [], labels: [], note: "off topic" },
        { recordId: alone.id, stage: "title_abstract", reviewer: "ana", decision: "include", reasons: [], labels: [], note: null },
      ],
      { actor: "ana" },
    );

    const list = store.list.bind(store);
    let listedRecords = 0;
    (store as { list: Store["list"] }).list = ((p: string, c: string, w?: unknown) => {
      if (c === "records") listedRecords++;
      return list(p, c as never, w as never);
    }) as Store["list"];
    try {
      const res = await app.inject({ method: "GET", url: `/api/projects/${project}/records-export?format=ris`, headers: { "x-homeward-user": "ana" } });
      expect(res.statusCode).toBe(200);
      expect(listedRecords).toBe(0);
      const back = (await parseAll(Buffer.from(res.body), { fileName: "x.ris" })).records;
      expect(back.map((r) => r.title)).toEqual(records.map((r) => r.title));
      const decisionsOf = (i: number) => back[i]!.annotations?.decisions ?? [];
      const excluded = [{ stage: "title_abstract", decision: "exclude", reasons: [] }];
      expect(decisionsOf(4)).toEqual(excluded);
      expect(decisionsOf(2_200)).toEqual(excluded);
      expect(decisionsOf(1_500)).toEqual([{ stage: "title_abstract", decision: "include", reasons: [] }]);
      expect(back.filter((r) => r.annotations?.decisions?.length).length).toBe(3);
    } finally {
      (store as { list: Store["list"] }).list = list;
    }
  });

  it("answers 404 for a project that is not there, before any file starts", async () => {
    const res = await app.inject({ method: "GET", url: `/api/projects/no-such/records-export?format=csv`, headers: { "x-homeward-user": "ana" } });
    expect(res.statusCode).toBe(404);
  });
});
