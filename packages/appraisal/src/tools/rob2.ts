import { ROB2_SCALE } from "../scales.js";
import type { AnswerCode, Citation, Condition, Domain, Question, Tool, Tree } from "../types.js";

// Answer groups as the RoB 2 flowcharts print them.
const YES = ["Y", "PY"] as const;
const NO = ["N", "PN"] as const;
const NI = ["NI"] as const;
const Y_PY_NI = ["Y", "PY", "NI"] as const;
const N_PN_NI = ["N", "PN", "NI"] as const;
const STD: readonly AnswerCode[] = ["Y", "PY", "PN", "N", "NI"];
/** "If applicable" questions may be answered NA even when asked. */
const STD_NA: readonly AnswerCode[] = [...STD, "NA"];

const is = (q: string, answers: readonly AnswerCode[]): Condition => ({ q, in: answers });
const leaf = (judgement: string): Tree => ({ judgement });
const LOW = leaf("Low");
const SOME = leaf("Some concerns");
const HIGH = leaf("High");

export const ROB2_GUIDANCE: Citation = {
  title: "Revised Cochrane risk-of-bias tool for randomized trials (RoB 2). Full guidance document",
  authors: "Higgins JPT, Savović J, Page MJ, Sterne JAC (editors), on behalf of the RoB 2 Development Group",
  year: 2019,
  edition: "22 August 2019",
  url: "https://www.riskofbias.info/welcome/rob-2-0-tool/current-version-of-rob-2",
  paper: "Sterne JAC, Savović J, Page MJ, et al. RoB 2: a revised tool for assessing risk of bias in randomised trials. BMJ 2019;366:l4898",
};

export const ROB2_CRT_GUIDANCE: Citation = {
  title: "Revised Cochrane risk of bias tool for randomized trials (RoB 2). Additional considerations for cluster-randomized trials (RoB 2 CRT)",
  authors: "Eldridge S, Campbell MK, Campbell MJ, et al.",
  year: 2021,
  edition: "18 March 2021",
  url: "https://www.riskofbias.info/welcome/rob-2-0-tool/rob-2-for-cluster-randomized-trials",
};

const WHERE = "RoB 2 guidance (22 Aug 2019)";

function q(id: string, label: string, text: string, extra: Partial<Question> = {}): Question {
  return { id, label, text, options: STD, wordingAt: `${WHERE}, signalling question ${id}`, ...extra };
}

// ---------------------------------------------------------------- domain 1

export const ROB2_D1: Domain = {
  id: "D1",
  name: "Risk of bias arising from the randomization process",
  questions: [
    q("1.1", "Random sequence", "Was the allocation sequence random?", {
      help: "A random component in generating the sequence (computer, random number table, coin, dice, lots; minimization usually counts) is Yes. Alternation, dates, record numbers or allocation by clinician or participant is No. A bare statement that the study was randomized is No information.",
    }),
    q("1.2", "Concealment", "Was the allocation sequence concealed until participants were enrolled and assigned to interventions?", {
      help: "Remote or central allocation, or sequentially numbered identical containers or opaque sealed envelopes, is Yes. Any way for enrolling staff to foresee the next assignment is No.",
    }),
    q("1.3", "Baseline imbalance", "Did baseline differences between intervention groups suggest a problem with the randomization process?", {
      help: "Differences compatible with chance are not a problem. Imbalances too large or too systematic for chance, or implausibly similar groups, suggest one.",
    }),
  ],
  algorithm: {
    kind: "tree",
    source: `${WHERE}, domain 1 algorithm for a suggested risk-of-bias judgement`,
    tree: {
      branches: [
        {
          when: is("1.2", YES),
          then: {
            branches: [
              { when: is("1.1", Y_PY_NI), then: { branches: [{ when: is("1.3", N_PN_NI), then: LOW }, { when: is("1.3", YES), then: SOME }] } },
              { when: is("1.1", NO), then: SOME },
            ],
          },
        },
        { when: is("1.2", NI), then: { branches: [{ when: is("1.3", N_PN_NI), then: SOME }, { when: is("1.3", YES), then: HIGH }] } },
        { when: is("1.2", NO), then: HIGH },
      ],
    },
  },
};

