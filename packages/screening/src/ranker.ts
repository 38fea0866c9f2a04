import { decision, SvmTrainer, type LinearModel } from "./linear.js";
import { Random } from "./random.js";
import type { SparseMatrix } from "./text.js";

/**
 * The relevance model behind prioritisation: a committee of linear SVMs on
 * TF-IDF rows, retrained on the decisions so far.
 */
export interface SvmMember {
  /** Inverse regularisation strength. */
  C: number;
  /**
   * Class balance: the irrelevant records together weigh 1/ratio of the
   * relevant ones (ASReview's "balanced" sample weights use ratio 9.8).
   */
  balanceRatio: number;
}

export interface RankerOptions {
  members?: SvmMember[];
  /** Solver tolerance on the projected gradient. */
  tol?: number;
  /** Most sweeps per fit. */
  maxIter?: number;
}

export const DEFAULT_RANKER: Required<RankerOptions> = {
  members: [{ C: 0.11, balanceRatio: 9.8 }],
  tol: 1e-2,
  maxIter: 1000,
};

export class Ranker {
  private readonly opts: Required<RankerOptions>;
  private readonly trainers: SvmTrainer[];
  private models: LinearModel[] = [];

  constructor(options: RankerOptions = {}, seed = 0) {
    this.opts = { ...DEFAULT_RANKER, ...options };
    if (this.opts.members.length === 0) throw new RangeError("the ranker needs at least one member");
    this.trainers = this.opts.members.map(
      (m, i) => new SvmTrainer({ C: m.C, tol: this.opts.tol, maxIter: this.opts.maxIter }, new Random(seed * 31 + i)),
    );
  }

  get trained(): boolean {
    return this.models.length > 0;
  }

  /**
   * Fits on the labelled rows (labels 1 relevant, 0 irrelevant, parallel to
   * `rows`). Needs at least one record of each class.
   */
  fit(X: SparseMatrix, rows: Int32Array, labels: Uint8Array): void {
    const n = rows.length;
    let n1 = 0;
    for (let k = 0; k < n; k++) n1 += labels[k];
    const n0 = n - n1;
    if (n1 === 0 || n0 === 0) throw new RangeError("the model needs at least one relevant and one irrelevant record");
    const y = new Int8Array(n);
    for (let k = 0; k < n; k++) y[k] = labels[k] ? 1 : -1;
    this.models = this.opts.members.map((m, i) => {
      const weight = new Float64Array(n);
      const w0 = n1 / (m.balanceRatio * n0);
      for (let k = 0; k < n; k++) weight[k] = labels[k] ? 1 : w0;
      return this.trainers[i].fit(X, rows, y, weight);
    });
  }

  /**
   * Relevance scores (higher = more likely relevant) of the given rows. With
   * one member, its decision values; with several, the mean of each member's
   * rank among `rows` (Borda count), so that members on different scales
   * count alike.
   */
  score(X: SparseMatrix, rows: ArrayLike<number>, out?: Float64Array): Float64Array {
    if (!this.trained) throw new Error("the ranker has not been trained");
    const n = rows.length;
    if (this.models.length === 1) return decision(this.models[0], X, rows, out);
    const res = out ?? new Float64Array(n);
    res.fill(0, 0, n);
    const d = new Float64Array(n);
    const idx = new Int32Array(n);
    for (const model of this.models) {
      decision(model, X, rows, d);
      for (let k = 0; k < n; k++) idx[k] = k;
      idx.sort((a, b) => d[a] - d[b]);
      for (let q = 0; q < n; q++) res[idx[q]] += q / this.models.length;
    }
    return res;
  }
}
