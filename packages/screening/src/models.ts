/**
 * Named prioritisation models, each assembled from four swappable parts as
 * ASReview's `ActiveLearningCycle` (asreview/learner.py) assembles its
 * models: a feature extractor (text → rows), a balancer (labelled rows →
 * sample weights), a classifier (fit, then score the unlabelled rows) and a
 * querier (scores → the order records are served in). A team picks a model
 * by name (`homeward simulate --model`, the project's screening set-up), and
 * every ranking says which model (and, in a committee, which member) made it.
 */
import { balancedWeights, doubleBalanceCounts, type DoubleBalanceOptions } from "./balance.js";
import { ENGLISH_STOP_WORDS } from "./english-stop-words.js";
import { ScreeningInputError } from "./errors.js";
import { decision, SvmTrainer } from "./linear.js";
import { fitNaiveBayes, naiveBayesScores, type NaiveBayesModel } from "./naive-bayes.js";
import { Random } from "./random.js";
import { Ranker } from "./ranker.js";
import type { FeatureOptions, SparseMatrix } from "./text.js";

export interface TfidfSpec {
  kind: "tfidf";
  /** scikit-learn's ngram_range = (1, ngramMax). */
  ngramMax: 1 | 2;
  sublinearTf: boolean;
  maxDf: number;
  stopWords: "english" | null;
  /**
   * "exact": every distinct term its own column, as scikit-learn's
   * vocabulary (52-bit keys, `FeatureOptions.bits`); "hashed": 2^22 columns
   * shared by colliding terms (bounded memory).
   */
  vocabulary: "exact" | "hashed";
}

export type ClassifierSpec =
  /** scikit-learn's LinearSVC (L2 penalty, squared hinge, intercept as a regularised feature). */
  | { kind: "svm"; C: number; tol: number; maxIter: number }
  /** scikit-learn's MultinomialNB. */
  | { kind: "nb"; alpha: number }
  /** Linear SVMs with different C; the one that best ranked the latest decisions is served (`Ranker`). */
  | { kind: "svm-committee"; C: number[]; window: number; tol: number; maxIter: number };

export type BalancerSpec = { kind: "balanced"; ratio: number; normalise: boolean } | ({ kind: "double" } & DoubleBalanceOptions) | { kind: "none" };

/** "max": highest score first (certainty sampling); ties to the lower row. */
export type QuerierSpec = { kind: "max" };

export interface ScreeningModelSpec {
  name: string;
  label: string;
  /** One sentence for a reviewer choosing a model. */
  summary: string;
  features: TfidfSpec;
  classifier: ClassifierSpec;
  balancer: BalancerSpec;
  querier: QuerierSpec;
  /**
   * When a simulation retrains: `fraction` 0 after every decision (as
   * ASReview, n_query = 1), else at once after a relevant decision and
   * otherwise when that share of the labelled set is new.
   */
  retrain: { fraction: number };
}

/** ASReview 2's TF-IDF for ELAS u4 (asreview/models/models.py: ngram_range (1, 2), sublinear_tf, min_df 1, max_df 0.95). */
const U4_TFIDF: TfidfSpec = { kind: "tfidf", ngramMax: 2, sublinearTf: true, maxDf: 0.95, stopWords: null, vocabulary: "exact" };

