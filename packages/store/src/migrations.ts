import { createHash } from "node:crypto";
import { sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import { entryHash, Protocol, upgradeClassificationsV1 } from "@homeward/model";
import { keyColumn, ONE_PER_RULES, onePerIndex } from "./one-per.js";
import { flowCandidates, refreshFlow } from "./flow.js";

export type Dialect = "sqlite" | "postgres";

/** t = text, i = integer, r = double, j = JSON text, b = boolean as 0/1 integer. */
type Col = [name: string, type: "t" | "i" | "r" | "j" | "b"];

/**
 * Project-scoped tables of schema version 1. Every table is keyed on
 * (project_id, id): ids are unique within a project only. Frozen: later
 * changes go in new migrations (a test checks that tables and model agree).
 */
const v1Tables: [table: string, cols: Col[]][] = [
  ["members", [["user_name", "t"], ["role", "t"], ["added_at", "t"]]],
  ["searches", [["source", "t"], ["kind", "t"], ["date", "t"], ["query", "t"], ["results_count", "i"], ["url", "t"], ["notes", "t"]]],
  ["import_batches", [["search_id", "t"], ["file_name", "t"], ["format", "t"], ["imported_by", "t"], ["imported_at", "t"], ["counts", "j"], ["skipped", "j"]]],
  ["duplicate_groups", [["primary_record_id", "t"], ["method", "t"], ["created_by", "t"], ["created_at", "t"]]],
  ["duplicate_pairs", [["record_id_a", "t"], ["record_id_b", "t"], ["score", "r"], ["reasons", "j"], ["status", "t"], ["decided_by", "t"], ["decided_at", "t"], ["created_at", "t"]]],
  ["screening_settings", [["stage", "t"], ["mode", "t"], ["dual_fraction", "r"], ["reviewers", "j"], ["updated_at", "t"]]],
  ["screening_assignments", [["record_id", "t"], ["stage", "t"], ["reviewer", "t"], ["assigned_at", "t"]]],
  ["screening_decisions", [["record_id", "t"], ["stage", "t"], ["reviewer", "t"], ["decision", "t"], ["reasons", "j"], ["note", "t"], ["labels", "j"], ["at", "t"]]],
  ["reconciliations", [["record_id", "t"], ["stage", "t"], ["decision", "t"], ["reasons", "j"], ["resolved_by", "t"], ["reason", "t"], ["at", "t"]]],
  ["qa_samples", [["stage", "t"], ["reviewer", "t"], ["decision", "t"], ["record_ids", "j"], ["method", "t"], ["fraction", "r"], ["seed", "i"], ["checker", "t"], ["status", "t"], ["created_by", "t"], ["created_at", "t"]]],
  ["full_text_retrievals", [["record_id", "t"], ["status", "t"], ["file", "j"], ["note", "t"], ["updated_by", "t"], ["updated_at", "t"]]],
  ["recorded_counts", [["field", "t"], ["value", "i"], ["reasons", "j"], ["source", "t"], ["note", "t"], ["recorded_by", "t"], ["recorded_at", "t"]]],
  ["studies", [["name", "t"], ["short_citation", "t"], ["design", "t"], ["country", "t"], ["arms", "j"], ["strand", "t"], ["attributes", "j"], ["created_at", "t"]]],
  ["study_reports", [["study_id", "t"], ["record_id", "t"], ["citation", "t"], ["role", "t"]]],
  ["codebook_items", [["code", "t"], ["label", "t"], ["type", "t"], ["options", "j"], ["group", "t"], ["description", "t"], ["order", "i"]]],
  ["outcomes", [["study_id", "t"], ["domain", "t"], ["name", "t"], ["measure", "t"], ["timing", "t"], ["higher_is_better", "b"], ["attributes", "j"]]],
  ["extracted_values", [["study_id", "t"], ["item_id", "t"], ["outcome_id", "t"], ["value", "j"], ["reviewer", "t"], ["note", "t"], ["at", "t"]]],
  ["effect_sizes", [["outcome_id", "t"], ["measure", "t"], ["inputs", "j"], ["yi", "r"], ["vi", "r"], ["method", "t"], ["provenance", "t"], ["created_by", "t"], ["created_at", "t"]]],
  ["appraisals", [["study_id", "t"], ["outcome_id", "t"], ["tool", "t"], ["tool_version", "t"], ["domains", "j"], ["overall", "t"], ["overall_support", "t"], ["reviewer", "t"], ["consensus", "b"], ["at", "t"]]],
  ["appraisal_flag_acceptances", [["appraisal_id", "t"], ["flag", "t"], ["justification", "t"], ["accepted_by", "t"], ["at", "t"]]],
  ["qualitative_findings", [["statement", "t"], ["components", "j"], ["confidence", "t"], ["explanation", "t"], ["study_ids", "j"], ["order", "i"]]],
  ["reported_results", [["label", "t"], ["analysis", "t"], ["outcome_domain", "t"], ["measure", "t"], ["estimate", "r"], ["ci_lower", "r"], ["ci_upper", "r"], ["k_studies", "i"], ["k_outcomes", "i"], ["p", "r"], ["heterogeneity", "j"], ["study_ids", "j"], ["notes", "t"]]],
  ["recommendations", [["text", "t"], ["rating", "t"], ["kind", "t"], ["finding_ids", "j"], ["result_ids", "j"], ["order", "i"]]],
];

const recordCols: Col[] = [
  ["search_id", "t"], ["import_batch_id", "t"], ["authors", "j"], ["title", "t"], ["abstract", "t"], ["journal", "t"],
  ["year", "i"], ["volume", "t"], ["issue", "t"], ["pages", "t"], ["doi", "t"], ["pmid", "t"], ["keywords", "j"],
  ["url", "t"], ["type", "t"], ["language", "t"], ["raw", "t"], ["extra", "j"], ["duplicate_group_id", "t"], ["created_at", "t"],
];

/** Lower-cased sort keys of the records table, kept by the store (never exported). */
export const recordSortColumns = ["sort_title", "sort_authors", "sort_journal"] as const;

function sqlType(d: Dialect, t: Col[1]) {
  if (t === "i" || t === "b") return "integer" as const;
  if (t === "r") return d === "postgres" ? ("double precision" as const) : ("real" as const);
  return "text" as const;
}

// PostgreSQL compares text by the database locale; byte order ("C") keeps sorting identical to SQLite's.
const cText = (d: Dialect) => (d === "postgres" ? sql`text collate "C"` : sql`text`);

function v1(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("users")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("display_name", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("projects")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("protocol", "text", (c) => c.notNull())
        .execute();

      for (const [table, cols] of v1Tables) {
        let t = db.schema
          .createTable(table)
          .addColumn("project_id", "text", (c) => c.notNull())
          .addColumn("id", cText(d), (c) => c.notNull());
        for (const [name, type] of cols) t = t.addColumn(name, sqlType(d, type));
        await t.addPrimaryKeyConstraint(`${table}_pk`, ["project_id", "id"]).execute();
      }

      // Records: the one big table; sort keys and full-text search are engine-specific.
      let rt = db.schema.createTable("records");
      if (d === "sqlite") rt = rt.addColumn("rid", "integer", (c) => c.primaryKey().autoIncrement());
      rt = rt.addColumn("project_id", "text", (c) => c.notNull()).addColumn("id", cText(d), (c) => c.notNull());
      for (const [name, type] of recordCols) rt = rt.addColumn(name, sqlType(d, type));
      for (const name of recordSortColumns) rt = rt.addColumn(name, cText(d), (c) => c.notNull().defaultTo(""));
      rt = d === "sqlite" ? (rt as any).addUniqueConstraint("records_key", ["project_id", "id"]) : (rt as any).addPrimaryKeyConstraint("records_pk", ["project_id", "id"]);
      await rt.execute();
      for (const col of [...recordSortColumns, "created_at"]) {
        await db.schema.createIndex(`records_${col}`).on("records").columns(["project_id", col, "id"]).execute();
      }
      if (d === "sqlite") {
        // SQLite sorts NULL first ascending; the year index serves both directions.
        await db.schema.createIndex("records_year").on("records").columns(["project_id", "year", "id"]).execute();
        // External-content FTS5 index over the searchable text, kept in step by triggers.
        await sql`CREATE VIRTUAL TABLE records_fts USING fts5(title, abstract, authors, journal, keywords, doi, content='records', content_rowid='rid', tokenize='unicode61 remove_diacritics 2')`.execute(db);
        const cols = sql.raw("title, abstract, authors, journal, keywords, doi");
        const newCols = sql.raw("new.title, new.abstract, new.authors, new.journal, new.keywords, new.doi");
        const oldCols = sql.raw("old.title, old.abstract, old.authors, old.journal, old.keywords, old.doi");
        await sql`CREATE TRIGGER records_fts_ai AFTER INSERT ON records BEGIN INSERT INTO records_fts(rowid, ${cols}) VALUES (new.rid, ${newCols}); END`.execute(db);
        await sql`CREATE TRIGGER records_fts_ad AFTER DELETE ON records BEGIN INSERT INTO records_fts(records_fts, rowid, ${cols}) VALUES ('delete', old.rid, ${oldCols}); END`.execute(db);
        await sql`CREATE TRIGGER records_fts_au AFTER UPDATE ON records BEGIN INSERT INTO records_fts(records_fts, rowid, ${cols}) VALUES ('delete', old.rid, ${oldCols}); INSERT INTO records_fts(rowid, ${cols}) VALUES (new.rid, ${newCols}); END`.execute(db);
      } else {
        // Match SQLite: NULL years are the smallest value in either direction.
        await sql`CREATE INDEX records_year ON records (project_id, year ASC NULLS FIRST, id)`.execute(db);
        // search_text is folded by the store (case, diacritics) as FTS5 does; the tsvector indexes it.
        await sql`ALTER TABLE records ADD COLUMN search_text text NOT NULL DEFAULT ''`.execute(db);
        await sql`ALTER TABLE records ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED`.execute(db);
        await sql`CREATE INDEX records_search ON records USING gin (search)`.execute(db);
      }

      // Lookups the pipeline makes by foreign key.
      const fk: [string, string][] = [
        ["records", "duplicate_group_id"],
        ["screening_decisions", "record_id"],
        ["screening_assignments", "record_id"],
        ["reconciliations", "record_id"],
        ["full_text_retrievals", "record_id"],
        ["study_reports", "study_id"],
        ["study_reports", "record_id"],
        ["outcomes", "study_id"],
        ["extracted_values", "study_id"],
        ["effect_sizes", "outcome_id"],
        ["appraisals", "study_id"],
      ];
      for (const [table, col] of fk) {
        await db.schema.createIndex(`${table}_${col}`).on(table).columns(["project_id", col]).execute();
      }
      // One lead report per study, as a backstop to the store's own check.
      await db.schema
        .createIndex("study_reports_one_lead")
        .on("study_reports")
        .columns(["project_id", "study_id"])
        .unique()
        .where(sql.ref("role"), "=", "lead")
        .execute();

      let at = db.schema.createTable("audit");
      at = d === "sqlite" ? at.addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement()) : at.addColumn("seq", "serial", (c) => c.primaryKey());
      await at
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("entity", "text", (c) => c.notNull())
        .addColumn("entity_id", "text")
        .addColumn("before", "text")
        .addColumn("after", "text")
        .addColumn("reason", "text")
        .addUniqueConstraint("audit_key", ["project_id", "id"])
        .execute();
      await db.schema.createIndex("audit_project_seq").on("audit").columns(["project_id", "seq"]).execute();
    },
  };
}

