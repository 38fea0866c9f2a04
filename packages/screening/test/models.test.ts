import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  balancedWeights,
  decision,
  doubleBalanceCounts,
  doubleBalanceWeights,
  featureOptions,
  fitNaiveBayes,
  Learner,
  naiveBayesScores,
  Random,
  SCREENING_MODEL_NAMES,
  screeningModel,
  simulate,
  SvmTrainer,
  tfidf,
} from "@homeward/screening";
import { fixture, loadCsv } from "./helpers.js";

// scikit-learn's answers, from test/fixtures/make_model_references.py.
const ref = JSON.parse(readFileSync(fixture("model_references.json"), "utf8"));
const train: number[] = ref.nb.train;
const y = Uint8Array.from(train, (i) => ref.labels[i]);
const unlabelled = ref.labels.flatMap((l: number | null, i: number) => (l === null ? [i] : []));

describe("ASReview 1's parts: TF-IDF without English stop words, multinomial naive Bayes", () => {
  it("gives scikit-learn's log odds (TfidfVectorizer(stop_words='english') + MultinomialNB(alpha=3.822), sample weights)", () => {
    const X = tfidf(ref.texts, featureOptions(screeningModel("elas_u2").features));
    expect(X.terms).toBe(ref.nb.vocabulary);
    const model = fitNaiveBayes(X, Int32Array.from(train), y, ref.nb.weights, 3.822);
    // The rows a ranking scores: those outside the training set (their single-document terms count through ownSum).
    const got = naiveBayesScores(model, X, unlabelled);
    unlabelled.forEach((i: number, k: number) => expect(got[k]).toBeCloseTo(ref.nb.logOdds[i], 5));
  });

  it("double balance fills n places: whole copies, then draws without replacement, relevant share by ASReview's formula", () => {
    const labels = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    const opts = { a: 2.155, alpha: 0.94, b: 0.789, beta: 1 };
    // By hand: w1 = 2.155 (2/8)^-0.94, w0 = 1 - 0.211 / (1 + ln 10); n1' = w1·2·10 / (2 w1 + 8 w0).
    const w1 = 2.155 * Math.pow(0.25, -0.94);
    const w0 = 1 - 0.211 / (1 + Math.log(10));
    expect(doubleBalanceWeights(2, 8, opts).oneWeight).toBeCloseTo(w1, 12);
    expect(doubleBalanceWeights(2, 8, opts).zeroWeight).toBeCloseTo(w0, 12);
    const raw = (w1 * 2 * 10) / (2 * w1 + 8 * w0);
    const seen = new Set<number>();
    let ups = 0;
    const draws = 2000;
    const random = new Random(7);
    for (let t = 0; t < draws; t++) {
      const c = doubleBalanceCounts(labels, opts, random);
      const ones = c[0] + c[3];
      seen.add(ones);
      if (ones === Math.ceil(raw)) ups++;
      expect(c.reduce((s, x) => s + x, 0)).toBe(10);
      // Each class: every record copied ⌊places/size⌋ times, the remainder one more.
      const base = Math.floor(ones / 2);
      expect([c[0], c[3]].every((x) => x === base || x === base + 1)).toBe(true);
      const zeros = 10 - ones;
      const zc = labels.flatMap((l, i) => (l ? [] : [c[i]]));
      expect(zc.every((x) => x === Math.floor(zeros / 8) || x === Math.floor(zeros / 8) + 1)).toBe(true);
    }
    expect([...seen].sort()).toEqual([Math.floor(raw), Math.ceil(raw)]);
    // random_round: up with probability equal to the fraction.
    expect(Math.abs(ups / draws - (raw - Math.floor(raw)))).toBeLessThan(0.04);
  });
});

describe("ASReview 2's parts: balanced weights and the linear SVM", () => {
  it("balanced weights: irrelevant rows weigh n1/(9.8 n0), then all are scaled to sum to n (hand-calculated)", () => {
    const w = balancedWeights([1, 0, 0, 0], 9.8);
    const w0 = 1 / (9.8 * 3);
    const s = 4 / (1 + 3 * w0);
    expect(w[0]).toBeCloseTo(s, 12);
    expect(w[1]).toBeCloseTo(w0 * s, 12);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 12);
    expect(Array.from(balancedWeights([1, 0, 0, 0], 9.8, false))).toEqual([1, w0, w0, w0]);
  });

  it("gives scikit-learn's LinearSVC(C=0.11) decision values with those weights, on the rows it ranks", () => {
    const X = tfidf(ref.texts, featureOptions(screeningModel("elas_u4").features));
    const w = balancedWeights(y, 9.8);
    ref.svm.weights.forEach((x: number, k: number) => expect(w[k]).toBeCloseTo(x, 12));
    const model = new SvmTrainer({ C: 0.11, tol: 1e-9, maxIter: 100000 }, new Random(1)).fit(X, Int32Array.from(train), Int8Array.from(y, (l) => (l ? 1 : -1)), w);
    const got = decision(model, X, unlabelled);
    unlabelled.forEach((i: number, k: number) => expect(got[k]).toBeCloseTo(ref.svm.decision[i], 4));
  });

  it("ELAS u4 simulated on the ADHD subset screens records in scikit-learn's order, step for step", () => {
    const { texts, labels } = loadCsv(fixture("cohen2006_adhd_subset.csv"));
    for (const r of ref.elas_u4) {
      const sim = simulate(texts, labels, r.priors, { seed: r.seed, model: "elas_u4" });
      expect(sim.model).toBe("elas_u4");
      // Up to the last relevant record (where scikit-learn's loop stops); its best two
      // scores are sometimes only 3e-5 apart, so this needs the exact vocabulary.
      expect(sim.order.slice(0, r.order.length), `seed ${r.seed}`).toEqual(r.order);
      expect(sim.metrics.n95).toBe(r.n95);
    }
  });
});

describe("named models", () => {
  it("lists the models and refuses an unknown name with the names there are", () => {
    expect(SCREENING_MODEL_NAMES).toEqual(expect.arrayContaining(["elas_u4", "elas_u2", "committee"]));
    expect(() => screeningModel("svm9")).toThrow(/unknown screening model "svm9".*elas_u4/);
  });

  it("records which model, and which committee member, served each ranking", () => {
    const { texts, labels } = loadCsv(fixture("cohen2006_adhd_subset.csv"));
    const sim = simulate(texts, labels, [9, 163], { seed: 1, model: "committee" });
    expect(sim.servedBy[0]).toEqual({ labelled: 2, servedBy: "committee (svm C=0.11)" });
    expect(sim.servedBy.every((r) => /^committee \(svm C=0\.(11|3)\)$/.test(r.servedBy))).toBe(true);
    expect(sim.fits).toBeGreaterThan(1);
    const u2 = new Learner(screeningModel("elas_u2"), 1);
    expect(u2.servedBy()).toBe("elas_u2 (nb alpha=3.822)");
  });
});
