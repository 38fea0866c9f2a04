import { ROBVIS_COLOURS } from "../scales.js";
import type { AnswerCode, Citation, Condition, Domain, Question, Scale, Tool, Tree } from "../types.js";

/**
 * ROBINS-I V2 for follow-up (cohort) studies, draft of 20 November 2025.
 *
 * The tool's domain algorithms are printed as flowchart figures (domain 1
 * variant A p. 20, variant B p. 24, domain 2 p. 28, domain 3 p. 32, domain 4
 * p. 38, domain 5 p. 41, domain 6 p. 47) and the overall rule as a table
 * (p. 49). The figures are images without text, and the PDF could not be
 * read here; the trees below follow two independent public transcriptions of
 * those figures, edge by edge:
 *
 *   [T1] Black Swan Causal Labs, robins-i-mcp, robins_i_mcp/algorithms.py and
 *        TRANSCRIPTION-NOTES.md (traced from the 20 Nov 2025 cribsheet PDF);
 *   [T2] CoRATES, ROBINSIChecklist/scoring/decision-diagrams/domain-*.md.
 *
 * Where they agree the path proposes their judgement. Where they disagree,
 * the path is left open (`open` leaf): nothing is proposed and the assessor
 * judges, told which figure to check. Two disagreements are settled by text
 * the tool prints outside the figures, said where they are.
 */

const V2: Citation = {
  title: "Risk Of Bias In Non-randomized Studies – of Interventions, Version 2 (ROBINS-I V2): assessment tool for follow-up (cohort) studies",
  authors: "Sterne JAC, Higgins JPT and the ROBINS-I V2 development group",
  year: 2025,
  edition: "20 November 2025 (draft, subject to change)",
  url: "https://www.riskofbias.info/welcome/robins-i-v2",
};

const WHERE = "ROBINS-I V2 tool (20 November 2025), signalling question";
const STD: readonly AnswerCode[] = ["Y", "PY", "PN", "N", "NI"];
const STD_NO_NI: readonly AnswerCode[] = ["Y", "PY", "PN", "N"];
/** "Weak no" (not substantial) and "strong no" (probably substantial) in place of PN and N. */
const WEAK_STRONG_NO: readonly AnswerCode[] = ["Y", "PY", "WN", "SN", "NI"];
/** "Strong yes" (substantially) and "weak yes" (not substantially) in place of Y and PY. */
const WEAK_STRONG_YES: readonly AnswerCode[] = ["SY", "WY", "PN", "N", "NI"];

const YES = ["Y", "PY"];
const NO = ["N", "PN"];
const NO_NI = ["N", "PN", "NI"];
const is = (q: string, answers: readonly AnswerCode[]): Condition => ({ q, in: answers });
const j = (judgement: string): Tree => ({ judgement });
const split = (...branches: [Condition, Tree][]): Tree => ({ branches: branches.map(([when, then]) => ({ when, then })) });

/** Domain 1's best judgement: confounding can never be ruled out in a non-randomized study (the tool's footnote, p. 4). */
export const LOW_EXCEPT_CONFOUNDING = "Low (except for concerns about uncontrolled confounding)";
const LOW = "Low", MODERATE = "Moderate", SERIOUS = "Serious", CRITICAL = "Critical";

/** A path the two transcriptions read differently: no proposal; the assessor judges from the figure. */
const open = (page: number, t1: string, t2: string): Tree => ({
  judgement: null,
  open: `the transcriptions of the flowchart on p. ${page} of the tool disagree on this path (one reads ${t1}, the other ${t2}); judge from the tool's figure`,
});

function q(id: string, label: string, options: readonly AnswerCode[], extra: Partial<Question> = {}): Question {
  return { id, label, text: null, wordingAt: `${WHERE} ${id}`, options, ...extra };
}

export const ROBINS_I_V2_SCALE: Scale = {
  levels: [
    { label: LOW, severity: 0, robvis: "Low", colour: ROBVIS_COLOURS.low },
    { label: LOW_EXCEPT_CONFOUNDING, severity: 0, robvis: "Low", colour: ROBVIS_COLOURS.low },
    { label: MODERATE, severity: 1, robvis: "Moderate", colour: ROBVIS_COLOURS.concerns },
    { label: SERIOUS, severity: 2, robvis: "Serious", colour: ROBVIS_COLOURS.high },
    { label: CRITICAL, severity: 3, robvis: "Critical", colour: ROBVIS_COLOURS.critical },
  ],
  source: "ROBINS-I V2 (20 November 2025): Low / Moderate / Serious / Critical, domain 1's Low read as 'Low (except for concerns about uncontrolled confounding)' (p. 4); V2 has no 'No information' judgement. Colours: robvis.",
};

