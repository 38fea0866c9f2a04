/**
 * Dense linear algebra for the small matrices of meta-analysis: p×p normal
 * equations (p = number of coefficients) and one n_j×n_j block per cluster of
 * a block-diagonal marginal covariance. Hand-written because no well-kept
 * JavaScript library offers block-diagonal (per-cluster) factorisations with
 * Float64Array storage; general sparse or dense libraries would either form
 * the k×k matrix or add allocation overhead that dominates at these sizes.
 * All matrices are row-major Float64Array of n×n (or r×c where stated).
 */

/**
 * In-place Cholesky factorisation A = L Lᵀ of a symmetric positive-definite
 * n×n matrix; the lower triangle of `a` becomes L, the upper is zeroed.
 * Returns false if A is not (numerically) positive definite.
 */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
    for (let i = 0; i < j; i++) a[i * n + j] = 0;
  }
  return true;
}

/** log det(A) from its Cholesky factor L: 2 Σ log L_ii. */
export function cholLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/** Solves L Lᵀ x = b in place (b overwritten by x). */
export function cholSolveVec(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** A⁻¹ from the Cholesky factor L of A (symmetric result). */
export function cholInverse(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  cholInverseInto(l, n, inv, 0, new Float64Array(n * n));
  return inv;
}

/**
 * cholInverse writing A⁻¹ to out[off … off + n² − 1], with `li` (≥ n²) as
 * scratch: the per-cluster loops call this tens of thousands of times per
 * likelihood evaluation, where allocating two arrays per call would dominate.
 */
export function cholInverseInto(l: Float64Array, n: number, out: Float64Array, off: number, li: Float64Array): void {
  // Invert L (lower triangular), then A⁻¹ = L⁻ᵀ L⁻¹. Only the lower triangle of li is read.
  for (let i = 0; i < n; i++) {
    li[i * n + i] = 1 / l[i * n + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k] * li[k * n + j];
      li[i * n + j] = s / l[i * n + i];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j];
      out[off + i * n + j] = s;
      out[off + j * n + i] = s;
    }
  }
}

/** Inverse of a symmetric positive-definite matrix, or null if not PD. */
export function spdInverse(a: Float64Array, n: number): Float64Array | null {
  const l = Float64Array.from(a);
  if (!cholesky(l, n)) return null;
  return cholInverse(l, n);
}

/** C = A B for A r×m, B m×c. */
export function matMul(a: Float64Array, b: Float64Array, r: number, m: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j] += aik * b[k * c + j];
    }
  }
  return out;
}

/** Aᵀ for A r×c. */
export function transpose(a: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

/**
 * Eigen-decomposition of a symmetric n×n matrix by the cyclic Jacobi method
 * (Golub & Van Loan 2013, §8.5), which is accurate to working precision for
 * small eigenvalues—needed where CR2 must tell exact zeros from tiny values.
 * Returns eigenvalues and eigenvectors (column j of `vectors` belongs to
 * values[j]).
 */
export function symEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = new Float64Array(n * n);
  const v = new Float64Array(n * n);
  const values = new Float64Array(n);
  symEigenInto(a, n, m, v, values);
  return { values, vectors: v };
}

/** symEigen into caller-owned arrays: `m` (≥ n², scratch), `v` (≥ n², eigenvectors), `values` (≥ n). */
export function symEigenInto(a: Float64Array, n: number, m: Float64Array, v: Float64Array, values: Float64Array): void {
  for (let i = 0; i < n * n; i++) m[i] = a[i];
  v.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += m[i * n + i] * m[i * n + i];
      for (let j = i + 1; j < n; j++) off += m[i * n + j] * m[i * n + j];
    }
    if (off <= 1e-32 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) values[i] = m[i * n + i];
}

/**
 * Symmetric matrix power A^pow through the eigen-decomposition, with
 * eigenvalues ≤ `tol` set to zero (a generalised inverse for negative powers).
 * `tol = 1e-12` reproduces clubSandwich's `matrix_power`.
 */
export function symPower(a: Float64Array, n: number, pow: number, tol = 1e-12): Float64Array {
  const out = new Float64Array(n * n);
  symPowerInto(out, a, n, pow, tol, new EigenWork(n));
  return out;
}

/** Scratch space for symPowerInto on matrices up to n×n. */
export class EigenWork {
  readonly m: Float64Array;
  readonly vectors: Float64Array;
  readonly values: Float64Array;
  readonly f: Float64Array;
  constructor(n: number) {
    this.m = new Float64Array(n * n);
    this.vectors = new Float64Array(n * n);
    this.values = new Float64Array(n);
    this.f = new Float64Array(n);
  }
}

/** symPower writing A^pow to `out` (≥ n²), with scratch `w` sized for at least n. */
export function symPowerInto(out: Float64Array, a: Float64Array, n: number, pow: number, tol: number, w: EigenWork): void {
  const { values, vectors, f } = w;
  symEigenInto(a, n, w.m, vectors, values);
  for (let i = 0; i < n; i++) f[i] = values[i] > tol ? Math.pow(values[i], pow) : 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * f[k] * vectors[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
}

/** log det of a symmetric positive-definite matrix (NaN if not PD). */
export function spdLogDet(a: Float64Array, n: number): number {
  const l = Float64Array.from(a);
  return cholesky(l, n) ? cholLogDet(l, n) : NaN;
}

/**
 * Solves the normal equations (XᵀWX) β = XᵀWy of a weighted least-squares
 * fit given the lower triangle of XᵀWX in `lower` (p×p, row-major; only
 * entries c ≤ a are read) and XᵀWy in `rhs`. Shared by the univariate and the
 * multilevel fit so both factor, invert and solve in exactly the same order
 * (their results are compared bit for bit). `lower` is left untouched.
 * Returns null when XᵀWX is not positive definite (X not of full rank).
 */
export function solveNormalEquations(
  lower: Float64Array,
  rhs: Float64Array,
  p: number,
): { inverse: Float64Array; logDet: number; beta: Float64Array } | null {
  const l = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let c = 0; c <= a; c++) {
      l[a * p + c] = lower[a * p + c];
      l[c * p + a] = lower[a * p + c];
    }
  }
  if (!cholesky(l, p)) return null;
  const logDet = cholLogDet(l, p);
  const inverse = cholInverse(l, p);
  const beta = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    let s = 0;
    for (let c = 0; c < p; c++) s += inverse[a * p + c] * rhs[c];
    beta[a] = s;
  }
  return { inverse, logDet, beta };
}
