import { ROBINS_I_SCALE } from "../scales.js";
import type { AnswerCode, Citation, Condition, Domain, OverallRule, Question, Tool } from "../types.js";

const STD: readonly AnswerCode[] = ["Y", "PY", "PN", "N", "NI"];
const YES = ["Y", "PY"];
const NO = ["N", "PN"];
const is = (q: string, answers: readonly AnswerCode[]): Condition => ({ q, in: answers });

export const ROBINS_I_GUIDANCE: Citation = {
  title: "The Risk Of Bias In Non-randomized Studies – of Interventions (ROBINS-I) assessment tool (version for cohort-type studies), with detailed guidance",
  authors: "Sterne JAC, Higgins JPT, Elbers RG, Reeves BC, and the development group for ROBINS-I",
  year: 2016,
  url: "https://www.riskofbias.info/welcome/home/current-version-of-robins-i",
  paper: "Sterne JAC, Hernán MA, Reeves BC, et al. ROBINS-I: a tool for assessing risk of bias in non-randomised studies of interventions. BMJ 2016;355:i4919",
};

const WHERE = "ROBINS-I tool (2016), signalling question";
const NO_ALGORITHM = {
  kind: "none" as const,
  reason:
    "ROBINS-I (2016) maps answers to a judgement only through the guidance's criteria tables, which leave the step to the assessor; the tool proposes no domain judgement",
};

function q(id: string, label: string, text: string, extra: Partial<Question> = {}): Question {
  return { id, label, text, options: STD, wordingAt: `${WHERE} ${id}`, ...extra };
}

const TIME_VARYING: Condition = { all: [is("1.2", YES), is("1.3", YES)] };
const BASELINE_ONLY: Condition = { all: [is("1.1", YES), { any: [is("1.2", ["N", "PN", "NI"]), is("1.3", ["N", "PN", "NI"])] }] };

export const ROBINS_I_D1: Domain = {
  id: "D1",
  name: "Bias due to confounding",
  algorithm: NO_ALGORITHM,
  questions: [
    q("1.1", "Potential for confounding", "Is there potential for confounding of the effect of intervention in this study?", {
      options: ["Y", "PY", "PN", "N"],
      help: "No or probably no only when no confounding is expected (rare); the study can then be considered at low risk of bias due to confounding and no further question in this domain is asked. There is no 'No information' answer.",
    }),
    q("1.2", "Follow-up split by intervention received", "Was the analysis based on splitting participants' follow up time according to intervention received?", {
      askedWhen: is("1.1", YES),
      askedWhenText: "if Y/PY to 1.1",
    }),
    q("1.3", "Switches related to prognosis", "Were intervention discontinuations or switches likely to be related to factors that are prognostic for the outcome?", {
      askedWhen: is("1.2", YES),
      askedWhenText: "if Y/PY to 1.2",
    }),
    q("1.4", "Appropriate analysis for baseline confounding", "Did the authors use an appropriate analysis method that controlled for all the important confounding domains?", {
      askedWhen: BASELINE_ONLY,
      askedWhenText: "for baseline confounding only (if N/PN to 1.2 or 1.3)",
    }),
    q("1.5", "Baseline confounders measured validly", "Were confounding domains that were controlled for measured validly and reliably by the variables available in this study?", {
      askedWhen: is("1.4", YES),
      askedWhenText: "if Y/PY to 1.4",
    }),
    q("1.6", "Control for post-intervention variables", "Did the authors control for any post-intervention variables that could have been affected by the intervention?", {
      askedWhen: BASELINE_ONLY,
      askedWhenText: "for baseline confounding only (if N/PN to 1.2 or 1.3)",
    }),
    q(
      "1.7",
      "Appropriate analysis for time-varying confounding",
      "Did the authors use an appropriate analysis method that adjusted for all the important confounding domains and for time-varying confounding?",
      { askedWhen: TIME_VARYING, askedWhenText: "for baseline and time-varying confounding (if Y/PY to 1.2 and 1.3)" },
    ),
    q("1.8", "Time-varying confounders measured validly", "Were confounding domains that were adjusted for measured validly and reliably by the variables available in this study?", {
      askedWhen: is("1.7", YES),
      askedWhenText: "if Y/PY to 1.7",
    }),
  ],
};