/**
 * Search index maintenance fit for bulk writes.
 *
 * SQLite: the store adds new records to FTS5 itself, one `INSERT INTO
 * records_fts … SELECT` per batch (see `insertSqlite`), instead of by an
 * AFTER INSERT trigger. FTS5 writes its pending terms out as a new segment at
 * every statement's savepoint (its xSavepoint), so a trigger under one-row
 * INSERTs made a segment per record, merged over and over: 30,000 records
 * took 6.9 s of CPU against 2.3 s. Update and delete triggers stay (one row
 * each). Anything that inserts records must therefore go through the store.
 *
 * PostgreSQL: the tsvector is built by `array_to_tsvector` from the words the
 * store has already folded and split (`search_text`, distinct words), not by
 * re-parsing them with `to_tsvector`, whose parser cost ~0.4 ms per record
 * (4× the rest of the row). Without positions the tsvector is also smaller;
 * searches use prefix terms joined by AND, which need none. Queries pass the
 * terms as tsquery literals, so both sides see exactly the store's words.
 */
function v2(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (d === "sqlite") {
        await sql`DROP TRIGGER records_fts_ai`.execute(db);
        return;
      }
      await sql`DROP INDEX records_search`.execute(db);
      await sql`ALTER TABLE records DROP COLUMN search`.execute(db);
      // Rows written before: distinct words, and none longer than a lexeme may be (to_tsvector skipped those).
      await sql`UPDATE records SET search_text = array_to_string(ARRAY(SELECT DISTINCT w FROM unnest(string_to_array(search_text, ' ')) w WHERE octet_length(w) <= 2046), ' ')`.execute(db);
      await sql`ALTER TABLE records ADD COLUMN search tsvector GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_text, ' '))) STORED`.execute(db);
      await sql`CREATE INDEX records_search ON records USING gin (search)`.execute(db);
    },
  };
}

