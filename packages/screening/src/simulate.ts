import { ScreeningInputError } from "./errors.js";
import { orderMetrics, type OrderMetrics } from "./metrics.js";
import { featureOptions, Learner, screeningModel, type ScreeningModelSpec } from "./models.js";
import { Ranker, type RankerOptions } from "./ranker.js";
import { tfidf, type FeatureOptions, type SparseMatrix } from "./text.js";

export interface SimulationOptions {
  seed?: number;
  /**
   * The model, by name or spec (models.ts); default `DEFAULT_SCREENING_MODEL`.
   * `ranker`, `features` and `schedule` below override parts of it for
   * experiments (a `ranker` replaces its balancer and classifier).
   */
  model?: string | ScreeningModelSpec;
  schedule?: RetrainSchedule;
  ranker?: RankerOptions;
  features?: FeatureOptions;
  /** Called at every fit with the number of records screened so far (for a progress bar). */
  onProgress?: (screened: number) => void;
}

/** From how many decisions on a ranking was served by what (a new entry only when that changes). */
export interface ServedRun {
  labelled: number;
  servedBy: string;
}

export interface Simulation {
  /** Every row index exactly once, in the order screened, starting with the priors. */
  order: number[];
  metrics: OrderMetrics;
  model: string;
  /** Number of fits (rankings) the simulation made. */
  fits: number;
  servedBy: ServedRun[];
}

/** What the simulation needs of a model: `Learner`, or a bare `Ranker` for experiments. */
interface Scorer {
  fit(X: SparseMatrix, rows: Int32Array, labels: Uint8Array): void;
  score(X: SparseMatrix, rows: ArrayLike<number>, out?: Float64Array): Float64Array;
  observe(row: number, relevant: boolean): void;
  servedBy(): string;
}

function scorerOf(spec: ScreeningModelSpec, options: SimulationOptions): Scorer {
  const seed = options.seed ?? 0;
  if (!options.ranker) return new Learner(spec, seed);
  const ranker = new Ranker(options.ranker, seed);
  return {
    fit: (X, rows, labels) => ranker.fit(X, rows, labels),
    score: (X, rows, out) => ranker.score(X, rows, out),
    observe: (row, relevant) => ranker.observe(row, relevant),
    servedBy: () => `${spec.name}, ranker overridden (member ${ranker.activeMember})`,
  };
}

/**
 * Replays prioritised screening on a labelled set: the priors are screened
 * first, then the model is retrained on its schedule (after every decision for
 * the ASReview replicas) and the top-ranked unscreened record is screened next
 * (ties go to the lower row index).
 *
 * Once every relevant record has been found no later decision can change any
 * metric, so the remaining records follow the last model's ranking instead of
 * retraining each time.
 */
export function simulate(texts: readonly string[], labels: ArrayLike<number>, priors: readonly number[], options: SimulationOptions = {}): Simulation {
  if (texts.length !== labels.length) throw new ScreeningInputError(`${texts.length} texts but ${labels.length} labels`);
  const spec = typeof options.model === "object" ? options.model : screeningModel(options.model);
  const X = tfidf(texts, options.features ?? featureOptions(spec.features));
  const servedBy: ServedRun[] = [];
  let fits = 0;
  const order = simulateOrder(X, labels, priors, { ...options, model: spec }, (labelled, by) => {
    fits++;
    options.onProgress?.(labelled);
    if (servedBy.length === 0 || servedBy[servedBy.length - 1].servedBy !== by) servedBy.push({ labelled, servedBy: by });
  });
  return { order, metrics: orderMetrics(order, labels), model: spec.name, fits, servedBy };
}

export function simulateOrder(
  X: SparseMatrix,
  labels: ArrayLike<number>,
  priors: readonly number[],
  options: SimulationOptions = {},
  onFit?: (labelled: number, servedBy: string) => void,
): number[] {
  const n = X.rows;
  const y = new Uint8Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (v !== 0 && v !== 1) throw new ScreeningInputError(`label of row ${i} is ${v}; labels must be 0 or 1`);
    y[i] = v;
    total += v;
  }
  checkPriors(priors, y);
  const spec = typeof options.model === "object" ? options.model : screeningModel(options.model);
  const ranker = scorerOf(spec, options);
  const order: number[] = [];
  const seen = new Uint8Array(n);
  const labelledRows = new Int32Array(n);
  const labelledY = new Uint8Array(n);
  let found = 0;
  const screen = (i: number) => {
    labelledRows[order.length] = i;
    labelledY[order.length] = y[i];
    order.push(i);
    seen[i] = 1;
    found += y[i];
  };
  for (const p of priors) screen(p);
  const pool = new Int32Array(n);
  let poolSize = n - order.length;
  const scores = new Float64Array(n);
  const schedule = { ...DEFAULT_SCHEDULE, ...spec.retrain, ...options.schedule };
  // The best records by the last model, best first: as many as are served
  // before the next retrain is due, so no full sort is needed per retrain.
  let queue: Int32Array = new Int32Array(0);
  let head = 0;
  let fitPool = 0;
  let sinceFit = Infinity;
  let relevantSinceFit = false;
  const fit = () => {
    for (let i = 0, k = 0; i < n; i++) if (!seen[i]) pool[k++] = i;
    fitPool = poolSize;
    ranker.fit(X, labelledRows.subarray(0, order.length), labelledY.subarray(0, order.length));
    ranker.score(X, pool.subarray(0, poolSize), scores);
    onFit?.(order.length, ranker.servedBy());
    sinceFit = 0;
    relevantSinceFit = false;
    head = 0;
  };
  while (found < total && poolSize > 0) {
    if (retrainDue(schedule, order.length, sinceFit, relevantSinceFit) || head >= queue.length) {
      fit();
      queue = topRanked(pool.subarray(0, poolSize), scores.subarray(0, poolSize), servedBeforeRetrain(schedule, order.length, poolSize));
    }
    const next = queue[head++];
    screen(next);
    ranker.observe(next, y[next] === 1);
    sinceFit++;
    if (y[next]) relevantSinceFit = true;
    poolSize--;
  }
  if (poolSize > 0) {
    // The priors held every relevant record: one ranking orders the rest.
    if (!Number.isFinite(sinceFit)) fit();
    // Otherwise the rest follows the last model's ranking.
    const rest = rankDescending(pool.subarray(0, fitPool), scores.subarray(0, fitPool));
    for (const r of rest) if (!seen[r]) screen(r);
  }
  return order;
}