export const ROBINS_I_D2: Domain = {
  id: "D2",
  name: "Bias in selection of participants into the study",
  algorithm: NO_ALGORITHM,
  questions: [
    q(
      "2.1",
      "Selection on post-intervention characteristics",
      "Was selection of participants into the study (or into the analysis) based on participant characteristics observed after the start of intervention?",
    ),
    q("2.2", "Selection variables associated with intervention", "Were the post-intervention variables that influenced selection likely to be associated with intervention?", {
      askedWhen: is("2.1", YES),
      askedWhenText: "if Y/PY to 2.1",
    }),
    q(
      "2.3",
      "Selection variables influenced by outcome",
      "Were the post-intervention variables that influenced selection likely to be influenced by the outcome or a cause of the outcome?",
      { askedWhen: is("2.2", YES), askedWhenText: "if Y/PY to 2.2" },
    ),
    q("2.4", "Start of follow-up and intervention coincide", "Do start of follow-up and start of intervention coincide for most participants?"),
    q("2.5", "Adjustment for selection bias", "Were adjustment techniques used that are likely to correct for the presence of selection biases?", {
      askedWhen: { any: [{ all: [is("2.2", YES), is("2.3", YES)] }, is("2.4", NO)] },
      askedWhenText: "if Y/PY to 2.2 and 2.3, or N/PN to 2.4",
    }),
  ],
};

export const ROBINS_I_D3: Domain = {
  id: "D3",
  name: "Bias in classification of interventions",
  algorithm: NO_ALGORITHM,
  questions: [
    q("3.1", "Groups clearly defined", "Were intervention groups clearly defined?"),
    q("3.2", "Recorded at start of intervention", "Was the information used to define intervention groups recorded at the start of the intervention?"),
    q("3.3", "Classification affected by outcome", "Could classification of intervention status have been affected by knowledge of the outcome or risk of the outcome?"),
  ],
};

export const ROBINS_I_D4_ASSIGNMENT: Domain = {
  id: "D4",
  name: "Bias due to deviations from intended interventions (effect of assignment to intervention)",
  algorithm: NO_ALGORITHM,
  questions: [
    q("4.1", "Deviations beyond usual practice", "Were there deviations from the intended intervention beyond what would be expected in usual practice?"),
    q("4.2", "Deviations unbalanced and affecting outcome", "Were these deviations from intended intervention unbalanced between groups and likely to have affected the outcome?", {
      askedWhen: is("4.1", YES),
      askedWhenText: "if Y/PY to 4.1",
    }),
  ],
};

export const ROBINS_I_D4_ADHERING: Domain = {
  id: "D4",
  name: "Bias due to deviations from intended interventions (effect of starting and adhering to intervention)",
  algorithm: NO_ALGORITHM,
  questions: [
    q("4.3", "Co-interventions balanced", "Were important co-interventions balanced across intervention groups?"),
    q("4.4", "Implemented successfully", "Was the intervention implemented successfully for most participants?"),
    q("4.5", "Adherence", "Did study participants adhere to the assigned intervention regimen?"),
    q("4.6", "Appropriate analysis (starting and adhering)", "Was an appropriate analysis used to estimate the effect of starting and adhering to the intervention?", {
      askedWhen: { any: [is("4.3", NO), is("4.4", NO), is("4.5", NO)] },
      askedWhenText: "if N/PN to 4.3, 4.4 or 4.5",
    }),
  ],
};

const MISSING_DATA: Condition = { any: [is("5.1", NO), is("5.2", YES), is("5.3", YES)] };

