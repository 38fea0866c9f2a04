import type { Figure } from "@homeward/figures";

/**
 * A report is data: a spec (what to say, in which order, pointing at tables,
 * figures and analyses by id) and the data it is rendered from. A frozen
 * version stores both, so it renders the same way years later whatever the
 * project has become since.
 */

/** A block of a section: something the data holds, pointed at by id. */
export type ReportBlock =
  | { kind: "table"; id: string }
  | { kind: "figure"; id: string }
  /** A saved analysis (the default analysis when `id` is "default"); `version` null: the one in force. */
  | { kind: "analysis"; id: string; version: number | null }
  /** The PRISMA 2020 checklist: each item, where it is reported and whether the data filled it. */
  | { kind: "checklist" }
  /** Every figure's long description (the seed's Appendix A). */
  | { kind: "descriptions" };

export interface ReportSection {
  /** Unique within the spec; also the HTML anchor. */
  id: string;
  heading: string;
  /** 1 = a chapter, 2 = a section of one. */
  level: 1 | 2;
  /** PRISMA 2020 items this section reports (e.g. "5", "16a"). */
  prismaItems: string[];
  /** The team's own words (paragraphs separated by a blank line; lines starting "- " are a list). */
  text: string;
  /** Whether the words generated from the project's data are shown before the team's. */
  generated: boolean;
  blocks: ReportBlock[];
  /** An appendix: numbered by letter in the table of contents. */
  appendix: boolean;
}

export interface ReportSpec {
  title: string;
  subtitle: string;
  sections: ReportSection[];
}

/** A table as the report prints it: one header row, each row headed by its first cell. */
export interface ReportTable {
  id: string;
  caption: string;
  columns: string[];
  rows: string[][];
  /** A note under the table (sources, abbreviations). */
  note: string;
}

export interface ReportFigure extends Figure {
  id: string;
}

export interface AnalysisCoefficient {
  term: string;
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  p: number;
}

/** A fitted analysis as the report cites it. */
export interface ReportAnalysis {
  id: string;
  name: string;
  version: number | null;
  /** "saved": a saved analysis of the project; "default": pooled random-effects model of every effect size of the most frequent measure. */
  source: "saved" | "default";
  /** The model in words (estimator, random effects, moderators, test). */
  model: string;
  measure: string | null;
  k: number;
  studies: number;
  coefficients: AnalysisCoefficient[];
  tau2: number | null;
  I2: number | null;
  prediction: { lower: number; upper: number } | null;
  /** Effect sizes fitted, by id: what moved when one of them changes. */
  effectSizeIds: string[];
  figureIds: string[];
  /** Why it could not be fitted, when it could not. */
  error: string | null;
}

/** A screening stage's people and agreement (PRISMA item 8). */
export interface ScreeningFacts {
  stage: "title_abstract" | "full_text";
  reviewers: string[];
  records: number;
  decisions: number;
  /** Records two or more reviewers decided independently. */
  dualRecords: number;
  agreement: { n: number; percent: number; kappa: number } | null;
}

export interface ReportFacts {
  projectId: string;
  projectTitle: string;
  question: string;
  picot: Record<string, string>;
  eligibility: { inclusion: string[]; exclusion: string[] };
  searches: { id: string; source: string; kind: string; date: string | null; resultsCount: number | null; query: string }[];
  screening: ScreeningFacts[];
  extraction: { mode: string; reviewers: string[]; studies: number; items: number };
  appraisal: { tool: string; name: string; studies: number; reviewers: string[] }[];
  studies: { id: string; citation: string; included: boolean; reports: number }[];
  effectSizes: { id: string; studyId: string; study: string; outcome: string; measure: string; yi: number | null; vi: number | null }[];
  cerqual: { id: string; statement: string; confidence: string | null }[];
  recommendations: { id: string; kind: string; text: string; rating: string | null }[];
  /** PRISMA 2020 counts (the PRISMA2020 package's field names), each with its source. */
  prisma: Record<string, { value: number | null; source: string }>;
}

/** Everything a report renders from: the project's facts, tables, figures and analyses at one moment. */
export interface ReportData {
  facts: ReportFacts;
  tables: Record<string, ReportTable>;
  figures: Record<string, ReportFigure>;
  analyses: ReportAnalysis[];
  /** Files for other tools, by file name: the robvis CSVs, the PRISMA2020 package's CSV. */
  exports: Record<string, string>;
  /**
   * What the reproducibility bundle (R script and analysis data) is built
   * from at this moment, so a frozen version's bundle reproduces that
   * version's numbers; set by the caller that reads the project.
   */
  reproducibility?: unknown;
}

/** A PRISMA 2020 item as the report fills it. */
export interface ChecklistItem {
  item: string;
  section: string;
  topic: string;
  /** Filled from the data, from the team's text, or missing. */
  status: "data" | "text" | "missing";
  /** Where in the report it is (section id), or null. */
  sectionId: string | null;
  /** What was found, or what is missing. */
  detail: string;
}
