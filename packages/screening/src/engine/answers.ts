import type { BibRecord, FullTextRetrieval, QaSample, Reconciliation, ScreeningDecision, ScreeningSettings, ScreeningStage } from "@homeward/model";
import type { Agreement } from "../agreement.js";
import type { StoppingEstimate } from "../stopping.js";
import type { AssignmentMode, Decision, Verdict } from "../workflow.js";

/**
 * The answers of the screening routes, as the server sends them and the web
 * app reads them (type-only imports, so nothing of this package reaches the
 * browser). Numbers a computation can leave undefined (NaN) are null here,
 * as JSON carries them.
 */

export interface StageCounts {
  unscreened: number;
  awaiting_second: number;
  decided: number;
  conflict: number;
  reconciled: number;
  include: number;
  exclude: number;
  maybe: number;
}

/** One reviewer's current decision on a record. */
export type ReviewerDecision = Decision;

export interface NextAnswer {
  record: BibRecord | null;
  /** True when the queue is ordered by the model (false before it has been trained, or when prioritisation is off). */
  prioritised: boolean;
  awaitingSecond: number;
  /** Records the acting reviewer can still screen in this stage. */
  remaining: number;
}

export interface ConflictView {
  recordId: string;
  title: string;
  decisions: ReviewerDecision[];
}

/** How current the ranking is: the decisions it learned from and what its retrain took. */
export interface PrioritisationStatus {
  ranked: boolean;
  /** A retrain was asked for and its ranking has not arrived yet. */
  retraining: boolean;
  /** The version of the ranking served (0: none yet). */
  rankings: number;
  /** Records labelled when the served ranking was trained. */
  labelled: number;
  retrainMs: number | null;
  /** The named model that made the served ranking, and its serving part (null before one). */
  model?: string | null;
  servedBy?: string | null;
}

/** The acting user at a stage: whether they may be served records, and how many are left for them. */
export interface ScreenerView {
  user: string;
  allowed: boolean;
  /** Why not, in one line, when not allowed. */
  refusal: string | null;
  /** Records the user can still screen in this stage. */
  remaining: number;
}

export interface StatusAnswer {
  stage: ScreeningStage;
  /** The acting user (the request's); records are served only on asking (…/next), never by this answer. */
  you: ScreenerView;
  mode: AssignmentMode;
  records: number;
  counts: StageCounts;
  conflicts: ConflictView[];
  prioritisation: PrioritisationStatus;
}

export interface DecisionAnswer {
  /** One per member of the record's duplicate group. */
  decisions: ScreeningDecision[];
  /** The exclusion reason recorded (the protocol's highest-ranked of those given), null without one. */
  recordedReason: string | null;
}

export type ReconciliationAnswer = Reconciliation[];

/** `Agreement` as sent: kappa, its SE and CI and AC1 are null where undefined (one category used). */
export interface AgreementFigures {
  n: number;
  categories: string[];
  table: number[][];
  percent: number;
  kappa: number | null;
  kappaSe: number | null;
  kappaCi: [number | null, number | null];
  ac1: number | null;
  level: number;
}

export type PairAgreement = AgreementFigures & { reviewers: [string, string] };

export interface AgreementAnswer {
  stage: ScreeningStage;
  overall: AgreementFigures | null;
  byPair: PairAgreement[];
}

export type StoppingAnswer = StoppingEstimate;

/** A sampled record: the decision that put it in the sample and the senior re-check, if made. */
export interface QaItem {
  recordId: string;
  title: string;
  /** What the checker re-reads the record by, beside its title (null when it has none). */
  abstract: string | null;
  original: { reviewer: string; decision: Verdict; reasons: string[] } | null;
  check: { reviewer: string; decision: Verdict; reasons: string[]; at: string } | null;
}

export interface QaSampleView extends QaSample {
  items: QaItem[];
  checked: number;
  /** Original decision versus re-check over the checked records; null before any check. */
  agreement: AgreementFigures | null;
}

/** A stage's settings; single screening (`id: null`) until set. */
export type SettingsAnswer =
  | ScreeningSettings
  | { id: null; stage: ScreeningStage; mode: "single"; dualFraction: null; reviewers: string[]; updatedAt: null };

/** The acting reviewer's current decision on a record. */
export interface MyDecision {
  recordId: string;
  title: string;
  decision: Verdict;
  reasons: string[];
  note: string | null;
  labels: string[];
  at: string;
}

export interface MyDecisionsAnswer {
  /** Records the reviewer has decided in the stage. */
  total: number;
  items: MyDecision[];
}

/** Who has decided a record at a stage (names only, so blind dual screening stays blind). */
export interface ReviewersAnswer {
  reviewers: string[];
}

export type RetrievalAnswer = FullTextRetrieval;

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** Agreement figures as sent: NaN (undefined) as null. */
export function agreementFigures(a: Agreement): AgreementFigures {
  return {
    n: a.n,
    categories: a.categories,
    table: a.table,
    percent: a.percent,
    kappa: orNull(a.kappa),
    kappaSe: orNull(a.kappaSe),
    kappaCi: [orNull(a.kappaCi[0]), orNull(a.kappaCi[1])],
    ac1: orNull(a.ac1),
    level: a.level,
  };
}
