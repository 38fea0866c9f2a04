import { Worker } from "node:worker_threads";
import { RankedQueue } from "./queue.js";
import { DEFAULT_SCREENING_MODEL, SCREENING_MODEL_NAMES } from "./models.js";
import { RankingModel, UNLABELLED, type PrioritiserOptions, type Ranking, type RetrainResult, type RowLabel } from "./prioritiser.js";

/**
 * Prioritisation with training off the serving thread.
 *
 * Why a worker thread: a retrain at 100,000 records takes one to two seconds
 * of CPU (the TF-IDF matrix once, then warm-started SVM fits and scoring all
 * records). On the server's main thread that would stall every request for
 * that long, whatever the project. In a `worker_threads` worker the main
 * thread only posts decisions and receives a finished ranking (an Int32Array,
 * transferred without copying), so the next record is always served at once
 * from the latest finished ranking, and a retrain never waits behind a
 * request nor a request behind a retrain.
 *
 * One worker serves every project of a server (`RankingService`), so the
 * number of training threads stays one whatever the number of projects.
 * The messages are processed in order, so a ranking always reflects every
 * record and decision posted before it was asked for.
 */

export type ToWorker =
  | { kind: "open"; key: string; options: PrioritiserOptions }
  | { kind: "add"; key: string; texts: string[] }
  | { kind: "label"; key: string; rows: Int32Array; labels: Uint8Array }
  | { kind: "rank"; key: string }
  | { kind: "model"; key: string; model: string }
  | { kind: "drop"; key: string };

export type FromWorker = { kind: "ranking"; key: string; ranking: Ranking } | { kind: "error"; key: string; message: string };

/** The worker's side: one `RankingModel` per key. Shared by the worker thread and the in-thread fallback. */
export function rankingHandler(): (msg: ToWorker) => FromWorker | null {
  const models = new Map<string, RankingModel>();
  return (msg) => {
    try {
      if (msg.kind === "open") {
        if (!models.has(msg.key)) models.set(msg.key, new RankingModel(msg.options));
        return null;
      }
      if (msg.kind === "drop") {
        models.delete(msg.key);
        return null;
      }
      const m = models.get(msg.key);
      if (!m) throw new Error(`no ranking model ${msg.key}`);
      if (msg.kind === "add") m.addTexts(msg.texts);
      else if (msg.kind === "model") m.setModel(msg.model);
      else if (msg.kind === "label") for (let k = 0; k < msg.rows.length; k++) m.setLabel(msg.rows[k], msg.labels[k] as RowLabel);
      else return { kind: "ranking", key: msg.key, ranking: m.rank() };
      return null;
    } catch (e) {
      return { kind: "error", key: msg.key, message: e instanceof Error ? e.message : String(e) };
    }
  };
}

export interface RankingServiceOptions {
  /**
   * The worker module; `false` trains in this thread (after the current
   * task, so callers still never wait). Default: the compiled worker next to
   * this module, or in-thread when running from TypeScript sources (tests).
   */
  worker?: URL | false;
  /** Called when the worker fails; the queues keep serving their last ranking. */
  onError?: (error: Error) => void;
}

/** Texts per message when loading records into the worker (keeps each structured clone short). */
const ADD_CHUNK = 2000;

/** Hosts the ranking models of many queues in one worker thread. */
export class RankingService {
  private readonly worker: Worker | null;
  private readonly inline: ((msg: ToWorker) => FromWorker | null) | null;
  private readonly queues = new Map<string, BackgroundPrioritiser>();
  private failed: Error | null = null;
  private closed = false;

  constructor(private readonly options: RankingServiceOptions = {}) {
    const url = options.worker ?? (import.meta.url.endsWith(".ts") ? false : new URL("./worker.js", import.meta.url));
    if (url === false) {
      this.worker = null;
      this.inline = rankingHandler();
    } else {
      this.inline = null;
      this.worker = new Worker(url);
      // Idle training must not keep a process alive.
      this.worker.unref();
      this.worker.on("message", (m: FromWorker) => this.receive(m));
      this.worker.on("error", (e) => this.fail(e));
      this.worker.on("exit", (code) => {
        if (!this.closed) this.fail(new Error(`the ranking worker exited with code ${code}`));
      });
    }
  }

  /** True when training runs in a worker thread. */
  get threaded(): boolean {
    return this.worker !== null;
  }

  /** The queue for `key`, created on first use. */
  open(key: string, options: PrioritiserOptions = {}): BackgroundPrioritiser {
    let q = this.queues.get(key);
    if (!q) {
      q = new BackgroundPrioritiser(this, key, options.model);
      this.queues.set(key, q);
      this.post({ kind: "open", key, options });
    }
    return q;
  }

