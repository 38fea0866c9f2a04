import { describe, expect, it } from "vitest";
import { renderSvg } from "../render.js";
import { surveyChart } from "./survey.js";

describe("survey chart", () => {
  // Seed 000, Table 14's shape: 3 respondents in local authorities, 1 elsewhere.
  const input = {
    question: "Local authority has a written reunification policy",
    columns: [
      { key: "all", label: "All respondents", n: 4 },
      { key: "LA", label: "Local authority", n: 3 },
      { key: "Other", label: "Other organisation", n: 1 },
    ],
    answers: [
      { label: "Yes", counts: { all: { n: 2, percent: 50 }, LA: { n: 2, percent: 66.7 }, Other: { n: 0, percent: 0 } } },
      { label: "Not sure", counts: { all: { n: 2, percent: 50 }, LA: { n: 1, percent: 33.3 }, Other: { n: 1, percent: 100 } } },
    ],
  };

  it("draws a bar per answer and column at its percentage, labelled with the count", () => {
    const fig = surveyChart(input);
    const values = (fig.spec as { data: { values: Record<string, unknown>[] } }).data.values;
    expect(values.map((v) => [v.answer, v.column, v.percent, v.text])).toEqual([
      ["Yes", "All respondents (n = 4)", 50, "2 (50.0%)"],
      ["Yes", "Local authority (n = 3)", 66.7, "2 (66.7%)"],
      ["Yes", "Other organisation (n = 1)", 0, "0 (0.0%)"],
      ["Not sure", "All respondents (n = 4)", 50, "2 (50.0%)"],
      ["Not sure", "Local authority (n = 3)", 33.3, "1 (33.3%)"],
      ["Not sure", "Other organisation (n = 1)", 100, "1 (100.0%)"],
    ]);
  });

  it("writes a long description with every count, and renders to an SVG carrying it", async () => {
    const fig = surveyChart(input);
    expect(fig.description).toContain("- Yes: All respondents 2 (50.0%), Local authority 2 (66.7%), Other organisation 0 (0.0%).");
    expect(fig.description).toContain("Local authority (3 respondents, orange)");
    expect(fig.alt).toContain('the most common answer is "Yes" (50.0% of all respondents)');
    const svg = await renderSvg(fig);
    expect(svg).toContain("<svg");
    expect(svg).toContain("66.7%");
  });

  it("refuses a question with no answers, naming it", () => {
    expect(() => surveyChart({ ...input, answers: [] })).toThrow('the question "Local authority has a written reunification policy" has no answers to draw');
  });
});