// ---------------------------------------------------------------- B: whether to proceed

const PROCEED = "Proceed";
/** The domains are assessed only when section B does not end the assessment at Critical. */
const PROCEEDS: Condition = { all: [is("B3", NO), { any: [is("B1", YES), is("B2", NO)] }] };

export const ROBINS_I_V2_B: Domain = {
  id: "B",
  name: "Decision whether to proceed with the risk-of-bias assessment (section B)",
  judgements: [PROCEED, CRITICAL],
  questions: [
    q("B1", "Any attempt to control for confounding", STD_NO_NI),
    q("B2", "Confounding so likely that the result should not be considered further", STD_NO_NI, {
      askedWhen: is("B1", NO),
      askedWhenText: "if N/PN to B1",
      help: "Yes or probably yes ends the assessment: the result is at Critical risk of bias.",
    }),
    q("B3", "Outcome measured by an inappropriate method", STD_NO_NI, { help: "Yes or probably yes ends the assessment: the result is at Critical risk of bias." }),
  ],
  algorithm: {
    kind: "tree",
    source: "ROBINS-I V2 (20 Nov 2025), section B: Y/PY to B2 or B3 puts the result at Critical risk of bias and ends the assessment",
    tree: split(
      [is("B3", YES), j(CRITICAL)],
      [is("B3", NO), split([is("B2", YES), j(CRITICAL)], [is("B2", [...NO, "NA"]), j(PROCEED)])],
    ),
  },
};

// ---------------------------------------------------------------- D1: confounding

/** 1.4 after adjustment for post-intervention variables (1.3 Y/PY), then 1.2: the box [T2] draws without its arrow, [T1] with it (p. 20). */
const D1A_POST_INTERVENTION = split([is("1.4", YES), j(CRITICAL)], [is("1.4", NO), split([is("1.2", YES), j(SERIOUS)], [is("1.2", ["WN", "SN", "NI"]), j(CRITICAL)])]);

export const ROBINS_I_V2_D1_ITT: Domain = {
  id: "D1",
  name: "Bias due to confounding (variant A: intention-to-treat effect, baseline confounding)",
  questions: [
    q("1.1", "All important confounding factors controlled for", WEAK_STRONG_NO, {
      help: "Weak no: some not controlled for, not substantially; strong no: probably substantially.",
    }),
    q("1.2", "Controlled confounders measured validly and reliably", ["NA", ...WEAK_STRONG_NO], { askedWhen: is("1.1", [...YES, "WN"]), askedWhenText: "if Y/PY/WN to 1.1" }),
    q("1.3", "Post-intervention variables controlled for", ["NA", ...STD], { askedWhen: is("1.1", [...YES, "WN"]), askedWhenText: "if Y/PY/WN to 1.1" }),
    q("1.4", "Negative controls or other evidence suggest serious uncontrolled confounding", STD_NO_NI),
  ],
  algorithm: {
    kind: "tree",
    source: "ROBINS-I V2 (20 Nov 2025), domain 1 variant A algorithm (figure, p. 20), as transcribed by [T1] and [T2]",
    tree: split(
      [
        is("1.1", YES),
        split(
          [
            is("1.3", NO_NI),
            split(
              [is("1.2", YES), split([is("1.4", NO), j(LOW_EXCEPT_CONFOUNDING)], [is("1.4", YES), open(20, SERIOUS, MODERATE)])],
              [is("1.2", ["WN"]), split([is("1.4", NO), open(20, MODERATE, LOW_EXCEPT_CONFOUNDING)], [is("1.4", YES), open(20, SERIOUS, MODERATE)])],
              [is("1.2", ["SN", "NI"]), j(SERIOUS)],
            ),
          ],
          [is("1.3", YES), D1A_POST_INTERVENTION],
        ),
      ],
      [
        is("1.1", ["WN"]),
        split(
          [
            is("1.3", NO_NI),
            split(
              [is("1.2", [...YES, "WN"]), split([is("1.4", NO), open(20, MODERATE, LOW_EXCEPT_CONFOUNDING)], [is("1.4", YES), open(20, SERIOUS, MODERATE)])],
              [is("1.2", ["SN", "NI"]), j(SERIOUS)],
            ),
          ],
          [is("1.3", YES), D1A_POST_INTERVENTION],
        ),
      ],
      [is("1.1", ["SN", "NI"]), split([is("1.4", NO), j(SERIOUS)], [is("1.4", YES), j(CRITICAL)])],
    ),
  },
};

