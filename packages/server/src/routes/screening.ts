import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { InputError, parseInput, UserName, type ScreeningStage } from "@homeward/model";
import {
  advances,
  agreement,
  qaSample,
  rankedReason,
  RankingService,
  stoppingEstimate,
  validateDecision,
  validateReconciliation,
  type RankingServiceOptions,
  type RecordStatus,
} from "@homeward/screening";
import type { Store, WriteContext } from "@homeward/store";
import { ProjectState, type StageState } from "./screening-state.js";

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

/**
 * Screening API (package @homeward/screening over the store): the next record
 * for a reviewer (prioritised, never filtered), decisions applied to whole
 * duplicate groups, record statuses and conflicts, reconciliation,
 * agreement per reviewer pair, the advisory stopping estimate and QA samples.
 *
 * Decisions are append-only rows written in one transaction per request, so
 * two reviewers deciding at once both land; each reviewer's latest decision
 * counts. Routes answer from each project's in-memory screening state
 * (`ProjectState`), brought up to date from the store's audit log before
 * every answer, so a request costs what changed since the last one, not the
 * size of the project. Retraining runs in a worker thread (`RankingService`);
 * the next record is served from the latest finished ranking meanwhile.
 */
export async function registerScreeningRoutes(app: FastifyInstance, store: Store, options: RankingServiceOptions = {}): Promise<void> {
  const service = new RankingService({ onError: (e) => app.log.error(e, "screening prioritisation stopped"), ...options });
  const projects = new Map<string, ProjectState>();
  const warming = new Set<Promise<unknown>>();
  app.addHook("onClose", async () => {
    await Promise.allSettled([...warming]);
    await service.close();
  });

  // Reading a large project into memory takes seconds (100,000 records: the
  // store's read of every record is most of it). Opening the project or its
  // screening pages starts it in the background, so the first reviewer to ask
  // for a record does not wait for it.
  const WARM = /^\/api\/projects\/([^/?]+)(?:\/screening\/[^?]*)?(?:\?.*)?$/;
  app.addHook("onResponse", async (req, reply) => {
    const raw = req.method === "GET" && reply.statusCode === 200 ? WARM.exec(req.url)?.[1] : undefined;
    if (raw === undefined) return;
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      return;
    }
    if (projects.has(id)) return;
    const p = new ProjectState(store, id, service);
    projects.set(id, p);
    const w = p.sync().catch(() => projects.delete(p.projectId));
    warming.add(w);
    void w.finally(() => warming.delete(w));
  });

  /** The project's screening state, up to date with the store. */
  const screening = async (projectId: string): Promise<ProjectState> => {
    let p = projects.get(projectId);
    if (!p) {
      await store.getProject(projectId);
      p = projects.get(projectId);
      if (!p) {
        p = new ProjectState(store, projectId, service);
        projects.set(projectId, p);
      }
    }
    await p.sync();
    return p;
  };

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

  const inStage = (st: StageState, recordId: string, stage: ScreeningStage): RecordStatus => {
    const status = st.status.get(recordId);
    if (!status) throw new InputError(`record ${recordId} is not in the ${stage.replace("_", "/")} stage`, 404);
    return status;
  };

  app.get("/api/projects/:id/screening/:stage/next", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const q = parseInput(NextQuery, req.query, "query");
    const { actor: reviewer } = actor(req);
    const st = (await screening(id)).stage(stage);
    const prioritise = q.prioritise === "true";
    const next = st.next(reviewer, prioritise, Date.now());
    return {
      record: next ? await store.get(id, "records", next) : null,
      prioritised: prioritise && st.prio.ranked,
      awaitingSecond: st.counts.awaiting_second,
      remaining: st.remaining(reviewer),
    };
  });

  app.post("/api/projects/:id/screening/:stage/decisions", async (req, reply) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const body = parseInput(DecisionBody, req.body, "decision");
    const ctx = actor(req);
    const ranking = await reasonRanking(id, stage);
    validateDecision(stage, { reviewer: ctx.actor, verdict: body.decision, reasons: body.reasons }, ranking);
    const p = await screening(id);
    // Unknown here means unknown to the store too: get() says so (404).
    if (!p.records.has(body.recordId)) await store.get(id, "records", body.recordId);
    // A decision covers the record's whole duplicate group.
    const group = p.records.has(body.recordId) ? p.groupMembers(body.recordId) : [body.recordId];
    const reasons = body.reasons.length ? (() => {
      const r = rankedReason(body.reasons, ranking);
      return [r.recorded, ...r.others];
    })() : [];
    const stored = await store.insert(
      id,
      "screeningDecisions",
      group.map((recordId) => ({ recordId, stage, reviewer: ctx.actor, decision: body.decision, reasons, note: body.note ?? null, labels: body.labels })),
      ctx,
    );
    // Applied now, so the reviewer's next request already sees it; the retrain it triggers runs in the worker.
    await p.sync();
    return reply.code(201).send({ decisions: stored, recordedReason: reasons[0] ?? null });
  });

  app.get("/api/projects/:id/screening/:stage/status", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const st = (await screening(id)).stage(stage);
    const conflictIds = st.inRecordOrder([...st.conflicts]);
    const conflicts = await Promise.all(
      conflictIds.map(async (recordId) => {
        const s = st.status.get(recordId) as Extract<RecordStatus, { state: "conflict" }>;
        return { recordId, title: (await store.get(id, "records", recordId)).title, decisions: s.decisions };
      }),
    );
    const last = st.prio.last;
    // How current the ranking is: the decisions it learned from and what its retrain took.
    const prioritisation = { ranked: st.prio.ranked, retraining: st.prio.busy, rankings: st.prio.rankings, labelled: last?.labelled ?? 0, retrainMs: last ? Math.round(last.ms) : null };
    return { stage, mode: st.mode, records: st.total, counts: { ...st.counts }, conflicts, prioritisation };
  });

  app.post("/api/projects/:id/screening/:stage/reconciliations", async (req, reply) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const body = parseInput(ReconcileBody, req.body, "reconciliation");
    const ctx = actor(req);
    const p = await screening(id);
    const st = p.stage(stage);
    const status = inStage(st, body.recordId, stage);
    const rec = { reviewer: ctx.actor, verdict: body.decision, reasons: body.reasons, reason: body.reason };
    validateReconciliation(stage, status, rec, await reasonRanking(id, stage));
    // Like a decision, the resolution covers the duplicates that share the conflict.
    const targets = p.groupMembers(body.recordId).filter((r) => st.status.get(r)?.state === "conflict");
    const stored = await store.insert(
      id,
      "reconciliations",
      targets.map((recordId) => ({ recordId, stage, decision: body.decision, reasons: body.reasons, resolvedBy: ctx.actor, reason: body.reason })),
      ctx,
    );
    await p.sync();
    return reply.code(201).send(stored);
  });

  app.get("/api/projects/:id/screening/:stage/agreement", async (req) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const st = (await screening(id)).stage(stage);
    // Each reviewer's latest decision per record, over records both of a pair decided.
    const pairs = new Map<string, { first: string[]; second: string[] }>();
    for (const [rid, ds] of st.decisions) {
      if (!st.members.has(rid)) continue;
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
    const st = (await screening(id)).stage(stage);
    // The screening sequence: settled records in the order they were first decided.
    const labels: number[] = [];
    for (const rid of st.decidedOrder()) {
      const s = st.status.get(rid);
      if (s && (s.state === "decided" || s.state === "reconciled")) labels.push(advances(s.verdict) ? 1 : 0);
    }
    return stoppingEstimate(labels, st.total, q);
  });

  app.post("/api/projects/:id/screening/:stage/qa-samples", async (req, reply) => {
    const { id, stage } = parseInput(Params, req.params, "path");
    const body = parseInput(QaBody, req.body ?? {}, "QA sample");
    const ctx = actor(req);
    const st = (await screening(id)).stage(stage);
    // Single-screened excludes: settled as exclude by one reviewer's decision.
    const pool = st.memberIds((r) => {
      const s = st.status.get(r)!;
      return st.needed(r) === 1 && s.state === "decided" && s.verdict === "exclude";
    });
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
