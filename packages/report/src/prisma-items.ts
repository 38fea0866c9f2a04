import type { ChecklistItem, ReportData, ReportSpec } from "./types.js";

/**
 * The PRISMA 2020 checklist (Page et al., BMJ 2021;372:n71, Table 1): 27
 * items, some with sub-items, each with its section and topic as the
 * statement names them.
 */
export const PRISMA_ITEMS: readonly { item: string; section: string; topic: string }[] = [
  { item: "1", section: "Title", topic: "Title" },
  { item: "2", section: "Abstract", topic: "Abstract" },
  { item: "3", section: "Introduction", topic: "Rationale" },
  { item: "4", section: "Introduction", topic: "Objectives" },
  { item: "5", section: "Methods", topic: "Eligibility criteria" },
  { item: "6", section: "Methods", topic: "Information sources" },
  { item: "7", section: "Methods", topic: "Search strategy" },
  { item: "8", section: "Methods", topic: "Selection process" },
  { item: "9", section: "Methods", topic: "Data collection process" },
  { item: "10a", section: "Methods", topic: "Data items: outcomes" },
  { item: "10b", section: "Methods", topic: "Data items: other variables" },
  { item: "11", section: "Methods", topic: "Study risk of bias assessment" },
  { item: "12", section: "Methods", topic: "Effect measures" },
  { item: "13a", section: "Methods", topic: "Synthesis methods: eligibility for each synthesis" },
  { item: "13b", section: "Methods", topic: "Synthesis methods: preparing data" },
  { item: "13c", section: "Methods", topic: "Synthesis methods: tabulating and displaying results" },
  { item: "13d", section: "Methods", topic: "Synthesis methods: methods and software" },
  { item: "13e", section: "Methods", topic: "Synthesis methods: exploring heterogeneity" },
  { item: "13f", section: "Methods", topic: "Synthesis methods: sensitivity analyses" },
  { item: "14", section: "Methods", topic: "Reporting bias assessment" },
  { item: "15", section: "Methods", topic: "Certainty assessment" },
  { item: "16a", section: "Results", topic: "Study selection: flow" },
  { item: "16b", section: "Results", topic: "Study selection: excluded studies" },
  { item: "17", section: "Results", topic: "Study characteristics" },
  { item: "18", section: "Results", topic: "Risk of bias in studies" },
  { item: "19", section: "Results", topic: "Results of individual studies" },
  { item: "20a", section: "Results", topic: "Results of syntheses: characteristics and risk of bias" },
  { item: "20b", section: "Results", topic: "Results of syntheses: statistical syntheses" },
  { item: "20c", section: "Results", topic: "Results of syntheses: heterogeneity" },
  { item: "20d", section: "Results", topic: "Results of syntheses: sensitivity analyses" },
  { item: "21", section: "Results", topic: "Reporting biases" },
  { item: "22", section: "Results", topic: "Certainty of evidence" },
  { item: "23a", section: "Discussion", topic: "Interpretation in the context of other evidence" },
  { item: "23b", section: "Discussion", topic: "Limitations of the evidence" },
  { item: "23c", section: "Discussion", topic: "Limitations of the review processes" },
  { item: "23d", section: "Discussion", topic: "Implications" },
  { item: "24a", section: "Other information", topic: "Registration" },
  { item: "24b", section: "Other information", topic: "Protocol" },
  { item: "24c", section: "Other information", topic: "Amendments to the protocol" },
  { item: "25", section: "Other information", topic: "Support" },
  { item: "26", section: "Other information", topic: "Competing interests" },
  { item: "27", section: "Other information", topic: "Availability of data, code and other materials" },
];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What the project's data say for an item, or null when the data hold
 * nothing for it (the item is then filled only by the team's own text).
 */
export function itemFromData(item: string, d: ReportData): string | null {
  const f = d.facts;
  const fitted = d.analyses.filter((a) => !a.error);
  const figureOf = (name: string) => fitted.some((a) => a.figureIds.some((id) => id.endsWith(`-${name}`)));
  const hasRows = (id: string) => (d.tables[id]?.rows.length ?? 0) > 0;
  const included = f.studies.filter((s) => s.included).length;
  switch (item) {
    case "1":
      return f.projectTitle.trim() ? `Title: ${f.projectTitle}` : null;
    case "2":
      return included > 0 ? `Generated summary of ${plural(included, "included study", "included studies")}` : null;
    case "4":
      return f.question.trim() ? "Review questions from the protocol" : null;
    case "5":
      return f.eligibility.inclusion.length + f.eligibility.exclusion.length > 0 || Object.values(f.picot).some((v) => v.trim())
        ? `${plural(f.eligibility.inclusion.length, "inclusion criterion", "inclusion criteria")}, ${plural(f.eligibility.exclusion.length, "exclusion criterion", "exclusion criteria")} and PICOT from the protocol`
        : null;
    case "6": {
      const dated = f.searches.filter((s) => s.date);
      return f.searches.length ? `${plural(f.searches.length, "source")} (${dated.length} with the date searched)` : null;
    }
    case "7":
      return hasRows("searchStrategies") ? `Search strings of ${plural(d.tables.searchStrategies!.rows.length, "source")}` : null;
    case "8":
      return f.screening.length
        ? f.screening.map((s) => `${s.stage === "title_abstract" ? "title/abstract" : "full text"}: ${plural(s.reviewers.length, "reviewer")}${s.agreement ? `, agreement ${s.agreement.percent.toFixed(1)}%` : ""}`).join("; ")
        : null;
    case "9":
      return f.extraction.studies ? `${f.extraction.mode} extraction of ${plural(f.extraction.studies, "study", "studies")} by ${plural(f.extraction.reviewers.length, "reviewer")}` : null;
    case "10a":
      return f.effectSizes.length || hasRows("cerqual") ? "Outcomes from the outcome domains and effect sizes" : null;
    case "10b":
      return f.extraction.items ? `${plural(f.extraction.items, "codebook item")}` : null;
    case "11":
    case "18":
      return f.appraisal.length ? f.appraisal.map((a) => `${a.name} (${plural(a.studies, "study", "studies")})`).join(", ") : null;
    case "12": {
      const m = [...new Set(f.effectSizes.map((e) => e.measure))];
      return m.length ? `Effect measures: ${m.join(", ")}` : null;
    }
    case "13a":
    case "13b":
    case "13c":
    case "13d":
    case "20b":
      return fitted.length ? fitted.map((a) => `${a.name}: ${a.model}`).join("; ") : null;
    case "13e":
    case "20c":
      return fitted.some((a) => a.tau2 !== null || a.coefficients.length > 1) ? "Heterogeneity (τ², I²) and moderators of the analyses" : null;
    case "13f":
    case "20d":
      return figureOf("influence") || figureOf("leave1out") ? "Influence and leave-one-out diagnostics" : null;
    case "14":
    case "21":
      return figureOf("funnel") ? "Funnel plot" : null;
    case "15":
    case "22":
      return f.cerqual.length ? `GRADE-CERQual confidence in ${plural(f.cerqual.length, "finding")}` : null;
    case "16a":
      return f.prisma.new_studies?.value != null ? `PRISMA flow: ${plural(f.prisma.new_studies.value, "study", "studies")} included` : null;
    case "16b":
      return hasRows("excludedDatabases") || hasRows("excludedOther") ? "Reasons for exclusion at full text" : null;
    case "17":
      return included ? `Characteristics of ${plural(included, "included study", "included studies")}` : null;
    case "19":
      return f.effectSizes.length ? `${plural(f.effectSizes.length, "effect size")}` : null;
    case "20a":
      return fitted.length && f.appraisal.length ? "Studies and risk of bias of each synthesis" : null;
    case "27":
      return "Data, analysis code (R) and this report's files in the reproducibility bundle";
    default:
      return null;
  }
}

/** The checklist as the report fills it: from the data, from the team's text, or missing. */
export function prismaChecklist(spec: ReportSpec, d: ReportData): ChecklistItem[] {
  return PRISMA_ITEMS.map(({ item, section, topic }) => {
    const where = spec.sections.find((s) => s.prismaItems.includes(item)) ?? null;
    const fromData = where && where.generated ? itemFromData(item, d) : null;
    const text = where?.text.trim() ?? "";
    const status: ChecklistItem["status"] = fromData ? "data" : text ? "text" : "missing";
    return {
      item, section, topic, status,
      sectionId: where?.id ?? null,
      detail: fromData ?? (text ? "Reported in the team's text" : where ? "Missing: no data in the project and no text written" : "Missing: no section of the report covers it"),
    };
  });
}
