import { describe, expect, it } from "vitest";
import { dedupe, Detector, type DedupeInput } from "@homeward/records";

/**
 * The detector fed a page at a time (as a project's run feeds it) finds what
 * `dedupe` finds over every record at once: the same groups of two or more
 * in the same order with the same primaries, and the same "maybe" pairs,
 * whatever the size of the pages, with reviewers' decisions applied alike.
 */

/** Records from a seeded generator: originals, then copies of earlier ones written as other databases write them. */
function generated(n: number): DedupeInput[] {
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const words = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}${"aeiou"[i % 5]}${"lmnrst"[i % 6]}a`);
  const surnames = Array.from({ length: 300 }, (_, i) => `Name${i.toString(36)}son`);
  const out: DedupeInput[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 20 && rnd() < 0.12) {
      const from = out[Math.floor(rnd() * out.length)]!;
      const kind = Math.floor(rnd() * 5);
      const [a, b] = String(from.pages).split("-");
      out.push({
        ...from,
        id: `r${i}`,
        ...(kind === 0 ? { title: `${from.title}.` } : {}),
        ...(kind === 1 ? { title: from.title!.toUpperCase(), doi: undefined } : {}),
        ...(kind === 2 ? { pages: `${Number(a) + 300}-${Number(b) + 300}`, doi: undefined } : {}),
        ...(kind === 3 ? { pages: `${a}-${String(b).slice(-2)}`, doi: undefined } : {}),
        ...(kind === 4 ? { year: String(Number(from.year) + 1), doi: undefined } : {}),
      });
      continue;
    }
    const start = 1 + Math.floor(rnd() * 400);
    out.push({
      id: `r${i}`,
      title: Array.from({ length: 5 + Math.floor(rnd() * 8) }, () => pick(words)).join(" "),
      authors: Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => `${pick(surnames)}, ${String.fromCharCode(65 + Math.floor(rnd() * 26))}`),
      year: String(1990 + Math.floor(rnd() * 30)),
      journal: `Journal of ${pick(words)}`,
      volume: String(1 + Math.floor(rnd() * 40)),
      pages: `${start}-${start + 5 + Math.floor(rnd() * 20)}`,
      doi: rnd() < 0.7 ? `10.1000/${i}` : undefined,
      abstractLength: Math.floor(rnd() * 2000),
      type: "article",
    });
  }
  return out;
}

function paged(records: readonly DedupeInput[], size: number, decided: Parameters<typeof dedupe>[1] = {}) {
  const d = new Detector();
  for (let k = 0; k < records.length; k += size) d.add(records.slice(k, k + size));
  return d.finish(decided, { multiOnly: true });
}

describe("the detector fed a page at a time", () => {
  const records = generated(3000);
  const whole = dedupe(records);
  const groups = whole.groups.filter((g) => g.length > 1);

  it("finds the groups and questions of dedupe over every record at once, whatever the page", () => {
    // The set must exercise both: groups to join and pairs to ask about.
    expect(groups.length).toBeGreaterThan(100);
    expect(whole.maybe.length).toBeGreaterThan(20);
    for (const size of [1, 7, 2000, 5000]) {
      const r = paged(records, size);
      expect(r.groups).toEqual(groups);
      expect(r.maybe).toEqual(whole.maybe);
      expect(r.links).toEqual([]);
    }
  });

  it("keeps reviewers' decisions as dedupe does", () => {
    const [g0, g1] = groups;
    const decided = { together: [[g0![0]!, g1![0]!]], separate: [[g0![0]!, g0![1]!] as [string, string]] };
    const want = dedupe(records, decided);
    const r = paged(records, 500, decided);
    expect(r.groups).toEqual(want.groups.filter((g) => g.length > 1));
    expect(r.maybe).toEqual(want.maybe);
    expect(r.groups).not.toEqual(groups);
  });

  it("refuses a record id given twice, across pages", () => {
    const d = new Detector();
    d.add(records.slice(0, 10));
    expect(() => d.add([{ ...records[3]! }])).toThrow(/duplicate record id "r3"/);
  });
});
