import { characteristicsTable } from "@homeward/extraction";
import { fitMetaSpec, inlineRows, metaSpecResult, parseMetaSpec, type FittedSpec, type Row } from "@homeward/meta";
import type { GradeAssessment, JointDisplayRow, SurveyQuestion, Transcript } from "@homeward/model";
import type { Appraisal, CodebookItem, EffectSize, ExtractedValue, Outcome, Protocol, QualitativeFinding, Recommendation, ReportedResult } from "@homeward/model";
import {
  ANALYSIS_FIGURES,
  analysisFigure,
  appraisalTables,
  appraisalsByStudy,
  cerqualTable,
  citationOf,
  effectSizeRows,
  evidenceTrail,
  gapMapFigure,
  includedStudies,
  isIncluded,
  labelOf,
  prismaFlow,
  prismaCsv,
  prismaFlowFigure,
  robCsv,
  robPlotData,
  robSummaryFigure,
  scaleToolOf,
  schemeOf,
  studyCounts,
  trafficLightFigure,
  typology,
  type AnalysisFigureName,
  type AnalysisRow,
  type PrismaInput,
  type ReportRecord,
} from "@homeward/review";
import { agreement } from "@homeward/screening";
import { evidenceProfile, jointDisplay, summaryOfFindings, summaryOfQualitativeFindings } from "@homeward/synthesis";
import type { ReportAnalysis, ReportData, ReportFacts, ReportFigure, ReportTable, ScreeningFacts } from "./types.js";

/** A saved analysis as the report reads it: a meta spec over the project's effect sizes. */
export interface SavedAnalysisInput {
  id: string;
  name: string;
  version: number | null;
  /** The keys of `homeward meta` (data "effectSizes"); figures to draw under "figures". */
  spec: Record<string, unknown>;
}

/** What a report is built from: the parts of a project it reads (records only as the PRISMA flow's keys). */
export interface ReportInput extends PrismaInput {
  project: { id: string; title: string };
  protocol: Protocol;
  codebookItems: readonly CodebookItem[];
  extractedValues: readonly ExtractedValue[];
  outcomes: readonly Outcome[];
  effectSizes: readonly EffectSize[];
  appraisals: readonly Appraisal[];
  qualitativeFindings: readonly QualitativeFinding[];
  reportedResults: readonly ReportedResult[];
  recommendations: readonly Recommendation[];
  /** Records the studies' reports link to (citations of the evidence trail). */
  reportRecords?: readonly ReportRecord[];
  analyses?: readonly SavedAnalysisInput[];
  /**
   * The rows `data: "effectSizes"` means, as the analysis route builds them
   * (with its risk-of-bias and codebook columns); by default the effect
   * sizes joined to their outcomes and studies.
   */
  analysisRows?: readonly AnalysisRow[];
  /** The qualitative and mixed-methods synthesis (@homeward/synthesis): GRADE assessments and the joint display with what it links to. */
  gradeAssessments?: readonly GradeAssessment[];
  jointDisplayRows?: readonly JointDisplayRow[];
  surveyQuestions?: readonly SurveyQuestion[];
  transcripts?: readonly Transcript[];
}

const STAGE_LABEL: Record<ScreeningFacts["stage"], string> = { title_abstract: "Title and abstract", full_text: "Full text" };
export const stageLabel = (s: ScreeningFacts["stage"]): string => STAGE_LABEL[s];

const num = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? "" : x.toFixed(digits));
const pText = (p: number): string => (p < 0.001 ? "<0.001" : p.toFixed(3));

/**
 * Who screened each stage and how far two reviewers agreed: each reviewer's
 * latest decision per record; agreement over records two reviewers decided
 * (the first two, by time), include/exclude/maybe as categories.
 */
