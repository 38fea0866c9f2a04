/**
 * Univariate random- and fixed-effects models and meta-regression, following
 * metafor's `rma.uni` (Viechtbauer 2010) step for step.
 *
 * Model: y = Xβ + u + ε, u ~ N(0, τ²I), ε ~ N(0, diag(v)). With W =
 * diag(1/(vᵢ+τ²)) and P = W − WX(XᵀWX)⁻¹XᵀW (Viechtbauer 2005):
 *   β̂ = (XᵀWX)⁻¹XᵀWy,  Var(β̂) = (XᵀWX)⁻¹  (× s² under Knapp–Hartung).
 *
 * τ² estimators (metafor's formulas; Viechtbauer 2005, Veroniki et al. 2016):
 *   HE  (Hedges 1983):  τ² = (yᵀP₀y − tr(P₀V)) / (k−p), P₀ = I − X(XᵀX)⁻¹Xᵀ
 *   DL  (DerSimonian & Laird 1986): τ² = (yᵀP₁y − (k−p)) / tr(P₁), W = diag(1/vᵢ)
 *   SJ  (Sidik & Jonkman 2005): τ² = τ₀² yᵀPy/(k−p), W = diag(1/(vᵢ+τ₀²)), τ₀² = Σ(yᵢ−ȳ)²/k
 *   PM  (Paule & Mandel 1982): root of yᵀP(τ²)y = k − p
 *   ML / REML (Viechtbauer 2005, Fisher scoring from the HE estimate):
 *       ML:   τ² ← τ² + (yᵀPPy − Σwᵢ)/Σwᵢ²
 *       REML: τ² ← τ² + (yᵀPPy − tr P)/tr(PP)
 *   EB  (Morris 1983; Berkey et al. 1995): τ² ← τ² + (yᵀPy·k/(k−p) − k)/Σwᵢ
 * each truncated at 0; step halving keeps iterates ≥ 0. As metafor 3.8, the
 * τ² estimators and QE use the mean-centred y (identical results whenever
 * the model has an intercept or a full set of level indicators).
 *
 * Heterogeneity (Cochran 1954; Higgins & Thompson 2002): QE = yᵀP₁y ~
 * χ²_{k−p}; vt = (k−p)/tr(P₁); I² = 100·τ²/(vt+τ²); H² = τ²/vt + 1 (FE:
 * I² = max(0, 100·(QE−(k−p))/QE), H² = QE/(k−p)).
 *
 * Knapp & Hartung (2003): s² = Σwᵢ(yᵢ−xᵢβ̂)²/(k−p), Var(β̂) = s²(XᵀWX)⁻¹,
 * t tests with k−p df, omnibus F = QM/m on (m, k−p) df.
 */
import { MetaInputError } from "./errors.js";
import { Design, designMatrix, Moderator, subsetRows } from "./design.js";
import { checkYiVi, coefficientTable, defaultBtt, omnibusTest } from "./inference.js";
import { cholesky, cholInverse, cholLogDet, matMul, solveNormalEquations, symEigen } from "./linalg.js";
import type { Coefficient, Method, RmaUniFit, Test } from "./types.js";

export interface RmaControl {
  /** Convergence threshold on the absolute change in τ² (iterative estimators). Default 1e-12. */
  threshold?: number;
  /** Maximum iterations. Default 1000. */
  maxIter?: number;
  /** Root-finding tolerance for PM. Default 1e-13. */
  tol?: number;
}

export interface RmaInput {
  yi: ArrayLike<number>;
  vi: ArrayLike<number>;
  /** Moderators, in order; ignored if `design` is given. */
  mods?: readonly Moderator[];
  /** Include an intercept (default true); ignored if `design` is given. */
  intercept?: boolean;
  /** A prebuilt model matrix instead of `mods`/`intercept`. */
  design?: Design;
  method?: Method;
  test?: Test;
  level?: number;
  /** Omnibus-test coefficients (0-based); default: all but the intercept, or all. */
  btt?: number[];
  control?: RmaControl;
}

