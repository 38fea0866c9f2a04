import { Fragment, useCallback, useEffect, useRef, useState } from "react";
import type { ClassificationScheme } from "@homeward/model";
import { extractionRoutes, studiesRoutes, type ExtractionStudySummary } from "@homeward/api";
import { api, call, type StudyView } from "../api";
import { PageTitle } from "../components/PageTitle";
import { ErrorMessage, Loading, LiveStatus } from "../components/Status";
import { plural } from "../format";
import { useApi } from "../hooks";
import { useProject } from "../project";
import { Link } from "../router";
import { IncludesPanel } from "./studies/IncludesPanel";
import { reportText, type Panel } from "./studies/shared";
import "./studies/studies.css";

/** Where a study's extraction stands, in words, with a link to its form. */
function ExtractionStatus(props: { projectId: string; studyId: string; studyName: string; summary: ExtractionStudySummary | undefined; loaded: boolean }) {
  const { summary: e } = props;
  if (!props.loaded) return null;
  const words: string[] = [];
  if (!e || e.extractors.length === 0) words.push("not started");
  else {
    words.push(`${plural(e.extractors.length, "extractor", "extractors")}`);
    if (e.consensus > 0) words.push(`${plural(e.consensus, "consensus value", "consensus values")}`);
    if (e.outcomeData > 0) words.push(e.uncheckedOutcomeData > 0 ? `${e.uncheckedOutcomeData} of ${e.outcomeData} outcome data unchecked` : "outcome data checked");
    if (e.sampled) words.push("in the senior check");
  }
  return (
    <>
      <div>{words.join("; ")}</div>
      <Link to={`/projects/${encodeURIComponent(props.projectId)}/extraction/${encodeURIComponent(props.studyId)}`}>
        Extract<span className="visually-hidden"> {props.studyName}</span>
      </Link>
    </>
  );
}

/**
 * The studies of the review: formed from the reports included at full text
 * (one per record unless the team links them), each with its lead report
 * and its other reports; a report can be linked, made the lead or split
 * off, and two studies merged, each change kept in the audit log.
 */
