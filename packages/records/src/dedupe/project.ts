import { InputError, pairKey, type BibRecord, type DuplicateGroup, type DuplicatePair, type Page } from "@homeward/model";
import { compareFields, comparePair, dedupe, Detector, mostComplete, type DedupeInput, type DedupeProgress, type DedupeResult, type FieldComparison, type PairVerdict } from "./index.js";
import { fromBibRecord } from "../model-map.js";

/** Who writes, and why (the audit log keeps both); `roles` for the collections' permission rules. */
export interface DuplicatesWriter {
  actor: string;
  reason?: string | null;
  roles?: readonly string[];
}

/**
 * What the duplicates workflow needs of the store. @homeward/store's Store
 * has these methods; the interface keeps this package free of database code.
 */
export interface DuplicatesStore {
  transaction<T>(fn: (tx: DuplicatesStore) => Promise<T>): Promise<T>;
  get(projectId: string, c: "records", id: string): Promise<BibRecord>;
  get(projectId: string, c: "duplicateGroups", id: string): Promise<DuplicateGroup>;
  get(projectId: string, c: "duplicatePairs", id: string): Promise<DuplicatePair>;
  list(projectId: string, c: "records", where?: { duplicateGroupId?: string }): Promise<BibRecord[]>;
  list(projectId: string, c: "duplicateGroups"): Promise<DuplicateGroup[]>;
  list(projectId: string, c: "duplicatePairs", where?: { status?: DuplicatePair["status"]; recordIdA?: string; recordIdB?: string }): Promise<DuplicatePair[]>;
  insert(projectId: string, c: "duplicateGroups", items: Partial<DuplicateGroup>[], ctx: DuplicatesWriter): Promise<DuplicateGroup[]>;
  insert(projectId: string, c: "duplicatePairs", items: Partial<DuplicatePair>[], ctx: DuplicatesWriter): Promise<DuplicatePair[]>;
  update(projectId: string, c: "records", id: string, patch: Partial<BibRecord>, ctx: DuplicatesWriter): Promise<BibRecord>;
  update(projectId: string, c: "duplicatePairs", id: string, patch: Partial<DuplicatePair>, ctx: DuplicatesWriter): Promise<DuplicatePair>;
  remove(projectId: string, c: "duplicateGroups", id: string, ctx: DuplicatesWriter): Promise<void>;
  /**
   * A page of the project's records as detection reads them, in `list`'s order, after the record
   * `after` (or the records `ids`): no raw text, and of `extra` only the string values of
   * `extraKeys`. Without it (a store kept in memory), records are read with `list`.
   */
  dedupeRecords?(
    projectId: string,
    page: { after?: { createdAt: string; id: string } | null; ids?: readonly string[]; limit: number; extraKeys: readonly string[] },
  ): Promise<DedupeRecordRow[]>;
  /**
   * Sets the duplicate group of many records (null: in none) in the caller's transaction, audited a
   * batch at a time (one entry naming every record changed). Without it, records are updated one by one.
   */
  setDuplicateGroups?(projectId: string, changes: readonly { id: string; duplicateGroupId: string | null }[], ctx: DuplicatesWriter): Promise<number>;
  /** The project's audit log, newest first: how a detection run learns that a reviewer changed duplicates while it ran. */
  listAudit(projectId: string, page: { offset?: number; limit?: number }): Promise<{ total: number; items: { action: string }[] }>;
}

/** A record as duplicate detection reads it: the fields its rules read, and of `extra` only what they read. */
export type DedupeRecordRow = Pick<BibRecord, "id" | "createdAt" | "title" | "authors" | "year" | "journal" | "volume" | "issue" | "pages" | "doi" | "pmid" | "abstract" | "duplicateGroupId"> & {
  extra: Record<string, unknown>;
};

/** The keys of a record's `extra` that the rules read (as `fromBibRecord` maps them). */
export const DEDUPE_EXTRA_KEYS = ["originalTitle", "journalAbbrev", "booktitle", "issn", "isbn", "recordType", "yearText"] as const;

const writerOf = (w: string | DuplicatesWriter): DuplicatesWriter => (typeof w === "string" ? { actor: w } : w);
/**
 * What the rules read of a record, and no more (a run posts these to a worker thread); the abstract
 * as its length. The fields as `fromBibRecord` gives them, read from a whole record or a narrow row.
 */
