import type { ScreeningStage } from "@homeward/model";
import { StoredRankingQueue, type PrioritisationStatus } from "@homeward/screening";
import { screeningRankings, type JobQueue, type ScreeningRankings, type Store, type StoredRanking } from "@homeward/store";

/** The job kind of a stage's ranking retrain in the store's queue. */
export const RANKING = "screening-ranking";

export interface RankingPayload {
  stage: ScreeningStage;
}

const STAGES = ["title_abstract", "full_text"] as const;

/**
 * A project's rankings as one server serves them: a `StoredRankingQueue` per
 * stage fed the newest ranking in the store, and retrains asked of the job
 * queue when enough labels have changed.
 *
 * The version check runs as a request is served (the queue's `next`) but is
 * not awaited by it: one primary-key read, at most one at a time per stage,
 * and a newer version is read whole (its top ids) and served from the next
 * request on. So every server serves the stored order, a request later at
 * most, without adding a database round trip to the request itself.
 */
export class ProjectRankings {
  readonly queues: Record<ScreeningStage, StoredRankingQueue>;
  private readonly rankings: ScreeningRankings;
  private readonly checking: Record<ScreeningStage, Promise<void> | null> = { title_abstract: null, full_text: null };
  /** A retrain this server asked for and has not yet seen the result of. */
  private readonly asked: Record<ScreeningStage, boolean> = { title_abstract: false, full_text: false };

  constructor(
    private readonly store: Store,
    readonly projectId: string,
    private readonly jobs: () => JobQueue | null,
    private readonly onError: (e: unknown) => void,
    /** Names to the screening state the records a ranking lists that it has not named yet (it holds only some). */
    private readonly name: (ids: readonly string[]) => Promise<void> = async () => {},
  ) {
    this.rankings = screeningRankings(store);
    this.queues = { title_abstract: this.queue("title_abstract"), full_text: this.queue("full_text") };
  }

  private queue(stage: ScreeningStage): StoredRankingQueue {
    const q = new StoredRankingQueue();
    q.onServe = () => void this.check(stage);
    return q;
  }

  /** The ranking's state, for the status answer. */
  status(stage: ScreeningStage): PrioritisationStatus {
    void this.check(stage);
    const q = this.queues[stage];
    const c = q.current;
    return {
      ranked: q.ranked,
      retraining: this.asked[stage],
      rankings: c?.version ?? 0,
      labelled: c?.labelled ?? 0,
      retrainMs: c ? Math.round(c.trainMs) : null,
      model: c?.model ?? null,
      servedBy: c?.servedBy ?? null,
    };
  }

  /** Looks for a newer stored ranking and serves it (one at a time per stage). */
  check(stage: ScreeningStage): Promise<void> {
    this.checking[stage] ??= this.load(stage)
      .catch((e) => this.onError(e))
      .finally(() => {
        this.checking[stage] = null;
      });
    return this.checking[stage]!;
  }

  /** Both stages' newest rankings, awaited (a rebuilt engine serves its ranking at once). */
  async loadAll(): Promise<void> {
    await Promise.all(STAGES.map((s) => this.check(s)));
  }

  private async load(stage: ScreeningStage): Promise<void> {
    const q = this.queues[stage];
    const version = await this.rankings.latestVersion(this.projectId, stage);
    if (version === 0 || version <= (q.current?.version ?? 0)) return;
    const r = await this.rankings.latest(this.projectId, stage);
    if (!r) return;
    await this.name(r.recordIds);
    this.serve(stage, r);
  }

  /** Serves `r` (its records named to the state already). */
  serve(stage: ScreeningStage, r: StoredRanking): void {
    this.queues[stage].apply(r);
    this.asked[stage] = false;
  }

  /**
   * Asks for a retrain of each stage that is due (see `retrainDue`). At most
   * one retrain per project and stage waits in the queue: one already
   * queued is joined (a running one has read its labels already, so a new
   * one is queued behind it). Not awaited by requests.
   */
  retrainDue(): void {
    const queue = this.jobs();
    if (!queue) return;
    for (const stage of STAGES) {
      const q = this.queues[stage];
      if (!q.retrainDue()) continue;
      q.requested();
      this.asked[stage] = true;
      void requestRetrain(queue, this.projectId, stage).catch((e) => this.onError(e));
    }
  }
}

/** Queues a retrain of the stage unless one is already waiting; answers the job. */
export async function requestRetrain(queue: JobQueue, projectId: string, stage: ScreeningStage, createdBy = "homeward"): Promise<string> {
  const open = await queue.list(projectId, { kind: RANKING, limit: 20 });
  const waiting = open.items.find((j) => j.state === "queued" && (j.payload as RankingPayload).stage === stage);
  if (waiting) return waiting.id;
  const payload: RankingPayload = { stage };
  return (await queue.enqueue({ kind: RANKING, projectId, payload, createdBy, maxAttempts: 3 })).id;
}
