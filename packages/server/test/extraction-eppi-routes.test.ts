import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { signedInTeam } from "./identity.js";

/**
 * The codebook import with real sessions, given an EPPI-Reviewer code set
 * export instead of a codebook file: told apart by shape, owners only, all
 * or none.
 */
const codeSets = {
  CodeSets: [
    {
      SetId: 12,
      SetName: "Study characteristics",
      SetType: { SetTypeName: "Standard" },
      Attributes: {
        AttributesList: [
          {
            AttributeId: 501,
            AttributeSetId: 9001,
            AttributeName: "Study design",
            AttributeType: "Not selectable (no checkbox)",
            AttributeDescription: "As the authors describe it",
            Attributes: {
              AttributesList: [
                { AttributeId: 502, AttributeSetId: 9002, AttributeName: "RCT", AttributeType: "Selectable (show checkbox)", AttributeDescription: "Randomised by participant or cluster" },
                { AttributeId: 503, AttributeSetId: 9003, AttributeName: "Quasi-experimental", AttributeType: "Selectable (show checkbox)" },
              ],
            },
          },
        ],
      },
    },
  ],
  References: [],
};

describe("codebook import of an EPPI-Reviewer code set", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  const cookie = new Map<string, string>();

  const post = async (user: string, payload: unknown) => {
    const res = await app.inject({
      method: "POST",
      url: `/api/projects/${project}/extraction/codebook/import`,
      headers: { cookie: cookie.get(user)!, "content-type": "application/json" },
      payload: payload as object,
    });
    return { status: res.statusCode, body: res.body, json: () => res.json() };
  };
  const codes = async () =>
    (await app.inject({ method: "GET", url: `/api/projects/${project}/extraction/codebook`, headers: { cookie: cookie.get("vic")! } })).json().items.map((i: { code: string }) => i.code);

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-eppi-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const team = await signedInTeam(store, accounts, "EPPI import", [["ana", "reviewer"], ["vic", "viewer"]] as const);
    project = team.project;
    for (const [name, value] of team.cookie) cookie.set(name, value);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("refuses a malformed export naming each attribute and adds nothing", async () => {
    const bad = structuredClone(codeSets);
    const list = bad.CodeSets[0]!.Attributes.AttributesList[0]!.Attributes.AttributesList as Record<string, unknown>[];
    delete list[0]!.AttributeName;
    list[1]!.AttributeId = 501;
    const res = await post("olive", bad);
    expect(res.status).toBe(400);
    expect(res.json().error.split("\n")).toEqual(["attribute 502: no AttributeName", 'attribute 501 ("Quasi-experimental"): its id is used already by attribute 501 ("Study design")']);
    expect(await codes()).toEqual([]);
  });

  it("lets only an owner import", async () => {
    expect((await post("ana", codeSets)).status).toBe(403);
    expect(await codes()).toEqual([]);
  });

  it("adds the set as a section and the codes under a heading as one multiple choice, with EPPI ids as codes", async () => {
    const res = await post("olive", codeSets);
    expect(res.status, res.body).toBe(201);
    const items = res.json().items as { code: string; type: string; depth: number; help: string | null; options: { code: string; label: string; description: string | null }[] }[];
    expect(items.map((i) => [i.depth, i.code, i.type])).toEqual([
      [0, "eppi-set-12", "section"],
      [1, "eppi-501", "multiple"],
    ]);
    expect(items[1]!.help).toBe("As the authors describe it");
    expect(items[1]!.options).toEqual([
      { code: "eppi-502", label: "RCT", description: "Randomised by participant or cluster" },
      { code: "eppi-503", label: "Quasi-experimental", description: null },
    ]);

    // The same set again clashes on its kept ids; a codebook file still imports beside it.
    const again = await post("olive", codeSets);
    expect(again.status).toBe(409);
    expect(again.json().error).toContain('"eppi-set-12"');
    const file = await post("olive", { format: "homeward-codebook", version: 1, items: [{ code: "notes", label: "Notes", type: "text" }] });
    expect(file.status, file.body).toBe(201);
    expect(await codes()).toEqual(["eppi-set-12", "eppi-501", "notes"]);
  });
});
