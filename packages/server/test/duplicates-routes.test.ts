import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { storeEngines } from "../../store/test/scratch-database.js";
import { namedUserPolicy } from "./identity.js";

/**
 * The duplicates workflow over HTTP with a real store: detection as a job,
 * reviewers' decisions signed by the acting user, splits and undone merges
 * that hold on every later run, and counts that agree with the queue.
 */

const ris = (o: { title: string; authors: string[]; year: number; journal: string; volume: string; pages: string; abstract?: string }) =>
  `TY  - JOUR\nTI  - ${o.title}\n${o.authors.map((a) => `AU  - ${a}\n`).join("")}PY  - ${o.year}\nT2  - ${o.journal}\nVL  - ${o.volume}\nSP  - ${o.pages}\n${o.abstract ? `AB  - ${o.abstract}\n` : ""}ER  - \n\n`;

const A = { title: "Complement dysfunction in hemolytic uremic syndrome", authors: ["Zipfel, P. F.", "Skerka, C."], year: 2006, journal: "Current Opinion in Rheumatology", volume: "18", pages: "548-555" };
const B = { title: "Mentoring programmes and school attendance in adolescence", authors: ["Okafor, N.", "Larsen, K."], year: 2010, journal: "Child Development", volume: "81", pages: "100-110" };
/** Three copies of A, A's title on other pages (uncertain), two copies of B, and one unrelated record. */
const FILE =
  ris({ ...A, abstract: "The most complete copy." }) +
  ris({ ...A, title: `${A.title}.`, pages: "548-55" }) +
  ris({ ...A, title: A.title.toUpperCase() }) +
  ris({ ...A, pages: "600-610" }) +
  ris({ ...B, abstract: "Attendance rose." }) +
  ris({ ...B, title: `${B.title}.` }) +
  ris({ title: "Parenting support and reunification after foster care", authors: ["Haddad, R."], year: 2019, journal: "Children and Youth Services Review", volume: "99", pages: "1-9" });



const engines = storeEngines("duplicates");

