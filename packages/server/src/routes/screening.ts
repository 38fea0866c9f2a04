import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { InputError, parseInput, UserName, type BibRecord, type ScreeningDecision, type ScreeningStage } from "@homeward/model";
import {
  advances,
  agreement,
  canScreen,
  Prioritiser,
  qaSample,
  rankedReason,
  recordStatus,
  reviewersNeeded,
  stoppingEstimate,
  validateDecision,
  validateReconciliation,
  type AssignmentMode,
  type Decision,
  type Reconciliation as WorkflowReconciliation,
  type RecordStatus,
} from "@homeward/screening";
import type { Store, WriteContext } from "@homeward/store";

const USER_HEADER = "x-homeward-user";
const Params = z.object({ id: z.string().min(1), stage: z.enum(["title_abstract", "full_text"]) });
const DecisionBody = z.object({
  recordId: z.string().min(1),
  decision: z.enum(["include", "exclude", "maybe"]),
  reasons: z.array(z.string().min(1)).default([]),
  note: z.string().max(20_000).optional(),
  labels: z.array(z.string().min(1)).default([]),
});
const ReconcileBody = z.object({
  recordId: z.string().min(1),
  decision: z.enum(["include", "exclude", "maybe"]),
  reasons: z.array(z.string().min(1)).default([]),
  reason: z.string().trim().min(1, "a reconciliation needs the reason it was resolved that way"),
});
const NextQuery = z.object({ prioritise: z.enum(["true", "false"]).default("true") });
const StoppingQuery = z.object({
  recallTarget: z.coerce.number().gt(0).lt(1).default(0.95),
  confidence: z.coerce.number().gt(0).lt(1).default(0.95),
});
const QaBody = z.object({ fraction: z.number().gt(0).max(1).default(0.1), seed: z.number().int(), checker: UserName.optional() });

interface StageState {
  records: BibRecord[];
  /** Records of the stage, by id. */
  byId: Map<string, BibRecord>;
  needed: Map<string, 1 | 2>;
  statuses: Map<string, RecordStatus>;
  decisions: Map<string, Decision[]>;
  mode: AssignmentMode;
  ranking: string[];
}

/**
 * Screening API (package @homeward/screening over the store): the next record
 * for a reviewer (prioritised, never filtered), decisions applied to whole
 * duplicate groups, record statuses and conflicts, reconciliation,
 * agreement per reviewer pair, the advisory stopping estimate and QA samples.
 *
 * Decisions are append-only rows written in one transaction per request, so
 * two reviewers deciding at once both land; each reviewer's latest decision
 * counts. Retraining runs after the response is sent; the next record is
 * served from the last ranking meanwhile.
 */
