/** Estimators of the between-study variance τ² in `rma`. */
export type Method = "REML" | "ML" | "DL" | "PM" | "HE" | "SJ" | "EB" | "FE";
/** Estimators of the variance components in `rmaMv`. */
export type MvMethod = "REML" | "ML";
/**
 * Inference for the coefficients: "z" (standard normal) or "t". In `rma`,
 * "t" is the Knapp & Hartung (2003) adjustment (metafor's `test = "knha"`);
 * in `rmaMv` it is a t distribution with k − p df (metafor's `test = "t"`).
 */
export type Test = "z" | "t";

/** One row of a coefficient table. */
export interface Coefficient {
  term: string;
  estimate: number;
  se: number;
  /** z or t statistic. */
  statistic: number;
  /** Degrees of freedom of the t reference distribution; null for z tests. */
  df: number | null;
  p: number;
  ciLower: number;
  ciUpper: number;
}

/** Omnibus test of the moderators (or of the only coefficient). */
export interface OmnibusTest {
  /** χ² statistic (z test) or F statistic (t test). */
  QM: number;
  /** [df] for χ², [df1, df2] for F. */
  QMdf: [number] | [number, number];
  QMp: number;
  /** 0-based indices of the coefficients tested. */
  btt: number[];
}

/** A prediction (fitted mean for a covariate vector) with CI and PI. */
export interface Prediction {
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  /** Prediction interval for a true outcome (Riley, Higgins & Deeks 2011); null for fixed-effect (FE) models, as metafor. */
  lower: number | null;
  upper: number | null;
}

/** Fields shared by univariate and multilevel fits. */
export interface FitBase {
  /** Number of outcomes. */
  k: number;
  /** Number of coefficients. */
  p: number;
  yi: Float64Array;
  vi: Float64Array;
  /** k×p model matrix, row-major. */
  X: Float64Array;
  terms: string[];
  intercept: boolean;
  test: Test;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Coefficients β̂ (length p). */
  beta: Float64Array;
  /** p×p covariance of β̂ (row-major), including the Knapp–Hartung factor when used. */
  vb: Float64Array;
  coefficients: Coefficient[];
  /** Residual df k − p for t tests; null for z tests. */
  df: number | null;
  /** Test for residual heterogeneity. */
  QE: number;
  QEdf: number;
  QEp: number;
  /** Omnibus test: moderators (intercept excluded) or, for intercept-only models, the intercept. */
  omnibus: OmnibusTest;
  /** Restricted (REML) and full (ML) log-likelihoods at the estimates, as metafor's fit.stats. */
  logLikREML: number;
  logLikML: number;
  /** The log-likelihood metafor's `logLik()` reports: REML for method REML, ML otherwise. */
  logLik: number;
  /** Fitted values Xβ̂. */
  fitted: Float64Array;
  /** Raw residuals y − Xβ̂. */
  residuals: Float64Array;
  /** Iterations used by the variance-component estimator (0 for closed forms). */
  iterations: number;
}

/** A univariate random/fixed-effects model (metafor `rma.uni`). */
export interface RmaUniFit extends FitBase {
  model: "uni";
  method: Method;
  tau2: number;
  /** Standard error of τ̂² (formula per estimator, as metafor). */
  seTau2: number;
  I2: number;
  H2: number;
  /** Typical within-study variance used for I²: (k−p)/tr(P) (Higgins & Thompson 2002). */
  vt: number;
  /** Model weights 1/(vᵢ + τ̂²). */
  weights: Float64Array;
  /** Knapp–Hartung scale factor s² (1 unless test "t"). */
  s2w: number;
  /** The same model on a subset of rows (0-based indices, in order). */
  refit(rows: ArrayLike<number>): RmaUniFit;
}

/** A multilevel model with nested random intercepts (metafor `rma.mv(random = ~ 1 | a/b/…)`). */
export interface RmaMvFit extends FitBase {
  model: "mv";
  method: MvMethod;
  /** Names of the nested grouping variables, outermost first. */
  random: string[];
  /** Variance component per random level, in `random` order. */
  sigma2: number[];
  /**
   * Group index per row for each random level: groups[l][i] identifies the
   * level-l group (the interaction of levels 0..l) of row i.
   */
  groups: Int32Array[];
  /** Number of distinct groups per level. */
  nGroups: number[];
  /** The same model on a subset of rows (0-based indices, in order). */
  refit(rows: ArrayLike<number>): RmaMvFit;
}

export type RmaFit = RmaUniFit | RmaMvFit;
