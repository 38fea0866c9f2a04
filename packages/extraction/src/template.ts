import type { CodebookFile, CodebookFileItem } from "./codebook-io.js";

type Opt = { code: string; label: string; description?: string | null };
const o = (...labels: string[]): Opt[] =>
  labels.map((label) => ({ code: label.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, ""), label }));

const section = (code: string, label: string, description: string | null = null): CodebookFileItem => ({ code, label, type: "section", description });
const text = (parent: string, code: string, label: string, help: string | null = null): CodebookFileItem => ({ parent, code, label, type: "text", help });
const single = (parent: string, code: string, label: string, options: Opt[], help: string | null = null): CodebookFileItem => ({ parent, code, label, type: "single", options, help });
const multiple = (parent: string, code: string, label: string, options: Opt[], help: string | null = null): CodebookFileItem => ({ parent, code, label, type: "multiple", options, help });
const yesno = (parent: string, code: string, label: string, help: string | null = null): CodebookFileItem => ({ parent, code, label, type: "yesno", help });
const num = (parent: string, code: string, label: string, unit: string | null, min: number | null, max: number | null, integer = false): CodebookFileItem => ({
  parent, code, label, type: integer ? "integer" : "number", unit, min, max,
});
const grid = (parent: string, code: string, label: string, rows: Opt[], columns: Opt[], help: string | null = null): CodebookFileItem => ({ parent, code, label, type: "grid", rows, columns, help });

const ARMS = o("Intervention", "Comparison");

/** PROGRESS-Plus (O'Neill et al. 2014) as the seed review named its characteristics. */
export const PROGRESS_PLUS = [
  { code: "race_ethnicity", label: "Race, ethnicity, culture, language" },
  { code: "sex_gender", label: "Sex, gender" },
  { code: "ses", label: "Socioeconomic status, experience of deprivation" },
  { code: "education", label: "Education" },
  { code: "send", label: "Special educational needs and disabilities (SEND)" },
  { code: "neurodiversity", label: "Neurodiversity" },
  { code: "place", label: "Place of residence" },
  { code: "intersecting", label: "Multiple intersecting disadvantages" },
  { code: "plus", label: "Plus: other characteristics associated with discrimination, time-dependent relationships, features of relationships" },
];

/** Proctor et al. (2011) implementation outcomes. */
export const PROCTOR_OUTCOMES = [
  { code: "acceptability", label: "Acceptability" },
  { code: "adoption", label: "Adoption" },
  { code: "appropriateness", label: "Appropriateness" },
  { code: "feasibility", label: "Feasibility" },
  { code: "fidelity", label: "Fidelity" },
  { code: "reach", label: "Reach/penetration" },
  { code: "sustainability", label: "Sustainability" },
];

/**
 * The data items of the seed review (family reunification interventions,
 * "Data items"), as a codebook a new project can start from: one section per
 * heading, the items under it in the review's order. The review published
 * its answer lists on the OSF; the options here are a starting point to edit.
 */