export const ROBINS_I_V2_D1_PER_PROTOCOL: Domain = {
  id: "D1",
  name: "Bias due to confounding (variant B: per-protocol effect, baseline and time-varying confounding)",
  questions: [
    q("1.1", "Analysis method appropriate for time-varying as well as baseline confounding", STD),
    q("1.2", "All important baseline and time-varying confounding factors controlled for", ["NA", ...WEAK_STRONG_NO], { askedWhen: is("1.1", YES), askedWhenText: "if Y/PY to 1.1" }),
    q("1.3", "Controlled confounders measured validly and reliably", ["NA", ...WEAK_STRONG_NO], { askedWhen: is("1.2", [...YES, "WN"]), askedWhenText: "if Y/PY/WN to 1.2" }),
    q("1.4", "Time-varying factors or other post-start variables controlled for", ["NA", ...STD], { askedWhen: is("1.1", NO_NI), askedWhenText: "if N/PN/NI to 1.1" }),
    q("1.5", "Negative controls or other evidence suggest serious uncontrolled confounding", STD_NO_NI),
  ],
  algorithm: {
    kind: "tree",
    // [T2] ends the 1.3 Y/PY, 1.5 N/PN path at plain Low; [T1] reads the figure's Low box as unreachable and the tool's footnote (p. 4) makes domain 1's best judgement the qualified one, which both transcriptions' domain 1 variant A reach.
    source: "ROBINS-I V2 (20 Nov 2025), domain 1 variant B algorithm (figure, p. 24), as transcribed by [T1] and [T2]; footnote p. 4 for the qualified Low",
    tree: split(
      [
        is("1.1", YES),
        split(
          [
            is("1.2", YES),
            split(
              [is("1.3", YES), split([is("1.5", NO), j(LOW_EXCEPT_CONFOUNDING)], [is("1.5", YES), open(24, SERIOUS, MODERATE)])],
              [is("1.3", ["WN"]), split([is("1.5", NO), open(24, MODERATE, LOW_EXCEPT_CONFOUNDING)], [is("1.5", YES), j(SERIOUS)])],
              [is("1.3", ["SN", "NI"]), j(SERIOUS)],
            ),
          ],
          [
            is("1.2", ["WN"]),
            split(
              [is("1.3", [...YES, "WN"]), split([is("1.5", NO), open(24, MODERATE, LOW_EXCEPT_CONFOUNDING)], [is("1.5", YES), j(SERIOUS)])],
              [is("1.3", ["SN", "NI"]), j(SERIOUS)],
            ),
          ],
          [is("1.2", ["SN", "NI"]), j(SERIOUS)],
        ),
      ],
      [is("1.1", NO_NI), split([is("1.4", YES), j(CRITICAL)], [is("1.4", NO_NI), split([is("1.5", NO), j(SERIOUS)], [is("1.5", YES), j(CRITICAL)])])],
    ),
  },
};

// ---------------------------------------------------------------- D2: classification of interventions

/** 2.5 from a level on the ladder: N/PN keeps it, Y/PY/NI raises it by one. */
const d2Errors = (atNo: string, atYes: string): Tree => split([is("2.5", NO), j(atNo)], [is("2.5", ["Y", "PY", "NI"]), j(atYes)]);
/** 2.4 when the strategies are distinguishable at the start of follow-up (2.1 or 2.2 Y/PY): both transcriptions agree. */
const D2_DISTINGUISHABLE = split(
  [is("2.4", NO), d2Errors(LOW, MODERATE)],
  [is("2.4", ["WY", "NI"]), d2Errors(MODERATE, SERIOUS)],
  [is("2.4", ["SY"]), d2Errors(SERIOUS, CRITICAL)],
);