/**
 * How many records are served from one ranking when none of them is relevant:
 * the least s ≥ 1 at which `retrainDue` holds with s new decisions.
 */
function servedBeforeRetrain(schedule: Required<RetrainSchedule>, labelled: number, pool: number): number {
  let s = 1;
  while (s < pool && s < Math.floor(schedule.fraction * (labelled + s))) s++;
  return s;
}

function checkPriors(priors: readonly number[], y: Uint8Array): void {
  const n = y.length;
  for (const p of priors) {
    if (!Number.isInteger(p) || p < 0 || p >= n) throw new ScreeningInputError(`prior ${p} is not a row index in 0..${n - 1}`);
  }
  if (new Set(priors).size !== priors.length) throw new ScreeningInputError("the priors must be distinct rows");
  const rel = priors.filter((p) => y[p] === 1).length;
  if (rel === 0 || rel === priors.length) {
    throw new ScreeningInputError("the priors must include at least one relevant and one irrelevant record");
  }
}

/**
 * When to retrain. After a relevant decision the ranking can change a lot, so
 * the model is retrained at once; an irrelevant decision moves it little, so
 * retraining waits until `fraction` of the labelled set is new (at least one
 * record). `fraction: 0` retrains after every decision.
 */
export interface RetrainSchedule {
  fraction?: number;
}

export const DEFAULT_SCHEDULE: Required<RetrainSchedule> = { fraction: 0.02 };

export function retrainDue(schedule: Required<RetrainSchedule>, labelled: number, sinceFit: number, relevantSinceFit: boolean): boolean {
  if (sinceFit === 0) return false;
  return relevantSinceFit || sinceFit >= Math.max(1, Math.floor(schedule.fraction * labelled));
}

/**
 * The k best rows by descending score, best first, ties to the lower row
 * index (the same order as the head of `rankDescending`): a bounded heap whose
 * root is the worst kept row, O(n log k).
 */
export function topRanked(rows: ArrayLike<number>, scores: ArrayLike<number>, k: number): Int32Array {
  const n = rows.length;
  k = Math.min(k, n);
  const worse = (a: number, b: number) => scores[a] < scores[b] || (scores[a] === scores[b] && rows[a] > rows[b]);
  const heap = new Int32Array(k);
  let size = 0;
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const c = l + 1 < size && worse(heap[l + 1], heap[l]) ? l + 1 : l;
      if (!worse(heap[c], heap[i])) return;
      const t = heap[c];
      heap[c] = heap[i];
      heap[i] = t;
      i = c;
    }
  };
  for (let j = 0; j < n; j++) {
    if (size < k) {
      let i = size++;
      heap[i] = j;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(heap[i], heap[p])) break;
        const t = heap[p];
        heap[p] = heap[i];
        heap[i] = t;
        i = p;
      }
    } else if (k > 0 && worse(heap[0], j)) {
      heap[0] = j;
      down(0);
    }
  }
  const best = Array.from(heap).sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  return Int32Array.from(best, (j) => rows[j]);
}

/**
 * Rows sorted by descending score; ties go to the lower row index. The keys
 * are sorted by the engine's native numeric sort, and each row is then put
 * at the first free place of its key (found by binary search), taking rows
 * in ascending order: the order of a comparison sort on (−score, row), at
 * native speed (100,000 rows in a few milliseconds).
 */
export function rankDescending(rows: ArrayLike<number>, scores: ArrayLike<number>): Int32Array {
  const n = rows.length;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) keys[k] = -scores[k];
  const sorted = keys.slice().sort();
  const placed = new Int32Array(n);
  const out = new Int32Array(n);
  // Rows ascending, so equal keys keep ascending rows.
  const byRow = new Int32Array(n);
  for (let k = 0; k < n; k++) byRow[k] = k;
  let ascending = true;
  for (let k = 1; k < n && ascending; k++) if (rows[k - 1] > rows[k]) ascending = false;
  if (!ascending) byRow.sort((a, b) => rows[a] - rows[b]);
  for (let j = 0; j < n; j++) {
    const k = byRow[j];
    const key = keys[k];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    out[lo + placed[lo]++] = rows[k];
  }
  return out;
}
