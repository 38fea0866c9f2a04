import { NEUTRAL, ROBVIS_COLOURS } from "../scales.js";
import type { Citation, Domain, Tool } from "../types.js";

export const ASSESS_PAPER: Citation = {
  title:
    "Development of the ASSESS tool: a comprehenSive tool to Support rEporting and critical appraiSal of qualitative, quantitative, and mixed methods implementation reSearch outcomes",
  authors: "Ryan N, Vieira D, Gyamfi J, Ojo T, Shelley D, Ogedegbe O, Iwelunmor J, Peprah E",
  year: 2022,
  url: "https://doi.org/10.1186/s43058-021-00236-4",
  paper: "Implementation Science Communications 2022;3:34",
};

const SEED = "Seed review (000), Methods, Quality appraisal: ASSESS";

/** Implementation outcomes rated in the review (Proctor et al. 2011, with cost; Appendix H adds reach). */
export const ASSESS_OUTCOMES = [
  ["acceptability", "Acceptability"],
  ["adoption", "Adoption"],
  ["appropriateness", "Appropriateness"],
  ["feasibility", "Feasibility"],
  ["fidelity", "Fidelity"],
  ["reach", "Reach/penetration"],
  ["cost", "Cost"],
  ["sustainability", "Sustainability"],
] as const;

/** Scores as the review defines them: 2 High, 1 Moderate, 0 Low; NA where the study does not assess the outcome. */
export const ASSESS_SCORES = ["2", "1", "0", "NA"] as const;

const CRITERIA = [
  ["definition", "Clarity of definition and measurement"],
  ["methods", "Appropriateness of data sources and methods"],
  ["reporting", "Transparency and completeness of reporting"],
] as const;

function outcomeDomain(id: string, name: string): Domain {
  return {
    id,
    name,
    questions: CRITERIA.map(([cid, label]) => ({
      id: `${id}.${cid}`,
      label,
      // The criteria are the review's three headings, not item wording from the ASSESS tool.
      text: null,
      wordingAt: `${SEED} (criteria 1–3); ASSESS tool, Ryan et al. 2022, risk-of-bias section for implementation outcomes`,
      options: ASSESS_SCORES,
      help: "2 – High: fully addressed with strong justification, appropriate methods and clear reporting. 1 – Moderate: partially addressed or minor limitations. 0 – Low: poorly addressed, unclear or significant limitations. NA when the study does not assess this outcome.",
    })),
    algorithm: { kind: "score", scores: { "2": 2, "1": 1, "0": 0, NA: null }, whenNothingScored: "N/A", source: `${SEED}: each criterion scored 0–2, giving a summary rating for each implementation domain` },
    judgements: ["Lower bias", "Higher bias", "Unclear", "N/A"],
  };
}

export const ASSESS: Tool = {
  id: "assess",
  name: "ASSESS (implementation outcomes, as applied in the reunification review)",
  version: "2022",
  citation: ASSESS_PAPER,
  answerLabels: { "2": "2 – High", "1": "1 – Moderate", "0": "0 – Low", NA: "Not assessed" },
  domains: ASSESS_OUTCOMES.map(([id, name]) => outcomeDomain(id, name)),
  scale: {
    levels: [
      { label: "Lower bias", severity: 0, colour: ROBVIS_COLOURS.low },
      { label: "Higher bias", severity: 1, colour: ROBVIS_COLOURS.high },
      { label: "Unclear", severity: null, colour: ROBVIS_COLOURS.noInformation },
      { label: "N/A", severity: null, colour: NEUTRAL },
    ],
    source: "Seed review (000), Appendix H: 'Lower bias', 'Higher bias', 'Unclear', 'N/A' per implementation outcome",
  },
  overall: {
    kind: "none",
    ratings: [],
    reason: "ASSESS gives domain-specific judgements per implementation outcome and no overall judgement (seed review, Results: implementation studies)",
  },
  notCovered: [
    "the threshold from the summed score to Lower/Higher bias: the review does not state one, so the label stays the assessor's",
    "ASSESS's descriptive (reporting) items",
  ],
};