// ---------------------------------------------------------------- domain 2

const Q21 = q("2.1", "Participants aware", "Were participants aware of their assigned intervention during the trial?", {
  help: "Yes when participants knew their assignment, including through side effects specific to one intervention.",
});
const Q22 = q("2.2", "Carers and deliverers aware", "Were carers and people delivering the interventions aware of participants' assigned intervention during the trial?", {
  help: "Yes when those caring for participants or delivering the interventions knew the assignment; unconcealed allocation makes this likely.",
});
const EITHER_AWARE: Condition = { any: [is("2.1", Y_PY_NI), is("2.2", Y_PY_NI)] };
const NEITHER_AWARE: Condition = { all: [is("2.1", NO), is("2.2", NO)] };

export const ROB2_D2_ASSIGNMENT: Domain = {
  id: "D2",
  name: "Risk of bias due to deviations from the intended interventions (effect of assignment to intervention)",
  questions: [
    Q21,
    Q22,
    q("2.3", "Trial-context deviations", "Were there deviations from the intended intervention that arose because of the trial context?", {
      askedWhen: EITHER_AWARE,
      askedWhenText: "if Y/PY/NI to 2.1 or 2.2",
      help: "Only departures that would not happen outside the trial count (e.g. a carer giving the comparator because they know the assignment); deviations that reflect usual practice do not.",
    }),
    q("2.4", "Deviations affected outcome", "Were these deviations likely to have affected the outcome?", {
      askedWhen: is("2.3", YES),
      askedWhenText: "if Y/PY to 2.3",
    }),
    q("2.5", "Deviations balanced", "Were these deviations from intended intervention balanced between groups?", {
      askedWhen: is("2.4", Y_PY_NI),
      askedWhenText: "if Y/PY/NI to 2.4",
    }),
    q("2.6", "Appropriate analysis (assignment)", "Was an appropriate analysis used to estimate the effect of assignment to intervention?", {
      help: "Intention-to-treat and modified intention-to-treat analyses that keep participants in their randomized groups are appropriate; per-protocol and as-treated analyses are not.",
    }),
    q(
      "2.7",
      "Impact of failing to analyse as randomized",
      "Was there potential for a substantial impact (on the result) of the failure to analyse participants in the group to which they were randomized?",
      { askedWhen: is("2.6", N_PN_NI), askedWhenText: "if N/PN/NI to 2.6" },
    ),
  ],
  algorithm: {
    kind: "parts",
    combine: "most-severe",
    source: `${WHERE}, domain 2 (effect of assignment) algorithm: part 1 (2.1–2.5) and part 2 (2.6–2.7), combined so that Low needs both parts Low and High follows from either part High`,
    parts: [
      {
        name: "Part 1 (deviations arising from the trial context)",
        tree: {
          branches: [
            { when: NEITHER_AWARE, then: LOW },
            {
              when: EITHER_AWARE,
              then: {
                branches: [
                  { when: is("2.3", NO), then: LOW },
                  { when: is("2.3", NI), then: SOME },
                  {
                    when: is("2.3", YES),
                    then: {
                      branches: [
                        // The flowchart stops short of Low here: trial-context deviations were found, even if judged unlikely to affect the outcome.
                        { when: is("2.4", NO), then: SOME },
                        { when: is("2.4", Y_PY_NI), then: { branches: [{ when: is("2.5", YES), then: SOME }, { when: is("2.5", N_PN_NI), then: HIGH }] } },
                      ],
                    },
                  },
                ],
              },
            },
          ],
        },
      },
      {
        name: "Part 2 (analysis)",
        tree: {
          branches: [
            { when: is("2.6", YES), then: LOW },
            { when: is("2.6", N_PN_NI), then: { branches: [{ when: is("2.7", NO), then: SOME }, { when: is("2.7", Y_PY_NI), then: HIGH }] } },
          ],
        },
      },
    ],
  },
};

