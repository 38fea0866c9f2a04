import type { SparseMatrix } from "./text.js";
import type { Random } from "./random.js";

/**
 * Linear classifiers on sparse rows, trained in the dual by coordinate descent.
 *
 * Hand-written because no maintained JavaScript library trains linear models
 * on sparse matrices with per-sample weights and warm starts (the ml.js
 * learners are dense, liblinear ports are unmaintained WebAssembly builds), and
 * prioritisation retrains after every decision, so a warm start from the last
 * solution is what keeps a retrain on 100,000 records under a second.
 *
 * The bias is an extra feature of constant value `biasScale`, regularised like
 * the others, exactly as liblinear (and so scikit-learn's LinearSVC) does it.
 */

export interface LinearModel {
  /** Weights, one per column, plus the bias at index `cols`. */
  readonly w: Float64Array;
  readonly biasScale: number;
}

/**
 * Decision values w·x + b of the given rows (all rows when `rows` is omitted).
 * A row's single-document terms (`SparseMatrix.ownSq`) are not stored, which
 * is exact for rows outside the training set, the only ones ranked: no other
 * row gives those terms weight.
 */
export function decision(model: LinearModel, X: SparseMatrix, rows?: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = rows ? rows.length : X.rows;
  const res = out ?? new Float64Array(n);
  const { w } = model;
  const b = w[X.cols] * model.biasScale;
  const { indptr, indices, data } = X;
  for (let k = 0; k < n; k++) {
    const r = rows ? rows[k] : k;
    let s = b;
    for (let p = indptr[r], e = indptr[r + 1]; p < e; p++) s += w[indices[p]] * data[p];
    res[k] = s;
  }
  return res;
}

export interface SvmOptions {
  /** Inverse regularisation strength. */
  C: number;
  /** Stopping tolerance on the projected gradient (liblinear's eps). */
  tol?: number;
  maxIter?: number;
  biasScale?: number;
}

/**
 * L2-regularised, squared-hinge-loss linear SVM (scikit-learn's LinearSVC with
 * loss="squared_hinge"), solved by the dual coordinate descent of Hsieh et al.
 * (2008, "A dual coordinate descent method for large-scale linear SVM",
 * ICML, Algorithm 1 with shrinking, §3.2). The dual is
 *   min_α ½ αᵀ(Q + D)α − eᵀα,  α ≥ 0,  Q_ij = y_i y_j x_iᵀx_j,  D_ii = 1/(2 C_i),
 * with C_i = C × sample weight, and w = Σ α_i y_i x_i.
 *
 * A row's single-document terms (`SparseMatrix.ownSq`) meet only that row's
 * own share of w, α_i y_i x_i, so their part of y_i wᵀx_i is α_i ‖x_i,own‖²:
 * they are folded into the diagonal, D_ii = 1/(2 C_i) + ‖x_i,own‖², which
 * gives exactly the solution on the full rows.
 *
 * A trainer keeps α between fits: the squared hinge loss has no upper bound
 * on α, so the previous solution stays feasible when weights change or rows
 * are added, and a refit after one more decision takes a few sweeps.
 */
export class SvmTrainer {
  private alpha = new Float64Array(0);
  // w is kept between fits and corrected only for rows whose label changed or
  // that left the training set: re-summing 2^22 dense weights after every
  // decision would cost more than the fit itself.
  private w: Float64Array | null = null;
  private X: SparseMatrix | null = null;
  /** Label each row contributes to w with (0 = none). */
  private yUsed = new Int8Array(0);
  private used: number[] = [];
  /** Sweeps over the active rows the last fit took. */
  sweeps = 0;
  /** 1 for rows the last fit converged on. */
  private settled = new Uint8Array(0);
  /** Squared norm of each stored row of `X` (plus the bias feature). */
  private rowSq = new Float64Array(0);

  constructor(
    private readonly options: SvmOptions,
    private readonly random: Random,
  ) {}

