import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { isInputError } from "../errors.js";
import { KeptWorker, runInWorker, workerFile } from "./worker.js";

/** A worker module written for the test, serving `body` (a function of input and progress) through the built `serveWorker`. */
function workerModule(body: string): URL {
  const dir = mkdtempSync(join(tmpdir(), "homeward-worker-"));
  const built = pathToFileURL(join(import.meta.dirname, "../../dist/node/worker.js")).href;
  const errors = pathToFileURL(join(import.meta.dirname, "../../dist/errors.js")).href;
  const file = join(dir, "w.mjs");
  writeFileSync(file, `import { serveWorker } from ${JSON.stringify(built)};\nimport { InputError } from ${JSON.stringify(errors)};\nserveWorker(${body});\n`);
  return pathToFileURL(file);
}

describe("runInWorker", () => {
  it("runs in a worker thread with progress, and gives an input error back as one (with its status)", async () => {
    const file = workerModule("(n, progress) => { for (let i = 1; i <= n; i++) progress(i); return n * 2; }");
    const seen: number[] = [];
    expect(await runInWorker<number, number, number>({ file, input: 3, inline: () => -1, onProgress: (p) => seen.push(p), name: "test" })).toBe(6);
    expect(seen).toEqual([1, 2, 3]);
    const refusing = workerModule('() => { throw new InputError("no such thing", 404); }');
    const err = await runInWorker({ file: refusing, input: 0, inline: () => 0, name: "test" }).catch((e: unknown) => e);
    expect(isInputError(err)).toBe(true);
    expect(err).toMatchObject({ message: "no such thing", status: 404 });
    const failing = workerModule('() => { throw new Error("broken"); }');
    const other = await runInWorker({ file: failing, input: 0, inline: () => 0, name: "test" }).catch((e: unknown) => e);
    expect(isInputError(other)).toBe(false);
    expect(other).toMatchObject({ message: "broken" });
  });

  it("ends the thread when the signal aborts, rejecting with its reason", async () => {
    // Busy for ten seconds: only ending the thread stops it.
    const file = workerModule("() => { const end = Date.now() + 10000; while (Date.now() < end); return 1; }");
    const ctrl = new AbortController();
    const run = runInWorker({ file, input: 0, inline: () => 0, signal: ctrl.signal, name: "test" });
    setTimeout(() => ctrl.abort(new Error("cancelled")), 50);
    const t = Date.now();
    await expect(run).rejects.toThrow("cancelled");
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it("runs inline when there is no compiled worker, after the current task", async () => {
    expect(workerFile(new URL("file:///x/w.js"), "file:///x/a.ts", new URL("file:///no/such/w.js"))).toBeNull();
    let after = false;
    const run = runInWorker<number, boolean>({ file: null, input: 1, inline: () => after, name: "test" });
    after = true;
    expect(await run).toBe(true);
  });
});

describe("KeptWorker", () => {
  it("runs one input after another on one thread, and replaces a thread that died", async () => {
    // Each answer names its thread, so the test sees whether the thread was kept.
    const file = workerModule('async (n) => { const { threadId } = await import("node:worker_threads"); if (n < 0) await new Promise(() => undefined); return [n * 2, threadId]; }');
    const kept = new KeptWorker<number, [number, number]>({ file, inline: () => [-1, -1], name: "kept" });
    try {
      const [a, b] = await Promise.all([kept.run(1), kept.run(2)]);
      expect(a[0]).toBe(2);
      expect(b[0]).toBe(4);
      expect(b[1]).toBe(a[1]);
      expect(kept.started).toBe(1);
      // A thread ended in the middle of a run: that run fails with the reason, the next one gets a new thread.
      const stuck = kept.run(-1).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 200));
      await kept.current!.terminate();
      expect(String(await stuck)).toMatch(/the kept worker exited with code 1/);
      const [c, thread] = await kept.run(3);
      expect(c).toBe(6);
      expect(thread).not.toBe(a[1]);
      expect(kept.started).toBe(2);
      // A cancelled run ends its thread (synchronous work cannot be stopped otherwise).
      const stop = new AbortController();
      const cancelled = kept.run(-1, { signal: stop.signal }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      stop.abort(new Error("cancelled"));
      expect(String(await cancelled)).toMatch(/cancelled/);
      expect((await kept.run(4))[0]).toBe(8);
      expect(kept.started).toBe(3);
    } finally {
      await kept.close();
    }
    await expect(kept.run(5)).rejects.toThrow(/closed/);
  });
});