const METHODS: readonly Method[] = ["REML", "ML", "DL", "PM", "HE", "SJ", "EB", "FE"];

/**
 * Length-k work arrays, shared by the iterations of one fit and reused
 * across the k case-deletion refits of `caseDeletions`, so that neither
 * allocates per iteration.
 */
interface Scratch {
  ymc: Float64Array;
  w: Float64Array;
  r: Float64Array;
  h: Float64Array;
  e1: Float64Array;
  e2: Float64Array;
  e3: Float64Array;
  ones: Float64Array;
}

function newScratch(k: number): Scratch {
  const a = () => new Float64Array(k);
  return { ymc: a(), w: a(), r: a(), h: a(), e1: a(), e2: a(), e3: a(), ones: new Float64Array(k).fill(1) };
}

/** Weighted least squares with diagonal weights w: the pieces every formula needs. */
interface Wls {
  /** (XᵀWX)⁻¹, p×p. */
  S: Float64Array;
  logDetXWX: number;
  beta: Float64Array;
  /** Σ wᵢ rᵢ² = yᵀPy. */
  rss: number;
  /** Residuals y − Xβ (the caller's array r). */
  r: Float64Array;
  /** hᵢ = xᵢᵀ S xᵢ, so Pᵢᵢ = wᵢ − wᵢ² hᵢ (the caller's array h). */
  h: Float64Array;
}

/** WLS of y on X; residuals and leverages are written to r and h (length ≥ k). */
function wls(X: Float64Array, k: number, p: number, w: Float64Array, y: Float64Array, r: Float64Array, h: Float64Array): Wls {
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let i = 0; i < k; i++) {
    const wi = w[i];
    const row = i * p;
    for (let a = 0; a < p; a++) {
      const xa = X[row + a] * wi;
      b[a] += xa * y[i];
      for (let c = 0; c <= a; c++) A[a * p + c] += xa * X[row + c];
    }
  }
  const solved = solveNormalEquations(A, b, p);
  if (!solved) throw new MetaInputError("model matrix not of full rank (XᵀWX is singular); cannot fit the model");
  const { inverse: S, logDet: logDetXWX, beta } = solved;
  let rss = 0;
  for (let i = 0; i < k; i++) {
    const row = i * p;
    let f = 0;
    for (let a = 0; a < p; a++) f += X[row + a] * beta[a];
    r[i] = y[i] - f;
    rss += w[i] * r[i] * r[i];
    let hi = 0;
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let c = 0; c < p; c++) s += S[a * p + c] * X[row + c];
      hi += X[row + a] * s;
    }
    h[i] = hi;
  }
  return { S, logDetXWX, beta, rss, r, h };
}

/** tr(P) = Σ (wᵢ − wᵢ²hᵢ). */
function traceP(k: number, w: Float64Array, f: Wls): number {
  let s = 0;
  for (let i = 0; i < k; i++) s += w[i] - w[i] * w[i] * f.h[i];
  return s;
}

/** Σᵢ dᵢ·Xᵢᵀ Xᵢ (p×p) for a diagonal d. */
function xdx(X: Float64Array, k: number, p: number, d: Float64Array): Float64Array {
  const out = new Float64Array(p * p);
  for (let i = 0; i < k; i++) {
    const row = i * p;
    for (let a = 0; a < p; a++) {
      const xa = X[row + a] * d[i];
      for (let c = 0; c < p; c++) out[a * p + c] += xa * X[row + c];
    }
  }
  return out;
}

function traceProd(A: Float64Array, B: Float64Array, p: number): number {
  let s = 0;
  for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) s += A[a * p + c] * B[c * p + a];
  return s;
}

/**
 * tr(P D₁ P D₂) for diagonal D₁, D₂ with P = W − WXSXᵀW, S = (XᵀWX)⁻¹:
 * Σwᵢ²d₁ᵢd₂ᵢ − 2 tr(S Xᵀdiag(w³d₁d₂)X) + tr(S Xᵀdiag(w²d₁)X S Xᵀdiag(w²d₂)X).
 * With D₁ = D₂ = I this is Σ_ij P_ij² (metafor's `sum(P * P)`).
 */
