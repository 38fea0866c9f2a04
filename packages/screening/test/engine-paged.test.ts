import { describe, expect, it } from "vitest";
import type { QaSample } from "@homeward/model";
import {
  qaSample,
  Random,
  recordOrder,
  ScreeningEngine,
  StoredRankingQueue,
  type ScreeningEvent,
  type ScreeningRecord,
  type Stage,
  type Verdict,
} from "@homeward/screening";

/**
 * A state told the project's records by number (`records.counted`), which
 * names a record only when an event or a query needs it and reads the rest
 * on a page at a time in record order, must answer every query as a state
 * given every record does: the same statuses, counts, sizes, conflicts,
 * agreement, stopping sequence, QA pool, and the same record served next to
 * each reviewer, through random reviews (new records, duplicate groups,
 * assignment modes, dual screening, leases running out, reconciliations, QA
 * samples, stored rankings).
 */

const T0 = Date.UTC(2026, 0, 1);
const iso = (k: number) => new Date(T0 + k * 1000).toISOString();
const TA: Stage = "title_abstract";
const FT: Stage = "full_text";
const MIN = 60_000;
const UNSCREENED = { state: "unscreened" };

function engine(): ScreeningEngine {
  return new ScreeningEngine({ ranking: { title_abstract: new StoredRankingQueue(), full_text: new StoredRankingQueue() } });
}

/** A project's records in record order, as the store would read them. */
class Records {
  readonly all: ScreeningRecord[] = [];
  private readonly byId = new Map<string, ScreeningRecord>();
  add(id: string, at: string, group: string | null = null): ScreeningRecord {
    const r = { id, text: "", group, order: recordOrder(at, id) };
    // Kept in record order (a new record comes last; the first ones were made out of order).
    let i = this.all.length;
    while (i > 0 && this.all[i - 1]!.order! > r.order) i--;
    this.all.splice(i, 0, r);
    this.byId.set(id, r);
    return r;
  }
  get(id: string): ScreeningRecord {
    return this.byId.get(id)!;
  }
  /** The page after `after` (null: the first), as `screeningKeys` answers it. */
  page(after: string | null, limit: number): ScreeningRecord[] {
    const start = after === null ? 0 : this.all.findIndex((r) => r.order! > after);
    return start < 0 ? [] : this.all.slice(start, start + limit).map((r) => ({ ...r }));
  }
}

/** The two states side by side: `dense` told every record, `paged` only the number and what it needs. */
class Pair {
  readonly dense = engine();
  readonly paged = engine();
  pagesRead = 0;
  constructor(
    readonly records: Records,
    private readonly pageSize: number,
  ) {
    for (const r of records.all) this.dense.apply({ type: "record.added", record: { ...r } });
    this.paged.apply({ type: "records.counted", count: records.all.length });
  }
  /** As the server does before applying an entry: names the records it refers to. */
  name(...ids: string[]): void {
    for (const id of ids) if (!this.paged.has(id)) this.paged.apply({ type: "record.listed", record: { ...this.records.get(id) } });
  }
  both(e: ScreeningEvent): void {
    expect(this.dense.apply(e)).toBe(true);
    expect(this.paged.apply(e)).toBe(true);
  }
  readOn(): void {
    const { frontier } = this.paged.titleAbstract.backlog;
    const page = this.records.page(frontier, this.pageSize);
    this.pagesRead++;
    this.paged.apply({ type: "records.page", after: frontier, records: page, end: page.length < this.pageSize });
  }
  /** The next record from each (the paged one reading on as the server does). */
  next(stage: Stage, reviewer: string, now: number, prioritise: boolean): [string | null, string | null] {
    const options = { now, ttlMs: 10 * MIN, prioritise };
    const a = this.dense.next(stage, reviewer, options);
    for (let k = 0; k < 1000; k++) {
      const b = this.paged.next(stage, reviewer, options);
      if (b !== null || !this.paged.stage(stage).wantsPage) return [a, b];
      this.readOn();
    }
    throw new Error("never stopped reading on");
  }
  /** Every answer the two give the same way (`now` for leases). */
  same(now: number, reviewers: string[], every = false): void {
    const { dense, paged } = this;
    for (const stage of [TA, FT]) {
      const d = dense.status(stage);
      const p = paged.status(stage);
      expect(p).toEqual(d);
      expect(paged.stoppingSequence(stage)).toEqual(dense.stoppingSequence(stage));
      expect(paged.stopping(stage)).toEqual(dense.stopping(stage));
      expect(paged.qaPool(stage)).toEqual(dense.qaPool(stage));
      expect(paged.agreement(stage)).toEqual(dense.agreement(stage));
      expect(paged.qaSamples(stage)).toEqual(dense.qaSamples(stage));
      for (const r of reviewers) {
        expect(paged.stage(stage).remaining(r)).toBe(dense.stage(stage).remaining(r));
        expect(paged.stage(stage).heldBy(r, now)).toEqual(dense.stage(stage).heldBy(r, now));
      }
      if (every)
        for (const r of this.records.all) {
          // A record the paged state never named is unscreened, in no group, in title/abstract only.
          const named = paged.has(r.id);
          expect(paged.stage(stage).statusOf(r.id) ?? (named || stage === FT ? undefined : UNSCREENED), r.id).toEqual(dense.stage(stage).statusOf(r.id));
          if (named) expect(paged.stage(stage).needed(r.id)).toBe(dense.stage(stage).needed(r.id));
          expect(paged.groupOf(r.id)).toBe(dense.groupOf(r.id));
        }
    }
    expect(paged.size).toBe(dense.size);
  }
}