describe.each(engines)("duplicates routes (%s)", (_engine, open) => {
  let store: Store;
  let app: FastifyInstance;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ store, done } = await open());
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await done?.();
  });

  const as = (user: string) => ({ "x-homeward-user": user });
  const req = async (method: "GET" | "POST" | "PATCH", url: string, user = "ana", payload?: unknown) => {
    const res = await app.inject({ method, url, headers: as(user), ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  async function project(): Promise<{ id: string; byTitle: (start: string, pages?: string) => string }> {
    const id = (await store.createProject({ title: "Duplicates" }, { actor: "ana" })).id;
    const imp = await app.inject({ method: "POST", url: `/api/projects/${id}/imports?fileName=d.ris&source=MEDLINE`, payload: FILE, headers: { "content-type": "application/octet-stream", ...as("ana") } });
    expect(imp.statusCode).toBe(201);
    const recs = await store.list(id, "records");
    return {
      id,
      byTitle: (start, pages) => recs.find((r) => r.title.startsWith(start) && (!pages || r.pages === pages))!.id,
    };
  }
  const run = async (id: string, user = "ana") => {
    const res = await req("POST", `/api/projects/${id}/dedupe`, user);
    expect(res.status).toBe(200);
    return res.body as { groups: number; grouped: number; maybe: number; leftToReviewers: number };
  };
  const pending = async (id: string) => (await store.list(id, "duplicatePairs", { status: "pending" })).length;
  const groupsOf = async (id: string) => {
    const recs = await store.list(id, "records");
    const m = new Map<string, string[]>();
    for (const r of recs) if (r.duplicateGroupId) m.set(r.duplicateGroupId, [...(m.get(r.duplicateGroupId) ?? []), r.id]);
    return { members: m, groups: await store.list(id, "duplicateGroups") };
  };

  it("runs detection as a job polled for progress, then lists the groups with the fields that tie each record to its primary", async () => {
    const p = await project();
    const started = await req("POST", `/api/projects/${p.id}/duplicates/jobs`, "ana");
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ projectId: p.id, state: "running", startedBy: "ana" });
    // A second start while it runs joins the same run.
    const again = await req("POST", `/api/projects/${p.id}/duplicates/jobs`, "ben");
    expect(again.body.id).toBe(started.body.id);
    let job = started.body;
    const phases = new Set<string>();
    for (let i = 0; i < 200 && job.state === "running"; i++) {
      await new Promise((r) => setTimeout(r, 20));
      job = (await req("GET", `/api/projects/${p.id}/duplicates/jobs/${job.id}`)).body;
      phases.add(job.progress.phase);
    }
    expect(job).toMatchObject({ state: "done", error: null, result: { groups: 2, grouped: 5, maybe: 1, leftToReviewers: 1 } });
    expect(job.progress.phase).toBe("saving");
    expect(job.finishedAt).not.toBeNull();
    const overview = (await req("GET", `/api/projects/${p.id}/duplicates`)).body;
    expect(overview).toMatchObject({ groups: 2, pending: 1, duplicate: 0, notDuplicate: 0, job: { id: job.id, state: "done" } });

    const page1 = (await req("GET", `/api/projects/${p.id}/duplicate-groups?limit=1`)).body;
    expect(page1).toMatchObject({ total: 2, offset: 0, limit: 1 });
    expect(page1.items).toHaveLength(1);
    const page2 = (await req("GET", `/api/projects/${p.id}/duplicate-groups?limit=1&offset=1`)).body;
    const [a, b] = [page1.items[0], page2.items[0]].sort((x, y) => y.members.length - x.members.length);
    expect(a.members).toHaveLength(3);
    expect(a.members[0]).toMatchObject({ primary: true, match: null, record: { id: p.byTitle(A.title, "548-555") } });
    expect(a.members[0].record.title).toBe(A.title); // the copy with the abstract is the primary
    for (const m of a.members.slice(1)) {
      expect(m.match.verdict).toBe("duplicate");
      expect(m.fields.find((f: { field: string }) => f.field === "journal").status).toBe("same");
      expect(["same", "equivalent"]).toContain(m.fields.find((f: { field: string }) => f.field === "title").status);
    }
    expect(b.members).toHaveLength(2);
    expect(await req("GET", `/api/projects/${p.id}/duplicates/jobs/nope`)).toMatchObject({ status: 404 });
  });

  it("reports as left to reviewers exactly the pairs pending, on every run, and asks one question per two groups", async () => {
    const p = await project();
    const first = await run(p.id);
    // The uncertain copy of A is compared with all three copies, but asked about once.
    expect(first).toEqual({ groups: 2, grouped: 5, maybe: 1, leftToReviewers: 1 });
    expect(first.leftToReviewers).toBe(await pending(p.id));
    const second = await run(p.id);
    expect(second).toEqual({ groups: 0, grouped: 0, maybe: 0, leftToReviewers: 1 });
    expect(second.leftToReviewers).toBe(await pending(p.id));
    const [pair] = (await req("GET", `/api/projects/${p.id}/duplicate-pairs`)).body.items;
    expect((await req("POST", `/api/projects/${p.id}/duplicate-pairs/${pair.pair.id}/decision`, "ben", { decision: "not_duplicate" })).status).toBe(200);
    const third = await run(p.id);
    expect(third).toEqual({ groups: 0, grouped: 0, maybe: 0, leftToReviewers: 0 });
    expect(await pending(p.id)).toBe(0);
    expect((await req("GET", `/api/projects/${p.id}/duplicates`)).body).toMatchObject({ pending: 0, notDuplicate: 1 });
  });

  it("signs a decision with the acting user and the time, never a name from the body", async () => {
    const p = await project();
    await run(p.id);
    const [{ pair }] = (await req("GET", `/api/projects/${p.id}/duplicate-pairs?status=pending`)).body.items;
    expect(pair).toMatchObject({ decidedBy: null, decidedAt: null });
    // The body cannot name who decided.
    const forged = await req("POST", `/api/projects/${p.id}/duplicate-pairs/${pair.id}/decision`, "ben", { decision: "duplicate", decidedBy: "carl" });
    expect(forged.status).toBe(400);
    // Nor can the generic collection route record a decision at all: the duplicates routes hold the rules.
    const other = await req("PATCH", `/api/projects/${p.id}/collections/duplicatePairs/${pair.id}`, "ben", { status: "duplicate", decidedBy: "carl", decidedAt: new Date().toISOString() });
    expect(other.status).toBe(405);
    expect(other.body.error).toMatch(/use the duplicates routes/);
    const before = Date.now();
    const res = await app.inject({
      method: "POST",
      url: `/api/projects/${p.id}/duplicate-pairs/${pair.id}/decision`,
      headers: as("ben"),
      payload: { decision: "duplicate", reason: "same trial, page range typed differently" },
    });
    expect(res.statusCode).toBe(200);
    const decided = res.json();
    expect(decided.pair).toMatchObject({ status: "duplicate", decidedBy: "ben" });
    expect(Date.parse(decided.pair.decidedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(decided.pair.decidedAt)).toBeLessThanOrEqual(Date.now());
    // "duplicate" links the record into the group at once.
    const rec = await store.get(p.id, "records", pair.recordIdA === p.byTitle(A.title, "600-610") ? pair.recordIdA : pair.recordIdB);
    expect(rec.duplicateGroupId).toBe(decided.groupId);
    const audit = await store.listAudit(p.id, { limit: 20 });
    const entry = audit.items.find((e) => e.action === "duplicatePairs.update")!;
    expect(entry).toMatchObject({ actor: "ben", reason: "same trial, page range typed differently" });
    // A changed mind is signed by whoever changes it.
    const stored = await store.get(p.id, "duplicatePairs", pair.id);
    expect(stored.decidedBy).toBe("ben");
  });

  it("undoes a merge: the record stands alone, no one-record group is left, and no later run merges it again", async () => {
    const p = await project();
    await run(p.id);
    const b1 = p.byTitle(B.title);
    const { members } = await groupsOf(p.id);
    const [groupId, recs] = [...members].find(([, ids]) => ids.includes(b1))!;
    expect(recs).toHaveLength(2);
    const b2 = recs.find((r) => r !== b1)!;
    const undo = await req("POST", `/api/projects/${p.id}/duplicate-groups/${groupId}/split`, "carl", { parts: [[b2], [b1]], reason: "two reports of one trial, not copies" });
    expect(undo.status).toBe(200);
    expect(undo.body).toEqual({ groups: [], alone: [b2, b1], separated: 1 });
    const after = await groupsOf(p.id);
    expect(after.groups.map((g) => g.id)).not.toContain(groupId);
    expect([...after.members.values()].every((ids) => ids.length >= 2)).toBe(true);
    expect(after.groups).toHaveLength(after.members.size);
    const [judged] = await store.list(p.id, "duplicatePairs", { status: "not_duplicate" });
    expect(judged).toMatchObject({ decidedBy: "carl" });
    for (let i = 0; i < 2; i++) {
      const again = await run(p.id, "ana");
      expect(again.groups).toBe(0);
      expect((await store.get(p.id, "records", b1)).duplicateGroupId).toBeNull();
      expect((await store.get(p.id, "records", b2)).duplicateGroupId).toBeNull();
    }
    // Records are linked and unlinked, never deleted.
    expect(await store.list(p.id, "records")).toHaveLength(7);
  });

  it("splits a group; the parts stay apart on later runs, and joining them by a decision is refused", async () => {
    const p = await project();
    await run(p.id);
    const a1 = p.byTitle(A.title, "548-555");
    const { members } = await groupsOf(p.id);
    const [groupId, recs] = [...members].find(([, ids]) => ids.includes(a1))!;
    const [x, y] = recs.filter((r) => r !== a1);
    const split = await req("POST", `/api/projects/${p.id}/duplicate-groups/${groupId}/split`, "dee", { parts: [[a1, x], [y]] });
    expect(split.status).toBe(200);
    expect(split.body).toEqual({ groups: [groupId], alone: [y], separated: 2 });
    const again = await run(p.id);
    expect(again.groups).toBe(0);
    expect(again.grouped).toBe(0);
    expect((await store.get(p.id, "records", y)).duplicateGroupId).toBeNull();
    expect((await groupsOf(p.id)).members.get(groupId)!.sort()).toEqual([a1, x].sort());
    // The pair now judged different cannot be turned into a duplicate behind the split's back.
    const judged = (await req("GET", `/api/projects/${p.id}/duplicate-pairs?status=not_duplicate`)).body.items;
    expect(judged.map((j: { pair: { decidedBy: string } }) => j.pair.decidedBy)).toEqual(["dee", "dee"]);
    // Splits check their input: every record of the group, once.
    expect((await req("POST", `/api/projects/${p.id}/duplicate-groups/${groupId}/split`, "dee", { parts: [[a1]] })).status).toBe(400);
    expect((await req("POST", `/api/projects/${p.id}/duplicate-groups/${groupId}/split`, "dee", { parts: [[a1], [y]] })).body.error).toMatch(/not in duplicate group/);
  });

  it("refuses a duplicate decision that would join records judged different", async () => {
    const p = await project();
    await run(p.id);
    const a4 = p.byTitle(A.title, "600-610");
    const [{ pair }] = (await req("GET", `/api/projects/${p.id}/duplicate-pairs`)).body.items;
    const other = pair.recordIdA === a4 ? pair.recordIdB : pair.recordIdA;
    const groupId = (await store.get(p.id, "records", other)).duplicateGroupId!;
    const members = (await groupsOf(p.id)).members.get(groupId)!;
    // A reviewer had said a4 is not one of the group's records.
    await store.insert(p.id, "duplicatePairs", [{ recordIdA: a4, recordIdB: members.find((m) => m !== other)!, reasons: [], status: "not_duplicate", decidedBy: "eve", decidedAt: new Date().toISOString() }], { actor: "eve" });
    const res = await req("POST", `/api/projects/${p.id}/duplicate-pairs/${pair.id}/decision`, "ben", { decision: "duplicate" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/judged different by eve/);
    expect((await store.get(p.id, "duplicatePairs", pair.id)).status).toBe("pending");
    // One pair per two records (the store's rule, whoever writes).
    await expect(store.insert(p.id, "duplicatePairs", [{ recordIdA: pair.recordIdB, recordIdB: pair.recordIdA, reasons: [] }], { actor: "ben" })).rejects.toThrow(/already|pair/);
  });
});
