import { ScreeningInputError } from "./errors.js";
import { Ranker, type RankerOptions } from "./ranker.js";
import { rankDescending } from "./simulate.js";
import { TextFeatures, type FeatureOptions } from "./text.js";

export interface PrioritiserOptions {
  seed?: number;
  ranker?: RankerOptions;
  features?: FeatureOptions;
}

export interface RetrainResult {
  /** False while the decisions lack a relevant or an irrelevant record (the queue then keeps import order). */
  trained: boolean;
  labelled: number;
  unscreened: number;
  ms: number;
}

/**
 * The live prioritised queue of one project stage. Records and decisions
 * arrive at any time; `retrain()` refits the model on all decisions and ranks
 * the unscreened records; `next()` serves the best-ranked record not yet
 * decided from the last ranking, without waiting for a retrain, so a server
 * can retrain in the background (e.g. in a worker thread) while reviewers
 * carry on. Prioritisation only orders the queue: every record stays in it.
 */
export class Prioritiser {
  private readonly features: TextFeatures;
  private readonly ranker: Ranker;
  private readonly ids: string[] = [];
  private readonly row = new Map<string, number>();
  /** Decision per row: 1 relevant, 0 irrelevant, 255 undecided. */
  private decided = new Uint8Array(1024);
  private queue: Int32Array = new Int32Array(0);
  private head = 0;
  private decisionsSinceFit = 0;

  constructor(options: PrioritiserOptions = {}) {
    this.features = new TextFeatures(options.features);
    this.ranker = new Ranker(options.ranker, options.seed ?? 0);
    this.decided.fill(255);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Decisions recorded since the last retrain. */
  get pending(): number {
    return this.decisionsSinceFit;
  }

  /** Adds a record (title and abstract text); a known id is ignored. */
  addRecord(id: string, text: string): void {
    if (this.row.has(id)) return;
    const r = this.features.add(text);
    this.row.set(id, r);
    this.ids.push(id);
    if (r >= this.decided.length) {
      const d = new Uint8Array(this.decided.length * 2).fill(255);
      d.set(this.decided);
      this.decided = d;
    }
  }

  /** Records a decision (true relevant: include or maybe; false: exclude; null: withdrawn). */
  setDecision(id: string, relevant: boolean | null): void {
    const r = this.row.get(id);
    if (r === undefined) throw new ScreeningInputError(`unknown record ${id}`);
    const fresh = this.decided[r] === 255;
    this.decided[r] = relevant === null ? 255 : relevant ? 1 : 0;
    if (fresh && relevant !== null) this.ranker.observe(r, relevant);
    this.decisionsSinceFit++;
  }

  /**
   * The best-ranked undecided record not in `skip` (e.g. records another
   * reviewer holds), or null when none is left. Records added since the last
   * retrain are served after the ranked ones, in the order they came.
   */
  next(skip?: ReadonlySet<string>): string | null {
    const q = this.queue;
    // Decided records at the head are dropped for good; skipped ones are not.
    while (this.head < q.length && this.decided[q[this.head]] !== 255) this.head++;
    for (let k = this.head; k < q.length; k++) {
      const r = q[k];
      if (this.decided[r] === 255 && !skip?.has(this.ids[r])) return this.ids[r];
    }
    const ranked = new Uint8Array(this.ids.length);
    for (const r of q) ranked[r] = 1;
    for (let r = 0; r < this.ids.length; r++) {
      if (!ranked[r] && this.decided[r] === 255 && !skip?.has(this.ids[r])) return this.ids[r];
    }
    return null;
  }

  /** Refits on all decisions and re-ranks the undecided records. */
  retrain(): RetrainResult {
    const t0 = performance.now();
    const n = this.ids.length;
    const rows: number[] = [];
    const pool: number[] = [];
    let n1 = 0;
    for (let r = 0; r < n; r++) {
      const d = this.decided[r];
      if (d === 255) pool.push(r);
      else {
        rows.push(r);
        n1 += d;
      }
    }
    this.decisionsSinceFit = 0;
    const trained = n1 > 0 && n1 < rows.length;
    if (!trained) {
      this.queue = Int32Array.from(pool);
    } else {
      const X = this.features.matrix();
      const labelledRows = Int32Array.from(rows);
      const labels = Uint8Array.from(rows, (r) => this.decided[r]);
      this.ranker.fit(X, labelledRows, labels);
      const scores = this.ranker.score(X, pool);
      this.queue = rankDescending(pool, scores);
    }
    this.head = 0;
    return { trained, labelled: rows.length, unscreened: pool.length, ms: performance.now() - t0 };
  }

  /** Undecided record ids in the current ranking (best first). */
  ranking(): string[] {
    const out: string[] = [];
    for (let k = this.head; k < this.queue.length; k++) if (this.decided[this.queue[k]] === 255) out.push(this.ids[this.queue[k]]);
    return out;
  }
}
