import type { FastifyInstance } from "fastify";
import type { ScreeningStage } from "@homeward/model";
import { eventsOfAuditEntry, recordOrder, ScreeningEngine, type PrioritisationStatus, type ScreeningEvent, type ScreeningRecord } from "@homeward/screening";
import { screeningRankings, type JobQueue, type Lease, type LeaseAnswer, type ScreeningKey, type Store, type StoredRanking } from "@homeward/store";
import { ProjectRankings } from "./screening-ranking.js";

/**
 * The server's adaptor between the store and one project's screening engine
 * (@homeward/screening `ScreeningEngine`, which holds every rule): it feeds
 * the engine the store's changes and leases, and asks the store for the
 * leases the engine's candidates need.
 *
 * Why in memory: the next record must be served in well under 100 ms with
 * 100,000 records, and reading every decision per request takes seconds.
 * What it holds grows with the screening, not with the records imported:
 * the engine is told the project's records by number and names only those
 * decided, held, ranked or grouped, reading the rest a page at a time in
 * record order as it serves them (see `reload`, `readOn`). Every write to a project appends to its audit log in the same
 * transaction (see @homeward/store), so the log is a complete change feed:
 * before answering, `sync()` reads the entries after the last position it
 * applied (`Store.auditSince`: one indexed read, empty when nothing changed)
 * and applies them as engine events, whoever wrote them (this server, another
 * server on the same database, the CLI). Positions become visible in order
 * (the store positions an entry while holding the project for its audit
 * chain, until commit), so commits from several servers never leave a gap
 * behind the position read, and concurrency alone never rebuilds the engine.
 * Entries that cannot be applied piecemeal (bulk writes of more than 50
 * entities, which the store logs as one summary entry), or more than
 * MAX_DELTA of them at once, rebuild the engine from the project. Events are
 * idempotent (by entity id), so a write that lands while a rebuild reads is
 * harmless when it shows up again in the log. A rebuild reads the leases in
 * force from the store too, so no reviewer loses the record they hold.
 *
 * Syncs run one after another; a request arriving while one waits to start
 * shares it (it will read the log after the request arrived), so many
 * concurrent requests cost one read of the log, not one each.
 */

/** New log entries applied one by one at most; more and the project is read afresh. */
const MAX_DELTA = 500;
/** How long a served record is held for its reviewer. */
export const LEASE_MS = 10 * 60 * 1000;
/** Records tried per request when other servers keep taking them first (each refusal teaches the engine who holds what). */
const MAX_TRIES = 50;
/** Records read on in record order at a time, when the records named so far have none left to serve. */
export const SCREENING_PAGE = 1000;
/** Records read per query by `stageIds` (the retrain job). */
const IDS_PAGE = 50_000;

/** A record as the engine names it: its group and place in record order, no text (the ranking is trained by a job). */
function keyRecord(k: ScreeningKey): ScreeningRecord {
  return { id: k.id, text: "", group: k.duplicateGroupId, order: recordOrder(k.createdAt, k.id) };
}

/** The place in record order an order key stands for (see `recordOrder`). */
function orderPlace(key: string | null): { createdAt: string; id: string } | null {
  if (key === null) return null;
  const cut = key.indexOf("\u0000");
  return { createdAt: key.slice(0, cut), id: key.slice(cut + 1) };
}

