import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseInput, UserName, type QaSample, type ScreeningDecision } from "@homeward/model";
import { agreement, type Agreement } from "@homeward/screening";
import type { Store, WriteContext } from "@homeward/store";
import { DEFAULT_USER, USER_HEADER } from "../app.js";

const Params = z.object({ id: z.string().min(1), stage: z.enum(["title_abstract", "full_text"]) });
const RecordParams = Params.extend({ recordId: z.string().min(1) });
const MineQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) });
const SettingsBody = z
  .object({
    mode: z.enum(["single", "dual", "dual_then_single"]),
    dualFraction: z.number().gt(0, "the dual-screened share must be more than 0").max(1).nullable().default(null),
    reviewers: z.array(UserName).default([]),
  })
  .superRefine((s, ctx) => {
    if (s.mode === "dual_then_single" && s.dualFraction === null)
      ctx.addIssue({ code: "custom", path: ["dualFraction"], message: "dual-then-single screening needs the dual-screened share (e.g. 0.2)" });
    if (s.mode !== "dual_then_single" && s.dualFraction !== null)
      ctx.addIssue({ code: "custom", path: ["dualFraction"], message: "a dual-screened share applies to dual-then-single screening only" });
  });

const CATEGORIES = ["include", "maybe", "exclude"];

/** A sampled record: the decision that put it in the sample and the senior re-check, if made. */
export interface QaItem {
  recordId: string;
  title: string;
  original: { reviewer: string; decision: string; reasons: string[] } | null;
  check: { reviewer: string; decision: string; reasons: string[]; at: string } | null;
}

export interface QaSampleView extends QaSample {
  items: QaItem[];
  checked: number;
  /** Original decision versus re-check over the checked records; null before any check. */
  agreement: Agreement | null;
}

/**
 * Screening set-up and QA review, beside the screening routes:
 *
 *   GET /api/projects/:id/screening/:stage/settings   → the stage's settings (single screening when never set)
 *   PUT /api/projects/:id/screening/:stage/settings   body {mode, dualFraction?, reviewers?} → settings (audited)
 *   GET /api/projects/:id/screening/:stage/qa-samples → [sample + {items, checked, agreement}], newest first
 *   GET /api/projects/:id/screening/:stage/my-decisions?limit= → the acting reviewer's current decision per
 *       record, most recent first (to review and change: a changed mind is a new decision)
 *   GET /api/projects/:id/screening/:stage/records/:recordId/reviewers → {reviewers}: who has decided the
 *       record at this stage (names only: in blind dual screening the verdicts stay hidden)
 *
 * A QA re-check is an ordinary screening decision by the checker (POST
 * …/decisions) made after the sample was drawn; a disagreeing re-check makes
 * the record a conflict, reconciled like any other.
 */
export async function registerScreeningSetupRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const actor = (req: FastifyRequest): WriteContext => {
    const h = req.headers[USER_HEADER];
    const name = Array.isArray(h) ? h[0] : h;
    return { actor: name === undefined || name === "" ? DEFAULT_USER : parseInput(UserName, name, `${USER_HEADER} header`) };
  };

  app.get("/api/projects/:id/screening/:stage/settings", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    await store.getProject(id);
    const rows = await store.list(id, "screeningSettings", { stage });
    // The screening routes read the last row; so does this.
    return rows[rows.length - 1] ?? { id: null, stage, mode: "single", dualFraction: null, reviewers: [], updatedAt: null };
  });

  app.put("/api/projects/:id/screening/:stage/settings", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const body = parseInput(SettingsBody, req.body ?? {}, "screening settings");
    const ctx = actor(req);
    return store.transaction(async (tx) => {
      const rows = await tx.list(id, "screeningSettings", { stage });
      const current = rows[rows.length - 1];
      const updatedAt = new Date().toISOString();
      if (!current) return (await tx.insert(id, "screeningSettings", [{ stage, ...body, updatedAt }], ctx))[0];
      return tx.update(id, "screeningSettings", current.id, { ...body, updatedAt }, ctx);
    });
  });

  app.get("/api/projects/:id/screening/:stage/my-decisions", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const { limit } = parseInput(MineQuery, req.query, "query");
    const { actor: reviewer } = actor(req);
    await store.getProject(id);
    const rows = await store.list(id, "screeningDecisions", { stage, reviewer });
    // Listed by time: walking back, the first row seen per record is the current decision.
    const seen = new Set<string>();
    const latest: ScreeningDecision[] = [];
    for (let i = rows.length - 1; i >= 0 && latest.length < limit; i--) {
      const d = rows[i]!;
      if (seen.has(d.recordId)) continue;
      seen.add(d.recordId);
      latest.push(d);
    }
    const items = [];
    for (const d of latest) {
      const r = await store.get(id, "records", d.recordId);
      items.push({ recordId: d.recordId, title: r.title, decision: d.decision, reasons: d.reasons, note: d.note, labels: d.labels, at: d.at });
    }
    return { total: new Set(rows.map((d) => d.recordId)).size, items };
  });

  app.get("/api/projects/:id/screening/:stage/records/:recordId/reviewers", async (req) => {
    const { id, stage, recordId } = parseInput(RecordParams, req.params, "path");
    await store.get(id, "records", recordId);
    const rows = await store.list(id, "screeningDecisions", { stage, recordId });
    return { reviewers: [...new Set(rows.map((d) => d.reviewer))] };
  });

  app.get("/api/projects/:id/screening/:stage/qa-samples", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    await store.getProject(id);
    const [samples, decisions] = await Promise.all([store.list(id, "qaSamples", { stage }), store.list(id, "screeningDecisions", { stage })]);
    const byRecord = new Map<string, ScreeningDecision[]>();
    for (const d of decisions) {
      const list = byRecord.get(d.recordId) ?? [];
      list.push(d);
      byRecord.set(d.recordId, list);
    }
    const wanted = new Set(samples.flatMap((s) => s.recordIds));
    const titles = new Map<string, string>();
    // A few records by key; a large sample in one read of the records.
    if (wanted.size > 200) {
      for (const r of await store.list(id, "records")) if (wanted.has(r.id)) titles.set(r.id, r.title);
    } else {
      for (const rid of wanted) titles.set(rid, (await store.get(id, "records", rid)).title);
    }
    return samples
      .map((s): QaSampleView => {
        const items = s.recordIds.map((recordId): QaItem => {
          const ds = byRecord.get(recordId) ?? [];
          // The decision sampled: the latest made before the sample was drawn.
          const before = ds.filter((d) => d.at < s.createdAt);
          const o = before[before.length - 1];
          const after = ds.filter((d) => d.at >= s.createdAt && d.reviewer !== o?.reviewer && (s.checker === null || d.reviewer === s.checker));
          const c = after[after.length - 1];
          return {
            recordId,
            title: titles.get(recordId) ?? "",
            original: o ? { reviewer: o.reviewer, decision: o.decision, reasons: o.reasons } : null,
            check: c ? { reviewer: c.reviewer, decision: c.decision, reasons: c.reasons, at: c.at } : null,
          };
        });
        const done = items.filter((it) => it.original && it.check);
        return {
          ...s,
          items,
          checked: done.length,
          agreement: done.length ? agreement(done.map((it) => it.original!.decision), done.map((it) => it.check!.decision), { categories: CATEGORIES }) : null,
        };
      })
      .reverse();
  });
}
