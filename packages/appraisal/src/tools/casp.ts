import { NEUTRAL, ROBVIS_COLOURS } from "../scales.js";
import type { Citation, Domain, Question, Tool } from "../types.js";

const YCN = ["Yes", "Can't tell", "No"] as const;

export const CASP_QUALITATIVE_CHECKLIST: Citation = {
  title: "CASP Qualitative Studies Checklist",
  authors: "Critical Appraisal Skills Programme (CASP)",
  year: 2018,
  url: "https://casp-uk.net/casp-tools-checklists/",
};

/** The review whose rating this declaration carries (seed 000). */
export const REUNIFICATION_REVIEW_METHODS: Citation = {
  title: "What works to support reunification and its associated outcomes: a mixed-methods systematic review, combined with primary research (Methods, 'Quality appraisal'; Appendix G)",
  authors: "Mallion J, Hedges S, Keenan C, Clements K, et al., National Children's Bureau, for Foundations",
  year: 2025,
};

const NO_ALGORITHM = {
  kind: "none" as const,
  reason: "CASP prompts a systematic reading; it maps no answers to a judgement",
};

function q(n: number, label: string, text: string, extra: Partial<Question> = {}): Question {
  return { id: `Q${n}`, label, text, options: YCN, wordingAt: `CASP Qualitative Checklist (2018), question ${n}`, ...extra };
}

const SECTION_A: Domain = {
  id: "A",
  name: "Section A: Are the results valid?",
  algorithm: NO_ALGORITHM,
  questions: [
    q(1, "Clear aims", "Was there a clear statement of the aims of the research?"),
    q(2, "Qualitative methodology appropriate", "Is a qualitative methodology appropriate?", {
      help: "The checklist asks after questions 1 and 2 whether it is worth continuing; a No to either usually ends the appraisal.",
    }),
    q(3, "Design appropriate", "Was the research design appropriate to address the aims of the research?"),
    q(4, "Recruitment appropriate", "Was the recruitment strategy appropriate to the aims of the research?"),
    q(5, "Data collection", "Was the data collected in a way that addressed the research issue?"),
    q(6, "Researcher–participant relationship", "Has the relationship between researcher and participants been adequately considered?"),
  ],
};

const SECTION_B: Domain = {
  id: "B",
  name: "Section B: What are the results?",
  algorithm: NO_ALGORITHM,
  questions: [
    q(7, "Ethical issues", "Have ethical issues been taken into consideration?"),
    q(8, "Rigorous analysis", "Was the data analysis sufficiently rigorous?"),
    q(9, "Clear findings", "Is there a clear statement of findings?"),
  ],
};

const SECTION_C: Domain = {
  id: "C",
  name: "Section C: Will the results help locally?",
  algorithm: NO_ALGORITHM,
  questions: [q(10, "Value of the research", "How valuable is the research?", { options: [], optional: true, help: "Answered in free text." })],
};

export const CASP_POSITIVE = "Positive/methodologically sound";
export const CASP_NEGATIVE = "Negative/relatively poor methodology";
export const CASP_UNKNOWN = "Unknown";

export const CASP_QUALITATIVE: Tool = {
  id: "casp-qualitative",
  name: "CASP Qualitative Checklist",
  version: "2018",
  citation: CASP_QUALITATIVE_CHECKLIST,
  alsoCites: [REUNIFICATION_REVIEW_METHODS],
  answerLabels: { Yes: "Yes", "Can't tell": "Can't tell", No: "No" },
  domains: [SECTION_A, SECTION_B, SECTION_C],
  scale: {
    levels: [
      { label: "Yes", severity: 0, colour: ROBVIS_COLOURS.low },
      { label: "Can't tell", severity: null, colour: ROBVIS_COLOURS.noInformation },
      { label: "No", severity: 1, colour: ROBVIS_COLOURS.high },
      { label: CASP_POSITIVE, severity: 0, colour: ROBVIS_COLOURS.low },
      { label: CASP_UNKNOWN, severity: null, colour: NEUTRAL },
      { label: CASP_NEGATIVE, severity: 1, colour: ROBVIS_COLOURS.high },
    ],
    source: "Answers: CASP Qualitative Checklist (2018). Overall rating: the seed review's (Methods, Quality appraisal), which CASP itself does not define.",
  },
  overall: {
    kind: "none",
    ratings: [CASP_POSITIVE, CASP_NEGATIVE, CASP_UNKNOWN],
    reason:
      "CASP defines no overall rating. The reunification review rated each study Positive/methodologically sound, Negative/relatively poor methodology or Unknown by judgement (its stated reasons for Negative: a non-transparent selection process, too little reported to assess methods or analysis, sampling inappropriate to the question); no rule from answers reproduces its Appendix G, so none is proposed",
  },
};
