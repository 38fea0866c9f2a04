import { describe, expect, it } from "vitest";
import { parseAll, validate } from "@homeward/records";

const enc = (s: string) => new TextEncoder().encode(s);

/** Macros that each double the one before: m1 = 10 chars, m(k) = m(k-1) # m(k-1). */
function doubling(levels: number, use = `m${levels}`): string {
  let s = '@string{m0 = "xxxxxxxxxx"}\n';
  for (let k = 1; k <= levels; k++) s += `@string{m${k} = m${k - 1} # m${k - 1}}\n`;
  return s + `@article{k, title = ${use}, year = 2020}\n`;
}

describe("BibTeX @string expansion bounds", () => {
  it("a file of about 500 bytes that would expand to ten million characters is refused quickly with a problem", async () => {
    const file = doubling(20);
    expect(file.length).toBeLessThan(600);
    const t0 = performance.now();
    const { records, problems } = await parseAll(enc(file), { fileName: "bomb.bib" });
    expect(performance.now() - t0).toBeLessThan(2000);
    // The macros past the bound stay undefined, each reported; a use of one is its bare name, as in BibTeX.
    expect(problems.map((p) => p.message)).toContain('line 19: @string definition not read: @string macros would expand to more than 4194304 characters in all');
    expect(records[0]!.title).toBe("m18m18m18m18");
    const report = await validate(enc(file), { fileName: "bomb.bib" });
    expect(report.records).toBe(1);
    expect(report.problems.length).toBeGreaterThan(0);
  });

  it("bounds a record's expansion by the record limit", async () => {
    const { records, problems } = await parseAll(enc(doubling(4, "m4 # m4 # m4 # m4")), { fileName: "r.bib", maxRecordLength: 500 });
    expect(records).toEqual([]);
    expect(problems.find((p) => p.severity === "error")?.message).toBe('record 1 (line 6) skipped: the value of "title" expands to more than 500 characters through @string macros');
    expect((await parseAll(enc(doubling(4, "m4 # m4")), { fileName: "r.bib", maxRecordLength: 500 })).records[0]!.title).toBe("x".repeat(320));
  });

  it("bounds how deep macros nest", async () => {
    let s = '@string{d0 = "a"}\n';
    for (let k = 1; k <= 40; k++) s += `@string{d${k} = d${k - 1} # "b"}\n`;
    s += "@article{k, title = d40}\n";
    const { records, problems } = await parseAll(enc(s), { fileName: "deep.bib" });
    expect(problems.filter((p) => p.severity === "warning").map((p) => p.message)).toContain('line 33: @string definition not read: "d32" nests @string macros more than 32 deep');
    // d32 stays undefined, so its uses are the bare word, as BibTeX prints an undefined macro.
    expect(records[0]!.title).toBe("d32" + "b".repeat(8));
    const ok = await parseAll(enc(s.replace("title = d40", "title = d31")), { fileName: "deep.bib" });
    expect(ok.records[0]!.title).toBe("a" + "b".repeat(31));
  });
});