  /** Forgets a queue and its model. */
  drop(key: string): void {
    if (!this.queues.delete(key)) return;
    this.post({ kind: "drop", key });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queues.values()) q.settle();
    this.queues.clear();
    if (this.worker) await this.worker.terminate();
  }

  /** @internal */
  post(msg: ToWorker): void {
    if (this.closed || this.failed) return;
    if (this.worker) {
      const transfer = msg.kind === "label" ? [msg.rows.buffer as ArrayBuffer, msg.labels.buffer as ArrayBuffer] : [];
      this.worker.postMessage(msg, transfer);
      return;
    }
    // In-thread: after the current task, in order (setImmediate callbacks run first in, first out).
    const handle = this.inline!;
    setImmediate(() => {
      if (this.closed) return;
      const reply = handle(msg);
      if (reply) this.receive(reply);
    });
  }

  /** @internal */
  get error(): Error | null {
    return this.failed;
  }

  private receive(m: FromWorker): void {
    const q = this.queues.get(m.key);
    if (!q) return;
    if (m.kind === "ranking") q.receive(m.ranking);
    else this.fail(new Error(m.message));
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    this.options.onError?.(e);
    for (const q of this.queues.values()) q.settle();
  }
}

/**
 * The serving side of one queue: the same API as `Prioritiser`, but
 * `retrain()` only asks for a new ranking, computed by the service's worker;
 * `next()` serves from the latest ranking received. Requests are coalesced:
 * one retrain at a time, and one more afterwards if anything changed
 * meanwhile.
 */
export class BackgroundPrioritiser {
  private readonly queue = new RankedQueue();
  /** The label the model was last sent per row (UNLABELLED for none). */
  private labels = new Uint8Array(1024).fill(UNLABELLED);
  private texts: string[] = [];
  private labelRows: number[] = [];
  private labelValues: number[] = [];
  private inFlight = false;
  private wanted = false;
  private waiters: (() => void)[] = [];
  /** The last finished retrain. */
  last: RetrainResult | null = null;
  /** Retrains finished. */
  rankings = 0;

  private model: string;

  /** @internal (use `RankingService.open`) */
  constructor(
    private readonly service: RankingService,
    readonly key: string,
    model?: string,
  ) {
    this.model = model ?? DEFAULT_SCREENING_MODEL;
  }

  /** The named model that ranks this queue (from the next retrain after a change). */
  get modelName(): string {
    return this.model;
  }

  /**
   * Ranks with the named model (null: the default). An unknown name (a model
   * since withdrawn, in an old project) keeps the default rather than
   * stopping prioritisation. A change retrains at once if anything is labelled.
   */
  useModel(name: string | null): void {
    const m = name !== null && SCREENING_MODEL_NAMES.includes(name) ? name : DEFAULT_SCREENING_MODEL;
    if (m === this.model) return;
    this.model = m;
    this.service.post({ kind: "model", key: this.key, model: m });
    if (this.rankings > 0 || this.inFlight) this.retrain();
  }

  get size(): number {
    return this.queue.size;
  }

  /** True once a ranking from a trained model is being served. */
  get ranked(): boolean {
    return this.queue.ranked;
  }

  /** True while a retrain is running or waiting to run (never after the service failed). */
  get busy(): boolean {
    return !this.service.error && (this.inFlight || this.wanted);
  }

  /** Adds a record (title and abstract text); a known id is ignored. Returns whether it was new. */
  addRecord(id: string, text: string): boolean {
    const r = this.queue.add(id);
    if (r < 0) return false;
    if (r >= this.labels.length) {
      const l = new Uint8Array(this.labels.length * 2).fill(UNLABELLED);
      l.set(this.labels);
      this.labels = l;
    }
    this.texts.push(text);
    return true;
  }

  has(id: string): boolean {
    return this.queue.has(id);
  }

  /**
   * As `Prioritiser.setDecision`; the model learns it at the next retrain.
   * Returns whether the label changed (whether a retrain can change anything).
   */
  setDecision(id: string, relevant: boolean | null, closed = relevant !== null): boolean {
    const r = this.queue.row(id);
    this.queue.setClosed(r, closed);
    const label = relevant === null ? UNLABELLED : relevant ? 1 : 0;
    if (this.labels[r] === label) return false;
    this.labels[r] = label;
    this.labelRows.push(r);
    this.labelValues.push(label);
    return true;
  }

  next(skip?: ReadonlySet<string> | ((id: string) => boolean)): string | null {
    return this.queue.next(skip);
  }

  /** Open record ids in serving order. */
  ranking(): string[] {
    return this.queue.openIds();
  }

  /** Asks for a retrain on everything added so far; returns at once. */
  retrain(): void {
    this.wanted = true;
    this.pump();
  }

  /** Resolves when no retrain is running or waiting (or the service has failed or closed). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private pump(): void {
    if (this.inFlight || !this.wanted || this.service.error) return;
    this.wanted = false;
    this.inFlight = true;
    for (let k = 0; k < this.texts.length; k += ADD_CHUNK) this.service.post({ kind: "add", key: this.key, texts: this.texts.slice(k, k + ADD_CHUNK) });
    this.texts = [];
    if (this.labelRows.length) {
      this.service.post({ kind: "label", key: this.key, rows: Int32Array.from(this.labelRows), labels: Uint8Array.from(this.labelValues) });
      this.labelRows = [];
      this.labelValues = [];
    }
    this.service.post({ kind: "rank", key: this.key });
  }

  /** @internal */
  receive(r: Ranking): void {
    const { order, ...result } = r;
    this.queue.setRanking(order, result.trained);
    this.last = result;
    this.rankings++;
    this.inFlight = false;
    if (this.wanted) this.pump();
    else this.settle();
  }

  /** @internal */
  settle(): void {
    this.inFlight = false;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