/**
 * Screening leases (see leases.ts): who holds which served record until
 * when. One row per (project, stage, key, reviewer); `expires_at` and
 * `granted_at` are milliseconds since the epoch (64-bit on both engines).
 * Not a collection: never exported, never audited.
 */
function v4(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("screening_leases")
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("stage", "text", (c) => c.notNull())
        .addColumn("lease_key", "text", (c) => c.notNull())
        .addColumn("reviewer", "text", (c) => c.notNull())
        .addColumn("record_id", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("granted_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("screening_leases_pk", ["project_id", "stage", "lease_key", "reviewer"])
        .execute();
      // A reviewer's leases are dropped whenever they are served another record, or nothing is left for them.
      await db.schema.createIndex("screening_leases_reviewer").on("screening_leases").columns(["project_id", "stage", "reviewer"]).execute();
    },
  };
}

/**
 * Import batches keep the problems reading their file reported (warnings with
 * their lines, not only skipped records): a JSON list, bounded by the model.
 */
function v5(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("import_batches").addColumn("problems", "text").execute();
      await db.updateTable("import_batches").set({ problems: "[]" }).execute();
    },
  };
}

/**
 * Study classifications as protocol data (project file version 2): studies
 * gain `classifications` and lose `strand`; each project's protocol trades
 * its typology, component levels and equity characteristics for schemes.
 * The values move exactly as a version-1 file's do on import
 * (`upgradeClassificationsV1` in @homeward/model), project by project.
 */