export class ProjectScreening {
  engine: ScreeningEngine;
  /** The stages' queues, served from the rankings retrain jobs store (see screening-ranking.ts). */
  private rankings: ProjectRankings;
  /** The log position applied so far (`Store.auditSince`). */
  private position = 0;
  private chain: Promise<void> = Promise.resolve();
  /** The sync queued and not yet started, which a new caller may share. */
  private pending: Promise<void> | null = null;
  /** Leases this server's requests are asking the store for, by stage and reviewer (see `next`). */
  private readonly asking = new Map<string, { stage: ScreeningStage; lease: Lease }>();
  private loaded = false;
  /** The page read in progress (see `readOn`). */
  private reading: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    readonly projectId: string,
    private readonly jobs: () => JobQueue | null = () => null,
    private readonly onError: (e: unknown) => void = () => {},
  ) {
    this.rankings = this.newRankings();
    this.engine = new ScreeningEngine({ ranking: this.rankings.queues });
  }

  private newRankings(): ProjectRankings {
    return new ProjectRankings(this.store, this.projectId, this.jobs, this.onError, (ids) => this.name(ids));
  }

  /**
   * Names to the engine those of `ids` it has not named yet (it is told the
   * project's records by number, and names a record when it must: see
   * `reload`). The log is read after the records: one added since the
   * engine counted them arrives as added (counted), not as one of those
   * counted, so the stage's size stays exact.
   */
  async name(ids: readonly string[]): Promise<void> {
    const unknown = ids.filter((id) => !this.engine.has(id));
    if (unknown.length === 0) return;
    const keys = await screeningRankings(this.store).screeningKeys(this.projectId, { ids: unknown });
    await this.sync();
    for (const k of keys) this.engine.apply({ type: "record.listed", record: keyRecord(k) });
  }

  /**
   * Reads the next page of records in record order into the title/abstract
   * stage (its candidates ran out of records read so far). As `name`, the
   * log is read after the page. Requests that run out together share one
   * read (a page read twice would be ignored the second time anyway).
   */
  private readOn(): Promise<void> {
    this.reading ??= this.readPage().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async readPage(): Promise<void> {
    const { frontier } = this.engine.titleAbstract.backlog;
    // Undecided records only: every decided one is named already (a rebuild names them, and a decision
    // the log brings names its record), so a review far along does not read its decided records again.
    const keys = await screeningRankings(this.store).screeningKeys(this.projectId, { after: orderPlace(frontier), limit: SCREENING_PAGE, undecided: true });
    await this.sync();
    this.engine.apply({ type: "records.page", after: frontier, records: keys.map(keyRecord), end: keys.length < SCREENING_PAGE });
  }

  /**
   * The records of a stage in record order (for the retrain job, which reads
   * every text anyway): full text's from the engine, which names every
   * record admitted; title/abstract's read from the store a page at a time,
   * less the duplicate groups' copies.
   */
  async stageIds(stage: ScreeningStage): Promise<string[]> {
    await this.sync();
    if (stage === "full_text") return this.engine.stage(stage).memberIds();
    const out: string[] = [];
    const rankings = screeningRankings(this.store);
    let after: { createdAt: string; id: string } | null = null;
    for (;;) {
      const keys = await rankings.screeningKeys(this.projectId, { after, limit: IDS_PAGE });
      for (const k of keys) if (this.engine.screened(k.id)) out.push(k.id);
      if (keys.length < IDS_PAGE) return out;
      const last = keys[keys.length - 1]!;
      after = { createdAt: last.createdAt, id: last.id };
    }
  }

  /** The ranking's state, for the status answer. */
  prioritisation(stage: ScreeningStage): PrioritisationStatus {
    return this.rankings.status(stage);
  }

  /** True when `prioritise` serves from a trained model. */
  prioritised(stage: ScreeningStage, prioritise: boolean): boolean {
    return prioritise && this.rankings.queues[stage].ranked;
  }

  /** The stage's queue (its labels, its model, the ranking it serves), for the retrain job. */
  rankingQueue(stage: ScreeningStage) {
    return this.rankings.queues[stage];
  }

  /** Serves the newest stored ranking of both stages now (after a retrain job wrote one). */
  refreshRankings(): Promise<void> {
    return this.rankings.loadAll();
  }

  /**
   * The next record for `reviewer`: the engine's best candidate that the
   * store lets them hold. The store's leases are the truth, shared by every
   * server on the database: the engine learns them first, then each
   * candidate is acquired in the store; a refusal (another server was
   * faster) tells the engine who holds it, and the next candidate is tried.
   * After a grant the log is read once more, so a decision another server
   * committed meanwhile is seen before the record is served. `check` runs
   * once the engine is up to date and may throw to refuse (holding nothing).
   *
   * While the store answers, the candidate is shown to the engine as held
   * by the reviewer asking: requests that arrive together on one server
   * (every reviewer wanting the best open record) then ask for different
   * records, rather than all queueing on the same one's lock and all but
   * two being refused.
   */
  async next(stage: ScreeningStage, reviewer: string, prioritise: boolean, now: number, check?: () => void): Promise<string | null> {
    // The leases are read beside the log: they are not in it, and applying them waits for the sync.
    const [, held] = await Promise.all([this.sync(), this.store.leases.list(this.projectId, stage, now)]);
    // Checked on the state just read, before anything is held.
    check?.();
    // The record the reviewer holds is served again, also when another server named it to them.
    await this.name(held.filter((l) => l.reviewer === reviewer).map((l) => l.recordId));
    this.showLeases(stage, held, now);
    const tried = new Set<string>();
    const mine = `${stage}\u0000${reviewer}`;
    for (let k = 0; k < MAX_TRIES; k++) {
      const c = this.engine.candidate(stage, reviewer, { prioritise, now, skip: tried });
      if (!c) {
        // As many pages as it takes (each read moves on, the last says so): stopping short would tell
        // the reviewer nothing is left while records they could screen are still unread.
        if (!this.engine.stage(stage).wantsPage) break;
        await this.readOn();
        k--;
        continue;
      }
      const asked: Lease = { key: c.key, recordId: c.recordId, reviewer, expiresAt: now + LEASE_MS };
      this.asking.set(mine, { stage, lease: asked });
      this.engine.apply({ type: "lease.granted", stage, lease: asked });
      let r: LeaseAnswer;
      try {
        r = await this.store.leases.acquire({
          projectId: this.projectId,
          stage,
          key: c.key,
          recordId: c.recordId,
          reviewer,
          capacity: c.capacity,
          ignore: c.decided,
          now,
          ttlMs: LEASE_MS,
        });
      } catch (err) {
        this.engine.apply({ type: "lease.released", stage, reviewer });
        throw err;
      } finally {
        this.asking.delete(mine);
      }
      this.showLeases(stage, r.holders, now, c.key);
      if (!r.granted) {
        tried.add(c.recordId);
        continue;
      }
      await this.sync();
      if (this.engine.stage(stage).openFor(c.recordId, reviewer, now)) return c.recordId;
      tried.add(c.recordId);
    }
    await this.release(stage, reviewer);
    return null;
  }

  /**
   * Tells the engine the store's leases (all the stage's, or `key`'s), then
   * those this server's requests are still asking for where the store's
   * leave them a place: a request bound to be refused must not keep a
   * record from a reviewer the store already holds it for.
   */
  private showLeases(stage: ScreeningStage, leases: readonly Lease[], now: number, key?: string): void {
    this.engine.apply({ type: "leases", stage, key, leases });
    const st = this.engine.stage(stage);
    for (const { stage: s, lease } of this.asking.values()) {
      if (s !== stage || (key !== undefined && lease.key !== key)) continue;
      if (st.openFor(lease.recordId, lease.reviewer, now)) this.engine.apply({ type: "lease.granted", stage, lease });
    }
  }

  /** Ends the reviewer's hold in the stage (after a decision, or with nothing left to serve). */
  async release(stage: ScreeningStage, reviewer: string): Promise<void> {
    await this.store.leases.release(this.projectId, stage, reviewer);
    this.engine.apply({ type: "lease.released", stage, reviewer });
  }

  /**
   * Brings the engine up to date with the store. Calls run one after
   * another, each reading the log afresh, so a request that follows its own
   * write sees that write.
   */
  sync(): Promise<void> {
    // Not started yet, so it reads the log after this call: sharing it loses nothing.
    if (this.pending) return this.pending;
    const run = this.chain.then(() => {
      this.pending = null;
      return this.syncNow();
    });
    this.pending = run;
    // A failed sync must not block the next one, which reloads.
    this.chain = run.catch(() => {
      this.loaded = false;
    });
    return run;
  }

  private async syncNow(): Promise<void> {
    if (!this.loaded) return this.reload();
    const fresh = await this.store.auditSince(this.projectId, this.position, MAX_DELTA + 1);
    if (fresh.length === 0) return;
    if (fresh.length > MAX_DELTA) return this.reload();
    const events: ScreeningEvent[] = [];
    for (const { entry } of fresh) {
      const es = eventsOfAuditEntry(entry);
      if (es === null) return this.reload();
      events.push(...es);
    }
    // Records these entries name that the engine has not named yet: one of those it counted (a new
    // one's record.added comes before any entry about it, in this read or an earlier one).
    const added = new Set(events.flatMap((e) => (e.type === "record.added" ? [e.record.id] : [])));
    const named = new Set<string>();
    for (const e of events) {
      const id = e.type === "decision" ? e.decision.recordId : e.type === "reconciliation" ? e.reconciliation.recordId : e.type === "record.grouped" || e.type === "record.text" ? e.recordId : null;
      if (id !== null && !added.has(id) && !this.engine.has(id)) named.add(id);
    }
    if (named.size > 0) {
      for (const k of await screeningRankings(this.store).screeningKeys(this.projectId, { ids: [...named] })) this.engine.apply({ type: "record.listed", record: keyRecord(k) });
    }
    if (!this.engine.applyAll(events)) return this.reload();
    this.position = fresh[fresh.length - 1]!.seq;
    this.retrainIfDirty();
  }

  /** Asks for a retrain job where enough labels changed (the queues count them; the job queue coalesces). */
  private retrainIfDirty(): void {
    for (const stage of ["title_abstract", "full_text"] as const) this.engine.stage(stage).dirty = false;
    this.rankings.retrainDue();
  }

  /**
   * Reads the project's screening afresh (first use, bulk writes, anything
   * unexpected), in one snapshot of the database, so the log position, the
   * number of records and the rows agree. What grows with the screening, not
   * with the records imported: the decisions and the rest of the screening
   * rows, the leases in force, the newest stored rankings, and the records
   * those name or that are in a duplicate group (id, group and place in
   * record order, by id). Every other record is counted (the store's
   * per-search counts) and left unread: it is unscreened and in no group,
   * and the title/abstract stage reads records on a page at a time in
   * record order as it serves them (`readOn`). Never a text: the ranking is
   * trained by a job.
   */
  private async reload(): Promise<void> {
    const now = Date.now();
    const read = await this.store.snapshot(async (tx) => {
      const rankings = screeningRankings(tx);
      // The log position with the rows: whatever lands after it is applied from the log.
      const position = await tx.auditPosition(this.projectId);
      const [count, grouped, decisions, reconciliations, settings, qaSamples, members, duplicateGroups, assignments, taLeases, ftLeases, taRanking, ftRanking] = await Promise.all([
        rankings.recordCount(this.projectId),
        rankings.screeningKeys(this.projectId, { grouped: true }),
        tx.list(this.projectId, "screeningDecisions"),
        tx.list(this.projectId, "reconciliations"),
        tx.list(this.projectId, "screeningSettings"),
        tx.list(this.projectId, "qaSamples"),
        tx.list(this.projectId, "members"),
        tx.list(this.projectId, "duplicateGroups"),
        tx.list(this.projectId, "screeningAssignments"),
        tx.leases.list(this.projectId, "title_abstract", now),
        tx.leases.list(this.projectId, "full_text", now),
        rankings.latest(this.projectId, "title_abstract"),
        rankings.latest(this.projectId, "full_text"),
      ]);
      const have = new Set(grouped.map((k) => k.id));
      const wanted = new Set<string>();
      const want = (id: string) => {
        if (!have.has(id)) wanted.add(id);
      };
      for (const d of decisions) want(d.recordId);
      for (const r of reconciliations) want(r.recordId);
      for (const l of [...taLeases, ...ftLeases]) want(l.recordId);
      for (const r of [taRanking, ftRanking]) for (const id of r?.recordIds ?? []) want(id);
      const named = wanted.size > 0 ? await rankings.screeningKeys(this.projectId, { ids: [...wanted] }) : [];
      return { position, count, keys: [...grouped, ...named], decisions, reconciliations, settings, qaSamples, members, duplicateGroups, assignments, taLeases, ftLeases, taRanking, ftRanking };
    });
    const records = read.keys.map(keyRecord).sort((a, b) => (a.order! < b.order! ? -1 : a.order! > b.order! ? 1 : 0));
    const { count, decisions, reconciliations, settings, qaSamples, members, duplicateGroups, assignments } = read;
    // Fresh queues: the labels are set again by the rebuild, and the ranking is the one read with the rows.
    this.rankings = this.newRankings();
    this.engine = ScreeningEngine.fromProject({ records, count, decisions, reconciliations, settings, qaSamples, members, duplicateGroups, assignments }, { ranking: this.rankings.queues });
    // Leases are store rows, not engine state: a fresh engine learns those in force, so a record
    // held for a reviewer stays theirs across a rebuild (an import, a bulk write).
    this.engine.apply({ type: "leases", stage: "title_abstract", leases: read.taLeases });
    this.engine.apply({ type: "leases", stage: "full_text", leases: read.ftLeases });
    const rankings: [ScreeningStage, StoredRanking | undefined][] = [["title_abstract", read.taRanking], ["full_text", read.ftRanking]];
    for (const [stage, r] of rankings) if (r) this.rankings.serve(stage, r);
    this.position = read.position;
    this.loaded = true;
    for (const stage of ["title_abstract", "full_text"] as const) this.engine.stage(stage).dirty = true;
    this.retrainIfDirty();
  }
}

