/**
 * Reading and writing signalling-question answers that may carry a
 * supporting quote and a comment. Plain answers stay plain strings, so
 * appraisals without support read and export exactly as before.
 */
import type { AppraisalAnswer } from "./entities.js";

export interface AnswerSupport {
  quote: string;
  comment: string;
}

/** The answer itself ("Y", "PN", …), whichever form it is stored in. */
export const answerOf = (a: AppraisalAnswer): string => (typeof a === "string" ? a : a.answer);

/** The quote and comment of an answer; null when it has neither. */
export function supportOf(a: AppraisalAnswer): AnswerSupport | null {
  if (typeof a === "string") return null;
  const quote = a.quote ?? "", comment = a.comment ?? "";
  return quote === "" && comment === "" ? null : { quote, comment };
}

/** The stored form: a plain string unless a quote or comment is given. */
export function storedAnswer(answer: string, support?: Partial<AnswerSupport> | null): AppraisalAnswer {
  const quote = support?.quote?.trim() ?? "", comment = support?.comment?.trim() ?? "";
  return quote === "" && comment === "" ? answer : { answer, quote, comment };
}

/** Plain answers and, separately, the support of those that have it, from one domain's stored answers. */
export function splitAnswers(answers: Record<string, AppraisalAnswer>): { answers: Record<string, string>; support: Record<string, AnswerSupport> } {
  const plain: Record<string, string> = {};
  const support: Record<string, AnswerSupport> = {};
  for (const [q, a] of Object.entries(answers)) {
    plain[q] = answerOf(a);
    const s = supportOf(a);
    if (s) support[q] = s;
  }
  return { answers: plain, support };
}
