import { describe, expect, it } from "vitest";
import { canonicalJudgement, checkOverall, ruleToolOf } from "./appraisal-rules.js";

// Hand-made appraisals; expected outcomes follow the published algorithms
// (RoB 2: Sterne et al. 2019; ROBINS-I: Sterne et al. 2016) as
// @homeward/appraisal applies them, not our code: where the guidance leaves
// the step to the assessor, the engine proposes the least severe judgement
// allowed and flags it, so another overall is listed with the flag.
const L = "Low risk", S = "Some concerns", H = "High risk";

describe("RoB 2 overall rule", () => {
  it("accepts Low only when every domain is low", () => {
    expect(checkOverall("RoB 2", [L, L, L, L, L], "Low")).toBeNull();
    const v = checkOverall("RoB 2", [L, S, L, L, S], "Low");
    expect(v).toMatchObject({ recorded: "Low", implied: "Some concerns" });
    expect(v!.rule).toMatch(/Low if every domain is Low/);
    // Low is never allowed here, so the flag that leaves High open does not apply to it.
    expect(v!.flag).toBeNull();
    expect(v!.source).toMatch(/RoB 2 guidance \(22 Aug 2019\)/);
  });
  it("requires High when any domain is high", () => {
    expect(checkOverall("rob2", [L, H, L, L, L], "High")).toBeNull();
    expect(checkOverall("rob2", [L, H, L, L, L], "Some concerns")).toMatchObject({ implied: "High" });
    expect(checkOverall("rob2", [L, H, L, L, L], "Low")).toMatchObject({ implied: "High" });
  });
  it("lists High with several some-concerns domains with the engine's flag, for the reviewer to justify", () => {
    // RoB 2 guidance: High when concerns in multiple domains substantially lower confidence — the assessor's judgement.
    const v = checkOverall("RoB-2", [S, S, L, S, S], "High");
    expect(v).toMatchObject({ recorded: "High", implied: "Some concerns", flag: { code: "rob2-multiple-some-concerns" } });
    expect(v!.rule).toMatch(/Some concerns in 4 domains/);
    expect(checkOverall("RoB-2", [S, S, L, S, S], "Some concerns")).toBeNull();
  });
  it("flags High with a single some-concerns domain and no high domain", () => {
    expect(checkOverall("RoB 2", [L, L, L, L, S], "High")).toMatchObject({ implied: "Some concerns" });
  });
  it("proposes nothing where a RoB 2 domain has no information and none is high", () => {
    expect(checkOverall("RoB 2", [L, "No information", L], "Low")).toBeNull();
    expect(checkOverall("RoB 2", [H, "No information", L], "Low")).toMatchObject({ implied: "High" });
  });
  it("flags Some concerns when every domain is low", () => {
    expect(checkOverall("RoB 2", [L, L, L, L, L], "Some concerns")).toMatchObject({ implied: "Low" });
  });
  it("reports judgements that are not on the scale", () => {
    expect(checkOverall("RoB 2", [L, "Moderate", L], "Low")!.rule).toMatch(/not on the tool's scale/);
    expect(checkOverall("RoB 2", [L, L, L], "Unclear")!.rule).toMatch(/overall judgement is not on/);
  });
});

describe("ROBINS-I overall rule", () => {
  it("is the most severe domain", () => {
    expect(checkOverall("ROBINS-I", ["Low", "Moderate", "Low"], "Moderate")).toBeNull();
    expect(checkOverall("ROBINS-I", ["Low", "Moderate", "Low"], "Low")).toMatchObject({ implied: "Moderate" });
    expect(checkOverall("ROBINS-I", ["Low", "Low", "Low"], "Moderate")).toMatchObject({ implied: "Low" });
    expect(checkOverall("ROBINS-I", ["Serious", "Moderate", "Critical"], "Serious")).toMatchObject({ implied: "Critical", flag: null });
  });
  it("proposes No information when information is missing and nothing is serious, flagged", () => {
    expect(checkOverall("ROBINS-I", ["Low", "No information", "Moderate"], "No information")).toBeNull();
    // Serious needs a serious domain (Sterne et al. 2016); the missing information gives No information, or the worst informed domain.
    expect(checkOverall("ROBINS-I", ["Low", "No information", "Moderate"], "Serious")).toMatchObject({ implied: "No information", flag: null });
    const m = checkOverall("ROBINS-I", ["Low", "No information", "Moderate"], "Moderate");
    expect(m).toMatchObject({ implied: "No information", flag: { code: "robins-no-information-key-domain" } });
    expect(m!.rule).toMatch(/most severe informed judgement \(Moderate\)/);
    expect(checkOverall("ROBINS-I", ["Low", "No information", "Moderate"], "Low")).toMatchObject({ implied: "No information" });
    expect(checkOverall("ROBINS-I", ["Serious", "No information"], "No information")).toMatchObject({ implied: "Serious" });
  });
});

describe("tools and wordings", () => {
  it("knows which tools have an overall algorithm", () => {
    expect(ruleToolOf("RoB 2")).toBe("rob2");
    expect(ruleToolOf("ROBINS-I")).toBe("robins_i");
    expect(ruleToolOf("CASP")).toBeNull();
    expect(checkOverall("CASP", ["Yes", "No"], "Positive")).toBeNull();
  });
  it("normalises judgement wordings", () => {
    expect(canonicalJudgement("robins_i", "Serious risk of bias")).toBe("Serious");
    expect(canonicalJudgement("rob2", "some concerns")).toBe("Some concerns");
    expect(canonicalJudgement("rob2", "Moderate")).toBeNull();
    expect(canonicalJudgement("rob2", "No information")).toBe("No information");
    expect(checkOverall("RoB 2", [], "Low")).toBeNull();
  });
});