export const ROBINS_I_V2_D2: Domain = {
  id: "D2",
  name: "Bias in classification of interventions",
  questions: [
    q("2.1", "Strategies distinguishable when follow-up would start in the target trial", STD),
    q("2.2", "Nearly all outcome events after the strategies could be distinguished", ["NA", ...STD], { askedWhen: is("2.1", NO_NI), askedWhenText: "if N/PN/NI to 2.1" }),
    q("2.3", "Analysis avoided problems from strategies not distinguishable at the start", ["NA", ...WEAK_STRONG_YES], { askedWhen: is("2.2", NO_NI), askedWhenText: "if N/PN/NI to 2.2" }),
    q("2.4", "Classification influenced by knowledge of the outcome or its risk", WEAK_STRONG_YES, { help: "Strong yes: substantially; weak yes: not substantially." }),
    q("2.5", "Further classification errors likely", STD),
  ],
  algorithm: {
    kind: "tree",
    source: "ROBINS-I V2 (20 Nov 2025), domain 2 algorithm (figure, p. 28), as transcribed by [T1] and [T2]",
    tree: split(
      [is("2.1", YES), D2_DISTINGUISHABLE],
      [
        is("2.1", NO_NI),
        split(
          [is("2.2", YES), D2_DISTINGUISHABLE],
          [
            is("2.2", NO_NI),
            split(
              // [T1] reads SY to 2.3 as entering at the lowest level, [T2] one level up.
              [
                is("2.3", ["SY"]),
                split(
                  [is("2.4", NO), split([is("2.5", NO), open(28, LOW, MODERATE)], [is("2.5", ["Y", "PY", "NI"]), open(28, MODERATE, SERIOUS)])],
                  [is("2.4", ["WY", "NI"]), open(28, "Moderate or Serious by 2.5", "no route")],
                  [is("2.4", ["SY"]), d2Errors(SERIOUS, CRITICAL)],
                ),
              ],
              [
                is("2.3", ["WY", "NI"]),
                split(
                  [is("2.4", NO), d2Errors(MODERATE, SERIOUS)],
                  [is("2.4", ["WY", "NI"]), open(28, "Serious or Critical by 2.5", "no route")],
                  [is("2.4", ["SY"]), split([is("2.5", NO), open(28, CRITICAL, SERIOUS)], [is("2.5", ["Y", "PY", "NI"]), j(CRITICAL)])],
                ),
              ],
              [is("2.3", NO), split([is("2.4", NO), d2Errors(SERIOUS, CRITICAL)], [is("2.4", ["WY", "NI", "SY"]), j(CRITICAL)])],
            ),
          ],
        ),
      ],
    ),
  },
};

// ---------------------------------------------------------------- D3: selection of participants

/** Entered when panel A or B is Serious (the tool gates 3.6 on SN to 3.1 or Y/PY to 3.5); its result replaces the panels'. */
const D3_CORRECTION = split(
  [is("3.6", YES), j(MODERATE)],
  [is("3.6", NO_NI), split([is("3.7", YES), j(MODERATE)], [is("3.7", NO_NI), split([is("3.8", NO_NI), j(SERIOUS)], [is("3.8", YES), j(CRITICAL)])])],
);
const PANEL_A_SERIOUS = is("3.1", ["SN"]);
const RANK: Record<string, number> = { [LOW]: 0, [MODERATE]: 1, [SERIOUS]: 2 };

/**
 * Panel A (prevalent users, immortal time: 3.1–3.2) and panel B (other
 * selection: 3.3–3.5) each come to Low, Moderate or Serious; the domain is
 * the worse of the two, unless one is Serious, when 3.6–3.8 decide.
 */
function d3Tree(): Tree {
  const combined = (a: string, b: string): Tree => (a === SERIOUS || b === SERIOUS ? D3_CORRECTION : j(RANK[a]! >= RANK[b]! ? a : b));
  const panelB = (a: string): Tree =>
    split(
      [is("3.3", NO), combined(a, LOW)],
      [is("3.3", ["NI"]), combined(a, MODERATE)],
      [
        is("3.3", YES),
        split(
          [is("3.4", NO), combined(a, LOW)],
          [is("3.4", ["NI"]), combined(a, MODERATE)],
          [is("3.4", YES), split([is("3.5", NO_NI), combined(a, MODERATE)], [is("3.5", YES), combined(a, SERIOUS)])],
        ),
      ],
    );
  return split([is("3.1", YES), split([is("3.2", NO_NI), panelB(LOW)], [is("3.2", YES), panelB(MODERATE)])], [is("3.1", ["WN", "NI"]), panelB(MODERATE)], [PANEL_A_SERIOUS, panelB(SERIOUS)]);
}

