import { createHash, randomUUID } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import { among } from "./among.js";
import { writeInParts } from "./parts.js";
import { sql, type Kysely, type Transaction } from "kysely";
import {
  AuditEntry,
  Blinding,
  type BlindStage,
  Role,
  ROLE_ORDER,
  checkChain,
  describeBreak,
  entryHash,
  type ChainBreak,
  collectionInfo,
  collectionNames,
  emptyProtocol,
  fileRuleContext,
  InputError,
  isIncludedStudy,
  parseInput,
  parseProjectFile,
  Project,
  ProjectCreate,
  ProjectPatch,
  Protocol,
  ProtocolFields,
  checkProtocolChange,
  sectionVersion,
  type ProtocolSection,
  type ProtocolUsage,
  RecordsQuery,
  User,
  PageQuery,
  PROJECT_FORMAT,
  PROJECT_FORMAT_VERSION,
  type Actor,
  type CollectionName,
  type Entity,
  type FlowCount,
  type EntityInput,
  type Page,
  type ProjectFile,
  type StoredFileEntry,
  type ProjectSummary,
  type RecordsQueryInput,
  type RecordSummary,
  type RecordsCount,
  type RuleContext,
  type StudyReportView,
  type StudyView,
  type Where,
} from "@homeward/model";
import type BetterSqlite3 from "better-sqlite3";
import { fold, insertPostgres, insertSqlite, MAX_LEXEME_BYTES, recordExtras } from "./bulk.js";
import { fieldMaps, fromColumns, fromRow, snake, storedText, tableOf, toRow } from "./mapping.js";
import { auditEntryOfRow, sha256, type Dialect } from "./migrations.js";
import { Leases } from "./leases.js";
import { StoreAccounts } from "./accounts.js";
import { ConflictError, OnePerClash, onePerRule, onePerViolation, splitSuperseded, standingAt } from "./one-per.js";
import { projectRecordCount, readFlowCounts, refreshFlow } from "./flow.js";
import { beyond, ordered, placeOf, RecordMarks, type SortColumn } from "./records-paging.js";
import { SqliteSearch } from "./search-sqlite.js";
import { readOnlyTwin, readSnapshot, turns } from "./snapshot.js";
import { linkRecords, type DuplicateGroupChange } from "./duplicate-links.js";

/** Who is writing, and optionally why; recorded in the audit log. */
export interface WriteContext {
  actor: string;
  reason?: string | null;
  /** The actor's roles in the project, for the collections' permission rules (none until sign-in provides them). */
  roles?: readonly string[];
}

/** Fields the store fills when a new entity leaves them out: a fresh id, the time, the acting user. */
type AutoField =
  | "id"
  | "createdAt"
  | "at"
  | "addedAt"
  | "importedAt"
  | "assignedAt"
  | "updatedAt"
  | "recordedAt"
  | "createdBy"
  | "importedBy"
  | "recordedBy"
  | "updatedBy"
  | "acceptedBy"
  | "resolvedBy"
  | "reviewer";
export type NewEntity<C extends CollectionName> = Omit<EntityInput<C>, AutoField> &
  Partial<Pick<EntityInput<C>, Extract<keyof EntityInput<C>, AutoField>>>;

const TIME_FIELDS = new Set(["createdAt", "at", "addedAt", "importedAt", "assignedAt", "updatedAt", "recordedAt"]);
const ACTOR_FIELDS = new Set(["createdBy", "importedBy", "recordedBy", "updatedBy", "acceptedBy", "resolvedBy", "reviewer"]);

/**
 * Above this many entities one write is audited as parts holding every
 * entity's after-value ({part, parts, items}, AUDIT_PART_SIZE each) and one
 * summary entry ({count, ids, parts}, or {count, firstId, lastId, parts} past
 * 1000) rather than one entry each.
 */
const AUDIT_EACH_MAX = 50;
const AUDIT_IDS_MAX = 1000;
/** Entities whose after-values one audit entry of a bulk write holds. */
const AUDIT_PART_SIZE = 500;
/**
 * Parts of a bulk write's audit serialised while its rows are written, and
 * linked into the chain at a time: what bounds the serialised text held at
 * once (a part of 500 records is ~2 MB of JSON, held twice).
 */
const AUDIT_PARTS_AHEAD = 10;
/** Records written by one transaction (however many calls) from which PostgreSQL gets a background VACUUM ANALYZE. */
const BULK_MAINTENANCE_MIN = 5000;

/** Matches of a records search counted exactly; past it the page's total is this many, marked `totalCapped`. */
export const SEARCH_COUNT_CAP = 1_000;

/** Longest before/after value an audit listing carries as is (characters of its JSON). */
const AUDIT_LIST_VALUE_MAX = 64 * 1024;

const now = () => new Date().toISOString();

/**
 * `rows.map(f)`, the event loop given turns (snapshot.ts `turns`): a project
 * export maps hundreds of thousands of rows, which on a PostgreSQL server's
 * main thread would hold every other request meanwhile.
 */
async function mapInTurns<R, T>(rows: readonly R[], f: (r: R) => T): Promise<T[]> {
  const out: T[] = new Array(rows.length);
  const pause = turns();
  for (let at = 0; at < rows.length; at++) {
    if ((at & 255) === 255) await pause();
    out[at] = f(rows[at]!);
  }
  return out;
}

/** A stored file's description (its bytes are read with `readFile`). */
export interface StoredFile {
  sha256: string;
  size: number;
  mediaType: string | null;
  createdAt: string;
}

const fileOfRow = (r: Record<string, unknown>): StoredFile => ({
  sha256: r.sha256 as string,
  size: Number(r.size),
  mediaType: (r.media_type as string | null) ?? null,
  createdAt: r.created_at as string,
});
const sha256Bytes = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const actorOf = (ctx: WriteContext): Actor => ({ name: ctx.actor, roles: ctx.roles ?? [] });
const notFound = (what: string) => new InputError(`${what} not found`, 404);

export interface AuditInput {
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * The store: one typed, async API over SQLite or PostgreSQL. Every write runs
 * in a transaction that also appends to the project's audit log, so a failed
 * write leaves the project exactly as it was.
 */
export class Store {
  constructor(
    /** The connection, or the open transaction inside `transaction`. */
    protected readonly db: Kysely<any>,
    readonly dialect: Dialect,
    private readonly inTransaction = false,
    /** SQLite's connection itself, for prepared bulk inserts inside a transaction (see `insertSqlite`). */
    private readonly native: BetterSqlite3.Database | null = null,
  ) {}

  /** Records written so far by the open transaction (on its Store). */
  private recordsWritten = 0;

  /** Projects this transaction holds (`lockProject`, or the audit chain's update of the row). */
  private readonly held = new Set<string>();

  /**
   * The hash of the last audit entry this transaction chained, per project:
   * while the transaction holds the project it stays the chain's head, so a
   * bulk write's parts can be hashed before they are linked (checked then).
   */
  private readonly chainHeads = new Map<string, string | null>();

  /**
   * Records whose place in the PRISMA flow a write of this transaction may
   * have moved, per project, worked out once the project is held (see
   * `flowMoved`).
   */
  private readonly flowPending = new Map<string, Set<string>>();

  /** Background maintenance started by large writes (PostgreSQL); awaited by `settle` and `close`. */
  private maintenance: Promise<void> = Promise.resolve();

  /** Landmarks for jumps deep into the records table (see records-paging.ts). */
  private marksOf?: RecordMarks;
  private get marks(): RecordMarks {
    return (this.marksOf ??= new RecordMarks(this.dialect));
  }

  /** SQLite's search asked as whole words (see search-sqlite.ts). */
  private sqliteSearchOf?: SqliteSearch;
  private get sqliteSearch(): SqliteSearch {
    return (this.sqliteSearchOf ??= new SqliteSearch());
  }

  async close(): Promise<void> {
    if (this.inTransaction) return;
    await this.settle();
    await this.marksOf?.idle();
    await this.db.destroy();
  }

  /** Waits for background maintenance started by earlier writes. */
  async settle(): Promise<void> {
    await this.maintenance;
  }

  /**
   * After a large committed write of records on PostgreSQL, vacuums and
   * analyses the table in the background: until the visibility map is set,
   * COUNT(*) for the records table's total reads every heap page (autovacuum
   * would get there too, a minute or more later). SQLite needs nothing.
   */
  private afterBulk(records: number): void {
    if (this.inTransaction || this.dialect !== "postgres" || records < BULK_MAINTENANCE_MIN) return;
    this.maintenance = this.maintenance
      .then(() => sql`VACUUM (ANALYZE) records`.execute(this.db))
      .then(
        () => undefined,
        () => undefined, // best effort: autovacuum remains the fallback
      );
  }

  /** Screening leases: serving state beside the review data, outside its transactions and audit log (see leases.ts). */
  get leases(): Leases {
    return new Leases(this.db, this.dialect);
  }

  /** Users' credentials, sessions, one-time links, members and blinding, for the accounts engine (@homeward/accounts). */
  get accounts(): StoreAccounts {
    return new StoreAccounts(this, this.db);
  }

  /** Runs `fn` in one transaction (joins the current one if already inside). */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    let tx: Store | undefined;
    let result: T;
    try {
      result = await this.db.transaction().execute(async (trx: Transaction<any>) => {
        const r = await fn((tx = new Store(trx, this.dialect, true, this.native)));
        // A write that moved records but appended no audit entry still moves the counts before it commits.
        for (const projectId of [...tx.flowPending.keys()]) {
          await tx.lockProject(projectId);
          await tx.flushFlow(projectId);
        }
        return r;
      });
    } catch (err) {
      // A "one per" place another writer took first: answered once the transaction has rolled back
      // (PostgreSQL reads nothing more in a failed one), with what now stands there.
      if (err instanceof OnePerClash) {
        const standing = (await standingAt(this.db, err.rule, err.projectId, err.entities)).map((r) => fromRow(err.rule.collection, r));
        throw new ConflictError(err.message, standing.length === 1 ? standing[0] : standing);
      }
      throw err;
    }
    this.afterBulk(tx?.recordsWritten ?? 0);
    return result;
  }

