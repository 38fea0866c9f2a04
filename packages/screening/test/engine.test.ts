import { describe, expect, it } from "vitest";
import type { QaSample } from "@homeward/model";
import {
  eventsOfAuditEntry,
  projectEvents,
  qaReview,
  Random,
  screeningAccess,
  ScreeningEngine,
  stoppingEstimate,
  type DecisionEvent,
  type ReconciliationEvent,
  type ScreeningEvent,
  type SettingsEvent,
  type Stage,
  type Verdict,
} from "@homeward/screening";

const T0 = Date.UTC(2026, 0, 1);
const iso = (k: number) => new Date(T0 + k * 1000).toISOString();
const TA: Stage = "title_abstract";
const FT: Stage = "full_text";
const MIN = 60_000;

/** Builds events with increasing ids and times, as a store would. */
class Log {
  private k = 0;
  readonly events: ScreeningEvent[] = [];
  decision(recordId: string, reviewer: string, verdict: Verdict, stage: Stage = TA, reasons: string[] = []): DecisionEvent {
    const k = ++this.k;
    const decision = { id: `d${String(k).padStart(5, "0")}`, recordId, stage, reviewer, decision: verdict, reasons, at: iso(k) };
    this.events.push({ type: "decision", decision });
    return decision;
  }
  reconcile(recordId: string, by: string, verdict: Verdict, stage: Stage = TA): ReconciliationEvent {
    const k = ++this.k;
    const reconciliation = { id: `c${String(k).padStart(5, "0")}`, recordId, stage, resolvedBy: by, decision: verdict, reasons: [], reason: "settled", at: iso(k) };
    this.events.push({ type: "reconciliation", reconciliation });
    return reconciliation;
  }
  settings(stage: Stage, mode: SettingsEvent["mode"], dualFraction: number | null = null, id = `s-${stage}`): SettingsEvent {
    const settings = { id, stage, mode, dualFraction, updatedAt: iso(++this.k) };
    this.events.push({ type: "settings", settings });
    return settings;
  }
  record(id: string, group: string | null = null): void {
    this.events.push({ type: "record.added", record: { id, text: `text of ${id}`, group } });
  }
  sample(stage: Stage, recordIds: string[], checker: string | null = null): QaSample {
    const k = ++this.k;
    const sample: QaSample = {
      id: `q${k}`,
      stage,
      reviewer: null,
      decision: "exclude",
      recordIds,
      method: "random",
      fraction: 0.1,
      seed: 1,
      checker,
      status: "open",
      createdBy: "ana",
      createdAt: iso(k),
    };
    this.events.push({ type: "qa.sample", sample });
    return sample;
  }
  /** Applies what was logged since the last call. */
  flush(engine: ScreeningEngine, from = { n: 0 }): void {
    expect(engine.applyAll(this.events.slice(from.n))).toBe(true);
    from.n = this.events.length;
  }
}

