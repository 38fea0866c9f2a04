/**
 * Cluster-robust inference with the CR2 bias-reduced linearisation estimator
 * (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018), Satterthwaite degrees
 * of freedom per coefficient and the HTZ Wald test (Tipton & Pustejovsky
 * 2015), reproducing `metafor::robust(fit, cluster, clubSandwich = TRUE)`,
 * i.e. clubSandwich's `vcovCR(type = "CR2")`, `coef_test(test =
 * "Satterthwaite")` and `Wald_test(test = "HTZ")` with the model's own
 * weights as working model (inverse-variance case).
 *
 * For cluster j with rows X_j, working covariance Θ_j (diag(vᵢ+τ²) for `rma`,
 * the marginal block of V for `rmaMv`), W_j = Θ_j⁻¹, M = (Σ X_jᵀW_jX_j)⁻¹:
 *   A_j = Θ_j^{½ᵀ} [Θ_j^{½}(I − X_jMX_jᵀW_j)Θ_jΘ_j^{½ᵀ}]^{−½} Θ_j^{½}
 *   V^CR2 = M (Σ_j X_jᵀW_jA_j e_j e_jᵀA_jW_jX_j) M
 * (Θ^{½} the upper Cholesky factor; the inverse square root drops
 * eigenvalues ≤ 1e-12 as clubSandwich). Satterthwaite: with G_j =
 * M X_jᵀW_jA_j Θ_j^{½ᵀ} and H_j = M X_jᵀW_jA_j X_j M^{½}, the df for
 * coefficient i is 2E²/V where, for P_i[a,b] = δ_ab‖G_a[i]‖² − H_a[i]·H_b[i],
 * E = tr P_i and V = 2‖P_i‖²_F. HTZ: ν = q(q+1)/Σ_st Var_st from the same
 * arrays standardised by Ω^{−½}, F = (ν−q+1)/ν · Q/q on (q, ν−q+1) df.
 * All sums run over clusters (no J×J or k×k matrices).
 */
import { critical, pFUpper, pTTwoSided } from "./dist.js";
import { MetaInputError } from "./errors.js";
import { cholesky, cholInverse, spdInverse, symPower } from "./linalg.js";
import { marginalBlock } from "./rmamv.js";
import type { Coefficient, RmaFit } from "./types.js";

export interface RobustResult {
  /** "CR2" */
  type: "CR2";
  /** Number of clusters. */
  clusters: number;
  /** p×p cluster-robust covariance (row-major). */
  vcov: Float64Array;
  /** Coefficient table with CR2 standard errors and Satterthwaite df. */
  coefficients: Coefficient[];
  /** HTZ test of the omnibus coefficients (F), or t² for an intercept-only model. */
  QM: number;
  QMdf: [number, number];
  QMp: number;
}

