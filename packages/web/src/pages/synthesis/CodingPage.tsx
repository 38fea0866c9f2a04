import { useMemo, useState, type FormEvent } from "react";
import { fullTextRoutes, synthesisRoutes as r } from "@homeward/api";
import type { Entity } from "@homeward/model";
import { call, callFile } from "../../api";
import { Field } from "../../components/Field";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { PdfViewer } from "../extraction/PdfViewer";
import { ChainNav, create, studyLabel, useCan, useCollection } from "./shared";
import "./synthesis.css";

type Code = Entity<"synthesisCodes">;

/** Framework coding: the codes (a framework's and the team's own, with their history), coding an excerpt, and the codes × studies matrix. */
export function CodingPage() {
  const { id } = useProject();
  const can = useCan("reviewer");
  const coding = useApi((s) => call(r.coding, { params: { id } }, s), [id]);
  const studies = useCollection(id, "studies");
  const transcripts = useCollection(id, "transcripts");
  const excerpts = useCollection(id, "codedExcerpts", [coding.data]);
  const [said, setSaid] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [cell, setCell] = useState<{ code: string; column: string } | null>(null);

  const run = async (what: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await what();
      setSaid(done);
      coding.reload();
    } catch (e) {
      setError(e);
    }
  };
  const codes = coding.data?.codes ?? [];
  const active = codes.filter((c) => c.status === "active");
  const m = coding.data?.matrix;
  const cellExcerpts = cell && m ? (m.cells[cell.code]?.[cell.column]?.excerptIds ?? []).map((x) => excerpts.data?.find((e) => e.id === x)).filter((e): e is Entity<"codedExcerpts"> => !!e) : [];
  const codeLabel = (cid: string) => codes.find((c) => c.id === cid)?.label ?? cid;

  return (
    <>
      <PageTitle>Framework coding</PageTitle>
      <ChainNav here="coding" />
      <ErrorMessage error={coding.error ?? error} />
      {said ? <LiveStatus>{said}</LiveStatus> : null}
      {coding.loading && !coding.data ? <Loading what="codes" /> : null}
      {coding.data ? (
        <div className="synthesis-columns">
          <section className="stack card" aria-labelledby="codes-h">
            <h2 id="codes-h">Codes</h2>
            {can ? (
              <div className="row">
                {coding.data.frameworks.map((f) => (
                  <button key={f.id} type="button" className="button button-secondary" onClick={() => void run(() => call(r.addFramework, { params: { id, framework: f.id } }), `Added the codes of ${f.label}.`)}>
                    Add {f.label}
                  </button>
                ))}
              </div>
            ) : null}
            {can ? <NewCode onAdd={(label) => run(() => call(r.addCode, { params: { id }, body: { label, description: "" } }), `Added the code “${label}”.`)} /> : null}
            {codes.length === 0 ? <p className="empty">No codes yet: add a framework's codes or one of your own.</p> : null}
            <ul className="stack synthesis-codes">
              {codes.map((c) => (
                <CodeItem key={c.id} code={c} codes={active} can={can} label={codeLabel} run={run} />
              ))}
            </ul>
          </section>
          {can ? (
            <ExcerptForm
              codes={active}
              studies={studies.data ?? []}
              transcripts={transcripts.data ?? []}
              onSaved={(n) => {
                setSaid(n);
                coding.reload();
              }}
            />
          ) : null}
        </div>
      ) : null}
      {m ? (
        <section className="stack" aria-labelledby="matrix-h">
          <h2 id="matrix-h">Coding matrix</h2>
          {m.columns.length === 0 ? (
            <p className="empty">No excerpt coded yet.</p>
          ) : (
            <div className="table-wrap" role="region" aria-labelledby="matrix-caption" tabIndex={0}>
              <table className="data-table synthesis-matrix">
                <caption id="matrix-caption">Codes × studies: excerpts coded ({plural(m.columns.length, "source")})</caption>
                <thead>
                  <tr>
                    <th scope="col">Code</th>
                    {m.columns.map((c) => (
                      <th key={c.id} scope="col">
                        {c.label}
                      </th>
                    ))}
                    <th scope="col">Total</th>
                  </tr>
                </thead>
                <tbody>
                  {m.codes.map((c) => (
                    <tr key={c.id}>
                      <th scope="row">{c.label}</th>
                      {m.columns.map((col) => {
                        const n = m.cells[c.id]?.[col.id]?.count ?? 0;
                        return (
                          <td key={col.id} className="num">
                            {n ? (
                              <button type="button" className="button-link" aria-pressed={cell?.code === c.id && cell.column === col.id} aria-label={`${n} ${n === 1 ? "excerpt" : "excerpts"}: ${c.label}, ${col.label}`} onClick={() => setCell({ code: c.id, column: col.id })}>
                                {n}
                              </button>
                            ) : (
                              ""
                            )}
                          </td>
                        );
                      })}
                      <td className="num">{c.total}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {cell ? (
            <section className="card stack" aria-labelledby="cell-h">
              <h3 id="cell-h">
                {codeLabel(cell.code)} in {m.columns.find((c) => c.id === cell.column)?.label}
              </h3>
              <ul className="stack">
                {cellExcerpts.map((e) => (
                  <li key={e.id}>
                    <blockquote className="synthesis-quote">{e.text}</blockquote>
                    <p className="small muted">
                      {e.page ? `Page ${e.page}. ` : ""}Coded by {e.codedBy}: {e.codeIds.map(codeLabel).join(", ")}
                    </p>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

function NewCode({ onAdd }: { onAdd: (label: string) => Promise<void> }) {
  const [label, setLabel] = useState("");
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (label.trim()) void onAdd(label.trim()).then(() => setLabel(""));
      }}
    >
      <Field id="new-code" label="New code (added while coding)">
        <input id="new-code" value={label} onChange={(e) => setLabel(e.target.value)} />
      </Field>
      <button type="submit" className="button">
        Add code
      </button>
    </form>
  );
}

function CodeItem({ code, codes, can, label, run }: { code: Code; codes: Code[]; can: boolean; label: (id: string) => string; run: (f: () => Promise<unknown>, said: string) => Promise<void> }) {
  const { id } = useProject();
  const [rename, setRename] = useState(code.label);
  const [into, setInto] = useState("");
  const [parts, setParts] = useState("");
  const gone = code.status !== "active";
  return (
    <li className={gone ? "muted" : undefined}>
      <strong>{code.label}</strong> <span className="small muted">({code.framework === "inductive" ? "inductive" : code.framework})</span>
      {gone ? (
        <span className="small">
          {" "}
          — {code.status} into {code.successorIds.map(label).join(", ")}
        </span>
      ) : null}
      <details>
        <summary>
          History{can && !gone ? ", rename, merge or split" : ""}
        </summary>
        <ol className="small">
          {code.history.map((h, i) => (
            <li key={i}>
              {h.action.replace("_", " ")}
              {h.detail ? `: ${h.detail}` : ""} ({h.by}, {h.at.slice(0, 10)})
            </li>
          ))}
        </ol>
        {can && !gone ? (
          <div className="stack">
            <form className="row" onSubmit={(e) => (e.preventDefault(), void run(() => call(r.renameCode, { params: { id, codeId: code.id }, body: { label: rename } }), `Renamed to “${rename}”.`))}>
              <Field id={`rename-${code.id}`} label={`New name for ${code.label}`}>
                <input id={`rename-${code.id}`} value={rename} onChange={(e) => setRename(e.target.value)} />
              </Field>
              <button type="submit" className="button button-secondary">
                Rename
              </button>
            </form>
            <form className="row" onSubmit={(e) => (e.preventDefault(), into && void run(() => call(r.mergeCodes, { params: { id }, body: { fromIds: [code.id], intoId: into } }), `Merged “${code.label}” into “${label(into)}”.`))}>
              <Field id={`merge-${code.id}`} label={`Merge ${code.label} into`}>
                <select id={`merge-${code.id}`} value={into} onChange={(e) => setInto(e.target.value)}>
                  <option value="">Choose a code…</option>
                  {codes
                    .filter((c) => c.id !== code.id)
                    .map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.label}
                      </option>
                    ))}
                </select>
              </Field>
              <button type="submit" className="button button-secondary">
                Merge
              </button>
            </form>
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault();
                const labels = parts.split("\n").map((x) => x.trim()).filter(Boolean);
                void run(() => call(r.splitCode, { params: { id, codeId: code.id }, body: { parts: labels.map((l) => ({ label: l })), assign: {} } }), `Split “${code.label}” into ${labels.join(", ")}.`);
              }}
            >
              <Field id={`split-${code.id}`} label={`Split ${code.label} into (one new code a line)`} hint="Its excerpts get every new code; recode them in the matrix.">
                <textarea id={`split-${code.id}`} rows={2} value={parts} onChange={(e) => setParts(e.target.value)} aria-describedby={`split-${code.id}-hint`} />
              </Field>
              <button type="submit" className="button button-secondary">
                Split
              </button>
            </form>
          </div>
        ) : null}
      </details>
    </li>
  );
}

/** Codes a passage of a study's report (typed with its page, or selected in the full-text viewer) or of a transcript. */
function ExcerptForm({ codes, studies, transcripts, onSaved }: { codes: Code[]; studies: Entity<"studies">[]; transcripts: Entity<"transcripts">[]; onSaved: (said: string) => void }) {
  const { id } = useProject();
  const [source, setSource] = useState("");
  const [recordId, setRecordId] = useState("");
  const [page, setPage] = useState("");
  const [text, setText] = useState("");
  const [codeIds, setCodeIds] = useState<string[]>([]);
  const [fromViewer, setFromViewer] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [viewing, setViewing] = useState<{ label: string; data: ArrayBuffer } | null>(null);
  const isTranscript = source.startsWith("t:");
  const studyId = source.startsWith("s:") ? source.slice(2) : "";
  const reports = useCollection(id, "studyReports");
  const retrievals = useApi((s) => call(fullTextRoutes.list, { params: { id } }, s), [id]);
  const pdfs = useMemo(() => new Set((retrievals.data ?? []).filter((x) => x.file?.sha256 && x.file.mediaType === "application/pdf").map((x) => x.recordId)), [retrievals.data]);
  const mine = (reports.data ?? []).filter((x) => x.studyId === studyId && x.recordId);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const body: Record<string, unknown> = { text, codeIds, page: page ? Number(page) : null, source: isTranscript ? "transcript" : fromViewer ? "viewer" : "typed" };
      if (isTranscript) body.transcriptId = source.slice(2);
      else body.studyId = studyId || null;
      if (recordId) body.recordId = recordId;
      await create(id, "codedExcerpts", body);
      setText("");
      setPage("");
      setFromViewer(false);
      onSaved(`Excerpt coded (${codeIds.length} ${codeIds.length === 1 ? "code" : "codes"}).`);
    } catch (err) {
      setError(err);
    }
  };
  const openPdf = async (rid: string) => {
    setError(null);
    try {
      const blob = await callFile(fullTextRoutes.downloadFile, { params: { id, recordId: rid } });
      setRecordId(rid);
      setViewing({ label: studies.find((s) => s.id === studyId)?.name ?? rid, data: await blob.arrayBuffer() });
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="stack card" aria-labelledby="excerpt-h">
      <h2 id="excerpt-h">Code an excerpt</h2>
      <form className="stack" onSubmit={save} aria-labelledby="excerpt-h">
        <Field id="excerpt-source" label="Study or transcript">
          <select id="excerpt-source" value={source} onChange={(e) => (setSource(e.target.value), setRecordId(""))} required>
            <option value="">Choose…</option>
            <optgroup label="Studies">
              {studies.map((s) => (
                <option key={s.id} value={`s:${s.id}`}>
                  {studyLabel(s)}
                </option>
              ))}
            </optgroup>
            {transcripts.length ? (
              <optgroup label="Transcripts">
                {transcripts.map((t) => (
                  <option key={t.id} value={`t:${t.id}`}>
                    {t.label}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </Field>
        {studyId && mine.length ? (
          <Field id="excerpt-report" label="Report">
            <select id="excerpt-report" value={recordId} onChange={(e) => setRecordId(e.target.value)}>
              <option value="">Not said</option>
              {mine.map((x) => (
                <option key={x.id} value={x.recordId!}>
                  {x.role === "lead" ? "Lead report" : "Linked report"} {x.citation ?? x.recordId}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        {mine.filter((x) => pdfs.has(x.recordId!)).map((x) => (
          <button key={x.id} type="button" className="button button-secondary" onClick={() => void openPdf(x.recordId!)}>
            Open the PDF of {x.role === "lead" ? "the lead report" : "a linked report"}
          </button>
        ))}
        <Field id="excerpt-page" label="Page">
          <input id="excerpt-page" type="number" min={1} inputMode="numeric" value={page} onChange={(e) => setPage(e.target.value)} />
        </Field>
        <Field id="excerpt-text" label="Excerpt" hint={fromViewer ? "Taken from the full-text viewer." : "Type or paste the passage, or select it in the PDF and choose “Use as quote”."}>
          <textarea id="excerpt-text" rows={4} value={text} onChange={(e) => (setText(e.target.value), setFromViewer(false))} required aria-describedby="excerpt-text-hint" />
        </Field>
        <fieldset>
          <legend>Codes</legend>
          {codes.length === 0 ? <p className="hint">Add codes first.</p> : null}
          {codes.map((c) => (
            <label key={c.id} className="synthesis-check">
              <input type="checkbox" checked={codeIds.includes(c.id)} onChange={(e) => setCodeIds(e.target.checked ? [...codeIds, c.id] : codeIds.filter((x) => x !== c.id))} /> {c.label}
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={error} />
        <button type="submit" className="button">
          Save excerpt
        </button>
      </form>
      {viewing ? (
        <PdfViewer
          data={viewing.data}
          label={viewing.label}
          target="the excerpt"
          onQuote={(quote, p) => {
            setText(quote);
            setPage(String(p));
            setFromViewer(true);
          }}
          onClose={() => setViewing(null)}
        />
      ) : null}
    </section>
  );
}
