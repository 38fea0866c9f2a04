import { useEffect, useRef, useState, type ReactNode } from "react";
import { Protocol, type ProtocolSection } from "@homeward/model";
import { coreRoutes, type ProtocolForEditing } from "@homeward/api";
import { ApiError, call, errorMessage } from "../../api";
import { LiveStatus } from "../../components/Status";

const NOUNS: Record<string, string> = {
  exclusionReasons: "Exclusion reason",
  outcomeDomains: "Outcome domain",
  classifications: "Classification",
  values: "value",
  inclusion: "Inclusion criterion",
  exclusion: "Exclusion criterion",
  ratingScheme: "Rating level",
};

/** Where a protocol issue is, in words: "Exclusion reason 3, rank". */
export function issueText(issue: { path: readonly PropertyKey[]; message: string }): string {
  const parts: string[] = [];
  const path = issue.path.filter((p) => p !== "eligibility");
  for (let i = 0; i < path.length; i++) {
    const p = path[i]!;
    const next = path[i + 1];
    if (typeof p === "string" && typeof next === "number") {
      parts.push(`${NOUNS[p] ?? p} ${next + 1}`);
      i++;
    } else if (typeof p === "string" && i > 0) parts.push(p);
  }
  return parts.length ? `${parts.join(", ")}: ${issue.message}` : issue.message;
}

/**
 * A section of the protocol as it reads, with an Edit button; editing shows
 * the section's form, saved on its own (one audited write) against the
 * version it was opened at. A refused save keeps the edit on screen with
 * the reason in one line; the data rules are the model's, checked here
 * first so most mistakes are caught before a round trip.
 */
export function EditableSection<D>({
  projectId,
  section,
  title,
  intro,
  doc,
  onSaved,
  read,
  toDraft,
  fromDraft,
  check,
  editor,
}: {
  projectId: string;
  section: ProtocolSection;
  title: string;
  intro?: string;
  doc: ProtocolForEditing;
  onSaved: (doc: ProtocolForEditing) => void;
  read: ReactNode;
  toDraft: (p: Protocol) => D;
  fromDraft: (d: D) => unknown;
  /** A mistake the draft's shape would hide once made into the section's value (two lists of one name). */
  check?: (d: D) => string | null;
  editor: (draft: D, set: (d: D) => void) => ReactNode;
}) {
  const [draft, setDraft] = useState<D | null>(null);
  const [opened, setOpened] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState("");
  const editButton = useRef<HTMLButtonElement>(null);
  const errorBox = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [focusAfter, setFocusAfter] = useState<"edit" | "form" | "error" | null>(null);
  const id = `protocol-${section}`;

  useEffect(() => {
    if (focusAfter === "edit") editButton.current?.focus();
    if (focusAfter === "error") errorBox.current?.focus();
    if (focusAfter === "form") (document.querySelector(`#${id}-form input, #${id}-form textarea, #${id}-form select`) as HTMLElement | null)?.focus();
    setFocusAfter(null);
  }, [focusAfter, id]);

  // An edit not yet saved is not lost to a reload or a closed tab without the browser asking first.
  const editing = draft !== null;
  useEffect(() => {
    if (!editing) return;
    const hold = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", hold);
    return () => window.removeEventListener("beforeunload", hold);
  }, [editing]);

  const open = (from: ProtocolForEditing) => {
    setDraft(toDraft(from.protocol));
    setOpened(from.versions[section]);
    setError(null);
    setStale(false);
    setSaid("");
  };

  const save = async () => {
    if (draft === null) return;
    const mistake = check?.(draft) ?? null;
    if (mistake) {
      setError(mistake);
      setFocusAfter("error");
      return;
    }
    const value = fromDraft(draft);
    const parsed = Protocol.safeParse({ ...doc.protocol, [section]: value });
    const issue = parsed.success ? null : parsed.error.issues.find((i) => i.path[0] === section) ?? parsed.error.issues[0]!;
    if (issue) {
      setError(issueText(issue));
      setFocusAfter("error");
      return;
    }
    setBusy(true);
    try {
      const saved = await call(coreRoutes.updateProtocolSection, {
        params: { id: projectId, section },
        body: { value, version: opened, reason: reason.trim() || undefined },
      });
      onSaved(saved);
      setDraft(null);
      setReason("");
      setError(null);
      setSaid(`${title} saved.`);
      setFocusAfter("edit");
    } catch (err) {
      setError(errorMessage(err));
      setStale(err instanceof ApiError && err.status === 409 && /changed since you opened/.test(err.message));
      setFocusAfter("error");
    } finally {
      setBusy(false);
    }
  };

  const startAgain = async () => {
    try {
      const fresh = await call(coreRoutes.getProtocolVersions, { params: { id: projectId } });
      onSaved(fresh);
      open(fresh);
      setSaid(`${title} reloaded as saved; your edit was set aside.`);
      setFocusAfter("form");
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`} className="stack protocol-section" id={id}>
      <div className="row spread">
        <h2 id={`${id}-heading`} ref={heading}>
          {title}
        </h2>
        {draft === null ? (
          <button
            type="button"
            className="button-secondary"
            ref={editButton}
            aria-label={`Edit ${title.toLowerCase()}`}
            onClick={() => {
              open(doc);
              setFocusAfter("form");
            }}
          >
            Edit
          </button>
        ) : null}
      </div>
      {intro ? <p className="muted small">{intro}</p> : null}
      {draft === null ? (
        read
      ) : (
        <form
          id={`${id}-form`}
          className="stack protocol-form"
          noValidate
          aria-label={`Edit ${title.toLowerCase()}`}
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {editor(draft, (d) => setDraft(d))}
          <div className="field wide">
            <label htmlFor={`${id}-reason`}>Why (optional; kept in the audit log)</label>
            <input id={`${id}-reason`} type="text" value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          {error ? (
            <div className="alert alert-error" role="alert" tabIndex={-1} ref={errorBox}>
              <p>
                <strong>Not saved:</strong> {error}
              </p>
              {stale ? (
                <button type="button" className="button-secondary" onClick={() => void startAgain()}>
                  Start again from the saved {title.toLowerCase()}
                </button>
              ) : null}
            </div>
          ) : null}
          <div className="row">
            <button type="submit" className="button" disabled={busy}>
              Save {title.toLowerCase()}
            </button>
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setDraft(null);
                setError(null);
                setSaid(`Changes to the ${title.toLowerCase()} discarded.`);
                setFocusAfter("edit");
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
      {said ? <LiveStatus className="status small">{said}</LiveStatus> : null}
    </section>
  );
}