export const SCREENING_MODELS: readonly ScreeningModelSpec[] = [
  {
    // ASReview 2's default, "elas_u4" (asreview/models/models.py,
    // AI_MODEL_CONFIGURATIONS[0]): querier "max"; classifier "svm" =
    // sklearn LinearSVC with classifier_param {"loss": "squared_hinge",
    // "C": 0.11} and LinearSVC's defaults otherwise (penalty l2, tol 1e-4,
    // max_iter 1000, fit_intercept, intercept_scaling 1); balancer
    // "balanced" with ratio 9.8 (asreview/models/balancers.py, weights
    // rescaled to sum to n); feature_extractor "tfidf" on title + " " +
    // abstract (asreview/models/feature_extractors.py) with the settings
    // above. ASReview retrains after every label (n_query 1).
    name: "elas_u4",
    label: "ASReview 2 default (ELAS u4)",
    summary: "TF-IDF of words and word pairs, a linear SVM (C = 0.11) with balanced weights (ratio 9.8), highest score first, retrained after every decision.",
    features: U4_TFIDF,
    classifier: { kind: "svm", C: 0.11, tol: 1e-4, maxIter: 1000 },
    balancer: { kind: "balanced", ratio: 9.8, normalise: true },
    querier: { kind: "max" },
    retrain: { fraction: 0 },
  },
  {
    // ASReview 1's default ("ELAS u2" in ASReview 2's naming): classifier
    // "nb" = MultinomialNB(alpha=3.822) (asreview/models/classifiers/nb.py),
    // balance "double" with a 2.155, alpha 0.94, b 0.789, beta 1.0
    // (asreview/models/balance/double.py), query "max", feature extraction
    // "tfidf" = TfidfVectorizer(ngram_range=(1, 1), stop_words="english")
    // (asreview/models/feature_extraction/tfidf.py: ngram_max 1), otherwise
    // scikit-learn's defaults (raw tf, no max_df).
    name: "elas_u2",
    label: "ASReview 1 default (naive Bayes)",
    summary: "TF-IDF of single words without English stop words, multinomial naive Bayes (alpha 3.822) on a double-balanced resample, highest score first, retrained after every decision.",
    features: { kind: "tfidf", ngramMax: 1, sublinearTf: false, maxDf: 1, stopWords: "english", vocabulary: "exact" },
    classifier: { kind: "nb", alpha: 3.822 },
    balancer: { kind: "double", a: 2.155, alpha: 0.94, b: 0.789, beta: 1.0 },
    querier: { kind: "max" },
    retrain: { fraction: 0 },
  },
  {
    // Homeward's earlier default: ELAS u4's features, two SVMs (C 0.11 and
    // 0.3) judged prequentially over the last 300 decisions, the
    // unrescaled balance of the shared benchmark's replica, and retraining
    // at once after a relevant decision, else when 2% of the labels are new.
    name: "committee",
    label: "Homeward committee (two SVMs)",
    summary: "ELAS u4's features with two linear SVMs (C = 0.11 and 0.3); the queue follows whichever ranked the last 300 decisions better. Retrained after each relevant decision, otherwise when 2% of decisions are new.",
    features: { ...U4_TFIDF, vocabulary: "hashed" },
    classifier: { kind: "svm-committee", C: [0.11, 0.3], window: 300, tol: 1e-2, maxIter: 1000 },
    balancer: { kind: "balanced", ratio: 9.8, normalise: false },
    querier: { kind: "max" },
    retrain: { fraction: 0.02 },
  },
  {
    // ELAS u4 with one change, for speed: retrained at once after a
    // relevant decision, else when 2% of the labels are new, with a looser
    // solver tolerance (1e-2): about a quarter of the fits.
    name: "elas_u4_batched",
    label: "ELAS u4, retrained in batches",
    summary: "ASReview 2's default model, retrained after each relevant decision but otherwise only when 2% of decisions are new (about a quarter of the work).",
    features: U4_TFIDF,
    classifier: { kind: "svm", C: 0.11, tol: 1e-2, maxIter: 1000 },
    balancer: { kind: "balanced", ratio: 9.8, normalise: true },
    querier: { kind: "max" },
    retrain: { fraction: 0.02 },
  },
];

/**
 * The model that ranks a project's queue unless its set-up names another:
 * chosen by `npm run eval:screening` (README, "Evaluation protocol").
 */
export const DEFAULT_SCREENING_MODEL = "elas_u4";

export const SCREENING_MODEL_NAMES: readonly string[] = SCREENING_MODELS.map((m) => m.name);

/** The model of that name; an unknown name is bad input, answered with the names there are. */
export function screeningModel(name: string = DEFAULT_SCREENING_MODEL): ScreeningModelSpec {
  const m = SCREENING_MODELS.find((x) => x.name === name);
  if (!m) throw new ScreeningInputError(`unknown screening model "${name}"; the models are ${SCREENING_MODEL_NAMES.join(", ")}`);
  return m;
}