function v6(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("studies").addColumn("classifications", "text").execute();
      const projects = await db.selectFrom("projects").select(["id", "protocol"]).execute();
      for (const p of projects) {
        const where = (t: string) => db.selectFrom(t).where("project_id", "=", p.id);
        const studies = await where("studies").select(["id", "strand", "design", "attributes"]).execute();
        const items = await where("codebook_items").select(["id", "code"]).execute();
        // The store's listing order (time, then id): version 1 took the last of equal times.
        const values = await where("extracted_values").select(["study_id", "item_id", "outcome_id", "value", "at"]).orderBy("at").orderBy("id").execute();
        const up = upgradeClassificationsV1({
          protocol: JSON.parse(p.protocol),
          studies: studies.map((s) => ({ id: s.id, strand: s.strand, design: s.design, attributes: JSON.parse(s.attributes ?? "{}") })),
          codebookItems: items,
          extractedValues: values.map((v) => ({ studyId: v.study_id, itemId: v.item_id, outcomeId: v.outcome_id, value: JSON.parse(v.value ?? "null"), at: v.at })),
        });
        const parsed = Protocol.safeParse(up.protocol);
        await db.updateTable("projects").set({ protocol: JSON.stringify(parsed.success ? parsed.data : up.protocol) }).where("id", "=", p.id).execute();
        for (const s of up.studies as { id: string; classifications: unknown; attributes: unknown }[]) {
          await db
            .updateTable("studies")
            .set({ classifications: JSON.stringify(s.classifications), attributes: JSON.stringify(s.attributes) })
            .where("project_id", "=", p.id)
            .where("id", "=", s.id)
            .execute();
        }
      }
      await db.updateTable("studies").set({ classifications: "{}" }).where("classifications", "is", null).execute();
      await db.schema.alterTable("studies").dropColumn("strand").execute();
    },
  };
}

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/**
 * The audit log as a hash chain per project (see audit-chain.ts in
 * @homeward/model): each row keeps its previous entry's hash and its own.
 * `chained_on_import` marks entries of a file written before the chain,
 * hashed when imported and exported without hashes, as they came. Rows
 * already here are chained in log order (seq), a page at a time.
 */
function v7(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("audit").addColumn("prev_hash", "text").execute();
      await db.schema.alterTable("audit").addColumn("hash", "text").execute();
      await db.schema.alterTable("audit").addColumn("chained_on_import", "integer", (c) => c.notNull().defaultTo(0)).execute();
      const projects = await db.selectFrom("audit").select("project_id").distinct().execute();
      for (const { project_id } of projects) {
        let prev: string | null = null;
        let after = 0;
        for (;;) {
          const rows = await db.selectFrom("audit").selectAll().where("project_id", "=", project_id).where("seq", ">", after).orderBy("seq").limit(1000).execute();
          if (rows.length === 0) break;
          for (const r of rows) {
            const hash = entryHash(sha256, prev, auditEntryOfRow(r));
            await db.updateTable("audit").set({ prev_hash: prev, hash }).where("seq", "=", r.seq).execute();
            prev = hash;
          }
          after = Number(rows[rows.length - 1].seq);
        }
      }
    },
  };
}

/** An audit row as the entry it records (hashes aside). */
export function auditEntryOfRow(r: any) {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    before: r.before == null ? null : JSON.parse(r.before),
    after: r.after == null ? null : JSON.parse(r.after),
    reason: r.reason,
  };
}

/**
 * Sign-in: users gain their credentials (a password hash, an organisation
 * identity `<issuer> <subject>`), whether they administer the instance and
 * when they were created; sessions and one-time sign-in links are rows
 * keyed by the SHA-256 of their secret (the secret itself is never stored);
 * projects keep their blinding (JSON, see `Blinding` in @homeward/model).
 * Booleans are 0/1 integers on both engines, as elsewhere.
 */
function v8(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("users").addColumn("password_hash", "text").execute();
      await db.schema.alterTable("users").addColumn("oidc_subject", "text").execute();
      await db.schema.alterTable("users").addColumn("admin", "integer", (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable("users").addColumn("created_at", "text").execute();
      // NULLs are distinct on both engines: many users without an organisation identity.
      await db.schema.createIndex("users_oidc_subject").on("users").column("oidc_subject").unique().execute();
      await db.schema
        .createTable("sessions")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("user_name", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_user_name").on("sessions").column("user_name").execute();
      await db.schema
        .createTable("sign_in_links")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("user_name", "text")
        .addColumn("purpose", "text", (c) => c.notNull().check(sql`purpose IN ('setup', 'invite', 'reset')`))
        .addColumn("project_id", "text")
        .addColumn("created_by", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("used_at", "text")
        .execute();
      await db.schema.createIndex("sign_in_links_user_name").on("sign_in_links").column("user_name").execute();
      await db.schema.alterTable("projects").addColumn("blinding", "text", (c) => c.notNull().defaultTo("{}")).execute();
      // A member's role is read on every request (`Store.roleOf`).
      await db.schema.createIndex("members_user").on("members").columns(["project_id", "user_name"]).execute();
    },
  };
}

/** Appraisals: the tool's variant (RoB 2 effect of assignment or of adhering) and drafts kept apart from submitted assessments. */
function v9(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("appraisals").addColumn("variant", "text").execute();
      await db.schema.alterTable("appraisals").addColumn("status", "text").execute();
    },
  };
}

/** Extraction: codebook hierarchy, number units and ranges, grids, help, versions and retirement; values' item version, source, history and consensus. */
function v10(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      const add = async (table: string, cols: Col[]) => {
        for (const [name, type] of cols) await db.schema.alterTable(table).addColumn(name, sqlType(d, type)).execute();
      };
      await add("codebook_items", [["parent_id", "t"], ["help", "t"], ["unit", "t"], ["min", "r"], ["max", "r"], ["rows", "j"], ["columns", "j"], ["version", "i"], ["versions", "j"], ["retired_at", "t"]]);
      await add("extracted_values", [["item_version", "i"], ["source", "j"], ["supersedes", "t"], ["consensus", "b"]]);
    },
  };
}