export function seedCodebookTemplate(): CodebookFile {
  const items: CodebookFileItem[] = [
    section("reference", "Reference"),
    text("reference", "authors", "Authors"),
    num("reference", "year", "Year of publication", null, 1900, 2100, true),
    text("reference", "funding", "Source of funding"),
    text("reference", "conflict_of_interest", "Conflict of interest", "As the authors declare it; \"none declared\" if they say so."),

    section("study", "Study characteristics"),
    single("study", "publication_type", "Type of publication", o("Journal article", "Report", "Thesis or dissertation", "Conference paper", "Other")),
    single("study", "region", "Region", o("Europe", "North America", "South America", "Asia", "Africa", "Oceania")),
    text("study", "country", "Country"),
    text("study", "study_aims", "Study aims"),
    single("study", "study_design", "Study design", o("Randomised controlled trial", "Quasi-experimental design", "Mixed methods", "Qualitative", "Process evaluation")),

    section("intervention", "Intervention details"),
    text("intervention", "intervention_name", "Name of intervention"),
    text("intervention", "intervention_aims", "Aims of intervention"),
    text("intervention", "theory", "Theoretical foundation"),
    text("intervention", "intervention_type", "Type of intervention"),
    single("intervention", "timing", "Timing of intervention", o("Pre-reunification", "Post-reunification", "Both"), "Relative to the child's return home."),
    text("intervention", "practice_elements", "Key practice elements"),
    text("intervention", "therapist_approach", "Therapist's approach"),
    single("intervention", "delivery_method", "Delivery method", o("Individual", "Group", "Family", "Mixed")),
    single("intervention", "delivery_mode", "Delivery mode", o("In person", "Remote", "Mixed")),
    multiple("intervention", "targets", "Who the intervention targets", o("Child or young person", "Parents", "Foster carers", "Whole family", "Practitioners")),
    text("intervention", "setting", "Location/setting of intervention"),
    text("intervention", "provider", "Intervention provider"),
    yesno("intervention", "provider_training", "Specialist training for providers"),
    num("intervention", "duration_weeks", "Intended duration", "weeks", 0, null),
    text("intervention", "frequency", "Intended frequency", "e.g. weekly 90-minute sessions"),

    section("method_quant", "Study method (quantitative studies only)"),
    text("method_quant", "study_timing", "Study timing"),
    text("method_quant", "measurement_timing", "Measurement timing"),

    section("comparison", "Comparison details (quantitative studies only)"),
    num("comparison", "n_groups", "Number of groups", null, 1, 20, true),
    single("comparison", "comparison_treatment", "Treatment for comparison groups", o("No treatment", "Wait list", "Services as usual", "Alternative intervention", "Other")),
    text("comparison", "group_differences", "Reported differences between groups", "e.g. demographic characteristics"),
    single("comparison", "allocation", "Allocation to groups", o("Random", "Non-random")),
    single("comparison", "allocation_unit", "Unit of allocation", o("Individual", "Family", "Cluster")),
    text("comparison", "allocation_method", "Method of allocation"),
    num("comparison", "loss_to_follow_up", "Loss to follow-up", "%", 0, 100),
    yesno("comparison", "attrition_differences", "Differences in those lost to follow-up"),
    text("comparison", "baseline_values", "Baseline values of key variables"),

    section("method_qual", "Study method (qualitative studies and process evaluations)"),
    multiple("method_qual", "data_collection", "Data collection methods", o("Interviews", "Focus groups", "Observation", "Survey", "Document analysis")),
    multiple("method_qual", "data_from", "Who the data was collected from", o("Children and young people", "Parents", "Foster carers", "Practitioners", "Other")),

    section("sample", "Study sample details"),
    num("sample", "n_participants", "Total number of participants", null, 0, null, true),
    text("sample", "inclusion_criteria", "Inclusion criteria"),
    text("sample", "exclusion_criteria", "Exclusion criteria"),
    grid("sample", "sample_characteristics", "Sample characteristics per group", ARMS, o("Number", "Average age", "Ethnicity", "Gender", "Special educational needs"), "One row per group, as reported."),
    text("sample", "reasons_for_care", "Reasons for out-of-home care"),
    text("sample", "care_experience", "Details on care experience"),
    text("sample", "family_composition", "Family composition"),
    single("sample", "family_location", "Location of families", o("Rural", "Urban", "Mixed", "Unclear")),
    text("sample", "family_ses", "Family socioeconomic status"),
    text("sample", "family_culture", "Family cultural context", "Religion, nationality, language spoken at home."),

    section("equity", "Equity information (PROGRESS-Plus)", "Whether outcomes, or the implementation of the intervention, differed for groups by each characteristic."),
    grid("equity", "equity_differences", "Differences by PROGRESS-Plus characteristic", PROGRESS_PLUS, o("Differential outcomes", "Differences in implementation"), "Say what the study reports; leave a cell empty when it reports nothing."),

    section("outcomes", "Outcome data (quantitative studies only)"),
    text("outcomes", "outcome_description", "Outcome description", "As defined in the review's effectiveness outcomes."),
    single("outcomes", "direction", "Direction of effect", o("Higher is better", "Higher is worse")),
    text("outcomes", "outcome_methods", "Methods used to collect outcome data"),
    text("outcomes", "author_description", "Author description of outcome"),
    grid(
      "outcomes", "outcome_statistics", "Outcome statistics per group",
      ARMS, o("N", "With the outcome", "Without the outcome", "Percentage", "Mean", "SD", "SE"),
      "Dichotomous: numbers with and without the outcome (or the percentage); continuous: means with SDs or SEs.",
    ),
    num("outcomes", "odds_ratio", "Odds ratio", null, 0, null),
    num("outcomes", "t_value", "t value", null, null, null),
    num("outcomes", "p_value", "p value", null, 0, 1),
    num("outcomes", "regression_coefficient", "Regression coefficient", null, null, null),
    text("outcomes", "results_summary", "Summary of study results", "Including the statistical data as reported."),
    text("outcomes", "narrative_summary", "Narrative summary of findings"),

    section("implementation", "Implementation details"),
    grid("implementation", "proctor", "Barriers and facilitators by implementation outcome (Proctor et al. 2011)", PROCTOR_OUTCOMES, o("Barriers", "Facilitators")),
    text("implementation", "changes", "Changes made to the intervention based on implementation findings"),
    text("implementation", "cost", "Summary of any cost data"),
  ];
  // Outcome data is asked once per outcome of the study.
  const perOutcome = items.map((i) => (i.code === "outcomes" || i.parent === "outcomes" ? { ...i, scope: "outcome" as const } : i));
  return { format: "homeward-codebook", version: 1, title: "Reunification review data items", items: perOutcome };
}