function tracePDPD(X: Float64Array, k: number, p: number, w: Float64Array, S: Float64Array, d1: Float64Array, d2: Float64Array, s: Scratch): number {
  let t1 = 0;
  const { e1, e2, e3 } = s;
  for (let i = 0; i < k; i++) {
    const w2 = w[i] * w[i];
    t1 += w2 * d1[i] * d2[i];
    e3[i] = w2 * w[i] * d1[i] * d2[i];
    e1[i] = w2 * d1[i];
    e2[i] = w2 * d2[i];
  }
  const t2 = traceProd(S, xdx(X, k, p, e3), p);
  const A = matMul(S, xdx(X, k, p, e1), p, p, p);
  const B = matMul(S, xdx(X, k, p, e2), p, p, p);
  return t1 - 2 * t2 + traceProd(A, B, p);
}

/** wᵢ = 1/(vᵢ + τ²) into `out`. */
function weightsFor(k: number, v: Float64Array, tau2: number, out: Float64Array): Float64Array {
  for (let i = 0; i < k; i++) {
    out[i] = 1 / (v[i] + tau2);
    if (!Number.isFinite(out[i])) throw new MetaInputError("division by zero computing the weights 1/(vi + tau2): a sampling variance is 0 and tau2 is 0");
  }
  return out;
}

/**
 * One iteration's adjustment of τ² for ML, REML (Fisher scoring) or EB — the
 * formulas in the module comment — in two passes over the rows: the first
 * forms the weights, XᵀWX, XᵀWy and, for REML, XᵀW²X and XᵀW³X; the second
 * the residuals. With S = (XᵀWX)⁻¹ the traces follow as in `traceP` and
 * `tracePDPD`: tr P = Σwᵢ − tr(S XᵀW²X) and
 * tr(PP) = Σwᵢ² − 2 tr(S XᵀW³X) + tr(S XᵀW²X S XᵀW²X).
 */
function scoringStep(method: Method, X: Float64Array, k: number, p: number, v: Float64Array, y: Float64Array, tau2: number, s: Scratch): number {
  const reml = method === "REML";
  const w = s.w;
  const A = new Float64Array(p * p);
  const B2 = reml ? new Float64Array(p * p) : A;
  const B3 = reml ? new Float64Array(p * p) : A;
  const b = new Float64Array(p);
  let sw = 0, sw2 = 0;
  for (let i = 0; i < k; i++) {
    const wi = 1 / (v[i] + tau2);
    if (!Number.isFinite(wi)) throw new MetaInputError("division by zero computing the weights 1/(vi + tau2): a sampling variance is 0 and tau2 is 0");
    w[i] = wi;
    sw += wi;
    sw2 += wi * wi;
    const row = i * p;
    for (let a = 0; a < p; a++) {
      const xa = X[row + a] * wi;
      b[a] += xa * y[i];
      for (let c = 0; c <= a; c++) A[a * p + c] += xa * X[row + c];
    }
    if (reml) {
      const w2 = wi * wi, w3 = w2 * wi;
      for (let a = 0; a < p; a++) for (let c = 0; c <= a; c++) {
        const xx = X[row + a] * X[row + c];
        B2[a * p + c] += w2 * xx;
        B3[a * p + c] += w3 * xx;
      }
    }
  }
  for (let a = 0; a < p; a++) for (let c = 0; c < a; c++) {
    A[c * p + a] = A[a * p + c];
    if (reml) {
      B2[c * p + a] = B2[a * p + c];
      B3[c * p + a] = B3[a * p + c];
    }
  }
  if (!cholesky(A, p)) throw new MetaInputError("model matrix not of full rank (XᵀWX is singular); cannot fit the model");
  const S = cholInverse(A, p);
  const beta = new Float64Array(p);
  for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) beta[a] += S[a * p + c] * b[c];
  let rss = 0, yPPy = 0;
  for (let i = 0; i < k; i++) {
    const row = i * p;
    let f = 0;
    for (let a = 0; a < p; a++) f += X[row + a] * beta[a];
    const ri = y[i] - f;
    rss += w[i] * ri * ri;
    yPPy += (w[i] * ri) ** 2;
  }
  if (method === "EB") return ((rss * k) / (k - p) - k) / sw;
  if (method === "ML") return (yPPy - sw) / sw2;
  const SB2 = matMul(S, B2, p, p, p);
  const trP = sw - traceProd(S, B2, p);
  const trPP = sw2 - 2 * traceProd(S, B3, p) + traceProd(SB2, SB2, p);
  return (yPPy - trP) / trPP;
}