export const ROBINS_I_V2_D3: Domain = {
  id: "D3",
  name: "Bias in selection of participants into the study (or into the analysis)",
  questions: [
    q("3.1", "Follow-up began at the start of the strategies compared", WEAK_STRONG_NO),
    q("3.2", "Early outcome events after the start excluded from the analysis", STD, { askedWhen: is("3.1", YES), askedWhenText: "if Y/PY to 3.1" }),
    q("3.3", "Selection based on characteristics observed after the start of intervention", STD),
    q("3.4", "Those post-intervention variables associated with intervention", ["NA", ...STD], { askedWhen: is("3.3", YES), askedWhenText: "if Y/PY to 3.3" }),
    q("3.5", "Those variables influenced by the outcome or a cause of it", ["NA", ...STD], { askedWhen: is("3.4", YES), askedWhenText: "if Y/PY to 3.4" }),
    q("3.6", "Analysis likely corrected for all these selection biases", ["NA", ...STD], {
      askedWhen: { any: [PANEL_A_SERIOUS, is("3.5", YES)] },
      askedWhenText: "if SN to 3.1 or Y/PY to 3.5",
    }),
    q("3.7", "Sensitivity analyses showed their likely impact minimal", ["NA", ...STD], { askedWhen: is("3.6", NO_NI), askedWhenText: "if N/PN/NI to 3.6" }),
    q("3.8", "Selection biases so severe the result should not enter a quantitative synthesis", ["NA", ...STD], { askedWhen: is("3.7", NO_NI), askedWhenText: "if N/PN/NI to 3.7" }),
  ],
  algorithm: {
    kind: "tree",
    source: "ROBINS-I V2 (20 Nov 2025), domain 3 algorithm (figure, p. 32): panels A and B, the worse of the two, and questions 3.6–3.8 when either is Serious; [T1] and [T2] agree",
    tree: d3Tree(),
  },
};

// ---------------------------------------------------------------- D4: missing data

/** 4.11 from a level: evidence that the result is not biased keeps the level, no evidence raises it by one. */
const d4Evidence = (atYes: string, atNo: string): Tree => split([is("4.11", YES), j(atYes)], [is("4.11", NO), j(atNo)]);
const D4_BY_HANDLING = (q: string): Tree => split([is(q, YES), j(LOW)], [is(q, ["WN", "NI"]), d4Evidence(MODERATE, SERIOUS)], [is(q, ["SN"]), d4Evidence(SERIOUS, CRITICAL)]);
const INCOMPLETE: Condition = { any: [is("4.1", NO_NI), is("4.2", NO_NI), is("4.3", NO_NI)] };