/** The feature extractor's settings as `TextFeatures` takes them. */
export function featureOptions(spec: TfidfSpec): FeatureOptions {
  return { bits: spec.vocabulary === "exact" ? 52 : 22, ngramMax: spec.ngramMax, sublinearTf: spec.sublinearTf, maxDf: spec.maxDf, stopWords: spec.stopWords === "english" ? ENGLISH_STOP_WORDS : null };
}

/** A fitted-and-scoring part: what the learner needs of a classifier. */
interface Classifier {
  fit(X: SparseMatrix, rows: Int32Array, labels: Uint8Array, weights: Float64Array): void;
  score(X: SparseMatrix, rows: ArrayLike<number>, out?: Float64Array): Float64Array;
  observe(row: number, relevant: boolean): void;
  servedBy(): string;
}

function makeClassifier(spec: ClassifierSpec, seed: number): Classifier {
  if (spec.kind === "svm") {
    const trainer = new SvmTrainer({ C: spec.C, tol: spec.tol, maxIter: spec.maxIter }, new Random(seed * 31));
    let model: ReturnType<SvmTrainer["fit"]> | null = null;
    const y = (labels: Uint8Array) => Int8Array.from(labels, (l) => (l ? 1 : -1));
    return {
      fit: (X, rows, labels, weights) => void (model = trainer.fit(X, rows, y(labels), weights)),
      score: (X, rows, out) => decision(model!, X, rows, out),
      observe: () => {},
      servedBy: () => `svm C=${spec.C}`,
    };
  }
  if (spec.kind === "nb") {
    let model: NaiveBayesModel | null = null;
    return {
      fit: (X, rows, labels, weights) => void (model = fitNaiveBayes(X, rows, labels, weights, spec.alpha)),
      score: (X, rows, out) => naiveBayesScores(model!, X, rows, out),
      observe: () => {},
      servedBy: () => `nb alpha=${spec.alpha}`,
    };
  }
  const ranker = new Ranker({ members: spec.C.map((C) => ({ C, balanceRatio: 1 })), window: spec.window, tol: spec.tol, maxIter: spec.maxIter }, seed);
  return {
    fit: (X, rows, labels, weights) => ranker.fit(X, rows, labels, weights),
    score: (X, rows, out) => ranker.score(X, rows, out),
    observe: (row, relevant) => ranker.observe(row, relevant),
    servedBy: () => `svm C=${spec.C[ranker.activeMember]}`,
  };
}

/** The balancer, classifier and querier of a model, over one feature matrix. */
export class Learner {
  private readonly classifier: Classifier;
  private readonly random: Random;
  private fitted = false;

  constructor(
    readonly spec: ScreeningModelSpec,
    seed = 0,
  ) {
    this.classifier = makeClassifier(spec.classifier, seed);
    this.random = new Random(seed * 31 + 17);
  }

  get trained(): boolean {
    return this.fitted;
  }

  /** Fits on the labelled rows (1 relevant, 0 irrelevant); needs both classes. */
  fit(X: SparseMatrix, rows: Int32Array, labels: Uint8Array): void {
    const b = this.spec.balancer;
    const weights = b.kind === "balanced" ? balancedWeights(labels, b.ratio, b.normalise) : b.kind === "double" ? doubleBalanceCounts(labels, b, this.random) : new Float64Array(labels.length).fill(1);
    this.classifier.fit(X, rows, labels, weights);
    this.fitted = true;
  }

  /** Scores of the rows (higher = served sooner by the "max" querier). */
  score(X: SparseMatrix, rows: ArrayLike<number>, out?: Float64Array): Float64Array {
    if (!this.fitted) throw new Error("the model has not been trained");
    return this.classifier.score(X, rows, out);
  }

  /** Feeds back a decision on a row ranked by the last `score` (a committee judges its members on these). */
  observe(row: number, relevant: boolean): void {
    this.classifier.observe(row, relevant);
  }

  /** What made the last ranking: the model's name and its classifier (the serving member, for a committee). */
  servedBy(): string {
    return `${this.spec.name} (${this.classifier.servedBy()})`;
  }
}