function inputOf(r: BibRecord | DedupeRecordRow): DedupeInput {
  const e = fromBibRecord(r as BibRecord);
  return {
    id: r.id,
    title: e.title,
    originalTitle: e.originalTitle,
    authors: e.authors,
    year: e.year,
    journal: e.journal,
    journalAbbrev: e.journalAbbrev,
    booktitle: e.booktitle,
    volume: e.volume,
    issue: e.issue,
    pages: e.pages,
    doi: e.doi,
    pmid: e.pmid,
    type: e.type,
    isbn: e.isbn,
    issn: e.issn,
    abstractLength: e.abstract?.trim() ? e.abstract.length : 0,
  };
}

/** Records per read: a page's rows (abstracts included, for their length) are all a run holds of the database's text at once. */
const READ_PAGE = 2000;

/**
 * Hands the project's records, as the rules read them, to `session` in `list`'s order, a page at
 * a time (nothing here keeps a page once it is handed on); answers the groups of the records in one
 * (the others are in none).
 */
async function feed(store: DuplicatesStore, projectId: string, session: DedupeSession): Promise<Map<string, string>> {
  const groupOf = new Map<string, string>();
  const take = async (rows: readonly (BibRecord | DedupeRecordRow)[]) => {
    for (const r of rows) if (r.duplicateGroupId) groupOf.set(r.id, r.duplicateGroupId);
    await session.add(rows.map(inputOf));
  };
  if (!store.dedupeRecords) {
    await take(await store.list(projectId, "records"));
    return groupOf;
  }
  let after: { createdAt: string; id: string } | null = null;
  for (;;) {
    const rows: DedupeRecordRow[] = await store.dedupeRecords(projectId, { after, limit: READ_PAGE, extraKeys: DEDUPE_EXTRA_KEYS });
    await take(rows);
    if (rows.length < READ_PAGE) return groupOf;
    const last = rows[rows.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
    await yieldToLoop();
  }
}

/** The records `ids` as the rules read them (the few that the reasons of new pairs are worded from). */
async function readSome(store: DuplicatesStore, projectId: string, ids: readonly string[]): Promise<Map<string, DedupeInput>> {
  const out = new Map<string, DedupeInput>();
  if (!ids.length) return out;
  if (!store.dedupeRecords) {
    const wanted = new Set(ids);
    for (const r of await store.list(projectId, "records")) if (wanted.has(r.id)) out.set(r.id, inputOf(r));
    return out;
  }
  for (let k = 0; k < ids.length; k += READ_PAGE) {
    const part = ids.slice(k, k + READ_PAGE);
    for (const r of await store.dedupeRecords(projectId, { ids: part, limit: part.length, extraKeys: DEDUPE_EXTRA_KEYS })) out.set(r.id, inputOf(r));
  }
  return out;
}

// ---------------------------------------------------------------- detection

export interface DedupeProjectResult {
  /** New duplicate groups. */
  groups: number;
  /** Records added to groups (new or existing). */
  grouped: number;
  /** Pairs this run added to the "maybe" queue. */
  maybe: number;
  /** Pairs waiting for a reviewer after this run, from every run: the queue a reviewer sees. */
  leftToReviewers: number;
}

/** How far a detection run has got: reading the project, comparing (blocks), grouping, saving (records linked). */
export interface DedupeProjectProgress {
  phase: "reading" | DedupeProgress["phase"] | "saving";
  done: number;
  total: number;
}

/** Reviewers' decisions a run keeps: groups of records judged the same, pairs judged different. */
export interface DedupeDecided {
  together: string[][];
  separate: [string, string][];
}

/** One detection run, fed the project's records a page at a time, then finished. */
export interface DedupeSession {
  /** Takes a page of records; the caller keeps nothing of it. Resolves when another page may be given. */
  add(records: DedupeInput[]): Promise<void>;
  /** Compares and groups: groups of two or more records, and the "maybe" pairs (nothing else is read). */
  finish(decided: DedupeDecided): Promise<DedupeResult>;
  /** Ends a run that will not be finished (reading failed). */
  cancel(): void;
}

/** Starts a detection run (here, or in a worker thread: see `dedupeInWorker`); `signal` ends it. */
export type DedupeRunner = (onProgress: (p: DedupeProgress) => void, options?: { signal?: AbortSignal }) => DedupeSession;

export interface DedupeProjectOptions {
  run?: DedupeRunner;
  onProgress?: (p: DedupeProjectProgress) => void;
}

const inThread: DedupeRunner = (onProgress) => {
  const detector = new Detector();
  return {
    add: async (records) => detector.add(records),
    finish: async (decided) => detector.finish(decided, { onProgress, multiOnly: true }),
    cancel: () => undefined,
  };
};

/** Audit actions that change what detection reads: group membership and reviewers' decisions. */
const RELEVANT = /^(records\.update|duplicateGroups\.|duplicatePairs\.)/;
/**
 * Groups or records written per batch: one insert, or one update and one
 * audit entry naming every record, between turns of the event loop (SQLite
 * answers synchronously, so a chain of awaited writes would let the server
 * answer nothing else, not even a progress poll, until the transaction ends).
 */
const WRITE_BATCH = 500;
/** Stands for a group not yet written (the `k`th new one) until the store has given it an id. */
const NEW = "\u0000new:";
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Attempts before a run gives up because reviewers keep changing duplicates while it compares. */
const ATTEMPTS = 3;

/**
 * Finds duplicates among a project's records and links them: records are
 * never deleted, only given a duplicate group whose primary is the most
 * complete record. Reviewers' decisions stand: existing groups are kept (and
 * may gain records), records judged different are never grouped again, and a
 * question already put to reviewers (about the same two records or groups)
 * is not asked again. Uncertain pairs, and groups the rules would join that
 * are apart today, go to the "maybe" queue with the reason. No group of one
 * record is left behind.
 *
 * The audit log's position, pairs and groups are read in one transaction,
 * then the records a page at a time (only what the rules read), compared
 * outside any transaction (the long part, which `options.run` may move to a
 * worker thread), and the result is written in another transaction, which
 * first checks the audit log: if group membership or a duplicate decision
 * changed since the position was read, the run starts again, so it never
 * overwrites a reviewer's decision made while it was reading or comparing.
 */
export async function dedupeProject(store: DuplicatesStore, projectId: string, who: string | DuplicatesWriter, options: DedupeProjectOptions = {}): Promise<DedupeProjectResult> {
  const ctx = writerOf(who);
  const run = options.run ?? inThread;
  const progress = options.onProgress ?? (() => {});
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    progress({ phase: "reading", done: 0, total: 1 });
    // The position first: whatever changes after it, while records are read or compared, is seen before writing.
    const head = await store.transaction(async (tx) => {
      const mark = (await tx.listAudit(projectId, { limit: 1 })).total;
      const [pairs, groups] = await Promise.all([tx.list(projectId, "duplicatePairs"), tx.list(projectId, "duplicateGroups")]);
      return { mark, pairs, groups };
    });
    // Records are read only as what the rules read, a page at a time, and handed to the detector as they
    // come: a million whole records (raw text, extra fields) do not fit a heap, and nor did a million inputs.
    const session = run(progress);
    let groupOf: Map<string, string>;
    try {
      groupOf = await feed(store, projectId, session);
    } catch (e) {
      session.cancel();
      throw e;
    }
    const snap = { ...head, groupOf };
    progress({ phase: "reading", done: 1, total: 1 });
    const members = new Map<string, string[]>();
    for (const [id, g] of snap.groupOf) {
      const m = members.get(g);
      if (m) m.push(id);
      else members.set(g, [id]);
    }
    const together = [...members.values(), ...snap.pairs.filter((p) => p.status === "duplicate").map((p) => [p.recordIdA, p.recordIdB])];
    const separate = snap.pairs.filter((p) => p.status === "not_duplicate").map((p) => [p.recordIdA, p.recordIdB] as [string, string]);
    const found = await session.finish({ together, separate });
    const written = await store.transaction(async (tx) => {
      const now = await tx.listAudit(projectId, { limit: 1 });
      const since = now.total - snap.mark;
      if (since > 0) {
        // Imports and screening do not matter here; a reviewer's duplicate decision does.
        if (since > 1000) return null;
        const recent = await tx.listAudit(projectId, { limit: since });
        if (recent.items.some((e) => RELEVANT.test(e.action))) return null;
      }
      return applyDetection(tx, projectId, ctx, snap, found, progress);
    });
    if (written) return written;
  }
  throw new InputError(`duplicates were changed by reviewers during each of ${ATTEMPTS} detection runs; nothing was written, run detection again`, 409);
}