export function screeningFacts(p: Pick<PrismaInput, "screeningDecisions">): ScreeningFacts[] {
  const out: ScreeningFacts[] = [];
  for (const stage of ["title_abstract", "full_text"] as const) {
    const latest = new Map<string, Map<string, { decision: string; at: string }>>();
    let decisions = 0;
    for (const d of p.screeningDecisions) {
      if (d.stage !== stage) continue;
      decisions++;
      let byReviewer = latest.get(d.recordId);
      if (!byReviewer) latest.set(d.recordId, (byReviewer = new Map()));
      const cur = byReviewer.get(d.reviewer);
      if (!cur || d.at >= cur.at) byReviewer.set(d.reviewer, { decision: d.decision, at: d.at });
    }
    if (decisions === 0) continue;
    const reviewers = new Set<string>();
    const first: string[] = [], second: string[] = [];
    for (const byReviewer of latest.values()) {
      for (const r of byReviewer.keys()) reviewers.add(r);
      if (byReviewer.size < 2) continue;
      const [a, b] = [...byReviewer.values()].sort((x, y) => x.at.localeCompare(y.at));
      first.push(a!.decision);
      second.push(b!.decision);
    }
    const ag = first.length > 0 ? agreement(first, second, { categories: ["include", "exclude", "maybe"].filter((c) => first.includes(c) || second.includes(c)) }) : null;
    out.push({
      stage,
      reviewers: [...reviewers].sort(),
      records: latest.size,
      decisions,
      dualRecords: first.length,
      // The screening engine gives the observed agreement as a proportion; reports print a percentage.
      agreement: ag ? { n: ag.n, percent: ag.percent * 100, kappa: ag.kappa } : null,
    });
  }
  return out;
}

function facts(p: ReportInput, flow: ReturnType<typeof prismaFlow>): ReportFacts {
  const studies = [...p.studies].sort((a, b) => citationOf(a).localeCompare(citationOf(b)) || a.id.localeCompare(b.id));
  const studyById = new Map(p.studies.map((s) => [s.id, s]));
  const outcomeById = new Map(p.outcomes.map((o) => [o.id, o]));
  const byTool = appraisalsByStudy(p);
  const toolNames = new Map(appraisalTables(p).map((t) => [t.tool, t.name]));
  const ratingLabel = (code: string | null) => (code ? labelOf(p.protocol.ratingScheme, code) : null);
  const valueReviewers = new Set(p.extractedValues.map((v) => v.reviewer));
  const reportCount = new Map<string, number>();
  for (const r of p.studyReports) reportCount.set(r.studyId, (reportCount.get(r.studyId) ?? 0) + 1);
  return {
    projectId: p.project.id,
    projectTitle: p.project.title,
    question: p.protocol.question,
    picot: { ...p.protocol.picot },
    eligibility: {
      inclusion: p.protocol.eligibility.inclusion.map((c) => c.label),
      exclusion: p.protocol.eligibility.exclusion.map((c) => c.label),
    },
    searches: [...p.searches]
      .sort((a, b) => (a.date ?? "").localeCompare(b.date ?? "") || a.source.localeCompare(b.source))
      .map((s) => ({ id: s.id, source: s.source, kind: s.kind, date: s.date, resultsCount: s.resultsCount, query: s.query })),
    screening: screeningFacts(p),
    extraction: {
      mode: (p.protocol.extraction?.mode ?? "dual").replace("_", " "),
      reviewers: [...valueReviewers].sort(),
      studies: new Set(p.extractedValues.map((v) => v.studyId)).size,
      items: p.codebookItems.filter((i) => i.type !== "section" && !i.retiredAt).length,
    },
    appraisal: [...byTool.entries()].map(([tool, m]) => ({
      tool,
      name: toolNames.get(tool) ?? tool,
      studies: m.size,
      reviewers: [...new Set(p.appraisals.filter((a) => a.tool === tool && a.status !== "draft").map((a) => a.reviewer))].sort(),
    })),
    studies: studies.map((s) => ({ id: s.id, citation: citationOf(s), included: isIncluded(p, s), reports: reportCount.get(s.id) ?? 0 })),
    effectSizes: [...p.effectSizes]
      .map((e) => {
        const o = outcomeById.get(e.outcomeId);
        const s = o ? studyById.get(o.studyId) : undefined;
        return { id: e.id, studyId: s?.id ?? "", study: s ? citationOf(s) : "", outcome: o?.name ?? "", measure: e.measure, yi: e.yi, vi: e.vi };
      })
      .sort((a, b) => a.study.localeCompare(b.study) || a.outcome.localeCompare(b.outcome) || a.id.localeCompare(b.id)),
    cerqual: cerqualTable(p).map((r) => ({ id: r.id, statement: r.statement, confidence: r.confidence })),
    recommendations: [...p.recommendations]
      .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))
      .map((r) => ({ id: r.id, kind: r.kind, text: r.text, rating: ratingLabel(r.rating) })),
    prisma: Object.fromEntries(
      Object.entries(flow.prisma).map(([k, v]) => [
        k,
        { value: v === null ? null : typeof v === "number" ? v : Object.values(v).reduce((s, n) => s + n, 0), source: flow.prismaSource[k as keyof typeof flow.prismaSource] },
      ]),
    ),
  };
}

