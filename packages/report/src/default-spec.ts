import { scaleToolOf } from "@homeward/review";
import { stageLabel } from "./data.js";
import type { ReportBlock, ReportData, ReportSection, ReportSpec } from "./types.js";

type SectionDraft = Omit<ReportSection, "text" | "generated" | "appendix" | "level"> & Partial<Pick<ReportSection, "level" | "appendix">>;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const list = (xs: readonly string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);
const t = (id: string): ReportBlock => ({ kind: "table", id });
const fig = (id: string): ReportBlock => ({ kind: "figure", id });

/**
 * The default report: the seed review's structure (introduction, methods,
 * PRISMA flow, characteristics, risk of bias, syntheses, CERQual,
 * recommendations, appendices A and C–I) with every PRISMA 2020 item placed
 * in a section. Blocks point only at what the data hold, so a project
 * without effect sizes gets no empty forest plot.
 */
export function defaultReportSpec(d: ReportData): ReportSpec {
  const has = (id: string) => (d.tables[id]?.rows.length ?? 0) > 0;
  const tables = (...ids: string[]) => ids.filter(has).map(t);
  const figs = (pred: (id: string) => boolean) => Object.keys(d.figures).filter(pred).map(fig);
  const characteristics = Object.keys(d.tables).filter((id) => id.startsWith("characteristics"));
  // Appraisal appendices in the seed's order (RoB 2, ROBINS-I, CASP, ASSESS, MMAT), then any other tool.
  const TOOL_ORDER = ["rob2", "robins_i", "casp", "assess", "mmat"];
  const rank = (id: string) => {
    const i = TOOL_ORDER.indexOf(scaleToolOf(id.slice("appraisal-".length)) ?? "");
    return i < 0 ? TOOL_ORDER.length : i;
  };
  const appraisalIds = Object.keys(d.tables)
    .filter((id) => id.startsWith("appraisal-") && has(id))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const analyses: ReportBlock[] = d.analyses.map((a) => ({ kind: "analysis", id: a.id, version: a.version }));

  const drafts: SectionDraft[] = [
    { id: "abstract", heading: "Abstract", prismaItems: ["1", "2"], blocks: [] },
    { id: "introduction", heading: "Introduction", prismaItems: [], blocks: [] },
    { id: "rationale", heading: "Rationale", level: 2, prismaItems: ["3"], blocks: [] },
    { id: "objectives", heading: "Objectives", level: 2, prismaItems: ["4"], blocks: [] },
    { id: "methods", heading: "Methods", prismaItems: [], blocks: [] },
    { id: "eligibility", heading: "Eligibility criteria", level: 2, prismaItems: ["5"], blocks: tables("picot", "eligibility", "exclusionReasons") },
    { id: "sources", heading: "Information sources and search strategy", level: 2, prismaItems: ["6", "7"], blocks: tables("searches") },
    { id: "selection", heading: "Selection process", level: 2, prismaItems: ["8"], blocks: tables("screening") },
    { id: "collection", heading: "Data collection process and data items", level: 2, prismaItems: ["9", "10a", "10b"], blocks: [] },
    { id: "appraisal", heading: "Study risk of bias assessment", level: 2, prismaItems: ["11"], blocks: tables("appraisalTools") },
    { id: "synthesis-methods", heading: "Effect measures and synthesis methods", level: 2, prismaItems: ["12", "13a", "13b", "13c", "13d", "13e", "13f", "14"], blocks: [] },
    { id: "certainty-methods", heading: "Certainty assessment", level: 2, prismaItems: ["15"], blocks: [] },
    { id: "results", heading: "Results", prismaItems: [], blocks: [] },
    { id: "study-selection", heading: "Study selection", level: 2, prismaItems: ["16a", "16b"], blocks: [...figs((id) => id === "prisma"), ...tables("leadPapers", "excludedDatabases", "excludedOther")] },
    { id: "characteristics", heading: "Study characteristics", level: 2, prismaItems: ["17"], blocks: [...tables("studyCounts", "typology"), ...figs((id) => id === "gapMap")] },
    {
      id: "risk-of-bias", heading: "Risk of bias in studies", level: 2, prismaItems: ["18"],
      blocks: figs((id) => id.startsWith("robSummary-")).sort((a, b) => rank(`appraisal-${(a as { id: string }).id.slice("robSummary-".length)}`) - rank(`appraisal-${(b as { id: string }).id.slice("robSummary-".length)}`)),
    },
    { id: "individual-results", heading: "Results of individual studies", level: 2, prismaItems: ["19"], blocks: [] },
    { id: "syntheses", heading: "Results of syntheses", level: 2, prismaItems: ["20a", "20b", "20c", "20d", "21"], blocks: [...analyses, ...tables("analyses", "reportedResults")] },
    { id: "certainty", heading: "Certainty of evidence", level: 2, prismaItems: ["22"], blocks: tables("cerqual", "gradeSummary") },
    { id: "recommendations", heading: "Recommendations", level: 2, prismaItems: [], blocks: tables("jointDisplay", "recommendations") },
    { id: "discussion", heading: "Discussion", prismaItems: ["23a", "23b", "23c", "23d"], blocks: [] },
    { id: "other", heading: "Other information", prismaItems: ["24a", "24b", "24c", "25", "26", "27"], blocks: [] },
    { id: "appendix-descriptions", heading: "Long descriptive text", appendix: true, prismaItems: [], blocks: [{ kind: "descriptions" }] },
    { id: "appendix-search", heading: "Full search strategy", appendix: true, prismaItems: [], blocks: tables("searchStrategies") },
    ...characteristics.filter(has).map((id): SectionDraft => ({ id: `appendix-${id}`, heading: d.tables[id]!.caption, appendix: true, prismaItems: [], blocks: [t(id)] })),
    ...appraisalIds.map((id): SectionDraft => ({
      id: `appendix-${id}`,
      heading: `Detailed appraisal: ${d.facts.appraisal.find((a) => `appraisal-${a.tool}` === id)?.name ?? id.slice(10)}`,
      appendix: true,
      prismaItems: [],
      blocks: [...figs((f) => f === `robTrafficLight-${id.slice(10)}`), t(id)],
    })),
    ...(has("cerqualFull") ? [{ id: "appendix-cerqual", heading: "Full GRADE-CERQual assessment for qualitative findings", appendix: true, prismaItems: [], blocks: [t("cerqualFull")] }] : []),
    ...(has("effectSizes") ? [{ id: "appendix-effect-sizes", heading: "Effect sizes", appendix: true, prismaItems: [], blocks: [t("effectSizes")] }] : []),
    { id: "appendix-checklist", heading: "PRISMA 2020 checklist", appendix: true, prismaItems: [], blocks: [{ kind: "checklist" }] },
  ];
  return {
    title: d.facts.projectTitle,
    subtitle: "Systematic review report",
    sections: drafts.map((s) => ({ level: 1, appendix: false, ...s, text: "", generated: true })),
  };
}

