import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { backupInstance, FILE_PART_BYTES, restoreInstance, type Store } from "@homeward/store";
import { storeEngines } from "./scratch-database.js";

const hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
async function* inChunks(b: Buffer, n: number) {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}
async function read(store: Store, project: string, sha256: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of store.readFile(project, sha256)) parts.push(p);
  return Buffer.concat(parts);
}

// Three stores of each engine, each its own database, for moving a project from one instance to another.
const engines = storeEngines("stored_files").map(([name], i) => [name, [storeEngines("stored_files")[i]![1], storeEngines("stored_files_b")[i]![1], storeEngines("stored_files_c")[i]![1]]] as const);

describe.each(engines)("stored files on %s", (_name, opens) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });
  const opened = async (n = 0) => {
    const { store, done } = await opens[n]!();
    cleanup.push(async () => {
      await store.close();
      await done();
    });
    return store;
  };

  it("stores a file in parts once per content and reads the same bytes back", async () => {
    const store = await opened();
    const project = (await store.createProject({ title: "Files" }, { actor: "ana" })).id;
    // Larger than one part and not a multiple of it, sent in chunks that do not line up with parts.
    const bytes = Buffer.alloc(FILE_PART_BYTES * 2 + 123);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) % 251;
    const sha256 = hex(bytes);
    const stored = await store.putFile(project, { sha256, size: bytes.length, mediaType: "application/pdf", open: () => inChunks(bytes, 70_001) });
    expect(stored).toMatchObject({ sha256, size: bytes.length, mediaType: "application/pdf" });
    expect((await read(store, project, sha256)).equals(bytes)).toBe(true);
    const parts: number[] = [];
    for await (const p of store.readFile(project, sha256)) parts.push(p.length);
    expect(parts).toEqual([FILE_PART_BYTES, FILE_PART_BYTES, 123]);

    // The same content again is the file already held.
    const again = await store.putFile(project, { sha256, size: bytes.length, mediaType: "application/pdf", createdAt: "2000-01-01T00:00:00.000Z", open: () => inChunks(bytes, 1 << 20) });
    expect(again).toEqual(stored);
    expect(await store.listFiles(project)).toEqual([stored]);
    expect(await store.getFile(project, "0".repeat(64))).toBeNull();
  });

  it("stores nothing when the content does not match its hash or size", async () => {
    const store = await opened();
    const project = (await store.createProject({ title: "Files" }, { actor: "ana" })).id;
    const bytes = Buffer.from("%PDF-1.4 not what was announced");
    await expect(store.putFile(project, { sha256: "a".repeat(64), size: bytes.length, mediaType: null, open: () => inChunks(bytes, 8) })).rejects.toThrow("does not match");
    await expect(store.putFile(project, { sha256: hex(bytes), size: 3, mediaType: null, open: () => inChunks(bytes, 8) })).rejects.toThrow("does not match");
    expect(await store.listFiles(project)).toEqual([]);
    expect(await read(store, project, "a".repeat(64))).toHaveLength(0);
  });

  it("carries files through export, import and backup; a project without files exports without the key", async () => {
    const a = await opened();
    const b = await opened(1);
    const plain = (await a.createProject({ title: "No files" }, { actor: "ana" })).id;
    expect("files" in (await a.exportProject(plain))).toBe(false);

    const project = (await a.createProject({ title: "Files" }, { actor: "ana" })).id;
    const bytes = Buffer.from("%PDF-1.4\n% a tiny full text\n");
    const sha256 = hex(bytes);
    await a.putFile(project, { sha256, size: bytes.length, mediaType: "application/pdf", open: () => inChunks(bytes, 5) });
    const file = await a.exportProject(project);
    expect(file.files).toEqual([expect.objectContaining({ sha256, size: bytes.length, base64: bytes.toString("base64") })]);

    const copy = await b.importProject(JSON.parse(JSON.stringify(file)), { actor: "ana", copy: true });
    expect((await read(b, copy.id, sha256)).equals(bytes)).toBe(true);
    expect((await b.exportProject(copy.id)).files).toEqual(file.files);

    const tampered = JSON.parse(JSON.stringify(file));
    tampered.files[0].base64 = Buffer.from("%PDF-1.4 other").toString("base64");
    tampered.project.id = "tampered";
    await expect(b.importProject(tampered, { actor: "ana" })).rejects.toThrow("does not match its size and SHA-256");
    expect(await b.hasProject("tampered")).toBe(false);

    const dir = mkdtempSync(join(tmpdir(), "homeward-files-backup-"));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    await backupInstance(a, join(dir, "backup.gz"));
    const c = await opened(2);
    await restoreInstance(c, join(dir, "backup.gz"), { actor: "ana" });
    expect((await read(c, project, sha256)).equals(bytes)).toBe(true);
  });
});
