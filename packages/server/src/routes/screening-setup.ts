import type { FastifyInstance } from "fastify";
import { screeningRoutes as r } from "@homeward/api";
import type { ScreeningDecision } from "@homeward/model";
import { currentSettings, type MyDecision } from "@homeward/screening";
import type { Store } from "@homeward/store";
import { writer } from "../context.js";
import { serve } from "../contract.js";
import { screeningProjects } from "./screening-state.js";

/**
 * Screening set-up and QA review, beside the screening routes: the stage's
 * settings (single screening until set; one settings entity per stage), QA
 * samples with their re-checks matched by the engine (`qaReview`), the acting
 * reviewer's current decisions, and who decided a record (names only, so
 * blind dual screening stays blind).
 *
 * A QA re-check is an ordinary screening decision by the checker (POST
 * …/decisions) made after the sample was drawn; a disagreeing re-check makes
 * the record a conflict, reconciled like any other.
 */
export async function registerScreeningSetupRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const projects = screeningProjects(app, store);

  serve(app, r.settings, async ({ params: { id, stage } }) => {
    await store.getProject(id);
    // The engine's rule for the stage's settings: the most recently updated.
    const current = currentSettings(await store.list(id, "screeningSettings", { stage }));
    return current ?? { id: null, stage, mode: "single" as const, dualFraction: null, reviewers: [], updatedAt: null };
  });

  serve(app, r.saveSettings, async ({ params: { id, stage }, body, ctx }) =>
    store.transaction(async (tx) => {
      const current = currentSettings(await tx.list(id, "screeningSettings", { stage }));
      const updatedAt = new Date().toISOString();
      if (!current) return (await tx.insert(id, "screeningSettings", [{ stage, ...body, updatedAt }], writer(ctx)))[0];
      return tx.update(id, "screeningSettings", current.id, { ...body, updatedAt }, writer(ctx));
    }),
  );

  serve(app, r.myDecisions, async ({ params: { id, stage }, query: { limit }, ctx }) => {
    const p = await projects.synced(id);
    // A decision is written for every copy of a duplicate group; the reviewer made one, on the group's primary.
    const rows = (await store.list(id, "screeningDecisions", { stage, reviewer: ctx.actor })).filter((d) => p.engine.screened(d.recordId));
    // Listed by time: walking back, the first row seen per record is the current decision.
    const seen = new Set<string>();
    const latest: ScreeningDecision[] = [];
    for (let i = rows.length - 1; i >= 0 && latest.length < limit; i--) {
      const d = rows[i]!;
      if (seen.has(d.recordId)) continue;
      seen.add(d.recordId);
      latest.push(d);
    }
    const items: MyDecision[] = [];
    for (const d of latest) {
      const rec = await store.get(id, "records", d.recordId);
      items.push({ recordId: d.recordId, title: rec.title, decision: d.decision, reasons: d.reasons, note: d.note, labels: d.labels, at: d.at });
    }
    return { total: new Set(rows.map((d) => d.recordId)).size, items };
  });

  serve(app, r.reviewers, async ({ params: { id, stage, recordId } }) => {
    const p = await projects.synced(id);
    if (!p.engine.has(recordId)) await store.get(id, "records", recordId);
    return { reviewers: p.engine.reviewersOf(stage, recordId) };
  });

  serve(app, r.qaSamples, async ({ params: { id, stage } }) => {
    const p = await projects.synced(id);
    const wanted = new Set(p.engine.samples(stage).flatMap((s) => s.recordIds));
    // The checker re-reads each record by its title and abstract.
    const texts = new Map<string, { title: string; abstract: string | null }>();
    const keep = (rec: { id: string; title: string; abstract?: string | null }) => texts.set(rec.id, { title: rec.title, abstract: rec.abstract ?? null });
    // A few records by key; a large sample in one read of the records.
    if (wanted.size > 200) {
      for (const rec of await store.list(id, "records")) if (wanted.has(rec.id)) keep(rec);
    } else {
      for (const rid of wanted) keep(await store.get(id, "records", rid));
    }
    return p.engine.qaSamples(stage, (rid) => texts.get(rid) ?? "");
  });
}