const D2_ADHERING_ANALYSIS: Tree = { branches: [{ when: is("2.6", YES), then: SOME }, { when: is("2.6", N_PN_NI), then: HIGH }] };
const D2_ADHERING_IMPLEMENTATION: Tree = {
  branches: [
    { when: { all: [is("2.4", [...NO, "NA"]), is("2.5", [...NO, "NA"])] }, then: LOW },
    { when: { any: [is("2.4", Y_PY_NI), is("2.5", Y_PY_NI)] }, then: D2_ADHERING_ANALYSIS },
  ],
};

export const ROB2_D2_ADHERING: Domain = {
  id: "D2",
  name: "Risk of bias due to deviations from the intended interventions (effect of adhering to intervention)",
  questions: [
    Q21,
    Q22,
    q("2.3", "Non-protocol interventions balanced", "Were important non-protocol interventions balanced across intervention groups?", {
      options: STD_NA,
      askedWhen: EITHER_AWARE,
      askedWhenText: "if applicable, and if Y/PY/NI to 2.1 or 2.2",
      help: "NA when no important non-protocol interventions are relevant to the review's question.",
    }),
    q("2.4", "Implementation failures", "Were there failures in implementing the intervention that could have affected the outcome?", {
      options: STD_NA,
      askedWhenText: "if applicable",
    }),
    q("2.5", "Non-adherence", "Was there non-adherence to the assigned intervention regimen that could have affected participants' outcomes?", {
      options: STD_NA,
      askedWhenText: "if applicable",
    }),
    q("2.6", "Appropriate analysis (adhering)", "Was an appropriate analysis used to estimate the effect of adhering to the intervention?", {
      askedWhen: { any: [is("2.3", N_PN_NI), is("2.4", Y_PY_NI), is("2.5", Y_PY_NI)] },
      askedWhenText: "if N/PN/NI to 2.3, or Y/PY/NI to 2.4 or 2.5",
      help: "Naive per-protocol and as-treated analyses are usually not appropriate; methods such as instrumental-variable analysis or inverse probability weighting can be.",
    }),
  ],
  algorithm: {
    kind: "tree",
    source: `${WHERE}, domain 2 (effect of adhering) algorithm`,
    tree: {
      branches: [
        { when: NEITHER_AWARE, then: D2_ADHERING_IMPLEMENTATION },
        {
          when: EITHER_AWARE,
          then: {
            branches: [
              { when: is("2.3", [...YES, "NA"]), then: D2_ADHERING_IMPLEMENTATION },
              { when: is("2.3", N_PN_NI), then: D2_ADHERING_ANALYSIS },
            ],
          },
        },
      ],
    },
  },
};

// ---------------------------------------------------------------- domain 3

export const ROB2_D3: Domain = {
  id: "D3",
  name: "Risk of bias due to missing outcome data",
  questions: [
    q("3.1", "Data for (nearly) all", "Were data for this outcome available for all, or nearly all, participants randomized?", {
      help: "'Nearly all' depends on the outcome and the event risk; imputed values count as missing.",
    }),
    q("3.2", "Evidence of no bias", "Is there evidence that the result was not biased by missing outcome data?", {
      options: ["Y", "PY", "PN", "N"],
      askedWhen: is("3.1", N_PN_NI),
      askedWhenText: "if N/PN/NI to 3.1",
      help: "Evidence comes from a method that corrects for bias or from sensitivity analyses showing the result is robust. There is no 'No information' answer: without such evidence, answer No.",
    }),
    q("3.3", "Missingness could depend on true value", "Could missingness in the outcome depend on its true value?", {
      askedWhen: is("3.2", NO),
      askedWhenText: "if N/PN to 3.2",
    }),
    q("3.4", "Missingness likely depended on true value", "Is it likely that missingness in the outcome depended on its true value?", {
      askedWhen: is("3.3", Y_PY_NI),
      askedWhenText: "if Y/PY/NI to 3.3",
    }),
  ],
  algorithm: {
    kind: "tree",
    source: `${WHERE}, domain 3 algorithm`,
    tree: {
      branches: [
        { when: is("3.1", YES), then: LOW },
        {
          when: is("3.1", N_PN_NI),
          then: {
            branches: [
              { when: is("3.2", YES), then: LOW },
              {
                when: is("3.2", NO),
                then: {
                  branches: [
                    { when: is("3.3", NO), then: LOW },
                    { when: is("3.3", Y_PY_NI), then: { branches: [{ when: is("3.4", NO), then: SOME }, { when: is("3.4", Y_PY_NI), then: HIGH }] } },
                  ],
                },
              },
            ],
          },
        },
      ],
    },
  },
};