/** R's `mad()`: 1.4826 × median absolute deviation from the median. */
function mad(y: Float64Array): number {
  const med = (a: number[]) => {
    const s = [...a].sort((x, z) => x - z);
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  };
  const m = med(Array.from(y));
  return 1.4826 * med(Array.from(y, (v) => Math.abs(v - m)));
}

/**
 * Brent's root finder (Brent 1973, ch. 4; the algorithm of R's `uniroot`)
 * for a function with f(lo)·f(hi) ≤ 0.
 */
export function brentRoot(f: (x: number) => number, lo: number, hi: number, tol: number, maxIter = 1000): number {
  let a = lo, b = hi, fa = f(a), fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  let c = a, fc = fa, d = b - a, e = d;
  for (let it = 0; it < maxIter; it++) {
    if (Math.abs(fc) < Math.abs(fb)) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa; }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + tol / 2;
    const m = (c - b) / 2;
    if (Math.abs(m) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      let pp: number, q: number;
      const s = fb / fa;
      if (a === c) { pp = 2 * m * s; q = 1 - s; } else {
        const qq = fa / fc, r = fb / fc;
        pp = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (pp > 0) q = -q; else pp = -pp;
      if (2 * pp < Math.min(3 * m * q - Math.abs(tol1 * q), Math.abs(e * q))) { e = d; d = pp / q; } else { d = m; e = d; }
    } else { d = m; e = d; }
    a = b; fa = fb;
    b += Math.abs(d) > tol1 ? d : m > 0 ? tol1 : -tol1;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) { c = a; fc = fa; d = b - a; e = d; }
  }
  throw new MetaInputError("root finding for tau2 did not converge");
}

/** A validated model: the data and settings `estimate` works from. */
interface Prepared {
  y: Float64Array;
  v: Float64Array;
  X: Float64Array;
  k: number;
  p: number;
  terms: string[];
  intercept: boolean;
  method: Method;
  test: Test;
  level: number;
  btt: number[];
  thr: number;
  maxIter: number;
  tol: number;
}

/** The estimation results that fits and case-deletion refits share. */
interface Estimate {
  tau2: number;
  seTau2: number;
  iterations: number;
  /** The final WLS fit of y (not centred) with weights `w`. */
  fit: Wls;
  w: Float64Array;
  s2w: number;
  vb: Float64Array;
  QE: number;
  QEp: number;
  I2: number;
  H2: number;
  vt: number;
}

/** The refusals that depend on the rows: too few outcomes, or a rank-deficient model matrix. */
function checkRows(X: Float64Array, k: number, p: number, method: Method): void {
  if (k < 1) throw new MetaInputError("no outcomes to analyse");
  if (method !== "FE" ? k <= p : k < p) {
    throw new MetaInputError(`too few outcomes (${k}) for ${p} coefficient(s)${method !== "FE" ? " plus tau2" : ""}`);
  }
  checkFullRank(X, k, p);
}

/**
 * τ², the final weighted fit and the heterogeneity statistics. `s` holds
 * work arrays of length k; the final fit's weights, residuals and leverages
 * go to `out`. `start`, when given, is a τ² close to the solution (the
 * full-data estimate, for a case-deletion refit): the iterative estimators
 * (ML, REML, EB) start from it instead of the HE estimate, and PM brackets
 * its root near it. Both converge to the same fixed point or root under the
 * same threshold, so only the number of iterations changes.
 */
