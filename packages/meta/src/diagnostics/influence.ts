/**
 * Case-deletion diagnostics for univariate models (Viechtbauer & Cheung
 * 2010, Res Synth Methods 1:112–125), computed as metafor's
 * `influence.rma.uni`. For each outcome i the model is refitted without it
 * (τ² re-estimated), giving β̂₍ᵢ₎, V₍ᵢ₎ = Var(β̂₍ᵢ₎), τ̂²₍ᵢ₎, Q_E₍ᵢ₎ and the
 * Knapp–Hartung factor s²₍ᵢ₎ (1 under z tests). With hᵢ the hat values of the
 * full fit (H = X(XᵀWX)⁻¹XᵀW, W = diag 1/(vᵢ+τ̂²)):
 *
 *   rstudentᵢ = (yᵢ − xᵢβ̂₍ᵢ₎) / √(s²₍ᵢ₎(vᵢ + τ̂²₍ᵢ₎) + xᵢV₍ᵢ₎xᵢᵀ)
 *   DFFITSᵢ   = (xᵢβ̂ − xᵢβ̂₍ᵢ₎) / √(s²₍ᵢ₎ hᵢ (τ̂²₍ᵢ₎ + vᵢ))
 *   Cook's Dᵢ = (β̂ − β̂₍ᵢ₎)ᵀ V⁻¹ (β̂ − β̂₍ᵢ₎)        (V = Var(β̂), all coefficients)
 *   COVRATIOᵢ = det V₍ᵢ₎ / det V
 *   weightᵢ   = 100 wᵢ / Σw   (percent)
 *
 * The review's flags: outliers are |rstudent| above the Bonferroni-corrected
 * normal quantile z_{1−0.05/(2k)}; influential outcomes have Cook's distance
 * above median + 6×IQR of the distances (type-7 quantiles, as R) or,
 * alternatively, above 4/k.
 */
import { cholesky, spdInverse } from "../linalg.js";
import { qNorm } from "../dist.js";
import { MetaInputError } from "../errors.js";
import { caseDeletions } from "../rma.js";
import type { RmaUniFit } from "../types.js";

export interface InfluenceDiagnostics {
  rstudent: number[];
  dffits: number[];
  cookD: number[];
  covRatio: number[];
  tau2Del: number[];
  QEDel: number[];
  hat: number[];
  /** Model weight in percent. */
  weight: number[];
}

export interface InfluenceFlags {
  /** Two-sided Bonferroni threshold for |rstudent|, z_{1−α/(2k)}. */
  outlierThreshold: number;
  /** 0-based rows whose |rstudent| exceeds the threshold. */
  outliers: number[];
  /** median + 6×IQR of Cook's distances. */
  cookThresholdIQR: number;
  cookInfluentialIQR: number[];
  /** 4/k. */
  cookThreshold4k: number;
  cookInfluential4k: number[];
}

export function influenceDiagnostics(fit: RmaUniFit): InfluenceDiagnostics {
  const { k, p, X, yi, vi } = fit;
  if (k < 2) throw new MetaInputError("influence diagnostics need at least 2 outcomes");
  const hat = hatValues(fit);
  const wsum = fit.weights.reduce((a, w) => a + w, 0);
  const weight = Array.from(fit.weights, (w) => (100 * w) / wsum);
  const vbInv = spdInverse(fit.vb, p);
  if (!vbInv) throw new MetaInputError("the coefficient covariance matrix is not positive definite");
  const detV = det(fit.vb, p);
  const out: InfluenceDiagnostics = {
    rstudent: new Array(k).fill(NaN), dffits: new Array(k).fill(NaN), cookD: new Array(k).fill(NaN),
    covRatio: new Array(k).fill(NaN), tau2Del: new Array(k).fill(NaN), QEDel: new Array(k).fill(NaN),
    hat, weight,
  };
  const dfb = new Float64Array(p);
  // Deletions the reduced model cannot fit (e.g. the design loses full rank
  // without row i) stay NaN, as metafor reports NA.
  caseDeletions(fit, (i, del) => {
    if (!del) return;
    let predFull = 0, predDel = 0, vPred = 0;
    for (let a = 0; a < p; a++) {
      predFull += X[i * p + a] * fit.beta[a];
      predDel += X[i * p + a] * del.beta[a];
      for (let b = 0; b < p; b++) vPred += X[i * p + a] * del.vb[a * p + b] * X[i * p + b];
    }
    out.tau2Del[i] = del.tau2;
    out.QEDel[i] = del.QE;
    out.dffits[i] = (predFull - predDel) / Math.sqrt(del.s2w * hat[i] * (del.tau2 + vi[i]));
    for (let a = 0; a < p; a++) dfb[a] = fit.beta[a] - del.beta[a];
    let cd = 0;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) cd += dfb[a] * vbInv[a * p + b] * dfb[b];
    out.cookD[i] = cd;
    out.covRatio[i] = det(del.vb, p) / detV;
    let resid = yi[i] - predDel;
    if (Math.abs(resid) < 100 * Number.EPSILON) resid = 0;
    out.rstudent[i] = resid / Math.sqrt(vi[i] * del.s2w + vPred + del.tau2 * del.s2w);
  });
  return out;
}

/** Diagonal of H = X(XᵀWX)⁻¹XᵀW with W = diag 1/(vᵢ + τ̂²). */
export function hatValues(fit: RmaUniFit): number[] {
  const { k, p, X, vi, tau2 } = fit;
  const xtwx = new Float64Array(p * p);
  for (let i = 0; i < k; i++) {
    const w = 1 / (vi[i] + tau2);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) xtwx[a * p + b] += X[i * p + a] * w * X[i * p + b];
  }
  const inv = spdInverse(xtwx, p);
  if (!inv) throw new MetaInputError("XᵀWX is not positive definite");
  const h = new Array<number>(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) s += X[i * p + a] * inv[a * p + b] * X[i * p + b];
    h[i] = s / (vi[i] + tau2);
  }
  return h;
}

export function influenceFlags(inf: Pick<InfluenceDiagnostics, "rstudent" | "cookD">, alpha = 0.05): InfluenceFlags {
  const k = inf.rstudent.length;
  const outlierThreshold = qNorm(1 - alpha / (2 * k));
  const cd = inf.cookD.filter((x) => Number.isFinite(x));
  const cookThresholdIQR = quantile7(cd, 0.5) + 6 * (quantile7(cd, 0.75) - quantile7(cd, 0.25));
  const cookThreshold4k = 4 / k;
  const rowsWhere = (xs: number[], pred: (x: number) => boolean) => xs.flatMap((x, i) => (Number.isFinite(x) && pred(x) ? [i] : []));
  return {
    outlierThreshold,
    outliers: rowsWhere(inf.rstudent, (x) => Math.abs(x) > outlierThreshold),
    cookThresholdIQR,
    cookInfluentialIQR: rowsWhere(inf.cookD, (x) => x > cookThresholdIQR),
    cookThreshold4k,
    cookInfluential4k: rowsWhere(inf.cookD, (x) => x > cookThreshold4k),
  };
}

/** Sample quantile, R's default type 7 (Hyndman & Fan 1996): linear interpolation at (n−1)p. */
export function quantile7(xs: readonly number[], prob: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

function det(a: Float64Array, n: number): number {
  if (n === 1) return a[0];
  const l = Float64Array.from(a);
  if (!cholesky(l, n)) return NaN;
  let d = 1;
  for (let i = 0; i < n; i++) d *= l[i * n + i];
  return d * d;
}

