import { Worker } from "node:worker_threads";
import { workerFile } from "@homeward/model/node";
import type { FastifyInstance } from "fastify";
import { advances, labelsHash, rankingHandler, recordText, type FromWorker, type Ranking, type ToWorker } from "@homeward/screening";
import { JobCancelled, screeningRankings, type JobQueue, type Store } from "@homeward/store";
import { RANKING, type RankingPayload } from "../routes/screening-ranking.js";
import { screeningProjects } from "../routes/screening-state.js";

/**
 * Ranking retrains as jobs of the store's queue (kind `screening-ranking`):
 * any server may run one; it trains the stage's named model on the labelled
 * records, ranks the unlabelled ones and writes the ranking (its top
 * `RANKING_TOP` ids) as a new version in one transaction, which every server
 * then serves (see routes/screening-ranking.ts). A failed run is retried; a
 * run repeated after a restart starts again from the labels of the moment.
 *
 * Texts are read a page at a time and handed to a worker thread of the job's
 * own as they arrive, so neither the event loop nor the main thread's heap
 * holds the project's texts; the worker builds the features, fits and ranks.
 */

/** Ids kept per ranking: the top of the queue (records below it follow in import order; see @homeward/store rankings.ts). */
export const RANKING_TOP = 10_000;
/** Records whose texts are read per query. */
const PAGE = 5_000;

export interface RankingJobResult {
  /** The version written, or the one already up to date. */
  version: number | null;
  upToDate: boolean;
  trained: boolean;
  model: string;
  labelled: number;
  unscreened: number;
  kept: number;
  /** Reading texts, training and ranking, writing (ms). */
  readMs: number;
  trainMs: number;
  writeMs: number;
}

/** One ranking model in a thread of its own (or in this one, after the current task), fed in order. */
class RankingThread {
  private readonly worker: Worker | null;
  private readonly inline: ((m: ToWorker) => FromWorker | null) | null;
  private waiting: { resolve: (r: FromWorker) => void; reject: (e: unknown) => void } | null = null;
  private failure: unknown = null;

  constructor(signal: AbortSignal) {
    // Tests on the TypeScript sources use the build's worker when there is one, else train in this thread.
    const file = workerFile(new URL("./ranking-worker.js", import.meta.url), import.meta.url, new URL("../../dist/jobs/ranking-worker.js", import.meta.url));
    this.worker = file ? new Worker(file) : null;
    this.inline = file ? null : rankingHandler();
    const fail = (e: unknown) => {
      this.failure ??= e;
      this.waiting?.reject(e);
      this.waiting = null;
    };
    this.worker?.on("message", (m: FromWorker) => this.reply(m));
    this.worker?.on("error", fail);
    this.worker?.on("exit", (code) => fail(new Error(`the ranking worker exited with code ${code}`)));
    signal.addEventListener("abort", () => {
      fail(signal.reason);
      void this.worker?.terminate();
    }, { once: true });
  }

  private reply(m: FromWorker): void {
    const w = this.waiting;
    this.waiting = null;
    if (m.kind === "error") {
      this.failure ??= new Error(m.message);
      w?.reject(this.failure);
    } else w?.resolve(m);
  }

  post(m: ToWorker): void {
    if (this.failure) throw this.failure;
    if (this.worker) {
      this.worker.postMessage(m, m.kind === "label" ? [m.rows.buffer as ArrayBuffer, m.labels.buffer as ArrayBuffer] : []);
      return;
    }
    setImmediate(() => {
      const r = this.inline!(m);
      if (r) this.reply(r);
    });
  }

  /** Posts the last message and waits for the ranking it answers. */
  async rank(key: string): Promise<Ranking> {
    if (this.failure) throw this.failure;
    const answer = new Promise<FromWorker>((resolve, reject) => (this.waiting = { resolve, reject }));
    this.post({ kind: "rank", key });
    const m = await answer;
    if (m.kind !== "ranking") throw new Error("the ranking worker answered out of turn");
    return m.ranking;
  }

  async close(): Promise<void> {
    this.failure ??= new Error("closed");
    await this.worker?.terminate();
  }
}

