import { describe, expect, it } from "vitest";
import { RankedQueue } from "@homeward/screening";

describe("RankedQueue", () => {
  const make = (n: number) => {
    const q = new RankedQueue();
    for (let i = 0; i < n; i++) q.add(`r${i}`);
    return q;
  };

  it("serves in import order until ranked, then the ranking, then records added after it", () => {
    const q = make(4);
    expect(q.ranked).toBe(false);
    expect(q.next()).toBe("r0");
    q.setRanking(Int32Array.from([2, 0, 3, 1]), true);
    expect(q.ranked).toBe(true);
    expect(q.openIds()).toEqual(["r2", "r0", "r3", "r1"]);
    q.add("r4");
    q.setClosed(2, true);
    q.setClosed(0, true);
    expect(q.next()).toBe("r3");
    q.setClosed(3, true);
    q.setClosed(1, true);
    expect(q.next()).toBe("r4");
    q.setClosed(4, true);
    expect(q.next()).toBeNull();
    expect(q.add("r4")).toBe(-1);
  });

  it("skips what the caller excludes without dropping it, and serves a reopened record again", () => {
    const q = make(3);
    q.setRanking(Int32Array.from([1, 2, 0]), true);
    expect(q.next((id) => id === "r1")).toBe("r2");
    expect(q.next(new Set(["r1", "r2"]))).toBe("r0");
    expect(q.next()).toBe("r1");
    q.setClosed(1, true);
    q.setClosed(2, true);
    expect(q.next()).toBe("r0");
    // e.g. a switch to dual screening: a decided record needs a second reviewer.
    q.setClosed(1, false);
    expect(q.next()).toBe("r1");
    expect(() => q.row("nope")).toThrow(/unknown record/);
  });
});
