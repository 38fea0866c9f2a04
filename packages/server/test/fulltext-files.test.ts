import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { signedInTeam } from "./identity.js";

/** Stored full texts through their routes, with real sessions: a reviewer uploads, a viewer downloads. */
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

describe("full-text file routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let cookie: Map<string, string>;
  let ids: string[];
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-fulltext-files-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")), maxFullTextBytes: 4096 });
    ({ project, cookie } = await signedInTeam(store, accounts, "Full texts", [["rita", "reviewer"], ["vic", "viewer"]]));
    ids = (await store.insert(project, "records", [{ title: "Kinship care trial" }, { title: "Return home cohort" }], { actor: "olive" })).map((r) => r.id);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const fileUrl = (recordId: string) => `/api/projects/${project}/fulltext/${recordId}/file`;
  const upload = (recordId: string, body: Buffer, who = "rita", name = "smith 2020 \"final\".pdf", type = "application/pdf") =>
    app.inject({ method: "PUT", url: `${fileUrl(recordId)}?fileName=${encodeURIComponent(name)}`, headers: { cookie: cookie.get(who)!, "content-type": type }, payload: body });

  it("stores an uploaded PDF, marks the record retrieved and streams the same bytes back to a viewer", async () => {
    const res = await upload(ids[0]!, PDF);
    expect(res.statusCode).toBe(200);
    const sha256 = createHash("sha256").update(PDF).digest("hex");
    expect(res.json()).toMatchObject({ recordId: ids[0], status: "retrieved", updatedBy: "rita", file: { name: 'smith 2020 "final".pdf', mediaType: "application/pdf", size: PDF.length, sha256 } });

    const got = await app.inject({ url: fileUrl(ids[0]!), headers: { cookie: cookie.get("vic")! } });
    expect(got.statusCode).toBe(200);
    expect(got.headers["content-type"]).toBe("application/pdf");
    // The name as given never reaches the header.
    expect(got.headers["content-disposition"]).toBe('attachment; filename="smith-2020-final-.pdf"');
    expect(got.rawPayload.equals(PDF)).toBe(true);

    // The same content for a second record is stored once.
    expect((await upload(ids[1]!, PDF, "rita", "copy.pdf", "application/octet-stream")).statusCode).toBe(200);
    expect(await store.listFiles(project)).toHaveLength(1);
  });

  it("refuses a viewer's upload, a file that is not a PDF and one past the limit, storing nothing", async () => {
    const before = await store.listFiles(project);
    const viewer = await upload(ids[1]!, Buffer.from("%PDF-1.4 other"), "vic");
    expect(viewer.statusCode).toBe(403);
    const notPdf = await upload(ids[1]!, Buffer.from("<html>not a pdf</html>"));
    expect(notPdf.statusCode).toBe(415);
    expect(notPdf.json().error).toContain("is not a PDF");
    const large = await upload(ids[1]!, Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(5000, 32)]));
    expect(large.statusCode).toBe(413);
    const asForm = await upload(ids[1]!, PDF, "rita", "x.pdf", "text/plain");
    expect(asForm.statusCode).toBe(415);
    expect(await store.listFiles(project)).toEqual(before);
    const kept = await app.inject({ url: `/api/projects/${project}/fulltext/${ids[1]}`, headers: { cookie: cookie.get("vic")! } });
    expect(kept.json().file).toMatchObject({ name: "copy.pdf", size: PDF.length });
  });

  it("answers 404 for a record whose full text is not stored, and 401 without a session", async () => {
    const [other] = await store.insert(project, "records", [{ title: "No file" }], { actor: "olive" });
    const none = await app.inject({ url: fileUrl(other!.id), headers: { cookie: cookie.get("vic")! } });
    expect(none.statusCode).toBe(404);
    expect(none.json().error).toContain("no full text");
    expect((await app.inject({ url: fileUrl(ids[0]!) })).statusCode).toBe(401);
  });
});
