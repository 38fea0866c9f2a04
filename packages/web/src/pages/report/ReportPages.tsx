import { useEffect, useState, type FormEvent } from "react";
import { roleAllows } from "@homeward/model";
import { REPORT_FORMATS, type JobView, type ReportChange, type ReportFormat, type ReportOverview, type ReportSpec } from "@homeward/api";
import { PageTitle } from "../../components/PageTitle";
import { Field } from "../../components/Field";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link, useSearchParam } from "../../router";
import { errorMessage } from "../../api";
import { FollowedJob } from "../jobs/JobFollow";
import { FORMAT_WORDS, previewUrl, reportApi } from "./reportApi";
import "./report.css";

type Section = ReportSpec["sections"][number];
type Block = Section["blocks"][number];

const blockLabel = (b: Block, o: ReportOverview): string => {
  if (b.kind === "table") return `Table: ${o.available.tables.find((t) => t.id === b.id)?.caption ?? `${b.id} (not in the data)`}`;
  if (b.kind === "figure") return `Figure: ${o.available.figures.find((f) => f.id === b.id)?.title ?? `${b.id} (not in the data)`}`;
  if (b.kind === "analysis") {
    const a = o.available.analyses.find((x) => x.id === b.id);
    return `Analysis: ${a ? a.name : `${b.id} (not in the project)`}${b.version ? ` (version ${b.version})` : ""}`;
  }
  return b.kind === "checklist" ? "PRISMA 2020 checklist" : "Long descriptions of every figure (Appendix A)";
};

/** Choices for a new block, as "kind:id" values of one select. */
function blockChoices(o: ReportOverview): { value: string; label: string }[] {
  return [
    ...o.available.tables.map((t) => ({ value: `table:${t.id}`, label: `Table: ${t.caption}${t.rows ? "" : " (empty)"}` })),
    ...o.available.figures.map((f) => ({ value: `figure:${f.id}`, label: `Figure: ${f.title}` })),
    ...o.available.analyses.map((a) => ({ value: `analysis:${a.id}`, label: `Analysis: ${a.name}` })),
    { value: "checklist:", label: "PRISMA 2020 checklist" },
    { value: "descriptions:", label: "Long descriptions of every figure" },
  ];
}

function blockOf(value: string): Block {
  const [kind, ...rest] = value.split(":");
  const id = rest.join(":");
  if (kind === "table" || kind === "figure") return { kind, id };
  if (kind === "analysis") return { kind, id, version: null };
  return { kind: kind === "checklist" ? "checklist" : "descriptions" };
}

const move = <T,>(xs: T[], i: number, by: number): T[] => {
  const j = i + by;
  if (j < 0 || j >= xs.length) return xs;
  const out = [...xs];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
};