function randomReview(seed: number, size: number, pageSize: number) {
  const rnd = new Random(seed);
  const records = new Records();
  // Made out of record order, some at the same moment (then ordered by id).
  for (let k = 0; k < size; k++) records.add(`r${String(rnd.int(1e6)).padStart(6, "0")}-${k}`, iso(rnd.int(size)));
  const pair = new Pair(records, pageSize);
  const reviewers = ["ana", "ben", "carl", "dee"];
  const verdicts: Verdict[] = ["include", "exclude", "exclude", "maybe"];
  const modes = [["single", null], ["dual", null], ["dual_then_single", 0.3]] as const;
  const reached = { unscreened: 0, awaiting_second: 0, decided: 0, conflict: 0, reconciled: 0 };
  let k = 0;
  let now = T0;
  let served = 0;
  let version = 0;
  const decide = (recordId: string, reviewer: string, stage: Stage, verdict: Verdict) => {
    pair.name(recordId);
    k++;
    pair.both({ type: "decision", decision: { id: `d${String(k).padStart(6, "0")}`, recordId, stage, reviewer, decision: verdict, reasons: [], at: iso(size + k) } });
  };
  pair.both({ type: "settings", settings: { id: "s-ta", stage: TA, mode: "dual_then_single", dualFraction: 0.3, updatedAt: iso(0) } });
  for (let step = 0; step < 500; step++) {
    now += rnd.int(3) * MIN;
    const roll = rnd.int(100);
    const stage = rnd.int(4) ? TA : FT;
    if (roll < 5) {
      k++;
      const r = records.add(`n${k}`, iso(size + k));
      pair.both({ type: "record.added", record: { ...r } });
    } else if (roll < 8) {
      // A duplicate group formed (or a record taken out of one), as the store's writes report it.
      const members = [0, 1, 2].map(() => records.all[rnd.int(records.all.length)]!.id);
      const g = `g${rnd.int(5)}`;
      pair.name(...members);
      if (rnd.int(4)) pair.both({ type: "group", group: { id: g, primaryRecordId: members[0]! } });
      for (const id of members) pair.both({ type: "record.grouped", recordId: id, group: rnd.int(5) ? g : null });
    } else if (roll < 10) {
      const [mode, share] = modes[rnd.int(3)]!;
      k++;
      pair.both({ type: "settings", settings: { id: `s-${stage}`, stage, mode, dualFraction: share, updatedAt: iso(size + k) } });
    } else if (roll < 15) {
      const conflicts = pair.dense.status(stage).conflicts;
      if (conflicts.length) {
        k++;
        const recordId = conflicts[rnd.int(conflicts.length)]!.recordId;
        pair.both({ type: "reconciliation", reconciliation: { id: `c${k}`, recordId, stage, resolvedBy: "eve", decision: verdicts[rnd.int(4)]!, reasons: [], reason: "settled", at: iso(size + k) } });
      }
    } else if (roll < 17) {
      const pool = pair.dense.qaPool(stage);
      if (pool.length) {
        k++;
        const sample: QaSample = { id: `q${k}`, stage, reviewer: null, decision: "exclude", recordIds: qaSample(pool, { fraction: 0.2, seed: k }), method: "random", fraction: 0.2, seed: k, checker: null, createdBy: "eve", createdAt: iso(size + k) } as QaSample;
        pair.both({ type: "qa.sample", sample });
      }
    } else if (roll < 20) {
      // A stored ranking: some records of the stage first (named before it is served, as the server does).
      const pool = stage === TA ? records.all.map((r) => r.id) : pair.dense.stage(FT).memberIds();
      const top = [...new Set(Array.from({ length: Math.min(pool.length, 15) }, () => pool[rnd.int(pool.length)]!))];
      pair.name(...top);
      version++;
      const ranking = { version, model: "elas_u4", servedBy: null, trained: true, labelled: 2, labelsHash: "", trainMs: 0, createdAt: iso(0), recordIds: top };
      for (const e of [pair.dense, pair.paged]) (e.stage(stage).ranking as StoredRankingQueue).apply(ranking);
    } else if (roll < 25) {
      // A decision on any record, not served (another server's reviewer, the CLI).
      const pool = stage === TA ? records.all.map((r) => r.id) : pair.dense.stage(FT).memberIds();
      if (pool.length) decide(pool[rnd.int(pool.length)]!, reviewers[rnd.int(4)]!, stage, verdicts[rnd.int(4)]!);
    } else if (roll < 27) {
      pair.both({ type: "leases.expired", now });
    } else {
      const reviewer = reviewers[rnd.int(4)]!;
      const pr = rnd.int(3) > 0;
      const [a, b] = pair.next(stage, reviewer, now, pr);
      expect(b, `step ${step}`).toBe(a);
      if (a !== null && rnd.int(5)) {
        served++;
        decide(a, reviewer, stage, verdicts[rnd.int(4)]!);
      }
    }
    pair.same(now, reviewers, step % 50 === 49);
    for (const state of Object.keys(reached) as (keyof typeof reached)[]) reached[state] = Math.max(reached[state], pair.dense.stage(TA).counts[state]);
  }
  return { pair, reached, served };
}

