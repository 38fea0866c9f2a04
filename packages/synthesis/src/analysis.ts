/**
 * A saved analysis as evidence for GRADE, the joint display and the guide:
 * the saved spec refitted to today's rows (the server refits it with the
 * saved-analyses rerun's own code and passes the fit in), read as a pooled
 * result with what GRADE's suggestions need — the model's own weights per
 * study, Egger's test computed on the analysis's rows, I² and the
 * prediction interval — and the name and version it was computed from.
 */
import { eggerTest, fitMetaSpec, marginalBlock, predict, robust, type FittedSpec, type Row } from "@homeward/meta";
import type { ReportedResult } from "@homeward/model";

export interface SavedVersionRef {
  id: string;
  name: string;
  version: number;
  savedAt: string;
}

export interface AnalysisEvidence {
  id: string;
  name: string;
  version: number;
  savedAt: string;
  /** "<name>, version N, refitted to today's data (k = …)": what a statement was computed from. */
  computedFrom: string;
  /** The refit read as a result (id: the saved version's id), so the result-reading tables take it as they take a reported one. */
  result: ReportedResult;
  /** Each study's share of the pooled estimate in the model (sums to 1) and whether its risk of bias is high (null: not rated). */
  weights: { studyId: string; weight: number; highRisk: boolean | null }[];
  weighting: string;
  egger: { p: number; statistic: number } | null;
  /** Why the test could not be had, when it could not. */
  eggerProblem: string | null;
  /** Why there is no pooled estimate (a model with moderators), when there is none. */
  problem: string | null;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Row weights of an intercept-only model as their shares of the pooled
 * estimate (metafor's `weights(type = "rowsum")` divided by its sum): for a
 * univariate model 1/(vᵢ + τ²); for a multilevel model the row sums of V⁻¹.
 * V is block-diagonal by the outermost level, so each block is solved on its
 * own. @homeward/meta keeps its linear algebra internal, hence the small
 * Cholesky solve here.
 */
export function modelRowWeights(fitted: FittedSpec): number[] {
  const fit = fitted.fit;
  let w: number[];
  if (fit.model === "uni") w = Array.from(fit.weights);
  else {
    w = new Array<number>(fit.k).fill(0);
    const blocks = new Map<number, number[]>();
    for (let i = 0; i < fit.k; i++) {
      const g = fit.groups[0]![i]!;
      blocks.set(g, [...(blocks.get(g) ?? []), i]);
    }
    for (const rows of blocks.values()) {
      const n = rows.length;
      const V = marginalBlock(fit.vi, fit.groups, fit.sigma2, rows);
      const L = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          let s = V[i * n + j]!;
          for (let m = 0; m < j; m++) s -= L[i * n + m]! * L[j * n + m]!;
          L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j]!;
        }
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 1;
        for (let m = 0; m < i; m++) s -= L[i * n + m]! * y[m]!;
        y[i] = s / L[i * n + i]!;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = y[i]!;
        for (let m = i + 1; m < n; m++) s -= L[m * n + i]! * y[m]!;
        y[i] = s / L[i * n + i]!;
      }
      rows.forEach((r, i) => (w[r] = y[i]!));
    }
  }
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

/**
 * I² of an intercept-only model: the share of the total variance that is
 * between outcomes, against the typical within-study variance (k − 1)/tr(P)
 * (Higgins & Thompson 2002; for multilevel models the sum of the σ², as the
 * metafor FAQ's multilevel I²).
 */
function i2Of(fitted: FittedSpec): number {
  const fit = fitted.fit;
  if (fit.model === "uni") return fit.I2;
  let sw = 0;
  let sw2 = 0;
  for (const v of fit.vi) {
    sw += 1 / v;
    sw2 += 1 / (v * v);
  }
  const vt = (fit.k - 1) / (sw - sw2 / sw);
  const s = fit.sigma2.reduce((a, b) => a + b, 0);
  return (100 * s) / (s + vt);
}

/**
 * Egger's regression test on the analysis's rows: the univariate test of
 * @homeward/meta (metafor's `regtest`), or, for a multilevel model (which
 * `regtest` does not take), the same model with the standard error √vᵢ as a
 * moderator, read by the test of its coefficient.
 */