// ---------------------------------------------------------------- domain 4

/** From 4.3 on the flowchart has two copies: after 4.2 N/PN Low stays reachable; after 4.2 NI it does not. */
function d4From43(notLow: Tree): Tree {
  return {
    branches: [
      { when: is("4.3", NO), then: notLow },
      {
        when: is("4.3", Y_PY_NI),
        then: {
          branches: [
            { when: is("4.4", NO), then: notLow },
            { when: is("4.4", Y_PY_NI), then: { branches: [{ when: is("4.5", NO), then: SOME }, { when: is("4.5", Y_PY_NI), then: HIGH }] } },
          ],
        },
      },
    ],
  };
}

export const ROB2_D4: Domain = {
  id: "D4",
  name: "Risk of bias in measurement of the outcome",
  questions: [
    q("4.1", "Inappropriate measurement", "Was the method of measuring the outcome inappropriate?"),
    q("4.2", "Measurement differed between groups", "Could measurement or ascertainment of the outcome have differed between intervention groups?"),
    q("4.3", "Assessors aware", "Were outcome assessors aware of the intervention received by study participants?", {
      askedWhen: { all: [is("4.1", N_PN_NI), is("4.2", N_PN_NI)] },
      askedWhenText: "if N/PN/NI to 4.1 and 4.2",
      help: "For participant-reported outcomes the participant is the outcome assessor.",
    }),
    q("4.4", "Assessment could be influenced", "Could assessment of the outcome have been influenced by knowledge of intervention received?", {
      askedWhen: is("4.3", Y_PY_NI),
      askedWhenText: "if Y/PY/NI to 4.3",
    }),
    q("4.5", "Assessment likely influenced", "Is it likely that assessment of the outcome was influenced by knowledge of intervention received?", {
      askedWhen: is("4.4", Y_PY_NI),
      askedWhenText: "if Y/PY/NI to 4.4",
    }),
  ],
  algorithm: {
    kind: "tree",
    source: `${WHERE}, domain 4 algorithm`,
    tree: {
      branches: [
        { when: is("4.1", YES), then: HIGH },
        {
          when: is("4.1", N_PN_NI),
          then: {
            branches: [
              { when: is("4.2", YES), then: HIGH },
              { when: is("4.2", NO), then: d4From43(LOW) },
              { when: is("4.2", NI), then: d4From43(SOME) },
            ],
          },
        },
      ],
    },
  },
};

// ---------------------------------------------------------------- domain 5

export const ROB2_D5: Domain = {
  id: "D5",
  name: "Risk of bias in selection of the reported result",
  questions: [
    q(
      "5.1",
      "Pre-specified analysis plan",
      "Were the data that produced this result analysed in accordance with a pre-specified analysis plan that was finalized before unblinded outcome data were available for analysis?",
    ),
    q(
      "5.2",
      "Selected from multiple outcome measurements",
      "Is the numerical result being assessed likely to have been selected, on the basis of the results, from multiple eligible outcome measurements (e.g. scales, definitions, time points) within the outcome domain?",
    ),
    q("5.3", "Selected from multiple analyses", "Is the numerical result being assessed likely to have been selected, on the basis of the results, from multiple eligible analyses of the data?"),
  ],
  algorithm: {
    kind: "tree",
    source: `${WHERE}, domain 5 algorithm`,
    tree: {
      branches: [
        { when: { any: [is("5.2", YES), is("5.3", YES)] }, then: HIGH },
        { when: { all: [is("5.2", NO), is("5.3", NO)] }, then: { branches: [{ when: is("5.1", YES), then: LOW }, { when: is("5.1", N_PN_NI), then: SOME }] } },
        // At least one NI and neither Y/PY.
        { when: { all: [is("5.2", N_PN_NI), is("5.3", N_PN_NI)] }, then: SOME },
      ],
    },
  },
};

