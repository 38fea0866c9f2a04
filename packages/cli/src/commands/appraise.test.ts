import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo } from "../io.js";

const dir = mkdtempSync(join(tmpdir(), "homeward-appraise-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Out {
  tool: { id: string; name: string; version: string };
  variant: string | null;
  domains: Record<string, string | null>;
  overall: string | null;
  trace: { domain: string; judgement: string | null; rule: string | null; steps: { rule: string; answers: Record<string, string> }[]; departures?: { id: string; without: string | null }[]; score?: { value: number; max: number }; flags?: { code: string }[] }[];
  note?: string;
}

async function appraise(tool: string, file: unknown, extra: string[] = []) {
  const io = captureIo(dir);
  const path = join(dir, `answers-${Math.random()}.json`);
  writeFileSync(path, typeof file === "string" ? file : JSON.stringify(file));
  const code = await run(["appraise", "--tool", tool, "--answers", path, ...extra], io);
  return { code, stderr: io.stderr, out: code === 0 ? (JSON.parse(io.stdout) as Out) : null };
}

// Every RoB 2 domain at Low by the flowcharts of the guidance (22 Aug 2019): D1 1.2 Y/PY, 1.1 Y/PY/NI, 1.3 N/PN/NI;
// D2 not aware (2.1, 2.2 N/PN) and 2.6 Y/PY; D3 3.1 Y/PY; D4 4.1, 4.2, 4.3 N/PN; D5 5.2, 5.3 N/PN and 5.1 Y/PY.
const ALL_LOW = {
  "1.1": "Y", "1.2": "PY", "1.3": "N",
  "2.1": "N", "2.2": "N", "2.6": "Y",
  "3.1": "Y",
  "4.1": "N", "4.2": "N", "4.3": "N",
  "5.1": "Y", "5.2": "N", "5.3": "N",
};

describe("homeward appraise: RoB 2", () => {
  it("proposes each domain and the overall, with the rule that decided each", async () => {
    const { code, stderr, out } = await appraise("rob2", { variant: "assignment", answers: ALL_LOW, departures: [] });
    expect(code, stderr).toBe(0);
    expect(out!.tool).toMatchObject({ id: "rob2", version: "2019-08-22" });
    expect(out!.domains).toEqual({ D1: "Low", D2: "Low", D3: "Low", D4: "Low", D5: "Low" });
    expect(out!.overall).toBe("Low");
    const d1 = out!.trace.find((t) => t.domain === "D1")!;
    expect(d1.rule).toBe("1.3 ∈ {N, PN, NI}");
    expect(d1.steps.map((s) => Object.keys(s.answers)[0])).toEqual(["1.2", "1.1", "1.3"]);
    expect(out!.trace.find((t) => t.domain === "D2")!.rule).toMatch(/Part 1.*: Low; Part 2.*: Low; the most severe of the parts/);
    expect(out!.trace.at(-1)).toMatchObject({ domain: "overall", judgement: "Low" });
  });

  it("Some concerns in two domains: the overall is Some concerns, flagged as one the assessor may raise to High", async () => {
    // D5: 5.1 N with 5.2, 5.3 N → Some concerns; D3: 3.1 N, 3.2 N, 3.3 Y, 3.4 N → Some concerns.
    const answers = { ...ALL_LOW, "5.1": "N", "3.1": "N", "3.2": "N", "3.3": "Y", "3.4": "N" };
    const { code, out } = await appraise("rob2", { variant: "assignment", answers });
    expect(code).toBe(0);
    expect(out!.domains).toEqual({ D1: "Low", D2: "Low", D3: "Some concerns", D4: "Low", D5: "Some concerns" });
    expect(out!.overall).toBe("Some concerns");
    expect(out!.trace.at(-1)!.flags!.map((f) => f.code)).toEqual(["rob2-multiple-some-concerns"]);
  });

  it("applies a departure named by id and reports the judgement without it", async () => {
    // Aware participants (2.1 Y) with deviations that arose and may have affected the outcome, unbalanced: part 1 High.
    const answers = { ...ALL_LOW, "2.1": "Y", "2.3": "Y", "2.4": "Y", "2.5": "N" };
    const without = await appraise("rob2", { variant: "assignment", answers, departures: [] });
    expect(without.out!.domains.D2).toBe("High");
    expect(without.out!.overall).toBe("High");
    const withIt = await appraise("rob2", { variant: "assignment", answers, departures: ["non-blinding-not-a-concern"] });
    expect(withIt.code, withIt.stderr).toBe(0);
    expect(withIt.out!.domains.D2).toBe("Low");
    expect(withIt.out!.overall).toBe("Low");
    expect(withIt.out!.trace.find((t) => t.domain === "D2")!.departures).toMatchObject([{ id: "non-blinding-not-a-concern", without: "High" }]);
  });

  it("takes a departure spelled out, defaulting its tools to the one appraised", async () => {
    const answers = { ...ALL_LOW, "4.3": "Y", "4.4": "Y", "4.5": "Y" };
    expect((await appraise("rob2", { answers })).out!.domains.D4).toBe("High");
    const dep = { id: "assessors-aware", text: "Outcome assessors' awareness is not a concern for administrative outcomes", overrides: [{ question: "4.3", answer: "PN" }] };
    const { code, out } = await appraise("rob2", { answers, departures: [dep] });
    expect(code).toBe(0);
    expect(out!.domains.D4).toBe("Low");
  });

  it("the effect of adhering, by variant", async () => {
    // Not aware (2.1, 2.2 N) leads to 2.4/2.5 (2.3 not asked): both N → Low; 2.4 Y → 2.6 decides, N → High.
    const answers = { ...ALL_LOW, "2.4": "N", "2.5": "N" };
    delete (answers as Record<string, string>)["2.6"];
    const low = await appraise("rob2", { variant: "adhering", answers });
    expect(low.code, low.stderr).toBe(0);
    expect(low.out!.tool.id).toBe("rob2-adhering");
    expect(low.out!.variant).toBe("adhering");
    expect(low.out!.domains.D2).toBe("Low");
    const high = await appraise("rob2", { variant: "adhering", answers: { ...answers, "2.4": "Y", "2.6": "N" } });
    expect(high.code, high.stderr).toBe(0);
    expect(high.out!.domains.D2).toBe("High");
    expect((await appraise("rob2-adhering", { answers })).out!.tool.id).toBe("rob2-adhering");
  });
});

describe("homeward appraise refuses bad input with exit 2, naming the question", () => {
  it.each([
    ["an unanswered question the algorithm needs", { answers: { ...ALL_LOW, "1.2": undefined } }, /the algorithm needs answers to 1\.2 \(D1\)/],
    ["an answer outside the allowed set", { answers: { ...ALL_LOW, "1.1": "Maybe" } }, /Maybe is not an allowed answer to 1\.1; allowed: Y, PY, PN, N, NI/],
    ["NI where the question has none (3.2)", { answers: { ...ALL_LOW, "3.1": "N", "3.2": "NI", "3.3": "Y", "3.4": "N" } }, /NI is not an allowed answer to 3\.2/],
    ["a question the tool does not have", { answers: { ...ALL_LOW, "9.9": "Y" } }, /has no question 9\.9/],
    ["an answer to a question the skip logic does not ask", { answers: { ...ALL_LOW, "2.3": "Y" } }, /2\.3 is not asked here/],
    ["an unknown variant", { variant: "per-protocol", answers: ALL_LOW }, /"variant" for rob2 must be one of assignment, adhering/],
    ["a variant contradicting the tool", { variant: "assignment", answers: ALL_LOW }, /effect of adhering; variant "assignment" disagrees/, "rob2-adhering"],
    ["an unknown departure", { answers: ALL_LOW, departures: ["no-such"] }, /unknown id "no-such"/],
    ["a departure substituting an answer not allowed", { answers: ALL_LOW, departures: [{ id: "x", text: "t", overrides: [{ question: "3.2", answer: "NI" }] }] }, /NI is not an allowed answer to 3\.2/],
    ["an unknown key", { answers: ALL_LOW, judgements: {} }, /unknown key "judgements"/],
    ["an unknown tool", { answers: ALL_LOW }, /unknown tool "rob3"/, "rob3"],
    ["a variant for a tool without any", { variant: "assignment", answers: {} }, /casp-qualitative has no variants/, "casp"],
    ["a file that is not JSON", "{answers:", /is not valid JSON/],
  ])("%s", async (_, file, message, tool = "rob2") => {
    const { code, stderr, out } = await appraise(tool, file);
    expect(code).toBe(2);
    expect(out).toBeNull();
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a missing file", async () => {
    const io = captureIo(dir);
    expect(await run(["appraise", "--tool", "rob2", "--answers", "nope.json"], io)).toBe(2);
    expect(io.stderr).toMatch(/cannot read answers nope\.json: ENOENT/);
  });

  it("a tool version not declared", async () => {
    const { code, stderr } = await appraise("rob2", { answers: ALL_LOW }, ["--tool-version", "2011"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/rob2 has no version "2011" \(declared: 2019-08-22\)/);
  });
});

describe("homeward appraise: tools without an algorithm", () => {
  it("ROBINS-I (2016): every domain null, and says why", async () => {
    const { code, stderr, out } = await appraise("robins-i", { variant: "assignment", answers: { "1.1": "N" } });
    expect(code, stderr).toBe(0);
    expect(out!.domains).toEqual({ D1: null, D2: null, D3: null, D4: null, D5: null, D6: null, D7: null });
    expect(out!.overall).toBeNull();
    expect(out!.note).toMatch(/proposes no domain judgement.*the assessor judges each domain/);
    expect((await appraise("robins-i", { variant: "adhering", answers: {} })).out!.tool.id).toBe("robins-i-adhering");
  });

  it("ROBINS-I V2 (2025): section B, then each domain by its flowchart, with the tool's own keys and labels", async () => {
    // Section B proceeds; every domain at its lowest level (ROBINS-I V2, 20 Nov 2025: figures pp. 20–47, overall p. 49).
    const low = { B1: "Y", B3: "N", "1.1": "Y", "1.2": "PY", "1.3": "N", "1.4": "N", "2.1": "Y", "2.4": "N", "2.5": "PN", "3.1": "Y", "3.2": "N", "3.3": "N", "4.1": "Y", "4.2": "Y", "4.3": "Y", "5.1": "N", "5.2": "N", "6.1": "Y" };
    const { code, stderr, out } = await appraise("robins-i-v2", { variant: "intention-to-treat", answers: low });
    expect(code, stderr).toBe(0);
    expect(out!.tool).toMatchObject({ id: "robins-i-v2", version: "2025" });
    expect(out!.variant).toBe("intention-to-treat");
    expect(out!.domains).toEqual({ B: "Proceed", D1: "Low (except for concerns about uncontrolled confounding)", D2: "Low", D3: "Low", D4: "Low", D5: "Low", D6: "Low" });
    expect(out!.overall).toBe("Low (except for concerns about uncontrolled confounding)");
    expect(out!.trace.find((t) => t.domain === "D5")!.rule).toBe("5.2 ∈ {N, PN}");
    // Serious in domain 5 makes the overall Serious.
    expect((await appraise("robins-i-v2", { answers: { ...low, "5.1": "PY" } })).out!.overall).toBe("Serious");
    // Section B can end it at Critical, the domains then not assessed.
    const stop = await appraise("robins-i-v2", { answers: { B1: "N", B2: "Y", B3: "N" } });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.out!).toMatchObject({ overall: "Critical", domains: { B: "Critical", D1: null } });
    // A path the transcriptions of the figure read differently proposes nothing and says so.
    const open = await appraise("robins-i-v2", { answers: { ...low, "1.2": "WN" } });
    expect(open.out!.domains.D1).toBeNull();
    expect(open.out!.trace.find((t) => t.domain === "D1")!.rule).toMatch(/p\. 20.*disagree/);
    expect((await appraise("robins-i-v2", { variant: "per-protocol", answers: { B1: "Y", B3: "N" } })).stderr).toMatch(/the algorithm needs answers to 1\.1 \(D1\)/);
  });

  it("ROBINS-I V2: exit 2 naming the question for an answer outside its options or one the algorithm needs", async () => {
    const weak = await appraise("robins-i-v2", { answers: { B1: "Y", B3: "N", "1.1": "PN" } });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/PN is not an allowed answer to 1\.1; allowed: Y, PY, WN, SN, NI/);
    const missing = await appraise("robins-i-v2", { answers: { B1: "Y" } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/the algorithm needs answers to B3 \(B\)/);
    expect((await appraise("robins-i-v2", { variant: "adhering", answers: {} })).stderr).toMatch(/must be one of intention-to-treat, per-protocol/);
  });

  it("CASP (casp for casp-qualitative) and MMAT: domains null", async () => {
    const casp = await appraise("casp", { answers: { Q1: "Yes", Q2: "Can't tell" } });
    expect(casp.code, casp.stderr).toBe(0);
    expect(casp.out!.tool.id).toBe("casp-qualitative");
    expect(casp.out!.domains).toEqual({ A: null, B: null, C: null });
    expect((await appraise("casp", { answers: { Q1: "Probably" } })).stderr).toMatch(/Probably is not an allowed answer to Q1/);
    const mmat = await appraise("mmat", { answers: { S1: "Yes", S2: "Yes", category: "Qualitative", "1.1": "Yes" } });
    expect(mmat.code, mmat.stderr).toBe(0);
    expect(mmat.out!.domains["1"]).toBeNull();
    expect(mmat.out!.trace.find((t) => t.domain === "2")).toMatchObject({ judgement: null, rule: "the domain does not apply" });
    expect((await appraise("mmat", { answers: { S1: "Yes", S2: "Yes", category: "Qualitative", "2.1": "Yes" } })).stderr).toMatch(/2\.1 belongs to/);
  });

  it("ASSESS: the summed score per outcome, N/A where no criterion applies; the label stays the assessor's", async () => {
    const outcomes = ["acceptability", "adoption", "appropriateness", "feasibility", "fidelity", "reach", "cost", "sustainability"];
    const answers: Record<string, string | number> = {};
    for (const o of outcomes) for (const c of ["definition", "methods", "reporting"]) answers[`${o}.${c}`] = "NA";
    Object.assign(answers, { "acceptability.definition": 2, "acceptability.methods": "1", "acceptability.reporting": "2" });
    const { code, stderr, out } = await appraise("assess", { answers });
    expect(code, stderr).toBe(0);
    expect(out!.domains.acceptability).toBeNull();
    expect(out!.domains.adoption).toBe("N/A");
    expect(out!.trace.find((t) => t.domain === "acceptability")!.score).toMatchObject({ value: 5, max: 6 });
    delete answers["fidelity.methods"];
    const missing = await appraise("assess", { answers });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/fidelity\.methods \(fidelity\)/);
  });
});
