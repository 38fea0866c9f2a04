import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { collectionInfo, collectionNames, parseProjectFile, type ProjectFile } from "@homeward/model";
import { ensureExamples, openStore, readProjectSource, storeOptionsFromEnv, Store, type Store as StoreType } from "@homeward/store";
import { fieldMaps, tableOf } from "../src/mapping.js";
import { fullProjectFile } from "./fixture.js";
import { scratchDatabase } from "./scratch-database.js";

const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;
const engines: { name: string; open: () => Promise<StoreType> }[] = [
  { name: "sqlite", open: () => openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-store-")) }) },
];
if (pgUrl) {
  engines.push({
    name: "postgres",
    open: async () => {
      // A database of its own, made afresh per run, so suites running beside this one never meet it.
      const db = await scratchDatabase(pgUrl, "store_suite");
      return openStore({ databaseUrl: db.url });
    },
  });
}

const ana = { actor: "ana" };

/** A parsed file as an export writes it: a project whose every stage is blind carries no `blinding`. */
function asExported(file: ProjectFile): ProjectFile {
  const { blinding, ...project } = file.project;
  return { ...file, project: (Object.keys(blinding).length ? file.project : project) as ProjectFile["project"] };
}

describe("store options", () => {
  it("uses DATABASE_URL when set, else the data folder", () => {
    expect(storeOptionsFromEnv("d", { DATABASE_URL: "postgres://x/y" })).toEqual({ databaseUrl: "postgres://x/y" });
    expect(storeOptionsFromEnv("d", { DATABASE_URL: "" })).toEqual({ dataDir: "d" });
    expect(storeOptionsFromEnv("d", {})).toEqual({ dataDir: "d" });
  });
});

describe.each(engines)("store on $name", ({ open }) => {
  let store: StoreType;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("has a column for every field of every collection", async () => {
    const tables = await (store as unknown as { db: { introspection: { getTables(): Promise<{ name: string; columns: { name: string }[] }[]> } } }).db.introspection.getTables();
    for (const c of collectionNames) {
      const t = tables.find((x) => x.name === tableOf(c));
      expect(t, c).toBeDefined();
      const cols = new Set(t!.columns.map((x) => x.name));
      for (const f of fieldMaps[c]) expect(cols.has(f.column), `${c}.${f.column}`).toBe(true);
    }
  });

  it("creates, lists and updates projects, auditing each change", async () => {
    const p = await store.createProject({ title: "Kinship care" }, ana);
    expect(p.description).toBe("");
    const listed = (await store.listProjects()).find((x) => x.id === p.id);
    expect(listed).toMatchObject({ title: "Kinship care", counts: { records: 0, studies: 0 } });
    const u = await store.updateProject(p.id, { description: "Scoping" }, { actor: "ben", reason: "clarify" });
    expect(u.description).toBe("Scoping");
    const audit = await store.listAudit(p.id);
    expect(audit.total).toBe(3);
    expect(audit.items[0]).toMatchObject({ actor: "ben", action: "project.update", reason: "clarify", before: { description: "" }, after: { description: "Scoping" } });
    // The creator owns the project, in the same transaction.
    expect(audit.items[1]).toMatchObject({ actor: "ana", action: "members.create", after: { userName: "ana", role: "owner" } });
    expect(audit.items[2]).toMatchObject({ actor: "ana", action: "project.create", entityId: p.id });
    expect(await store.roleOf(p.id, "ana")).toBe("owner");
    expect(await store.roleOf(p.id, "ben")).toBeNull();
    expect((await store.listUsers()).map((x) => x.name)).toEqual(expect.arrayContaining(["ana", "ben"]));
    await expect(store.getProject("nope")).rejects.toMatchObject({ kind: "input", status: 404 });
    await expect(store.updateProject(p.id, { title: " " }, ana)).rejects.toMatchObject({ kind: "input", status: 400 });
  });

  it("stores the protocol and validates it", async () => {
    const p = await store.createProject({ title: "Protocol" }, ana);
    const saved = await store.setProtocol(p.id, { exclusionReasons: [{ code: "pop", label: "Population", rank: 1 }] }, ana);
    expect((await store.getProtocol(p.id)).exclusionReasons).toEqual(saved.exclusionReasons);
    await expect(store.setProtocol(p.id, { exclusionReasons: [{ code: "x" }] }, ana)).rejects.toThrow(/rank/);
    expect((await store.getProtocol(p.id)).exclusionReasons[0]!.code).toBe("pop");
  });

  it("fills ids, times and actor, checks references and ids", async () => {
    const p = await store.createProject({ title: "Entities" }, ana);
    const [s] = await store.insert(p.id, "studies", [{ name: "Jones 2019" }], ana);
    expect(s!.id).toMatch(/[0-9a-f-]{36}/);
    expect(s!.attributes).toEqual({});
    const [r] = await store.insert(p.id, "studyReports", [{ studyId: s!.id, citation: "Jones 2019", role: "lead" }], ana);
    await expect(store.insert(p.id, "studyReports", [{ studyId: "ghost", citation: "x", role: "linked" }], ana)).rejects.toThrow(/unknown study "ghost"/);
    await expect(store.insert(p.id, "studyReports", [{ studyId: s!.id, citation: "y", role: "lead" }], ana)).rejects.toMatchObject({ status: 409 });
    await expect(store.insert(p.id, "studies", [{ id: s!.id, name: "again" }], ana)).rejects.toMatchObject({ status: 409 });
    const [d] = await store.insert(p.id, "screeningDecisions", [], ana).then(() =>
      store.insert(p.id, "records", [{ title: "A record" }], ana).then(([rec]) =>
        store.insert(p.id, "screeningDecisions", [{ recordId: rec!.id, stage: "title_abstract", decision: "include" }], { actor: "ben" }),
      ),
    );
    expect(d).toMatchObject({ reviewer: "ben", reasons: [], labels: [] });
    await expect(store.update(p.id, "screeningDecisions", d!.id, { decision: "exclude" }, ana)).rejects.toMatchObject({ status: 409 });
    await expect(store.remove(p.id, "studies", s!.id, ana)).rejects.toThrow(/referred to by study report/);
    await store.update(p.id, "studyReports", r!.id, { role: "linked" }, ana);
    await store.remove(p.id, "studyReports", r!.id, ana);
    await store.remove(p.id, "studies", s!.id, ana);
    expect(await store.list(p.id, "studies")).toEqual([]);
    const actions = (await store.listAudit(p.id, { limit: 100 })).items.map((a) => a.action);
    expect(actions).toEqual(["studies.remove", "studyReports.remove", "studyReports.update", "screeningDecisions.create", "records.create", "studyReports.create", "studies.create", "members.create", "project.create"]);
  });

  it("audits a bulk write as its entities' after-values and one summary entry", async () => {
    const p = await store.createProject({ title: "Bulk" }, ana);
    const ids = Array.from({ length: 60 }, (_, i) => `s${String(i).padStart(2, "0")}`);
    await store.insert(p.id, "studies", ids.map((id) => ({ id, name: id })), ana);
    const audit = await store.listAudit(p.id);
    expect(audit.total).toBe(4);
    expect(audit.items[0]).toMatchObject({ action: "studies.create", entityId: null, after: { count: 60, ids, parts: 1 } });
    const part = audit.items[1]!.after as { part: number; parts: number; items: { id: string; name: string }[] };
    expect(part).toMatchObject({ part: 1, parts: 1 });
    expect(part.items.map((s) => [s.id, s.name])).toEqual(ids.map((id) => [id, id]));
  });

  it("refuses removal while an array field refers to the entity", async () => {
    const p = await store.createProject({ title: "Arrays" }, ana);
    const [s] = await store.insert(p.id, "studies", [{ name: "A" }], ana);
    await store.insert(p.id, "qualitativeFindings", [{ statement: "F", studyIds: [s!.id] }], ana);
    await expect(store.remove(p.id, "studies", s!.id, ana)).rejects.toThrow(/qualitative finding/);
  });

  it("leaves the project unchanged when a write fails part-way", async () => {
    const p = await store.createProject({ title: "Atomic" }, ana);
    const before = await store.exportProject(p.id);
    const auditBefore = await store.listAudit(p.id);
    await expect(
      store.transaction(async (tx) => {
        await tx.insert(p.id, "studies", [{ id: "s-new", name: "New" }], ana);
        await tx.setProtocol(p.id, { question: "changed" }, ana);
        await tx.updateProject(p.id, { title: "Renamed" }, ana);
        // Fails on a missing reference after three successful writes.
        await tx.insert(p.id, "outcomes", [{ studyId: "missing", name: "x" }], ana);
      }),
    ).rejects.toThrow(/unknown study "missing"/);
    expect(await store.exportProject(p.id)).toEqual(before);
    expect((await store.listAudit(p.id)).total).toBe(auditBefore.total);
    // A bulk insert failing on its last row (a duplicate id) writes none of them.
    await expect(
      store.insert(p.id, "records", [...Array.from({ length: 120 }, (_, i) => ({ id: `r${i}`, title: `T${i}` })), { id: "r0", title: "dup" }], ana),
    ).rejects.toThrow(/given twice/);
    expect((await store.queryRecords(p.id)).total).toBe(0);
  });

  it("pages, sorts and searches records", async () => {
    const p = await store.createProject({ title: "Records" }, ana);
    const recs = [
      { id: "a", title: "Zebra crossings and children", authors: ["Young, P"], journal: "BMJ", year: 2001, abstract: "Road safety" },
      { id: "b", title: "apple orchards", authors: ["adams, k"], journal: null, year: null, keywords: ["Reunification"] },
      { id: "c", title: "Mango trade", authors: [], journal: "Lancet", year: 1999, doi: "10.1016/S0140-6736(99)12345-6" },
      { id: "d", title: "Family reunification after foster care", authors: ["Müller, A"], journal: "Child Abuse Negl", year: 2015 },
    ];
    await store.insert(p.id, "records", recs, ana);
    const ids = async (q: object) => (await store.queryRecords(p.id, q)).items.map((r) => r.id);
    expect(await ids({ sort: "title" })).toEqual(["b", "d", "c", "a"]);
    expect(await ids({ sort: "title", dir: "desc" })).toEqual(["a", "c", "d", "b"]);
    expect(await ids({ sort: "year" })).toEqual(["b", "c", "a", "d"]);
    expect(await ids({ sort: "year", dir: "desc" })).toEqual(["d", "a", "c", "b"]);
    expect(await ids({ sort: "authors" })).toEqual(["c", "b", "d", "a"]);
    expect(await ids({ sort: "title", offset: 1, limit: 2 })).toEqual(["d", "c"]);
    // Pages past the middle are read from the other end and turned round: the same rows in the same order.
    expect(await ids({ sort: "title", offset: 3, limit: 2 })).toEqual(["a"]);
    expect(await ids({ sort: "title", dir: "desc", offset: 3 })).toEqual(["b"]);
    expect(await ids({ sort: "year", offset: 3 })).toEqual(["d"]);
    expect(await ids({ sort: "year", dir: "desc", offset: 3, limit: 1 })).toEqual(["b"]);
    expect(await ids({ offset: 3 })).toEqual(["d"]);
    expect(await ids({ offset: 4 })).toEqual([]);
    // After a given record: the rows that follow it in the same order, whatever the offset says.
    expect(await ids({ sort: "title", after: "d", limit: 5 })).toEqual(["c", "a"]);
    expect(await ids({ sort: "title", dir: "desc", after: "c" })).toEqual(["d", "b"]);
    expect(await ids({ after: "b", offset: 2 })).toEqual(["c", "d"]);
    expect(await ids({ sort: "authors", after: "a" })).toEqual([]);
    // The year sort too, across its missing years (smallest: first ascending, last descending).
    expect(await ids({ sort: "year", after: "c", offset: 3 })).toEqual(["a", "d"]);
    expect(await ids({ sort: "year", after: "b" })).toEqual(["c", "a", "d"]);
    expect(await ids({ sort: "year", dir: "desc", after: "c" })).toEqual(["b"]);
    expect(await ids({ sort: "year", dir: "desc", after: "b" })).toEqual([]);
    // A record that is not there pages by offset.
    expect(await ids({ sort: "title", after: "nope", offset: 2 })).toEqual(["c", "a"]);
    expect(await ids({ q: "reunif" })).toEqual(["b", "d"]);
    expect(await ids({ q: "REUNIFICATION foster" })).toEqual(["d"]);
    expect(await ids({ q: "muller" })).toEqual(["d"]);
    expect(await ids({ q: "road" })).toEqual(["a"]);
    expect(await ids({ q: "12345" })).toEqual(["c"]);
    expect(await ids({ q: "\"*)(" })).toEqual(["a", "b", "c", "d"]);
    const page = await store.queryRecords(p.id, { q: "reunification", limit: 1 });
    expect(page).toMatchObject({ total: 2, offset: 0, limit: 1 });
    expect(page.items[0]).toMatchObject({ id: "b", authors: ["adams, k"], year: null, journal: null });
    await store.update(p.id, "records", "a", { title: "Reunification in zebras" }, ana);
    expect(await ids({ q: "reunification" })).toEqual(["a", "b", "d"]);
    expect(await ids({ q: "reunification", sort: "title", offset: 2 })).toEqual(["a"]);
    expect(await ids({ q: "reunification", sort: "title", after: "b" })).toEqual(["d", "a"]);
    await expect(store.queryRecords(p.id, { sort: "abstract" as "title" })).rejects.toMatchObject({ kind: "input" });
    // The total without a search is the count kept per search; a search's is counted up to a cap, then marked.
    expect((await store.queryRecords(p.id, {})).total).toBe(4);
    expect((await store.queryRecords(p.id, { q: "reunification" }, { countCap: 3 })).totalCapped).toBeUndefined();
    const capped = await store.queryRecords(p.id, { q: "reunification", limit: 10 }, { countCap: 2 });
    expect(capped).toMatchObject({ total: 2, totalCapped: true });
    // The page itself is not cut by the cap.
    expect(capped.items.map((r) => r.id)).toEqual(["a", "b", "d"]);
    // Counted apart (as the records page asks): the same numbers, and a search's page without them.
    expect(await store.recordsCount(p.id)).toEqual({ total: 4 });
    expect(await store.recordsCount(p.id, "reunification")).toEqual({ total: 3 });
    expect(await store.recordsCount(p.id, "reunification", { countCap: 2 })).toEqual({ total: 2, totalCapped: true });
    expect(await store.recordsCount(p.id, "nowordlikethis")).toEqual({ total: 0 });
    const uncounted = await store.queryRecords(p.id, { q: "reunification", sort: "title", offset: 1, limit: 1 }, { counted: false });
    expect(uncounted).toMatchObject({ total: 2, uncounted: true, offset: 1, limit: 1 });
    expect(uncounted.items.map((r) => r.id)).toEqual(["d"]);
    expect(uncounted.totalCapped).toBeUndefined();
    // Without a search the kept count is no cost, so the page carries it.
    const whole = await store.queryRecords(p.id, { limit: 1 }, { counted: false });
    expect(whole).toMatchObject({ total: 4 });
    expect(whole.uncounted).toBeUndefined();
  });

  it("lists studies with their lead and linked reports", async () => {
    const p = await store.createProject({ title: "Studies" }, ana);
    await store.insert(p.id, "records", [{ id: "r1", title: "Main paper", year: 2010 }], ana);
    await store.insert(p.id, "studies", [{ id: "s1", name: "Smith 2010" }, { id: "s2", name: "Adams 2012" }], ana);
    await store.insert(p.id, "studyReports", [
      { id: "x2", studyId: "s1", citation: "Follow-up 2012", role: "linked" },
      { id: "x1", studyId: "s1", recordId: "r1", role: "lead" },
    ], ana);
    const views = await store.listStudyViews(p.id);
    expect(views.map((v) => v.name)).toEqual(["Adams 2012", "Smith 2010"]);
    // Listing order is by code point on both engines, whatever the database locale.
    await store.insert(p.id, "studies", [{ id: "s3", name: "adams 2013" }, { id: "s4", name: "Ábel 2001" }, { id: "s5", name: "Bates 2001" }], ana);
    expect((await store.list(p.id, "studies")).map((s) => s.name)).toEqual(["Adams 2012", "Bates 2001", "Smith 2010", "adams 2013", "Ábel 2001"]);
    const smith = views[1]!;
    expect(smith.leadReport).toMatchObject({ id: "x1", record: { id: "r1", title: "Main paper", year: 2010 } });
    expect(smith.reports.map((r) => r.id)).toEqual(["x1", "x2"]);
    expect(smith.reports[1]!.record).toBeNull();
    expect(views[0]!.leadReport).toBeNull();
  });

  it("round-trips a project through export and import without loss", async () => {
    const source = fullProjectFile("rt-1");
    const imported = await store.importProject(source, ana);
    expect(imported.id).toBe("rt-1");
    const exported = await store.exportProject("rt-1");
    expect(exported).toEqual(asExported(parseProjectFile(source)));
    const text = JSON.stringify(exported);
    // Re-importing the export in another store (SQLite, whichever engine made it) gives the same bytes.
    const other = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-store-")) });
    try {
      // Imported by an owner the file names, so nothing is added (another importer becomes an owner: see below).
      await other.importProject(JSON.parse(text), ana);
      expect(JSON.stringify(await other.exportProject("rt-1"))).toBe(text);
    } finally {
      await other.close();
    }
    // The import is logged on this instance, not exported.
    expect((await store.listAudit("rt-1")).items[0]).toMatchObject({ action: "project.import", actor: "ana" });
    expect((await store.getProjectSummary("rt-1")).counts).toEqual({ records: 2, studies: 1 });
  });

  it("makes the importer an owner, of a copy too, unless the file already does", async () => {
    await store.importProject(fullProjectFile("own-1"), { actor: "zoe" });
    expect(await store.roleOf("own-1", "zoe")).toBe("owner");
    expect(await store.roleOf("own-1", "ana")).toBe("owner");
    expect((await store.listAudit("own-1")).items[0]).toMatchObject({ actor: "zoe", action: "members.create", after: { userName: "zoe", role: "owner" } });
    // A member with a lesser role is promoted (one row per member).
    const file = fullProjectFile("own-2");
    file.members!.push({ id: "m2", userName: "ben", role: "viewer", addedAt: "2024-01-01T09:02:00.000Z" });
    const copy = await store.importProject(file, { actor: "ben" });
    expect(await store.roleOf(copy.id, "ben")).toBe("owner");
    expect((await store.list(copy.id, "members")).map((m) => [m.userName, m.role])).toEqual([["ana", "owner"], ["ben", "owner"]]);
    const second = await store.importProject(file, { actor: "ben", copy: true });
    expect(await store.roleOf(second.id, "ben")).toBe("owner");
    // A restore or an example (asOwner false) comes in exactly as it was.
    await store.importProject(fullProjectFile("own-3"), { actor: "zoe", asOwner: false });
    expect(await store.roleOf("own-3", "zoe")).toBeNull();
  });

  it("refuses a second import of the same project unless asked for a copy", async () => {
    const file = fullProjectFile("rt-2");
    await store.importProject(file, ana);
    await expect(store.importProject(file, ana)).rejects.toMatchObject({ status: 409 });
    const copy = await store.importProject(file, { actor: "ana", copy: true });
    expect(copy.id).not.toBe("rt-2");
    const a = await store.exportProject("rt-2");
    const b = await store.exportProject(copy.id);
    expect({ ...b, project: { ...b.project, id: "rt-2" } }).toEqual(a);
  });

  it("leaves no trace of an import that fails part-way through writing", async () => {
    const projectsBefore = await store.listProjects();
    const usersBefore = await store.listUsers();
    // Let the project, users, records and studies be written, then fail on the outcomes.
    const real = (Store.prototype as unknown as { insertRows: (...a: unknown[]) => Promise<void> }).insertRows;
    const spy = vi.spyOn(Store.prototype as never, "insertRows" as never).mockImplementation(function (this: unknown, ...args: unknown[]) {
      if (args[1] === "outcomes") return Promise.reject(new Error("disk full"));
      return real.apply(this, args);
    } as never);
    try {
      const file = fullProjectFile("rt-half") as { users: { name: string; displayName: string }[] };
      file.users.push({ name: "only-in-this-file", displayName: "Zed" });
      await expect(store.importProject(file, { actor: "importer-x" })).rejects.toThrow(/disk full/);
    } finally {
      spy.mockRestore();
    }
    expect(await store.hasProject("rt-half")).toBe(false);
    expect(await store.listProjects()).toEqual(projectsBefore);
    expect(await store.listUsers()).toEqual(usersBefore);
    expect(await store.list("rt-half", "records")).toEqual([]);
    expect(await store.list("rt-half", "studies")).toEqual([]);
  });

  it("validates the whole file before writing anything", async () => {
    const file = fullProjectFile("rt-bad") as ProjectFile;
    (file.effectSizes[0] as { outcomeId: string }).outcomeId = "nope";
    await expect(store.importProject(file, ana)).rejects.toThrow(/effectSizes\[0\]\.outcomeId refers to unknown outcomes id "nope"/);
    expect(await store.hasProject("rt-bad")).toBe(false);
  });

  it("imports example bundles once, reporting broken ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeward-examples-"));
    try {
      const full = fullProjectFile("example-ok") as Record<string, unknown>;
      const bundle = join(dir, "ok");
      mkdirSync(bundle);
      const { records, studies, ...manifest } = full;
      writeFileSync(join(bundle, "project.json"), JSON.stringify(manifest));
      writeFileSync(join(bundle, "records.json"), JSON.stringify(records));
      writeFileSync(join(bundle, "studies.json"), JSON.stringify(studies));
      writeFileSync(join(bundle, "README.md"), "ignored");
      mkdirSync(join(dir, "broken"));
      writeFileSync(join(dir, "broken", "project.json"), JSON.stringify({ format: "homeward-project", version: 1, project: { id: "example-broken" } }));
      const first = await ensureExamples(store, dir);
      expect(first.imported.map((x) => x.id)).toEqual(["example-ok"]);
      expect(first.failed).toHaveLength(1);
      expect(first.failed[0]!.error).toMatch(/project\.title/);
      expect((await ensureExamples(store, dir)).imported).toEqual([]);
      expect(await store.exportProject("example-ok")).toEqual(asExported(parseProjectFile(readProjectSource(bundle))));
      expect(await store.exportProject("example-ok")).toEqual(asExported(parseProjectFile(full)));
      // Examples belong to no one until the instance's first owner is set up.
      expect(await store.roleOf("example-ok", "homeward")).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps every collection's declared references resolvable after import", async () => {
    for (const c of collectionNames) expect(collectionInfo(c).schema).toBeDefined();
    const rows = await store.list("rt-1", "effectSizes");
    expect(rows[0]).toMatchObject({ yi: -0.8472978603872037, vi: 0.1738095238095238 });
  });

  it("holds recorded counts to the model's rules on insert and update, within the write's transaction", async () => {
    const p = await store.createProject({ title: "Counts" }, ana);
    await store.setProtocol(p.id, { exclusionReasons: [{ code: "pop", rank: 1 }] }, ana);
    const add = (count: object) => store.insert(p.id, "recordedCounts", [count as never], ana);
    await expect(add({ field: "records_screened", value: 5, reasons: { pop: 1 } })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/a breakdown by reason applies to dbr_excluded and other_excluded only/),
    });
    await expect(add({ field: "dbr_excluded", value: 5, reasons: { "wrong-pop": 1 } })).rejects.toThrow(/"wrong-pop" is not an exclusion reason code of the protocol \(pop\)/);
    await expect(add({ field: "dbr_excluded", value: 1, reasons: { pop: 2 } })).rejects.toThrow(/add up to 2, more than the dbr_excluded count 1/);
    const [c] = await add({ field: "dbr_excluded", value: 5, reasons: { pop: 2 }, source: "s1" });
    await add({ field: "dbr_excluded", value: 1, source: "s2" });
    await expect(add({ field: "dbr_excluded", value: 9, source: "s1" })).rejects.toMatchObject({ status: 409 });
    // The rule reads inside the transaction, so it sees the transaction's own earlier write.
    await expect(
      store.transaction(async (tx) => {
        await tx.insert(p.id, "recordedCounts", [{ field: "duplicates", value: 1 }], ana);
        await tx.insert(p.id, "recordedCounts", [{ field: "duplicates", value: 2 }], ana);
      }),
    ).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/duplicates is already recorded/) });
    await expect(store.update(p.id, "recordedCounts", c!.id, { source: "s2" }, ana)).rejects.toMatchObject({ status: 409 });
    await expect(store.update(p.id, "recordedCounts", c!.id, { value: 1 }, ana)).rejects.toThrow(/add up to 2, more than the dbr_excluded count 1/);
    await store.update(p.id, "recordedCounts", c!.id, { value: 4 }, ana);
    const counts = (await store.list(p.id, "recordedCounts")).map((x) => [x.field, x.source, x.value]);
    expect(counts.sort()).toEqual([["dbr_excluded", "s1", 4], ["dbr_excluded", "s2", 1]]);
  });

  it("refuses an extracted value that does not fit its codebook item, and an item change that would leave one", async () => {
    const p = await store.createProject({ title: "Extraction" }, ana);
    await store.insert(p.id, "studies", [{ id: "s1", name: "Smith 2020" }], ana);
    await store.insert(p.id, "codebookItems", [
      { id: "age", code: "mean_age", type: "number" },
      { id: "country", code: "country", type: "single", options: [{ code: "uk" }, { code: "us" }] },
    ], ana);
    await expect(store.insert(p.id, "extractedValues", [{ studyId: "s1", itemId: "age", value: "seven" }], ana)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/codebook item "mean_age" \(number\): must be a number or null, not "seven"/),
    });
    await expect(store.insert(p.id, "extractedValues", [{ studyId: "s1", itemId: "country", value: "fr" }], ana)).rejects.toThrow(/one of the item's options \(uk, us\)/);
    const [age] = await store.insert(p.id, "extractedValues", [
      { studyId: "s1", itemId: "age", value: 7.5 },
      { studyId: "s1", itemId: "country", value: "uk" },
    ], ana);
    await expect(store.update(p.id, "extractedValues", age!.id, { value: true }, ana)).rejects.toThrow(/must be a number/);
    await expect(store.update(p.id, "codebookItems", "country", { options: [{ code: "us" }] }, ana)).rejects.toMatchObject({ status: 409 });
    await store.update(p.id, "codebookItems", "country", { options: [{ code: "uk" }, { code: "us" }, { code: "fr" }] }, ana);
    expect((await store.list(p.id, "extractedValues")).map((v) => v.value).sort()).toEqual([7.5, "uk"]);
  });

  it("reads every record's search and duplicate group, and nothing else, for the PRISMA flow", async () => {
    const p = await store.createProject({ title: "Refs" }, ana);
    await store.insert(p.id, "searches", [{ id: "db", source: "MEDLINE", kind: "database" }], ana);
    await store.insert(p.id, "records", [{ id: "r1", title: "One", searchId: "db" }, { id: "r2", title: "Two" }], ana);
    await store.insert(p.id, "duplicateGroups", [{ id: "g", primaryRecordId: "r1", method: "manual" }], ana);
    await store.update(p.id, "records", "r2", { duplicateGroupId: "g" }, ana);
    const refs = await store.recordRefs(p.id);
    expect(refs.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([
      { id: "r1", searchId: "db", duplicateGroupId: null },
      { id: "r2", searchId: null, duplicateGroupId: "g" },
    ]);
    await expect(store.recordRefs("nope")).rejects.toMatchObject({ status: 404 });
  });

  it("lists a bulk write's after-values by their size, not whole, while the export keeps them", async () => {
    const p = await store.createProject({ title: "Big log" }, ana);
    const abstract = "x".repeat(400);
    await store.insert(p.id, "records", Array.from({ length: 600 }, (_, i) => ({ id: `r${i}`, title: `Record ${i}`, abstract })), ana);
    const listed = (await store.listAudit(p.id, { limit: 10 })).items;
    const parts = listed.filter((e) => e.action === "records.create" && (e.after as { omitted?: string }).omitted !== undefined);
    expect(parts.length).toBeGreaterThan(0);
    expect((parts[0]!.after as { omitted: string }).omitted).toMatch(/^\d+ bytes, too long to list/);
    const summary = listed.find((e) => e.action === "records.create" && (e.after as { count?: number }).count === 600);
    expect(summary).toBeDefined();
    expect(listed.find((e) => e.action === "project.create")?.after).toMatchObject({ title: "Big log" });
    const exported = (await store.exportProject(p.id)).audit.filter((e) => e.action === "records.create");
    const items = exported.flatMap((e) => ((e.after as { items?: unknown[] }).items ?? []) as { id: string }[]);
    expect(items).toHaveLength(600);
  });

  it("refuses a study classified outside the protocol's schemes, on insert and update", async () => {
    const p = await store.createProject({ title: "Classified" }, ana);
    await store.setProtocol(p.id, {
      classifications: [{ code: "strand", label: "Strand", role: "strand", multiple: true, values: [{ code: "effectiveness" }, { code: "implementation" }] }],
    }, ana);
    await expect(store.insert(p.id, "studies", [{ id: "s1", name: "Smith 2020", classifications: { strand: ["impact"] } }], ana)).rejects.toThrow(/study "s1"/);
    await expect(store.insert(p.id, "studies", [{ id: "s1", name: "Smith 2020", classifications: { design: "RCT" } }], ana)).rejects.toThrow(/study "s1"/);
    await store.insert(p.id, "studies", [{ id: "s1", name: "Smith 2020", classifications: { strand: ["effectiveness"] } }], ana);
    await expect(store.update(p.id, "studies", "s1", { classifications: { strand: ["both"] } }, ana)).rejects.toThrow(/study "s1"/);
    expect((await store.get(p.id, "studies", "s1")).classifications).toEqual({ strand: ["effectiveness"] });
  });

  it("reads what a batch's rules need once per batch, and nothing for collections without rules", async () => {
    const p = await store.createProject({ title: "Batch rules" }, ana);
    await store.insert(p.id, "studies", Array.from({ length: 100 }, (_, i) => ({ id: `s${i}`, name: `Study ${i}` })), ana);
    await store.insert(p.id, "codebookItems", ["a", "b", "c"].map((id) => ({ id, code: id, type: "integer" as const })), ana);
    const reads = vi.spyOn(Store.prototype as never, "select" as never);
    const contexts = vi.spyOn(Store.prototype as never, "ruleContext" as never);
    try {
      const values = Array.from({ length: 300 }, (_, i) => ({ studyId: `s${i % 100}`, itemId: ["a", "b", "c"][i % 3]!, value: i }));
      await store.insert(p.id, "extractedValues", values, ana);
      expect(reads).toHaveBeenCalledTimes(1);
      reads.mockClear();
      contexts.mockClear();
      await store.insert(p.id, "records", Array.from({ length: 300 }, (_, i) => ({ title: `Record ${i}` })), ana);
      expect(reads).not.toHaveBeenCalled();
      expect(contexts).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
      contexts.mockRestore();
    }
  });

  it("refuses a decision signed by someone else, or timed by the caller", async () => {
    const p = await store.createProject({ title: "Signatures" }, ana);
    await store.insert(p.id, "records", [{ id: "r1", title: "A record" }], ana);
    const decision = { recordId: "r1", stage: "title_abstract" as const, decision: "include" as const };
    await expect(store.insert(p.id, "screeningDecisions", [{ ...decision, reviewer: "ben" }], ana)).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/screening decision signed by "ben" cannot be recorded by "ana"/),
    });
    await expect(store.insert(p.id, "reconciliations", [{ ...decision, resolvedBy: "ben", reason: "x" }], ana)).rejects.toMatchObject({ status: 403 });
    await expect(store.insert(p.id, "recordedCounts", [{ field: "duplicates", value: 1, recordedBy: "ben" }], ana)).rejects.toMatchObject({ status: 403 });
    await expect(store.insert(p.id, "screeningDecisions", [{ ...decision, at: "2020-01-01T00:00:00.000Z" }], ana)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/"at" is set by the store/),
    });
    const [own] = await store.insert(p.id, "screeningDecisions", [{ ...decision, reviewer: "ana" }], ana);
    const [filled] = await store.insert(p.id, "screeningDecisions", [decision], { actor: "ben" });
    expect([own!.reviewer, filled!.reviewer]).toEqual(["ana", "ben"]);
    expect((await store.list(p.id, "screeningDecisions")).map((d) => d.id).sort()).toEqual([own!.id, filled!.id].sort());
    // Someone else may change a signed entity without re-signing it, but not sign it for a third person.
    const [count] = await store.insert(p.id, "recordedCounts", [{ field: "duplicates", value: 1 }], ana);
    expect((await store.update(p.id, "recordedCounts", count!.id, { value: 2 }, { actor: "ben" })).recordedBy).toBe("ana");
    await expect(store.update(p.id, "recordedCounts", count!.id, { recordedBy: "carl" }, { actor: "ben" })).rejects.toMatchObject({ status: 403 });
    expect((await store.update(p.id, "recordedCounts", count!.id, { recordedBy: "ben", value: 3 }, { actor: "ben" })).recordedBy).toBe("ben");
  });

  it("refuses a whole import whose entities break a collection's rule, writing nothing", async () => {
    const usersBefore = await store.listUsers();
    const wrongType = fullProjectFile("rt-rules") as ProjectFile;
    wrongType.users.push({ name: "only-in-the-refused-file", displayName: "" });
    (wrongType.extractedValues[0] as { value: unknown }).value = "seven and a half";
    await expect(store.importProject(wrongType, ana)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^invalid project file: extractedValues: extracted value "ev1" for codebook item "age" \(number\): must be a number/),
    });
    const twice = fullProjectFile("rt-rules") as ProjectFile;
    twice.recordedCounts.push({ ...twice.recordedCounts[0]!, id: "rcount2", value: 6 });
    await expect(store.importProject(twice, ana)).rejects.toThrow(/^invalid project file: recordedCounts: dbr_excluded from s1 is counted twice/);
    expect(await store.hasProject("rt-rules")).toBe(false);
    expect(await store.listUsers()).toEqual(usersBefore);
    // The same file with valid values imports, decisions signed by others included (imports carry history).
    const ok = fullProjectFile("rt-rules");
    await store.importProject(ok, { actor: "zoe" });
    expect((await store.list("rt-rules", "screeningDecisions")).map((d) => d.reviewer)).toEqual(["ana", "ben"]);
  });
});