export const ROBINS_I_V2_D4: Domain = {
  id: "D4",
  name: "Bias due to missing data",
  questions: [
    q("4.1", "Complete data on intervention status", STD),
    q("4.2", "Complete data on the outcome", STD),
    q("4.3", "Complete data on important confounders", STD),
    q("4.4", "Result based on a complete-case analysis", ["NA", ...STD], { askedWhen: INCOMPLETE, askedWhenText: "if N/PN/NI to 4.1, 4.2 or 4.3" }),
    q("4.5", "Exclusion for missing data likely related to the true outcome", ["NA", ...STD], { askedWhen: is("4.4", ["Y", "PY", "NI"]), askedWhenText: "if Y/PY/NI to 4.4" }),
    q("4.6", "Outcome–missingness relationship explained by the analysis model", ["NA", ...WEAK_STRONG_NO], { askedWhen: is("4.5", ["Y", "PY", "NI"]), askedWhenText: "if Y/PY/NI to 4.5" }),
    // The tool prints NA/Y/PY/PN/NI for 4.7, but its flowchart (p. 38) branches on N/PN/NI; N is allowed ([T1], erratum noted there).
    q("4.7", "Analysis based on imputing missing values", ["NA", ...STD], { askedWhen: is("4.4", NO), askedWhenText: "if N/PN to 4.4" }),
    q("4.8", "Missing at random (or completely at random) reasonable", ["NA", ...STD], { askedWhen: is("4.7", YES), askedWhenText: "if Y/PY to 4.7" }),
    q("4.9", "Imputation performed appropriately", ["NA", ...WEAK_STRONG_NO], { askedWhen: is("4.8", YES), askedWhenText: "if Y/PY to 4.8" }),
    q("4.10", "An appropriate alternative method corrected for missing data", ["NA", ...WEAK_STRONG_NO], { askedWhen: is("4.7", NO_NI), askedWhenText: "if N/PN/NI to 4.7" }),
    q("4.11", "Evidence that the result was not biased by missing data", ["NA", ...STD_NO_NI], {
      askedWhen: { all: [INCOMPLETE, { any: [is("4.5", ["Y", "PY", "NI"]), is("4.9", ["WN", "SN", "NI"]), is("4.10", ["WN", "SN", "NI"])] }] },
      askedWhenText: "if N/PN/NI to 4.1, 4.2 or 4.3 and (Y/PY/NI to 4.5, or WN/SN/NI to 4.9 or 4.10)",
    }),
  ],
  algorithm: {
    kind: "tree",
    source: "ROBINS-I V2 (20 Nov 2025), domain 4 algorithm (figure, p. 38), as transcribed by [T1] and [T2]; the gate of 4.11 (printed in the tool) for 4.8 N/PN/NI",
    tree: split(
      [{ all: [is("4.1", YES), is("4.2", YES), is("4.3", YES)] }, j(LOW)],
      [
        INCOMPLETE,
        split(
          [
            is("4.4", ["Y", "PY", "NI"]),
            split(
              [is("4.5", NO), j(LOW)],
              [
                is("4.5", ["Y", "PY", "NI"]),
                split(
                  [is("4.6", YES), split([is("4.11", YES), open(38, LOW, MODERATE)], [is("4.11", NO), open(38, MODERATE, SERIOUS)])],
                  [is("4.6", ["WN", "NI"]), d4Evidence(MODERATE, SERIOUS)],
                  [is("4.6", ["SN"]), d4Evidence(SERIOUS, CRITICAL)],
                ),
              ],
            ),
          ],
          [
            is("4.4", NO),
            split(
              // [T1] ends 4.8 N/PN/NI at Serious; [T2] routes it to 4.11, which the tool's printed gate for 4.11 does not ask after 4.8: Serious.
              [is("4.7", YES), split([is("4.8", YES), D4_BY_HANDLING("4.9")], [is("4.8", NO_NI), j(SERIOUS)])],
              [is("4.7", NO_NI), D4_BY_HANDLING("4.10")],
            ),
          ],
        ),
      ],
    ),
  },
};

// ---------------------------------------------------------------- D5: measurement of the outcome

export const ROBINS_I_V2_D5: Domain = {
  id: "D5",
  name: "Bias in measurement of the outcome",
  questions: [
    q("5.1", "Measurement or ascertainment could have differed between groups", STD),
    q("5.2", "Outcome assessors aware of the intervention received", STD),
    q("5.3", "Assessment could have been influenced by that knowledge", ["NA", ...WEAK_STRONG_YES], { askedWhen: is("5.2", ["Y", "PY", "NI"]), askedWhenText: "if Y/PY/NI to 5.2" }),
  ],
  algorithm: {
    kind: "tree",
    source: "ROBINS-I V2 (20 Nov 2025), domain 5 algorithm (figure, p. 41); [T1] and [T2] agree",
    tree: split(
      [is("5.1", YES), j(SERIOUS)],
      [is("5.1", NO), split([is("5.2", NO), j(LOW)], [is("5.2", ["Y", "PY", "NI"]), split([is("5.3", NO), j(LOW)], [is("5.3", ["WY", "NI"]), j(MODERATE)], [is("5.3", ["SY"]), j(SERIOUS)])])],
      [is("5.1", ["NI"]), split([is("5.2", NO), j(MODERATE)], [is("5.2", ["Y", "PY", "NI"]), split([is("5.3", ["WY", "PN", "N", "NI"]), j(MODERATE)], [is("5.3", ["SY"]), j(SERIOUS)])])],
    ),
  },
};

// ---------------------------------------------------------------- D6: selection of the reported result

const SELECTION = ["6.2", "6.3", "6.4"] as const;
/** Every combination of answers to 6.2–6.4 with `yes` of them Y/PY and `ni` NI (the band rule counts them). */
function bands(): [Condition, Tree][] {
  const out: [Condition, Tree][] = [];
  const yes = (n: number, ni: number): string => (n >= 2 ? CRITICAL : n === 1 || ni === 3 ? SERIOUS : ni >= 1 ? MODERATE : LOW);
  const kinds = [YES, ["NI"], NO] as const;
  for (const a of kinds)
    for (const b of kinds)
      for (const c of kinds) {
        const picks = [a, b, c];
        const n = picks.filter((x) => x === YES).length;
        const ni = picks.filter((x) => x[0] === "NI").length;
        out.push([{ all: SELECTION.map((qid, i) => is(qid, picks[i]!)) }, j(yes(n, ni))]);
      }
  return out;
}