/** Outcome data: a study's time points; effect sizes keep the arms and time point they compare and the conversions' formula, references, chain and whether they were recoded. */
function v11(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      const add = async (table: string, cols: Col[]) => {
        for (const [name, type] of cols) await db.schema.alterTable(table).addColumn(name, sqlType(d, type)).execute();
      };
      await add("studies", [["time_points", "j"]]);
      await db.updateTable("studies").set({ time_points: "[]" }).execute();
      await add("effect_sizes", [["time_point_id", "t"], ["arm_ids", "j"], ["formula", "t"], ["reference", "t"], ["chain", "j"], ["recoded", "b"]]);
    },
  };
}

/** Extraction: codebook items asked once per outcome. */
function v12(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("codebook_items").addColumn("scope", sqlType(d, "t")).execute();
    },
  };
}

/** Extraction checks: each agreement, proposed change, answer, settlement and senior-check draw as its own row. */
function v13(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      const cols: Col[] = [["study_id", "t"], ["target", "t"], ["value_id", "t"], ["effect_size_id", "t"], ["action", "t"], ["basis", "j"], ["proposed", "j"], ["reason", "t"], ["reply_to", "t"], ["extractor", "t"], ["reviewer", "t"], ["at", "t"]];
      let t = db.schema.createTable("extraction_checks").addColumn("project_id", "text", (c) => c.notNull()).addColumn("id", cText(d), (c) => c.notNull());
      for (const [name, type] of cols) t = t.addColumn(name, sqlType(d, type));
      await t.addPrimaryKeyConstraint("extraction_checks_pk", ["project_id", "id"]).execute();
      await db.schema.createIndex("extraction_checks_study_id").on("extraction_checks").columns(["project_id", "study_id"]).execute();
    },
  };
}

/**
 * Stored files (full texts), once per project and content. In the database
 * rather than on disk: several app servers share one PostgreSQL and no disk,
 * and a backup of the database is then a backup of the files. The bytes are
 * kept as parts of at most FILE_PART_BYTES so that neither an upload nor a
 * download ever holds a whole file in memory.
 */
function v14(d: Dialect): Migration {
  const bytes = d === "postgres" ? "bytea" : "blob";
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("files")
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("sha256", "text", (c) => c.notNull())
        .addColumn("size", d === "postgres" ? "bigint" : "integer", (c) => c.notNull())
        .addColumn("media_type", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("files_pk", ["project_id", "sha256"])
        .execute();
      await db.schema
        .createTable("file_parts")
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("sha256", "text", (c) => c.notNull())
        .addColumn("part", "integer", (c) => c.notNull())
        .addColumn("bytes", bytes as "blob", (c) => c.notNull())
        .addPrimaryKeyConstraint("file_parts_pk", ["project_id", "sha256", "part"])
        .execute();
    },
  };
}

/** Saved analyses: named, versioned analysis specs with the result and rows they gave when saved. */
function v21SavedAnalyses(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      const cols: Col[] = [["name", "t"], ["version", "i"], ["description", "t"], ["spec", "j"], ["result", "j"], ["rows", "j"], ["saved_by", "t"], ["saved_at", "t"]];
      let t = db.schema.createTable("saved_analyses").addColumn("project_id", "text", (c) => c.notNull()).addColumn("id", cText(d), (c) => c.notNull());
      for (const [name, type] of cols) t = t.addColumn(name, sqlType(d, type));
      await t.addPrimaryKeyConstraint("saved_analyses_pk", ["project_id", "id"]).execute();
      await db.schema.createIndex("saved_analyses_name").on("saved_analyses").columns(["project_id", "name", "version"]).unique().execute();
    },
  };
}

/**
 * Background jobs (see queue.ts): one row per job on both engines, read by
 * every server; on PostgreSQL pg-boss keeps its own delivery tables beside it.
 * Times to compare (heartbeat, next run) are milliseconds since the epoch.
 */
function v17(d: Dialect): Migration {
  const ms = d === "postgres" ? "bigint" : "integer";
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("jobs")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("progress", sqlType(d, "r"), (c) => c.notNull())
        .addColumn("message", "text", (c) => c.notNull())
        .addColumn("detail", "text")
        .addColumn("payload", "text")
        .addColumn("result", "text")
        .addColumn("error", "text")
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("max_attempts", "integer", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("started_at", "text")
        .addColumn("finished_at", "text")
        .addColumn("heartbeat_at", ms as "bigint")
        .addColumn("run_after", ms as "bigint", (c) => c.notNull())
        .addColumn("worker", "text")
        .addColumn("external_id", "text")
        .addColumn("cancel_requested", "integer", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("jobs_project").on("jobs").columns(["project_id", "created_at"]).execute();
      await db.schema.createIndex("jobs_state").on("jobs").columns(["state", "run_after"]).execute();
    },
  };
}

/** Report versions: the draft spec (number 0) and frozen versions with the data they rendered. */
function v22Reports(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      const cols: Col[] = [["number", "i"], ["spec", "j"], ["data", "j"], ["data_hash", "t"], ["note", "t"], ["saved_by", "t"], ["saved_at", "t"]];
      let t = db.schema.createTable("report_versions").addColumn("project_id", "text", (c) => c.notNull()).addColumn("id", cText(d), (c) => c.notNull());
      for (const [name, type] of cols) t = t.addColumn(name, sqlType(d, type));
      await t.addPrimaryKeyConstraint("report_versions_pk", ["project_id", "id"]).execute();
      await db.schema.createIndex("report_versions_number").on("report_versions").columns(["project_id", "number"]).unique().execute();
    },
  };
}

