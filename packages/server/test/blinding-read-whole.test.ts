import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "@homeward/store";
import { blindView } from "../src/blinding.js";
import type { RequestContext } from "../src/context.js";

const ctx = (actor: string, role: RequestContext["role"]): RequestContext => ({ identity: null, actor, named: true, role, reason: null });

/**
 * A list route hands the view the collection it has read whole; the view
 * must then answer exactly as when it reads the caller's work and the
 * items' other work from the store itself.
 */
describe("blindView with the collection read whole", () => {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it("answers every visibility question as the view that reads the store", async () => {
    const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-blind-whole-")) });
    stores.push(store);
    const p = (await store.createProject({ title: "Blind" }, { actor: "olive" })).id;
    const studies = await store.insert(p, "studies", Array.from({ length: 8 }, (_, i) => ({ name: `S${i}`, design: "RCT" })), { actor: "olive" });
    // Per study a different mix: nobody, one, two submitted, a draft beside a submission, the adjudicator's own draft or submission.
    const work: [number, string, "draft" | "submitted"][] = [
      [1, "ana", "submitted"],
      [2, "ana", "submitted"], [2, "ben", "submitted"],
      [3, "ana", "submitted"], [3, "ben", "draft"],
      [4, "ana", "submitted"], [4, "ben", "submitted"], [4, "olive", "draft"],
      [5, "ana", "submitted"], [5, "ben", "submitted"], [5, "olive", "submitted"],
      [6, "cy", "draft"],
      [7, "ben", "submitted"], [7, "cy", "submitted"],
    ];
    for (const [i, reviewer, status] of work)
      await store.insert(p, "appraisals", [{ studyId: studies[i]!.id, tool: "RoB2" as const, status, domains: [], overall: null, reviewer, at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString() }], { actor: reviewer });
    const appraisals = await store.list(p, "appraisals");
    const summaries = await store.listFields(p, "appraisals", ["studyId", "status", "reviewer", "consensus"]);
    const callers = [ctx("ana", "reviewer"), ctx("ben", "reviewer"), ctx("cy", "reviewer"), ctx("dee", "reviewer"), ctx("olive", "owner"), ctx("adj", "adjudicator")];
    let shown = 0;
    let hidden = 0;
    for (const c of callers) {
      const reads = await blindView(store, p, c);
      const whole = await blindView(store, p, c, { appraisals });
      const summary = await blindView(store, p, c, { appraisals: summaries });
      for (const a of appraisals) {
        const expected = await reads.visible("appraisals", a);
        expect([c.actor, a.studyId, a.reviewer, await whole.visible("appraisals", a)]).toEqual([c.actor, a.studyId, a.reviewer, expected]);
        expect(await summary.visible("appraisals", a)).toBe(expected);
        if (expected) shown += 1;
        else hidden += 1;
      }
    }
    // Both answers occur, so the comparison is not of two views that see everything (or nothing).
    expect(shown).toBeGreaterThan(0);
    expect(hidden).toBeGreaterThan(0);
  });
});