async function applyDetection(
  tx: DuplicatesStore,
  projectId: string,
  ctx: DuplicatesWriter,
  snap: { groupOf: Map<string, string>; pairs: DuplicatePair[]; groups: DuplicateGroup[] },
  found: DedupeResult,
  progress: (p: DedupeProjectProgress) => void,
): Promise<DedupeProjectResult> {
  const groupOf = (id: string) => snap.groupOf.get(id) ?? null;
  const primaryOf = new Map(snap.groups.map((g) => [g.id, g.primaryRecordId]));
  // Where each record ends up: its group's id, or itself when in none. Only records moved are kept here.
  const moved = new Map<string, string>();
  const component = (id: string) => moved.get(id) ?? groupOf(id) ?? `record:${id}`;
  const size = new Map<string, number>();
  for (const g of snap.groupOf.values()) if (g) size.set(g, (size.get(g) ?? 0) + 1);
  const result: DedupeProjectResult = { groups: 0, grouped: 0, maybe: 0, leftToReviewers: 0 };
  const bridges: [string, string][] = [];
  const work = found.groups.filter((g) => g.length > 1 && g.some((id) => !groupOf(id) || groupOf(id) !== groupOf(g[0]!)));
  // Worked out first, written after in batches: the new groups, then every record's new group.
  const newGroups: { members: readonly string[]; id?: string }[] = [];
  const changes: { id: string; duplicateGroupId: string | null }[] = [];
  /** Records of `changes` that go into the new group `newGroups[k]`, by their place in `changes`. */
  const intoNew: [number, number][] = [];
  for (const g of work) {
    const old = [...new Set(g.map(groupOf).filter((x): x is string => !!x))];
    if (old.length > 1) {
      // Joining groups that are apart today is a reviewer's call: ask about their primaries.
      for (const other of old.slice(1)) bridges.push([primaryOf.get(old[0]) ?? g[0], primaryOf.get(other) ?? other]);
      continue;
    }
    const groupId = old[0] ?? `${NEW}${newGroups.length}`;
    if (!old[0]) newGroups.push({ members: g });
    for (const id of g) {
      const was = groupOf(id);
      if (was === groupId) continue;
      if (!old[0]) intoNew.push([changes.length, newGroups.length - 1]);
      changes.push({ id, duplicateGroupId: groupId });
      if (was) size.set(was, size.get(was)! - 1);
      size.set(groupId, (size.get(groupId) ?? 0) + 1);
      moved.set(id, groupId);
    }
  }
  // A group of one (left by an earlier undo, or made by hand) is no group: its record stands alone again.
  const small = snap.groups.filter((g) => (size.get(g.id) ?? 0) < 2);
  if (small.length) {
    const ids = new Set(small.map((g) => g.id));
    // Only records that were in a group can be in one left small: a group a run fills has two or more.
    for (const id of snap.groupOf.keys()) {
      if (!ids.has(component(id))) continue;
      changes.push({ id, duplicateGroupId: null });
      moved.set(id, `record:${id}`);
    }
  }
  const total = newGroups.length + changes.length;
  let done = 0;
  progress({ phase: "saving", done, total });
  // The new groups a batch at a time (a batch is one insert, audited as the store audits a bulk write), ...
  for (let k = 0; k < newGroups.length; k += WRITE_BATCH) {
    const batch = newGroups.slice(k, k + WRITE_BATCH);
    const made = await tx.insert(projectId, "duplicateGroups", batch.map((f) => ({ primaryRecordId: f.members[0], method: "automatic" as const })), ctx);
    made.forEach((g, j) => ((newGroups[k + j]!.id = g.id)));
    progress({ phase: "saving", done: (done += batch.length), total });
    await yieldToLoop();
  }
  for (const [c, f] of intoNew) changes[c]!.duplicateGroupId = newGroups[f]!.id!;
  for (const [id, g] of moved) if (g.startsWith(NEW)) moved.set(id, newGroups[Number(g.slice(NEW.length))]!.id!);
  result.groups = newGroups.length;
  result.grouped = changes.length - changes.filter((c) => c.duplicateGroupId === null).length;
  // ... then the records a batch at a time (one audit entry each naming every record changed), ...
  for (let k = 0; k < changes.length; k += WRITE_BATCH) {
    const batch = changes.slice(k, k + WRITE_BATCH);
    if (tx.setDuplicateGroups) await tx.setDuplicateGroups(projectId, batch, ctx);
    else for (const c of batch) await tx.update(projectId, "records", c.id, { duplicateGroupId: c.duplicateGroupId }, ctx);
    progress({ phase: "saving", done: (done += batch.length), total });
    await yieldToLoop();
  }
  // ... then the groups left with fewer than two records, now empty.
  for (const g of small) await tx.remove(projectId, "duplicateGroups", g.id, ctx);
  // One question per two groups (or records): a pair already asked, pending or decided, is not asked again.
  const asked = new Set(snap.pairs.map((p) => pairKey(component(p.recordIdA), component(p.recordIdB))));
  // The records of the questions, read again (unchanged since they were compared: a change would have restarted the run).
  const inputById = await readSome(tx, projectId, [...new Set([...bridges, ...found.maybe].flat())]);
  const fresh: Partial<DuplicatePair>[] = [];
  const ask = (a: string, b: string, why: (v: PairVerdict) => string[]) => {
    const ca = component(a);
    const cb = component(b);
    if (ca === cb) return;
    const k = pairKey(ca, cb);
    if (asked.has(k)) return;
    asked.add(k);
    fresh.push({ recordIdA: a, recordIdB: b, reasons: why(comparePair(inputById.get(a)!, inputById.get(b)!)), status: "pending" });
  };
  for (const [a, b] of bridges) ask(a, b, (v) => ["the rules would join two groups that are apart", v.reason]);
  for (const [a, b] of found.maybe) ask(a, b, (v) => [v.reason]);
  if (fresh.length) await tx.insert(projectId, "duplicatePairs", fresh, ctx);
  result.maybe = fresh.length;
  result.leftToReviewers = snap.pairs.filter((p) => p.status === "pending").length + fresh.length;
  return result;
}

