import { describe, expect, it } from "vitest";
import { decision, Random, rankDescending, SvmTrainer, tfidf, topRanked, type SparseMatrix } from "@homeward/screening";

/** The same rows with every column kept (no single-document folding). */
function unfolded(texts: string[]): SparseMatrix {
  const rows = texts.map((t) => t.split(" "));
  const vocab = [...new Set(rows.flat())];
  const df = vocab.map((w) => rows.filter((r) => r.includes(w)).length);
  const n = rows.length;
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const data: number[] = [];
  rows.forEach((r, i) => {
    // Unigram TF-IDF as scikit-learn computes it (sublinear tf, smoothed idf, L2 rows).
    const cols = vocab.map((w, c) => ({ c, tf: r.filter((x) => x === w).length })).filter((x) => x.tf > 0);
    const vals = cols.map(({ c, tf }) => (1 + Math.log(tf)) * (Math.log((1 + n) / (1 + df[c])) + 1));
    const norm = Math.hypot(...vals);
    cols.forEach(({ c }, k) => {
      indices.push(c);
      data.push(vals[k] / norm);
    });
    indptr[i + 1] = indices.length;
  });
  return { rows: n, cols: vocab.length, indptr, indices: Int32Array.from(indices), data: Float32Array.from(data) };
}

describe("single-document terms folded into the dual diagonal", () => {
  const texts = [
    "foster care reunification trial alpha",
    "foster care kinship return beta",
    "soil nitrogen meadow gamma",
    "soil fish migration delta",
    "reunification kinship care epsilon",
    "fish meadow nitrogen zeta",
    "care return home trial",
    "migration soil fish",
  ];
  it("gives the scores of the SVM trained on the full rows", () => {
    const folded = tfidf(texts, { ngramMax: 1, maxDf: 1 });
    const full = unfolded(texts);
    // Every row has one private word, so the folded matrix must carry it in ownSq.
    expect(folded.cols).toBeLessThan(full.cols);
    expect(folded.ownSq![0]).toBeGreaterThan(0);
    const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const y = Int8Array.from([1, 1, -1, -1, 1, -1]);
    const weight = Float64Array.from([1, 1, 0.4, 0.4, 1, 0.4]);
    const opts = { C: 0.3, tol: 1e-10, maxIter: 100_000 };
    const a = new SvmTrainer(opts, new Random(1)).fit(folded, rows, y, weight);
    const b = new SvmTrainer(opts, new Random(1)).fit(full, rows, y, weight);
    const unlabelled = [6, 7];
    const da = decision(a, folded, unlabelled);
    const db = decision(b, full, unlabelled);
    for (let k = 0; k < unlabelled.length; k++) expect(da[k]).toBeCloseTo(db[k], 5);
  });
});

describe("topRanked", () => {
  it("is the head of the full descending ranking, ties to the lower row", () => {
    const r = new Random(7);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + r.int(60);
      // Rows not always ascending (the queue ranks pools in any order).
      const rows = Int32Array.from({ length: n }, (_, i) => (trial % 2 ? 3 * i + r.int(3) : 3 * (n - i) + r.int(3)));
      // Few distinct scores, so ties are common.
      const scores = Float64Array.from({ length: n }, () => r.int(6) / 2);
      const k = r.int(n + 3);
      const full = rankDescending(rows, scores);
      // Against a plain comparison sort on (−score, row).
      const naive = Array.from(rows)
        .map((row, i) => ({ row, s: scores[i] }))
        .sort((a, b) => b.s - a.s || a.row - b.row)
        .map((x) => x.row);
      expect(Array.from(full)).toEqual(naive);
      expect(Array.from(topRanked(rows, scores, k))).toEqual(Array.from(full.subarray(0, Math.min(k, n))));
    }
  });
});
