import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { askState, getTool, type Tool } from "@homeward/appraisal";
import { Appraisal, splitAnswers, storedAnswer } from "@homeward/model";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer, SESSION_COOKIE } from "@homeward/server";

/**
 * Per-answer support: each signalling-question answer carries a supporting
 * quote and a comment, stored beside the answer only when given, so plain
 * answers keep their stored form.
 */
const PASSWORD = "correct horse battery";

function fill(tool: Tool): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const d of tool.domains) for (const q of d.questions) if (askState(d, answers).asked.includes(q.id) && q.options.length > 0) answers[q.id] = q.options.includes("Y") ? "Y" : q.options[0]!;
  return answers;
}

describe("answers with a supporting quote and comment", () => {
  it("reads plain answers as before and keeps them plain unless support is given", () => {
    const plain = Appraisal.parse({ id: "a", studyId: "s", tool: "RoB2", reviewer: "ana", at: "2024-01-01T00:00:00.000Z", domains: [{ domain: "D1", answers: { "1.1": "Y" } }] });
    expect(plain.domains[0]!.answers).toEqual({ "1.1": "Y" });
    expect(storedAnswer("Y", { quote: " ", comment: "" })).toBe("Y");
    expect(storedAnswer("PY", { quote: "“allocation by sealed envelopes”", comment: "" })).toEqual({ answer: "PY", quote: "“allocation by sealed envelopes”", comment: "" });
    expect(splitAnswers({ "1.1": "Y", "1.2": { answer: "PY", quote: "q", comment: "c" } })).toEqual({ answers: { "1.1": "Y", "1.2": "PY" }, support: { "1.2": { quote: "q", comment: "c" } } });
    expect(() => Appraisal.parse({ ...plain, domains: [{ domain: "D1", answers: { "1.1": { answer: "Y", page: 3 } } }] })).toThrow();
  });

  describe("through the routes", () => {
    let store: Store;
    let app: FastifyInstance;
    let project: string;
    let studyId: string;
    let cookie = "";
    const rob2 = getTool("rob2")!;
    const headers = () => ({ cookie, "content-type": "application/json" });

    beforeAll(async () => {
      store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-appraisal-support-")) });
      const accounts = createAccounts(store);
      app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
      await app.ready();
      const owner = await accounts.setup((await accounts.issueSetupLink()).token, { name: "olive", displayName: "Olive", password: PASSWORD });
      cookie = `${SESSION_COOKIE}=${owner.token}`;
      project = (await store.createProject({ title: "Support" }, { actor: "olive" })).id;
      const [study] = await store.insert(project, "studies", [{ name: "Trial 2020", design: "RCT", createdAt: new Date().toISOString() }], { actor: "olive" });
      studyId = study!.id;
    });
    afterAll(async () => {
      await app?.close();
      await store?.close();
    });

    it("stores a quote and comment beside their answer, reads them back, and leaves the rest plain", async () => {
      const support = {
        "1.2": { quote: "Allocation was concealed using sealed opaque envelopes (p. 4).", comment: "" },
        "3.1": { quote: "", comment: "Attrition reported per arm in the CONSORT diagram." },
        // A quote noted before answering is kept with the draft.
        "5.1": { quote: "The analysis plan was registered.", comment: "" },
      };
      const answers = fill(rob2);
      delete answers["5.1"];
      const saved = await app.inject({ method: "PUT", url: `/api/projects/${project}/appraisal/studies/${studyId}/mine`, headers: headers(), payload: { tool: "rob2", answers, support } });
      expect(saved.statusCode, saved.body).toBe(200);
      const mine = saved.json().mine;
      expect(mine.support).toEqual(support);
      expect(mine.answers["1.2"]).toBe(answers["1.2"]);
      expect(mine.answers["5.1"]).toBeUndefined();
      const [stored] = await store.list(project, "appraisals", { studyId });
      const all = Object.assign({}, ...stored!.domains.map((d) => d.answers));
      expect(all["1.1"]).toBe(answers["1.1"]);
      expect(all["1.2"]).toEqual({ answer: answers["1.2"], ...support["1.2"] });
      expect(all["5.1"]).toEqual({ answer: "", ...support["5.1"] });

      const submitted = await app.inject({ method: "POST", url: `/api/projects/${project}/appraisal/studies/${studyId}/mine/submit`, headers: headers(), payload: { tool: "rob2", answers: fill(rob2), support: { "1.2": support["1.2"] } } });
      expect(submitted.statusCode, submitted.body).toBe(200);
      expect(submitted.json().mine.support).toEqual({ "1.2": support["1.2"] });
      expect(submitted.json().mine.status).toBe("submitted");
    });

    it("refuses support that is not a quote and a comment", async () => {
      const res = await app.inject({ method: "PUT", url: `/api/projects/${project}/appraisal/studies/${studyId}/mine`, headers: headers(), payload: { tool: "rob2", answers: {}, support: { "1.1": { quote: "x", page: 4 } } } });
      expect(res.statusCode).toBe(400);
    });
  });
});
