import { ROBVIS_COLOURS } from "../scales.js";
import type { Citation, Condition, Domain, Question, Tool } from "../types.js";

const YNC = ["Yes", "No", "Can't tell"] as const;

export const MMAT_2018: Citation = {
  title: "Mixed Methods Appraisal Tool (MMAT), version 2018. User guide",
  authors: "Hong QN, Pluye P, Fàbregues S, Bartlett G, Boardman F, Cargo M, Dagenais P, Gagnon M-P, Griffiths F, Nicolau B, O'Cathain A, Rousseau M-C, Vedel I",
  year: 2018,
  url: "http://mixedmethodsappraisaltoolpublic.pbworks.com/",
  paper: "Hong QN, Fàbregues S, Bartlett G, et al. The Mixed Methods Appraisal Tool (MMAT) version 2018 for information professionals and researchers. Education for Information 2018;34(4):285–291",
};

export const MMAT_CATEGORIES = ["Qualitative", "Quantitative randomized controlled trials", "Quantitative non-randomized", "Quantitative descriptive", "Mixed methods"] as const;
const QUANT_OF_MIXED = ["Quantitative randomized controlled trials", "Quantitative non-randomized", "Quantitative descriptive"] as const;

const NO_ALGORITHM = {
  kind: "none" as const,
  reason: "MMAT rates each criterion Yes, No or Can't tell and advises against an overall score; it proposes no judgement",
};

function c(id: string, label: string, text: string, extra: Partial<Question> = {}): Question {
  return { id, label, text, options: YNC, wordingAt: `MMAT version 2018 user guide, Part I, criterion ${id}`, ...extra };
}

/** A category's criteria apply to studies of that category, and to mixed methods studies whose components include it. */
function category(name: (typeof MMAT_CATEGORIES)[number]): Condition {
  const own: Condition = { q: "category", in: [name] };
  if (name === "Qualitative") return { any: [own, { q: "category", in: ["Mixed methods"] }] };
  if (name === "Mixed methods") return own;
  return { any: [own, { all: [{ q: "category", in: ["Mixed methods"] }, { q: "mixed.quantitative", in: [name] }] }] };
}

const SCREENING: Domain = {
  id: "S",
  name: "Screening questions (for all types)",
  algorithm: NO_ALGORITHM,
  questions: [
    c("S1", "Clear research questions", "Are there clear research questions?", {
      help: "Further appraisal may not be feasible or appropriate when the answer is No or Can't tell to one or both screening questions.",
    }),
    c("S2", "Data address the questions", "Do the collected data allow to address the research questions?"),
    {
      id: "category",
      label: "Study category",
      text: null,
      wordingAt: "MMAT version 2018 user guide, Part I (choice of the category of study design; algorithm in Part II)",
      options: MMAT_CATEGORIES,
    },
    {
      id: "mixed.quantitative",
      label: "Quantitative component of the mixed methods study",
      text: null,
      wordingAt: "MMAT version 2018 user guide, Part I, category 5 (mixed methods studies are also rated on the qualitative and the appropriate quantitative criteria)",
      options: QUANT_OF_MIXED,
      askedWhen: { q: "category", in: ["Mixed methods"] },
      askedWhenText: "if the category is Mixed methods",
    },
  ],
};

function categoryDomain(id: string, name: (typeof MMAT_CATEGORIES)[number], criteria: [string, string][]): Domain {
  return {
    id,
    name: `${id}. ${name}`,
    algorithm: NO_ALGORITHM,
    appliesWhen: category(name),
    questions: criteria.map(([label, text], i) => c(`${id}.${i + 1}`, label, text)),
  };
}

export const MMAT: Tool = {
  id: "mmat",
  name: "Mixed Methods Appraisal Tool (MMAT)",
  version: "2018",
  citation: MMAT_2018,
  answerLabels: { Yes: "Yes", No: "No", "Can't tell": "Can't tell" },
  domains: [
    SCREENING,
    categoryDomain("1", "Qualitative", [
      ["Approach appropriate", "Is the qualitative approach appropriate to answer the research question?"],
      ["Data collection adequate", "Are the qualitative data collection methods adequate to address the research question?"],
      ["Findings derived from data", "Are the findings adequately derived from the data?"],
      ["Interpretation substantiated", "Is the interpretation of results sufficiently substantiated by data?"],
      ["Coherence", "Is there coherence between qualitative data sources, collection, analysis and interpretation?"],
    ]),
    categoryDomain("2", "Quantitative randomized controlled trials", [
      ["Randomization", "Is randomization appropriately performed?"],
      ["Baseline comparability", "Are the groups comparable at baseline?"],
      ["Complete outcome data", "Are there complete outcome data?"],
      ["Assessors blinded", "Are outcome assessors blinded to the intervention provided?"],
      ["Adherence", "Did the participants adhere to the assigned intervention?"],
    ]),
    categoryDomain("3", "Quantitative non-randomized", [
      ["Representative participants", "Are the participants representative of the target population?"],
      ["Appropriate measurements", "Are measurements appropriate regarding both the outcome and intervention (or exposure)?"],
      ["Complete outcome data", "Are there complete outcome data?"],
      ["Confounders accounted for", "Are the confounders accounted for in the design and analysis?"],
      ["Intervention as intended", "During the study period, is the intervention administered (or exposure occurred) as intended?"],
    ]),
    categoryDomain("4", "Quantitative descriptive", [
      ["Sampling strategy", "Is the sampling strategy relevant to address the research question?"],
      ["Representative sample", "Is the sample representative of the target population?"],
      ["Appropriate measurements", "Are the measurements appropriate?"],
      ["Nonresponse bias", "Is the risk of nonresponse bias low?"],
      ["Statistical analysis", "Is the statistical analysis appropriate to answer the research question?"],
    ]),
    categoryDomain("5", "Mixed methods", [
      ["Rationale for mixed methods", "Is there an adequate rationale for using a mixed methods design to address the research question?"],
      ["Integration", "Are the different components of the study effectively integrated to answer the research question?"],
      ["Interpretation of integration", "Are the outputs of the integration of qualitative and quantitative components adequately interpreted?"],
      ["Divergences addressed", "Are divergences and inconsistencies between quantitative and qualitative results adequately addressed?"],
      ["Quality of each component", "Do the different components of the study adhere to the quality criteria of each tradition of the methods involved?"],
    ]),
  ],
  scale: {
    levels: [
      { label: "Yes", severity: 0, colour: ROBVIS_COLOURS.low },
      { label: "Can't tell", severity: null, colour: ROBVIS_COLOURS.noInformation },
      { label: "No", severity: 1, colour: ROBVIS_COLOURS.high },
    ],
    source: "MMAT version 2018 user guide: criteria rated Yes, No or Can't tell",
  },
  overall: {
    kind: "none",
    ratings: [],
    reason:
      "MMAT version 2018 discourages an overall score from the ratings of each criterion; a review reports the ratings (and, if it wishes, a sensitivity analysis or a description of quality) instead",
  },
};
