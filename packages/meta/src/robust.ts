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
import { cholesky, cholInverseInto, EigenWork, spdInverse, symPower, symPowerInto } from "./linalg.js";
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
  const { k, p, residuals, level } = fit;
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
  // Rows of each cluster in row order, gathered contiguously: cluster j is cRows[cStart[j] … cStart[j+1] − 1].
  const cStart = new Int32Array(J + 1);
  for (let i = 0; i < k; i++) cStart[cl[i] + 1]++;
  for (let j = 0; j < J; j++) cStart[j + 1] += cStart[j];
  const cRows = new Int32Array(k);
  const next = cStart.slice(0, J);
  for (let i = 0; i < k; i++) cRows[next[cl[i]]++] = i;

  // Working covariance per cluster. clubSandwich rescales rma.uni weights by their mean.
  let scale = 1;
  if (fit.model === "uni") {
    let s = 0;
    for (let i = 0; i < k; i++) s += fit.weights[i];
    scale = s / k;
  } else {
    const top = fit.groups[0];
    const owner = new Int32Array(fit.nGroups[0]).fill(-1);
    for (let i = 0; i < k; i++) {
      if (owner[top[i]] === -1) owner[top[i]] = cl[i];
      else if (owner[top[i]] !== cl[i]) throw new MetaInputError(`random effects are not nested within the clustering variable (rows of one "${fit.random[0]}" group fall in different clusters)`);
    }
  }

  const clusters = new Clusters(fit, cStart, cRows, scale);
  const XWX = new Float64Array(p * p);
  for (let j = 0; j < J; j++) {
    if (!clusters.prepare(j, XWX)) throw new MetaInputError("a cluster's working covariance is not positive definite");
  }
  const M = spdInverse(XWX, p);
  if (!M) throw new MetaInputError("XᵀWX is singular; cannot compute the robust covariance");
  const LM = Float64Array.from(M);
  cholesky(LM, p);

  const meat = new Float64Array(p * p);
  for (let j = 0; j < J; j++) clusters.adjust(j, M, LM, residuals, meat);
  const { G: Gall, H: Hall } = clusters;
  const vcov = mul(mul(M, meat, p, p, p), M, p, p, p);
  symmetrise(vcov, p);
  // W was divided by `scale` and M multiplied by it: M·comp is unchanged, so vcov needs no rescaling.

  const se = Array.from({ length: p }, (_, j) => Math.sqrt(vcov[j * p + j]));
  const dfs: number[] = [];
  for (let i = 0; i < p; i++) {
    let E = 0, sg2 = 0, cross = 0;
    const S = new Float64Array(p * p);
    for (let j = 0; j < J; j++) {
      const g0 = cStart[j] * p, h0 = j * p * p, n = cStart[j + 1] - cStart[j];
      let g = 0;
      for (let b = 0; b < n; b++) g += Gall[g0 + i * n + b] ** 2;
      let hh = 0;
      for (let x = 0; x < p; x++) {
        const hx = Hall[h0 + i * p + x];
        hh += hx * hx;
        // S = Σ_j h_j h_jᵀ is symmetric term by term: sum the lower triangle, mirror below.
        for (let yy = 0; yy <= x; yy++) S[x * p + yy] += hx * Hall[h0 + i * p + yy];
      }
      E += g - hh;
      sg2 += g * g;
      cross += g * hh;
    }
    for (let x = 0; x < p; x++) for (let yy = x + 1; yy < p; yy++) S[x * p + yy] = S[yy * p + x];
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
  // Ω = Σ_j (C G_j)(C G_j)ᵀ − (C H_j)(C H_j)ᵀ; D_j = (C G_j)(C G_j)ᵀ (q×q) and K_j = C H_j (q×p), stored flat.
  const qq = q * q, qp = q * p;
  const D = new Float64Array(J * qq);
  const K = new Float64Array(J * qp);
  const Omega = new Float64Array(qq);
  for (let j = 0; j < J; j++) {
    const g0 = cStart[j] * p, h0 = j * p * p, n = cStart[j + 1] - cStart[j];
    const d0 = j * qq, k0 = j * qp;
    for (let s = 0; s < q; s++) {
      for (let x = 0; x < p; x++) K[k0 + s * p + x] = Hall[h0 + btt[s] * p + x];
      for (let t = 0; t <= s; t++) {
        let d = 0;
        for (let b = 0; b < n; b++) d += Gall[g0 + btt[s] * n + b] * Gall[g0 + btt[t] * n + b];
        D[d0 + s * q + t] = D[d0 + t * q + s] = d;
      }
    }
    // D_j and K_jK_jᵀ are symmetric term by term, so each (s, t) increment is also the (t, s) one.
    for (let s = 0; s < q; s++) for (let t = 0; t <= s; t++) {
      const inc = D[d0 + s * q + t] - kdot(K, k0, p, s, t);
      Omega[s * q + t] += inc;
      if (t < s) Omega[t * q + s] += inc;
    }
  }
  symmetrise(Omega, q);
  const On = symPower(Omega, q, -0.5, 1e-12);
  // Standardised by Ω^{−½}: D̃_j = Ω^{−½} D_j Ω^{−½}, K̃_j = Ω^{−½} K_j.
  const Dt = new Float64Array(J * qq);
  const Kt = new Float64Array(J * qp);
  {
    const Dj = new Float64Array(qq), Kj = new Float64Array(qp), t1 = new Float64Array(qq), out = new Float64Array(Math.max(qq, qp));
    for (let j = 0; j < J; j++) {
      for (let x = 0; x < qq; x++) Dj[x] = D[j * qq + x];
      for (let x = 0; x < qp; x++) Kj[x] = K[j * qp + x];
      mulInto(out, mulInto(t1, On, Dj, q, q, q), On, q, q, q);
      for (let x = 0; x < qq; x++) Dt[j * qq + x] = out[x];
      mulInto(out, On, Kj, q, q, p);
      for (let x = 0; x < qp; x++) Kt[j * qp + x] = out[x];
    }
  }
  // KK_j[s,t] = K̃_j[s]·K̃_j[t], used by every pairSum below.
  const KK = new Float64Array(J * qq);
  for (let j = 0; j < J; j++) {
    for (let s = 0; s < q; s++) for (let t = 0; t <= s; t++) KK[j * qq + s * q + t] = KK[j * qq + t * q + s] = kdot(Kt, j * qp, p, s, t);
  }
  // S_su = Σ_j K̃_j[s]ᵀ ⊗ K̃_j[u] (p×p); S_us is its transpose (the same products, summed in the same order).
  const Sx = new Map<number, Float64Array>();
  const Sget = (s: number, u: number): Float64Array => {
    const key = s * q + u;
    let m = Sx.get(key);
    if (!m) {
      m = new Float64Array(p * p);
      if (s > u) {
        const mt = Sget(u, s);
        for (let x = 0; x < p; x++) for (let y2 = 0; y2 < p; y2++) m[x * p + y2] = mt[y2 * p + x];
      } else {
        for (let j = 0; j < J; j++) {
          const k0 = j * qp;
          for (let x = 0; x < p; x++) {
            const a = Kt[k0 + s * p + x];
            if (a === 0) continue;
            for (let y2 = 0; y2 < p; y2++) m[x * p + y2] += a * Kt[k0 + u * p + y2];
          }
        }
      }
      Sx.set(key, m);
    }
    return m;
  };
  // Σ_ab B_st[a,b]·B_uv[a,b]
  const pairSum = (s: number, t: number, u: number, v: number): number => {
    let r = 0;
    const st = s * q + t, uv = u * q + v;
    for (let j = 0; j < J; j++) {
      const d0 = j * qq;
      r += Dt[d0 + st] * Dt[d0 + uv] - Dt[d0 + st] * KK[d0 + uv] - Dt[d0 + uv] * KK[d0 + st];
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

/** Row s · row t of the q×p matrix stored at K[k0 …]. */
function kdot(K: Float64Array, k0: number, p: number, s: number, t: number): number {
  let r = 0;
  for (let x = 0; x < p; x++) r += K[k0 + s * p + x] * K[k0 + t * p + x];
  return r;
}

/**
 * Per-cluster state of the CR2 computation, stored in flat arrays (cluster
 * j's rows contiguous), with scratch space sized for the largest cluster.
 * With tens of thousands of clusters, allocating each cluster's dozen small
 * intermediate matrices cost more than the arithmetic on them.
 */
class Clusters {
  readonly p: number;
  /** Offset of cluster j's n×n matrices in L and W. */
  readonly nnOff: Int32Array;
  /** Lower Cholesky factor of Θ_j (Θ_j = L_jL_jᵀ). */
  readonly L: Float64Array;
  /** W_j = Θ_j⁻¹. */
  readonly W: Float64Array;
  /** X_j (n×p) at row offset cStart[j]. */
  readonly X: Float64Array;
  /** G_j = M X_jᵀW_jA_j L_j (p×n) at cStart[j]·p. */
  readonly G: Float64Array;
  /** H_j = M X_jᵀW_jA_j X_j chol(M) (p×p) at j·p². */
  readonly H: Float64Array;
  private readonly s: Record<"T" | "Li" | "L" | "W" | "Ltt" | "IH" | "XMXt" | "Th" | "t1" | "t2" | "Gm" | "Gi" | "A", Float64Array>;
  private readonly sp: Record<"X" | "XtW" | "XM" | "E" | "ME" | "Gj", Float64Array>;
  private readonly xwx: Float64Array;
  private readonly MEX: Float64Array;
  private readonly Hj: Float64Array;
  private readonly comp: Float64Array;
  private readonly eig: EigenWork;

  constructor(
    private readonly fit: RmaFit, private readonly cStart: Int32Array, private readonly cRows: Int32Array, private readonly scale: number,
  ) {
    const p = (this.p = fit.p);
    const J = cStart.length - 1;
    this.nnOff = new Int32Array(J + 1);
    let maxN = 0;
    for (let j = 0; j < J; j++) {
      const n = cStart[j + 1] - cStart[j];
      maxN = Math.max(maxN, n);
      this.nnOff[j + 1] = this.nnOff[j] + n * n;
    }
    this.L = new Float64Array(this.nnOff[J]);
    this.W = new Float64Array(this.nnOff[J]);
    this.X = new Float64Array(fit.k * p);
    this.G = new Float64Array(fit.k * p);
    this.H = new Float64Array(J * p * p);
    const nn = () => new Float64Array(maxN * maxN);
    const np = () => new Float64Array(maxN * p);
    this.s = { T: nn(), Li: nn(), L: nn(), W: nn(), Ltt: nn(), IH: nn(), XMXt: nn(), Th: nn(), t1: nn(), t2: nn(), Gm: nn(), Gi: nn(), A: nn() };
    this.sp = { X: np(), XtW: np(), XM: np(), E: np(), ME: np(), Gj: np() };
    this.xwx = new Float64Array(p * p);
    this.MEX = new Float64Array(p * p);
    this.Hj = new Float64Array(p * p);
    this.comp = new Float64Array(p);
    this.eig = new EigenWork(maxN);
  }

  /** Θ_j into T (n×n): diag(vᵢ+τ²)·scale for rma, the marginal block of V (as marginalBlock) for rmaMv. */
  private theta(j: number, T: Float64Array): void {
    const { fit, cRows } = this;
    const r0 = this.cStart[j], n = this.cStart[j + 1] - r0;
    if (fit.model === "uni") {
      T.fill(0, 0, n * n);
      for (let a = 0; a < n; a++) T[a * n + a] = (fit.vi[cRows[r0 + a]] + fit.tau2) * this.scale;
      return;
    }
    const { vi, groups, sigma2 } = fit;
    for (let a = 0; a < n; a++) {
      const ra = cRows[r0 + a];
      for (let b = 0; b <= a; b++) {
        const rb = cRows[r0 + b];
        let s = a === b ? vi[ra] : 0;
        for (let l = 0; l < groups.length; l++) if (groups[l][ra] === groups[l][rb]) s += sigma2[l];
        T[a * n + b] = s;
        T[b * n + a] = s;
      }
    }
  }

  /** Factorises Θ_j, stores L_j, W_j, X_j and adds X_jᵀW_jX_j to XWX; false if Θ_j is not PD. */
  prepare(j: number, XWX: Float64Array): boolean {
    const { p, s, sp, fit } = this;
    const r0 = this.cStart[j], n = this.cStart[j + 1] - r0, o = this.nnOff[j];
    this.theta(j, s.T);
    if (!cholesky(s.T, n)) return false;
    for (let i = 0; i < n * n; i++) this.L[o + i] = s.T[i];
    cholInverseInto(s.T, n, this.W, o, s.Li);
    for (let i = 0; i < n * n; i++) s.W[i] = this.W[o + i];
    for (let a = 0; a < n; a++) {
      const row = this.cRows[r0 + a];
      for (let c = 0; c < p; c++) sp.X[a * p + c] = this.X[(r0 + a) * p + c] = fit.X[row * p + c];
    }
    mulInto(this.xwx, mulTInto(sp.XtW, sp.X, s.W, n, p), sp.X, p, n, p);
    for (let i = 0; i < p * p; i++) XWX[i] += this.xwx[i];
    return true;
  }

  /** The CR2 adjustment of cluster j: adds its meat term and stores G_j and H_j. */
  adjust(j: number, M: Float64Array, LM: Float64Array, residuals: Float64Array, meat: Float64Array): void {
    const { p, s, sp, comp } = this;
    const r0 = this.cStart[j], n = this.cStart[j + 1] - r0, o = this.nnOff[j], nn = n * n;
    for (let i = 0; i < nn; i++) {
      s.L[i] = this.L[o + i];
      s.W[i] = this.W[o + i];
    }
    for (let i = 0; i < n * p; i++) sp.X[i] = this.X[r0 * p + i];
    // IH = I − X_j M X_jᵀ W_j
    mulInto(sp.XM, sp.X, M, n, p, p);
    mulBTInto(s.XMXt, sp.XM, sp.X, n, p, n);
    const IH = mulInto(s.IH, s.XMXt, s.W, n, n, n);
    for (let i = 0; i < nn; i++) IH[i] = -IH[i];
    for (let a = 0; a < n; a++) IH[a * n + a] += 1;
    // Θ from its Cholesky factor: Θ = L Lᵀ; Gm = Lᵀ IH Θ L
    mulBTInto(s.Th, s.L, s.L, n, n, n);
    transposeInto(s.Ltt, s.L, n, n);
    mulInto(s.Gm, mulInto(s.t2, mulInto(s.t1, s.Ltt, IH, n, n, n), s.Th, n, n, n), s.L, n, n, n);
    symmetrise(s.Gm, n);
    symPowerInto(s.Gi, s.Gm, n, -0.5, 1e-12, this.eig);
    const A = mulInto(s.A, mulInto(s.t1, s.L, s.Gi, n, n, n), s.Ltt, n, n, n);
    const E = mulInto(sp.E, mulTInto(sp.XtW, sp.X, s.W, n, p), A, p, n, n); // p×n
    for (let a = 0; a < p; a++) {
      let t = 0;
      for (let b = 0; b < n; b++) t += E[a * n + b] * residuals[this.cRows[r0 + b]];
      comp[a] = t;
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) meat[a * p + b] += comp[a] * comp[b];
    const ME = mulInto(sp.ME, M, E, p, p, n);
    const G = mulInto(sp.Gj, ME, s.L, p, n, n); // p×n
    for (let i = 0; i < p * n; i++) this.G[r0 * p + i] = G[i];
    const H = mulInto(this.Hj, mulInto(this.MEX, ME, sp.X, p, n, p), LM, p, p, p); // p×p
    for (let i = 0; i < p * p; i++) this.H[j * p * p + i] = H[i];
  }
}

/** A (r×m) · B (m×c), a fresh array. */
function mul(A: Float64Array, B: Float64Array, r: number, m: number, c: number): Float64Array {
  return mulInto(new Float64Array(r * c), A, B, r, m, c);
}
/** out ← A (r×m) · B (m×c); returns out. */
function mulInto(out: Float64Array, A: Float64Array, B: Float64Array, r: number, m: number, c: number): Float64Array {
  out.fill(0, 0, r * c);
  for (let i = 0; i < r; i++) for (let x = 0; x < m; x++) {
    const a = A[i * m + x];
    if (a === 0) continue;
    for (let j = 0; j < c; j++) out[i * c + j] += a * B[x * c + j];
  }
  return out;
}
/** out ← Aᵀ B for A (n×p), B (n×n), a p×n result; returns out. */
function mulTInto(out: Float64Array, A: Float64Array, B: Float64Array, n: number, p: number): Float64Array {
  out.fill(0, 0, p * n);
  for (let x = 0; x < n; x++) for (let i = 0; i < p; i++) {
    const a = A[x * p + i];
    if (a === 0) continue;
    for (let j = 0; j < n; j++) out[i * n + j] += a * B[x * n + j];
  }
  return out;
}
/** out ← A (r×m) · Bᵀ for B (c×m); returns out. */
function mulBTInto(out: Float64Array, A: Float64Array, B: Float64Array, r: number, m: number, c: number): Float64Array {
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) {
    let s = 0;
    for (let x = 0; x < m; x++) s += A[i * m + x] * B[j * m + x];
    out[i * c + j] = s;
  }
  return out;
}
function transposeInto(out: Float64Array, A: Float64Array, r: number, c: number): Float64Array {
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = A[i * c + j];
  return out;
}
function symmetrise(A: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i] = (A[i * n + j] + A[j * n + i]) / 2;
}