/** Registers the retrain job and hands the queue to the screening state, which asks for retrains. */
export async function registerRankingJobs(app: FastifyInstance, store: Store, queue: JobQueue): Promise<void> {
  const projects = screeningProjects(app, store);
  projects.useQueue(queue);
  // Projects whose screening is under way (they have a stored ranking) are read in the background
  // as the server starts, so after a restart the first reviewer finds the state read.
  app.addHook("onReady", async () => projects.warmAll());
  const rankings = screeningRankings(store);

  await queue.work(RANKING, async ({ job, progress, signal }) => {
    const { stage } = job.payload as RankingPayload;
    // One retrain of a stage at a time, and only the newest asked for: a run that finished later with
    // older labels would otherwise replace a fresher ranking, and two at once would halve each one's CPU.
    const others = async () => (await queue.list(job.projectId, { kind: RANKING, limit: 20 })).items.filter((j) => j.id !== job.id && (j.payload as RankingPayload).stage === stage);
    for (;;) {
      const o = await others();
      if (o.some((j) => j.state === "queued" && j.createdAt > job.createdAt)) return { superseded: true };
      if (!o.some((j) => j.state === "running" && j.createdAt < job.createdAt)) break;
      await progress(0, "waiting for the retrain before it to finish");
      await new Promise((res) => setTimeout(res, 1000));
    }
    const t0 = performance.now();
    await progress(0, "reading the decisions");
    // This server's engine, brought up to date: the labels as they stand now.
    const p = await projects.synced(job.projectId);
    // Title/abstract's records read from the store: the state names only those it needed.
    const ids = await p.stageIds(stage);
    const st = p.engine.stage(stage);
    const model = p.rankingQueue(stage).modelName;
    const labels = new Uint8Array(ids.length).fill(255);
    const labelled: [string, 0 | 1][] = [];
    let relevant = 0;
    for (let i = 0; i < ids.length; i++) {
      const s = st.statusOf(ids[i]!);
      if (s?.state !== "decided" && s?.state !== "reconciled") continue;
      const l = advances(s.verdict) ? 1 : 0;
      labels[i] = l;
      relevant += l;
      labelled.push([ids[i]!, l]);
    }
    const hash = labelsHash(model, labelled);
    const base = { model, labelled: labelled.length, unscreened: ids.length - labelled.length, readMs: 0, trainMs: 0, writeMs: 0 };
    const latest = await rankings.latest(job.projectId, stage, false);
    // Another run got there first (two servers asked at once), or nothing changed since.
    if (latest && latest.labelsHash === hash) {
      await p.refreshRankings();
      return { ...base, version: latest.version, upToDate: true, trained: latest.trained, kept: 0 } satisfies RankingJobResult;
    }
    if (relevant === 0 || relevant === labelled.length) return { ...base, version: null, upToDate: false, trained: false, kept: 0 } satisfies RankingJobResult;

    const key = `${job.projectId}\u0000${stage}`;
    const thread = new RankingThread(signal);
    try {
      thread.post({ kind: "open", key, options: { seed: 1, model, keepTexts: false } });
      for (let k = 0; k < ids.length; k += PAGE) {
        const page = ids.slice(k, k + PAGE);
        const texts = await rankings.texts(job.projectId, page);
        thread.post({ kind: "add", key, texts: page.map((id) => recordText(texts.get(id) ?? { title: "", abstract: null })) });
        await progress(0.05 + (0.55 * Math.min(ids.length, k + PAGE)) / ids.length, `reading texts: ${Math.min(ids.length, k + PAGE).toLocaleString("en")} of ${ids.length.toLocaleString("en")} records`);
      }
      const rows: number[] = [];
      for (let i = 0; i < labels.length; i++) if (labels[i] !== 255) rows.push(i);
      thread.post({ kind: "label", key, rows: Int32Array.from(rows), labels: Uint8Array.from(rows, (i) => labels[i]!) });
      const t1 = performance.now();
      await progress(0.6, `training ${model} on ${labelled.length.toLocaleString("en")} decisions and ranking ${base.unscreened.toLocaleString("en")} records`);
      const ranking = await thread.rank(key);
      const t2 = performance.now();
      await progress(0.95, "saving the ranking");
      const top = Array.from(ranking.order.subarray(0, Math.min(ranking.unscreened, RANKING_TOP)), (row) => ids[row]!);
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new JobCancelled();
      const written = await rankings.write({
        projectId: job.projectId,
        stage,
        model: ranking.model,
        servedBy: ranking.servedBy,
        trained: ranking.trained,
        labelled: ranking.labelled,
        labelsHash: hash,
        unscreened: ranking.unscreened,
        recordIds: top,
        trainMs: ranking.ms,
        jobId: job.id,
      });
      const t3 = performance.now();
      // This server serves it at once; the others at their next request.
      await p.refreshRankings();
      return {
        version: written.version,
        upToDate: false,
        trained: ranking.trained,
        model: ranking.model,
        labelled: ranking.labelled,
        unscreened: ranking.unscreened,
        kept: top.length,
        readMs: Math.round(t1 - t0),
        trainMs: Math.round(t2 - t1),
        writeMs: Math.round(t3 - t2),
      } satisfies RankingJobResult;
    } finally {
      await thread.close();
    }
  });
}
