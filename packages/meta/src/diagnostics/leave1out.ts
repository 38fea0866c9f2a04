/**
 * Leave-one-out sensitivity analysis (metafor `leave1out`): the model is
 * refitted with each outcome removed in turn (univariate models) or with
 * each study — the outermost random-effects level — removed in turn
 * (multilevel models), and the pooled estimate, its SE and CI, the
 * between-study variance and I² are recorded.
 *
 * For multilevel models τ² is reported as the total variance Σσ²_l and I²
 * as the multilevel generalisation (Nakagawa & Santos 2012; Viechtbauer,
 * metafor documentation "I^2 for multilevel and multivariate models"):
 *
 *   I² = 100·Σσ²_l / (Σσ²_l + (k − p)/tr(P)),  P = W − WX(XᵀWX)⁻¹XᵀW,  W = V⁻¹,
 *
 * with W the inverse of the sampling-variance matrix (not the marginal
 * covariance), which reduces to Higgins & Thompson's I² for a single level.
 */
import { MetaInputError } from "../errors.js";
import { spdInverse } from "../linalg.js";
import { caseDeletions } from "../rma.js";
import type { RmaFit, RmaMvFit, RmaUniFit } from "../types.js";

export interface LeaveOneOut {
  /** What each row removes: "outcome" (univariate) or "study" (multilevel). */
  unit: "outcome" | "study";
  /** Label of the removed outcome/study (row number from 1, or the study label given). */
  omitted: string[];
  estimate: number[];
  se: number[];
  ciLower: number[];
  ciUpper: number[];
  /** τ² (univariate) or Σσ² (multilevel). */
  tau2: number[];
  /** I² in percent. */
  I2: number[];
  QE: number[];
  /** Multilevel only: the variance components per refit. */
  sigma2?: number[][];
}

export interface LeaveOneOutOptions {
  /** Multilevel: per-row study labels used to name the omitted studies. */
  studyLabels?: ArrayLike<string>;
}

export function leaveOneOut(fit: RmaFit, options: LeaveOneOutOptions = {}): LeaveOneOut {
  if (fit.p !== 1 || !fit.intercept) {
    throw new MetaInputError("leave-one-out analysis applies to models without moderators");
  }
  return fit.model === "uni" ? leaveOneOutcomeOut(fit) : leaveOneStudyOut(fit, options.studyLabels);
}

function emptyResult(unit: LeaveOneOut["unit"], n: number): LeaveOneOut {
  const nan = () => new Array<number>(n).fill(NaN);
  return { unit, omitted: [], estimate: nan(), se: nan(), ciLower: nan(), ciUpper: nan(), tau2: nan(), I2: nan(), QE: nan() };
}

function leaveOneOutcomeOut(fit: RmaUniFit): LeaveOneOut {
  const { k } = fit;
  if (k < 2) throw new MetaInputError("leave-one-out analysis needs at least 2 outcomes");
  const out = emptyResult("outcome", k);
  caseDeletions(fit, (i, f) => {
    out.omitted.push(String(i + 1));
    if (f) record(out, i, f, f.tau2, f.I2);
  });
  return out;
}

function leaveOneStudyOut(fit: RmaMvFit, labels?: ArrayLike<string>): LeaveOneOut {
  const study = fit.groups[0];
  const n = fit.nGroups[0];
  if (n < 2) throw new MetaInputError("leave-one-study-out analysis needs at least 2 studies");
  if (labels && labels.length !== fit.k) throw new MetaInputError(`study labels have ${labels.length} entries for ${fit.k} outcomes`);
  // Studies in order of first appearance, as R's unique().
  const order: number[] = [];
  const firstRow = new Map<number, number>();
  for (let i = 0; i < fit.k; i++) {
    if (!firstRow.has(study[i])) {
      firstRow.set(study[i], i);
      order.push(study[i]);
    }
  }
  const out = emptyResult("study", n);
  out.sigma2 = [];
  order.forEach((g, idx) => {
    const r = firstRow.get(g)!;
    out.omitted.push(labels ? String(labels[r]) : `study ${idx + 1}`);
    const rows: number[] = [];
    for (let i = 0; i < fit.k; i++) if (study[i] !== g) rows.push(i);
    let f: RmaMvFit;
    try {
      f = fit.refit(rows);
    } catch {
      out.sigma2!.push(fit.sigma2.map(() => NaN));
      return;
    }
    const total = f.sigma2.reduce((a, s) => a + s, 0);
    record(out, idx, f, total, multilevelI2(f));
    out.sigma2!.push([...f.sigma2]);
  });
  return out;
}

function record(out: LeaveOneOut, i: number, f: Pick<RmaFit, "coefficients" | "QE">, tau2: number, I2: number): void {
  const c = f.coefficients[0];
  out.estimate[i] = c.estimate;
  out.se[i] = c.se;
  out.ciLower[i] = c.ciLower;
  out.ciUpper[i] = c.ciUpper;
  out.tau2[i] = tau2;
  out.I2[i] = I2;
  out.QE[i] = f.QE;
}

/**
 * Multilevel I² (see the module comment). W is the inverse of the sampling
 * (co)variance matrix — diagonal 1/vᵢ here — so the typical sampling
 * variance is that of a fixed-effect model: tr(P) = Σwᵢ − tr((XᵀWX)⁻¹XᵀW²X).
 */
export function multilevelI2(fit: RmaMvFit): number {
  const { k, p, X, vi, sigma2 } = fit;
  const total = sigma2.reduce((a, s) => a + s, 0);
  const xtwx = new Float64Array(p * p);
  const xtw2x = new Float64Array(p * p);
  let trW = 0;
  for (let i = 0; i < k; i++) {
    const w = 1 / vi[i];
    trW += w;
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        const xx = X[i * p + a] * X[i * p + b];
        xtwx[a * p + b] += w * xx;
        xtw2x[a * p + b] += w * w * xx;
      }
    }
  }
  const inv = spdInverse(xtwx, p);
  if (!inv) return NaN;
  let tr = trW;
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) tr -= inv[a * p + b] * xtw2x[b * p + a];
  return (100 * total) / (total + (k - p) / tr);
}
