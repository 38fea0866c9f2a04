import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FORMATS, parseAll, validate, type Format, type ValidationReport } from "@homeward/records";

/** Small seeded generator (mulberry32) so a failing case can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fixtures: Record<Format, string> = {
  ris: "ovid.ris",
  wos: "wos.txt",
  medline: "pubmed.nbib",
  bibtex: "refs.bib",
  "endnote-xml": "endnote.xml",
  csv: "covidence.csv",
  tsv: "wos.tsv",
  "eppi-json": "eppi.json",
};
const TOKENS = ["TY  - ", "ER  - ", "ER", "PT J", "   ", "PMID- ", "AU  - ", "@article{", "@string{", "{", "}", "#", "=", '"', ",", "\t", "\n", "\r\n", "\r", "<record>", "</record>", "<xml>", "<records>", "<title>", "]]>", "<![CDATA[", "&amp;", "&#xD800;", "{\"References\":[", "]", "\u0000", "\uFFFD", "é", "TI  - ", "x"];

function* cases(format: Format, seed: number): Generator<[string, Uint8Array]> {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const valid = readFileSync(new URL(`./fixtures/${fixtures[format]}`, import.meta.url));
  for (let k = 0; k < 6; k++) yield [`random bytes ${k}`, Uint8Array.from({ length: int(3000) }, () => int(256))];
  for (let k = 0; k < 6; k++) yield [`truncated ${k}`, valid.subarray(0, int(valid.length))];
  for (let k = 0; k < 6; k++) {
    const b = Buffer.from(valid);
    for (let f = 0; f < 12; f++) b[int(b.length)] = int(256);
    yield [`flipped bytes ${k}`, b];
  }
  for (let k = 0; k < 6; k++) yield [`token soup ${k}`, Buffer.from(Array.from({ length: 50 + int(400) }, () => TOKENS[int(TOKENS.length)]).join(""))];
  yield ["empty", new Uint8Array(0)];
  yield ["odd-length UTF-16", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("TY  - JOUR\n", "utf16le"), Buffer.from([0x41])])];
  yield ["unbalanced", Buffer.from("@article{a,\n title = {never {closed\n" + "<record><titles><title>x".repeat(20) + '{"References": [{"Title": "x"')];
  yield ["repeated valid", Buffer.concat(Array.from({ length: 30 }, () => valid))];
}

async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

function checkReport(rep: ValidationReport, what: string) {
  for (const p of rep.problems) {
    expect(p.message.trim().length, what).toBeGreaterThan(5);
    if (p.line !== undefined) expect(Number.isInteger(p.line) && p.line >= 0, `${what}: line ${p.line}`).toBe(true);
  }
  // Nothing readable must never pass silently.
  if (rep.records === 0) expect(rep.fatal, what).toBeTruthy();
  expect(rep.errors + rep.warnings).toBeGreaterThanOrEqual(rep.problems.length);
}

describe("parsers under malformed input: no crash, no hang, a clear report", () => {
  for (const [i, format] of FORMATS.entries()) {
    it(format, async () => {
      for (const [name, bytes] of cases(format, 1000 + i)) {
        for (const forced of [format, undefined]) {
          const what = `${format} ${forced ? "forced" : "sniffed"} / ${name}`;
          const rep = await bounded(validate(bytes, { format: forced, fileName: `fuzz.${format}` }), 10_000, what);
          checkReport(rep, what);
        }
      }
    });
  }

  it("reports a line longer than the limit instead of holding it", async () => {
    const huge = Buffer.concat([Buffer.from("TY  - JOUR\nTI  - "), Buffer.alloc(3 << 20, 0x78), Buffer.from("\nER  - \nTY  - JOUR\nTI  - After\nER  - \n")]);
    const { records, problems } = await bounded(parseAll(huge, { fileName: "huge.ris", maxLineLength: 1 << 20 }), 10_000, "huge line");
    expect(records.map((r) => r.title)).toEqual(["After"]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: "error", line: 1, record: 0 });
    expect(problems[0].message).toMatch(/line 2 is longer than the limit/);
  });

  it("reports a record larger than the limit (a quote never closed in CSV, a runaway BibTeX entry)", async () => {
    const csv = Buffer.from(`title,author\n"never closed,${"x".repeat(5000)}\n`);
    const rep = await validate(csv, { fileName: "x.csv", maxRecordLength: 1000 });
    expect(rep.records).toBe(0);
    expect(rep.problems[0].severity).toBe("error");
    const bib = Buffer.from(`@article{a, title = {${"word ".repeat(2000)}\n${"more\n".repeat(500)}`);
    const rb = await validate(bib, { fileName: "x.bib", maxRecordLength: 1000 });
    expect(rb.records).toBe(0);
    expect(rb.problems[0].message).toMatch(/longer than 1000 characters|never balance|closing brace/);
  });
});
