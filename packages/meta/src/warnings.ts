/**
 * Warnings that travel with an answer: results that are computed correctly
 * but should not be read plainly. Each names what it qualifies (`about`, a
 * key of the answer, and `item`, the row within it), so a front end can show
 * it beside that number rather than in a list of its own.
 */
import type { RobustResult } from "./robust.js";
import type { SubgroupAnalysis } from "./diagnostics/subgroups.js";

export type MetaWarningCode =
  /** A CR2 coefficient test with Satterthwaite df below SMALL_DF. */
  | "robust-small-df"
  /** The HTZ test with denominator df below SMALL_DF. */
  | "robust-test-small-df"
  /** A subgroup level with one study: no pooled estimate, left out of Q_B. */
  | "subgroup-single-study"
  /** A subgroup level whose model could not be fitted, left out of Q_B. */
  | "subgroup-not-fitted"
  /** Fewer than two subgroup levels have an estimate, so there is no Q_B. */
  | "subgroup-no-between-test";

export interface MetaWarning {
  code: MetaWarningCode;
  /** One line, for people. */
  message: string;
  /** Key of the answer the warning qualifies: "robust.coefficients", "robust.QM", "subgroups", "subgroups.QB". */
  about: string;
  /** The row it qualifies within `about`: a coefficient's term or a subgroup level. */
  item?: string;
}

/**
 * Satterthwaite (and HTZ denominator) degrees of freedom below which a
 * cluster-robust test is flagged. Tipton (2015, "Small sample adjustments
 * for robust variance estimation with meta-regression", Psychological
 * Methods 20(3):375–393) found Type I error above nominal when these df
 * fall below 4 and advised against trusting such tests; robumeta 2.0's
 * `robu(small = TRUE)` prints "Note: If df < 4, do not trust the results"
 * for the same corrections. clubSandwich 0.5.8, whose numbers `robust`
 * reproduces, reports the df without a note (neither `coef_test`,
 * `Wald_test` nor their print methods carry one), so the warning is ours.
 */
export const SMALL_DF = 4;

const df2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : String(x));

export function robustWarnings(r: Pick<RobustResult, "coefficients" | "QM" | "QMdf">): MetaWarning[] {
  const out: MetaWarning[] = [];
  for (const c of r.coefficients) {
    if (c.df !== null && c.df < SMALL_DF) {
      out.push({
        code: "robust-small-df",
        message: `"${c.term}": Satterthwaite df = ${df2(c.df)}, below ${SMALL_DF}; its p-value and confidence interval may be unreliable (Tipton 2015)`,
        about: "robust.coefficients",
        item: c.term,
      });
    }
  }
  const den = r.QMdf[1];
  if (den < SMALL_DF) {
    out.push({
      code: "robust-test-small-df",
      message: `HTZ test: F = ${r.QM.toPrecision(4)} on ${r.QMdf[0]} and ${df2(den)} df; with denominator df below ${SMALL_DF} its p-value may be unreliable (Tipton 2015)`,
      about: "robust.QM",
    });
  }
  return out;
}

export function subgroupWarnings(s: SubgroupAnalysis): MetaWarning[] {
  const out: MetaWarning[] = [];
  s.levels.forEach((level, g) => {
    const why = s.notEstimated[g];
    if (why === null) return;
    out.push(
      (s.studies?.[g] ?? s.k[g]) === 1
        ? { code: "subgroup-single-study", message: `subgroup "${level}" has one study (${s.k[g]} ${s.k[g] === 1 ? "outcome" : "outcomes"}): no subgroup estimate, and it is left out of the between-subgroups test`, about: "subgroups", item: level }
        : { code: "subgroup-not-fitted", message: `subgroup "${level}" (${s.k[g]} outcomes) could not be fitted (${why}); it is left out of the between-subgroups test`, about: "subgroups", item: level },
    );
  });
  if (!Number.isFinite(s.QB)) {
    out.push({ code: "subgroup-no-between-test", message: "fewer than two subgroups have an estimate, so there is no between-subgroups test", about: "subgroups.QB" });
  }
  return out;
}