function table(id: string, caption: string, columns: string[], rows: string[][], note = ""): ReportTable {
  return { id, caption, columns, rows, note };
}

/** The model of a fitted spec in words. */
function modelWords(f: FittedSpec): string {
  const s = f.spec;
  const parts = [s.random.length ? `multilevel random-effects model (random effects: ${s.random.join(" / ")})` : s.method === "FE" ? "fixed-effect model" : "random-effects model"];
  parts.push(`estimator ${s.method}`);
  if (s.moderators.length) parts.push(`moderators: ${s.moderators.map((m) => m.name).join(", ")}`);
  if (s.cluster) parts.push(`cluster-robust (CR2) inference by ${s.cluster}`);
  else parts.push(s.test === "t" ? "Knapp–Hartung / t tests" : "z tests");
  if (f.measure) parts.push(`measure ${f.measure.measure}`);
  return parts.join("; ");
}

/** Figures drawn unless the saved spec lists its own. */
const DEFAULT_FIGURES: readonly AnalysisFigureName[] = ["forest", "funnel", "influence"];

function fitAnalysis(
  a: SavedAnalysisInput,
  source: ReportAnalysis["source"],
  projectRows: readonly AnalysisRow[],
  figures: Record<string, ReportFigure>,
): ReportAnalysis {
  const base: ReportAnalysis = {
    id: a.id, name: a.name, version: a.version, source, model: "", measure: null, k: 0, studies: 0,
    coefficients: [], tau2: null, I2: null, prediction: null, effectSizeIds: [], figureIds: [], error: null,
  };
  let fitted: FittedSpec;
  try {
    const { figures: _f, figureOptions: _o, ...rest } = a.spec;
    const rows: Row[] = Array.isArray(rest.data) ? inlineRows(rest.data) : [...projectRows];
    fitted = fitMetaSpec(parseMetaSpec(rest), rows);
  } catch (err) {
    return { ...base, error: err instanceof Error ? err.message : String(err) };
  }
  const r = metaSpecResult(fitted);
  const wanted = Array.isArray(a.spec.figures)
    ? (a.spec.figures as string[]).filter((n): n is AnalysisFigureName => (ANALYSIS_FIGURES as readonly string[]).includes(n))
    : DEFAULT_FIGURES;
  const figureIds: string[] = [];
  for (const name of wanted) {
    try {
      const { figure } = analysisFigure(name, fitted, { measure: fitted.measure?.measure });
      const id = `analysis-${a.id}-${name}`;
      figures[id] = { ...figure, id, title: `${figure.title} (${a.name})` };
      figureIds.push(id);
    } catch {
      // A figure the model cannot have (e.g. a funnel plot of a multilevel model) is left out, not an error of the report.
    }
  }
  return {
    ...base,
    model: modelWords(fitted),
    measure: fitted.measure?.measure ?? null,
    k: r.k,
    studies: new Set(fitted.rows.map((x) => String(x.studyId ?? ""))).size,
    coefficients: r.coefficients.map((c) => ({ term: c.term, estimate: c.estimate, se: c.se, ciLower: c.ciLower, ciUpper: c.ciUpper, p: c.p })),
    tau2: r.tau2 ?? null,
    I2: r.I2 ?? null,
    prediction: (r as { prediction?: { lower: number; upper: number } }).prediction ?? null,
    effectSizeIds: fitted.rows.map((x) => String(x.effectSizeId)),
    figureIds,
  };
}

/**
 * The analysis a report shows when the project has effect sizes but no
 * saved analysis: every effect size of the most frequent measure pooled by
 * REML, multilevel (outcomes within studies) when a study gives several.
 */
export function defaultAnalysisSpec(rows: readonly AnalysisRow[]): SavedAnalysisInput | null {
  if (rows.length < 2) return null;
  const perStudy = new Map<string, number>();
  for (const r of rows) perStudy.set(String(r.studyId), (perStudy.get(String(r.studyId)) ?? 0) + 1);
  const nested = [...perStudy.values()].some((n) => n > 1);
  return {
    id: "default",
    name: "All effect sizes",
    version: null,
    spec: { data: "effectSizes", yi: "yi", vi: "vi", method: "REML", ...(nested ? { random: ["studyId", "effectSizeId"] } : {}) },
  };
}

/**
 * Everything the default report draws, computed from the project: pure, so
 * the server, the CLI and a test build the same data from the same input.
 */