// ---------------------------------------------------------------- reviewers' decisions

export type PairDecision = "duplicate" | "not_duplicate";

export interface PairDecisionResult {
  pair: DuplicatePair;
  /** The group both records are in after a "duplicate" decision. */
  groupId: string | null;
}

/**
 * A reviewer decides an uncertain pair; the decision is signed with the
 * acting user and the time. "duplicate" links the two records (and their
 * groups) at once; "not_duplicate" keeps them apart on every later run.
 * Refused (409) when it contradicts an earlier decision: records judged
 * different cannot be joined, and two records in one group are told apart
 * by splitting the group.
 */
export async function decideDuplicatePair(store: DuplicatesStore, projectId: string, pairId: string, decision: PairDecision, who: DuplicatesWriter): Promise<PairDecisionResult> {
  return store.transaction(async (tx) => {
    const pair = await tx.get(projectId, "duplicatePairs", pairId);
    const [a, b] = await Promise.all([tx.get(projectId, "records", pair.recordIdA), tx.get(projectId, "records", pair.recordIdB)]);
    let groupId: string | null = null;
    if (decision === "duplicate") groupId = await link(tx, projectId, a, b, who, pair.id);
    else if (a.duplicateGroupId && a.duplicateGroupId === b.duplicateGroupId)
      throw new InputError(`"${short(a)}" and "${short(b)}" are in one duplicate group; take one of them out of the group instead`, 409);
    const decided = await tx.update(projectId, "duplicatePairs", pair.id, { status: decision, decidedBy: who.actor, decidedAt: new Date().toISOString() }, who);
    return { pair: decided, groupId };
  });
}