function estimate(d: Prepared, s: Scratch, out: { w: Float64Array; r: Float64Array; h: Float64Array }, start?: number): Estimate {
  const { y, v, X, k, p, method, test, thr, maxIter, tol } = d;
  let allPos = true;
  for (let i = 0; i < k; i++) if (!(v[i] > 0)) allPos = false;

  let mean = 0;
  for (let i = 0; i < k; i++) mean += y[i];
  mean /= k;
  const ymc = s.ymc;
  for (let i = 0; i < k; i++) ymc[i] = y[i] - mean;
  const ones = s.ones;

  let tau2 = 0;
  let seTau2 = NaN;
  let iterations = 0;
  const needPos = (m: string) => {
    if (!allPos) throw new MetaInputError(`${m} estimator cannot be used when some sampling variances are 0`);
  };

  if (k === 1) {
    tau2 = 0;
  } else if (method === "HE" || ((method === "ML" || method === "REML" || method === "EB") && start === undefined)) {
    const f = wls(X, k, p, ones, ymc, s.r, s.h);
    let trPV = 0;
    for (let i = 0; i < k; i++) trPV += (1 - f.h[i]) * v[i];
    tau2 = (f.rss - trPV) / (k - p);
    if (method === "HE") {
      const t = Math.max(tau2, 0);
      const trPVPV = tracePDPD(X, k, p, ones, f.S, v, v, s);
      seTau2 = Math.sqrt((2 * trPVPV + 4 * t * trPV + 2 * t * t * (k - p)) / ((k - p) * (k - p)));
    }
  } else if (method === "ML" || method === "REML" || method === "EB") {
    tau2 = start!;
  }
  if (k > 1 && (method === "ML" || method === "REML" || method === "EB")) {
    tau2 = Math.max(0, tau2);
    let change = Infinity;
    while (change > thr) {
      if (++iterations > maxIter) throw new MetaInputError(`${method} estimation of tau2 did not converge in ${maxIter} iterations`);
      const old = tau2;
      let adj = scoringStep(method, X, k, p, v, ymc, tau2, s);
      if (Number.isNaN(adj)) adj = 0;
      while (tau2 + adj < 0) adj /= 2;
      tau2 += adj;
      change = Math.abs(old - tau2);
    }
    if ((method === "ML" || method === "REML") && allPos) {
      // As metafor: if the likelihood at τ² = 0 beats the iterate, Fisher
      // scoring stopped at a local maximum; take the boundary.
      const ll = (t2: number) => {
        const w = weightsFor(k, v, t2, s.w);
        const g = wls(X, k, p, w, ymc, s.r, s.h);
        let sl = 0;
        for (let i = 0; i < k; i++) sl += Math.log(v[i] + t2);
        return method === "ML"
          ? -0.5 * k * Math.log(2 * Math.PI) - 0.5 * sl - 0.5 * g.rss
          : -0.5 * (k - p) * Math.log(2 * Math.PI) - 0.5 * sl - 0.5 * g.logDetXWX - 0.5 * g.rss;
      };
      if (tau2 > 1e-5 && ll(0) - ll(tau2) > Math.pow(Number.EPSILON, 0.25)) tau2 = 0;
    }
  } else if (k > 1 && method === "DL") {
    needPos("DL");
    const w = weightsFor(k, v, 0, s.w);
    const f = wls(X, k, p, w, ymc, s.r, s.h);
    const trP = traceP(k, w, f);
    tau2 = (f.rss - (k - p)) / trP;
    const t = Math.max(tau2, 0);
    const sPP = tracePDPD(X, k, p, w, f.S, ones, ones, s);
    seTau2 = Math.sqrt((2 * (k - p) + 4 * t * trP + 2 * t * t * sPP) / (trP * trP));
  } else if (k > 1 && method === "SJ") {
    let ss = 0;
    for (let i = 0; i < k; i++) ss += ymc[i] * ymc[i];
    const tau20 = ss / k;
    const w = weightsFor(k, v, tau20, s.w);
    const f = wls(X, k, p, w, ymc, s.r, s.h);
    tau2 = (tau20 * f.rss) / (k - p);
    const t = Math.max(tau2, 0);
    const trPVPV = tracePDPD(X, k, p, w, f.S, v, v, s);
    const trPVP = tracePDPD(X, k, p, w, f.S, v, ones, s);
    const sPP = tracePDPD(X, k, p, w, f.S, ones, ones, s);
    seTau2 = Math.sqrt(((tau20 * tau20) / ((k - p) * (k - p))) * (2 * trPVPV + 4 * t * trPVP + 2 * t * t * sPP));
  } else if (k > 1 && method === "PM") {
    needPos("PM");
    const target = k - p;
    // yᵀP(τ²)y decreases in τ², so the root is unique (Paule & Mandel 1982).
    const q = (t2: number) => wls(X, k, p, weightsFor(k, v, t2, s.w), ymc, s.r, s.h).rss - target;
    if (q(0) < 0) tau2 = 0;
    else {
      const near = start !== undefined && start > 0 ? rootNear(q, start, tol) : null;
      if (near !== null) tau2 = near;
      else {
        const tauMax = Math.max(100, 10 * mad(y) ** 2);
        if (q(tauMax) > 0) throw new MetaInputError("PM estimator: tau2 exceeds its search bound; use another method");
        tau2 = brentRoot(q, 0, tauMax, tol);
      }
    }
  }
  tau2 = Math.max(0, tau2);
  if (method === "FE") tau2 = 0;

  const w = weightsFor(k, v, tau2, out.w);
  const fit = wls(X, k, p, w, y, out.r, out.h);
  if (k > 1 && method !== "FE") {
    if (method === "ML") {
      let sw2 = 0;
      for (let i = 0; i < k; i++) sw2 += w[i] * w[i];
      seTau2 = Math.sqrt(2 / sw2);
    } else if (method === "REML") {
      seTau2 = Math.sqrt(2 / tracePDPD(X, k, p, w, fit.S, ones, ones, s));
    } else if (method === "EB" || method === "PM") {
      let sw = 0;
      for (let i = 0; i < k; i++) sw += w[i];
      seTau2 = Math.sqrt((2 * k * k) / (k - p) / (sw * sw));
    }
  }
  const s2w = test === "t" ? (fit.rss <= Number.EPSILON ? 0 : fit.rss / (k - p)) : 1;
  const vb = fit.S.map((x) => x * s2w);

  // Heterogeneity statistics from the fixed-effect weights 1/vᵢ.
  let QE = NaN, QEp = NaN, I2 = NaN, H2 = NaN, vt = NaN;
  if (allPos) {
    if (k > p) {
      const w0 = weightsFor(k, v, 0, s.w);
      const f0 = wls(X, k, p, w0, ymc, s.r, s.h);
      QE = Math.max(0, f0.rss);
      QEp = pChisq(QE, k - p);
      vt = (k - p) / traceP(k, w0, f0);
      if (method === "FE") {
        I2 = Math.max(0, (100 * (QE - (k - p))) / QE);
        H2 = QE / (k - p);
      } else {
        I2 = (100 * tau2) / (vt + tau2);
        H2 = tau2 / vt + 1;
      }
    } else {
      QE = 0; QEp = 1; I2 = 0; H2 = 1; vt = 0;
    }
  }
  return { tau2, seTau2, iterations, fit, w, s2w, vb, QE, QEp, I2, H2, vt };
}

