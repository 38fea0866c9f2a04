import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { storeEngines } from "../../store/test/scratch-database.js";
import { namedUserPolicy } from "./identity.js";

const tmp = () => mkdtempSync(join(tmpdir(), "homeward-studies-"));



const engines = storeEngines("studies");

describe.each(engines)("studies routes (%s)", (_engine, open) => {
  let done: () => Promise<void>;
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  const ids: string[] = [];
  beforeAll(async () => {
    ({ store, done } = await open());
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: tmp() });
    project = (await store.createProject({ title: "Studies" }, { actor: "ana" })).id;
    const recs = await store.insert(
      project,
      "records",
      [
        { id: "rec-1", title: "Family drug courts: a trial", authors: ["Brook, J.", "McDonald, T."], year: 2015 },
        { id: "rec-2", title: "Family drug courts: follow-up", authors: ["Brook, J."], year: 2017 },
        { id: "rec-3", title: "Strengthening families", authors: ["Akin, B."], year: 2017 },
        { id: "rec-4", title: "Excluded at full text", authors: ["Ng, A."], year: 2020 },
        { id: "rec-5", title: "Only past title and abstract", authors: ["Oh, K."], year: 2021 },
      ],
      { actor: "ana" },
    );
    // Records of one write share their time; the ids give them their order.
    ids.push(...recs.map((x) => x.id));
    const decide = (recordId: string, stage: "title_abstract" | "full_text", decision: "include" | "exclude") => ({ recordId, stage, decision, reviewer: "ana" });
    await store.insert(project, "screeningDecisions", ids.map((id) => decide(id, "title_abstract", "include")), { actor: "ana" });
    await store.insert(project, "screeningDecisions", [decide(ids[0]!, "full_text", "include"), decide(ids[1]!, "full_text", "include"), decide(ids[2]!, "full_text", "include"), decide(ids[3]!, "full_text", "exclude")], { actor: "ana" });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await done?.();
  });

  const call = async (method: "GET" | "POST" | "PUT", url: string, body?: unknown) => {
    const res = await app.inject({ method, url: `/api/projects/${project}${url}`, payload: body as object, headers: { "x-homeward-user": "ana" } });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
  };
  const studies = async () => (await call("GET", "/studies")).body as { id: string; name: string; reports: { id: string; recordId: string; role: string }[] }[];

  it("lists the full-text includes not yet in a study, a page at a time", async () => {
    const page = await call("GET", "/studies/includes?limit=2");
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 3, included: 3, offset: 0, limit: 2 });
    expect(page.body.items.map((x: { id: string }) => x.id)).toEqual([ids[0], ids[1]]);
  });

  it("forms one study per include, then links, leads, splits and merges them, each in the audit log", async () => {
    const formed = await call("POST", "/studies/form");
    expect(formed.status).toBe(201);
    expect(formed.body.created.map((s: { name: string }) => s.name)).toEqual(["Brook 2015", "Brook 2017", "Akin 2017"]);
    expect((await call("GET", "/studies/includes")).body).toMatchObject({ total: 0, included: 3, items: [] });
    expect((await call("POST", "/studies/form")).body.created).toEqual([]);

    const [brook15, brook17] = (await studies()).filter((s) => s.name.startsWith("Brook"));
    // Linking a record already in a study is refused with what to do instead.
    const link = await call("POST", `/studies/${brook15!.id}/reports`, { recordId: ids[1] });
    expect(link.status).toBe(409);
    expect(link.body.error).toBe('the record is already a report of "Brook 2017"; merge the studies, or split it off first');
    expect((await call("POST", `/studies/${brook15!.id}/reports`, { recordId: ids[3] })).status).toBe(409);

    // A merge needs its reason; with it, the follow-up is a linked report of the trial and its study is gone.
    expect((await call("POST", `/studies/${brook15!.id}/merge`, { fromStudyId: brook17!.id })).body.error).toMatch(/say why the two are one study/);
    const merged = await call("POST", `/studies/${brook15!.id}/merge`, { fromStudyId: brook17!.id, reason: "Same trial, 2-year follow-up" });
    expect(merged.status).toBe(200);
    let all = await studies();
    expect(all.map((s) => s.name).sort()).toEqual(["Akin 2017", "Brook 2015"]);
    const trial = all.find((s) => s.id === brook15!.id)!;
    expect(trial.reports.map((x) => [x.recordId, x.role])).toEqual([
      [ids[0], "lead"],
      [ids[1], "linked"],
    ]);
    const audit = (await call("GET", "/audit?limit=10")).body.items as { action: string; reason: string | null; actor: string; before: unknown }[];
    expect(audit[0]).toMatchObject({ action: "studies.merge", actor: "ana", reason: "Same trial, 2-year follow-up" });
    expect(audit.map((a) => a.action)).toContain("studies.remove");

    // The follow-up becomes the lead, then the original report is split off into its own study.
    const follow = trial.reports.find((x) => x.recordId === ids[1])!;
    const original = trial.reports.find((x) => x.recordId === ids[0])!;
    expect((await call("PUT", `/studies/${trial.id}/lead`, { reportId: follow.id })).body.map((x: { id: string; role: string }) => [x.id, x.role]).sort()).toEqual(
      [
        [follow.id, "lead"],
        [original.id, "linked"],
      ].sort(),
    );
    const leadSplit = await call("POST", `/studies/${trial.id}/split`, { reportId: follow.id, reason: "x" });
    expect(leadSplit.status).toBe(409);
    const split = await call("POST", `/studies/${trial.id}/split`, { reportId: original.id, reason: "A separate pilot" });
    expect(split.status).toBe(201);
    expect(split.body.study.name).toBe("Brook 2015b");
    all = await studies();
    expect(all.find((s) => s.id === split.body.study.id)!.reports.map((x) => [x.recordId, x.role])).toEqual([[ids[0], "lead"]]);
    expect((await call("GET", "/audit?limit=1")).body.items[0]).toMatchObject({ action: "studies.split", reason: "A separate pilot" });

    // A report's record excluded at full text afterwards is named, its study kept.
    expect((await call("GET", "/studies/includes")).body.excludedReports).toEqual([]);
    await store.insert(project, "screeningDecisions", [{ recordId: ids[2]!, stage: "full_text", decision: "exclude", reviewer: "ana", reasons: [] }], { actor: "ana" });
    expect((await call("GET", "/studies/includes")).body).toMatchObject({ included: 2, total: 0, excludedReports: [ids[2]] });
    expect((await studies()).map((s) => s.name)).toContain("Akin 2017");
  });

  it("forms each study once when two people form studies at the same time", async () => {
    const other = (await store.createProject({ title: "Studies at once" }, { actor: "ana" })).id;
    await store.insert(other, "records", [1, 2, 3, 4].map((i) => ({ id: `once-${i}`, title: `Trial ${i}`, authors: [`Lee, ${i}.`], year: 2000 + i })), { actor: "ana" });
    for (const stage of ["title_abstract", "full_text"] as const)
      await store.insert(other, "screeningDecisions", [1, 2, 3, 4].map((i) => ({ recordId: `once-${i}`, stage, decision: "include" as const, reviewer: "ana" })), { actor: "ana" });
    const form = () => app.inject({ method: "POST", url: `/api/projects/${other}/studies/form`, headers: { "x-homeward-user": "ana" } });
    const answers = await Promise.all([form(), form(), form()]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    expect(answers.map((a) => JSON.parse(a.body).created.length).sort()).toEqual([0, 0, 4]);
    expect(await store.list(other, "studies")).toHaveLength(4);
    expect(await store.list(other, "studyReports")).toHaveLength(4);
  });

  it("answers 404 for an unknown project or study", async () => {
    expect((await app.inject({ method: "POST", url: "/api/projects/nope/studies/form" })).statusCode).toBe(404);
    expect((await call("PUT", "/studies/nope/lead", { reportId: "r" })).status).toBe(404);
  });
});
