/**
 * Risk of bias in the analysis: each study's overall appraisal judgement as
 * a moderator column of the analysis rows, and the sensitivity analysis that
 * refits a model without the studies at high risk of bias.
 */
import {
  appraisalSetupOf, InputError, schemeWithRole,
  type Appraisal, type AppraisalSetup, type AppraisalTool, type Protocol, type Study,
} from "@homeward/model";
import { fitMetaSpec, type FittedSpec, type MetaSpec, type Row } from "@homeward/meta";
import type { AnalysisData, AnalysisRow } from "./analysis-data.js";

/** The moderator columns this adds to the analysis rows. */
export const RISK_OF_BIAS_COLUMN = "riskOfBias";
export const RISK_OF_BIAS_TOOL_COLUMN = "riskOfBiasTool";

/** How the tools are named in the rows and figures (the model's enum is a storage name). */
const TOOL_LABEL: Partial<Record<AppraisalTool, string>> = { RoB2: "RoB 2", "ROBINS-I": "ROBINS-I", CASP: "CASP", MMAT: "MMAT", ASSESS: "ASSESS" };

/** Tools whose overall judgement is a risk of bias; the others rate quality or score criteria and come after them. */
const RISK_TOOLS: readonly AppraisalTool[] = ["RoB2", "ROBINS-I"];

/** The judgements that count as high risk: RoB 2 High; ROBINS-I Serious or Critical. */
const HIGH: Record<string, readonly string[]> = { "RoB 2": ["high"], "ROBINS-I": ["serious", "critical"] };

export interface StudyRiskOfBias {
  /** The tool label, e.g. "RoB 2". */
  tool: string;
  judgement: string;
  /** The consensus, or the one submitted assessment when no consensus is recorded. */
  source: "consensus" | "assessment";
  appraisalId: string;
}

/** Whether a tool's overall judgement counts as high risk of bias (the sensitivity analysis drops these). */
export function isHighRiskOfBias(tool: string | null | undefined, judgement: string | null | undefined): boolean {
  if (!tool || !judgement) return false;
  const high = HIGH[tool];
  // Stored labels vary ("High", "High risk", "Serious risk"), so the scale word decides.
  const j = judgement.trim().toLowerCase();
  return high !== undefined && high.some((h) => j === h || j.startsWith(`${h} `));
}

/** The model's tool for a registry id of the set-up ("rob2", "robins-i-v2", …). */
function modelToolOf(registryId: string): AppraisalTool | null {
  if (registryId.startsWith("rob2")) return "RoB2";
  if (registryId.startsWith("robins-i")) return "ROBINS-I";
  if (registryId.startsWith("casp")) return "CASP";
  if (registryId === "mmat") return "MMAT";
  if (registryId === "assess") return "ASSESS";
  return null;
}

/** The tools the set-up gives a study by its design class(es), risk-of-bias tools first. */
function toolsByDesign(setup: AppraisalSetup, protocol: Pick<Protocol, "classifications">, study: Study): AppraisalTool[] {
  const scheme = schemeWithRole(protocol, "design");
  const v = scheme ? study.classifications[scheme.code] : undefined;
  const designs = v === undefined || (Array.isArray(v) && v.length === 0) ? (study.design ? [study.design] : []) : Array.isArray(v) ? v : [v];
  const out: AppraisalTool[] = [];
  for (const d of designs) {
    const choice = setup.tools.find((t) => t.design.toLowerCase() === d.toLowerCase());
    const tool = choice ? modelToolOf(choice.tool) : null;
    if (tool && !out.includes(tool)) out.push(tool);
  }
  return [...out.filter((t) => RISK_TOOLS.includes(t)), ...out.filter((t) => !RISK_TOOLS.includes(t))];
}

/**
 * The overall judgement of one tool's study-level appraisals of a study: the
 * consensus, else the single submitted assessment. Two submitted assessments
 * without a consensus give none, since the reviewers have not settled it.
 */
function judgementOf(list: readonly Appraisal[]): Omit<StudyRiskOfBias, "tool"> | null {
  const studyLevel = list.filter((a) => a.outcomeId === null && a.status !== "draft");
  const agreed = studyLevel.filter((a) => a.consensus).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))[0];
  if (agreed) return agreed.overall ? { judgement: agreed.overall, source: "consensus", appraisalId: agreed.id } : null;
  const submitted = studyLevel.filter((a) => !a.consensus);
  if (submitted.length !== 1 || !submitted[0]!.overall) return null;
  return { judgement: submitted[0]!.overall, source: "assessment", appraisalId: submitted[0]!.id };
}

/**
 * Each study's overall appraisal judgement, by the tool the protocol's
 * appraisal set-up gives its design. A study whose design names no tool
 * takes the tool of its appraisals when they use only one.
 */