const short = (r: BibRecord) => (r.title.length > 60 ? `${r.title.slice(0, 57)}…` : r.title) || r.id;

/** Pairs involving any of `ids`, each once. */
async function pairsOf(tx: DuplicatesStore, projectId: string, ids: readonly string[]): Promise<DuplicatePair[]> {
  const out = new Map<string, DuplicatePair>();
  for (const id of ids) {
    const [asA, asB] = await Promise.all([tx.list(projectId, "duplicatePairs", { recordIdA: id }), tx.list(projectId, "duplicatePairs", { recordIdB: id })]);
    for (const p of [...asA, ...asB]) out.set(p.id, p);
  }
  return [...out.values()];
}

/** Puts `a` and `b` (with their groups) into one group; returns its id. */
async function link(tx: DuplicatesStore, projectId: string, a: BibRecord, b: BibRecord, who: DuplicatesWriter, exceptPair: string): Promise<string> {
  if (a.duplicateGroupId && a.duplicateGroupId === b.duplicateGroupId) return a.duplicateGroupId;
  const side = async (r: BibRecord) => (r.duplicateGroupId ? tx.list(projectId, "records", { duplicateGroupId: r.duplicateGroupId }) : [r]);
  const [xs, ys] = await Promise.all([side(a), side(b)]);
  const inX = new Set(xs.map((r) => r.id));
  const inY = new Set(ys.map((r) => r.id));
  const apart = (await pairsOf(tx, projectId, [...inX])).find(
    (p) => p.id !== exceptPair && p.status === "not_duplicate" && ((inX.has(p.recordIdA) && inY.has(p.recordIdB)) || (inY.has(p.recordIdA) && inX.has(p.recordIdB))),
  );
  if (apart)
    throw new InputError(
      `records "${apart.recordIdA}" and "${apart.recordIdB}" were judged different by ${apart.decidedBy ?? "a reviewer"}${apart.decidedAt ? ` on ${apart.decidedAt.slice(0, 10)}` : ""}; joining these would undo that`,
      409,
    );
  if (!a.duplicateGroupId && !b.duplicateGroupId) {
    const [g] = await tx.insert(projectId, "duplicateGroups", [{ primaryRecordId: mostComplete([inputOf(a), inputOf(b)]), method: "manual" }], who);
    for (const r of [a, b]) await tx.update(projectId, "records", r.id, { duplicateGroupId: g.id }, who);
    return g.id;
  }
  // The larger group stays; the other's records join it and the emptied group goes.
  const [keep, move] = !a.duplicateGroupId ? [b.duplicateGroupId!, xs] : !b.duplicateGroupId ? [a.duplicateGroupId, ys] : xs.length >= ys.length ? [a.duplicateGroupId, ys] : [b.duplicateGroupId, xs];
  const emptied = move[0]!.duplicateGroupId;
  for (const r of move) await tx.update(projectId, "records", r.id, { duplicateGroupId: keep }, who);
  if (emptied) await tx.remove(projectId, "duplicateGroups", emptied, who);
  return keep;
}