function SectionEditor({ section, overview, onChange }: { section: Section; overview: ReportOverview; onChange: (s: Section) => void }) {
  const [adding, setAdding] = useState("");
  const choices = blockChoices(overview);
  const items = overview.checklist.filter((c) => section.prismaItems.includes(c.item));
  return (
    <section className="stack" aria-labelledby="section-editor-heading">
      <h2 id="section-editor-heading">Edit: {section.heading}</h2>
      {items.length ? (
        <p className="muted">
          PRISMA 2020 {items.length > 1 ? "items" : "item"}:{" "}
          {items.map((c) => `${c.item} ${c.topic} (${c.status === "data" ? "from the data" : c.status === "text" ? "written" : "missing"})`).join("; ")}
        </p>
      ) : null}
      <Field id="section-heading" label="Heading">
        <input id="section-heading" value={section.heading} onChange={(e) => onChange({ ...section, heading: e.target.value })} />
      </Field>
      <Field id="section-text" label="Text" hint="Paragraphs are separated by a blank line; lines starting with “- ” make a list. Shown after the words generated from the data.">
        <textarea id="section-text" aria-describedby="section-text-hint" rows={8} value={section.text} onChange={(e) => onChange({ ...section, text: e.target.value })} />
      </Field>
      <div className="field">
        <label>
          <input type="checkbox" checked={section.generated} onChange={(e) => onChange({ ...section, generated: e.target.checked })} /> Show the words generated from the
          project's data
        </label>
      </div>
      <h3>Tables, figures and analyses</h3>
      {section.blocks.length === 0 ? <p className="muted">This section has none.</p> : null}
      <ol className="report-blocks">
        {section.blocks.map((b, i) => (
          <li key={`${b.kind}-${"id" in b ? b.id : ""}-${i}`}>
            {blockLabel(b, overview)}{" "}
            <button type="button" className="button-link" aria-label={`Move up: ${blockLabel(b, overview)}`} disabled={i === 0} onClick={() => onChange({ ...section, blocks: move(section.blocks, i, -1) })}>
              Up
            </button>
            <button type="button" className="button-link" aria-label={`Move down: ${blockLabel(b, overview)}`} disabled={i === section.blocks.length - 1} onClick={() => onChange({ ...section, blocks: move(section.blocks, i, 1) })}>
              Down
            </button>
            <button type="button" className="button-link" aria-label={`Remove: ${blockLabel(b, overview)}`} onClick={() => onChange({ ...section, blocks: section.blocks.filter((_, j) => j !== i) })}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <div className="report-actions">
        <Field id="add-block" label="Add to this section">
          <select id="add-block" value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">Choose a table, figure or analysis…</option>
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </Field>
        <button type="button" className="button-secondary" disabled={!adding} onClick={() => (onChange({ ...section, blocks: [...section.blocks, blockOf(adding)] }), setAdding(""))}>
          Add
        </button>
      </div>
    </section>
  );
}

/** The report builder: sections, their text and blocks, a preview of the draft, freezing a version and the downloads. */
export function ReportBuilderPage() {
  const { id, role } = useProject();
  const { data, error, loading, reload } = useApi((s) => reportApi.overview(id, s), [id]);
  const [spec, setSpec] = useState<ReportSpec | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState("");
  const [previewKey, setPreviewKey] = useState(0);
  useEffect(() => {
    if (data) setSpec(data.spec);
  }, [data]);
  const edits = role != null && roleAllows(role, "reviewer");
  const freezes = role != null && roleAllows(role, "adjudicator");
  const dirty = !!data && !!spec && JSON.stringify(spec) !== JSON.stringify(data.spec);

  const act = async (what: () => Promise<unknown>, done: string | ((answer: unknown) => string)) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const answer = await what();
      setStatus(typeof done === "string" ? done : done(answer));
      reload();
      setPreviewKey((k) => k + 1);
    } catch (err) {
      setFailure(err);
      setStatus("");
    } finally {
      setBusy(false);
    }
  };
  const save = () => act(() => reportApi.save(id, spec!), "Draft saved.");
  // A file of the whole report takes from seconds to minutes: made as a background job, followed here and downloaded once done.
  const [made, setMade] = useState<{ job: JobView; format: ReportFormat } | null>(null);
  const makeFile = async (format: ReportFormat) => {
    setFailure(undefined);
    try {
      setMade({ job: await reportApi.startDocument(id, format), format });
    } catch (err) {
      setFailure(err);
    }
  };
  const freeze = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      if (dirty) await reportApi.save(id, spec!);
      const v = await reportApi.freeze(id, note);
      setNote("");
      return v;
    }, (v) => `Version ${(v as { number: number }).number} frozen.`);
  };

  const section = spec?.sections.find((s) => s.id === current) ?? null;
  const updateSection = (s: Section) => setSpec((sp) => (sp ? { ...sp, sections: sp.sections.map((x) => (x.id === s.id ? s : x)) } : sp));
  const latest = data?.versions[data.versions.length - 1];
  const missing = data?.checklist.filter((c) => c.status === "missing") ?? [];

  return (
    <>
      <PageTitle
        actions={
          <span className="report-actions">
            <Link to={`/projects/${encodeURIComponent(id)}/report/versions`}>Versions</Link>
            {latest ? <Link to={`/projects/${encodeURIComponent(id)}/report/changes`}>What changed since version {latest.number}</Link> : null}
          </span>
        }
      >
        Report
      </PageTitle>
      <ErrorMessage error={error} />
      {loading && !data ? <Loading what="the report" /> : null}
      {data && spec ? (
        <div className="stack">
          <p>
            {latest
              ? data.changedSinceLatest
                ? `The project's data have changed since version ${latest.number}: this draft would become version ${latest.number + 1}.`
                : `The draft renders the same data as version ${latest.number}.`
              : "No version has been frozen yet."}{" "}
            {data.isDefault ? "The sections are the default ones, following PRISMA 2020." : `Draft saved by ${data.savedBy} on ${data.savedAt?.slice(0, 10)}.`}
          </p>
          <p>
            {data.checklist.length - missing.length} of {data.checklist.length} PRISMA 2020 items are reported
            {missing.length ? `; missing: ${missing.map((m) => `${m.item} (${m.topic})`).join(", ")}` : ""}.
          </p>
          <div className="report-actions" role="group" aria-label="Make a file of the draft">
            {REPORT_FORMATS.map((f) => (
              <button key={f} type="button" className="button-secondary" onClick={() => void makeFile(f)} aria-describedby="report-document-job">
                Make {FORMAT_WORDS[f]}
              </button>
            ))}
          </div>
          <p id="report-document-job" className="muted small">
            A file of the report is made in the background: its progress shows here (and on the Jobs page), and it is offered for download when it is ready.
          </p>
          {made ? <FollowedJob key={made.job.id} projectId={id} job={made.job} what={`The draft's ${FORMAT_WORDS[made.format]}`} /> : null}
          <ErrorMessage error={failure} />
          <LiveStatus>{status}</LiveStatus>
          <div className="report-layout">
            <div className="stack">
              <h2>Sections</h2>
              <ol className="report-sections">
                {spec.sections.map((s, i) => {
                  const miss = data.checklist.filter((c) => s.prismaItems.includes(c.item) && c.status === "missing").map((c) => c.item);
                  return (
                    <li key={s.id} className={`level-${s.level}${s.id === current ? " current" : ""}`}>
                      <button type="button" className="button-link" aria-current={s.id === current ? "true" : undefined} onClick={() => setCurrent(s.id)}>
                        {s.appendix ? "Appendix: " : ""}
                        {s.heading}
                      </button>
                      {miss.length ? <span className="report-missing">missing item{miss.length > 1 ? "s" : ""} {miss.join(", ")}</span> : null}
                      {edits ? (
                        <>
                          <button type="button" className="button-link" aria-label={`Move up: ${s.heading}`} disabled={i === 0} onClick={() => setSpec({ ...spec, sections: move(spec.sections, i, -1) })}>
                            Up
                          </button>
                          <button type="button" className="button-link" aria-label={`Move down: ${s.heading}`} disabled={i === spec.sections.length - 1} onClick={() => setSpec({ ...spec, sections: move(spec.sections, i, 1) })}>
                            Down
                          </button>
                        </>
                      ) : null}
                    </li>
                  );
                })}
              </ol>
              {edits ? (
                <div className="report-actions">
                  <button
                    type="button"
                    className="button-secondary"
                    onClick={() => {
                      let n = 1;
                      while (spec.sections.some((s) => s.id === `section-${n}`)) n++;
                      const s: Section = { id: `section-${n}`, heading: "New section", level: 1, prismaItems: [], text: "", generated: false, blocks: [], appendix: false };
                      setSpec({ ...spec, sections: [...spec.sections, s] });
                      setCurrent(s.id);
                    }}
                  >
                    Add a section
                  </button>
                  {section ? (
                    <button type="button" className="button-secondary" onClick={() => (setSpec({ ...spec, sections: spec.sections.filter((s) => s.id !== section.id) }), setCurrent(null))}>
                      Remove “{section.heading}”
                    </button>
                  ) : null}
                </div>
              ) : null}
            </div>
            <div className="stack">
              {section && edits ? <SectionEditor section={section} overview={data} onChange={updateSection} /> : <p className="muted">Choose a section to edit its heading, text and blocks.</p>}
              {edits ? (
                <div className="report-actions">
                  <button type="button" onClick={() => void save()} disabled={busy || !dirty}>
                    Save draft
                  </button>
                  <button type="button" className="button-secondary" disabled={busy} onClick={() => void act(() => reportApi.reset(id), "The draft is back to the default sections.")}>
                    Reset to the default sections
                  </button>
                  {dirty ? <span className="muted">Unsaved changes</span> : null}
                </div>
              ) : null}
              {freezes ? (
                <form className="stack" onSubmit={freeze} aria-labelledby="freeze-heading">
                  <h2 id="freeze-heading">Freeze a version</h2>
                  <Field id="freeze-note" label="Note (optional)" hint="What this version is, e.g. “update after the 2026 searches”.">
                    <input id="freeze-note" aria-describedby="freeze-note-hint" value={note} onChange={(e) => setNote(e.target.value)} />
                  </Field>
                  <div>
                    <button type="submit" disabled={busy}>
                      Freeze version {(latest?.number ?? 0) + 1}
                    </button>
                  </div>
                </form>
              ) : null}
            </div>
          </div>
          <h2>Preview of the draft</h2>
          <p className="muted">The same HTML as the download and the PDF; saved changes appear here.</p>
          <iframe key={previewKey} className="report-preview" title="Report preview" src={previewUrl(id)} />
        </div>
      ) : null}
    </>
  );
}