const ids = (n: number, prefix = "r") => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, "0")}`);

function engineWith(records: string[], build: (log: Log) => void = () => {}): { engine: ScreeningEngine; log: Log } {
  const log = new Log();
  for (const id of records) log.record(id);
  build(log);
  const engine = new ScreeningEngine();
  log.flush(engine);
  return { engine, log };
}

describe("record status, every branch", () => {
  it("unscreened, awaiting a second reviewer, decided, conflict, reconciled; outside the stage", () => {
    const { engine, log } = engineWith(ids(6), (l) => l.settings(TA, "dual"));
    const ta = engine.stage(TA);
    expect(ta.statusOf("r000")).toEqual({ state: "unscreened" });
    log.decision("r001", "ana", "include");
    log.decision("r002", "ana", "include");
    log.decision("r002", "ben", "maybe");
    log.decision("r003", "ana", "exclude", TA, ["population"]);
    log.decision("r003", "ben", "exclude", TA, ["design"]);
    log.decision("r004", "ana", "include");
    log.decision("r004", "ben", "exclude");
    log.decision("r005", "ana", "include");
    log.decision("r005", "ben", "exclude");
    log.reconcile("r005", "carl", "exclude");
    log.flush(engine, { n: 7 });
    expect(ta.statusOf("r001")).toEqual({ state: "awaiting_second", decided: ["ana"] });
    // Agreeing to go on: include wins over maybe.
    expect(ta.statusOf("r002")).toEqual({ state: "decided", verdict: "include", reasons: [] });
    // Agreeing excludes keep every reason given.
    expect(ta.statusOf("r003")).toEqual({ state: "decided", verdict: "exclude", reasons: ["population", "design"] });
    expect(ta.statusOf("r004")).toMatchObject({ state: "conflict" });
    expect(ta.statusOf("r005")).toEqual({ state: "reconciled", verdict: "exclude", reasons: [], by: "carl", reason: "settled" });
    expect(ta.counts).toEqual({ unscreened: 1, awaiting_second: 1, decided: 2, conflict: 1, reconciled: 1, include: 1, exclude: 2, maybe: 0 });
    expect(engine.status(TA).conflicts.map((c) => c.recordId)).toEqual(["r004"]);
    // Not sent on to full text: no status there.
    expect(engine.stage(FT).statusOf("r003")).toBeUndefined();
    expect(() => engine.stage(FT).requireStatus("r003")).toThrow(expect.objectContaining({ status: 404 }));
  });

  it("counts each reviewer's latest decision; include against maybe conflicts at full text only", () => {
    const { engine, log } = engineWith(ids(2), (l) => {
      l.settings(TA, "dual");
      l.settings(FT, "dual");
      l.decision("r000", "ana", "exclude");
      l.decision("r000", "ben", "include");
      l.decision("r000", "ana", "include");
      l.decision("r001", "ana", "include");
      l.decision("r001", "ben", "maybe");
    });
    expect(engine.stage(TA).statusOf("r000")).toMatchObject({ state: "decided", verdict: "include" });
    expect(engine.stage(TA).statusOf("r001")).toMatchObject({ state: "decided", verdict: "include" });
    log.decision("r000", "ana", "include", FT);
    log.decision("r000", "ben", "maybe", FT);
    log.flush(engine, { n: log.events.length - 2 });
    expect(engine.stage(FT).statusOf("r000")).toMatchObject({ state: "conflict" });
  });

  it("applies a decision once however often it arrives, and in time order whatever order it arrives in", () => {
    const { engine, log } = engineWith(ids(1));
    const late = log.decision("r000", "ana", "include");
    const early = { ...log.decision("r000", "ana", "exclude"), at: iso(-5) };
    const ta = engine.stage(TA);
    expect(engine.apply({ type: "decision", decision: late })).toBe(true);
    expect(engine.apply({ type: "decision", decision: early })).toBe(true);
    expect(engine.apply({ type: "decision", decision: late })).toBe(true);
    expect(ta.statusOf("r000")).toMatchObject({ state: "decided", verdict: "include" });
    expect(ta.counts.decided).toBe(1);
    expect(ta.decisionsOf("r000").map((d) => d.verdict)).toEqual(["exclude", "include"]);
  });

  it("refuses events about records it does not know, changing nothing", () => {
    const { engine, log } = engineWith(ids(1));
    const d = new Log().decision("nope", "ana", "include");
    expect(engine.apply({ type: "decision", decision: d })).toBe(false);
    expect(engine.apply({ type: "record.grouped", recordId: "nope", group: "g" })).toBe(false);
    expect(engine.stage(TA).counts.decided).toBe(0);
    expect(log.events).toHaveLength(1);
  });
});

describe("assignment modes", () => {
  it("dual-then-single: the first share of decided records need two reviewers, and the cut moves with the stage's size", () => {
    const { engine, log } = engineWith(ids(10), (l) => l.settings(TA, "dual_then_single", 0.2));
    const ta = engine.stage(TA);
    for (const id of ["r005", "r006", "r007"]) log.decision(id, "ana", "exclude");
    log.flush(engine, { n: 11 });
    // ⌈0.2 × 10⌉ = 2: the first two decided wait for a second reviewer, the third is decided.
    expect([ta.needed("r005"), ta.needed("r006"), ta.needed("r007")]).toEqual([2, 2, 1]);
    expect(ta.statusOf("r007")).toMatchObject({ state: "decided" });
    expect(ta.counts.awaiting_second).toBe(2);
    // Five more records: ⌈0.2 × 15⌉ = 3, so the third decided now needs a second reviewer too.
    for (const id of ids(5, "n")) engine.apply({ type: "record.added", record: { id, text: "", group: null } });
    expect(ta.needed("r007")).toBe(2);
    expect(ta.statusOf("r007")).toEqual({ state: "awaiting_second", decided: ["ana"] });
    expect(ta.counts).toMatchObject({ awaiting_second: 3, decided: 0 });
    // Records not yet decided are placed after those decided: single once past the cut.
    expect(ta.needed("r000")).toBe(1);
    // Back to single screening: everything decided by one reviewer is settled.
    log.settings(TA, "single", null, "s-later");
    log.flush(engine, { n: log.events.length - 1 });
    expect(ta.mode).toEqual({ kind: "single" });
    expect(ta.counts).toMatchObject({ awaiting_second: 0, decided: 3, exclude: 3 });
  });

  it("follows the full-text stage's size as records leave it", () => {
    const { engine, log } = engineWith(ids(4), (l) => {
      l.settings(FT, "dual_then_single", 0.5);
      for (const id of ids(4)) l.decision(id, "ana", "include");
      l.decision("r000", "ben", "exclude", FT, ["design"]);
      l.decision("r001", "ben", "exclude", FT, ["design"]);
    });
    const ft = engine.stage(FT);
    expect(ft.total).toBe(4);
    // ⌈0.5 × 4⌉ = 2: both need a second reviewer.
    expect(ft.counts.awaiting_second).toBe(2);
    // Title/abstract changes its mind on two records: they leave full text, ⌈0.5 × 2⌉ = 1.
    log.decision("r002", "ana", "exclude");
    log.decision("r003", "ana", "exclude");
    log.flush(engine, { n: log.events.length - 2 });
    expect(ft.total).toBe(2);
    expect(ft.statusOf("r002")).toBeUndefined();
    expect(ft.statusOf("r001")).toMatchObject({ state: "decided", verdict: "exclude" });
    expect(ft.counts).toMatchObject({ awaiting_second: 1, decided: 1 });
  });

  it("takes the most recently updated settings of the stage; removing them falls back to the others", () => {
    const { engine, log } = engineWith(ids(1), (l) => {
      l.settings(TA, "dual", null, "a");
      l.settings(TA, "dual_then_single", 0.4, "b");
    });
    expect(engine.stage(TA).mode).toEqual({ kind: "dual_then_single", dualShare: 0.4 });
    expect(engine.stage(FT).mode).toEqual({ kind: "single" });
    engine.apply({ type: "settings.removed", id: "b" });
    expect(engine.stage(TA).mode).toEqual({ kind: "dual" });
    expect(log.events).toHaveLength(3);
  });
});

describe("admission to full text", () => {
  it("admits include and maybe outcomes, not excludes or conflicts; a changed outcome takes the record out again", () => {
    const { engine, log } = engineWith(ids(5), (l) => {
      l.settings(TA, "dual");
      l.decision("r000", "ana", "include");
      l.decision("r000", "ben", "include");
      l.decision("r001", "ana", "maybe");
      l.decision("r001", "ben", "maybe");
      l.decision("r002", "ana", "exclude");
      l.decision("r002", "ben", "exclude");
      l.decision("r003", "ana", "include");
      l.decision("r003", "ben", "exclude");
      l.decision("r004", "ana", "include");
    });
    expect(["r000", "r001", "r002", "r003", "r004"].map((id) => engine.admittedToFullText(id))).toEqual([true, true, false, false, false]);
    log.reconcile("r003", "carl", "include");
    log.decision("r001", "ben", "exclude");
    log.flush(engine, { n: log.events.length - 2 });
    expect(engine.admittedToFullText("r003")).toBe(true);
    // ana's maybe against ben's exclude is now a conflict: out of full text until settled.
    expect(engine.admittedToFullText("r001")).toBe(false);
    expect(engine.stage(FT).memberIds()).toEqual(["r000", "r003"]);
  });

  it("asks for the text of admitted records when the full-text model learns from texts", () => {
    const taught: string[] = [];
    const model = {
      ranked: false,
      rows: new Set<string>(),
      has(id: string) {
        return this.rows.has(id);
      },
      addRecord(id: string, text: string) {
        taught.push(`${id}: ${text}`);
        this.rows.add(id);
        return true;
      },
      setDecision: () => false,
      next(skip?: (id: string) => boolean) {
        for (const id of this.rows) if (!skip?.(id)) return id;
        return null;
      },
    };
    const engine = new ScreeningEngine({ ranking: { full_text: model } });
    const log = new Log();
    log.record("r000");
    log.record("r001");
    log.decision("r000", "ana", "include");
    log.flush(engine);
    expect(engine.textsWanted()).toEqual(["r000"]);
    // Until its text is given the model cannot serve it; import order can.
    expect(engine.candidate(FT, "ben", { now: 0 })).toBeNull();
    expect(engine.candidate(FT, "ben", { now: 0, prioritise: false })?.recordId).toBe("r000");
    engine.apply({ type: "record.text", recordId: "r000", text: "kinship care" });
    expect(engine.textsWanted()).toEqual([]);
    expect(taught).toEqual(["r000: kinship care"]);
    expect(engine.candidate(FT, "ben", { now: 0 })?.recordId).toBe("r000");
  });
});

describe("serving and leases", () => {
  it("holds a served record for its reviewer until it expires, and serves it again on asking again", () => {
    const { engine } = engineWith(ids(3));
    const now = T0;
    const a = engine.next(TA, "ana", { now, ttlMs: 10 * MIN });
    const b = engine.next(TA, "ben", { now, ttlMs: 10 * MIN });
    expect(a).toBe("r000");
    expect(b).toBe("r001");
    // A reload: the same record.
    expect(engine.next(TA, "ana", { now: now + MIN, ttlMs: 10 * MIN })).toBe("r000");
    // carl is not given records others hold...
    expect(engine.next(TA, "carl", { now: now + 2 * MIN, ttlMs: 10 * MIN })).toBe("r002");
    // ...until their leases run out (ana renewed hers at +1 min).
    expect(engine.candidate(TA, "dee", { now: now + 10 * MIN })?.recordId).toBe("r001");
    expect(engine.candidate(TA, "dee", { now: now + 11 * MIN })?.recordId).toBe("r000");
    expect(engine.stage(TA).leasesAt(now + 11 * MIN).map((l) => l.reviewer)).toEqual(["carl"]);
    engine.apply({ type: "leases.expired", now: now + 11 * MIN });
    expect(engine.stage(TA).leasesAt(0).map((l) => l.reviewer)).toEqual(["carl"]);
    // An expired hold is not served again as held: ben gets the best open record.
    expect(engine.next(TA, "ben", { now: now + 20 * MIN, ttlMs: 10 * MIN })).toBe("r000");
  });

  it("ends a hold when its reviewer decides, and serves nothing (holding nothing) when nothing is left", () => {
    const { engine, log } = engineWith(ids(2));
    expect(engine.next(TA, "ana", { now: 0, ttlMs: MIN })).toBe("r000");
    log.decision("r000", "ana", "include");
    log.flush(engine, { n: 2 });
    expect(engine.stage(TA).heldBy("ana", 1)).toBeUndefined();
    expect(engine.next(TA, "ana", { now: 1, ttlMs: MIN })).toBe("r001");
    log.decision("r001", "ana", "exclude");
    log.flush(engine, { n: 3 });
    expect(engine.next(TA, "ana", { now: 2, ttlMs: MIN })).toBeNull();
    expect(engine.stage(TA).leasesAt(2)).toEqual([]);
  });

  it("lets two reviewers hold a record in dual screening, not three; a lease of someone who decided takes no place", () => {
    const { engine, log } = engineWith(ids(1), (l) => l.settings(TA, "dual"));
    expect(engine.next(TA, "ana", { now: 0, ttlMs: MIN })).toBe("r000");
    expect(engine.candidate(TA, "ben", { now: 0 })).toEqual({ recordId: "r000", key: "r000", capacity: 2, decided: [] });
    expect(engine.next(TA, "ben", { now: 0, ttlMs: MIN })).toBe("r000");
    expect(engine.next(TA, "carl", { now: 0, ttlMs: MIN })).toBeNull();
    // ana decides; the store still lists a lease of hers (written by another server, say).
    log.decision("r000", "ana", "include");
    log.flush(engine, { n: 2 });
    engine.apply({ type: "leases", stage: TA, leases: [{ key: "r000", recordId: "r000", reviewer: "ana", expiresAt: MIN }] });
    expect(engine.candidate(TA, "carl", { now: 0 })).toEqual({ recordId: "r000", key: "r000", capacity: 1, decided: ["ana"] });
    expect(engine.candidate(TA, "ana", { now: 0 })).toBeNull();
  });

  it("holds a duplicate group as one: no two reviewers screen copies of one report at once", () => {
    const log = new Log();
    log.record("r000", "g");
    log.record("r001", "g");
    log.record("r002");
    const engine = new ScreeningEngine();
    log.flush(engine);
    expect(engine.groupMembers("r001")).toEqual(["r000", "r001"]);
    expect(engine.decisionTargets("r001")).toEqual(["r000", "r001"]);
    expect(engine.next(TA, "ana", { now: 0, ttlMs: MIN })).toBe("r000");
    expect(engine.next(TA, "ben", { now: 0, ttlMs: MIN })).toBe("r002");
    expect(engine.stage(TA).heldBy("ana", 0)).toMatchObject({ key: "g", recordId: "r000" });
  });

  it("learns leases from whoever hands records out: all of a stage's, or one key's, replacing what it knew", () => {
    const { engine } = engineWith(ids(3));
    const lease = (reviewer: string, recordId: string, expiresAt = MIN) => ({ key: recordId, recordId, reviewer, expiresAt });
    engine.apply({ type: "leases", stage: TA, leases: [lease("ana", "r000"), lease("ben", "r001")] });
    expect(engine.candidate(TA, "carl", { now: 0 })?.recordId).toBe("r002");
    // A restart: ana's lease, read from the store, serves her the same record.
    expect(engine.candidate(TA, "ana", { now: 0 })?.recordId).toBe("r000");
    engine.apply({ type: "leases", stage: TA, key: "r001", leases: [] });
    expect(engine.candidate(TA, "carl", { now: 0 })?.recordId).toBe("r001");
    engine.apply({ type: "leases", stage: TA, leases: [] });
    expect(engine.candidate(TA, "carl", { now: 0 })?.recordId).toBe("r000");
    engine.apply({ type: "lease.granted", stage: TA, lease: lease("ben", "r000") });
    engine.apply({ type: "lease.granted", stage: TA, lease: lease("ben", "r002") });
    // One hold per reviewer: ben's second lease replaced the first.
    expect(engine.stage(TA).leasesAt(0).map((l) => l.recordId)).toEqual(["r002"]);
    engine.apply({ type: "lease.released", stage: TA, reviewer: "ben" });
    expect(engine.stage(TA).leasesAt(0)).toEqual([]);
    // Skipped records are not offered (tried already elsewhere).
    expect(engine.candidate(TA, "carl", { now: 0, skip: new Set(["r000"]) })?.recordId).toBe("r001");
  });

  it("counts what each reviewer has left, and serves in import order when prioritisation is off", () => {
    const { engine, log } = engineWith(ids(4), (l) => l.settings(TA, "dual"));
    log.decision("r000", "ana", "include");
    log.decision("r001", "ana", "exclude");
    log.flush(engine, { n: 5 });
    expect(engine.stage(TA).remaining("ana")).toBe(2);
    expect(engine.stage(TA).remaining("ben")).toBe(4);
    expect(engine.candidate(TA, "ana", { now: 0, prioritise: false })?.recordId).toBe("r002");
    expect(engine.candidate(TA, "ben", { now: 0, prioritise: false })).toMatchObject({ recordId: "r000", capacity: 1, decided: ["ana"] });
  });
});

describe("agreement, stopping, QA", () => {
  it("pairs reviewers over the records both decided (latest decisions, records in the stage)", () => {
    const { engine, log } = engineWith(ids(4), (l) => {
      l.settings(TA, "dual");
      l.decision("r000", "ben", "include");
      l.decision("r000", "ana", "include");
      l.decision("r001", "ana", "exclude");
      l.decision("r001", "ben", "exclude");
      l.decision("r002", "ana", "exclude");
      l.decision("r002", "carl", "exclude");
      l.decision("r003", "ana", "include");
    });
    const ag = engine.agreement(TA);
    expect(ag.byPair.map((p) => [p.reviewers, p.n])).toEqual([
      [["ana", "ben"], 2],
      [["ana", "carl"], 1],
    ]);
    expect(ag.byPair[0].percent).toBe(1);
    expect(ag.byPair[0].kappa).toBe(1);
    expect(ag.overall?.n).toBe(3);
    // One category only: kappa is undefined, sent as null.
    expect(ag.byPair[1]).toMatchObject({ kappa: null, kappaSe: null, kappaCi: [null, null] });
    // A changed mind counts as the latest decision.
    log.decision("r000", "ben", "exclude");
    log.flush(engine, { n: log.events.length - 1 });
    expect(engine.agreement(TA).byPair[0].percent).toBe(0.5);
    expect(engine.agreement(FT)).toEqual({ stage: FT, overall: null, byPair: [] });
  });

  it("builds the stopping sequence from settled records in the order they were first decided", () => {
    const { engine } = engineWith(ids(6), (l) => {
      l.settings(TA, "dual");
      l.decision("r003", "ana", "exclude");
      l.decision("r001", "ana", "include");
      l.decision("r001", "ben", "include");
      l.decision("r003", "ben", "exclude");
      l.decision("r004", "ana", "include");
      l.decision("r000", "ana", "include");
      l.decision("r000", "ben", "exclude");
      l.decision("r005", "ana", "maybe");
      l.decision("r005", "ben", "include");
      l.reconcile("r000", "carl", "exclude");
    });
    // r003 (exclude), r001 (include), r004 awaiting (left out), r000 (reconciled exclude), r005 (include).
    expect(engine.stage(TA).decidedOrder()).toEqual(["r003", "r001", "r004", "r000", "r005"]);
    expect(engine.stoppingSequence(TA)).toEqual([0, 1, 0, 1]);
    expect(engine.stopping(TA, { recallTarget: 0.9 })).toEqual(stoppingEstimate([0, 1, 0, 1], 6, { recallTarget: 0.9 }));
  });

  it("samples QA from single-screened excludes only, in record order", () => {
    const { engine, log } = engineWith(ids(6), (l) => {
      l.settings(TA, "dual_then_single", 0.2);
      l.decision("r005", "ana", "exclude");
      l.decision("r004", "ana", "exclude");
      l.decision("r003", "ana", "exclude");
      l.decision("r002", "ana", "include");
      l.decision("r001", "ana", "exclude");
    });
    // ⌈0.2 × 6⌉ = 2: r005 and r004 were dual-screened (awaiting a second reviewer).
    expect(engine.qaPool(TA)).toEqual(["r001", "r003"]);
    log.decision("r005", "ben", "exclude");
    log.flush(engine, { n: log.events.length - 1 });
    expect(engine.qaPool(TA)).toEqual(["r001", "r003"]);
  });

  it("matches each sampled record's original decision and the senior re-check", () => {
    const { engine, log } = engineWith(ids(4), (l) => {
      for (const id of ids(4)) l.decision(id, "ana", "exclude");
    });
    const sample = log.sample(TA, ["r000", "r001", "r002", "r003"], "senior");
    log.decision("r000", "senior", "exclude");
    log.decision("r001", "senior", "include");
    log.decision("r002", "carl", "include");
    log.decision("r003", "senior", "maybe");
    log.decision("r003", "senior", "exclude");
    log.flush(engine, { n: 8 });
    const [view] = engine.qaSamples(TA, (id) => `title ${id}`);
    expect(view.items.map((it) => [it.title, it.original?.decision, it.check?.decision ?? null])).toEqual([
      ["title r000", "exclude", "exclude"],
      ["title r001", "exclude", "include"],
      // Someone other than the named checker is not the check.
      ["title r002", "exclude", null],
      // The latest re-check counts.
      ["title r003", "exclude", "exclude"],
    ]);
    expect(view.checked).toBe(3);
    expect(view.agreement?.percent).toBeCloseTo(2 / 3, 12);
    // With no checker named, anyone but the original reviewer checks.
    const open = qaReview({ ...sample, checker: null }, (id) => engine.stage(TA).decisionsOf(id), () => "");
    expect(open.items[2].check?.reviewer).toBe("carl");
    expect(open.checked).toBe(4);
    engine.apply({ type: "qa.sample.removed", id: sample.id });
    expect(engine.qaSamples(TA)).toEqual([]);
  });

  it("finds the records a reconciliation settles, and refuses one of a record not in conflict", () => {
    const log = new Log();
    log.record("r000", "g");
    log.record("r001", "g");
    log.record("r002");
    log.settings(TA, "dual");
    for (const id of ["r000", "r001", "r002"]) {
      log.decision(id, "ana", "include");
      log.decision(id, "ben", id === "r002" ? "include" : "exclude");
    }
    const engine = new ScreeningEngine();
    log.flush(engine);
    const rec = { reviewer: "carl", verdict: "include" as const, reason: "eligible" };
    expect(engine.reconciliationPlan(TA, "r001", rec, PROTOCOL)).toEqual({ recordIds: ["r000", "r001"], reasons: [], recorded: null });
    expect(() => engine.reconciliationPlan(TA, "r002", rec, PROTOCOL)).toThrow(/only a conflict/);
    expect(() => engine.reconciliationPlan(TA, "r001", { ...rec, reason: " " }, PROTOCOL)).toThrow(/reason/);
    expect(() => engine.reconciliationPlan(FT, "r001", rec, PROTOCOL)).toThrow(/not in the full\/text stage/);
    const excl = engine.reconciliationPlan(TA, "r001", { ...rec, verdict: "exclude", reasons: ["outcomes", "population"] }, PROTOCOL);
    expect(excl.reasons).toEqual(["population", "outcomes"]);
  });
});

/** Exclusion reasons as a protocol ranks them (the model's rule orders them). */
const PROTOCOL = {
  exclusionReasons: [
    { code: "outcomes", label: "Outcomes not relevant", rank: 6, stage: "any" as const },
    { code: "population", label: "Population", rank: 1, stage: "any" as const },
    { code: "retrieval", label: "Full text unavailable", rank: 8, stage: FT },
  ],
};

describe("decisions as written", () => {
  it("covers the duplicate group, ranks the reasons by the protocol and checks the workflow's rules", () => {
    const log = new Log();
    log.record("r000", "g");
    log.record("r001", "g");
    const engine = new ScreeningEngine();
    log.flush(engine);
    expect(engine.decisionPlan(TA, "r001", { reviewer: "ana", verdict: "include" }, PROTOCOL)).toEqual({ recordIds: ["r000", "r001"], reasons: [], recorded: null });
    const plan = engine.decisionPlan(FT, "r001", { reviewer: "ana", verdict: "exclude", reasons: ["retrieval", "outcomes", "population", "outcomes"] }, PROTOCOL);
    expect(plan).toMatchObject({ reasons: ["population", "outcomes", "retrieval"], recorded: "population" });
    expect(() => engine.decisionPlan(FT, "r000", { reviewer: "ana", verdict: "exclude" }, PROTOCOL)).toThrow(/needs a reason/);
    expect(() => engine.decisionPlan(TA, "r000", { reviewer: "ana", verdict: "include", reasons: ["population"] }, PROTOCOL)).toThrow(/exclude verdict/);
    // A full-text reason is not one of title/abstract's.
    expect(() => engine.decisionPlan(TA, "r000", { reviewer: "ana", verdict: "exclude", reasons: ["retrieval"] }, PROTOCOL)).toThrow(/not one of the protocol's/);
    // A record the engine does not know is decided alone (the store says whether it exists).
    expect(engine.decisionPlan(TA, "zz", { reviewer: "ana", verdict: "maybe" }, PROTOCOL).recordIds).toEqual(["zz"]);
  });
});

describe("the reload path", () => {
  /**
   * A random review: records (some grouped later), settings changing mode,
   * decisions by four reviewers at both stages, reconciliations of
   * conflicts, QA samples. The same log is applied event by event (as the
   * server follows the audit log) and rebuilt from the data it leaves (as
   * the server reloads a project): every query agrees.
   */
  function randomReview(seed: number) {
    const rnd = new Random(seed);
    const log = new Log();
    const incremental = new ScreeningEngine();
    const records: { id: string; title: string; abstract: string; duplicateGroupId: string | null }[] = [];
    const decisions: DecisionEvent[] = [];
    const reconciliations: ReconciliationEvent[] = [];
    const settings = new Map<string, SettingsEvent>();
    const samples: QaSample[] = [];
    const from = { n: 0 };
    /** Records seen in each state at some step (TA). */
    const reached = { unscreened: 0, awaiting_second: 0, decided: 0, conflict: 0, reconciled: 0 };
    const reviewers = ["ana", "ben", "carl", "dee"];
    const verdicts: Verdict[] = ["include", "exclude", "exclude", "maybe"];
    const modes = [
      ["single", null],
      ["dual", null],
      ["dual_then_single", 0.3],
    ] as const;
    const first = log.settings(TA, "dual_then_single", 0.3, "s0-title_abstract");
    settings.set(first.id, first);
    for (let step = 0; step < 400; step++) {
      const roll = rnd.int(100);
      if (roll < 30 || records.length < 5) {
        const id = `r${records.length}`;
        records.push({ id, title: `t${id}`, abstract: "", duplicateGroupId: null });
        log.events.push({ type: "record.added", record: { id, text: `t${id} `, group: null } });
      } else if (roll < 33) {
        const r = records[rnd.int(records.length)];
        r.duplicateGroupId = rnd.int(3) ? `g${rnd.int(4)}` : null;
        log.events.push({ type: "record.grouped", recordId: r.id, group: r.duplicateGroupId });
      } else if (roll < 34) {
        const [mode, share] = modes[rnd.int(3)];
        const stage = rnd.int(2) ? TA : FT;
        const s = log.settings(stage, mode, share, `s${rnd.int(2)}-${stage}`);
        settings.set(s.id, s);
      } else if (roll < 38) {
        const stage = rnd.int(2) ? TA : FT;
        const conflicts = incremental.status(stage).conflicts;
        if (conflicts.length) reconciliations.push(log.reconcile(conflicts[rnd.int(conflicts.length)].recordId, "eve", verdicts[rnd.int(4)], stage));
      } else if (roll < 40) {
        samples.push(log.sample(rnd.int(2) ? TA : FT, [records[rnd.int(records.length)].id], rnd.int(2) ? "eve" : null));
      } else {
        const stage = rnd.int(3) ? TA : FT;
        const pool = stage === TA ? records.map((r) => r.id) : incremental.stage(FT).memberIds();
        if (pool.length) decisions.push(log.decision(pool[rnd.int(pool.length)], reviewers[rnd.int(4)], verdicts[rnd.int(4)], stage));
      }
      log.flush(incremental, from);
      for (const id of incremental.textsWanted()) incremental.apply({ type: "record.text", recordId: id, text: "" });
      for (const state of Object.keys(reached) as (keyof typeof reached)[]) reached[state] = Math.max(reached[state], incremental.stage(TA).counts[state]);
    }
    const data = { records, decisions, reconciliations, settings: [...settings.values()], qaSamples: samples };
    return { incremental, data, log, reached };
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])("gives the same state event by event as rebuilt from the data (seed %i)", (seed) => {
    const { incremental, data, reached } = randomReview(seed);
    const rebuilt = ScreeningEngine.fromProject(data);
    expect(rebuilt.snapshot(0)).toEqual(incremental.snapshot(0));
    // The review went through every kind of state.
    for (const [state, n] of Object.entries(reached)) expect(n, state).toBeGreaterThan(0);
    expect(incremental.stage(FT).total).toBeGreaterThan(0);
    for (const stage of [TA, FT]) {
      expect(rebuilt.agreement(stage)).toEqual(incremental.agreement(stage));
      for (const reviewer of ["ana", "ben", "zoe"]) {
        expect(rebuilt.stage(stage).remaining(reviewer)).toBe(incremental.stage(stage).remaining(reviewer));
        const a = rebuilt.candidate(stage, reviewer, { now: 0 })?.recordId ?? null;
        const b = incremental.candidate(stage, reviewer, { now: 0 })?.recordId ?? null;
        // Title/abstract serves in record order either way; full text in the order records were admitted, which a rebuild changes.
        if (stage === TA) expect(a).toBe(b);
        else if (a === null || b === null) expect(a).toBe(b);
        else expect([rebuilt.stage(FT).openFor(b, reviewer, 0), incremental.stage(FT).openFor(a, reviewer, 0)]).toEqual([true, true]);
      }
    }
  });

  it("replays the same events to the same state, and orders a reload's events settings, records, then each stage", () => {
    const { incremental, data, log } = randomReview(9);
    const replayed = new ScreeningEngine();
    expect(replayed.applyAll(log.events)).toBe(true);
    for (const id of replayed.textsWanted()) replayed.apply({ type: "record.text", recordId: id, text: "" });
    expect(replayed.snapshot(0)).toEqual(incremental.snapshot(0));
    const kinds = projectEvents(data).map((e) => (e.type === "decision" ? `decision.${e.decision.stage}` : e.type === "reconciliation" ? `reconciliation.${e.reconciliation.stage}` : e.type));
    const order = ["settings", "record.added", "decision.title_abstract", "reconciliation.title_abstract", "decision.full_text", "reconciliation.full_text", "qa.sample"];
    expect(kinds.map((k) => order.indexOf(k))).toEqual([...kinds.map((k) => order.indexOf(k))].sort((a, b) => a - b));
  });
});

describe("the audit log as events", () => {
  const entry = (action: string, entity: string, after: unknown, entityId: string | null = null) => ({ action, entity, entityId, after });
  it("reads whole entities as events, says when it cannot, and ignores the rest", () => {
    const d = { id: "d1", recordId: "r1", stage: TA, reviewer: "ana", decision: "include", reasons: [], note: null, labels: [], at: iso(1) };
    expect(eventsOfAuditEntry(entry("screeningDecisions.create", "screeningDecisions", d))).toEqual([{ type: "decision", decision: d }]);
    // A bulk write is logged as a summary: no entities to apply.
    expect(eventsOfAuditEntry(entry("screeningDecisions.create", "screeningDecisions", { count: 60, ids: [] }))).toBeNull();
    const rec = { id: "r1", title: "Kinship", abstract: "care", duplicateGroupId: "g1" };
    expect(eventsOfAuditEntry(entry("records.create", "records", rec))).toEqual([{ type: "record.added", record: { id: "r1", text: "Kinship care", group: "g1" } }]);
    expect(eventsOfAuditEntry(entry("records.update", "records", rec))).toEqual([{ type: "record.grouped", recordId: "r1", group: "g1" }]);
    expect(eventsOfAuditEntry(entry("screeningSettings.remove", "screeningSettings", null, "s1"))).toEqual([{ type: "settings.removed", id: "s1" }]);
    expect(eventsOfAuditEntry(entry("qaSamples.remove", "qaSamples", null, "q1"))).toEqual([{ type: "qa.sample.removed", id: "q1" }]);
    expect(eventsOfAuditEntry(entry("studies.create", "studies", { id: "s1" }))).toEqual([]);
    expect(eventsOfAuditEntry(entry("protocol.update", "protocol", {}))).toEqual([]);
  });
});

describe("duplicate groups: the primary stands for its group", () => {
  it("screens and counts only the primary the store names; the copies follow its decisions", () => {
    const log = new Log();
    // Seven reports, ten records: group g holds three copies, h two; the store names r002 and r005 primaries.
    log.events.push({ type: "group", group: { id: "g", primaryRecordId: "r002" } });
    log.events.push({ type: "group", group: { id: "h", primaryRecordId: "r005" } });
    for (const [id, g] of [["r000", "g"], ["r001", null], ["r002", "g"], ["r003", "g"], ["r004", "h"], ["r005", "h"], ["r006", null], ["r007", null], ["r008", null], ["r009", null]] as const)
      log.record(id, g);
    log.settings(TA, "dual");
    const engine = new ScreeningEngine();
    log.flush(engine);
    expect(engine.status(TA).records).toBe(7);
    expect(engine.stage(TA).memberIds()).toEqual(["r001", "r002", "r005", "r006", "r007", "r008", "r009"]);
    expect(engine.screened("r000")).toBe(false);
    // A decision written for every copy (as the routes write it) counts once, in progress, agreement and the stopping sequence.
    for (const reviewer of ["ana", "ben"]) for (const id of engine.decisionTargets("r000")) log.decision(id, reviewer, reviewer === "ana" ? "include" : "exclude");
    for (const reviewer of ["ana", "ben"]) for (const id of engine.decisionTargets("r004")) log.decision(id, reviewer, "exclude");
    log.flush(engine, { n: 13 });
    expect(engine.status(TA).counts).toMatchObject({ unscreened: 5, conflict: 1, decided: 1, exclude: 1 });
    expect(engine.status(TA).conflicts.map((c) => c.recordId)).toEqual(["r002"]);
    expect(engine.agreement(TA).overall?.n).toBe(2);
    expect(engine.stoppingSequence(TA)).toEqual([0]);
    expect(engine.qaPool(TA)).toEqual([]);
    // Settling the conflict writes for the whole group, as the decisions were written; asking about a copy settles its primary.
    expect(engine.reconciliationPlan(TA, "r003", { reviewer: "carl", verdict: "include", reason: "eligible" }, PROTOCOL).recordIds.sort()).toEqual(["r000", "r002", "r003"]);
    // The same state rebuilt from the data.
    const rebuilt = ScreeningEngine.fromProject({
      records: ["r000", "r001", "r002", "r003", "r004", "r005", "r006", "r007", "r008", "r009"].map((id) => ({
        id,
        title: `text of ${id}`,
        abstract: null,
        duplicateGroupId: ["r000", "r002", "r003"].includes(id) ? "g" : ["r004", "r005"].includes(id) ? "h" : null,
      })),
      duplicateGroups: [
        { id: "g", primaryRecordId: "r002" },
        { id: "h", primaryRecordId: "r005" },
      ],
      decisions: log.events.flatMap((e) => (e.type === "decision" ? [e.decision] : [])),
      reconciliations: [],
      settings: log.events.flatMap((e) => (e.type === "settings" ? [e.settings] : [])),
    });
    expect(rebuilt.snapshot(0)).toEqual(engine.snapshot(0));
  });

  it("gives the dual-screened share to primaries: copies decided with them take no places", () => {
    const log = new Log();
    log.events.push({ type: "group", group: { id: "g", primaryRecordId: "r000" } });
    log.events.push({ type: "group", group: { id: "h", primaryRecordId: "r002" } });
    for (const [id, g] of [["r000", "g"], ["r001", "g"], ["r002", "h"], ["r003", "h"], ["r004", null], ["r005", null]] as const) log.record(id, g);
    // Four reports, half dual-screened: the first two decided need two reviewers.
    log.settings(TA, "dual_then_single", 0.5);
    const engine = new ScreeningEngine();
    log.flush(engine);
    for (const id of ["r000", "r002", "r004"]) for (const target of engine.decisionTargets(id)) log.decision(target, "ana", "include");
    log.flush(engine, { n: 7 });
    const st = engine.stage(TA);
    expect(["r000", "r002", "r004"].map((id) => [id, st.needed(id), st.statusOf(id)?.state])).toEqual([
      ["r000", 2, "awaiting_second"],
      ["r002", 2, "awaiting_second"],
      ["r004", 1, "decided"],
    ]);
    // A copy turning primary (its group removed) joins the stage decided: the share's cut and the ranks move with it.
    engine.apply({ type: "record.grouped", recordId: "r001", group: null });
    expect(st.total).toBe(5);
    expect(["r000", "r001", "r002", "r004"].map((id) => st.needed(id))).toEqual([2, 2, 2, 1]);
    expect(st.statusOf("r001")).toMatchObject({ state: "awaiting_second" });
  });

  it("follows a group's changes: a named primary, another primary, a record leaving, the group removed", () => {
    const log = new Log();
    for (const id of ["r000", "r001", "r002"]) log.record(id, "g");
    log.record("r003");
    const engine = new ScreeningEngine();
    log.flush(engine);
    // Until the group itself is known, its first record stands for it.
    expect(engine.stage(TA).memberIds()).toEqual(["r000", "r003"]);
    engine.apply({ type: "group", group: { id: "g", primaryRecordId: "r001" } });
    expect(engine.stage(TA).memberIds()).toEqual(["r001", "r003"]);
    // The copy that becomes primary is served (it had never been in the queue).
    const serve = (who: string) => engine.next(TA, who, { now: 0, ttlMs: MIN, prioritise: false });
    expect(new Set([serve("ana"), serve("ben")])).toEqual(new Set(["r001", "r003"]));
    engine.apply({ type: "record.grouped", recordId: "r002", group: null });
    expect(engine.stage(TA).memberIds()).toEqual(["r001", "r002", "r003"]);
    engine.apply({ type: "group.removed", id: "g" });
    expect(engine.stage(TA).memberIds()).toEqual(["r000", "r002", "r003"]);
    engine.apply({ type: "record.grouped", recordId: "r001", group: null });
    expect(engine.stage(TA).memberIds()).toEqual(["r000", "r001", "r002", "r003"]);
    expect(engine.stage(TA).statusOf("r000")).toMatchObject({ state: "unscreened" });
  });

  it("reads duplicate groups, members and assignments from the audit log", () => {
    const entry = (action: string, entity: string, after: unknown, entityId: string | null = null) => ({ action, entity, entityId, after });
    const g = { id: "g1", primaryRecordId: "r1", method: "manual", createdBy: "ana", createdAt: iso(1) };
    expect(eventsOfAuditEntry(entry("duplicateGroups.create", "duplicateGroups", g))).toEqual([{ type: "group", group: { id: "g1", primaryRecordId: "r1" } }]);
    expect(eventsOfAuditEntry(entry("duplicateGroups.remove", "duplicateGroups", null, "g1"))).toEqual([{ type: "group.removed", id: "g1" }]);
    expect(eventsOfAuditEntry(entry("duplicateGroups.create", "duplicateGroups", { count: 60, ids: [] }))).toBeNull();
    const m = { id: "m1", userName: "ana", role: "reviewer", addedAt: iso(1) };
    expect(eventsOfAuditEntry(entry("members.create", "members", m))).toEqual([{ type: "member", member: m }]);
    expect(eventsOfAuditEntry(entry("members.remove", "members", null, "m1"))).toEqual([{ type: "member.removed", id: "m1" }]);
    const a = { id: "a1", recordId: "r1", stage: FT, reviewer: "dee", assignedAt: iso(1) };
    expect(eventsOfAuditEntry(entry("screeningAssignments.create", "screeningAssignments", a))).toEqual([{ type: "assignment", assignment: a }]);
    expect(eventsOfAuditEntry(entry("screeningAssignments.remove", "screeningAssignments", null, "a1"))).toEqual([{ type: "assignment.removed", id: "a1" }]);
  });
});

describe("who is served records", () => {
  it("the stage's listed reviewers; without a list, members with a reviewing role; without members, anyone", () => {
    expect(screeningAccess("zoe", TA, [], [])).toEqual({ allowed: true, refusal: null });
    const members = [
      { userName: "ana", role: "reviewer" as const },
      { userName: "olu", role: "owner" as const },
      { userName: "sam", role: "adjudicator" as const },
      { userName: "vic", role: "viewer" as const },
    ];
    for (const u of ["ana", "olu", "sam"]) expect(screeningAccess(u, TA, [], members).allowed).toBe(true);
    expect(screeningAccess("vic", TA, [], members)).toEqual({
      allowed: false,
      refusal: "vic is not a reviewer of title/abstract screening: they are a viewer of this project, and screening takes an owner, adjudicator or reviewer",
    });
    expect(screeningAccess("zoe", FT, [], members).refusal).toBe(
      "zoe is not a reviewer of full-text screening: they are not a member of this project, and screening takes an owner, adjudicator or reviewer",
    );
    // A stage's own list decides, members or not.
    expect(screeningAccess("ana", TA, ["ben", "carl", "dee"], members)).toEqual({
      allowed: false,
      refusal: "ana is not a reviewer of title/abstract screening: the screening set-up lists ben, carl and dee",
    });
    expect(screeningAccess("ben", TA, ["ben"], []).allowed).toBe(true);
    // Assignments list reviewers as the set-up does.
    expect(screeningAccess("dee", TA, [], members, ["dee"]).allowed).toBe(true);
    expect(screeningAccess("ana", TA, [], members, ["dee"]).refusal).toBe("ana is not a reviewer of title/abstract screening: records of this stage are assigned to dee");
    expect(screeningAccess("ana", TA, ["ben"], members, ["dee", "ben"]).refusal).toBe(
      "ana is not a reviewer of title/abstract screening: the screening set-up and assignments list ben and dee",
    );
  });

  it("answers from the events: the stage's current settings and the members", () => {
    const log = new Log();
    log.record("r000");
    const engine = new ScreeningEngine();
    log.flush(engine);
    expect(engine.access(TA, "zoe").allowed).toBe(true);
    engine.apply({ type: "member", member: { id: "m1", userName: "ana", role: "reviewer" } });
    expect(engine.access(TA, "zoe").allowed).toBe(false);
    expect(engine.access(TA, "ana").allowed).toBe(true);
    engine.apply({ type: "settings", settings: { id: "s1", stage: TA, mode: "single", dualFraction: null, reviewers: ["ben"], updatedAt: iso(5) } });
    expect(engine.access(TA, "ana").refusal).toMatch(/lists ben$/);
    expect(engine.access(FT, "ana").allowed).toBe(true);
    engine.apply({ type: "member.removed", id: "m1" });
    expect(engine.access(FT, "zoe").allowed).toBe(true);
    // Assignments at a stage list their reviewers there, for as long as one stands.
    engine.apply({ type: "assignment", assignment: { id: "a1", stage: FT, reviewer: "dee" } });
    engine.apply({ type: "assignment", assignment: { id: "a2", stage: FT, reviewer: "dee" } });
    engine.apply({ type: "assignment", assignment: { id: "a1", stage: FT, reviewer: "dee" } });
    expect([engine.access(FT, "dee").allowed, engine.access(FT, "zoe").allowed]).toEqual([true, false]);
    engine.apply({ type: "assignment.removed", id: "a1" });
    expect(engine.access(FT, "zoe").allowed).toBe(false);
    engine.apply({ type: "assignment.removed", id: "a2" });
    expect(engine.access(FT, "zoe").allowed).toBe(true);
    // A QA sample's named checker may re-check its records; no one else by that right.
    engine.apply({ type: "qa.sample", sample: { ...log.sample(TA, ["r000"], "sam"), createdAt: iso(9) } });
    expect(engine.mayRecheck(TA, "r000", "sam")).toBe(true);
    expect(engine.mayRecheck(TA, "r000", "zoe")).toBe(false);
    expect(engine.mayRecheck(FT, "r000", "sam")).toBe(false);
  });

  it("shows the QA checker each sampled record's abstract", () => {
    const sample = { id: "q", stage: TA, reviewer: null, decision: "exclude" as const, recordIds: ["r1"], method: "random" as const, fraction: 1, seed: 1, checker: null, status: "open" as const, createdBy: "ana", createdAt: iso(3) };
    const view = qaReview(sample, () => [], () => ({ title: "Kinship care", abstract: "A cohort of children returning home." }));
    expect(view.items[0]).toMatchObject({ title: "Kinship care", abstract: "A cohort of children returning home." });
    expect(qaReview(sample, () => [], () => "Title only").items[0]).toMatchObject({ title: "Title only", abstract: null });
  });
});