  /**
   * Fits on rows `rows` of X with labels y (±1) and weights `weight`
   * (parallel to `rows`). The returned model's weights are updated in place
   * by the next fit; copy them to keep a snapshot.
   */
  fit(X: SparseMatrix, rows: Int32Array, y: Int8Array, weight: Float64Array): LinearModel {
    const { C, tol = 1e-4, maxIter = 1000, biasScale = 1 } = this.options;
    const { indptr, indices, data } = X;
    const bias = X.cols;
    const addRow = (w: Float64Array, r: number, a: number) => {
      for (let p = indptr[r], e = indptr[r + 1]; p < e; p++) w[indices[p]] += a * data[p];
      w[bias] += a * biasScale;
    };
    if (this.alpha.length < X.rows) {
      const a = new Float64Array(X.rows);
      a.set(this.alpha);
      this.alpha = a;
      const st = new Uint8Array(X.rows);
      st.set(this.settled);
      this.settled = st;
    }
    const alpha = this.alpha;
    const n = rows.length;
    const target = new Int8Array(X.rows);
    for (let k = 0; k < n; k++) target[rows[k]] = y[k];
    let w = this.w;
    if (w === null || this.X !== X || w.length !== X.cols + 1) {
      // New matrix (records added, so every tf-idf value moved): rebuild w from α.
      w = this.w = w && w.length === X.cols + 1 ? w.fill(0) : new Float64Array(X.cols + 1);
      this.X = X;
      this.yUsed = new Int8Array(X.rows);
      this.used = [];
      this.rowSq = new Float64Array(X.rows);
      for (let r = 0; r < X.rows; r++) {
        let sq = biasScale * biasScale;
        for (let p = indptr[r], e = indptr[r + 1]; p < e; p++) sq += data[p] * data[p];
        this.rowSq[r] = sq;
      }
    } else {
      const kept: number[] = [];
      for (const r of this.used) {
        if (target[r] === this.yUsed[r]) {
          kept.push(r);
          continue;
        }
        addRow(w, r, -alpha[r] * this.yUsed[r]);
        this.yUsed[r] = 0;
        if (target[r] === 0) alpha[r] = 0;
      }
      this.used = kept;
    }
    const yUsed = this.yUsed;
    for (let k = 0; k < n; k++) {
      const r = rows[k];
      if (yUsed[r] === y[k]) continue;
      yUsed[r] = y[k];
      this.used.push(r);
      if (alpha[r] !== 0) addRow(w, r, alpha[r] * y[k]);
    }
    const diag = new Float64Array(n);
    const qd = new Float64Array(n);
    const ownSq = X.ownSq;
    for (let k = 0; k < n; k++) {
      const r = rows[k];
      diag[k] = 0.5 / (C * weight[k]) + (ownSq ? ownSq[r] : 0);
      qd[k] = this.rowSq[r] + diag[k];
    }
    // Start from the rows that can move: support vectors (α > 0) and rows not
    // seen by the last fit. The others sat at α = 0 with a satisfied margin;
    // they join in the full sweep that confirms convergence (as after
    // shrinking), so the solution is the same, reached with far less work.
    const index = new Int32Array(n);
    let active = 0;
    let tail = n;
    for (let k = 0; k < n; k++) {
      const r = rows[k];
      if (alpha[r] > 0 || this.settled[r] === 0) index[active++] = k;
      else index[--tail] = k;
    }
    if (active === 0) active = n;
    let pgMaxOld = Infinity;
    let iter = 0;
    for (; iter < maxIter; iter++) {
      let pgMaxNew = -Infinity;
      let pgMinNew = Infinity;
      for (let s = 0; s < active; s++) {
        const j = s + this.random.int(active - s);
        const t = index[s];
        index[s] = index[j];
        index[j] = t;
      }
      for (let s = 0; s < active; s++) {
        const k = index[s];
        const r = rows[k];
        const yk = y[k];
        let g = w[bias] * biasScale;
        for (let p = indptr[r], e = indptr[r + 1]; p < e; p++) g += w[indices[p]] * data[p];
        g = g * yk - 1 + alpha[r] * diag[k];
        let pg = 0;
        if (alpha[r] === 0) {
          if (g > pgMaxOld) {
            // Shrink: this α is at its bound and likely to stay there.
            active--;
            index[s] = index[active];
            index[active] = k;
            s--;
            continue;
          }
          if (g < 0) pg = g;
        } else pg = g;
        if (pg > pgMaxNew) pgMaxNew = pg;
        if (pg < pgMinNew) pgMinNew = pg;
        if (Math.abs(pg) > 1e-12) {
          const old = alpha[r];
          const a = Math.max(old - g / qd[k], 0);
          alpha[r] = a;
          addRow(w, r, (a - old) * yk);
        }
      }
      if (pgMaxNew - pgMinNew <= tol) {
        if (active === n) break;
        active = n;
        pgMaxOld = Infinity;
        continue;
      }
      pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
    }
    for (let k = 0; k < n; k++) this.settled[rows[k]] = 1;
    this.sweeps = iter + 1;
    return { w, biasScale };
  }
}
