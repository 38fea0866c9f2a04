import { ScreeningInputError } from "./errors.js";

/**
 * The served side of prioritisation: record ids, which records are still
 * open, and the latest ranking. `next()` walks the ranking from a head that
 * only moves past closed records, so serving costs what it skips, not the
 * size of the project. A new ranking replaces the old one whole; records added
 * after it was computed follow it in the order they came.
 */
export class RankedQueue {
  private readonly ids: string[] = [];
  private readonly rowOf = new Map<string, number>();
  /** 1 when a record can no longer be screened by anyone (decided, in conflict, reconciled, out of the stage). */
  private closed = new Uint8Array(1024);
  private order: Int32Array = new Int32Array(0);
  /** Rows of the ranking that a model placed (the rest of `order` follows in the order records came). */
  private top = 0;
  /** Rows of the ranking before `head` are all closed. */
  private head = 0;
  /** Rows at and after `order.length` (not yet ranked) before `tail` are all closed. */
  private tail = 0;
  private rankedAt = 0;

  get size(): number {
    return this.ids.length;
  }

  /** True once a ranking from a trained model is being served. */
  get ranked(): boolean {
    return this.rankedAt > 0;
  }

  /** Adds a record; returns its row, or -1 if the id is known already. */
  add(id: string): number {
    if (this.rowOf.has(id)) return -1;
    const r = this.ids.length;
    this.rowOf.set(id, r);
    this.ids.push(id);
    if (r >= this.closed.length) {
      const c = new Uint8Array(this.closed.length * 2);
      c.set(this.closed);
      this.closed = c;
    }
    return r;
  }

  row(id: string): number {
    const r = this.rowOf.get(id);
    if (r === undefined) throw new ScreeningInputError(`unknown record ${id}`);
    return r;
  }

  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  setClosed(row: number, closed: boolean): void {
    if (this.closed[row] === 1 && !closed) {
      // A record opened again (e.g. the assignment mode changed to dual): the
      // heads may have passed it.
      this.head = 0;
      this.tail = this.order.length;
    }
    this.closed[row] = closed ? 1 : 0;
  }

  isClosed(row: number): boolean {
    return this.closed[row] === 1;
  }

  /**
   * Serves from a new ranking: `order` lists rows best first and must hold
   * every row below its length exactly once. `trained` says whether it comes
   * from a model (false: import order while a class is still missing).
   */
  setRanking(order: Int32Array, trained: boolean, top = order.length): void {
    this.order = order;
    this.top = Math.min(top, order.length);
    this.head = 0;
    this.tail = order.length;
    this.rankedAt = trained ? order.length : 0;
  }

  /**
   * The best-ranked open record that `skip` does not exclude (e.g. records
   * the reviewer already decided in dual screening, or ones another reviewer
   * holds), or null when none is left.
   */
  next(skip?: ReadonlySet<string> | ((id: string) => boolean)): string | null {
    const skipped = typeof skip === "function" ? skip : skip ? (id: string) => skip.has(id) : () => false;
    const { order, closed, ids } = this;
    while (this.head < order.length && closed[order[this.head]]) this.head++;
    for (let k = this.head; k < order.length; k++) {
      const r = order[k];
      if (!closed[r] && !skipped(ids[r])) return ids[r];
    }
    const n = ids.length;
    if (this.tail < order.length) this.tail = order.length;
    while (this.tail < n && closed[this.tail]) this.tail++;
    for (let r = this.tail; r < n; r++) if (!closed[r] && !skipped(ids[r])) return ids[r];
    return null;
  }

  /**
   * As `next`, over the first `top` rows of the ranking only (those its
   * model placed): null when none of them is open, so the caller serves the
   * rest in an order of its own.
   */
  nextRanked(skip?: (id: string) => boolean): string | null {
    const { order, closed, ids } = this;
    while (this.head < this.top && closed[order[this.head]]) this.head++;
    for (let k = this.head; k < this.top; k++) {
      const r = order[k];
      if (!closed[r] && !skip?.(ids[r])) return ids[r];
    }
    return null;
  }

  /** Serves every row in the order `compare` gives their ids (no model: `ranked` is false). */
  sortBy(compare: (a: string, b: string) => number): void {
    const order = Int32Array.from(this.ids.keys());
    order.sort((a, b) => compare(this.ids[a], this.ids[b]));
    this.setRanking(order, false);
  }

  /** Open record ids in serving order. */
  openIds(): string[] {
    const out: string[] = [];
    for (const r of this.order) if (!this.closed[r]) out.push(this.ids[r]);
    for (let r = this.order.length; r < this.ids.length; r++) if (!this.closed[r]) out.push(this.ids[r]);
    return out;
  }
}
