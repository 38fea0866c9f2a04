import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "@homeward/store";
import { storedJson, storedText } from "../src/mapping.js";
import { storeEngines } from "./scratch-database.js";

const ana = { actor: "ana" };

describe("control characters", () => {
  it("are dropped from text, tab, line feed and carriage return kept", () => {
    expect(storedText("a\u0000b\u0007c\td\ne\rf\u001fg\u000bh")).toBe("abc\td\ne\rfgh");
    expect(storedText("plain")).toBe("plain");
  });

  it("are dropped from JSON text by their escapes, an escaped backslash before one being text", () => {
    expect(JSON.parse(storedJson({ a: ["x\u0000y", "\b\f\u0001"], "k\u0000": 1 }))).toEqual({ a: ["xy", ""], k: 1 });
    expect(JSON.parse(storedJson(["C:\\u0000", "C:\\\u0000", "\\b", "\\\b"]))).toEqual(["C:\\u0000", "C:\\", "\\b", "\\"]);
    expect(JSON.parse(storedJson("\t\n\r"))).toBe("\t\n\r");
  });
});

describe.each(storeEngines("control"))("control characters stored on %s", (_engine, open) => {
  let store: Store;
  let done: () => Promise<void>;
  let project: string;
  beforeAll(async () => {
    ({ store, done } = await open());
    project = (await store.createProject({ title: "Control" }, ana)).id;
  });
  afterAll(async () => {
    await store?.close();
    await done?.();
  });

  it("a NUL and other controls in a record are dropped alike on insert and update, and the record is found by its words", async () => {
    await store.insert(project, "records", [{ id: "r1", title: "Home\u0000 visits\u0007 for\tfamilies", authors: ["Doe\u0000, J."], keywords: ["nul\u0000word"] }, { id: "r2", title: "Foster\u0000 care" }] as never, ana);
    const r = (await store.get(project, "records", "r1")) as { title: string; authors: string[]; keywords: string[] };
    expect(r.title).toBe("Home visits for\tfamilies");
    expect(r.authors).toEqual(["Doe, J."]);
    expect(r.keywords).toEqual(["nulword"]);
    await store.update(project, "records", "r1", { title: "Kinship\u0000 care" } as never, ana);
    expect(((await store.get(project, "records", "r1")) as { title: string }).title).toBe("Kinship care");
    const page = await store.queryRecords(project, { q: "kinship" } as never);
    expect(page.items.map((x: { id: string }) => x.id)).toEqual(["r1"]);
  });

  it("a NUL in a project's title or description is dropped alike on create, change and import, so the project moves between engines", async () => {
    const p = await store.createProject({ title: "Kinship\u0000 care", description: "d\u0000e\u0007" }, ana);
    expect([p.title, p.description]).toEqual(["Kinship care", "de"]);
    const changed = await store.updateProject(p.id, { title: "Return\u0000 home" }, ana);
    expect(changed.title).toBe("Return home");
    const file = await store.exportProject(p.id);
    const imported = await store.importProject({ ...file, project: { ...file.project, title: "Imported\u0000 title" } }, { ...ana, copy: true });
    expect(imported.title).toBe("Imported title");
    // The history says what is stored.
    const created = (await store.listAudit(p.id, { limit: 100 })).items.find((e) => e.action === "project.create")!;
    expect((created.after as { title: string }).title).toBe("Kinship care");
  });
});