export async function registerScreeningRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const prioritisers = new Map<string, { p: Prioritiser; retraining: boolean }>();

  const actor = (req: FastifyRequest): WriteContext => {
    const h = req.headers[USER_HEADER];
    const name = Array.isArray(h) ? h[0] : h;
    if (name === undefined || name === "") throw new InputError(`screening needs the reviewer's name in the ${USER_HEADER} header`);
    return { actor: parseInput(UserName, name, `${USER_HEADER} header`) };
  };

  const reasonRanking = async (projectId: string, stage: ScreeningStage): Promise<string[]> => {
    const protocol = await store.getProtocol(projectId);
    return protocol.exclusionReasons
      .filter((r) => r.stage === "any" || r.stage === stage)
      .sort((a, b) => a.rank - b.rank)
      .map((r) => r.code);
  };

  const toDecision = (d: ScreeningDecision): Decision => ({ reviewer: d.reviewer, verdict: d.decision, reasons: d.reasons });

  /** Everything the stage's rules need, read fresh from the store. */
  const loadStage = async (projectId: string, stage: ScreeningStage): Promise<StageState> => {
    const [all, decisionRows, recs, settings, taRows, taRecs] = await Promise.all([
      store.list(projectId, "records"),
      store.list(projectId, "screeningDecisions", { stage }),
      store.list(projectId, "reconciliations", { stage }),
      store.list(projectId, "screeningSettings", { stage }),
      stage === "full_text" ? store.list(projectId, "screeningDecisions", { stage: "title_abstract" }) : Promise.resolve([]),
      stage === "full_text" ? store.list(projectId, "reconciliations", { stage: "title_abstract" }) : Promise.resolve([]),
    ]);
    const s = settings[settings.length - 1];
    const mode: AssignmentMode =
      !s || s.mode === "single" ? { kind: "single" } : s.mode === "dual" ? { kind: "dual" } : { kind: "dual_then_single", dualShare: s.dualFraction ?? 0.2 };
    let records = all;
    if (stage === "full_text") {
      // Full text holds what title/abstract screening sent on (include or maybe).
      const ta = await statusesOf(all, "title_abstract", taRows, taRecs, { kind: "single" }, new Map());
      records = all.filter((r) => {
        const st = ta.statuses.get(r.id);
        return (st?.state === "decided" || st?.state === "reconciled") && advances(st.verdict);
      });
    }
    const order = new Map<string, number>();
    for (const d of decisionRows) if (!order.has(d.recordId)) order.set(d.recordId, order.size);
    const st = await statusesOf(records, stage, decisionRows, recs, mode, order);
    const entry = prioritisers.get(key(projectId, stage));
    return { ...st, records, byId: new Map(records.map((r) => [r.id, r])), mode, ranking: entry ? entry.p.ranking() : [] };
  };

  const statusesOf = async (
    records: BibRecord[],
    stage: ScreeningStage,
    decisionRows: ScreeningDecision[],
    recs: { recordId: string; decision: Decision["verdict"]; reasons: string[]; resolvedBy: string; reason: string }[],
    mode: AssignmentMode,
    order: Map<string, number>,
  ) => {
    const decisions = new Map<string, Decision[]>();
    for (const d of decisionRows) {
      const list = decisions.get(d.recordId) ?? [];
      list.push(toDecision(d));
      decisions.set(d.recordId, list);
    }
    const rec = new Map<string, WorkflowReconciliation>();
    for (const r of recs) rec.set(r.recordId, { reviewer: r.resolvedBy, verdict: r.decision, reasons: r.reasons, reason: r.reason });
    const needed = new Map<string, 1 | 2>();
    const statuses = new Map<string, RecordStatus>();
    const total = records.length;
    for (const r of records) {
      const n = reviewersNeeded(mode, order.get(r.id) ?? order.size, total);
      needed.set(r.id, n);
      statuses.set(r.id, recordStatus(stage, n, decisions.get(r.id) ?? [], rec.get(r.id)));
    }
    return { needed, statuses, decisions };
  };

  const key = (projectId: string, stage: string) => `${projectId}\u0000${stage}`;

  /** The stage's prioritiser, fed with the stage's records and current outcomes. */
  const prioritiser = (projectId: string, stage: ScreeningStage, st: StageState) => {
    let entry = prioritisers.get(key(projectId, stage));
    if (!entry) {
      entry = { p: new Prioritiser({ seed: 1 }), retraining: false };
      prioritisers.set(key(projectId, stage), entry);
    }
    const p = entry.p;
    for (const r of st.records) p.addRecord(r.id, `${r.title} ${r.abstract ?? ""}`);
    for (const r of st.records) {
      const s = st.statuses.get(r.id)!;
      const verdict = s.state === "decided" || s.state === "reconciled" ? s.verdict : null;
      p.setDecision(r.id, verdict === null ? null : advances(verdict));
    }
    return entry;
  };

  const scheduleRetrain = (entry: { p: Prioritiser; retraining: boolean }) => {
    if (entry.retraining || entry.p.pending === 0) return;
    entry.retraining = true;
    // After the response: the reviewer never waits for the model.
    setImmediate(() => {
      try {
        entry.p.retrain();
      } finally {
        entry.retraining = false;
      }
    });
  };

  app.get("/api/projects/:id/screening/:stage/next", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const q = parseInput(NextQuery, req.query, "query");
    const { actor: reviewer } = actor(req);
    const st = await loadStage(id, stage);
    const open = (rid: string) => canScreen(st.needed.get(rid)!, st.decisions.get(rid) ?? [], reviewer, st.statuses.get(rid)!.state === "reconciled");
    let next: string | null = null;
    let prioritised = false;
    if (q.prioritise === "true") {
      const entry = prioritiser(id, stage, st);
      const skip = new Set(st.records.filter((r) => !open(r.id)).map((r) => r.id));
      next = entry.p.next(skip);
      prioritised = entry.p.ranking().length > 0;
      scheduleRetrain(entry);
    } else {
      next = st.records.find((r) => open(r.id))?.id ?? null;
    }
    const awaitingSecond = [...st.statuses.values()].filter((s) => s.state === "awaiting_second").length;
    return { record: next ? st.byId.get(next) : null, prioritised, awaitingSecond, remaining: st.records.filter((r) => open(r.id)).length };
  });

  app.post("/api/projects/:id/screening/:stage/decisions", async (req, reply) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const body = parseInput(DecisionBody, req.body, "decision");
    const ctx = actor(req);
    const ranking = await reasonRanking(id, stage);
    validateDecision(stage, { reviewer: ctx.actor, verdict: body.decision, reasons: body.reasons }, ranking);
    const record = await store.get(id, "records", body.recordId);
    // A decision covers the record's whole duplicate group.
    const group = record.duplicateGroupId ? await store.list(id, "records", { duplicateGroupId: record.duplicateGroupId }) : [record];
    const reasons = body.reasons.length ? (() => {
      const r = rankedReason(body.reasons, ranking);
      return [r.recorded, ...r.others];
    })() : [];
    const stored = await store.insert(
      id,
      "screeningDecisions",
      group.map((r) => ({ recordId: r.id, stage, reviewer: ctx.actor, decision: body.decision, reasons, note: body.note ?? null, labels: body.labels })),
      ctx,
    );
    const entry = prioritisers.get(key(id, stage));
    if (entry) scheduleRetrain(entry);
    return reply.code(201).send({ decisions: stored, recordedReason: reasons[0] ?? null });
  });

  app.get("/api/projects/:id/screening/:stage/status", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const st = await loadStage(id, stage);
    const counts: Record<string, number> = { unscreened: 0, awaiting_second: 0, decided: 0, conflict: 0, reconciled: 0, include: 0, exclude: 0, maybe: 0 };
    const conflicts: { recordId: string; title: string; decisions: Decision[] }[] = [];
    for (const r of st.records) {
      const s = st.statuses.get(r.id)!;
      counts[s.state]++;
      if (s.state === "decided" || s.state === "reconciled") counts[s.verdict]++;
      if (s.state === "conflict") conflicts.push({ recordId: r.id, title: r.title, decisions: s.decisions });
    }
    return { stage, mode: st.mode, records: st.records.length, counts, conflicts };
  });

  app.post("/api/projects/:id/screening/:stage/reconciliations", async (req, reply) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const body = parseInput(ReconcileBody, req.body, "reconciliation");
    const ctx = actor(req);
    const st = await loadStage(id, stage);
    const status = st.statuses.get(body.recordId);
    if (!status) throw new InputError(`record ${body.recordId} is not in the ${stage.replace("_", "/")} stage`, 404);
    const rec = { reviewer: ctx.actor, verdict: body.decision, reasons: body.reasons, reason: body.reason };
    validateReconciliation(stage, status, rec, await reasonRanking(id, stage));
    // Like a decision, the resolution covers the duplicates that share the conflict.
    const record = st.byId.get(body.recordId)!;
    const group = record.duplicateGroupId ? st.records.filter((r) => r.duplicateGroupId === record.duplicateGroupId) : [record];
    const targets = group.filter((r) => st.statuses.get(r.id)?.state === "conflict");
    const stored = await store.insert(
      id,
      "reconciliations",
      targets.map((r) => ({ recordId: r.id, stage, decision: body.decision, reasons: body.reasons, resolvedBy: ctx.actor, reason: body.reason })),
      ctx,
    );
    return reply.code(201).send(stored);
  });

  app.get("/api/projects/:id/screening/:stage/agreement", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const st = await loadStage(id, stage);
    // Each reviewer's latest decision per record, over records both of a pair decided.
    const pairs = new Map<string, { first: string[]; second: string[] }>();
    for (const [rid, ds] of st.decisions) {
      if (!st.byId.has(rid)) continue;
      const latest = new Map<string, string>();
      for (const d of ds) latest.set(d.reviewer, d.verdict);
      const reviewers = [...latest.keys()].sort();
      for (let i = 0; i < reviewers.length; i++) {
        for (let j = i + 1; j < reviewers.length; j++) {
          const k = `${reviewers[i]}\u0000${reviewers[j]}`;
          const p = pairs.get(k) ?? { first: [], second: [] };
          p.first.push(latest.get(reviewers[i])!);
          p.second.push(latest.get(reviewers[j])!);
          pairs.set(k, p);
        }
      }
    }
    const categories = ["include", "maybe", "exclude"];
    const byPair = [...pairs].map(([k, p]) => {
      const [a, b] = k.split("\u0000");
      return { reviewers: [a, b], ...agreement(p.first, p.second, { categories }) };
    });
    const first = byPair.length ? [...pairs.values()].flatMap((p) => p.first) : [];
    const second = byPair.length ? [...pairs.values()].flatMap((p) => p.second) : [];
    return { stage, overall: first.length ? agreement(first, second, { categories }) : null, byPair };
  });

  app.get("/api/projects/:id/screening/:stage/stopping", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const q = parseInput(StoppingQuery, req.query, "query");
    const st = await loadStage(id, stage);
    // The screening sequence: records in the order their outcome was settled.
    const rows = await store.list(id, "screeningDecisions", { stage });
    const seen = new Set<string>();
    const labels: number[] = [];
    for (const d of rows) {
      if (seen.has(d.recordId) || !st.byId.has(d.recordId)) continue;
      const s = st.statuses.get(d.recordId)!;
      if (s.state !== "decided" && s.state !== "reconciled") continue;
      seen.add(d.recordId);
      labels.push(advances(s.verdict) ? 1 : 0);
    }
    return stoppingEstimate(labels, st.records.length, q);
  });

  app.post("/api/projects/:id/screening/:stage/qa-samples", async (req, reply) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const body = parseInput(QaBody, req.body ?? {}, "QA sample");
    const ctx = actor(req);
    const st = await loadStage(id, stage);
    // Single-screened excludes: settled as exclude by one reviewer's decision.
    const pool = st.records
      .filter((r) => st.needed.get(r.id) === 1)
      .filter((r) => {
        const s = st.statuses.get(r.id)!;
        return s.state === "decided" && s.verdict === "exclude";
      })
      .map((r) => r.id);
    if (pool.length === 0) throw new InputError("there are no single-screened excludes to sample yet");
    const recordIds = qaSample(pool, { fraction: body.fraction, seed: body.seed });
    const [stored] = await store.insert(
      id,
      "qaSamples",
      [{ stage, decision: "exclude", recordIds, method: "random", fraction: body.fraction, seed: body.seed, checker: body.checker ?? null, createdBy: ctx.actor }],
      ctx,
    );
    return reply.code(201).send(stored);
  });
}
