/**
 * The forest plot's counts: "k outcomes from n studies" counts studies by
 * what identifies them, never by the labels drawn, and claims no studies
 * when the rows carry only labels.
 */
import { describe, expect, it } from "vitest";
import { forestPlot, type ForestRow } from "./forest.js";

const row = (study: string, studyId: string | undefined, outcome: string | undefined, estimate: number): ForestRow => ({
  study, ...(studyId ? { studyId } : {}), ...(outcome ? { outcome } : {}), estimate, ciLower: estimate - 0.2, ciUpper: estimate + 0.2, weight: 10,
});
const summary = { estimate: 0.1, ciLower: 0, ciUpper: 0.2 };
/** The bold lines of the label column: the study headings and the summary. */
const headings = (fig: ReturnType<typeof forestPlot>): string[] => {
  const labels = (fig.spec as { hconcat: { data: { values: { text: string; bold: boolean }[] } }[] }).hconcat[0]!.data.values;
  return labels.filter((l) => l.bold).map((l) => l.text);
};

describe("forest plot counts", () => {
  // Two studies share a name; outcome names repeat across studies.
  const rows = [
    row("Smith 2001", "s1", "Reunified", 0.2), row("Smith 2001", "s1", "Re-entry", 0.1),
    row("Smith 2001", "s2", "Reunified", 0.3),
    row("Jones 2005", "s3", "Reunified", -0.1), row("Jones 2005", "s3", "Re-entry", 0.0), row("Jones 2005", "s3", "Stability", 0.4),
  ];

  it("counts and groups studies by their identity, not their labels", () => {
    const fig = forestPlot({ rows, summary });
    expect(fig.title).toBe("Forest plot of 6 outcomes from 3 studies");
    expect(fig.description).toContain("6 outcomes from 3 studies, grouped under study headings");
    expect(headings(fig)).toEqual(["Smith 2001", "Smith 2001", "Jones 2005", "Random-effects model"]);
  });

  it("without identities, counts studies by label as before", () => {
    const fig = forestPlot({ rows: rows.map(({ studyId: _, ...r }) => r), summary });
    expect(fig.title).toBe("Forest plot of 6 outcomes from 2 studies");
  });

  it("claims no studies when the rows carry only labels, even when labels repeat", () => {
    const labelled = rows.map((r) => row(r.outcome!, undefined, undefined, r.estimate));
    const fig = forestPlot({ rows: labelled, summary, groupByStudy: false });
    expect(fig.title).toBe("Forest plot of 6 outcomes");
    expect(fig.description).not.toMatch(/stud(y|ies)/);
    expect(headings(fig)).toEqual(["Random-effects model"]);
  });
});

describe("forest plot text column", () => {
  const rows = [
    { ...row("Akin 2017", "s1", undefined, 0.2), text: "Serious" },
    { ...row("Berry 2007", "s2", undefined, 0.1), text: "Low" },
    { ...row("Chan 2019", "s3", undefined, 0.3), text: "Serious" },
    row("Dunn 2020", "s4", undefined, 0.0),
  ];

  it("draws each row's entry beside the plot under its title, and says so in the long description", () => {
    const fig = forestPlot({ rows, summary, textColumn: "Risk of bias" });
    const views = (fig.spec as { hconcat: { title?: { text: string }; data: { values: { pos: number; text: string }[] } }[] }).hconcat;
    expect(views).toHaveLength(4);
    const column = views[3]!;
    expect(column.title?.text).toBe("Risk of bias");
    expect(column.data.values.map((v) => v.text)).toEqual(["Serious", "Low", "Serious", ""]);
    // Entries sit on their rows' positions, the same as the labels'.
    const labels = views[0]!.data.values.filter((v) => !("bold" in v) || !(v as unknown as { bold: boolean }).bold);
    expect(column.data.values.map((v) => v.pos)).toEqual(labels.map((v) => v.pos));
    expect(fig.description).toContain('A further column headed "Risk of bias" gives each outcome\'s entry: Serious for 2, Low for 1, none for 1.');
    expect(fig.description).not.toMatch(/ {2}/);
  });

  it("has no such column or sentence without a title", () => {
    const fig = forestPlot({ rows, summary });
    expect((fig.spec as { hconcat: unknown[] }).hconcat).toHaveLength(3);
    expect(fig.description).not.toContain("A further column");
    expect(fig.description).not.toMatch(/ {2}/);
  });
});