export interface SplitResult {
  /** The groups the records are in afterwards (parts of one record are in none). */
  groups: string[];
  /** Records that stand alone afterwards. */
  alone: string[];
  /** Pairs of records now recorded as judged different. */
  separated: number;
}

/**
 * Splits a duplicate group into `parts` (every record of the group in exactly
 * one): undoing a merge is a part of one record. Each part of two or more is
 * a group (the part with the primary keeps the group), a part of one stands
 * alone, and every two records of different parts are recorded as judged
 * different by the acting user, so no later run joins them again.
 */
export async function splitDuplicateGroup(store: DuplicatesStore, projectId: string, groupId: string, parts: readonly (readonly string[])[], who: DuplicatesWriter): Promise<SplitResult> {
  return store.transaction(async (tx) => {
    const group = await tx.get(projectId, "duplicateGroups", groupId);
    const members = await tx.list(projectId, "records", { duplicateGroupId: groupId });
    const byId = new Map(members.map((r) => [r.id, r]));
    const seen = new Set<string>();
    for (const part of parts)
      for (const id of part) {
        if (!byId.has(id)) throw new InputError(`record "${id}" is not in duplicate group "${groupId}"`);
        if (seen.has(id)) throw new InputError(`record "${id}" is in two parts`);
        seen.add(id);
      }
    const missing = members.find((r) => !seen.has(r.id));
    if (missing) throw new InputError(`record "${missing.id}" of the group is in no part; every record goes in one`);
    const nonEmpty = parts.filter((p) => p.length > 0);
    if (nonEmpty.length < 2) throw new InputError("a split needs at least two parts");
    const keeper = nonEmpty.find((p) => p.includes(group.primaryRecordId) && p.length >= 2) ?? nonEmpty.find((p) => p.length >= 2);
    const out: SplitResult = { groups: [], alone: [], separated: 0 };
    for (const part of nonEmpty) {
      if (part === keeper) {
        if (!part.includes(group.primaryRecordId)) {
          // The primary left: the group's primary becomes its most complete remaining record.
          const [replacement] = await tx.insert(projectId, "duplicateGroups", [{ primaryRecordId: mostComplete(part.map((id) => inputOf(byId.get(id)!))), method: "manual" }], who);
          for (const id of part) await tx.update(projectId, "records", id, { duplicateGroupId: replacement.id }, who);
          out.groups.push(replacement.id);
        } else out.groups.push(groupId);
        continue;
      }
      if (part.length === 1) {
        await tx.update(projectId, "records", part[0]!, { duplicateGroupId: null }, who);
        out.alone.push(part[0]!);
        continue;
      }
      const [g] = await tx.insert(projectId, "duplicateGroups", [{ primaryRecordId: mostComplete(part.map((id) => inputOf(byId.get(id)!))), method: "manual" }], who);
      for (const id of part) await tx.update(projectId, "records", id, { duplicateGroupId: g.id }, who);
      out.groups.push(g.id);
    }
    if (!out.groups.includes(groupId)) await tx.remove(projectId, "duplicateGroups", groupId, who);
    // Every two records now apart are judged different, whatever was said of them before.
    const partOf = new Map<string, number>();
    nonEmpty.forEach((p, i) => p.forEach((id) => partOf.set(id, i)));
    const existing = new Map((await pairsOf(tx, projectId, [...seen])).filter((p) => seen.has(p.recordIdA) && seen.has(p.recordIdB)).map((p) => [pairKey(p.recordIdA, p.recordIdB), p]));
    const at = new Date().toISOString();
    const fresh: Partial<DuplicatePair>[] = [];
    const ids = [...seen];
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++) {
        const [x, y] = [ids[i]!, ids[j]!];
        if (partOf.get(x) === partOf.get(y)) continue;
        out.separated++;
        const p = existing.get(pairKey(x, y));
        if (!p) fresh.push({ recordIdA: x, recordIdB: y, reasons: ["taken apart from a duplicate group"], status: "not_duplicate", decidedBy: who.actor, decidedAt: at });
        else if (p.status !== "not_duplicate") await tx.update(projectId, "duplicatePairs", p.id, { status: "not_duplicate", decidedBy: who.actor, decidedAt: at }, who);
      }
    if (fresh.length) await tx.insert(projectId, "duplicatePairs", fresh, who);
    return out;
  });
}