  /**
   * Runs `fn` on one snapshot of the database: PostgreSQL REPEATABLE READ,
   * READ ONLY (one snapshot for every statement, where READ COMMITTED takes
   * one per statement); SQLite a read transaction (WAL: the database as of
   * its first read). Nothing written meanwhile shows half.
   */
  async snapshot<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    // SQLite on a file: the snapshot is read through a connection of its own (see snapshot.ts), so the
    // store's one connection stays free for other requests while a long read goes on.
    const own = this.dialect === "sqlite" ? readOnlyTwin(this.native) : null;
    if (own) return readSnapshot(own, (db) => fn(new Store(db, this.dialect, true, null)));
    return this.transaction(async (tx) => {
      if (this.dialect === "postgres") await sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`.execute(tx.db);
      return fn(tx);
    });
  }

  /** Runs a write of `c`'s rows, turning the database's refusal of a second row at a "one per" place into a clash. */
  private async onePer<T>(projectId: string, c: CollectionName, entities: readonly Record<string, unknown>[], write: () => Promise<T>): Promise<T> {
    const rule = onePerRule(c);
    if (!rule) return write();
    try {
      return await write();
    } catch (err) {
      if (onePerViolation(err, this.dialect) === rule) throw new OnePerClash(rule, projectId, entities);
      throw err;
    }
  }

  // ---------------------------------------------------------------- users

  async listUsers(): Promise<User[]> {
    const rows = await this.db.selectFrom("users").selectAll().orderBy("name").execute();
    return rows.map((r) => ({ name: r.name, displayName: r.display_name }));
  }

  /** Creates the user if unknown (without a credential); an existing user keeps their display name unless it is empty. */
  async ensureUser(name: string, displayName = "", createdAt: string = now()): Promise<User> {
    const u = parseInput(User, { name, displayName }, "user");
    const found = await this.db.selectFrom("users").selectAll().where("name", "=", u.name).executeTakeFirst();
    if (found && (found.display_name !== "" || u.displayName === "")) return { name: found.name, displayName: found.display_name };
    if (found) {
      await this.db.updateTable("users").set({ display_name: u.displayName }).where("name", "=", u.name).execute();
      return u;
    }
    await this.db.insertInto("users").values({ name: u.name, display_name: u.displayName, created_at: createdAt }).onConflict((oc) => oc.column("name").doNothing()).execute();
    return u;
  }

  /** The user's role in the project, or null when they are not a member: one indexed read (asked on every request). */
  async roleOf(projectId: string, userName: string): Promise<Role | null> {
    const rows = await this.db.selectFrom("members").select("role").where("project_id", "=", projectId).where("user_name", "=", userName).execute();
    // One row per member is the members rule's; should a database hold two, the stronger role counts.
    let best: Role | null = null;
    for (const r of rows) {
      // The column holds the role as JSON text (the model's Role reads legacy names, so the mapping stores it whole).
      const role = Role.safeParse(jsonOrText(r.role));
      if (role.success && (best === null || ROLE_ORDER.indexOf(role.data) < ROLE_ORDER.indexOf(best))) best = role.data;
    }
    return best;
  }

  /** Whether the user administers the instance. */
  async isAdmin(userName: string): Promise<boolean> {
    const r = await this.db.selectFrom("users").select("admin").where("name", "=", userName).executeTakeFirst();
    return Number(r?.admin ?? 0) === 1;
  }

  /** Sets a restored user's credentials and creation time as the backup holds them. */
  async restoreCredentials(name: string, c: { passwordHash: string | null; oidcSubject: string | null; admin: boolean; createdAt: string | null }): Promise<void> {
    await this.db
      .updateTable("users")
      .set({ password_hash: c.passwordHash, oidc_subject: c.oidcSubject, admin: c.admin ? 1 : 0, created_at: c.createdAt })
      .where("name", "=", name)
      .execute();
  }

  // ---------------------------------------------------------------- projects

  async listProjects(): Promise<ProjectSummary[]> {
    const rows = await this.db.selectFrom("projects").select(["id", "title", "description", "blinding", "created_at", "updated_at"]).execute();
    const counts = async () =>
      new Map(
        (await this.db.selectFrom("record_counts").select(["project_id", (eb) => eb.fn.sum<number>("n").as("n")]).groupBy("project_id").execute()).map(
          (r) => [r.project_id as string, Number(r.n)],
        ),
      );
    const [records, studies] = await Promise.all([counts(), this.includedStudyCounts()]);
    return rows
      .map((r) => ({ ...projectFromRow(r), counts: { records: records.get(r.id) ?? 0, studies: studies.get(r.id) ?? 0 } }))
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? -1 : 1));
  }

  async getProject(id: string): Promise<Project> {
    const r = await this.db.selectFrom("projects").select(["id", "title", "description", "blinding", "created_at", "updated_at"]).where("id", "=", id).executeTakeFirst();
    if (!r) throw notFound(`project "${id}"`);
    return projectFromRow(r);
  }

  async hasProject(id: string): Promise<boolean> {
    return (await this.db.selectFrom("projects").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
  }

  async createProject(input: ProjectCreate & { id?: string }, ctx: WriteContext): Promise<Project> {
    const body = parseInput(ProjectCreate, input, "project");
    const t = now();
    const project = storedProject(parseInput(Project, { id: input.id ?? randomUUID(), ...body, createdAt: t, updatedAt: t }, "project"));
    return this.transaction(async (tx) => {
      if (await tx.hasProject(project.id)) throw new InputError(`project "${project.id}" already exists`, 409);
      await tx.db.insertInto("projects").values({ ...projectToRow(project), protocol: JSON.stringify(emptyProtocol()) }).execute();
      await tx.audit(project.id, ctx, { action: "project.create", entity: "project", entityId: project.id, after: project });
      // Whoever creates a project owns it, so someone can always manage its members.
      await tx.insert(project.id, "members", [{ userName: ctx.actor, role: "owner" }], ctx);
      return tx.getProject(project.id);
    });
  }

  async updateProject(id: string, patch: ProjectPatch, ctx: WriteContext): Promise<Project> {
    const p = parseInput(ProjectPatch, patch, "project change");
    return this.transaction(async (tx) => {
      const before = await tx.getProject(id);
      const after = storedProject(parseInput(Project, { ...before, ...p, updatedAt: now() }, "project"));
      await tx.db.updateTable("projects").set(projectToRow(after)).where("id", "=", id).execute();
      await tx.audit(id, ctx, { action: "project.update", entity: "project", entityId: id, before, after });
      return tx.getProject(id);
    });
  }

  /**
   * Lifts (`blinded` false) or imposes blinding of one stage's dual work,
   * audited as `project.blinding` with the stage before and after and the
   * writer's reason. Lifting records who lifted it and when.
   */
  async setBlinding(projectId: string, stage: BlindStage, blinded: boolean, ctx: WriteContext): Promise<Project> {
    return this.transaction(async (tx) => {
      await tx.lockProject(projectId);
      const project = await tx.getProject(projectId);
      const before = project.blinding[stage] ?? null;
      const blinding: Blinding = { ...project.blinding };
      if (blinded) delete blinding[stage];
      else blinding[stage] = before ?? { liftedBy: ctx.actor, liftedAt: now() };
      const after = blinding[stage] ?? null;
      if (JSON.stringify(before) === JSON.stringify(after)) return project;
      await tx.db.updateTable("projects").set({ blinding: JSON.stringify(blinding) }).where("id", "=", projectId).execute();
      await tx.audit(projectId, ctx, {
        action: "project.blinding",
        entity: "project",
        entityId: projectId,
        before: { stage, blinded: before === null, lifted: before },
        after: { stage, blinded: after === null, lifted: after },
      });
      return tx.getProject(projectId);
    });
  }

  /** A project with its counts of records and included studies (the dashboard's stage counts are the review package's, from the PRISMA flow). */
  async getProjectSummary(id: string): Promise<ProjectSummary> {
    const project = await this.getProject(id);
    const [recordCount, studies] = await Promise.all([projectRecordCount(this.db, id), this.includedStudyCounts(id)]);
    return { ...project, counts: { records: recordCount, studies: studies.get(id) ?? 0 } };
  }

  /**
   * Included studies per project, by the rule the PRISMA flow's included box
   * uses (the model's `isIncludedStudy`), so a project's card and its flow
   * diagram give one number. Reads the protocols' classification schemes and
   * the studies' classifications only.
   */
  private async includedStudyCounts(projectId?: string): Promise<Map<string, number>> {
    let projects = this.db.selectFrom("projects").select(["id", "protocol"]);
    let studies = this.db.selectFrom("studies").select(["project_id", "classifications"]);
    if (projectId !== undefined) {
      projects = projects.where("id", "=", projectId);
      studies = studies.where("project_id", "=", projectId);
    }
    const [ps, ss] = await Promise.all([projects.execute(), studies.execute()]);
    const schemes = new Map(ps.map((r) => [r.id as string, { classifications: (JSON.parse(r.protocol as string).classifications ?? []) as Protocol["classifications"] }]));
    const out = new Map<string, number>();
    for (const s of ss) {
      const protocol = schemes.get(s.project_id as string);
      if (protocol && isIncludedStudy(protocol, { classifications: JSON.parse((s.classifications as string | null) ?? "{}") }))
        out.set(s.project_id as string, (out.get(s.project_id as string) ?? 0) + 1);
    }
    return out;
  }

  async getProtocol(projectId: string): Promise<Protocol> {
    const r = await this.db.selectFrom("projects").select("protocol").where("id", "=", projectId).executeTakeFirst();
    if (!r) throw notFound(`project "${projectId}"`);
    const stored: unknown = JSON.parse(r.protocol);
    const checked = Protocol.safeParse(stored);
    // A protocol saved before a rule existed (two reasons of one rank) stays readable, so the team can mend it; writes are checked.
    return checked.success ? checked.data : (ProtocolFields.parse(stored) as Protocol);
  }

  /** Replaces the whole protocol (checked against its rules, and refused if it takes away a code still in use). */
  async setProtocol(projectId: string, protocol: unknown, ctx: WriteContext): Promise<Protocol> {
    const after = parseInput(Protocol, protocol, "protocol");
    return this.transaction(async (tx) => {
      await tx.lockProject(projectId);
      const before = await tx.getProtocol(projectId);
      await checkProtocolChange(before, after, tx.protocolUsage(projectId));
      await tx.db.updateTable("projects").set({ protocol: JSON.stringify(after) }).where("id", "=", projectId).execute();
      await tx.audit(projectId, ctx, { action: "protocol.update", entity: "protocol", entityId: projectId, before, after });
      return after;
    });
  }

  /**
   * Replaces one section of the protocol, if it is still at `version` (the
   * section's version the editor opened; see `sectionVersion`): a section
   * changed meanwhile is a 409 and nothing is written. Other sections may
   * have changed; they are kept as they now are. Audited as one
   * `protocol.update` with the section before and after.
   */
  async updateProtocolSection(projectId: string, section: ProtocolSection, value: unknown, version: string, ctx: WriteContext): Promise<Protocol> {
    return this.transaction(async (tx) => {
      // Two saves of one section at once: the second waits, then finds the version changed.
      await tx.lockProject(projectId);
      const before = await tx.getProtocol(projectId);
      if (sectionVersion(before, section) !== version)
        throw new InputError(`the protocol's ${SECTION_NAMES[section]} changed since you opened them; reload to see the change (your edit is kept on screen)`, 409);
      const after = parseInput(Protocol, { ...before, [section]: value }, "protocol");
      await checkProtocolChange(before, after, tx.protocolUsage(projectId));
      await tx.db.updateTable("projects").set({ protocol: JSON.stringify(after) }).where("id", "=", projectId).execute();
      await tx.audit(projectId, ctx, {
        action: "protocol.update",
        entity: "protocol",
        entityId: projectId,
        before: { [section]: before[section] },
        after: { [section]: after[section] },
      });
      return after;
    });
  }

  /** What the protocol's rules ask of the data using its codes; each answer is one query, asked only for a code being removed. */
  private protocolUsage(projectId: string): ProtocolUsage {
    const reasonRows = async (c: "screeningDecisions" | "reconciliations", code: string) => {
      const table = sql.table(tableOf(c));
      // LIKE narrows on the text (cheap); the JSON test decides (a longer code may contain this one).
      const like = `%${likeAny(JSON.stringify(code))}%`;
      const exact =
        this.dialect === "sqlite"
          ? sql`EXISTS (SELECT 1 FROM json_each(reasons) WHERE value = ${code})`
          : sql`(reasons::jsonb) @> jsonb_build_array(${code}::text)`;
      const r = await sql<{ n: number | string }>`SELECT count(*) AS n FROM ${table} WHERE project_id = ${projectId} AND reasons LIKE ${like} AND ${exact}`.execute(this.db);
      return Number(r.rows[0]?.n ?? 0);
    };
    return {
      reasonUses: async (code) => (await reasonRows("screeningDecisions", code)) + (await reasonRows("reconciliations", code)),
      domainUses: async (code) => (await this.select(projectId, "outcomes", { domain: code })).length,
      ratingUses: async (code) => (await this.select(projectId, "recommendations", { rating: code })).length,
      classifiedStudies: () => this.select(projectId, "studies", {}),
    };
  }

  /**
   * Holds the project for this transaction: another transaction taking the
   * same hold waits until this one ends, so a read-then-write use case (form
   * a study for each record not yet in one) cannot run twice over the same
   * state. SQLite runs one write transaction at a time already.
   */
  async lockProject(projectId: string): Promise<void> {
    if (!this.inTransaction) throw new Error("lockProject outside a transaction");
    if (this.held.has(projectId)) return;
    if (this.dialect === "postgres") await sql`SELECT id FROM projects WHERE id = ${projectId} FOR UPDATE`.execute(this.db);
    this.held.add(projectId);
  }

  // ---------------------------------------------------------------- collections (generic, typed)

  /**
   * Entities of a collection, in its natural order (see `collections` in
   * @homeward/model) then id. `where` filters on fields by equality; a list
   * of values matches any of them (one query however many).
   */
  async list<C extends CollectionName>(projectId: string, c: C, where: Where<C> = {}): Promise<Entity<C>[]> {
    return this.select(projectId, c, where);
  }

  /**
   * `list` reading only the named fields (and `id`): a summary of entities
   * whose other fields are large (a report version's data, an appraisal's
   * domains), in the same order and with the same filters.
   */
  async listFields<C extends CollectionName, F extends keyof Entity<C> & string>(projectId: string, c: C, fields: readonly F[], where: Where<C> = {}): Promise<Pick<Entity<C>, F | "id">[]> {
    const order = collectionInfo(c).order;
    const maps = fieldMaps[c].filter((m) => m.field === "id" || m.field === order || (fields as readonly string[]).includes(m.field));
    const rows = await this.select(projectId, c, where, maps.map((m) => m.column));
    const keep = new Set<string>(["id", ...fields]);
    return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => keep.has(k)))) as Pick<Entity<C>, F | "id">[];
  }

  /** `list` where a filter may also be a list of values (any of them matches, one query however many); `columns` reads only those. */
  private async select<C extends CollectionName>(projectId: string, c: C, where: Where<C>, columns?: readonly string[]): Promise<Entity<C>[]> {
    let q = (columns ? this.db.selectFrom(tableOf(c)).select(columns as never) : this.db.selectFrom(tableOf(c)).selectAll()).where("project_id", "=", projectId);
    for (const [field, v] of Object.entries(where as Record<string, string | number | null | readonly string[]>)) {
      const f = fieldMaps[c].find((m) => m.field === field);
      if (!f || f.kind === "json") throw new InputError(`cannot filter ${c} by ${field}`);
      if (Array.isArray(v)) {
        if (v.length === 0) return [];
        q = q.where(this.among(f.column, v));
      } else q = v === null ? q.where(f.column, "is", null) : q.where(f.column, "=", v as string | number);
    }
    const read = await q.execute();
    const maps = columns ? fieldMaps[c].filter((m) => columns.includes(m.column)) : null;
    const rows = maps ? read.map((r) => fromColumns(maps, r as Record<string, unknown>)) : read.map((r) => fromRow(c, r));
    // Sorted here, not in SQL: PostgreSQL's text order follows the database locale, and both engines must agree.
    const order = collectionInfo(c).order;
    return rows.sort((a, b) => (order ? compareValues(a[order], b[order]) : 0) || compareValues(a.id, b.id)) as Entity<C>[];
  }

  async get<C extends CollectionName>(projectId: string, c: C, id: string): Promise<Entity<C>> {
    const r = await this.db.selectFrom(tableOf(c)).selectAll().where("project_id", "=", projectId).where("id", "=", id).executeTakeFirst();
    if (!r) {
      await this.getProject(projectId);
      throw notFound(`${singular(c)} "${id}"`);
    }
    return fromRow(c, r) as Entity<C>;
  }

  /**
   * Adds entities (ids, times and acting user filled in when left out);
   * returns them as stored. The time of an append-only entity is the store's:
   * one given by the caller is refused.
   */
  async insert<C extends CollectionName>(projectId: string, c: C, items: NewEntity<C>[], ctx: WriteContext): Promise<Entity<C>[]> {
    const t = now();
    const info = collectionInfo(c);
    const schema = info.schema;
    const { time, actor } = autoFields(c);
    // History is ordered by these times, so a caller may not place a decision in the past.
    if (info.appendOnly) {
      items.forEach((item, i) => {
        const given = time.find((f) => (item as Record<string, unknown>)[f] !== undefined);
        if (given) throw new InputError(`${items.length > 1 ? `${singular(c)} #${i + 1}` : singular(c)}: "${given}" is set by the store when it is recorded; leave it out`);
      });
    }
    const entities = items.map((item, i) => {
      const filled: Record<string, unknown> = { ...(item as object) };
      if (filled.id === undefined) filled.id = randomUUID();
      for (const field of time) if (filled[field] === undefined) filled[field] = t;
      for (const field of actor) if (filled[field] === undefined) filled[field] = ctx.actor;
      // Parsed once here; rows are written from these values without another pass.
      return parseInput(schema, filled, items.length > 1 ? `${singular(c)} #${i + 1}` : singular(c)) as Entity<C>;
    });
    return this.transaction(async (tx) => {
      if (info.permit) {
        const who = actorOf(ctx);
        for (const e of entities) info.permit("create", null, e as Record<string, unknown>, who);
      }
      await tx.getProject(projectId);
      await tx.checkNew(projectId, c, entities);
      if (info.validate) await info.validate(entities as Record<string, unknown>[], tx.ruleContext(projectId));
      const rule = onePerRule(c);
      // A place already taken is refused here with what stands there; two writers who both found it
      // free are told apart by the database's unique index (the second's row is refused).
      if (rule && (await standingAt(tx.db, rule, projectId, entities as Record<string, unknown>[])).length > 0)
        throw new OnePerClash(rule, projectId, entities as Record<string, unknown>[]);
      if (entities.length <= AUDIT_EACH_MAX) {
        await tx.onePer(projectId, c, entities as Record<string, unknown>[], () => tx.insertRows(projectId, c, entities));
        for (const e of entities) await tx.audit(projectId, ctx, { action: `${c}.create`, entity: c, entityId: (e as { id: string }).id, after: e });
        return entities;
      }
      // Every entity's after-value, in parts of a bounded size (each its own chained entry, so no entry
      // and no serialisation holds the whole write), then one summary entry; the id list is kept in it
      // while it stays readable.
      const parts = Math.ceil(entities.length / AUDIT_PART_SIZE);
      const entry = (k: number) => auditEntry(ctx, { action: `${c}.create`, entity: c, after: { part: k + 1, parts, items: entities.slice(k * AUDIT_PART_SIZE, (k + 1) * AUDIT_PART_SIZE) } });
      // On PostgreSQL, once this transaction holds the project (an import's inserts after its first),
      // the first parts are serialised and hashed onto the chain's head while the rows are written, a
      // part per turn of the event loop: this process would otherwise wait while the server indexes
      // the rows, and the server then wait while this process serialises and hashes megabytes of
      // after-values. Only the rows' text is kept until linked. Not before the hold (the head is not
      // known: the hashed text would have to be kept too, as much again) nor on SQLite (one process
      // does both, so there is nothing to overlap).
      let head = this.dialect === "postgres" && tx.held.has(projectId) && tx.chainHeads.has(projectId) ? tx.chainHeads.get(projectId)! : undefined;
      const ahead = inTurns(head === undefined ? 0 : Math.min(parts, AUDIT_PARTS_AHEAD), (k) => {
        const p = preparedEntry(projectId, entry(k), head!);
        head = p.hash;
        return p;
      });
      try {
        await tx.onePer(projectId, c, entities as Record<string, unknown>[], () => tx.insertRows(projectId, c, entities));
      } catch (err) {
        ahead.stop();
        throw err;
      }
      const done = await ahead.done;
      for (let k = 0; k < parts; k += AUDIT_PARTS_AHEAD) {
        // Parts not serialised ahead are serialised as they are linked, one at a time.
        const group: (PreparedEntry | AuditEntry)[] = k === 0 && done.length ? done : Array.from({ length: Math.min(AUDIT_PARTS_AHEAD, parts - k) }, (_, j) => entry(k + j));
        if (k + AUDIT_PARTS_AHEAD >= parts) {
          const ids = entities.map((e) => (e as { id: string }).id);
          const summary = ids.length <= AUDIT_IDS_MAX ? { count: ids.length, ids } : { count: ids.length, firstId: ids[0], lastId: ids[ids.length - 1] };
          group.push(auditEntry(ctx, { action: `${c}.create`, entity: c, after: { ...summary, parts } }));
        }
        await tx.ensureUser(ctx.actor);
        await tx.appendChained(projectId, group);
      }
      return entities;
    });
  }

  /** Changes fields of one entity (not its id). */
  async update<C extends CollectionName>(projectId: string, c: C, id: string, patch: Partial<EntityInput<C>>, ctx: WriteContext): Promise<Entity<C>> {
    const info = collectionInfo(c);
    if (info.appendOnly) throw new InputError(`${c} are append-only: record a new one instead`, 409);
    if ("id" in (patch as object) && (patch as { id?: unknown }).id !== id) throw new InputError("an entity's id cannot change");
    return this.transaction(async (tx) => {
      const before = await tx.get(projectId, c, id);
      const after = parseInput(info.schema, { ...before, ...(patch as object), id }, singular(c)) as Entity<C>;
      info.permit?.("update", before as Record<string, unknown>, after as Record<string, unknown>, actorOf(ctx));
      await tx.checkRefs(projectId, c, [after]);
      if (c === "studyReports") await tx.checkLeads(projectId, [after as Entity<"studyReports">], id);
      if (info.validate) await info.validate([after as Record<string, unknown>], tx.ruleContext(projectId));
      const row = toRow(c, projectId, after as Record<string, unknown>);
      if (c === "records") Object.assign(row, recordExtras(after as Record<string, unknown>, tx.dialect));
      await tx.onePer(projectId, c, [after as Record<string, unknown>], () =>
        tx.db.updateTable(tableOf(c)).set(row).where("project_id", "=", projectId).where("id", "=", id).execute(),
      );
      if (c === "records") {
        const was = ((before as Record<string, unknown>).searchId as string | null) ?? "";
        const is = ((after as Record<string, unknown>).searchId as string | null) ?? "";
        if (was !== is) {
          await tx.countRecords(projectId, was, -1);
          await tx.countRecords(projectId, is, 1);
        }
      }
      const b = before as Record<string, unknown>, a = after as Record<string, unknown>;
      if (c === "records" && (b.searchId !== a.searchId || b.duplicateGroupId !== a.duplicateGroupId)) await tx.flowMoved(projectId, c, [{ id, flowMoved: true }]);
      else if (c === "duplicateGroups" && b.primaryRecordId !== a.primaryRecordId) await tx.flowMoved(projectId, c, [a]);
      else if (c === "fullTextRetrievals") await tx.flowMoved(projectId, c, b.recordId === a.recordId ? [a] : [a, b]);
      await tx.audit(projectId, ctx, { action: `${c}.update`, entity: c, entityId: id, before, after });
      return after;
    });
  }

  /** Removes one entity; refused while others refer to it, and for append-only or permanent collections. */
  async remove(projectId: string, c: CollectionName, id: string, ctx: WriteContext): Promise<void> {
    const info = collectionInfo(c);
    if (info.appendOnly || info.permanent) throw new InputError(`${c} cannot be removed`, 409);
    await this.transaction(async (tx) => {
      const before = await tx.get(projectId, c, id);
      info.permit?.("remove", before as Record<string, unknown>, null, actorOf(ctx));
      if (info.validateRemove) await info.validateRemove([before as Record<string, unknown>], tx.ruleContext(projectId));
      for (const other of collectionNames) {
        for (const [field, target] of Object.entries(collectionInfo(other).refs)) {
          if (target !== c) continue;
          const col = snake(field);
          const json = fieldMaps[other].find((f) => f.field === field)!.kind === "json";
          const rows = await tx.db
            .selectFrom(tableOf(other))
            .select(["id", col])
            .where("project_id", "=", projectId)
            .where(col, json ? "like" : "=", json ? `%${JSON.stringify(id)}%` : id)
            .limit(json ? 1000 : 1)
            .execute();
          const hit = rows.find((r) => (json ? (JSON.parse(r[col]) as string[]).includes(id) : true));
          if (hit) throw new InputError(`${singular(c)} "${id}" is referred to by ${singular(other)} "${hit.id}"`, 409);
        }
      }
      await tx.db.deleteFrom(tableOf(c)).where("project_id", "=", projectId).where("id", "=", id).execute();
      await tx.flowMoved(projectId, c, [before as Record<string, unknown>]);
      await tx.audit(projectId, ctx, { action: `${c}.remove`, entity: c, entityId: id, before });
    });
  }

  // ---------------------------------------------------------------- records

  /**
   * The records table: server-side paging, sorting and full-text search. A
   * search's matches are counted by `recordsCount`; with `counted: false` its
   * page is answered without them (`uncounted`, `total` the matches up to the
   * page's end), as the records page asks, since counting a common prefix
   * takes up to 100 times the page (see the server README's "Jumps and
   * common searches at scale").
   */
  async queryRecords(projectId: string, query: RecordsQueryInput = {}, opts: { countCap?: number; counted?: boolean } = {}): Promise<Page<RecordSummary>> {
    const qy = parseInput(RecordsQuery, query, "records query");
    await this.getProject(projectId);
    const terms = searchTerms(qy.q ?? "");
    const col = ({ title: "sort_title", authors: "sort_authors", journal: "sort_journal", year: "year", createdAt: "created_at" } as const)[qy.sort];
    const place = qy.after !== undefined ? await placeOf(this.db, projectId, col, qy.after) : undefined;
    if (!terms.length) {
      const { total } = await this.recordsCount(projectId);
      // Ids first, read from the (project, key, id) index, then the page's rows by key (see records-paging.ts).
      // After a given record (the previous page's last): a range read of the index from its key, at any depth.
      if (place) {
        const page = await ordered(this.db.selectFrom("records").select("id").where("project_id", "=", projectId).where(beyond(this.dialect, col, qy.dir, place.key, place.id)), col, qy.dir).limit(qy.limit).execute();
        return this.recordsPage(projectId, page.map((r: any) => r.id as string), { total, offset: qy.offset, limit: qy.limit });
      }
      if (qy.offset === 0) this.marks.warm(this.db, projectId, col, total);
      const ids = await this.marks.page(this.db, projectId, col, qy.dir, qy.offset, qy.limit, total);
      return this.recordsPage(projectId, ids, { total, offset: qy.offset, limit: qy.limit });
    }
    const [count, ids] = await Promise.all([
      opts.counted === false ? undefined : this.recordsCount(projectId, qy.q, opts),
      this.searchPage(projectId, terms, col, qy.dir, place, qy.offset, qy.limit),
    ]);
    return this.recordsPage(projectId, ids, { ...(count ?? { total: qy.offset + ids.length, uncounted: true as const }), offset: qy.offset, limit: qy.limit });
  }

  /**
   * The records a records-table query holds: without a search, the count the
   * store keeps per search (migration 0016), no count of the table; with one,
   * its matches counted up to `countCap` (SEARCH_COUNT_CAP), past which
   * `totalCapped`: an exact total of a word most records hold visits every
   * match (6.3 s for "children trial" at a million records on PostgreSQL,
   * 0.14 s counting to 10,000, 17 ms to 1,000) for a number the table only
   * needs to size its scroll.
   */
  async recordsCount(projectId: string, q?: string, opts: { countCap?: number } = {}): Promise<RecordsCount> {
    const cap = opts.countCap ?? SEARCH_COUNT_CAP;
    const terms = searchTerms(q ?? "");
    if (!terms.length) {
      return { total: await projectRecordCount(this.db, projectId) };
    }
    let n: number;
    if (this.dialect === "sqlite") {
      const fts = await this.sqliteSearch.match(this.db, terms);
      n = fts ? await this.sqliteSearch.count(this.db, projectId, fts.expr, cap) : 0;
    } else {
      const capped = (db: Kysely<any>) =>
        db
          .selectFrom(this.searchFilter(terms, undefined)(db.selectFrom("records").select(sql`1`.as("one")).where("project_id", "=", projectId)).limit(cap + 1).as("m"))
          .select((eb: any) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow();
      // For a common term the planner picks a sequential scan that de-TOASTs every tsvector;
      // the GIN bitmap scan finds the same rows without reading them.
      n = await this.transaction(async (tx) => {
        await sql`SET LOCAL enable_seqscan = off`.execute(tx.db);
        const r = await capped(tx.db);
        await sql`SET LOCAL enable_seqscan TO DEFAULT`.execute(tx.db);
        return Number((r as { n: unknown }).n);
      });
    }
    return n > cap ? { total: cap, totalCapped: true } : { total: n };
  }

  /** A search's matching records restricted in a query (SQLite: the terms as the index's own words, search-sqlite.ts). */
  private searchFilter(terms: string[], fts: { expr: string } | null | undefined): (q: any) => any {
    if (this.dialect === "sqlite")
      return (q) => (fts ? q.where("rid", "in", (eb: any) => eb.selectFrom("records_fts").select("rowid").where(sql`records_fts`, "match", fts.expr)) : q.where(sql<boolean>`0 = 1`));
    // Terms as tsquery literals: the same words the index was built from (see migration 0002).
    // A word too long to be indexed matches nothing.
    return terms.some((t) => Buffer.byteLength(t) > MAX_LEXEME_BYTES)
      ? (q) => q.where(sql<boolean>`false`)
      : (q) => q.where(sql<boolean>`search @@ ${terms.map((t) => `'${t}':*`).join(" & ")}::tsquery`);
  }

  /** The ids of a search's page, read without its count: a search's offsets are bounded by the count cap, as the table sizes its scroll by it. */
  private async searchPage(projectId: string, terms: string[], col: SortColumn, dir: "asc" | "desc", place: { key: unknown; id: string } | undefined, offset: number, limit: number): Promise<string[]> {
    const fts = this.dialect === "sqlite" ? await this.sqliteSearch.match(this.db, terms) : undefined;
    // Many matches are read along the sort index, each looked up in the search index (undefined when sparser than that).
    const dense = fts ? await this.sqliteSearch.densePage(this.db, projectId, fts, col, dir, place, place ? 0 : offset, limit) : undefined;
    if (dense) return dense;
    const base = this.searchFilter(terms, fts)(this.db.selectFrom("records").select("id").where("project_id", "=", projectId));
    const rows = place ? await ordered(base.where(beyond(this.dialect, col, dir, place.key, place.id)), col, dir).limit(limit).execute() : await ordered(base, col, dir).offset(offset).limit(limit).execute();
    return rows.map((r: any) => r.id as string);
  }

  /** The records table's rows for `ids`, in that order, with the page's numbers. */
  private async recordsPage(projectId: string, ids: string[], p: { total: number; totalCapped?: true; uncounted?: true; offset: number; limit: number }): Promise<Page<RecordSummary>> {
    const { total, totalCapped, uncounted } = p;
    const fetched = ids.length
      ? await this.db
          .selectFrom("records")
          .select(["id", "title", "authors", "year", "journal", "doi", "pmid", "search_id", "duplicate_group_id", "created_at"])
          .where("project_id", "=", projectId)
          .where("id", "in", ids)
          .execute()
      : [];
    const byId = new Map(fetched.map((r: any) => [r.id as string, r]));
    const rows = ids.map((id) => byId.get(id)!).filter((r) => r !== undefined);
    return {
      total,
      ...(totalCapped ? { totalCapped: true as const } : {}),
      ...(uncounted ? { uncounted: true as const } : {}),
      offset: p.offset,
      limit: p.limit,
      items: rows.map((r: any) => ({
        id: r.id,
        title: r.title,
        authors: JSON.parse(r.authors),
        year: r.year == null ? null : Number(r.year),
        journal: r.journal,
        doi: r.doi,
        pmid: r.pmid,
        searchId: r.search_id,
        duplicateGroupId: r.duplicate_group_id,
        createdAt: r.created_at,
      })),
    };
  }

  /**
   * Every record of a project as its id, search and duplicate group only:
   * what the PRISMA flow counts from. One narrow query rather than pages of
   * the records table (whose deep offsets cost O(n) each); at 100,000 records
   * this is about 3 MB, not the records' text.
   */
  async recordRefs(projectId: string): Promise<{ id: string; searchId: string | null; duplicateGroupId: string | null }[]> {
    await this.getProject(projectId);
    const rows = await this.db
      .selectFrom("records")
      .select(["id", "search_id", "duplicate_group_id"])
      .where("project_id", "=", projectId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map((r: any) => ({ id: r.id, searchId: r.search_id, duplicateGroupId: r.duplicate_group_id }));
  }

  /**
   * Per search, the records it identified and how many of them are
   * duplicates (a duplicate group's member other than its primary, as the
   * review package's `isDuplicate`), never reading the records: both are
   * counts the store keeps in step with its writes (records per search,
   * migration 0016; records per search and place in the flow, 0025).
   */
  async identifiedCounts(projectId: string): Promise<{ searchId: string; records: number; duplicates: number }[]> {
    type Row = { search_id: string; n: number | string };
    const [found, duplicates] = await Promise.all([
      sql<Row>`SELECT search_id, n FROM record_counts WHERE project_id = ${projectId} AND search_id <> '' AND n > 0`.execute(this.db),
      sql<Row>`SELECT search_id, n FROM flow_counts WHERE project_id = ${projectId} AND state = 'duplicate'`.execute(this.db),
    ]);
    const dups = new Map(duplicates.rows.map((r) => [r.search_id, Number(r.n)]));
    return found.rows
      .map((r) => ({ searchId: r.search_id, records: Number(r.n), duplicates: dups.get(r.search_id) ?? 0 }))
      .sort((a, b) => compareValues(a.searchId, b.searchId));
  }

  /**
   * Per search, the records at each place in the PRISMA flow (the model's
   * `flowKey`) but "identified, not yet screened": a few rows the store
   * keeps in step with every write that moves a record (migration 0025).
   */
  async flowCounts(projectId: string): Promise<FlowCount[]> {
    return readFlowCounts(this.db, projectId);
  }

  /**
   * Every screening decision of the project as the PRISMA flow reads it
   * (record, stage, reviewer, decision, reasons, time), in the order `list`
   * gives (time, then id): a narrow read, without the notes and labels.
   */
  async flowDecisions(projectId: string): Promise<{ id: string; recordId: string; stage: "title_abstract" | "full_text"; reviewer: string; decision: "include" | "exclude" | "maybe"; reasons: string[]; at: string }[]> {
    const c = (col: string) => (this.dialect === "postgres" ? sql.raw(`${col} COLLATE "C"`) : sql.raw(col));
    const rows = await sql<{ id: string; record_id: string; stage: string; reviewer: string; decision: string; reasons: string; at: string }>`SELECT id, record_id, stage, reviewer, decision, reasons, at FROM screening_decisions WHERE project_id = ${projectId} ORDER BY ${c("at")}, ${c("id")}`.execute(this.db);
    return rows.rows.map((r) => ({
      id: r.id,
      recordId: r.record_id,
      stage: r.stage as "title_abstract" | "full_text",
      reviewer: r.reviewer,
      decision: r.decision as "include" | "exclude" | "maybe",
      reasons: r.reasons === "[]" ? [] : (JSON.parse(r.reasons) as string[]),
      at: r.at,
    }));
  }

  /** The id, search and duplicate group of the records with these ids (those that exist): one query however many. */
  async flowRecords(projectId: string, ids: readonly string[]): Promise<{ id: string; searchId: string | null; duplicateGroupId: string | null }[]> {
    if (ids.length === 0) return [];
    const rows = await sql<{ id: string; search_id: string | null; duplicate_group_id: string | null }>`SELECT id, search_id, duplicate_group_id FROM records WHERE project_id = ${projectId} AND ${this.among("id", ids)}`.execute(this.db);
    return rows.rows.map((r) => ({ id: r.id, searchId: r.search_id, duplicateGroupId: r.duplicate_group_id }));
  }

  /**
   * Whole records a page at a time in `list`'s order (created, then id)
   * after the record `after`: a range of the (project, created, id) index,
   * for readers that go through every record (an export of the records)
   * without holding them all.
   */
  async recordPage(projectId: string, after: { createdAt: string; id: string } | null, limit: number): Promise<Entity<"records">[]> {
    let q = this.db.selectFrom("records").selectAll().where("project_id", "=", projectId);
    if (after) q = q.where(beyond(this.dialect, "created_at", "asc", after.createdAt, after.id));
    const rows = await q.orderBy("created_at").orderBy("id").limit(limit).execute();
    // The order `list` gives (JavaScript's string order), whatever the database's collation.
    return rows.map((r) => fromRow("records", r) as Entity<"records">).sort(inRecordOrder);
  }

  /**
   * Duplicate detection's read of records: what its rules read and no more
   * (of `extra`, only the string values of `extraKeys`; `raw`, keywords and
   * the rest are left in the database), a page at a time in `list`'s order
   * (created, then id) after the record `after`, or the records `ids`. A run
   * over a million records so never holds whole records, nor all at once.
   */
  async dedupeRecords(
    projectId: string,
    page: { after?: { createdAt: string; id: string } | null; ids?: readonly string[]; limit: number; extraKeys: readonly string[] },
  ): Promise<DedupeRecordRow[]> {
    if (page.ids && page.ids.length === 0) return [];
    const keys = page.extraKeys.filter((k) => /^[A-Za-z]+$/.test(k));
    // Only string values, as the record's reader takes them; the JSON is taken apart by the database.
    const pick = (k: string) =>
      this.dialect === "sqlite"
        ? sql`CASE WHEN json_type(extra, ${"$." + k}) = 'text' THEN json_extract(extra, ${"$." + k}) END`
        : sql`CASE WHEN jsonb_typeof(xj -> ${k}::text) = 'string' THEN xj ->> ${k}::text END`;
    const extraCols = keys.length ? sql`, ${sql.join(keys.map((k, i) => sql`${pick(k)} AS ${sql.ref(`x${i}`)}`))}` : sql``;
    const where = page.ids
      ? sql`AND ${this.among("id", page.ids)}`
      : page.after
        ? sql`AND ${beyond(this.dialect, "created_at", "asc", page.after.createdAt, page.after.id)}`
        : sql``;
    const rows = await sql<Record<string, unknown>>`SELECT id, created_at, title, authors, year, journal, volume, issue, pages, doi, pmid, abstract, duplicate_group_id${extraCols}
      FROM records${this.dialect === "postgres" && keys.length ? sql` CROSS JOIN LATERAL (SELECT records.extra::jsonb AS xj OFFSET 0) j` : sql``} WHERE project_id = ${projectId} ${where} ORDER BY created_at, id LIMIT ${page.limit}`.execute(this.db);
    const out = rows.rows.map((r) => {
      const extra: Record<string, unknown> = {};
      keys.forEach((k, i) => {
        const v = r[`x${i}`];
        if (typeof v === "string") extra[k] = v;
      });
      return {
        id: r.id as string,
        createdAt: r.created_at as string,
        title: r.title as string,
        authors: (r.authors == null ? null : JSON.parse(r.authors as string)) as string[],
        year: r.year == null ? null : Number(r.year),
        journal: (r.journal as string | null) ?? null,
        volume: (r.volume as string | null) ?? null,
        issue: (r.issue as string | null) ?? null,
        pages: (r.pages as string | null) ?? null,
        doi: (r.doi as string | null) ?? null,
        pmid: (r.pmid as string | null) ?? null,
        abstract: (r.abstract as string | null) ?? null,
        duplicateGroupId: (r.duplicate_group_id as string | null) ?? null,
        extra,
      };
    });
    // The order `list` gives (JavaScript's string order), whatever the database's collation.
    return out.sort(inRecordOrder);
  }

  /**
   * Sets the duplicate group of records (null: in none), in one transaction: up to 50 as `update`
   * each (an audit entry per record, before and after whole), more a part of 500 at a time, each
   * part one UPDATE and one audit entry naming every record with its group before and after (see
   * duplicate-links.ts). Records are linked, never deleted; the flow counts move with them.
   */
  async setDuplicateGroups(projectId: string, changes: readonly DuplicateGroupChange[], ctx: WriteContext): Promise<number> {
    return this.transaction(async (tx) => {
      if (changes.length <= AUDIT_EACH_MAX) {
        for (const c of changes) await tx.update(projectId, "records", c.id, { duplicateGroupId: c.duplicateGroupId }, ctx);
        return changes.length;
      }
      return linkRecords(tx.db, tx.dialect, projectId, changes, {
        project: () => tx.getProject(projectId),
        moved: (ids) => tx.flowMoved(projectId, "records", ids.map((id) => ({ id, flowMoved: true }))),
        audit: (e) => tx.audit(projectId, ctx, e),
      }, AUDIT_PART_SIZE);
    });
  }

  // ---------------------------------------------------------------- studies

  /** Studies with their lead report and all reports, each with its record's summary when it is a record. */
  async listStudyViews(projectId: string): Promise<StudyView[]> {
    await this.getProject(projectId);
    const [studies, reports] = await Promise.all([this.list(projectId, "studies"), this.list(projectId, "studyReports")]);
    const recordIds = [...new Set(reports.map((r) => r.recordId).filter((x): x is string => x !== null))];
    const records = new Map<string, RecordSummary>();
    for (const chunk of chunks(recordIds, 500)) {
      const rows = await this.db
        .selectFrom("records")
        .select(["id", "title", "authors", "year", "journal", "doi", "pmid", "search_id", "duplicate_group_id", "created_at"])
        .where("project_id", "=", projectId)
        .where("id", "in", chunk)
        .execute();
      for (const r of rows) {
        records.set(r.id, {
          id: r.id, title: r.title, authors: JSON.parse(r.authors), year: r.year == null ? null : Number(r.year), journal: r.journal,
          doi: r.doi, pmid: r.pmid, searchId: r.search_id, duplicateGroupId: r.duplicate_group_id, createdAt: r.created_at,
        });
      }
    }
    const byStudy = new Map<string, StudyReportView[]>();
    for (const r of reports) {
      const v: StudyReportView = { ...r, record: r.recordId ? (records.get(r.recordId) ?? null) : null };
      byStudy.set(r.studyId, [...(byStudy.get(r.studyId) ?? []), v]);
    }
    return studies.map((s) => {
      const rs = (byStudy.get(s.id) ?? []).sort((a, b) => (a.role === b.role ? (a.id < b.id ? -1 : 1) : a.role === "lead" ? -1 : 1));
      return { ...s, leadReport: rs.find((r) => r.role === "lead") ?? null, reports: rs };
    });
  }

  // ---------------------------------------------------------------- audit

  async listAudit(projectId: string, page: { offset?: number | string; limit?: number | string } = {}): Promise<Page<AuditEntry>> {
    const p = parseInput(PageQuery, page, "page");
    await this.getProject(projectId);
    const total = Number(
      (await this.db.selectFrom("audit").select((eb) => eb.fn.countAll().as("n")).where("project_id", "=", projectId).executeTakeFirstOrThrow()).n,
    );
    // Newest first: the log is read to see what just happened. A bulk write's parts hold up to
    // AUDIT_PART_SIZE entities' after-values each (about 1 MB for records); a listing, read by the
    // audit page and by the screening state's change feed, carries their size instead, so a page
    // of the log stays small whatever was imported. The whole entry is in the export and is what
    // `verifyAudit` hashes.
    const rows = await this.auditListing(projectId).orderBy("seq", "desc").offset(p.offset).limit(p.limit).execute();
    return { total, offset: p.offset, limit: p.limit, items: rows.map(listedAuditEntry) };
  }

  /**
   * The project's change feed: its audit entries after position `after` (a
   * `seq` as answered here or by `auditPosition`; 0 from the start), oldest
   * first, at most `limit`, values too long to list left out as in
   * `listAudit`. One indexed read, without the log's total, so a server can
   * ask on every request whether anything changed.
   *
   * Complete in position order: an entry is positioned while its
   * transaction holds the project for the audit chain (`appendChained`) and
   * that hold lasts until it commits, so no entry becomes visible after a
   * later one of the same project. A reader that has seen position N has
   * seen every entry of the project before N.
   */
  async auditSince(projectId: string, after: number, limit: number): Promise<{ seq: number; entry: AuditEntry }[]> {
    const rows = await this.auditListing(projectId).select("seq").where("seq", ">", after).orderBy("seq").limit(limit).execute();
    return rows.map((r: any) => ({ seq: Number(r.seq), entry: listedAuditEntry(r) }));
  }

  /** The position of the project's newest audit entry (0 when it has none), for `auditSince`. */
  async auditPosition(projectId: string): Promise<number> {
    const r = await this.db.selectFrom("audit").select((eb) => eb.fn.max("seq").as("seq")).where("project_id", "=", projectId).executeTakeFirst();
    return Number(r?.seq ?? 0);
  }

  private auditListing(projectId: string) {
    // Sizes in bytes: both engines answer octet_length from the stored value's header, where
    // length() would decompress and scan every large entry (375 ms against 5 ms for a page of
    // 50 one-megabyte import entries on PostgreSQL).
    const big = (col: "before" | "after") => sql<string | null>`CASE WHEN octet_length(${sql.ref(col)}) > ${AUDIT_LIST_VALUE_MAX} THEN NULL ELSE ${sql.ref(col)} END`;
    return this.db
      .selectFrom("audit")
      .select(["id", "at", "actor", "action", "entity", "entity_id", "reason", "prev_hash", "hash"])
      .select([
        big("before").as("before"),
        big("after").as("after"),
        sql<number>`octet_length(before)`.as("before_length"),
        sql<number>`octet_length(after)`.as("after_length"),
      ])
      .where("project_id", "=", projectId);
  }

  /** Appends one audit entry and marks the project changed; call inside the write's transaction. */
  async audit(projectId: string, ctx: WriteContext, e: AuditInput): Promise<AuditEntry> {
    const entry = auditEntry(ctx, e);
    await this.ensureUser(ctx.actor);
    await this.appendChained(projectId, [entry]);
    return entry;
  }

  /**
   * Inserts an entry chained onto the project's last one and marks the
   * project changed. Marking it is what holds the project: the update takes
   * the project's row for the rest of the transaction (PostgreSQL; SQLite
   * runs one write transaction at a time), so two concurrent writes cannot
   * both chain onto the same entry, and entries become visible in position
   * order (see `auditSince`). Writes audit last, so the hold covers only the
   * chain link and the commit; a write's checks and rows before it run side
   * by side with other writers'. An import's own entry (`touch` false)
   * holds the project without marking it, so the project keeps its updatedAt.
   * Entries given together are chained in order, one after the other, each
   * serialised (unless it was beforehand) just before it is written.
   */
  private async appendChained(projectId: string, entries: readonly (PreparedEntry | AuditEntry)[], touch = true): Promise<void> {
    if (!this.inTransaction) throw new Error("audit outside a transaction");
    if (entries.length === 0) return;
    if (touch) {
      const last = entries[entries.length - 1]!;
      await this.db.updateTable("projects").set({ updated_at: "row" in last ? last.entry.at : last.at }).where("id", "=", projectId).execute();
      this.held.add(projectId);
    } else await this.lockProject(projectId);
    await this.flushFlow(projectId);
    const last = await this.db.selectFrom("audit").select("hash").where("project_id", "=", projectId).orderBy("seq", "desc").limit(1).executeTakeFirst();
    let prevHash: string | null = last?.hash ?? null;
    for (const e of entries) {
      // Hashed beforehand on this very head, or now (the entry's serialisations are garbage at once).
      const ahead = "row" in e && e.prevHash === prevHash;
      const entry = "row" in e ? e.entry : e;
      const hash = ahead ? e.hash : entryHash(sha256, prevHash, entry);
      await this.db.insertInto("audit").values({ ...("row" in e ? e.row : auditToRow(projectId, entry)), prev_hash: prevHash, hash }).execute();
      prevHash = hash;
    }
    this.chainHeads.set(projectId, prevHash);
  }

  /**
   * Checks the project's audit chain in log order, a page at a time: the
   * number of entries and the first entry where it breaks (an entry changed,
   * removed or moved in the database), or null.
   */
  async verifyAudit(projectId: string): Promise<{ entries: number; break: ChainBreak | null }> {
    await this.getProject(projectId);
    let prev: string | null = null;
    let after = -1;
    let entries = 0;
    for (;;) {
      const rows = await this.db.selectFrom("audit").selectAll().where("project_id", "=", projectId).where("seq", ">", after).orderBy("seq").limit(1000).execute();
      if (rows.length === 0) return { entries, break: null };
      const r = checkChain(sha256, rows.map(auditChainedFromRow), { start: prev });
      if (r.break) return { entries: entries + rows.length, break: { ...r.break, index: entries + r.break.index } };
      entries += rows.length;
      prev = r.hashes[r.hashes.length - 1]!.hash;
      after = Number(rows[rows.length - 1].seq);
    }
  }

  // ---------------------------------------------------------------- export / import

  /**
   * The whole project as one project file. Collections are sorted by id, the
   * audit log is in order, so exporting an imported export gives the same
   * bytes. The entry that records an import on this instance is not exported.
   */
  async exportProject(projectId: string): Promise<ProjectFile> {
    // One snapshot: a write landing meanwhile is in the file whole (its rows and its audit entry) or not at all.
    if (!this.inTransaction) return this.snapshot((tx) => tx.exportProject(projectId));
    const { blinding, ...rest } = await this.getProject(projectId);
    // Left out while every stage is blind, so files written before blinding existed export as they came.
    const project = Object.keys(blinding).length > 0 ? { ...rest, blinding } : rest;
    const file: Record<string, unknown> = {
      format: PROJECT_FORMAT,
      version: PROJECT_FORMAT_VERSION,
      project,
      protocol: await this.getProtocol(projectId),
      users: [],
    };
    const names = new Set<string>();
    for (const c of collectionNames) {
      const rows = await this.db.selectFrom(tableOf(c)).selectAll().where("project_id", "=", projectId).execute();
      const items = (await mapInTurns(rows, (r) => fromRow(c, r))).sort((a, b) => compareValues(a.id, b.id));
      for (const f of fieldMaps[c]) {
        if (!f.user) continue;
        for (const e of items) for (const n of ([] as unknown[]).concat(e[f.field] ?? [])) names.add(n as string);
      }
      file[c] = items;
    }
    const auditRows = await this.db.selectFrom("audit").selectAll().where("project_id", "=", projectId).orderBy("seq").execute();
    // Imports recorded here after the last change are left out (an export of an import is the file imported);
    // one followed by changes stays, as later entries chain onto it.
    let end = auditRows.length;
    while (end > 0 && auditRows[end - 1].action === IMPORT_ACTION) end--;
    file.audit = await mapInTurns(auditRows.slice(0, end), auditForFile);
    for (const a of file.audit as AuditEntry[]) names.add(a.actor);
    const users = await this.listUsers();
    file.users = users.filter((u) => names.has(u.name));
    const stored = await this.listFiles(projectId);
    // Absent when nothing is stored, so a project without files exports exactly as before.
    if (stored.length > 0) {
      const entries: StoredFileEntry[] = [];
      for (const f of stored) {
        const parts: Buffer[] = [];
        for await (const p of this.readFile(projectId, f.sha256)) parts.push(p);
        entries.push({ ...f, base64: Buffer.concat(parts).toString("base64") });
      }
      file.files = entries;
    }
    return file as unknown as ProjectFile;
  }

  /**
   * Imports a project file (already read; validated here before any write) in
   * one transaction. An existing project id is a conflict (409) unless `copy`,
   * which gives the project a new id (entity ids are per project, so they stay).
   */
  async importProject(value: unknown, opts: WriteContext & { copy?: boolean; asOwner?: boolean }): Promise<Project> {
    const file = parseProjectFile(value);
    await validateFile(file);
    // History is kept as it came once its chain holds; a file written before the chain is chained here.
    const chain = checkChain(sha256, file.audit, { legacyPrefix: true });
    if (chain.break) throw new InputError(`project file: ${describeBreak(chain.break)}`);
    return this.transaction(async (tx) => {
      let project = storedProject(file.project);
      if (await tx.hasProject(project.id)) {
        if (!opts.copy) throw new InputError(`project "${project.id}" already exists (import as a copy to keep both)`, 409);
        project = { ...project, id: randomUUID() };
      }
      for (const u of file.users) await tx.ensureUser(u.name, u.displayName);
      await tx.ensureUser(opts.actor);
      const names = new Set<string>(file.audit.map((a) => a.actor));
      for (const c of collectionNames) {
        for (const f of fieldMaps[c]) {
          if (!f.user) continue;
          for (const e of file[c] as Record<string, unknown>[]) for (const n of ([] as unknown[]).concat(e[f.field] ?? [])) names.add(n as string);
        }
      }
      for (const n of names) await tx.ensureUser(n);
      await tx.db.insertInto("projects").values({ ...projectToRow(project), protocol: JSON.stringify(file.protocol) }).execute();
      for (const c of collectionNames) {
        const rule = onePerRule(c);
        if (!rule) {
          await tx.insertRows(project.id, c, file[c] as Entity<typeof c>[]);
          continue;
        }
        // Rows an older race left at one place come back marked as they were (see one-per.ts).
        const { active, superseded } = splitSuperseded(rule, file[c] as Record<string, unknown>[]);
        await tx.insertRows(project.id, c, active as Entity<typeof c>[]);
        for (const e of superseded) await tx.db.insertInto(tableOf(c)).values({ ...toRow(c, project.id, e), superseded: 1 }).execute();
        await tx.flowMoved(project.id, c, superseded);
      }
      for (let i = 0; i < file.audit.length; i += 1000) {
        const rows = file.audit.slice(i, i + 1000).map((a, j) => ({ ...auditToRow(project.id, { ...a, ...chain.hashes[i + j]! }), chained_on_import: i + j < chain.legacy ? 1 : 0 }));
        await tx.db.insertInto("audit").values(rows).execute();
      }
      const entry: AuditEntry = {
        id: randomUUID(),
        at: now(),
        actor: opts.actor,
        action: IMPORT_ACTION,
        entity: "project",
        entityId: project.id,
        before: null,
        after: {
          title: project.title,
          copyOf: project.id === file.project.id ? null : file.project.id,
          counts: countsOf(file),
          chain: { verified: file.audit.length - chain.legacy, chainedOnImport: chain.legacy },
        },
        reason: opts.reason ?? null,
      };
      for (const f of file.files ?? []) {
        const bytes = Buffer.from(f.base64, "base64");
        if (bytes.length !== f.size || sha256Bytes(bytes) !== f.sha256) throw new InputError(`project file: stored file ${f.sha256} does not match its size and SHA-256`);
        await tx.putFile(project.id, { sha256: f.sha256, size: f.size, mediaType: f.mediaType, createdAt: f.createdAt, open: async function* () { yield bytes; } });
      }
      // Recorded on this instance only (not exported), so an import keeps the project's updatedAt.
      await tx.appendChained(project.id, [entry], false);
      // The importer owns what they bring in (a copy too), unless the file already makes them an owner.
      // A restore of a whole instance (asOwner false) brings projects back exactly as they were.
      if (opts.asOwner !== false) {
        const mine = file.members.find((m) => m.userName === opts.actor);
        if (!mine) await tx.insert(project.id, "members", [{ userName: opts.actor, role: "owner" }], opts);
        else if (mine.role !== "owner") await tx.update(project.id, "members", mine.id, { role: "owner" }, opts);
        if (!mine || mine.role !== "owner") return tx.getProject(project.id);
      }
      return project;
    });
  }

  // ---------------------------------------------------------------- stored files

  /**
   * Stores a file's bytes once per project and content: a file already held
   * under `sha256` is kept as it is. The bytes are read from `open()` as they
   * come and written in parts; the content must hash to `sha256` and have
   * `size` bytes, or nothing is stored.
   */
  async putFile(
    projectId: string,
    file: { sha256: string; size: number; mediaType: string | null; createdAt?: string; open: () => AsyncIterable<Uint8Array> },
  ): Promise<StoredFile> {
    if (!/^[0-9a-f]{64}$/.test(file.sha256)) throw new InputError("sha256 must be 64 lower-case hexadecimal digits");
    try {
      return await this.storeFile(projectId, file);
    } catch (err) {
      // Two people uploading the same file at once: the one stored first is the file.
      const stored = this.inTransaction || err instanceof InputError ? null : await this.getFile(projectId, file.sha256);
      if (stored) return stored;
      throw err;
    }
  }

  private async storeFile(
    projectId: string,
    file: { sha256: string; size: number; mediaType: string | null; createdAt?: string; open: () => AsyncIterable<Uint8Array> },
  ): Promise<StoredFile> {
    return this.transaction(async (tx) => {
      await tx.getProject(projectId);
      const existing = await tx.getFile(projectId, file.sha256);
      if (existing) return existing;
      const row = { project_id: projectId, sha256: file.sha256, size: file.size, media_type: file.mediaType, created_at: file.createdAt ?? now() };
      await tx.db.insertInto("files").values(row).execute();
      const written = await writeInParts(file.open(), async (part, bytes) => {
        await tx.db.insertInto("file_parts").values({ project_id: projectId, sha256: file.sha256, part, bytes }).execute();
      });
      if (written.size !== file.size || written.sha256 !== file.sha256) throw new InputError("the stored file's content does not match its size and SHA-256");
      return fileOfRow(row);
    });
  }

  async getFile(projectId: string, sha256: string): Promise<StoredFile | null> {
    const r = await this.db.selectFrom("files").selectAll().where("project_id", "=", projectId).where("sha256", "=", sha256).executeTakeFirst();
    return r ? fileOfRow(r) : null;
  }

  async listFiles(projectId: string): Promise<StoredFile[]> {
    const rows = await this.db.selectFrom("files").selectAll().where("project_id", "=", projectId).orderBy("sha256").execute();
    return rows.map(fileOfRow);
  }

  /** A stored file's bytes, one part per query, so a download holds one part at a time. */
  async *readFile(projectId: string, sha256: string): AsyncGenerator<Buffer> {
    for (let part = 0; ; part++) {
      const r = await this.db
        .selectFrom("file_parts")
        .select("bytes")
        .where("project_id", "=", projectId)
        .where("sha256", "=", sha256)
        .where("part", "=", part)
        .executeTakeFirst();
      if (!r) return;
      yield Buffer.from(r.bytes as Uint8Array);
    }
  }

  // ---------------------------------------------------------------- internals

  /**
   * Ids among `ids` present in `table` for the project: one query whatever
   * their number, the ids passed as one array (JSON on SQLite) parameter.
   */
  private async existingIds(table: string, projectId: string, ids: string[], limit?: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await sql<{ id: string }>`SELECT id FROM ${sql.table(table)} WHERE project_id = ${projectId} AND ${this.among("id", ids)}${limit ? sql` LIMIT ${limit}` : sql``}`.execute(this.db);
    return rows.rows.map((r) => r.id);
  }

  /** `among` (among.ts) on this store's engine. */
  private among(column: string, values: readonly string[]) {
    return among(this.dialect, column, values);
  }

  /** What the collections' rules may read, answered inside this write's transaction; the protocol is read once per write. */
  private ruleContext(projectId: string): RuleContext {
    let protocol: Promise<Protocol> | undefined;
    return {
      protocol: () => (protocol ??= this.getProtocol(projectId)),
      find: (c, where) => this.select(projectId, c, where),
    };
  }

  /** Checks a new batch: ids not taken, references resolve, study lead rule. */
  private async checkNew<C extends CollectionName>(projectId: string, c: C, entities: Entity<C>[]): Promise<void> {
    const ids = entities.map((e) => (e as { id: string }).id);
    const seen = new Set<string>();
    const dup = ids.find((id) => seen.size === seen.add(id).size);
    if (dup !== undefined) throw new InputError(`${singular(c)} id "${dup}" given twice`);
    const [taken] = await this.existingIds(tableOf(c), projectId, ids, 1);
    if (taken !== undefined) throw new InputError(`${singular(c)} "${taken}" already exists`, 409);
    await this.checkRefs(projectId, c, entities);
    if (c === "studyReports") await this.checkLeads(projectId, entities as Entity<"studyReports">[]);
  }

  private async checkRefs<C extends CollectionName>(projectId: string, c: C, entities: Entity<C>[]): Promise<void> {
    for (const [field, target] of Object.entries(collectionInfo(c).refs)) {
      const wanted = new Set<string>();
      for (const e of entities) for (const v of ([] as unknown[]).concat((e as Record<string, unknown>)[field] ?? [])) wanted.add(v as string);
      // A batch may refer to its own members (e.g. a group of new records).
      if (target === c) for (const e of entities) wanted.delete((e as { id: string }).id);
      const found = new Set(await this.existingIds(tableOf(target), projectId, [...wanted]));
      for (const id of wanted) if (!found.has(id)) throw new InputError(`${singular(c)}.${field} refers to unknown ${singular(target)} "${id}"`);
    }
  }

  private async checkLeads(projectId: string, reports: Entity<"studyReports">[], exceptId?: string): Promise<void> {
    const seen = new Set<string>();
    for (const r of reports) {
      if (r.role !== "lead") continue;
      if (seen.has(r.studyId)) throw new InputError(`study "${r.studyId}" would have two lead reports`, 409);
      seen.add(r.studyId);
      let q = this.db.selectFrom("study_reports").select("id").where("project_id", "=", projectId).where("study_id", "=", r.studyId).where("role", "=", "lead");
      if (exceptId) q = q.where("id", "<>", exceptId);
      const other = await q.executeTakeFirst();
      if (other) throw new InputError(`study "${r.studyId}" already has a lead report ("${other.id}")`, 409);
    }
  }

  /** Writes parsed, checked entities; inside a transaction only (see `insertSqlite`). */
  private async insertRows<C extends CollectionName>(projectId: string, c: C, entities: Entity<C>[]): Promise<void> {
    if (entities.length === 0) return;
    if (!this.inTransaction) throw new Error("insertRows outside a transaction");
    const rows = entities as Record<string, unknown>[];
    if (this.dialect === "sqlite") {
      await insertSqlite(this.native!, c, projectId, rows);
    } else {
      await insertPostgres(this.db, c, projectId, rows);
    }
    if (c === "records") {
      this.recordsWritten += rows.length;
      const perSearch = new Map<string, number>();
      for (const r of rows) perSearch.set((r.searchId as string | null) ?? "", (perSearch.get((r.searchId as string | null) ?? "") ?? 0) + 1);
      for (const [searchId, n] of perSearch) await this.countRecords(projectId, searchId, n);
    }
    await this.flowMoved(projectId, c, rows);
  }

  /**
   * Moves the PRISMA flow's counts (flow.ts, migration 0025) for the records
   * a write of `c`'s rows may have moved: the records of decisions,
   * reconciliations and retrievals, records in a duplicate group, and the
   * members of duplicate groups. Every write of those collections passes
   * here (`insertRows`, `update`, `remove`), in its transaction.
   */
  private async flowMoved(projectId: string, c: CollectionName, rows: readonly Record<string, unknown>[]): Promise<void> {
    let ids: string[];
    if (c === "screeningDecisions" || c === "reconciliations" || c === "fullTextRetrievals") ids = rows.map((r) => r.recordId as string);
    else if (c === "records") ids = rows.filter((r) => r.duplicateGroupId != null || r.flowMoved === true).map((r) => r.id as string);
    else if (c === "duplicateGroups") {
      const groups = rows.map((r) => r.id as string);
      if (groups.length === 0) return;
      ids = (await sql<{ id: string }>`SELECT id FROM records WHERE project_id = ${projectId} AND ${this.among("duplicate_group_id", groups)}`.execute(this.db)).rows.map((r) => r.id);
    } else return;
    if (ids.length === 0) return;
    // Two writers moving one record must not both work out its place from what they read before
    // either wrote, so places are worked out while the project is held: the second then reads the
    // first's rows once it has committed. Until the write holds the project (its audit entry, the
    // last step), the records wait here; so the hold covers one read and the counts' upserts, not
    // the write's checks and rows, and every writer takes the project before any count row (no
    // two writers can hold one each and wait for the other's).
    if (this.held.has(projectId)) return refreshFlow(this.db, this.dialect, projectId, ids);
    const pending = this.flowPending.get(projectId) ?? new Set<string>();
    for (const id of ids) pending.add(id);
    this.flowPending.set(projectId, pending);
  }

  /** Works out the places of the records waiting in `flowPending` for a project this transaction holds. */
  private async flushFlow(projectId: string): Promise<void> {
    const pending = this.flowPending.get(projectId);
    if (!pending) return;
    this.flowPending.delete(projectId);
    await refreshFlow(this.db, this.dialect, projectId, pending);
  }

  /**
   * Adds `n` (may be negative) to the project's count of records found by
   * `searchId` ('' for none), in the write's transaction (see migration
   * 0016): every write of records passes here, so the count is never out
   * of step with the table.
   */
  private async countRecords(projectId: string, searchId: string, n: number): Promise<void> {
    if (n === 0) return;
    await sql`INSERT INTO record_counts (project_id, search_id, n) VALUES (${projectId}, ${searchId}, ${n})
      ON CONFLICT (project_id, search_id) DO UPDATE SET n = record_counts.n + excluded.n`.execute(this.db);
  }
}

const IMPORT_ACTION = "project.import";

const SECTION_NAMES: Record<ProtocolSection, string> = {
  question: "review question",
  picot: "PICOT",
  eligibility: "eligibility criteria",
  exclusionReasons: "exclusion reasons",
  outcomeDomains: "outcome domains",
  classifications: "study classifications",
  ratingScheme: "rating scheme",
  lists: "further lists",
  appraisal: "appraisal set-up",
  extraction: "extraction set-up",
};

/**
 * A LIKE pattern for `s` that both engines read alike: the characters LIKE
 * or its escape treat specially become "_" (any one character), so the
 * pattern may match a little more, never less.
 */
const likeAny = (s: string) => s.replace(/[\\%_]/g, "_");

/**
 * The collections' `validate` rules over an imported file, answered from the
 * file itself. Their `permit` rules are not run: the file carries decisions
 * signed by other people long ago. Dependent collections go first, so a rule
 * spanning two (a value and its codebook item) is reported for the entity
 * that breaks it.
 */
async function validateFile(file: ProjectFile): Promise<void> {
  const ctx = fileRuleContext(file);
  for (const c of [...collectionNames].reverse()) {
    const { validate } = collectionInfo(c);
    const entities = file[c] as Record<string, unknown>[];
    if (!validate || entities.length === 0) continue;
    try {
      await validate(entities, ctx);
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`invalid project file: ${c}: ${err.message}`);
      throw err;
    }
  }
}

function countsOf(file: ProjectFile): Record<string, number> {
  return Object.fromEntries(collectionNames.filter((c) => file[c].length > 0).map((c) => [c, file[c].length]));
}

/** Words of a search box as index terms: letters and digits, lower case, diacritics removed. */
export function searchTerms(q: string, max = 20): string[] {
  const folded = fold(q);
  return folded ? folded.split(" ").slice(0, max) : [];
}

/** Per collection, the time and acting-user fields the store fills when a new entity leaves them out. */
const autoFieldCache = new Map<CollectionName, { time: string[]; actor: string[] }>();
function autoFields(c: CollectionName): { time: string[]; actor: string[] } {
  let a = autoFieldCache.get(c);
  if (!a) {
    const shape = collectionInfo(c).schema.shape as Record<string, unknown>;
    const required = Object.keys(shape).filter((f) => !isOptional(shape[f]));
    a = { time: required.filter((f) => TIME_FIELDS.has(f)), actor: required.filter((f) => ACTOR_FIELDS.has(f)) };
    autoFieldCache.set(c, a);
  }
  return a;
}

function jsonOrText(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function projectFromRow(r: any): Project {
  const blinding = Blinding.safeParse(JSON.parse(r.blinding ?? "{}"));
  return { id: r.id, title: r.title, description: r.description, blinding: blinding.success ? blinding.data : {}, createdAt: r.created_at, updatedAt: r.updated_at };
}

/**
 * A project's text as stored, the same on both engines (see `storedText`):
 * the title and description are the project's only free text kept outside
 * JSON, where PostgreSQL would refuse a NUL that SQLite keeps.
 */
function storedProject(p: Project): Project {
  return { ...p, title: storedText(p.title), description: storedText(p.description) };
}

function projectToRow(p: Project) {
  return { id: p.id, title: p.title, description: p.description, blinding: JSON.stringify(p.blinding ?? {}), created_at: p.createdAt, updated_at: p.updatedAt };
}

function auditEntry(ctx: WriteContext, e: AuditInput): AuditEntry {
  return {
    id: randomUUID(),
    at: now(),
    actor: ctx.actor,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    reason: ctx.reason ?? null,
  };
}

/** An audit entry serialised and hashed ahead of its link: its row short of the hashes, and its hash chained onto `prevHash`. */
interface PreparedEntry {
  entry: AuditEntry;
  row: ReturnType<typeof auditToRow>;
  prevHash: string | null;
  hash: string;
}

function preparedEntry(projectId: string, entry: AuditEntry, prevHash: string | null): PreparedEntry {
  return { entry, row: auditToRow(projectId, entry), prevHash, hash: entryHash(sha256, prevHash, entry) };
}

/**
 * `make(0)` … `make(n - 1)`, one per turn of the event loop, so that work
 * awaiting I/O meanwhile (rows streamed to the database) keeps going; `stop`
 * ends it early (the write failed).
 */
function inTurns<T>(n: number, make: (k: number) => T): { done: Promise<T[]>; stop: () => void } {
  let stopped = false;
  const done = (async () => {
    const out: T[] = [];
    for (let k = 0; k < n && !stopped; k++) {
      await nextTurn();
      if (!stopped) out.push(make(k));
    }
    return out;
  })();
  done.catch(() => undefined);
  return { done, stop: () => void (stopped = true) };
}

function auditToRow(projectId: string, a: AuditEntry) {
  return {
    project_id: projectId,
    id: a.id,
    at: a.at,
    actor: a.actor,
    action: a.action,
    entity: a.entity,
    entity_id: a.entityId,
    before: JSON.stringify(a.before ?? null),
    after: JSON.stringify(a.after ?? null),
    reason: a.reason,
    prev_hash: a.prevHash ?? null,
    hash: a.hash ?? null,
  };
}

function auditChainedFromRow(r: any): AuditEntry {
  return { ...auditEntryOfRow(r), prevHash: r.prev_hash ?? null, hash: r.hash ?? undefined };
}

/** A listed audit row as its entry, a value too long to list replaced by its size. */
function listedAuditEntry(r: any): AuditEntry {
  const e = auditFromRow(r);
  for (const [k, n] of [["before", Number(r.before_length)], ["after", Number(r.after_length)]] as const) {
    if (n > AUDIT_LIST_VALUE_MAX) e[k] = { omitted: `${n} bytes, too long to list: in the project export` };
  }
  return e;
}

function auditFromRow(r: any): AuditEntry {
  return auditChainedFromRow(r);
}

/** Entries of a file written before the chain go back out as they came, without hashes. */
function auditForFile(r: any): AuditEntry {
  return Number(r.chained_on_import) ? auditEntryOfRow(r) : auditChainedFromRow(r);
}

function isOptional(s: unknown): boolean {
  const t = (s as { _zod: { def: { type: string } } })._zod.def.type;
  return t === "default" || t === "nullable" || t === "optional";
}

function singular(c: string): string {
  const s = c.replace(/ies$/, "y").replace(/(ch|sh|ss|x)es$/, "$1").replace(/([^s])s$/, "$1");
  return s.replace(/[A-Z]/g, (ch) => " " + ch.toLowerCase());
}

/** A record as duplicate detection reads it (see `dedupeRecords`). */
export interface DedupeRecordRow {
  id: string;
  createdAt: string;
  title: string;
  authors: string[];
  year: number | null;
  journal: string | null;
  volume: string | null;
  issue: string | null;
  pages: string | null;
  doi: string | null;
  pmid: string | null;
  abstract: string | null;
  duplicateGroupId: string | null;
  extra: Record<string, unknown>;
}

/** The records' order as `list` gives it (created, then id, JavaScript's string order), whatever the database's collation. */
const inRecordOrder = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) => compareValues(a.createdAt, b.createdAt) || compareValues(a.id, b.id);

/** Total order for scalar field values: null first, numbers numerically, text by code point. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a == null) return -1;
  if (b == null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
