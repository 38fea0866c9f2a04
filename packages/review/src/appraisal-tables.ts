import { getTool, toolIdOf, type Tool } from "@homeward/appraisal";
import { splitAnswers, type Appraisal, type Study } from "@homeward/model";
import { toCsv } from "./csv.js";
import type { AppraisalsInput } from "./figures/robvis.js";
import { appraisalsByStudy, citationOf } from "./project.js";
import { orderRobTools, scaleJudgement, scaleOf, scaleToolOf } from "./tool-scales.js";

/**
 * Per-tool appraisal tables as a review's appendices print them (the seed
 * review's Appendices E–H: RoB 2 and ROBINS-I studies × domains with the
 * overall; CASP studies × questions with the quality judgement; ASSESS
 * studies × implementation outcomes), built from the recorded appraisals.
 * Where answers were recorded question by question (the appraisal form),
 * CASP and MMAT show each question's answer and ASSESS each outcome's
 * criterion scores beside its rating; RoB 2 and ROBINS-I show domains only,
 * as their appendices do (the signalling answers are on the appraisal page).
 */
export interface AppraisalTableColumn {
  /** Unique within the table: "domain:<name>", "answer:<question id>" or "overall". */
  key: string;
  /** The header as printed (a question's id, a domain's name, "Overall"). */
  label: string;
  kind: "domain" | "answer" | "overall";
  /** For an answer: the domain (implementation outcome, CASP section) it belongs to. */
  group: string | null;
  /** A question's or criterion's wording, for the table's key and a tooltip. */
  description: string | null;
}

export interface AppraisalTable {
  /** The tool name as recorded (the risk-of-bias pages' key). */
  tool: string;
  /** The tool's display name. */
  name: string;
  caption: string;
  columns: AppraisalTableColumn[];
  /** One row per study appraised (one appraisal per study: see appraisalsByStudy), in citation order. */
  rows: { studyId: string; study: string; cells: (string | null)[] }[];
  /** What an empty cell means in this tool's appendix ("N/A": ASSESS outcome not assessed). */
  empty: string;
  /** Where the judgement scale comes from. */
  source: string | null;
}

/** Tools whose appendix is the answers themselves: the questions carry the appraisal, not domain judgements. */
const ANSWER_TABLES = new Set(["casp", "assess", "mmat"]);

const OVERALL_LABEL: Record<string, string> = { casp: "Quality judgement" };

/** A question recorded as a domain ("Q1. Was there a clear statement…", as Appendix G keys them) is headed by its number. */
function numbered(domain: string): { label: string; description: string | null } {
  const m = /^(Q\d+)[.:]\s+(.+)$/.exec(domain);
  return m ? { label: m[1]!, description: m[2]! } : { label: domain, description: null };
}

function engineTool(tool: string): Tool | null {
  const id = toolIdOf(tool);
  return id ? getTool(id) : null;
}

