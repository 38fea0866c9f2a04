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
  /** Decisions over which members are compared. */
  window?: number;
  /** Relevant and irrelevant decisions each needed in the window before the served member may change. */
  minEvidence?: number;
}

export const DEFAULT_RANKER: Required<RankerOptions> = {
  // ASReview 2's tuned SVM first, a less regularised one beside it: the
  // latter finds clustered relevant records sooner, the former scattered ones.
  members: [
    { C: 0.11, balanceRatio: 9.8 },
    { C: 0.3, balanceRatio: 9.8 },
  ],
  tol: 1e-2,
  maxIter: 1000,
  // With 2–10% relevant, 300 decisions hold 6–30 relevant ones: enough for
  // the comparison not to follow noise (100 let one member's run of luck on
  // a few relevant records decide; see README for the windows tried).
  window: 300,
  minEvidence: 1,
};

export class Ranker {
  private readonly opts: Required<RankerOptions>;
  private readonly trainers: SvmTrainer[];
  private models: LinearModel[] = [];
  private active = 0;
  /** Each member's score of every row ranked by the last `score`. */
  private scores: Float64Array[];
  /** Each member's last scores of the ranked rows, ascending. */
  private sorted: Float64Array[];
  private recent: { label: boolean; pct: number[] }[] = [];

  constructor(options: RankerOptions = {}, seed = 0) {
    this.opts = { ...DEFAULT_RANKER, ...options };
    if (this.opts.members.length === 0) throw new RangeError("the ranker needs at least one member");
    this.trainers = this.opts.members.map(
      (m, i) => new SvmTrainer({ C: m.C, tol: this.opts.tol, maxIter: this.opts.maxIter }, new Random(seed * 31 + i)),
    );
    this.scores = this.opts.members.map(() => new Float64Array(0));
    this.sorted = this.opts.members.map(() => new Float64Array(0));
  }

  get trained(): boolean {
    return this.models.length > 0;
  }

  /**
   * Fits on the labelled rows (labels 1 relevant, 0 irrelevant, parallel to
   * `rows`). Needs at least one record of each class.
   */
  fit(X: SparseMatrix, rows: Int32Array, labels: Uint8Array, weights?: Float64Array): void {
    const n = rows.length;
    let n1 = 0;
    for (let k = 0; k < n; k++) n1 += labels[k];
    const n0 = n - n1;
    if (n1 === 0 || n0 === 0) throw new RangeError("the model needs at least one relevant and one irrelevant record");
    const y = new Int8Array(n);
    for (let k = 0; k < n; k++) y[k] = labels[k] ? 1 : -1;
    this.models = this.opts.members.map((m, i) => {
      // Weights from a balancer (see models.ts) replace the members' own ratio.
      if (weights) return this.trainers[i].fit(X, rows, y, weights);
      const weight = new Float64Array(n);
      const w0 = n1 / (m.balanceRatio * n0);
      for (let k = 0; k < n; k++) weight[k] = labels[k] ? 1 : w0;
      return this.trainers[i].fit(X, rows, y, weight);
    });
  }

  /**
   * Relevance scores (higher = more likely relevant) of the given rows: the
   * decision values of the member currently judged best (see `observe`).
   */
  score(X: SparseMatrix, rows: ArrayLike<number>, out?: Float64Array): Float64Array {
    if (!this.trained) throw new Error("the ranker has not been trained");
    const n = rows.length;
    const M = this.models.length;
    if (M === 1) return decision(this.models[0], X, rows, out);
    let res = out ?? new Float64Array(n);
    for (let m = 0; m < M; m++) {
      if (this.scores[m].length < X.rows) this.scores[m] = new Float64Array(X.rows);
      const d = decision(this.models[m], X, rows);
      if (m === this.active) res = out ? (out.set(d), out) : d;
      // Each member's scores are kept to judge it on the decisions that
      // follow; a row's percentile is looked up only when it is decided.
      for (let k = 0; k < n; k++) this.scores[m][rows[k]] = d[k];
      this.sorted[m] = d.slice().sort();
    }
    return res;
  }

  /** Percentile (0 lowest … 1 highest) of a row's last score among the rows member m last ranked. */
  private percentile(m: number, row: number): number {
    const sorted = this.sorted[m];
    const n = sorted.length;
    if (n === 0 || row >= this.scores[m].length) return 0.5;
    if (n === 1) return 1;
    const s = this.scores[m][row];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    return lo / (n - 1);
  }

  /**
   * Feeds back a decision on a row ranked by the last `score`. With several
   * members, the one served is the one that best separated the most recent
   * decisions: the highest mean percentile of relevant minus irrelevant
   * records over the last `window` decisions (a prequential comparison,
   * Dawid 1984, on decisions no model has yet trained on).
   */
  observe(row: number, relevant: boolean): void {
    const M = this.models.length;
    if (M <= 1) return;
    const entry = { label: relevant, pct: this.models.map((_, m) => this.percentile(m, row)) };
    this.recent.push(entry);
    if (this.recent.length > this.opts.window) this.recent.shift();
    let n1 = 0;
    for (const e of this.recent) n1 += e.label ? 1 : 0;
    const n0 = this.recent.length - n1;
    if (n1 < this.opts.minEvidence || n0 < this.opts.minEvidence) return;
    let best = this.active;
    let bestMargin = -Infinity;
    for (let m = 0; m < M; m++) {
      let s1 = 0;
      let s0 = 0;
      for (const e of this.recent) {
        if (e.label) s1 += e.pct[m];
        else s0 += e.pct[m];
      }
      const margin = s1 / n1 - s0 / n0;
      // Strictly better only: ties keep the earlier (more regularised) member.
      if (margin > bestMargin + 1e-12) {
        bestMargin = margin;
        best = m;
      }
    }
    this.active = best;
  }

  /** Index of the member whose ranking is served. */
  get activeMember(): number {
    return this.active;
  }
}