export function migrationProvider(d: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      return { "0001_initial": v1(d), "0002_bulk_search_index": v2(d), "0004_screening_leases": v4(), "0005_import_problems": v5(), "0006_study_classifications": v6(), "0007_audit_chain": v7(), "0008_accounts": v8(), "0009_appraisal_drafts": v9(), "0010_extraction": v10(d), "0011_outcome_data": v11(d), "0012_codebook_scope": v12(d), "0013_extraction_checks": v13(d), "0014_files": v14(d), "0021_saved_analyses": v21SavedAnalyses(d), "0017_jobs": v17(d), "0019_synthesis": v19Synthesis(d), "0020_primary_research": v20PrimaryResearch(d), "0015_integrity": v15Integrity(d), "0016_counts": v16Counts(d), "0022_reports": v22Reports(d), "0023_screening_models": v23ScreeningModels(d), "0024_synthesis_links": v24SynthesisLinks(d), "0025_flow_counts": v25FlowCounts(d), "0027_screening_rankings": v27ScreeningRankings(d), "0029_job_files": v29JobFiles(d), "0026_lean_record_writes": v26LeanRecordWrites(d), "0035_sign_in_attempts": v35SignInAttempts(), "0032_records_paging": v32RecordsPaging(d) };
    },
  };
}

/** A project table keyed on (project_id, id) with the given columns. */
async function createProjectTable(db: Kysely<any>, d: Dialect, table: string, cols: Col[]): Promise<void> {
  let t = db.schema.createTable(table).addColumn("project_id", "text", (c) => c.notNull()).addColumn("id", cText(d), (c) => c.notNull());
  for (const [name, type] of cols) t = t.addColumn(name, sqlType(d, type));
  await t.addPrimaryKeyConstraint(`${table}_pk`, ["project_id", "id"]).execute();
}

/**
 * Qualitative synthesis: framework codes (with their history), coded
 * excerpts, GRADE assessments of results and the joint display; findings
 * gain their supporting excerpts, codes and what their CERQual assessment
 * was made on, recommendations their joint-display rows, the reason for no
 * rating and the result their generated statement reads.
 */
function v19Synthesis(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await createProjectTable(db, d, "synthesis_codes", [["framework", "t"], ["label", "t"], ["description", "t"], ["status", "t"], ["successor_ids", "j"], ["history", "j"], ["order", "i"]]);
      await createProjectTable(db, d, "coded_excerpts", [["study_id", "t"], ["record_id", "t"], ["transcript_id", "t"], ["page", "i"], ["text", "t"], ["code_ids", "j"], ["source", "t"], ["note", "t"], ["coded_by", "t"], ["at", "t"]]);
      await db.schema.createIndex("coded_excerpts_study_id").on("coded_excerpts").columns(["project_id", "study_id"]).execute();
      await createProjectTable(db, d, "grade_assessments", [["result_id", "t"], ["domains", "j"], ["threshold", "r"], ["certainty", "t"], ["explanation", "t"], ["assessed_by", "t"], ["at", "t"]]);
      await createProjectTable(db, d, "joint_display_rows", [["question", "t"], ["result_ids", "j"], ["finding_ids", "j"], ["survey_question_ids", "j"], ["transcript_ids", "j"], ["primary_note", "t"], ["judgement", "t"], ["note", "t"], ["order", "i"]]);
      for (const [name, type] of [["excerpt_ids", "j"], ["code_ids", "j"], ["assessed_basis", "t"], ["assessed_by", "t"], ["assessed_at", "t"]] as Col[])
        await db.schema.alterTable("qualitative_findings").addColumn(name, sqlType(d, type)).execute();
      await db.updateTable("qualitative_findings").set({ excerpt_ids: "[]", code_ids: "[]" }).execute();
      for (const [name, type] of [["row_ids", "j"], ["rating_reason", "t"], ["effect_result_id", "t"]] as Col[])
        await db.schema.alterTable("recommendations").addColumn(name, sqlType(d, type)).execute();
      await db.updateTable("recommendations").set({ row_ids: "[]" }).execute();
    },
  };
}

/** Primary research: a survey's question dictionary and responses, and interview and focus-group transcripts. */
function v20PrimaryResearch(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await createProjectTable(db, d, "survey_questions", [["code", "t"], ["text", "t"], ["type", "t"], ["options", "j"], ["order", "i"]]);
      await createProjectTable(db, d, "survey_responses", [["respondent", "t"], ["group", "t"], ["answers", "j"], ["imported_by", "t"], ["imported_at", "t"]]);
      await createProjectTable(db, d, "transcripts", [["label", "t"], ["kind", "t"], ["group", "t"], ["participants", "i"], ["text", "t"]]);
    },
  };
}

/**
 * "One per" rules held by the database (see one-per.ts): each rule's table
 * gains `superseded` (rows an older race left beside the one in force are
 * marked, not removed) and a unique index over the rule's place among the
 * rows not superseded. Leases gain their place (`slot`, below the key's
 * capacity): one lease per key and slot, one per reviewer and stage. Leases
 * are serving state, so those held at the upgrade are dropped (reviewers are
 * served afresh, as after a restart of an older version).
 */
