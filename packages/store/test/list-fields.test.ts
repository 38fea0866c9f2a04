import { afterAll, describe, expect, it } from "vitest";
import type { Store } from "@homeward/store";
import { storeEngines } from "./scratch-database.js";

describe.each(storeEngines("list_fields"))("listFields (%s)", (_engine, open) => {
  const opened: { store: Store; done: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const o of opened) {
      await o.store.close();
      await o.done();
    }
  });

  it("reads the named fields and id, in list's order and with its filters, leaving the rest unread", async () => {
    const o = await open();
    opened.push(o);
    const { store } = o;
    const p = await store.createProject({ title: "Fields" }, { actor: "ana" });
    const [a, b] = await store.insert(p.id, "studies", [{ name: "Beta trial", design: "RCT" }, { name: "Alpha trial", design: "cohort" }], { actor: "ana" });
    for (const [i, s] of [a!, b!, a!].entries()) {
      const reviewer = ["ana", "ben", "cy"][i]!;
      const domains = [{ domain: "D1", judgement: "Low", support: "", answers: { "1.1": "Y" } }];
      await store.insert(p.id, "appraisals", [{ studyId: s.id, tool: "RoB2" as const, domains, overall: "Low", reviewer, at: `2024-01-0${3 - i}T00:00:00.000Z` }], { actor: reviewer });
    }
    const full = await store.list(p.id, "appraisals", { studyId: a!.id });
    const summary = await store.listFields(p.id, "appraisals", ["studyId", "reviewer", "overall"], { studyId: a!.id });
    expect(summary.map((x) => x.id)).toEqual(full.map((x) => x.id));
    expect(summary).toEqual(full.map((x) => ({ id: x.id, studyId: x.studyId, reviewer: x.reviewer, overall: x.overall })));
    expect(summary.every((x) => !("domains" in x) && !("at" in x))).toBe(true);
    expect(await store.listFields(p.id, "appraisals", ["reviewer"], { studyId: [] })).toEqual([]);
    const studies = await store.listFields(p.id, "studies", ["name"]);
    expect(studies).toEqual((await store.list(p.id, "studies")).map((s) => ({ id: s.id, name: s.name })));
  });
});