export function buildReportData(p: ReportInput): ReportData {
  const flow = prismaFlow(p);
  const tables: Record<string, ReportTable> = {};
  const figures: Record<string, ReportFigure> = {};
  const addFigure = (id: string, f: Omit<ReportFigure, "id">) => (figures[id] = { ...f, id });

  const f = facts(p, flow);

  // Methods
  tables.searches = table(
    "searches",
    "Information sources: databases, registers and other sources searched",
    ["Source", "Kind", "Date searched", "Records found"],
    f.searches.map((s) => [s.source, s.kind, s.date ?? "not recorded", s.resultsCount === null ? "not recorded" : String(s.resultsCount)]),
  );
  tables.searchStrategies = table(
    "searchStrategies",
    "Full search strategy per source",
    ["Source", "Search string"],
    f.searches.filter((s) => s.query.trim() !== "").map((s) => [s.source, s.query]),
  );
  const picotLabels: Record<string, string> = { population: "Population", intervention: "Intervention", comparison: "Comparison", outcomes: "Outcomes", timing: "Timing", setting: "Setting" };
  tables.picot = table(
    "picot",
    "Definitions of the PICOT elements",
    ["Element", "Definition"],
    Object.entries(f.picot).filter(([, v]) => v.trim() !== "").map(([k, v]) => [picotLabels[k] ?? k, v]),
  );
  tables.eligibility = table(
    "eligibility",
    "Inclusion and exclusion criteria",
    ["Criterion", "Kind"],
    [...f.eligibility.inclusion.map((c) => [c, "Inclusion"]), ...f.eligibility.exclusion.map((c) => [c, "Exclusion"])],
  );
  tables.exclusionReasons = table(
    "exclusionReasons",
    "Hierarchy of reasons for exclusion",
    ["Rank", "Reason", "Stage"],
    [...p.protocol.exclusionReasons].sort((a, b) => a.rank - b.rank).map((r) => [String(r.rank), r.label, r.stage === "any" ? "any" : r.stage.replace("_", " ")]),
  );
  tables.screening = table(
    "screening",
    "Screening: reviewers and agreement per stage",
    ["Stage", "Reviewers", "Records decided", "Decided by two reviewers", "Agreement (%)", "Cohen's kappa"],
    f.screening.map((s) => [
      stageLabel(s.stage), s.reviewers.join(", "), String(s.records), String(s.dualRecords),
      s.agreement ? num(s.agreement.percent, 1) : "", s.agreement ? num(s.agreement.kappa, 2) : "",
    ]),
  );
  tables.appraisalTools = table(
    "appraisalTools",
    "Appraisal tools used",
    ["Tool", "Studies appraised", "Reviewers"],
    f.appraisal.map((a) => [a.name, String(a.studies), a.reviewers.join(", ")]),
  );

  // Results: selection
  addFigure("prisma", prismaFlowFigure(p, flow));
  const reasonRows = (key: "dbr_excluded" | "other_excluded") => {
    const v = flow.prisma[key];
    return v ? Object.entries(v).map(([reason, n]) => [labelOf(p.protocol.exclusionReasons, reason), String(n)]) : [];
  };
  tables.excludedDatabases = table("excludedDatabases", "Reasons for exclusion of reports assessed at full text from database searches", ["Reason", "Reports"], reasonRows("dbr_excluded"));
  tables.excludedOther = table("excludedOther", "Reasons for exclusion of reports assessed at full text from other sources", ["Reason", "Reports"], reasonRows("other_excluded"));
  const reportsByStudy = new Map<string, typeof p.studyReports[number][]>();
  for (const r of p.studyReports) reportsByStudy.set(r.studyId, [...(reportsByStudy.get(r.studyId) ?? []), r]);
  const included = includedStudies(p).sort((a, b) => citationOf(a).localeCompare(citationOf(b)));
  tables.leadPapers = table(
    "leadPapers",
    "Lead papers for studies with multiple papers",
    ["Study", "Lead paper", "Linked papers"],
    included
      .filter((s) => (reportsByStudy.get(s.id)?.length ?? 0) > 1)
      .map((s) => {
        const rs = reportsByStudy.get(s.id)!;
        const name = (r: (typeof rs)[number]) => r.citation?.trim() || r.recordId || r.id;
        return [citationOf(s), rs.filter((r) => r.role === "lead").map(name).join("; "), rs.filter((r) => r.role !== "lead").map(name).join("; ")];
      }),
  );

  // Results: characteristics
  const counts = studyCounts(p);
  const strand = schemeOf(p, "strand");
  const design = schemeOf(p, "design");
  tables.studyCounts = table(
    "studyCounts",
    "Included studies by synthesis strand and design",
    ["Group", "Studies"],
    [
      ["All included studies", String(counts.total)],
      ...Object.entries(counts.strands).map(([code, n]) => [`Strand: ${strand ? labelOf(strand.values, code) : code}`, String(n)]),
      ...Object.entries(counts.designs).map(([code, n]) => [`Design: ${design ? labelOf(design.values, code) : code}`, String(n)]),
    ],
  );
  const typo = typology(p);
  tables.typology = table("typology", "Included studies by intervention type", ["Intervention type", "Studies"], Object.entries(typo).map(([k, n]) => [k, String(n)]));
  const strands = strand ? strand.values : [{ code: "", label: "Included studies" }];
  for (const v of strands) {
    const shown = v.code ? included.filter((s) => ([] as string[]).concat(s.classifications[strand!.code] ?? []).includes(v.code)) : included;
    const ct = characteristicsTable({
      items: p.codebookItems,
      values: p.extractedValues,
      studies: shown,
      caption: `Characteristics of included studies${v.code ? `: ${v.label || v.code}` : ""}`,
    });
    const id = `characteristics${v.code ? `-${v.code}` : ""}`;
    tables[id] = table(id, ct.caption, ["Study", ...ct.columns.map((c) => c.label)], ct.rows.map((r) => [r.study, ...r.cells.map((c) => c.text)]));
  }
  if (p.studies.some((s) => Object.keys(s.classifications).length > 0) && Object.keys(typo).length > 0) {
    try {
      addFigure("gapMap", gapMapFigure(p));
    } catch {
      // A gap map needs a typology and outcome domains; without them the report simply has none.
    }
  }

  // Results: risk of bias
  for (const t of appraisalTables(p)) {
    const id = `appraisal-${t.tool}`;
    tables[id] = table(
      id,
      t.caption,
      ["Study", ...t.columns.map((c) => c.label)],
      t.rows.map((r) => [r.study, ...r.cells.map((c) => c ?? t.empty)]),
      t.columns.filter((c) => c.description).map((c) => `${c.label}: ${c.description}`).join("; ") + (t.source ? `${t.columns.some((c) => c.description) ? ". " : ""}Scale: ${t.source}` : ""),
    );
    const scale = scaleToolOf(t.tool);
    if ((scale === "rob2" || scale === "robins_i") && robPlotData(p, t.tool).rows.length > 0) {
      addFigure(`robSummary-${t.tool}`, robSummaryFigure(p, t.tool));
      addFigure(`robTrafficLight-${t.tool}`, trafficLightFigure(p, t.tool));
    }
  }

  // Results: individual studies and syntheses
  tables.effectSizes = table(
    "effectSizes",
    "Effect sizes of individual studies",
    ["Study", "Outcome", "Measure", "yi", "vi"],
    f.effectSizes.map((e) => [e.study, e.outcome, e.measure, num(e.yi, 4), num(e.vi, 4)]),
  );
  const analysisRows = p.analysisRows ?? effectSizeRows({ studies: p.studies, outcomes: p.outcomes, effectSizes: p.effectSizes, protocol: p.protocol }).rows;
  const saved = p.analyses ?? [];
  const dflt = saved.length === 0 ? defaultAnalysisSpec(analysisRows) : null;
  const analyses: ReportAnalysis[] = [
    ...saved.map((a) => fitAnalysis(a, "saved", analysisRows, figures)),
    ...(dflt ? [fitAnalysis(dflt, "default", analysisRows, figures)] : []),
  ];
  tables.reportedResults = table(
    "reportedResults",
    "Meta-analytic results as reported",
    ["Result", "Analysis", "Measure", "Estimate", "95% CI", "Studies", "Outcomes", "p"],
    [...p.reportedResults].map((r) => [
      r.label, r.analysis ?? "", r.measure ?? "", num(r.estimate), r.ciLower === null ? "" : `${num(r.ciLower)} to ${num(r.ciUpper)}`,
      r.kStudies === null ? "" : String(r.kStudies), r.kOutcomes === null ? "" : String(r.kOutcomes), r.p === null ? "" : pText(r.p),
    ]),
  );
  tables.analyses = table(
    "analyses",
    "Results of syntheses",
    ["Analysis", "Model", "Term", "Estimate", "95% CI", "p", "k", "τ²", "I² (%)"],
    analyses.flatMap((a) =>
      a.error
        ? [[a.name, a.error, "", "", "", "", "", "", ""]]
        : a.coefficients.map((c, i) => [
            i === 0 ? a.name : "", i === 0 ? a.model : "", c.term, num(c.estimate, 3), `${num(c.ciLower, 3)} to ${num(c.ciUpper, 3)}`, pText(c.p),
            i === 0 ? String(a.k) : "", i === 0 ? num(a.tau2, 4) : "", i === 0 ? num(a.I2, 1) : "",
          ]),
    ),
  );

  // Certainty: the iSoQ tables of @homeward/synthesis (Summary of Qualitative Findings, Evidence Profile).
  const findingTables = { qualitativeFindings: p.qualitativeFindings, studies: p.studies, appraisals: p.appraisals };
  tables.cerqual = table(
    "cerqual",
    "CERQual assessment of confidence in the evidence summary (Summary of Qualitative Findings)",
    ["Finding", "Confidence", "Explanation", "Studies"],
    summaryOfQualitativeFindings(findingTables).map((r) => [r.statement, r.confidence ?? "not assessed", r.explanation, r.studies.map((x) => x.citation).join("; ")]),
  );
  tables.cerqualFull = table(
    "cerqualFull",
    "Full GRADE-CERQual assessment for qualitative findings (Evidence Profile)",
    ["Finding", "Methodological limitations", "Coherence", "Adequacy", "Relevance", "Confidence"],
    evidenceProfile(findingTables).map((r) => {
      const c = (key: string) => {
        const x = r.components.find((k) => k.key === key);
        return x ? [x.judgement ?? "not assessed", x.explanation].filter(Boolean).join(": ") : "";
      };
      return [r.statement, c("methodologicalLimitations"), c("coherence"), c("adequacy"), c("relevance"), [r.confidence ?? "not assessed", r.explanation].filter(Boolean).join(": ")];
    }),
  );
  const grades = p.gradeAssessments ?? [];
  tables.gradeSummary = table(
    "gradeSummary",
    "GRADE summary of findings for the meta-analytic results",
    ["Outcome", "Studies", "Effect (95% CI)", "Certainty", "Reasons for downgrading"],
    summaryOfFindings(p.reportedResults, grades).map((r) => [
      r.outcome, r.studies === null ? "" : String(r.studies), r.effect, r.certainty ?? "not assessed",
      r.domains.filter((d) => d.judgement && d.reason).map((d) => `${d.label}: ${d.judgement} (${d.reason})`).join("; "),
    ]),
  );
  tables.jointDisplay = table(
    "jointDisplay",
    "Joint display of the quantitative, qualitative and primary research strands",
    ["Question or theme", "Meta-analysis (GRADE)", "Qualitative findings (CERQual)", "Primary research", "How the strands fit"],
    jointDisplay({
      jointDisplayRows: p.jointDisplayRows ?? [], reportedResults: p.reportedResults, gradeAssessments: grades,
      qualitativeFindings: p.qualitativeFindings, surveyQuestions: p.surveyQuestions ?? [], transcripts: p.transcripts ?? [],
    }).map((r) => {
      const cells = (xs: { label: string; strength: string | null }[]) => xs.map((x) => `${x.label}${x.strength ? ` (${x.strength})` : ""}`).join("; ");
      return [r.question, cells(r.quantitative), cells(r.qualitative), [cells(r.primary), r.primaryNote].filter(Boolean).join(" "), [r.judgement ?? "", r.note].filter(Boolean).join(": ")];
    }),
  );

  const trail = evidenceTrail({ ...p, records: p.reportRecords ?? [] });
  tables.recommendations = table(
    "recommendations",
    "Recommendations and key principles with their evidence",
    ["Recommendation", "Kind", "Rating", "Findings", "Results", "Studies"],
    trail.map((r) => [
      r.text, r.kind, r.rating ? labelOf(p.protocol.ratingScheme, r.rating) : "", String(r.findings.length), String(r.results.length), String(r.studies.length),
    ]),
  );

  const exports: Record<string, string> = { "prisma2020.csv": prismaCsv(flow) };
  for (const tool of new Set(p.appraisals.filter((a) => a.status !== "draft").map((a) => a.tool))) {
    exports[`robvis-${tool.replace(/[^A-Za-z0-9-]/g, "")}.csv`] = robCsv(p, tool);
  }
  return { facts: f, tables, figures, analyses, exports };
}