const V15_TABLES = ["reconciliations", "screening_settings", "full_text_retrievals", "members", "recorded_counts"];
function v15Integrity(d: Dialect): Migration {
  // PostgreSQL compares text by the database locale; the store's order is by code point, as SQLite's.
  const c = (ref: string) => (d === "postgres" ? `${ref} COLLATE "C"` : ref);
  return {
    async up(db: Kysely<any>) {
      // The rules of this version (a later rule comes with a migration of its own).
      for (const r of ONE_PER_RULES.filter((x) => V15_TABLES.includes(x.table))) {
        await db.schema.alterTable(r.table).addColumn("superseded", "integer", (col) => col.notNull().defaultTo(0)).execute();
        const same = r.columns.map((col) => `${keyColumn(r, col, "o")} = ${keyColumn(r, col, r.table)}`).join(" AND ");
        const o = `o.${r.orderColumn}`, t = `${r.table}.${r.orderColumn}`;
        await sql
          .raw(
            `UPDATE ${r.table} SET superseded = 1 WHERE EXISTS (SELECT 1 FROM ${r.table} o WHERE o.project_id = ${r.table}.project_id AND ${same} ` +
              `AND (${c(o)} > ${c(t)} OR (${o} = ${t} AND ${c("o.id")} > ${c(`${r.table}.id`)})))`,
          )
          .execute(db);
        await sql
          .raw(`CREATE UNIQUE INDEX ${onePerIndex(r)} ON ${r.table} (project_id, ${r.columns.map((col) => keyColumn(r, col)).join(", ")}) WHERE superseded = 0`)
          .execute(db);
      }
      await db.deleteFrom("screening_leases").execute();
      await db.schema.alterTable("screening_leases").addColumn("slot", "integer", (col) => col.notNull().defaultTo(0)).execute();
      await db.schema.createIndex("screening_leases_slot").on("screening_leases").columns(["project_id", "stage", "lease_key", "slot"]).unique().execute();
      await db.schema.createIndex("screening_leases_one_per_reviewer").on("screening_leases").columns(["project_id", "stage", "reviewer"]).unique().execute();
    },
  };
}

/** The prioritisation model a stage's screening settings choose (null: the default). */
function v23ScreeningModels(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("screening_settings").addColumn("model", sqlType(d, "t")).execute();
    },
  };
}

/**
 * Counts that do not grow with the project. `record_counts` holds each
 * project's number of records per search ('' for records no search found),
 * kept in step by the store in the transaction of every write of records
 * (`Store.insertRows`, `Store.update`), so the dashboard, the project list
 * and the PRISMA flow's identification boxes read a few rows instead of
 * counting records. Duplicates per search are counted over the records that
 * are in a duplicate group, from an index of them alone.
 */
function v16Counts(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("record_counts")
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("search_id", cText(d), (c) => c.notNull())
        .addColumn("n", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("record_counts_pk", ["project_id", "search_id"])
        .execute();
      await sql`INSERT INTO record_counts (project_id, search_id, n) SELECT project_id, COALESCE(search_id, ''), COUNT(*) FROM records GROUP BY project_id, COALESCE(search_id, '')`.execute(db);
      await db.schema.createIndex("records_group_search").on("records").columns(["project_id", "duplicate_group_id", "search_id"]).execute();
    },
  };
}

/** GRADE, the joint display and recommendations may rest on saved analyses (version ids), read refitted to today's data. */
function v24SynthesisLinks(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("grade_assessments").addColumn("analysis_id", sqlType(d, "t")).execute();
      await db.schema.alterTable("joint_display_rows").addColumn("analysis_ids", sqlType(d, "j")).execute();
      await db.updateTable("joint_display_rows").set({ analysis_ids: "[]" }).execute();
      for (const [name, type] of [["analysis_ids", "j"], ["effect_analysis_id", "t"]] as Col[])
        await db.schema.alterTable("recommendations").addColumn(name, sqlType(d, type)).execute();
      await db.updateTable("recommendations").set({ analysis_ids: "[]" }).execute();
    },
  };
}

/**
 * Screening rankings: each retrain job's result, shared by every server on
 * the database (see rankings.ts). A row per (project, stage, version), the
 * ranked record ids (best first, the top of the queue) as JSON text; derived
 * state, neither audited nor exported.
 */
function v27ScreeningRankings(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("screening_rankings")
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("stage", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("model", "text", (c) => c.notNull())
        .addColumn("served_by", "text")
        .addColumn("trained", "integer", (c) => c.notNull())
        .addColumn("labelled", "integer", (c) => c.notNull())
        .addColumn("labels_hash", "text", (c) => c.notNull())
        .addColumn("unscreened", "integer", (c) => c.notNull())
        .addColumn("record_ids", "text", (c) => c.notNull())
        .addColumn("train_ms", sqlType(d, "r"), (c) => c.notNull())
        .addColumn("job_id", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("screening_rankings_pk", ["project_id", "stage", "version"])
        .execute();
    },
  };
}

/**
 * A job's output file (a project backup, a report's PDF or Word document), in
 * parts as stored files are, so any server on the database answers its
 * download. Written by the job's last run (a run repeated after a failure
 * writes it again); neither audited nor exported.
 */