export function robust(fit: RmaFit, cluster: ArrayLike<string | number>): RobustResult {
  const { k, p, X, residuals, level } = fit;
  if (cluster.length !== k) throw new MetaInputError(`cluster has ${cluster.length} values, expected ${k}`);
  const ids = new Map<string, number>();
  const cl = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const c = cluster[i];
    if (c === null || c === undefined || c === "") throw new MetaInputError(`row ${i + 1}: cluster is missing`);
    const key = String(c);
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    cl[i] = id;
  }
  const J = ids.size;
  if (J < 2) throw new MetaInputError("cluster-robust variance estimation needs at least two clusters");
  // As metafor's robust(): the sandwich needs more clusters than coefficients.
  if (J <= p) throw new MetaInputError(`number of clusters (${J}) must be larger than the number of coefficients (${p})`);
  const members: number[][] = Array.from({ length: J }, () => []);
  for (let i = 0; i < k; i++) members[cl[i]].push(i);

  // Working covariance per cluster. clubSandwich rescales rma.uni weights by their mean.
  let scale = 1;
  let theta: (rows: number[]) => Float64Array;
  if (fit.model === "uni") {
    let s = 0;
    for (let i = 0; i < k; i++) s += fit.weights[i];
    scale = s / k;
    const t2 = fit.tau2;
    theta = (rows) => {
      const n = rows.length;
      const T = new Float64Array(n * n);
      for (let a = 0; a < n; a++) T[a * n + a] = (fit.vi[rows[a]] + t2) * scale;
      return T;
    };
  } else {
    const top = fit.groups[0];
    const owner = new Int32Array(fit.nGroups[0]).fill(-1);
    for (let i = 0; i < k; i++) {
      if (owner[top[i]] === -1) owner[top[i]] = cl[i];
      else if (owner[top[i]] !== cl[i]) throw new MetaInputError(`random effects are not nested within the clustering variable (rows of one "${fit.random[0]}" group fall in different clusters)`);
    }
    theta = (rows) => marginalBlock(fit.vi, fit.groups, fit.sigma2, rows);
  }

  interface C { rows: number[]; n: number; Xj: Float64Array; Lt: Float64Array; W: Float64Array }
  const cs: C[] = [];
  const XWX = new Float64Array(p * p);
  for (const rows of members) {
    const n = rows.length;
    const T = theta(rows);
    const Lt = Float64Array.from(T);
    if (!cholesky(Lt, n)) throw new MetaInputError("a cluster's working covariance is not positive definite");
    const W = cholInverse(Lt, n);
    const Xj = new Float64Array(n * p);
    for (let a = 0; a < n; a++) for (let c = 0; c < p; c++) Xj[a * p + c] = X[rows[a] * p + c];
    const XtW = mulT(Xj, W, n, p); // p×n
    const xwx = mul(XtW, Xj, p, n, p);
    for (let i = 0; i < p * p; i++) XWX[i] += xwx[i];
    cs.push({ rows, n, Xj, Lt, W });
  }
  const M = spdInverse(XWX, p);
  if (!M) throw new MetaInputError("XᵀWX is singular; cannot compute the robust covariance");
  const LM = Float64Array.from(M);
  cholesky(LM, p);

  const meat = new Float64Array(p * p);
  const Gs: Float64Array[] = [];
  const Hs: Float64Array[] = [];
  for (const c of cs) {
    const { n, Xj, Lt, W, rows } = c;
    // IH = I − X_j M X_jᵀ W_j
    const XM = mul(Xj, M, n, p, p);
    const XMXt = mulBT(XM, Xj, n, p, n);
    const IH = mul(XMXt, W, n, n, n).map((x) => -x);
    for (let a = 0; a < n; a++) IH[a * n + a] += 1;
    // Θ from its Cholesky factor: Θ = Lt Ltᵀ; G = Ltᵀ IH Θ Lt
    const Th = mulBT(Lt, Lt, n, n, n);
    const Ltt = transpose(Lt, n, n);
    const Gm = mul(mul(mul(Ltt, IH, n, n, n), Th, n, n, n), Lt, n, n, n);
    symmetrise(Gm, n);
    const Gi = symPower(Gm, n, -0.5, 1e-12);
    const A = mul(mul(Lt, Gi, n, n, n), Ltt, n, n, n);
    const E = mul(mulT(Xj, W, n, p), A, p, n, n); // p×n
    const comp = new Float64Array(p);
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let b = 0; b < n; b++) s += E[a * n + b] * residuals[rows[b]];
      comp[a] = s;
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) meat[a * p + b] += comp[a] * comp[b];
    const ME = mul(M, E, p, p, n);
    Gs.push(mul(ME, Lt, p, n, n)); // p×n
    Hs.push(mul(mul(ME, Xj, p, n, p), LM, p, p, p)); // p×p
  }
  const vcov = mul(mul(M, meat, p, p, p), M, p, p, p);
  symmetrise(vcov, p);
  // W was divided by `scale` and M multiplied by it: M·comp is unchanged, so vcov needs no rescaling.

  const se = Array.from({ length: p }, (_, j) => Math.sqrt(vcov[j * p + j]));
  const dfs: number[] = [];
  for (let i = 0; i < p; i++) {
    let E = 0, sg2 = 0, cross = 0;
    const S = new Float64Array(p * p);
    for (let j = 0; j < J; j++) {
      const G = Gs[j], H = Hs[j], n = cs[j].n;
      let g = 0;
      for (let b = 0; b < n; b++) g += G[i * n + b] ** 2;
      let hh = 0;
      for (let x = 0; x < p; x++) {
        const hx = H[i * p + x];
        hh += hx * hx;
        for (let yy = 0; yy < p; yy++) S[x * p + yy] += hx * H[i * p + yy];
      }
      E += g - hh;
      sg2 += g * g;
      cross += g * hh;
    }
    let sf = 0;
    for (let x = 0; x < p * p; x++) sf += S[x] * S[x];
    const V = 2 * (sg2 - 2 * cross + sf);
    dfs.push((2 * E * E) / V);
  }
  const coefficients: Coefficient[] = fit.terms.map((term, j) => {
    const stat = fit.beta[j] / se[j];
    const crit = critical(level, dfs[j]);
    return {
      term, estimate: fit.beta[j], se: se[j], statistic: stat, df: dfs[j],
      p: pTTwoSided(stat, dfs[j]),
      ciLower: fit.beta[j] - crit * se[j], ciUpper: fit.beta[j] + crit * se[j],
    };
  });

  const btt = fit.omnibus.btt;
  const intOnly = fit.intercept && p === 1;
  if (intOnly) {
    const c = coefficients[0];
    return { type: "CR2", clusters: J, vcov, coefficients, QM: Math.max(0, c.statistic ** 2), QMdf: [1, dfs[0]], QMp: c.p };
  }
  const q = btt.length;
  // Q = (Cβ)ᵀ(C V C ᵀ)⁻¹(Cβ)
  const Vq = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) Vq[a * q + b] = vcov[btt[a] * p + btt[b]];
  const Vqi = spdInverse(Vq, q);
  if (!Vqi) throw new MetaInputError("the robust covariance of the tested coefficients is singular");
  let Q = 0;
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) Q += fit.beta[btt[a]] * Vqi[a * q + b] * fit.beta[btt[b]];
  // Ω = Σ_j (C G_j)(C G_j)ᵀ − (C H_j)(C H_j)ᵀ
  const D: Float64Array[] = [];
  const K: Float64Array[] = [];
  const Omega = new Float64Array(q * q);
  for (let j = 0; j < J; j++) {
    const G = Gs[j], H = Hs[j], n = cs[j].n;
    const Dj = new Float64Array(q * q);
    const Kj = new Float64Array(q * p);
    for (let s = 0; s < q; s++) {
      for (let x = 0; x < p; x++) Kj[s * p + x] = H[btt[s] * p + x];
      for (let t = 0; t <= s; t++) {
        let d = 0;
        for (let b = 0; b < n; b++) d += G[btt[s] * n + b] * G[btt[t] * n + b];
        Dj[s * q + t] = Dj[t * q + s] = d;
      }
    }
    for (let s = 0; s < q; s++) for (let t = 0; t < q; t++) {
      let kk = 0;
      for (let x = 0; x < p; x++) kk += Kj[s * p + x] * Kj[t * p + x];
      Omega[s * q + t] += Dj[s * q + t] - kk;
    }
    D.push(Dj);
    K.push(Kj);
  }
  symmetrise(Omega, q);
  const On = symPower(Omega, q, -0.5, 1e-12);
  const Dt = D.map((Dj) => mul(mul(On, Dj, q, q, q), On, q, q, q));
  const Kt = K.map((Kj) => mul(On, Kj, q, q, p));
  // S_su = Σ_j K̃_j[s]ᵀ ⊗ K̃_j[u] (p×p), for all s ≤ u
  const Sx = new Map<number, Float64Array>();
  const Sget = (s: number, u: number): Float64Array => {
    const key = s * q + u;
    let m = Sx.get(key);
    if (!m) {
      m = new Float64Array(p * p);
      for (let j = 0; j < J; j++) {
        const Kj = Kt[j];
        for (let x = 0; x < p; x++) {
          const a = Kj[s * p + x];
          if (a === 0) continue;
          for (let y2 = 0; y2 < p; y2++) m[x * p + y2] += a * Kj[u * p + y2];
        }
      }
      Sx.set(key, m);
    }
    return m;
  };
  const kdot = (Kj: Float64Array, s: number, t: number) => {
    let r = 0;
    for (let x = 0; x < p; x++) r += Kj[s * p + x] * Kj[t * p + x];
    return r;
  };
  // Σ_ab B_st[a,b]·B_uv[a,b]
  const pairSum = (s: number, t: number, u: number, v: number): number => {
    let r = 0;
    for (let j = 0; j < J; j++) {
      const Dj = Dt[j], Kj = Kt[j];
      r += Dj[s * q + t] * Dj[u * q + v] - Dj[s * q + t] * kdot(Kj, u, v) - Dj[u * q + v] * kdot(Kj, s, t);
    }
    const A = Sget(s, u), B = Sget(t, v);
    for (let x = 0; x < p * p; x++) r += A[x] * B[x];
    return r;
  };
  let total = 0;
  for (let s = 0; s < q; s++) for (let t = 0; t < q; t++) total += pairSum(s, t, t, s) + pairSum(s, s, t, t);
  const nu = (q * (q + 1)) / total;
  const delta = Math.max((nu - q + 1) / nu, 0);
  const df2 = nu - q + 1;
  const F = (delta * Q) / q;
  return { type: "CR2", clusters: J, vcov, coefficients, QM: Math.max(0, F), QMdf: [q, df2], QMp: df2 > 0 ? pFUpper(F, q, df2) : NaN };
}

/** A (r×m) · B (m×c). */
function mul(A: Float64Array, B: Float64Array, r: number, m: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let x = 0; x < m; x++) {
    const a = A[i * m + x];
    if (a === 0) continue;
    for (let j = 0; j < c; j++) out[i * c + j] += a * B[x * c + j];
  }
  return out;
}
/** Aᵀ B for A (n×p), B (n×n) → p×n. */
function mulT(A: Float64Array, B: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(p * n);
  for (let x = 0; x < n; x++) for (let i = 0; i < p; i++) {
    const a = A[x * p + i];
    if (a === 0) continue;
    for (let j = 0; j < n; j++) out[i * n + j] += a * B[x * n + j];
  }
  return out;
}
/** A (r×m) · Bᵀ for B (c×m). */
function mulBT(A: Float64Array, B: Float64Array, r: number, m: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) {
    let s = 0;
    for (let x = 0; x < m; x++) s += A[i * m + x] * B[j * m + x];
    out[i * c + j] = s;
  }
  return out;
}
function transpose(A: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = A[i * c + j];
  return out;
}
function symmetrise(A: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i] = (A[i * n + j] + A[j * n + i]) / 2;
}