/** The frozen versions, each with its renderings and a comparison with the one before. */
export function ReportVersionsPage() {
  const { id } = useProject();
  const { data, error, loading } = useApi((s) => reportApi.overview(id, s), [id]);
  const p = encodeURIComponent(id);
  const [failure, setFailure] = useState<unknown>(undefined);
  // As on the builder: a version's file is made as a background job, followed below the table.
  const [made, setMade] = useState<{ job: JobView; format: ReportFormat; version: number } | null>(null);
  const make = async (format: ReportFormat, version: number) => {
    setFailure(undefined);
    try {
      setMade({ job: await reportApi.startDocument(id, format, version), format, version });
    } catch (err) {
      setFailure(err);
    }
  };
  return (
    <>
      <PageTitle actions={<Link to={`/projects/${p}/report`}>Report builder</Link>}>Report versions</PageTitle>
      <ErrorMessage error={error ?? failure} />
      {loading && !data ? <Loading what="the versions" /> : null}
      {data ? (
        data.versions.length === 0 ? (
          <p>No version has been frozen yet. Freeze one on the <Link to={`/projects/${p}/report`}>report builder</Link>.</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <caption>Frozen versions of the report{data.changedSinceLatest ? " (the data have changed since the latest: a new version is due)" : ""}</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Frozen</th>
                  <th scope="col">By</th>
                  <th scope="col">Note</th>
                  <th scope="col">Files</th>
                  <th scope="col">Changes</th>
                </tr>
              </thead>
              <tbody>
                {[...data.versions].reverse().map((v) => (
                  <tr key={v.number}>
                    <th scope="row">Version {v.number}</th>
                    <td>{v.savedAt.slice(0, 16).replace("T", " ")}</td>
                    <td>{v.savedBy}</td>
                    <td>{v.note ?? ""}</td>
                    <td>
                      <a href={previewUrl(id, v.number)} aria-label={`Read version ${v.number}`}>Read</a>{" "}
                      {REPORT_FORMATS.map((f) => (
                        <button key={f} type="button" className="button-link" onClick={() => void make(f, v.number)} aria-label={`Make version ${v.number} as ${FORMAT_WORDS[f]}`}>
                          {f === "docx" ? "Word" : f === "bundle" ? "Bundle" : FORMAT_WORDS[f]}
                        </button>
                      ))}
                    </td>
                    <td>
                      {v.number > 1 ? (
                        <Link to={`/projects/${p}/report/changes?from=${v.number - 1}&to=${v.number}`}>Since version {v.number - 1}</Link>
                      ) : null}{" "}
                      <Link to={`/projects/${p}/report/changes?from=${v.number}`}>Since, to the data now</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
      {made ? <FollowedJob key={made.job.id} projectId={id} job={made.job} what={`Version ${made.version}'s ${FORMAT_WORDS[made.format]}`} /> : null}
    </>
  );
}

const KIND_LABELS: Record<ReportChange["kind"], string> = {
  "study-added": "New study",
  "study-removed": "Removed study",
  "effect-size-added": "New effect size",
  "effect-size-removed": "Removed effect size",
  "effect-size-changed": "Changed effect size",
  "estimate-moved": "Estimate moved",
  "analysis-added": "New analysis",
  "analysis-removed": "Removed analysis",
  "confidence-changed": "CERQual confidence changed",
  "finding-added": "New finding",
  "finding-removed": "Removed finding",
  "rating-changed": "Recommendation rating changed",
  "recommendation-added": "New recommendation",
  "recommendation-removed": "Removed recommendation",
  "search-added": "New search",
  "count-changed": "PRISMA count changed",
};

/** What changed between two versions (or a version and the data now), each change with its cause. */
export function ReportChangesPage() {
  const { id } = useProject();
  const [fromParam] = useSearchParam("from");
  const [toParam] = useSearchParam("to");
  const from = fromParam ? Number(fromParam) : undefined;
  const to = toParam ? Number(toParam) : undefined;
  const { data, error, loading } = useApi((s) => reportApi.changes(id, from, to, s), [id, from, to]);
  const p = encodeURIComponent(id);
  return (
    <>
      <PageTitle actions={<Link to={`/projects/${p}/report/versions`}>Versions</Link>}>What changed</PageTitle>
      <ErrorMessage error={error}>{error ? <p>{errorMessage(error)}</p> : null}</ErrorMessage>
      {loading && !data ? <Loading what="the changes" /> : null}
      {data ? (
        <div className="stack">
          <p>
            From version {data.from} to {data.to === null ? "the project's data now (the draft)" : `version ${data.to}`}:{" "}
            {data.changes.length === 0 ? "nothing the report shows has changed." : `${data.changes.length} ${data.changes.length === 1 ? "change" : "changes"}.`}
            {data.causesComplete ? "" : " Only the most recent audit entries were searched for causes."}
          </p>
          {data.changes.length ? (
            <div className="table-wrap">
              <table className="data-table">
                <caption>Changes with their causes</caption>
                <thead>
                  <tr>
                    <th scope="col">Change</th>
                    <th scope="col">What</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                    <th scope="col">Cause</th>
                  </tr>
                </thead>
                <tbody>
                  {data.changes.map((c, i) => (
                    <tr key={i}>
                      <th scope="row" className="change-kind">
                        {KIND_LABELS[c.kind]}
                      </th>
                      <td>{c.subject}</td>
                      <td>{c.before ?? "—"}</td>
                      <td>{c.after ?? "—"}</td>
                      <td>
                        {c.causes.length === 0 ? (
                          <span className="muted">No audit entry names it</span>
                        ) : (
                          <ul>
                            {c.causes.map((e, j) => (
                              <li key={j}>
                                {e.action} by {e.actor} on {e.at.slice(0, 16).replace("T", " ")}
                                {e.reason ? `: “${e.reason}”` : ""}
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