export function StudiesPage() {
  const { id } = useProject();
  const studies = useApi((s) => api.listStudies(id, s), [id]);
  // Without the protocol the codes still show; with it, labels and the schemes' order.
  const protocol = useApi((s) => api.getProtocol(id, s), [id]);
  const [tick, setTick] = useState(0);
  // Each study's extraction, as the Extraction page counts it (who extracted, consensus, checks); read apart so the list never waits for it.
  const extraction = useApi((s) => call(extractionRoutes.studies, { params: { id } }, s), [id, tick]);
  const extractionOf = new Map((extraction.data?.studies ?? []).map((e) => [e.id, e]));
  const [said, setSaid] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [panel, setPanel] = useState<Panel | null>(null);
  const [focusStudy, setFocusStudy] = useState<string | null>(null);
  const [excluded, setExcluded] = useState<ReadonlySet<string>>(new Set());
  const onExcluded = useCallback((ids: string[]) => setExcluded(new Set(ids)), []);
  const list = studies.data;
  const schemes = schemesShown(protocol.data?.classifications ?? [], list ?? []);

  // A new study appears only once the list is read again: focus waits for its row.
  useEffect(() => {
    if (!focusStudy) return;
    const row = document.getElementById(`study-${focusStudy}`);
    if (!row) return;
    row.focus();
    setFocusStudy(null);
  }, [focusStudy, list]);

  /** After a change: the answer's message, the lists read again, focus on the study it concerns. */
  const changed = (message: string, studyId?: string) => {
    setSaid(message);
    setError(null);
    setPanel(null);
    studies.reload();
    setTick((t) => t + 1);
    if (studyId) setFocusStudy(studyId);
  };

  const act = async (run: () => Promise<{ message: string; studyId?: string }>) => {
    try {
      const { message, studyId } = await run();
      changed(message, studyId);
    } catch (err) {
      setError(err);
    }
  };

  const setLead = (s: StudyView, reportId: string, text: string) =>
    act(async () => {
      await call(studiesRoutes.lead, { params: { id, studyId: s.id }, body: { reportId } });
      return { message: `"${text}" is now the lead report of ${s.name}.`, studyId: s.id };
    });

  return (
    <>
      <PageTitle>Studies</PageTitle>
      <IncludesPanel projectId={id} studies={list ?? []} tick={tick} onChanged={changed} onExcluded={onExcluded} />
      <section aria-labelledby="studies-heading" className="stack">
        <h2 id="studies-heading">Studies</h2>
        <ErrorMessage error={studies.error} />
        <ErrorMessage error={error} />
        {said ? <LiveStatus>{said}</LiveStatus> : null}
        {studies.loading && !list ? <Loading what="studies" /> : null}
        {list ? (
          list.length === 0 ? (
            <p className="empty">No studies yet. Form them from the records included at full text, above.</p>
          ) : (
            <>
              <p className="muted">{plural(list.length, "study", "studies")}</p>
              <div className="table-wrap">
                <table className="data-table studies-table">
                  <caption className="visually-hidden">Studies in this review, each with its reports</caption>
                  <thead>
                    <tr>
                      <th scope="col">Study</th>
                      <th scope="col">Design</th>
                      <th scope="col">Country</th>
                      {schemes.map((c) => (
                        <th scope="col" key={c.code}>
                          {c.label || c.code}
                        </th>
                      ))}
                      <th scope="col">Reports</th>
                      <th scope="col">Extraction</th>
                      <th scope="col">Change</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((s) => (
                      <Fragment key={s.id}>
                        <tr data-study={s.name}>
                          <th scope="row" id={`study-${s.id}`} tabIndex={-1}>
                            {s.name}
                            {s.shortCitation && s.shortCitation !== s.name ? <div className="muted small">{s.shortCitation}</div> : null}
                          </th>
                          <td data-label="Design">{s.design ?? ""}</td>
                          <td data-label="Country">{s.country ?? ""}</td>
                          {schemes.map((c) => (
                            <td data-label={c.label || c.code} key={c.code}>
                              {valueLabels(c, s.classifications[c.code])}
                            </td>
                          ))}
                          <td data-label="Reports">
                            <Reports projectId={id} study={s} excluded={excluded} onLead={setLead} onSplit={(reportId, button) => setPanel({ kind: "split", studyId: s.id, reportId, back: button })} />
                          </td>
                          <td data-label="Extraction">
                            <ExtractionStatus projectId={id} studyName={s.name} summary={extractionOf.get(s.id)} loaded={extraction.data !== undefined} studyId={s.id} />
                          </td>
                          <td data-label="Change">
                            <div>
                              <Link to={`/projects/${encodeURIComponent(id)}/studies/${encodeURIComponent(s.id)}/outcomes`}>
                                Outcomes<span className="visually-hidden"> of {s.name}</span>
                              </Link>
                            </div>
                            {list.length > 1 ? (
                              <button
                                type="button"
                                className="button-secondary"
                                id={`merge-${s.id}`}
                                aria-expanded={panel?.kind === "merge" && panel.studyId === s.id}
                                onClick={() => setPanel({ kind: "merge", studyId: s.id, back: `merge-${s.id}` })}
                              >
                                Merge another study into {s.name}
                              </button>
                            ) : null}
                          </td>
                        </tr>
                        {panel && panel.studyId === s.id ? (
                          <tr className="study-panel-row">
                            <td colSpan={6 + schemes.length}>
                              <ChangePanel
                                projectId={id}
                                panel={panel}
                                study={s}
                                studies={list}
                                onDone={changed}
                                onCancel={() => {
                                  const back = panel.back;
                                  setPanel(null);
                                  setTimeout(() => document.getElementById(back)?.focus());
                                }}
                              />
                            </td>
                          </tr>
                        ) : null}
                      </Fragment>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )
        ) : null}
      </section>
    </>
  );
}

/** The study's reports, the lead first: each links to its record; a linked one can be made the lead or split off. */
function Reports({
  projectId,
  study,
  excluded,
  onLead,
  onSplit,
}: {
  projectId: string;
  study: StudyView;
  excluded: ReadonlySet<string>;
  onLead: (s: StudyView, reportId: string, text: string) => void;
  onSplit: (reportId: string, button: string) => void;
}) {
  if (study.reports.length === 0) return <span className="muted">None</span>;
  return (
    <ul className="study-reports">
      {study.reports.map((r) => {
        const text = reportText(r);
        return (
          <li key={r.id} data-report={text}>
            {r.recordId ? <Link to={`/projects/${encodeURIComponent(projectId)}/records?record=${encodeURIComponent(r.recordId)}`}>{text}</Link> : text}
            {r.record ? <span className="muted small"> {[r.record.authors[0], r.record.year].filter((x) => x != null).join(", ")}</span> : null}{" "}
            {r.recordId && excluded.has(r.recordId) ? <span className="badge badge-recorded">Excluded at full text since</span> : null}{" "}
            {r.role === "lead" ? (
              <span className="badge badge-live">Lead</span>
            ) : (
              <span className="row report-actions">
                <button type="button" className="button-link" onClick={() => onLead(study, r.id, text)} aria-label={`Make "${text}" the lead report of ${study.name}`}>
                  Make lead
                </button>
                <button type="button" className="button-link" id={`split-${r.id}`} onClick={() => onSplit(r.id, `split-${r.id}`)} aria-label={`Split "${text}" off ${study.name}`}>
                  Split off
                </button>
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The form of a merge or a split: what and why, then one write. */
function ChangePanel({
  projectId,
  panel,
  study,
  studies,
  onDone,
  onCancel,
}: {
  projectId: string;
  panel: Panel;
  study: StudyView;
  studies: StudyView[];
  onDone: (message: string, studyId?: string) => void;
  onCancel: () => void;
}) {
  const others = studies.filter((s) => s.id !== study.id);
  const [from, setFrom] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLSelectElement & HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const report = panel.kind === "split" ? study.reports.find((r) => r.id === panel.reportId) : undefined;
  const heading = panel.kind === "merge" ? `Merge another study into ${study.name}` : `Split "${report ? reportText(report) : ""}" off ${study.name}`;
  const idp = `panel-${study.id}`;

  const submit = async () => {
    if (panel.kind === "merge" && !from) return setError("Choose the study to merge.");
    if (!reason.trim()) return setError(panel.kind === "merge" ? "Say why the two are one study." : "Say why the report is a study of its own.");
    setBusy(true);
    try {
      if (panel.kind === "merge") {
        const other = others.find((s) => s.id === from)!;
        const a = await call(studiesRoutes.merge, { params: { id: projectId, studyId: study.id }, body: { fromStudyId: from, reason } });
        onDone(`${other.name} merged into ${study.name}: ${plural(a.moved.length, "report")} moved.`, study.id);
      } else {
        const a = await call(studiesRoutes.split, { params: { id: projectId, studyId: study.id }, body: { reportId: panel.reportId, reason } });
        onDone(`Split off into a new study, ${a.study.name}.`, a.study.id);
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <form
      className="stack study-panel"
      aria-labelledby={`${idp}-heading`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") onCancel();
      }}
    >
      <h3 id={`${idp}-heading`}>{heading}</h3>
      {panel.kind === "merge" ? (
        <div className="field">
          <label htmlFor={`${idp}-from`}>Study to merge into {study.name}</label>
          <select id={`${idp}-from`} ref={first} value={from} onChange={(e) => setFrom(e.target.value)}>
            <option value="">Choose a study…</option>
            {others.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({plural(s.reports.length, "report")})
              </option>
            ))}
          </select>
          <span className="hint">Its reports join {study.name} as linked reports; it is then removed, its last state kept in the audit log.</span>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={`${idp}-reason`}>Why (kept in the audit log)</label>
        <input id={`${idp}-reason`} ref={panel.kind === "split" ? first : undefined} type="text" value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="button" disabled={busy}>
          {panel.kind === "merge" ? "Merge" : "Split off"}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel} aria-keyshortcuts="Escape">
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * Schemes that get a column: the protocol's, in its order, that some study
 * uses, then codes studies use that the protocol lacks. A scheme none of the
 * studies uses would be an empty column.
 */
function schemesShown(declared: ClassificationScheme[], studies: StudyView[]): Pick<ClassificationScheme, "code" | "label" | "values">[] {
  const used = new Set(studies.flatMap((s) => Object.keys(s.classifications ?? {})));
  const known = new Set(declared.map((c) => c.code));
  return [
    ...declared.filter((c) => used.has(c.code)),
    ...[...used].filter((code) => !known.has(code)).sort().map((code) => ({ code, label: "", values: [] })),
  ];
}

function valueLabels(scheme: Pick<ClassificationScheme, "values">, value: string | string[] | undefined): string {
  const codes = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return codes.map((code) => scheme.values.find((v) => v.code === code)?.label || code).join(", ");
}

