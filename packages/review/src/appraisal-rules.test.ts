import { describe, expect, it } from "vitest";
import { allowedOverall, canonicalJudgement, checkOverall, ruleToolOf } from "./appraisal-rules.js";

// Hand-made appraisals; expected outcomes follow the published algorithms
// (RoB 2: Sterne et al. 2019; ROBINS-I: Sterne et al. 2016), not our code.
const L = "Low risk", S = "Some concerns", H = "High risk";

describe("RoB 2 overall rule", () => {
  it("accepts Low only when every domain is low", () => {
    expect(checkOverall("RoB 2", [L, L, L, L, L], "Low")).toBeNull();
    const v = checkOverall("RoB 2", [L, S, L, L, S], "Low");
    expect(v).toMatchObject({ recorded: "Low", implied: "Some concerns" });
    expect(v!.rule).toMatch(/never Low/);
  });
  it("requires High when any domain is high", () => {
    expect(checkOverall("rob2", [L, H, L, L, L], "High")).toBeNull();
    expect(checkOverall("rob2", [L, H, L, L, L], "Some concerns")).toMatchObject({ implied: "High" });
    expect(checkOverall("rob2", [L, H, L, L, L], "Low")).toMatchObject({ implied: "High" });
  });
  it("leaves High with several some-concerns domains to the reviewer", () => {
    expect(checkOverall("RoB-2", [S, S, L, S, S], "High")).toBeNull();
    expect(checkOverall("RoB-2", [S, S, L, S, S], "Some concerns")).toBeNull();
  });
  it("flags High with a single some-concerns domain and no high domain", () => {
    expect(checkOverall("RoB 2", [L, L, L, L, S], "High")).toMatchObject({ implied: "Some concerns" });
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
    expect(checkOverall("ROBINS-I", ["Serious", "Moderate", "Critical"], "Serious")).toMatchObject({ implied: "Critical" });
  });
  it("only flags what is definite when information is missing", () => {
    expect(checkOverall("ROBINS-I", ["Low", "No information", "Moderate"], "No information")).toBeNull();
    expect(checkOverall("ROBINS-I", ["Low", "No information", "Moderate"], "Serious")).toBeNull();
    expect(checkOverall("ROBINS-I", ["Low", "No information", "Moderate"], "Low")).toMatchObject({ implied: "Moderate" });
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
    expect(allowedOverall("rob2", [])).toBeNull();
  });
});
