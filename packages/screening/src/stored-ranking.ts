import { createHash } from "node:crypto";
import { DEFAULT_SCREENING_MODEL, SCREENING_MODEL_NAMES, screeningModel } from "./models.js";
import { RankedQueue } from "./queue.js";
import type { RankingQueue } from "./engine/stage.js";

/** A ranking as a retrain job wrote it (the store's `StoredRanking`, the fields served from). */
export interface RankingVersion {
  version: number;
  model: string;
  servedBy: string | null;
  trained: boolean;
  labelled: number;
  labelsHash: string;
  trainMs: number;
  createdAt: string;
  /** Best first: the top of the queue; records not listed follow in import order. */
  recordIds: readonly string[];
}

/**
 * A stage's queue served from rankings computed elsewhere (a retrain job of
 * the store's queue, on any server) rather than by a model of its own: it
 * knows record ids (no texts), which records are open, and the labels, and
 * serves the best open record of the newest ranking it was given. Until a
 * trained ranking arrives it serves in import order.
 *
 * Why: every server on a database then serves the same order (the one
 * stored), a restarted server ranks at once (it reads the newest ranking, a
 * few hundred kilobytes, instead of training on every record's text), and
 * training, which at a million records takes minutes of CPU and gigabytes,
 * runs once per retrain as a job rather than once per server.
 *
 * It also counts label changes since the ranking it serves was asked for,
 * so the server can ask for a retrain when enough have arrived
 * (`retrainDue`), by the named model's rule.
 */
export class StoredRankingQueue implements RankingQueue {
  private readonly queue = new RankedQueue();
  /** 0 irrelevant, 1 relevant, 255 none, per row. */
  private labels = new Uint8Array(1024).fill(255);
  private relevant = 0;
  private irrelevant = 0;
  private model = DEFAULT_SCREENING_MODEL;
  /** Label changes since the last retrain request (or the ranking served). */
  private changes = 0;
  private relevantChanged = false;
  readonly wantsText = false;
  /** The ranking served (none before the first). */
  current: RankingVersion | null = null;
  /** Called by `next`: the server's chance to look for a newer stored ranking. */
  onServe: (() => void) | null = null;

  get ranked(): boolean {
    return this.queue.ranked;
  }

  /** The named model the stage's settings choose (the one the next retrain uses). */
  get modelName(): string {
    return this.model;
  }

  get size(): number {
    return this.queue.size;
  }

  /** Settled labels: relevant and irrelevant records. */
  get labelCounts(): { relevant: number; irrelevant: number } {
    return { relevant: this.relevant, irrelevant: this.irrelevant };
  }

  has(id: string): boolean {
    return this.queue.has(id);
  }

  addRecord(id: string): boolean {
    const r = this.queue.add(id);
    if (r < 0) return false;
    if (r >= this.labels.length) {
      const l = new Uint8Array(this.labels.length * 2).fill(255);
      l.set(this.labels);
      this.labels = l;
    }
    return true;
  }

  setDecision(id: string, relevant: boolean | null, closed: boolean): boolean {
    const r = this.queue.row(id);
    this.queue.setClosed(r, closed);
    const label = relevant === null ? 255 : relevant ? 1 : 0;
    const was = this.labels[r]!;
    if (was === label) return false;
    if (was === 1) this.relevant--;
    else if (was === 0) this.irrelevant--;
    if (label === 1) this.relevant++;
    else if (label === 0) this.irrelevant++;
    this.labels[r] = label;
    this.changes++;
    if (label === 1 || was === 1) this.relevantChanged = true;
    return true;
  }

  next(skip?: (id: string) => boolean): string | null {
    this.onServe?.();
    return this.queue.next(skip);
  }

  nextRanked(skip?: (id: string) => boolean): string | null {
    this.onServe?.();
    return this.queue.nextRanked(skip);
  }

  useModel(name: string | null): void {
    const m = name !== null && SCREENING_MODEL_NAMES.includes(name) ? name : DEFAULT_SCREENING_MODEL;
    if (m === this.model) return;
    this.model = m;
    // A ranking by another model is due at once.
    this.changes++;
    this.relevantChanged = true;
  }

  /** Open record ids in serving order. */
  ranking(): string[] {
    return this.queue.openIds();
  }

  /**
   * Serves from a stored ranking: its ids first (unknown ones, records this
   * server has not seen yet, are passed over), then every other record in
   * the order they were added (`nextRanked` serves the ids only, for a stage
   * that serves the rest in import order itself). An older version than the
   * one served is ignored.
   */
  apply(r: RankingVersion): void {
    if (this.current && r.version <= this.current.version) return;
    const n = this.queue.size;
    const order = new Int32Array(n);
    const placed = new Uint8Array(n);
    let k = 0;
    let top = 0;
    if (r.trained) {
      for (const id of r.recordIds) {
        if (!this.queue.has(id)) continue;
        const row = this.queue.row(id);
        if (placed[row]) continue;
        placed[row] = 1;
        order[k++] = row;
      }
      top = k;
    }
    for (let row = 0; row < n; row++) if (!placed[row]) order[k++] = row;
    this.queue.setRanking(order, r.trained, top);
    this.current = { ...r, recordIds: [] };
  }

  /**
   * Is a retrain due: both classes labelled, and the labels changed since
   * the last request by the model's rule (`retrain.fraction`: 0 after every
   * change; otherwise at once after a relevant one, else when that share of
   * the labelled set is new), or no ranking yet?
   */
  retrainDue(): boolean {
    if (this.relevant === 0 || this.irrelevant === 0) return false;
    if (!this.current?.trained) return true;
    if (this.changes === 0) return false;
    const fraction = screeningModel(this.model).retrain.fraction;
    return fraction === 0 || this.relevantChanged || this.changes >= Math.max(1, Math.ceil(fraction * (this.relevant + this.irrelevant)));
  }

  /** A retrain was asked for: changes count from here. */
  requested(): void {
    this.changes = 0;
    this.relevantChanged = false;
  }
}

/**
 * A fingerprint of a stage's labels (record id and label, in the order
 * given): a retrain whose labels hash the same as the ranking's cannot
 * change it.
 */
export function labelsHash(model: string, labelled: Iterable<readonly [string, 0 | 1]>): string {
  const h = createHash("sha256").update(model).update("\u0000");
  for (const [id, l] of labelled) h.update(`${id}\u0000${l}\u0001`);
  return h.digest("hex");
}