export const ROBINS_I_V2_D6: Domain = {
  id: "D6",
  name: "Bias in selection of the reported result",
  questions: [
    q("6.1", "Result reported as in a pre-specified analysis plan", STD),
    q("6.2", "Result selected from multiple outcome measurements", STD),
    q("6.3", "Result selected from multiple analyses", STD),
    q("6.4", "Result selected from multiple subgroups", STD),
  ],
  algorithm: {
    kind: "tree",
    // "All NI" meets both the Moderate band (at least one NI, no Y/PY) and the Serious band (one Y/PY or all NI); both transcriptions take the more specific, Serious.
    source:
      "ROBINS-I V2 (20 Nov 2025), domain 6 algorithm (p. 47): 6.1 Y/PY Low; otherwise from 6.2–6.4, all N/PN Low, some NI and no Y/PY Moderate, one Y/PY or all NI Serious, two or more Y/PY Critical; [T1] and [T2] agree",
    tree: split([is("6.1", YES), j(LOW)], [is("6.1", NO_NI), { branches: bands().map(([when, then]) => ({ when, then })) }]),
  },
};

// ---------------------------------------------------------------- the tools

const notCovered = [
  "the flowcharts are followed as two public transcriptions read them (see the declaration's source); paths they read differently propose nothing and say so; not checked against the tool's PDF here",
  "the planning stage (confounding factors listed in advance) and the per-factor confounding table; sections A, C and D are the assessor's notes",
  "the optional predicted direction of bias per domain",
  "signalling-question wording: the tool is CC BY-NC-ND; the form shows short labels in this package's words and where to read each question",
];

const OVERALL = {
  kind: "most-severe-after-triage" as const,
  triage: "B",
  stop: CRITICAL,
  allLowest: LOW_EXCEPT_CONFOUNDING,
  source: "ROBINS-I V2 (20 Nov 2025), overall risk-of-bias judgement (p. 49): the most severe domain judgement; several Moderate domains may make it Serious and several Serious domains Critical, at the assessor's judgement",
};

const proceeding = (d: Domain): Domain => ({ ...d, appliesWhen: PROCEEDS });

/** Variant A (C4 "No": the analysis estimates the intention-to-treat effect). */
export const ROBINS_I_V2: Tool = {
  id: "robins-i-v2",
  name: "ROBINS-I V2 (follow-up studies; intention-to-treat effect, domain 1 variant A)",
  version: "2025",
  citation: V2,
  answerLabels: {
    Y: "Yes",
    PY: "Probably yes",
    PN: "Probably no",
    N: "No",
    NI: "No information",
    NA: "Not applicable",
    WN: "No, but not substantially",
    SN: "No, and probably substantially",
    SY: "Yes, substantially",
    WY: "Yes, but not substantially",
  },
  domains: [ROBINS_I_V2_B, ...[ROBINS_I_V2_D1_ITT, ROBINS_I_V2_D2, ROBINS_I_V2_D3, ROBINS_I_V2_D4, ROBINS_I_V2_D5, ROBINS_I_V2_D6].map(proceeding)],
  scale: ROBINS_I_V2_SCALE,
  overall: OVERALL,
  resultLevel: { domains: ["D1", "D2", "D3", "D4", "D5", "D6"], source: "ROBINS-I V2 (20 Nov 2025), section A: the assessment is of one specified numerical result" },
  notCovered,
};

/** Variant B (C4 "Yes": the analysis estimates the per-protocol effect; domain 1 addresses time-varying confounding). */
export const ROBINS_I_V2_PER_PROTOCOL: Tool = {
  ...ROBINS_I_V2,
  id: "robins-i-v2-per-protocol",
  name: "ROBINS-I V2 (follow-up studies; per-protocol effect, domain 1 variant B)",
  domains: [ROBINS_I_V2_B, ...[ROBINS_I_V2_D1_PER_PROTOCOL, ROBINS_I_V2_D2, ROBINS_I_V2_D3, ROBINS_I_V2_D4, ROBINS_I_V2_D5, ROBINS_I_V2_D6].map(proceeding)],
};
