import { describe, expect, it } from "vitest";
import { captureIo } from "./io.js";
import { progressLine } from "./progress.js";

describe("progress line", () => {
  it("prints one line per tenth when standard error is not a terminal", () => {
    const io = captureIo(".");
    const line = progressLine(io, false);
    for (let k = 0; k <= 100; k++) line.report(k / 100, "comparing records");
    line.done();
    const lines = io.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe("homeward: 0% comparing records");
    expect(lines[10]).toBe("homeward: 100% comparing records");
    expect(io.stdout).toBe("");
  });

  it("rewrites one line in place on a terminal and clears it at the end", () => {
    const io = captureIo(".");
    const line = progressLine(io, true);
    line.report(0.42, "saving groups");
    line.report(0.5, "saving groups");
    line.done();
    expect(io.stderr).toBe("\rhomeward:  42% saving groups\u001b[K\r\u001b[K");
  });
});