/**
 * The words a default section says from the data (empty when the data say
 * nothing for it). Kept apart from the team's text, which follows it, so a
 * re-render after the data change updates these and keeps theirs.
 */
export function generatedText(sectionId: string, d: ReportData): string {
  const f = d.facts;
  const included = f.studies.filter((s) => s.included).length;
  const fitted = d.analyses.filter((a) => !a.error);
  switch (sectionId) {
    case "abstract": {
      if (!included) return "";
      const parts = [`This review included ${plural(included, "study", "studies")}.`];
      if (f.searches.length) parts.push(`Records were identified from ${plural(f.searches.length, "source")}.`);
      for (const a of fitted.slice(0, 3)) {
        const c = a.coefficients[0];
        if (c && a.coefficients.length === 1) parts.push(`${a.name}: pooled estimate ${c.estimate.toFixed(2)} (95% CI ${c.ciLower.toFixed(2)} to ${c.ciUpper.toFixed(2)}; ${plural(a.k, "effect size")} from ${plural(a.studies, "study", "studies")}).`);
      }
      if (f.cerqual.length) {
        const by = new Map<string, number>();
        for (const c of f.cerqual) by.set(c.confidence ?? "not assessed", (by.get(c.confidence ?? "not assessed") ?? 0) + 1);
        parts.push(`Confidence in ${plural(f.cerqual.length, "qualitative finding")} was assessed with GRADE-CERQual (${[...by].map(([k, n]) => `${k.toLowerCase()}: ${n}`).join(", ")}).`);
      }
      if (f.recommendations.length) parts.push(`The review makes ${plural(f.recommendations.length, "recommendation or principle", "recommendations and principles")}.`);
      return parts.join(" ");
    }
    case "objectives":
      return f.question;
    case "sources": {
      if (!f.searches.length) return "";
      const dated = f.searches.filter((s) => s.date).map((s) => s.date!).sort();
      const databases = f.searches.filter((s) => s.kind === "database" || s.kind === "register").map((s) => s.source);
      return [
        databases.length ? `Databases and registers searched: ${list(databases)}.` : "",
        f.searches.length > databases.length ? `Other sources: ${list(f.searches.filter((s) => !databases.includes(s.source)).map((s) => s.source))}.` : "",
        dated.length ? `Searches were run ${dated[0] === dated[dated.length - 1] ? `on ${dated[0]}` : `between ${dated[0]} and ${dated[dated.length - 1]}`}${dated.length < f.searches.length ? ` (${f.searches.length - dated.length} without a recorded date)` : ""}.` : "The dates of the searches are not recorded.",
        "Each source's search string is in the appendix.",
      ].filter(Boolean).join(" ");
    }
    case "selection":
      return f.screening
        .map((s) => {
          const ag = s.agreement
            ? ` ${plural(s.dualRecords, "record was", "records were")} screened independently by two reviewers; they agreed on ${s.agreement.percent.toFixed(1)}% (Cohen's kappa ${s.agreement.kappa.toFixed(2)}).`
            : " No record was screened independently by two reviewers.";
          return `${stageLabel(s.stage)} screening: ${plural(s.records, "record")} decided by ${plural(s.reviewers.length, "reviewer")} (${s.reviewers.join(", ")}).${ag}`;
        })
        .join("\n\n");
    case "collection":
      return f.extraction.studies
        ? `Data were extracted (${f.extraction.mode}) for ${plural(f.extraction.studies, "study", "studies")} by ${plural(f.extraction.reviewers.length, "reviewer")} with a codebook of ${plural(f.extraction.items, "item")}.`
        : "";
    case "appraisal":
      return f.appraisal.length ? `Studies were appraised with ${list(f.appraisal.map((a) => `${a.name} (${plural(a.studies, "study", "studies")}; ${plural(a.reviewers.length, "reviewer")})`))}.` : "";
    case "synthesis-methods": {
      const measures = [...new Set(f.effectSizes.map((e) => e.measure))];
      return [
        measures.length ? `Effect measures: ${list(measures)}.` : "",
        ...fitted.map((a) => `${a.name}: ${a.model}.`),
        fitted.length ? "Analyses were run in Homeward's statistics engine (checked against R metafor and clubSandwich); the reproducibility bundle holds the data and R code." : "",
      ].filter(Boolean).join("\n\n");
    }
    case "certainty-methods":
      return f.cerqual.length ? "Confidence in each qualitative finding was assessed with GRADE-CERQual (methodological limitations, coherence, adequacy and relevance)." : "";
    case "study-selection": {
      const p = (k: string) => f.prisma[k]?.value;
      const found = (p("database_results") ?? 0) + (p("register_results") ?? 0);
      return [
        found ? `Searches of databases and registers found ${plural(found, "record")}` : "",
        p("records_screened") != null ? `${plural(p("records_screened")!, "record was", "records were")} screened by title and abstract` : "",
        p("dbr_assessed") != null ? `${plural(p("dbr_assessed")!, "report was", "reports were")} assessed at full text` : "",
        p("new_studies") != null ? `${plural(p("new_studies")!, "study was", "studies were")} included` : "",
      ].filter(Boolean).join("; ") + (found || p("new_studies") != null ? ". Figure: PRISMA 2020 flow diagram." : "");
    }
    case "characteristics":
      return included ? `${plural(included, "study", "studies")} were included; their characteristics are tabulated in the appendices.` : "";
    case "individual-results":
      return f.effectSizes.length
        ? `${plural(f.effectSizes.length, "effect size")} from ${plural(new Set(f.effectSizes.map((e) => e.studyId)).size, "study", "studies")} were extracted; each is listed in the appendix.`
        : "";
    case "syntheses":
      return fitted
        .map((a) => {
          const c = a.coefficients[0];
          const het = a.I2 !== null ? ` I² = ${a.I2.toFixed(1)}%, τ² = ${(a.tau2 ?? 0).toFixed(4)}.` : "";
          return c ? `${a.name} (${plural(a.k, "effect size")}, ${plural(a.studies, "study", "studies")}): ${c.term} ${c.estimate.toFixed(3)} (95% CI ${c.ciLower.toFixed(3)} to ${c.ciUpper.toFixed(3)}).${het}` : "";
        })
        .filter(Boolean)
        .join("\n\n");
    case "certainty":
      return f.cerqual.length ? `${plural(f.cerqual.length, "finding")} were assessed; the table gives each finding's confidence and its explanation.` : "";
    case "other":
      return "Availability of data and code: the reproducibility bundle of this report version holds the data, the R code and a manifest with hashes.";
    default:
      return "";
  }
}
