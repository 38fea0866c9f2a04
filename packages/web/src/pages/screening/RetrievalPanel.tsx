import { useEffect, useState, type FormEvent } from "react";
import { errorMessage } from "../../api";
import { ErrorMessage, LiveStatus } from "../../components/Status";
import { formatCount, formatDateTime } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { screeningApi, type Retrieval, type RetrievalStatus } from "./screeningApi";

const STATUS_LABEL: Record<RetrievalStatus, string> = {
  sought: "Sought",
  retrieved: "Retrieved",
  not_retrieved: "Not retrieved",
  author_contacted: "Author contacted",
};
const STATUSES = Object.keys(STATUS_LABEL) as RetrievalStatus[];

/** SHA-256 of the file as hex, when the browser offers it (secure contexts only). */
async function sha256(file: File): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const formatSize = (n: number | null) => (n == null ? "" : n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} kB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

/**
 * Full-text retrieval for the record being screened (sought, retrieved, not
 * retrieved, author contacted, attached file), with the project's totals.
 * The file's name, type, size and SHA-256 are recorded; the file itself stays
 * where the team keeps full texts.
 */
export function RetrievalPanel({ recordId }: { recordId: string }) {
  const { id } = useProject();
  const all = useApi((s) => screeningApi.retrievals(id, s), [id]);
  const current = all.data?.filter((r) => r.recordId === recordId).at(-1);
  const [status, setStatus] = useState<RetrievalStatus>("sought");
  const [note, setNote] = useState("");
  const [file, setFile] = useState<Retrieval["file"] | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState("");
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    setStatus(current?.status ?? "sought");
    setNote(current?.note ?? "");
    setFile(undefined);
  }, [current?.id, current?.updatedAt]);

  const pick = async (f: File | undefined) => {
    if (!f) return setFile(undefined);
    try {
      setFile({ name: f.name, mediaType: f.type || null, size: f.size, sha256: await sha256(f) });
      setStatus("retrieved");
    } catch (err) {
      setError(err);
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const detach = status === "not_retrieved" && current?.file ? null : undefined;
      const r = await screeningApi.saveRetrieval(id, recordId, { status, note: note.trim() || null, file: file ?? detach });
      setSaved(`Full text ${STATUS_LABEL[r.status].toLowerCase()}${r.file ? `, file ${r.file.name} attached` : ""}.`);
      all.reload();
    } catch (err) {
      setError(new Error(errorMessage(err)));
    } finally {
      setSaving(false);
    }
  };

  const counts = new Map<string, number>();
  for (const r of all.data ?? []) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const withFile = (all.data ?? []).filter((r) => r.file).length;

  return (
    <section aria-labelledby="retrieval-heading" className="card stack retrieval">
      <h2 id="retrieval-heading">Full-text retrieval</h2>
      <p className="small muted">
        Project totals: {STATUSES.map((s) => `${STATUS_LABEL[s].toLowerCase()} ${formatCount(counts.get(s) ?? 0)}`).join(" · ")} · file attached{" "}
        {formatCount(withFile)}
      </p>
      {current ? (
        <p>
          Now: <strong>{STATUS_LABEL[current.status]}</strong>
          {current.file ? (
            <>
              {" "}
              · file <strong>{current.file.name}</strong> {formatSize(current.file.size)}
              {current.file.sha256 ? <span className="small muted"> (SHA-256 {current.file.sha256.slice(0, 12)}…)</span> : null}
            </>
          ) : null}{" "}
          <span className="small muted">
            — {current.updatedBy}, {formatDateTime(current.updatedAt)}
          </span>
        </p>
      ) : (
        <p className="muted">Not yet sought.</p>
      )}
      <form className="stack" onSubmit={save}>
        <fieldset className="row">
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s} className="check">
              <input type="radio" name={`retrieval-${recordId}`} value={s} checked={status === s} onChange={() => setStatus(s)} />
              {STATUS_LABEL[s]}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="retrieval-file">Attach the full text</label>
          <input id="retrieval-file" type="file" onChange={(e) => void pick(e.target.files?.[0])} aria-describedby="retrieval-file-hint" />
          <span id="retrieval-file-hint" className="hint">
            Its name, size and SHA-256 checksum are recorded, so the copy used can be identified later.
          </span>
        </div>
        <div className="field">
          <label htmlFor="retrieval-note">Retrieval note</label>
          <input id="retrieval-note" value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <div className="row">
          <button type="submit" disabled={saving}>
            Save retrieval status
          </button>
        </div>
      </form>
      <ErrorMessage error={error ?? all.error} />
      <LiveStatus>{saved}</LiveStatus>
    </section>
  );
}