export function studyRiskOfBias(p: {
  studies: readonly Study[];
  appraisals: readonly Appraisal[];
  protocol?: Pick<Protocol, "classifications" | "appraisal">;
}): Map<string, StudyRiskOfBias> {
  const protocol = p.protocol ?? { classifications: [] };
  const setup = appraisalSetupOf(protocol);
  const byStudy = new Map<string, Appraisal[]>();
  for (const a of p.appraisals) byStudy.set(a.studyId, [...(byStudy.get(a.studyId) ?? []), a]);
  const out = new Map<string, StudyRiskOfBias>();
  for (const s of p.studies) {
    const own = byStudy.get(s.id) ?? [];
    if (own.length === 0) continue;
    let tools = toolsByDesign(setup, protocol, s);
    if (tools.length === 0) {
      const used = [...new Set(own.map((a) => a.tool))];
      tools = used.length === 1 ? used : [];
    }
    for (const tool of tools) {
      const j = judgementOf(own.filter((a) => a.tool === tool));
      if (j) {
        out.set(s.id, { tool: TOOL_LABEL[tool] ?? tool, ...j });
        break;
      }
    }
  }
  return out;
}

/**
 * The analysis rows with the risk-of-bias columns: the study's overall
 * judgement and its tool (null where the study has none). The columns are
 * added only when some row has a judgement, so projects without appraisals
 * keep their data as it was.
 */
export function withRiskOfBias(data: AnalysisData, rob: ReadonlyMap<string, StudyRiskOfBias>): AnalysisData {
  if (!data.rows.some((r) => typeof r.studyId === "string" && rob.has(r.studyId))) return data;
  const taken = new Set(data.columns);
  const name = (c: string) => (taken.has(c) ? `appraisal.${c}` : c);
  const col = name(RISK_OF_BIAS_COLUMN), toolCol = name(RISK_OF_BIAS_TOOL_COLUMN);
  const rows: AnalysisRow[] = data.rows.map((r) => {
    const j = typeof r.studyId === "string" ? rob.get(r.studyId) : undefined;
    return { ...r, [col]: j?.judgement ?? null, [toolCol]: j?.tool ?? null };
  });
  return { ...data, columns: [...data.columns, col, toolCol], rows };
}

export interface RiskOfBiasSensitivity {
  full: FittedSpec;
  /** The model refitted without the rows of studies at high risk of bias; null with the reason when it cannot be fitted. */
  reduced: FittedSpec | null;
  reducedError: string | null;
  /** The studies dropped (label and judgement), and how many rows went with them. */
  dropped: { studies: { study: string; tool: string; judgement: string }[]; rows: number };
  /** Rows of studies without a risk-of-bias judgement: kept, and counted so the reader knows. */
  unjudged: number;
}

const cellText = (v: unknown): string | null => (v === null || v === undefined || v === "" ? null : String(v));

/**
 * Fits the spec on all rows and again without the rows whose study is at
 * high risk of bias (RoB 2 High; ROBINS-I Serious or Critical), read from the
 * rows' risk-of-bias columns. Studies are told apart by `studyId`, else `study`.
 */
export function riskOfBiasSensitivity(spec: MetaSpec, rows: Row[]): RiskOfBiasSensitivity {
  const col = rows.some((r) => RISK_OF_BIAS_COLUMN in r) ? RISK_OF_BIAS_COLUMN : `appraisal.${RISK_OF_BIAS_COLUMN}`;
  const toolCol = col === RISK_OF_BIAS_COLUMN ? RISK_OF_BIAS_TOOL_COLUMN : `appraisal.${RISK_OF_BIAS_TOOL_COLUMN}`;
  if (!rows.some((r) => cellText(r[col]) !== null)) {
    throw new InputError(`the data has no risk-of-bias judgements (column "${RISK_OF_BIAS_COLUMN}" with "${RISK_OF_BIAS_TOOL_COLUMN}"): appraise the studies first`);
  }
  const full = fitMetaSpec(spec, rows);
  const dropped = new Map<string, { study: string; tool: string; judgement: string }>();
  const kept: Row[] = [];
  let droppedRows = 0;
  let unjudged = 0;
  for (const r of rows) {
    const tool = cellText(r[toolCol]), judgement = cellText(r[col]);
    if (isHighRiskOfBias(tool, judgement)) {
      const key = cellText(r.studyId) ?? cellText(r.study) ?? `row ${droppedRows + 1}`;
      if (!dropped.has(key)) dropped.set(key, { study: cellText(r.study) ?? key, tool: tool!, judgement: judgement! });
      droppedRows += 1;
    } else {
      if (judgement === null) unjudged += 1;
      kept.push(r);
    }
  }
  let reduced: FittedSpec | null = null;
  let reducedError: string | null = null;
  if (droppedRows === 0) reduced = full;
  else {
    try {
      reduced = fitMetaSpec(spec, kept);
    } catch (err) {
      reducedError = err instanceof Error ? err.message : String(err);
    }
  }
  return { full, reduced, reducedError, dropped: { studies: [...dropped.values()], rows: droppedRows }, unjudged };
}