export const ROBINS_I_D5: Domain = {
  id: "D5",
  name: "Bias due to missing data",
  algorithm: NO_ALGORITHM,
  questions: [
    q("5.1", "Outcome data for (nearly) all", "Were outcome data available for all, or nearly all, participants?"),
    q("5.2", "Excluded for missing intervention status", "Were participants excluded due to missing data on intervention status?"),
    q("5.3", "Excluded for missing other variables", "Were participants excluded due to missing data on other variables needed for the analysis?"),
    q("5.4", "Missing data similar across groups", "Are the proportion of participants and reasons for missing data similar across interventions?", {
      askedWhen: MISSING_DATA,
      askedWhenText: "if PN/N to 5.1, or Y/PY to 5.2 or 5.3",
    }),
    q("5.5", "Robust to missing data", "Is there evidence that results were robust to the presence of missing data?", {
      askedWhen: MISSING_DATA,
      askedWhenText: "if PN/N to 5.1, or Y/PY to 5.2 or 5.3",
    }),
  ],
};

export const ROBINS_I_D6: Domain = {
  id: "D6",
  name: "Bias in measurement of outcomes",
  algorithm: NO_ALGORITHM,
  questions: [
    q("6.1", "Outcome measure influenced by knowledge", "Could the outcome measure have been influenced by knowledge of the intervention received?"),
    q("6.2", "Assessors aware", "Were outcome assessors aware of the intervention received by study participants?"),
    q("6.3", "Comparable assessment methods", "Were the methods of outcome assessment comparable across intervention groups?"),
    q("6.4", "Systematic errors related to intervention", "Were any systematic errors in measurement of the outcome related to intervention received?"),
  ],
};

// The guidance prints 7.1–7.3 as completions of one stem; each text here is stem and completion joined.
const STEM = "Is the reported effect estimate likely to be selected, on the basis of the results, from";
export const ROBINS_I_D7: Domain = {
  id: "D7",
  name: "Bias in selection of the reported result",
  algorithm: NO_ALGORITHM,
  questions: [
    q("7.1", "Selected from multiple outcome measurements", `${STEM} multiple outcome measurements within the outcome domain?`),
    q("7.2", "Selected from multiple analyses", `${STEM} multiple analyses of the intervention-outcome relationship?`),
    q("7.3", "Selected from different subgroups", `${STEM} different subgroups?`),
  ],
};

const OVERALL: OverallRule = {
  kind: "most-severe-with-no-information",
  noInformation: "No information",
  source:
    "Sterne et al., BMJ 2016;355:i4919, interpretation of domain-level and overall judgements (Low: low in all domains; Moderate: low or moderate in all; Serious: serious in at least one, critical in none; Critical: critical in at least one; No information: no clear indication of serious or critical risk and a lack of information in one or more key domains); restated in the seed review's Methods",
};

export const ROBINS_I_ASSIGNMENT: Tool = {
  id: "robins-i",
  name: "ROBINS-I (2016; effect of assignment to intervention)",
  version: "2016",
  citation: ROBINS_I_GUIDANCE,
  answerLabels: { Y: "Yes", PY: "Probably yes", PN: "Probably no", N: "No", NI: "No information", NA: "Not applicable" },
  domains: [ROBINS_I_D1, ROBINS_I_D2, ROBINS_I_D3, ROBINS_I_D4_ASSIGNMENT, ROBINS_I_D5, ROBINS_I_D6, ROBINS_I_D7],
  scale: ROBINS_I_SCALE,
  overall: OVERALL,
  // The tool assesses "a specific result": every domain may differ between outcomes of one study.
  resultLevel: { domains: ["D1", "D2", "D3", "D4", "D5", "D6", "D7"], source: "ROBINS-I detailed guidance (2016), 'Specify the outcome and result being assessed'" },
  notCovered: [
    "domain judgements are the assessor's: ROBINS-I 2016 publishes criteria tables, not algorithms",
    "the optional predicted direction of bias per domain",
    "the review-level lists of confounding domains and co-interventions",
  ],
};

export const ROBINS_I_ADHERING: Tool = {
  ...ROBINS_I_ASSIGNMENT,
  id: "robins-i-adhering",
  name: "ROBINS-I (2016; effect of starting and adhering to intervention)",
  domains: [ROBINS_I_D1, ROBINS_I_D2, ROBINS_I_D3, ROBINS_I_D4_ADHERING, ROBINS_I_D5, ROBINS_I_D6, ROBINS_I_D7],
};