// ---------------------------------------------------------------- cluster-randomized: domain 1b

const CRT = "RoB 2 CRT guidance (18 Mar 2021)";

export const ROB2_CRT_D1B: Domain = {
  id: "D1b",
  name: "Risk of bias arising from the timing of identification or recruitment of participants",
  questions: [
    {
      id: "1b.1",
      label: "Identified and recruited before cluster randomization",
      text: "Were all the individual participants identified and recruited (if appropriate) before randomization of clusters?",
      wordingAt: `${CRT}, signalling question 1b.1`,
      options: STD,
      help: "Yes when every participant was identified (and, if recruited, recruited) before the clusters were randomized; No when some were identified or recruited afterwards, or any cluster recruited nobody.",
    },
    {
      id: "1b.2",
      label: "Selection affected by knowledge of cluster assignment",
      text: "Is it likely that selection of individual participants was affected by knowledge of the intervention assigned to the cluster?",
      wordingAt: `${CRT}, signalling question 1b.2`,
      options: STD,
      askedWhen: is("1b.1", N_PN_NI),
      askedWhenText: "if N/PN/NI to 1b.1",
    },
    {
      id: "1b.3",
      label: "Imbalances suggesting differential recruitment",
      text: "Were there baseline imbalances that suggest differential identification or recruitment of individual participants between intervention groups?",
      wordingAt: `${CRT}, signalling question 1b.3`,
      options: STD,
    },
  ],
  algorithm: {
    kind: "tree",
    source: `${CRT}, domain 1b algorithm`,
    tree: {
      branches: [
        { when: is("1b.1", YES), then: LOW },
        {
          when: is("1b.1", N_PN_NI),
          then: {
            branches: [
              { when: is("1b.2", YES), then: HIGH },
              { when: is("1b.2", NO), then: { branches: [{ when: is("1b.3", N_PN_NI), then: LOW }, { when: is("1b.3", YES), then: SOME }] } },
              { when: is("1b.2", NI), then: { branches: [{ when: is("1b.3", N_PN_NI), then: SOME }, { when: is("1b.3", YES), then: HIGH }] } },
            ],
          },
        },
      ],
    },
  },
};

// ---------------------------------------------------------------- tools

const ANSWER_LABELS = { Y: "Yes", PY: "Probably yes", PN: "Probably no", N: "No", NI: "No information", NA: "Not applicable" };

const OVERALL = {
  kind: "rob2" as const,
  someConcernsFlagAt: 2,
  source: `${WHERE}, 'Reaching an overall risk-of-bias judgement for a specific outcome' (overall judgement table); Sterne et al., BMJ 2019;366:l4898, Table 2`,
};

export const ROB2_ASSIGNMENT: Tool = {
  id: "rob2",
  name: "RoB 2 (individually randomized, parallel group; effect of assignment to intervention)",
  version: "2019-08-22",
  citation: ROB2_GUIDANCE,
  answerLabels: ANSWER_LABELS,
  domains: [ROB2_D1, ROB2_D2_ASSIGNMENT, ROB2_D3, ROB2_D4, ROB2_D5],
  scale: ROB2_SCALE,
  overall: OVERALL,
  // Randomization (D1) concerns the trial; deviations, missing data, measurement and selection of the reported result differ by outcome.
  resultLevel: { domains: ["D2", "D3", "D4", "D5"], source: `${WHERE}, 'Specify the result being assessed' (an assessment is of one result)` },
  notCovered: ["crossover and cluster-randomized variants (only the cluster variant's domain 1b is declared, as ROB2_CRT_D1B)"],
};

export const ROB2_ADHERING: Tool = {
  ...ROB2_ASSIGNMENT,
  id: "rob2-adhering",
  name: "RoB 2 (individually randomized, parallel group; effect of adhering to intervention)",
  domains: [ROB2_D1, ROB2_D2_ADHERING, ROB2_D3, ROB2_D4, ROB2_D5],
};