/**
 * The root of a decreasing q with q(0) ≥ 0, searched for near `guess`:
 * doubling or halving from it until q changes sign, then Brent. Null when
 * the bracket would pass 100, the lower end of rma's search interval
 * [0, max(100, 10·mad(y)²)], so that the caller's full search — and its
 * refusal when the root lies beyond the interval — applies unchanged.
 */
function rootNear(q: (x: number) => number, guess: number, tol: number): number | null {
  let lo = guess, hi = guess;
  const qg = q(guess);
  if (qg === 0) return guess;
  if (qg > 0) {
    hi = 2 * guess;
    while (q(hi) > 0) {
      lo = hi;
      hi *= 2;
      if (hi > 100) return null;
    }
  } else {
    lo = guess / 2;
    for (let n = 0; q(lo) < 0; n++) {
      hi = lo;
      lo = n < 30 ? lo / 2 : 0;
      if (lo === 0) break;
    }
  }
  return brentRoot(q, lo, hi, tol);
}

/** The fits `rma` made, with their prepared data, for `caseDeletions`. */
const prepared = new WeakMap<RmaUniFit, Prepared>();

/** Fits a univariate random-effects (or fixed-effects, method "FE") model or meta-regression. */
export function rma(input: RmaInput): RmaUniFit {
  const { y, v } = checkYiVi(input.yi, input.vi);
  const k = y.length;
  const method: Method = input.method ?? "REML";
  if (!METHODS.includes(method)) throw new MetaInputError(`unknown method "${String(method)}"; use one of ${METHODS.join(", ")}`);
  const test: Test = input.test ?? "z";
  if (test !== "z" && test !== "t") throw new MetaInputError(`unknown test "${String(test)}"; use "z" or "t"`);
  const level = input.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new MetaInputError("level must lie strictly between 0 and 1");
  const design = input.design ?? designMatrix(k, input.mods ?? [], input.intercept ?? true);
  if (design.k !== k) throw new MetaInputError(`the model matrix has ${design.k} rows but there are ${k} outcomes`);
  const { X, p } = design;
  checkRows(X, k, p, method);
  const d: Prepared = {
    y, v, X, k, p, terms: design.terms, intercept: design.intercept, method, test, level,
    btt: input.btt ?? defaultBtt(p, design.intercept),
    thr: input.control?.threshold ?? 1e-12,
    maxIter: input.control?.maxIter ?? 1000,
    tol: input.control?.tol ?? 1e-13,
  };
  const e = estimate(d, newScratch(k), { w: new Float64Array(k), r: new Float64Array(k), h: new Float64Array(k) });
  const { tau2, fit, vb } = e;

  const se = Array.from({ length: p }, (_, j) => Math.sqrt(vb[j * p + j]));
  const df = test === "t" ? k - p : null;
  const coefficients = coefficientTable(design.terms, fit.beta, se, df, level);
  const omnibus = omnibusTest(fit.beta, vb, p, d.btt, df);

  let sumLog = 0;
  for (let i = 0; i < k; i++) sumLog += Math.log(v[i] + tau2);
  const logLikML = -0.5 * k * Math.log(2 * Math.PI) - 0.5 * sumLog - 0.5 * fit.rss;
  const logLikREML =
    -0.5 * (k - p) * Math.log(2 * Math.PI) + 0.5 * logDetXtX(X, k, p) - 0.5 * sumLog - 0.5 * fit.logDetXWX - 0.5 * fit.rss;

  const fitted = new Float64Array(k);
  for (let i = 0; i < k; i++) fitted[i] = y[i] - fit.r[i];

  const self: RmaUniFit = {
    model: "uni",
    k, p, yi: y, vi: v, X,
    terms: design.terms,
    intercept: design.intercept,
    method, test, level,
    beta: fit.beta, vb, coefficients, df,
    tau2, seTau2: e.seTau2, I2: e.I2, H2: e.H2, vt: e.vt,
    QE: e.QE, QEdf: k - p, QEp: e.QEp,
    omnibus,
    logLikML, logLikREML,
    logLik: method === "REML" ? logLikREML : logLikML,
    fitted,
    residuals: fit.r,
    weights: e.w,
    s2w: e.s2w,
    iterations: e.iterations,
    refit(rows: ArrayLike<number>): RmaUniFit {
      const idx = Array.from(rows);
      return rma({
        yi: idx.map((i) => y[i]),
        vi: idx.map((i) => v[i]),
        design: { X: subsetRows(X, p, idx), k: idx.length, p, terms: design.terms, intercept: design.intercept },
        method, test, level, btt: input.btt, control: input.control,
      });
    },
  };
  prepared.set(self, d);
  return self;
}