describe("a screening state told its records by number", () => {
  it.each([1, 2, 3, 4, 5, 6])("answers as a state given every record, reading records on a page at a time (seed %i)", (seed) => {
    const { pair, reached, served } = randomReview(seed, 400, 25);
    pair.same(Date.now(), ["ana", "ben", "carl", "dee", "zoe"], true);
    for (const [state, n] of Object.entries(reached)) expect(n, state).toBeGreaterThan(0);
    expect(served).toBeGreaterThan(100);
    expect(pair.paged.stage(FT).total).toBeGreaterThan(0);
    expect(pair.pagesRead).toBeGreaterThan(1);
  });

  it("rebuilt from the records it must name and the number of the rest, answers as one rebuilt from every record", () => {
    const { pair } = randomReview(7, 300, 20);
    const { dense } = pair;
    // What a store holds after the review: its decisions (read back from the state) and records with their groups.
    const decisions = [TA, FT].flatMap((s) => pair.records.all.flatMap((r) => dense.stage(s).decisionsOf(r.id).map((d) => ({ id: d.id, recordId: r.id, stage: s, reviewer: d.reviewer, decision: d.verdict, reasons: d.reasons, at: d.at }))));
    decisions.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const named = new Set([...decisions.map((d) => d.recordId), ...pair.records.all.filter((r) => dense.groupOf(r.id) !== null).map((r) => r.id)]);
    const full = pair.records.all.map((r) => ({ ...r, group: dense.groupOf(r.id) }));
    const settings = [TA, FT].map((s, i) => ({ id: `s-${s}`, stage: s, mode: "dual" as const, dualFraction: null, updatedAt: iso(i) }));
    const whole = ScreeningEngine.fromProject({ records: full, decisions, reconciliations: [], settings });
    const counted = ScreeningEngine.fromProject({ records: full.filter((r) => named.has(r.id)), count: full.length, decisions, reconciliations: [], settings });
    expect(named.size).toBeLessThan(full.length);
    for (const stage of [TA, FT]) {
      expect(counted.status(stage)).toEqual(whole.status(stage));
      expect(counted.stoppingSequence(stage)).toEqual(whole.stoppingSequence(stage));
      expect(counted.qaPool(stage)).toEqual(whole.qaPool(stage));
      expect(counted.agreement(stage)).toEqual(whole.agreement(stage));
    }
  });

  it("holds no more records than it was told of, served, or read a page of: a million records counted cost nothing", () => {
    const e = engine();
    const t0 = performance.now();
    e.apply({ type: "records.counted", count: 1_000_000 });
    e.apply({ type: "settings", settings: { id: "s", stage: TA, mode: "dual", dualFraction: null, updatedAt: iso(0) } });
    expect(e.status(TA)).toMatchObject({ records: 1_000_000, counts: { unscreened: 1_000_000, awaiting_second: 0 } });
    expect(e.stage(TA).remaining("ana")).toBe(1_000_000);
    // Nothing read yet: it asks for a page before serving anything.
    expect(e.candidate(TA, "ana", { now: T0 })).toBeNull();
    expect(e.stage(TA).wantsPage).toBe(true);
    const page = Array.from({ length: 100 }, (_, i) => ({ id: `r${String(i).padStart(7, "0")}`, text: "", group: null, order: recordOrder(iso(i), `r${String(i).padStart(7, "0")}`) }));
    e.apply({ type: "records.page", after: null, records: page, end: false });
    // A page read twice (a stale frontier) is ignored.
    e.apply({ type: "records.page", after: null, records: page, end: false });
    expect(e.next(TA, "ana", { now: T0, ttlMs: MIN })).toBe("r0000000");
    expect(e.next(TA, "ben", { now: T0, ttlMs: MIN })).toBe("r0000000");
    expect(e.next(TA, "carl", { now: T0, ttlMs: MIN })).toBe("r0000001");
    expect(e.status(TA).records).toBe(1_000_000);
    expect(e.size).toBe(1_000_000);
    expect(e.snapshot(T0).records).toHaveLength(100);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
