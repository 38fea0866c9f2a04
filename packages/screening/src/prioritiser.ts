import { DEFAULT_SCREENING_MODEL, featureOptions, Learner, screeningModel, type ScreeningModelSpec } from "./models.js";
import { RankedQueue } from "./queue.js";
import { Ranker, type RankerOptions } from "./ranker.js";
import { rankDescending } from "./simulate.js";
import { TextFeatures, type FeatureOptions } from "./text.js";

export interface PrioritiserOptions {
  seed?: number;
  /** The named model (models.ts); `DEFAULT_SCREENING_MODEL` when absent. */
  model?: string;
  /** For experiments: a bare committee instead of the named model. */
  ranker?: RankerOptions;
  features?: FeatureOptions;
  /** False: the texts are not kept after their features are built (a one-off ranking, whose model never changes; a million texts are a gigabyte). */
  keepTexts?: boolean;
}

export interface RetrainResult {
  /** False while the decisions lack a relevant or an irrelevant record (the queue then keeps import order). */
  trained: boolean;
  labelled: number;
  unscreened: number;
  ms: number;
  /** The model that made the ranking, and its serving part (e.g. "elas_u4 (svm C=0.11)"); null before any fit. */
  model: string;
  servedBy: string | null;
}

export interface Ranking extends RetrainResult {
  /**
   * Every row below `order.length` once: the unlabelled rows best first, then
   * the labelled ones in row order (served only if a record is opened again).
   */
  order: Int32Array;
}

/** Label of a row: 1 relevant, 0 irrelevant, 255 none. */
export type RowLabel = 0 | 1 | 255;
export const UNLABELLED = 255;

/**
 * The model side of prioritisation, on row numbers: texts are added in row
 * order, labels change as decisions settle, and `rank()` refits the ranker on
 * the labelled rows and orders the rest. It holds everything that is costly
 * (features, SVM state), so it can live in a worker thread while the queue
 * that serves records stays with the server.
 */
export class RankingModel {
  private features: TextFeatures;
  private ranker: Ranker | Learner;
  private spec: ScreeningModelSpec;
  private labels = new Uint8Array(1024).fill(UNLABELLED);
  private changed = 0;
  // Kept so a change of model with other features can rebuild them.
  private readonly texts: string[] = [];

  constructor(private readonly options: PrioritiserOptions = {}) {
    this.spec = screeningModel(options.model ?? DEFAULT_SCREENING_MODEL);
    this.features = new TextFeatures(options.features ?? featureOptions(this.spec.features));
    this.ranker = options.ranker ? new Ranker(options.ranker, options.seed ?? 0) : new Learner(this.spec, options.seed ?? 0);
  }

  get model(): string {
    return this.spec.name;
  }

  /**
   * Ranks with another named model from the next `rank()`: a new learner,
   * and new features when the model's differ (rebuilt from the texts).
   */
  setModel(name: string): void {
    const spec = screeningModel(name);
    if (this.options.keepTexts === false && spec.name !== this.spec.name) throw new Error("the model of a ranking that keeps no texts cannot change");
    if (spec.name === this.spec.name && !this.options.ranker) return;
    if (!this.options.features && JSON.stringify(spec.features) !== JSON.stringify(this.spec.features)) {
      this.features = new TextFeatures(featureOptions(spec.features));
      for (const t of this.texts) this.features.add(t);
    }
    this.spec = spec;
    this.ranker = new Learner(spec, this.options.seed ?? 0);
    this.changed++;
  }

  get rows(): number {
    return this.features.size;
  }

  /** Label changes since the last `rank()`. */
  get pending(): number {
    return this.changed;
  }

  addTexts(texts: readonly string[]): void {
    for (const t of texts) {
      this.features.add(t);
      if (this.options.keepTexts !== false) this.texts.push(t);
    }
    if (this.features.size > this.labels.length) {
      const l = new Uint8Array(Math.max(this.features.size, this.labels.length * 2)).fill(UNLABELLED);
      l.set(this.labels);
      this.labels = l;
    }
  }

  setLabel(row: number, label: RowLabel): void {
    if (row < 0 || row >= this.features.size) throw new RangeError(`row ${row} is not in 0..${this.features.size - 1}`);
    if (this.labels[row] === label) return;
    // The committee is judged on decisions that follow its last ranking.
    if (this.labels[row] === UNLABELLED) this.ranker.observe(row, label === 1);
    this.labels[row] = label;
    this.changed++;
  }

  rank(): Ranking {
    const t0 = performance.now();
    const n = this.features.size;
    const labelled: number[] = [];
    const pool: number[] = [];
    let n1 = 0;
    for (let r = 0; r < n; r++) {
      const l = this.labels[r];
      if (l === UNLABELLED) pool.push(r);
      else {
        labelled.push(r);
        n1 += l;
      }
    }
    this.changed = 0;
    const trained = n1 > 0 && n1 < labelled.length;
    const order = new Int32Array(n);
    if (!trained || pool.length === 0) order.set(pool);
    else {
      const X = this.features.matrix();
      this.ranker.fit(X, Int32Array.from(labelled), Uint8Array.from(labelled, (r) => this.labels[r]));
      order.set(rankDescending(pool, this.ranker.score(X, pool)));
    }
    order.set(labelled, pool.length);
    const servedBy = !trained || pool.length === 0 ? null : this.ranker instanceof Learner ? this.ranker.servedBy() : `committee (member ${this.ranker.activeMember})`;
    return { order, trained, labelled: labelled.length, unscreened: pool.length, ms: performance.now() - t0, model: this.spec.name, servedBy };
  }
}

/**
 * The live prioritised queue of one project stage in one thread. Records and
 * decisions arrive at any time; `retrain()` refits the model on all decisions
 * and ranks the open records; `next()` serves the best-ranked open record
 * from the last ranking. Prioritisation only orders the queue: every record
 * stays in it. A server uses `BackgroundPrioritiser`, which trains in a worker
 * thread.
 */
export class Prioritiser {
  private readonly model: RankingModel;
  private readonly queue = new RankedQueue();
  private readonly texts: string[] = [];

  constructor(options: PrioritiserOptions = {}) {
    this.model = new RankingModel(options);
  }

  get size(): number {
    return this.queue.size;
  }

  /** Decisions recorded since the last retrain. */
  get pending(): number {
    return this.model.pending;
  }

  /** Adds a record (title and abstract text); a known id is ignored. */
  addRecord(id: string, text: string): void {
    if (this.queue.add(id) >= 0) this.texts.push(text);
  }

  /**
   * Records a decision (true relevant: include or maybe; false: exclude;
   * null: none). `closed` says whether anyone can still screen the record;
   * by default a record with an outcome is closed and one without is open.
   */
  setDecision(id: string, relevant: boolean | null, closed = relevant !== null): void {
    const r = this.queue.row(id);
    this.flush();
    this.model.setLabel(r, relevant === null ? UNLABELLED : relevant ? 1 : 0);
    this.queue.setClosed(r, closed);
  }

  /** The best-ranked open record not skipped, or null when none is left. */
  next(skip?: ReadonlySet<string> | ((id: string) => boolean)): string | null {
    return this.queue.next(skip);
  }

  /** Refits on all decisions and re-ranks the open records. */
  retrain(): RetrainResult {
    this.flush();
    const { order, ...result } = this.model.rank();
    this.queue.setRanking(order, result.trained);
    return result;
  }

  /** Open record ids in serving order (best first). */
  ranking(): string[] {
    return this.queue.openIds();
  }

  private flush(): void {
    if (this.texts.length === 0) return;
    this.model.addTexts(this.texts);
    this.texts.length = 0;
  }
}