function eggerOf(fitted: FittedSpec): { p: number; statistic: number } {
  if (fitted.fit.model === "uni") {
    const e = eggerTest(fitted.fit);
    return { p: e.p, statistic: e.statistic };
  }
  const col = "__sei";
  const rows: Row[] = fitted.rows.map((r) => ({ ...r, [col]: Math.sqrt(Number(r[fitted.spec.vi])) }));
  const { cluster: _c, diagnostics: _d, subgroup: _s, ...rest } = fitted.spec;
  const reg = fitMetaSpec({ ...rest, moderators: [...fitted.spec.moderators, { name: col }] }, rows);
  const c = reg.fit.coefficients.find((x) => x.term === col)!;
  return { p: c.p, statistic: c.statistic };
}

/**
 * The refitted saved analysis as evidence. `highRisk` reads a row's risk of
 * bias (null: not rated); a study is at high risk when any of its rows is.
 */
export function analysisEvidence(saved: SavedVersionRef, fitted: FittedSpec, highRisk: (row: Row) => boolean | null): AnalysisEvidence {
  const { spec, fit, rows } = fitted;
  const studyCol = rows.some((r) => r.studyId !== undefined) ? "studyId" : spec.random[0] ?? "study";
  const studyOf = (r: Row) => String(r[studyCol] ?? "");
  const studyIds = [...new Set(rows.map(studyOf))];
  const measure = fitted.measure?.measure ?? (typeof rows[0]?.measure === "string" ? (rows[0].measure as string) : null);
  const computedFrom = `${saved.name}, version ${saved.version}, refitted to today's data (k = ${fit.k})`;
  const pooled = fitted.mods.length === 0 && fit.intercept;
  let estimate: number | null = null;
  let ciLower: number | null = null;
  let ciUpper: number | null = null;
  let p: number | null = null;
  const heterogeneity: Record<string, unknown> = {};
  let weights: AnalysisEvidence["weights"] = [];
  let egger: AnalysisEvidence["egger"] = null;
  let eggerProblem: string | null = null;
  if (pooled) {
    // Robust inference where the analysis asks for it, as its own answer reports the pooled effect.
    const c = spec.cluster !== undefined ? robust(fit, rows.map((r) => String(r[spec.cluster!]))).coefficients[0]! : fit.coefficients[0]!;
    estimate = round(c.estimate);
    ciLower = round(c.ciLower);
    ciUpper = round(c.ciUpper);
    p = c.p;
    const pr = predict(fit);
    heterogeneity.I2 = round(i2Of(fitted), 1);
    if (fit.model === "uni") heterogeneity.tau2 = round(fit.tau2);
    else heterogeneity.sigma2 = fit.sigma2.map((s) => round(s));
    if (pr.lower !== null && pr.upper !== null) heterogeneity.predictionInterval = [round(pr.lower), round(pr.upper)];
    const w = modelRowWeights(fitted);
    const byStudy = new Map<string, { weight: number; highRisk: boolean | null }>();
    rows.forEach((r, i) => {
      const s = byStudy.get(studyOf(r)) ?? { weight: 0, highRisk: null };
      const h = highRisk(r);
      byStudy.set(studyOf(r), { weight: s.weight + w[i]!, highRisk: h === null ? s.highRisk : (s.highRisk ?? false) || h });
    });
    weights = [...byStudy].map(([studyId, x]) => ({ studyId, ...x }));
    try {
      egger = eggerOf(fitted);
    } catch (err) {
      eggerProblem = err instanceof Error ? err.message : String(err);
    }
  }
  const result: ReportedResult = {
    id: saved.id,
    label: `${saved.name} (version ${saved.version})`,
    analysis: computedFrom,
    outcomeDomain: null,
    measure,
    estimate,
    ciLower,
    ciUpper,
    kStudies: studyIds.length,
    kOutcomes: fit.k,
    p,
    heterogeneity: pooled ? heterogeneity : null,
    studyIds,
    notes: null,
  } as ReportedResult;
  return {
    id: saved.id,
    name: saved.name,
    version: saved.version,
    savedAt: saved.savedAt,
    computedFrom,
    result,
    weights,
    weighting: fit.model === "uni" ? "the model's weights 1/(vᵢ + τ²), summed per study" : "the model's weights (row sums of the inverse marginal covariance), summed per study",
    egger,
    eggerProblem,
    problem: pooled ? null : "the analysis has moderators: it has no single pooled effect",
  };
}