function v29JobFiles(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("job_files")
        .addColumn("job_id", "text", (c) => c.notNull())
        .addColumn("part", "integer", (c) => c.notNull())
        .addColumn("bytes", (d === "postgres" ? "bytea" : "blob") as "blob", (c) => c.notNull())
        .addPrimaryKeyConstraint("job_files_pk", ["job_id", "part"])
        .execute();
    },
  };
}

/**
 * Counts of the PRISMA flow that do not grow with the screening done:
 * `record_flow` holds the place in the flow (`flowKey` of @homeward/model)
 * of each record that is not simply identified and unscreened, and
 * `flow_counts` the number of records per search and place. The store keeps
 * both in step in the transaction of every write that can move a record
 * (`refreshFlow` in flow.ts); here they are filled for the projects already
 * there, by the same function.
 */
function v25FlowCounts(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("record_flow")
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("record_id", cText(d), (c) => c.notNull())
        .addColumn("search_id", cText(d), (c) => c.notNull())
        .addColumn("state", cText(d), (c) => c.notNull())
        .addPrimaryKeyConstraint("record_flow_pk", ["project_id", "record_id"])
        .execute();
      await db.schema
        .createTable("flow_counts")
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("search_id", cText(d), (c) => c.notNull())
        .addColumn("state", cText(d), (c) => c.notNull())
        .addColumn("n", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("flow_counts_pk", ["project_id", "search_id", "state"])
        .execute();
      const projects = await db.selectFrom("projects").select("id").execute();
      for (const { id } of projects) await refreshFlow(db, d, id as string, await flowCandidates(db, id as string));
    },
  };
}

/**
 * Cheaper bulk writes of records (the import's cost per row on the server).
 *
 * Both engines: `records_duplicate_group_id (project_id, duplicate_group_id)`
 * is dropped; `records_group_search (project_id, duplicate_group_id,
 * search_id)` (0016) begins with the same columns and answers the same
 * lookups, so every record written kept one index entry more than needed.
 *
 * PostgreSQL: `search` stops being generated from `search_text`; the store
 * writes the tsvector itself (the same distinct folded words, as a tsvector
 * literal) and `search_text` is dropped, so a record no longer stores its
 * words twice (≈ 1 KB a record compressed) nor builds a text array to make
 * the vector. Both are catalogue changes: the vectors already stored stay as
 * they are, and nothing is rewritten. Large values of records and of the
 * audit log (where every imported record's after-value also goes) are
 * compressed with lz4 instead of pglz when the server has it (PostgreSQL 14
 * built with lz4): measured on 10,000 imported records, 0.53 s less server
 * CPU for the same rows (1.52 → 0.99 s without indexes), for 5 % more space.
 * Values stored before stay pglz-compressed and readable. SQLite keeps its
 * values uncompressed and its FTS5 index; only the index drop applies.
 */
function v26LeanRecordWrites(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await sql`DROP INDEX IF EXISTS records_duplicate_group_id`.execute(db);
      if (d === "sqlite") return;
      await sql`ALTER TABLE records ALTER COLUMN search DROP EXPRESSION`.execute(db);
      await sql`ALTER TABLE records DROP COLUMN search_text`.execute(db);
      const { rows } = await sql<{ lz4: boolean }>`SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`.execute(db);
      if (!rows[0]?.lz4) return;
      for (const col of ["title", "abstract", "authors", "keywords", "raw", "extra", "search"]) await sql`ALTER TABLE records ALTER COLUMN ${sql.ref(col)} SET COMPRESSION lz4`.execute(db);
      for (const col of ["before", "after"]) await sql`ALTER TABLE audit ALTER COLUMN ${sql.ref(col)} SET COMPRESSION lz4`.execute(db);
    },
  };
}

/**
 * Sign-in attempts the limiter counts (`SignInLimiter` of @homeward/accounts),
 * in the database so every server on it counts the same attempts: one row
 * per attempt and key (a name at an address, or an address). Rows past the
 * limiter's window are deleted as attempts are taken. Neither audited nor
 * exported.
 */
function v35SignInAttempts(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("sign_in_attempts")
        .addColumn("attempt_key", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("attempt_id", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sign_in_attempts_key").on("sign_in_attempts").columns(["attempt_key", "at"]).execute();
      await db.schema.createIndex("sign_in_attempts_at").on("sign_in_attempts").column("at").execute();
    },
  };
}

/**
 * The records table's year order as one never-null key, `coalesce(year,
 * -2147483648)` (missing years smallest, as before on both engines), indexed
 * in place of `(project_id, year, id)`, so a page can start after any record
 * and a jump can start from a mark (see records-paging.ts). PostgreSQL
 * includes the year itself, which lets the index answer alone (an index-only
 * scan cannot work an expression out of the key). One index build: 5.2 s
 * at a million records on PostgreSQL (store opening, load average 8).
 */
function v32RecordsPaging(d: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      const include = d === "postgres" ? sql` INCLUDE (year)` : sql``;
      await sql`CREATE INDEX IF NOT EXISTS records_year_key ON records (project_id, (coalesce(year, -2147483648)), id)${include}`.execute(db);
      await sql`DROP INDEX IF EXISTS records_year`.execute(db);
    },
  };
}
