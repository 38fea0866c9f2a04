import type { QaSample } from "@homeward/model";
import { agreement } from "../agreement.js";
import type { Verdict } from "../workflow.js";
import { agreementFigures, type QaItem, type QaSampleView } from "./answers.js";
import { CATEGORIES } from "./stage.js";

/** A record as the checker reads it. */
export interface RecordText {
  title: string;
  abstract?: string | null;
}

/** A decision as the QA review reads it. */
export interface TimedDecision {
  reviewer: string;
  verdict: Verdict;
  reasons: readonly string[];
  at: string;
}

/**
 * A QA sample with, per record, the decision that put it in the sample and
 * the senior re-check: the original is the latest decision made before the
 * sample was drawn; the check is the latest later decision by the named
 * checker (by anyone but the original reviewer when none is named). A
 * re-check is an ordinary decision, so a disagreeing one makes the record a
 * conflict like any other.
 *
 * @param decisionsOf a record's decisions in the sample's stage, in time order
 * @param textOf what the checker reads of a record: its title and abstract
 *   (a title alone, as a string, when that is all there is)
 */
export function qaReview(sample: QaSample, decisionsOf: (recordId: string) => readonly TimedDecision[], textOf: (recordId: string) => RecordText | string): QaSampleView {
  const items = sample.recordIds.map((recordId): QaItem => {
    const ds = decisionsOf(recordId);
    let o: TimedDecision | undefined;
    for (const d of ds) if (d.at < sample.createdAt) o = d;
    let c: TimedDecision | undefined;
    for (const d of ds) {
      if (d.at >= sample.createdAt && d.reviewer !== o?.reviewer && (sample.checker === null || d.reviewer === sample.checker)) c = d;
    }
    const text = textOf(recordId);
    return {
      recordId,
      title: typeof text === "string" ? text : text.title,
      abstract: typeof text === "string" ? null : (text.abstract ?? null),
      original: o ? { reviewer: o.reviewer, decision: o.verdict, reasons: [...o.reasons] } : null,
      check: c ? { reviewer: c.reviewer, decision: c.verdict, reasons: [...c.reasons], at: c.at } : null,
    };
  });
  const done = items.filter((it) => it.original && it.check);
  return {
    ...sample,
    items,
    checked: done.length,
    agreement: done.length
      ? agreementFigures(agreement(done.map((it) => it.original!.decision), done.map((it) => it.check!.decision), { categories: CATEGORIES }))
      : null,
  };
}