/**
 * How the rules link a group's records, from the first (the primary) outwards: for each other record,
 * the record it was matched with, the reason and the deciding fields. Records the rules do not link
 * (joined by a reviewer) are absent.
 */
export function explainGroup(records: readonly DedupeInput[]): Map<string, { recordId: string; reason: string; fields: string[] }> {
  const out = new Map<string, { recordId: string; reason: string; fields: string[] }>();
  if (records.length < 2) return out;
  const { links = [] } = dedupe(records);
  const next = new Map<string, { other: string; reason: string; fields: string[] }[]>();
  for (const l of links) {
    next.set(l.a, [...(next.get(l.a) ?? []), { other: l.b, reason: l.reason, fields: l.fields }]);
    next.set(l.b, [...(next.get(l.b) ?? []), { other: l.a, reason: l.reason, fields: l.fields }]);
  }
  const seen = new Set<string>();
  for (const root of records.map((r) => r.id)) {
    if (seen.has(root)) continue;
    seen.add(root);
    const queue = [root];
    while (queue.length) {
      const id = queue.shift()!;
      for (const e of next.get(id) ?? []) {
        if (seen.has(e.other)) continue;
        seen.add(e.other);
        out.set(e.other, { recordId: id, reason: e.reason, fields: e.fields });
        queue.push(e.other);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- reading, a page at a time

export interface PageRequest {
  offset: number;
  limit: number;
}

/** A record of a group, with what ties it to the group's primary. */
export interface GroupMember {
  record: Pick<BibRecord, "id" | "title" | "authors" | "year" | "journal" | "volume" | "issue" | "pages" | "doi" | "pmid">;
  primary: boolean;
  /** The rules' verdict on this record and the primary, with its reason (null for the primary). */
  match: PairVerdict | null;
  /** The fields compared with the primary's: "same" and "equivalent" ones are what tie them. */
  fields: FieldComparison[];
  /**
   * Why the rules put this record in the group: the record of the group it was matched with (the
   * primary or another copy), the rule's reason and the fields that decided. Null for the primary,
   * and for a record only a reviewer put here (the rules find no link for it).
   */
  joinedBy: { recordId: string; reason: string; fields: string[] } | null;
}

export interface DuplicateGroupView {
  group: DuplicateGroup;
  members: GroupMember[];
}

/**
 * A page of duplicate groups (newest last), each with its records and, for
 * each record, the fields it shares with the primary and the rule that
 * decided. Only the page's records are read.
 */
export async function listDuplicateGroups(store: DuplicatesStore, projectId: string, page: PageRequest): Promise<Page<DuplicateGroupView>> {
  const groups = await store.list(projectId, "duplicateGroups");
  const slice = groups.slice(page.offset, page.offset + page.limit);
  const items = await Promise.all(
    slice.map(async (group) => {
      const recs = await store.list(projectId, "records", { duplicateGroupId: group.id });
      const primary = recs.find((r) => r.id === group.primaryRecordId);
      const p = primary ? inputOf(primary) : null;
      const ordered = primary ? [primary, ...recs.filter((r) => r !== primary)] : recs;
      const joinedBy = explainGroup(ordered.map(inputOf));
      return {
        group,
        members: ordered.map((r): GroupMember => {
          const isPrimary = r === primary;
          const x = inputOf(r);
          return {
            record: { id: r.id, title: r.title, authors: r.authors, year: r.year, journal: r.journal, volume: r.volume, issue: r.issue, pages: r.pages, doi: r.doi, pmid: r.pmid },
            primary: isPrimary,
            match: p && !isPrimary ? comparePair(p, x) : null,
            fields: p && !isPrimary ? compareFields(p, x) : [],
            joinedBy: joinedBy.get(r.id) ?? null,
          };
        }),
      };
    }),
  );
  return { total: groups.length, offset: page.offset, limit: page.limit, items };
}

/** A pair in the queue with enough of each record to list it. */
export interface DuplicatePairSummary {
  pair: DuplicatePair;
  a: Pick<BibRecord, "id" | "title" | "year">;
  b: Pick<BibRecord, "id" | "title" | "year">;
}

/** A page of duplicate pairs with a status (oldest first), with the titles of both records. */
export async function listDuplicatePairs(store: DuplicatesStore, projectId: string, status: DuplicatePair["status"], page: PageRequest): Promise<Page<DuplicatePairSummary>> {
  const pairs = await store.list(projectId, "duplicatePairs", { status });
  const slice = pairs.slice(page.offset, page.offset + page.limit);
  const brief = (r: BibRecord) => ({ id: r.id, title: r.title, year: r.year });
  const items = await Promise.all(
    slice.map(async (pair) => {
      const [a, b] = await Promise.all([store.get(projectId, "records", pair.recordIdA), store.get(projectId, "records", pair.recordIdB)]);
      return { pair, a: brief(a), b: brief(b) };
    }),
  );
  return { total: pairs.length, offset: page.offset, limit: page.limit, items };
}

/** The counts a reviewer sees on the duplicates page; each counted from the stored groups and pairs. */
export interface DuplicatesSummary {
  groups: number;
  pending: number;
  duplicate: number;
  notDuplicate: number;
}

export async function duplicatesSummary(store: DuplicatesStore, projectId: string): Promise<DuplicatesSummary> {
  const [groups, pairs] = await Promise.all([store.list(projectId, "duplicateGroups"), store.list(projectId, "duplicatePairs")]);
  const count = (s: DuplicatePair["status"]) => pairs.filter((p) => p.status === s).length;
  return { groups: groups.length, pending: count("pending"), duplicate: count("duplicate"), notDuplicate: count("not_duplicate") };
}

/** One pair side by side, compared field by field. */
export interface DuplicatePairView {
  pair: DuplicatePair;
  a: BibRecord;
  b: BibRecord;
  fields: FieldComparison[];
  verdict: PairVerdict;
}

export async function duplicatePairView(store: DuplicatesStore, projectId: string, pairId: string): Promise<DuplicatePairView> {
  const pair = await store.get(projectId, "duplicatePairs", pairId);
  const [a, b] = await Promise.all([store.get(projectId, "records", pair.recordIdA), store.get(projectId, "records", pair.recordIdB)]);
  const ra = inputOf(a);
  const rb = inputOf(b);
  return { pair, a, b, fields: compareFields(ra, rb), verdict: comparePair(ra, rb) };
}