/**
 * The screening state of every project a server has opened (rankings are
 * trained by jobs of the store's queue and read from the store). One per server: the screening and set-up routes
 * both reach it through `screeningProjects(app, …)`.
 */
export class ScreeningProjects {
  private readonly projects = new Map<string, ProjectScreening>();
  private readonly warming = new Set<Promise<unknown>>();
  /** The store's job queue, for retrain jobs (set once the jobs are registered). */
  private queue: JobQueue | null = null;
  private closing = false;
  private readonly onError: (e: unknown) => void;

  constructor(
    app: FastifyInstance,
    private readonly store: Store,
  ) {
    this.onError = (e) => app.log.error(e, "screening ranking");
    app.addHook("onClose", async () => {
      this.closing = true;
      await Promise.allSettled([...this.warming]);
    });
    // Reading a project's screening grows with its decisions (not its records:
    // see `reload`), which for a review far along is still a read of every
    // decision. Opening the project or its screening pages starts it in the
    // background, so the first reviewer to ask for a record does not wait for it.
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
      this.warm(id);
    });
  }

  private open(projectId: string): ProjectScreening {
    let p = this.projects.get(projectId);
    if (!p) {
      p = new ProjectScreening(this.store, projectId, () => (this.closing ? null : this.queue), this.onError);
      this.projects.set(projectId, p);
    }
    return p;
  }

  /** Retrains are asked of this queue from now on. */
  useQueue(queue: JobQueue): void {
    this.queue = queue;
  }

  /** Reads the project's screening in the background (not awaited by anyone but the server's close). */
  warm(projectId: string): void {
    if (this.projects.has(projectId) || this.closing) return;
    const p = this.open(projectId);
    const w = p.sync().catch(() => this.projects.delete(projectId));
    this.warming.add(w);
    void w.finally(() => this.warming.delete(w));
  }

  /**
   * Warms every project whose screening is under way (it has a stored
   * ranking), one after another, in the background: after a restart the
   * first reviewer then finds the state read.
   */
  warmAll(): void {
    const w = (async () => {
      for (const id of await screeningRankings(this.store).projects()) {
        if (this.closing) return;
        if (this.projects.has(id)) continue;
        await this.open(id)
          .sync()
          .catch(() => this.projects.delete(id));
      }
    })().catch((e) => this.onError(e));
    this.warming.add(w);
    void w.finally(() => this.warming.delete(w));
  }

  /** The project's screening, not yet brought up to date (an unknown project is a 404). */
  async project(projectId: string): Promise<ProjectScreening> {
    if (!this.projects.has(projectId)) await this.store.getProject(projectId);
    return this.open(projectId);
  }

  /** The project's screening, up to date with the store. */
  async synced(projectId: string): Promise<ProjectScreening> {
    const p = await this.project(projectId);
    await p.sync();
    return p;
  }
}

const registries = new WeakMap<FastifyInstance, ScreeningProjects>();

/** The server's screening state (created by the first caller). */
export function screeningProjects(app: FastifyInstance, store: Store): ScreeningProjects {
  let r = registries.get(app);
  if (!r) {
    r = new ScreeningProjects(app, store);
    registries.set(app, r);
  }
  return r;
}