/** What a case-deletion refit yields: the parts of `RmaUniFit` the deletion diagnostics use. */
export interface DeletionFit {
  tau2: number;
  beta: Float64Array;
  vb: Float64Array;
  s2w: number;
  QE: number;
  I2: number;
  coefficients: Coefficient[];
}

/**
 * Refits the model without each row i in turn — the model
 * `fit.refit(all rows but i)` would fit, with the same convergence
 * settings — and calls `each(i, fitᵢ)`, with null where the reduced model
 * cannot be fitted (too few rows, rank deficiency, …). Unlike k calls of
 * `refit`, the inputs are not validated again, the work arrays are
 * allocated once, and ML/REML/EB iterations and the PM root search start
 * from the full-data τ̂² (see `estimate`): the refits then take a few
 * iterations each instead of a run from the HE estimate.
 */
export function caseDeletions(fit: RmaUniFit, each: (i: number, del: DeletionFit | null) => void): void {
  const d = prepared.get(fit);
  const { k, p } = fit;
  if (!d) {
    // A fit object not made by `rma` (e.g. a copy): refit it the plain way.
    const rows = new Int32Array(k - 1);
    for (let i = 0; i < k; i++) {
      for (let j = 0, r = 0; j < k; j++) if (j !== i) rows[r++] = j;
      let del: RmaUniFit | null;
      try {
        del = fit.refit(rows);
      } catch {
        del = null;
      }
      each(i, del);
    }
    return;
  }
  const n = k - 1;
  // The reduced data for row i are rows 0..i−1, i+1..k−1: start from row 0
  // removed, then each step puts row i−1 back at position i−1.
  const y = d.y.slice(1), v = d.v.slice(1), X = d.X.slice(p);
  const s = newScratch(n);
  const out = { w: new Float64Array(n), r: new Float64Array(n), h: new Float64Array(n) };
  const df = d.test === "t" ? n - p : null;
  for (let i = 0; i < k; i++) {
    if (i > 0) {
      y[i - 1] = d.y[i - 1];
      v[i - 1] = d.v[i - 1];
      for (let a = 0; a < p; a++) X[(i - 1) * p + a] = d.X[(i - 1) * p + a];
    }
    let del: DeletionFit | null = null;
    try {
      checkRows(X, n, p, d.method);
      const e = estimate({ ...d, y, v, X, k: n }, s, out, fit.tau2);
      const se = Array.from({ length: p }, (_, j) => Math.sqrt(e.vb[j * p + j]));
      del = {
        tau2: e.tau2, beta: e.fit.beta, vb: e.vb, s2w: e.s2w, QE: e.QE, I2: e.I2,
        coefficients: coefficientTable(d.terms, e.fit.beta, se, df, d.level),
      };
    } catch {
      del = null;
    }
    each(i, del);
  }
}

import { pChisqUpper as pChisq } from "./dist.js";

/** log det(XᵀX), the constant term of metafor's REML log-likelihood (REMLf = TRUE). */
export function logDetXtX(X: Float64Array, k: number, p: number): number {
  const A = xdx(X, k, p, new Float64Array(k).fill(1));
  return cholesky(A, p) ? cholLogDet(A, p) : NaN;
}

/** metafor refuses models whose XᵀX has an eigenvalue ≤ 1e-7 (its `evtol`). */
export function checkFullRank(X: Float64Array, k: number, p: number): void {
  const A = xdx(X, k, p, new Float64Array(k).fill(1));
  const { values } = symEigen(A, p);
  if (values.some((e) => e <= 1e-7)) {
    throw new MetaInputError("model matrix not of full rank (a moderator is constant or collinear with others, or a factor level has no rows)");
  }
}