function tableOf(tool: string, byStudy: ReadonlyMap<string, Appraisal>, studies: ReadonlyMap<string, Study>): AppraisalTable {
  const scale = scaleOf(tool);
  const st = scaleToolOf(tool);
  const engine = engineTool(tool);
  const appraisals = [...byStudy.values()];
  const showAnswers = st !== null && ANSWER_TABLES.has(st);
  const columns: AppraisalTableColumn[] = [];
  const has = (key: string) => columns.some((c) => c.key === key);
  const judged = new Set(appraisals.flatMap((a) => a.domains.filter((d) => d.judgement != null && d.judgement.trim() !== "").map((d) => d.domain)));
  for (const a of appraisals)
    for (const d of a.domains) {
      // A domain is a column when some study has a judgement for it or, for answer tables, when none has answers (ASSESS: all N/A).
      const answered = showAnswers && Object.keys(d.answers).length > 0;
      if ((judged.has(d.domain) || !answered) && !has(`domain:${d.domain}`))
        columns.push({ key: `domain:${d.domain}`, ...numbered(d.domain), kind: "domain", group: null });
      if (!showAnswers) continue;
      const domain = engine?.domains.find((x) => x.name === d.domain || x.id === d.domain);
      const recorded = splitAnswers(d.answers).answers;
      // The tool's question order where the domain is the tool's; otherwise as recorded.
      const ids = domain ? domain.questions.map((q) => q.id).filter((q) => recorded[q] !== undefined) : Object.keys(recorded);
      for (const q of ids) {
        if (has(`answer:${q}`)) continue;
        const question = domain?.questions.find((x) => x.id === q);
        // Free-text answers (CASP Q10) are notes, not an appraisal to tabulate.
        if (question && question.options.length === 0) continue;
        columns.push({
          key: `answer:${q}`,
          label: question ? (st === "assess" ? question.label : q) : q,
          kind: "answer",
          group: d.domain,
          description: question ? (question.text ?? question.label) : null,
        });
      }
    }
  // Answer columns follow their domain's column, so each outcome's criteria sit beside its rating.
  const ordered: AppraisalTableColumn[] = [];
  for (const c of columns) {
    if (c.kind === "answer" && has(`domain:${c.group}`)) continue;
    ordered.push(c);
    if (c.kind === "domain") ordered.push(...columns.filter((x) => x.kind === "answer" && `domain:${x.group}` === c.key));
  }
  const hasOverall = (scale !== null && scale.overall !== null) || appraisals.some((a) => a.overall != null && a.overall.trim() !== "");
  if (hasOverall) ordered.push({ key: "overall", label: (st && OVERALL_LABEL[st]) ?? "Overall", kind: "overall", group: null, description: null });

  const rows = appraisals
    .map((a) => {
      const s = studies.get(a.studyId);
      const answers = new Map<string, string>();
      for (const d of a.domains) for (const [q, v] of Object.entries(splitAnswers(d.answers).answers)) if (v !== "") answers.set(q, v);
      const cells = ordered.map((c) => {
        if (c.kind === "overall") return scaleJudgement(tool, a.overall, "overall");
        if (c.kind === "domain") return scaleJudgement(tool, a.domains.find((d) => `domain:${d.domain}` === c.key)?.judgement, "domain");
        const v = answers.get(c.key.slice("answer:".length));
        if (v === undefined) return null;
        // ASSESS scores and CASP answers as the tool labels them ("2" → "2 – High").
        return engine?.answerLabels[v] && st === "assess" ? engine.answerLabels[v]! : scaleJudgement(tool, v, "domain");
      });
      return { studyId: a.studyId, study: s ? citationOf(s) : a.studyId, cells };
    })
    .sort((x, y) => x.study.localeCompare(y.study));
  const name = scale?.name ?? tool;
  const what = st === "casp" ? "answers to each question and quality judgement" : st === "assess" ? "rating of each implementation outcome" : hasOverall ? "judgement by domain and overall" : "judgement by domain";
  return {
    tool,
    name,
    caption: `${name}: ${what}, ${rows.length} ${rows.length === 1 ? "study" : "studies"}`,
    columns: ordered,
    rows,
    empty: st === "assess" ? "N/A" : "",
    source: scale?.source ?? null,
  };
}

/**
 * One table per tool, the tool a review's studies were mostly judged with
 * first (see orderRobTools). Drafts are never shown; a caller that must not
 * see some appraisals (blinding) passes only those it may.
 */
export function appraisalTables(p: AppraisalsInput): AppraisalTable[] {
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const tables = [...appraisalsByStudy(p)].map(([tool, byStudy]) => ({ ...tableOf(tool, byStudy, studies), studies: byStudy.size }));
  return orderRobTools(tables).map(({ studies: _, ...t }) => t);
}

/** A table as CSV: a study id column, then the table's columns (an answer headed by its domain), empty cells as the appendix prints them. */
export function appraisalTableCsv(t: AppraisalTable): string {
  return toCsv(
    ["study_id", "Study", ...t.columns.map((c) => (c.kind === "answer" && c.group ? `${c.group}: ${c.label}` : c.label))],
    t.rows.map((r) => [r.studyId, r.study, ...r.cells.map((c) => c ?? t.empty)]),
  );
}
