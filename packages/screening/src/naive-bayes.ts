import type { SparseMatrix } from "./text.js";

/**
 * Multinomial naive Bayes on TF-IDF rows, as scikit-learn's `MultinomialNB`
 * (fit_prior=True) that ASReview 1's default model uses (McCallum & Nigam
 * 1998; Manning, Raghavan & Schütze 2008, §13.2):
 *   θ_cj = (N_cj + α) / (N_c + α d),  N_cj = Σ_{i∈c} w_i x_ij,  N_c = Σ_j N_cj,
 *   log prior_c = log(Σ_{i∈c} w_i / Σ_i w_i),
 * with d the number of terms in the vocabulary. A row is scored by its log
 * odds, log P(relevant | x) − log P(irrelevant | x) = Σ_j x_j (log θ_1j −
 * log θ_0j) + log prior_1 − log prior_0, which orders rows as
 * `predict_proba(X)[:, 1]` does wherever that probability is not rounded to
 * 1 (it saturates for clear records; the log odds keep them apart).
 *
 * Hand-written: the npm naive Bayes packages (e.g. `ml-naivebayes`) are
 * Gaussian or take dense count vectors; none fits sparse real-valued TF-IDF
 * rows with sample weights over a vocabulary of 10^5–10^6 terms.
 *
 * Single-document terms (`SparseMatrix.ownSum`) are not stored as columns.
 * In a training row they add to N_c only; in a scored row every such term is
 * unseen in training, so each carries log(α/(N_1+αd)) − log(α/(N_0+αd)) per
 * unit of weight: the row's `ownSum` times that constant. That holds for
 * rows outside the training set, the only ones a ranking scores.
 */
export interface NaiveBayesModel {
  /** log θ_1j − log θ_0j per stored column. */
  readonly w: Float64Array;
  /** Log ratio for a term no training row has. */
  readonly unseen: number;
  /** log prior_1 − log prior_0. */
  readonly bias: number;
}

export function fitNaiveBayes(X: SparseMatrix, rows: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>, alpha: number): NaiveBayesModel {
  if (!(alpha > 0)) throw new RangeError(`alpha must be positive, got ${alpha}`);
  const { indptr, indices, data } = X;
  const d = X.terms ?? X.cols;
  const count = [new Float64Array(X.cols), new Float64Array(X.cols)];
  const total = [0, 0];
  const classWeight = [0, 0];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const c = labels[k] ? 1 : 0;
    const wk = weights[k];
    if (wk === 0) continue;
    classWeight[c] += wk;
    const nc = count[c];
    let sum = X.ownSum ? X.ownSum[r] : 0;
    for (let p = indptr[r], e = indptr[r + 1]; p < e; p++) {
      nc[indices[p]] += wk * data[p];
      sum += data[p];
    }
    total[c] += wk * sum;
  }
  if (classWeight[0] === 0 || classWeight[1] === 0) throw new RangeError("naive Bayes needs at least one relevant and one irrelevant record");
  const den1 = Math.log(total[1] + alpha * d);
  const den0 = Math.log(total[0] + alpha * d);
  const w = new Float64Array(X.cols);
  for (let j = 0; j < X.cols; j++) w[j] = Math.log(count[1][j] + alpha) - den1 - (Math.log(count[0][j] + alpha) - den0);
  return { w, unseen: den0 - den1, bias: Math.log(classWeight[1]) - Math.log(classWeight[0]) };
}

/** Log odds of relevance of the given rows. */
export function naiveBayesScores(model: NaiveBayesModel, X: SparseMatrix, rows: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = rows.length;
  const res = out ?? new Float64Array(n);
  const { indptr, indices, data } = X;
  const { w, unseen, bias } = model;
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    let s = bias + (X.ownSum ? X.ownSum[r] * unseen : 0);
    for (let p = indptr[r], e = indptr[r + 1]; p < e; p++) s += w[indices[p]] * data[p];
    res[k] = s;
  }
  return res;
}
