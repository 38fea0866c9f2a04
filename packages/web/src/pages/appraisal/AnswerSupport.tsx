/** A signalling question's supporting quote and comment, as the assessor gives them. */
export interface Support {
  quote: string;
  comment: string;
}

/**
 * The quote and comment of one answer, collapsed by default so the form
 * stays a list of questions; the summary says when either is given, so a
 * collapsed entry is never mistaken for an empty one. A native disclosure,
 * so it opens with Enter or Space and the fields follow in tab order.
 */
export function AnswerSupportFields({ questionId, idPrefix, value, onChange }: {
  questionId: string;
  idPrefix: string;
  value: Support | undefined;
  onChange: (s: Support) => void;
}) {
  const id = `${idPrefix}-support-${questionId}`;
  const quote = value?.quote ?? "";
  const comment = value?.comment ?? "";
  const given = [quote.trim() ? "quote" : "", comment.trim() ? "comment" : ""].filter(Boolean);
  return (
    <details className="answer-support" data-support={questionId}>
      <summary>
        Quote and comment for {questionId}
        {given.length ? <span className="muted"> ({given.join(" and ")} given)</span> : null}
      </summary>
      <div className="stack">
        <label htmlFor={`${id}-quote`}>Supporting quote for {questionId}</label>
        <textarea id={`${id}-quote`} rows={2} value={quote} onChange={(e) => onChange({ quote: e.target.value, comment })} />
        <label htmlFor={`${id}-comment`}>Comment on {questionId}</label>
        <textarea id={`${id}-comment`} rows={2} value={comment} onChange={(e) => onChange({ quote, comment: e.target.value })} />
      </div>
    </details>
  );
}
