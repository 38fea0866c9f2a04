import { useState, type FormEvent } from "react";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, Loading, LiveStatus } from "../../components/Status";
import { formatCount, plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link, useSearchParam } from "../../router";
import { api } from "../../api";
import { FigurePanel } from "./FigurePanel";
import { RobvisExport } from "../appraisal/RobvisExport";
import { AppraisalTables } from "./AppraisalTables";
import type { PrismaCountField } from "@homeward/review";
import { csvUrl, reviewApi, type ConflictAnswer, type Source, type TrailAnswer } from "./reviewApi";

const FIELD_LABELS: Record<PrismaCountField, string> = {
  database_results: "Records identified from databases",
  register_results: "Records identified from registers",
  duplicates: "Duplicate records removed",
  records_screened: "Records screened",
  records_excluded: "Records excluded",
  dbr_sought_reports: "Reports sought for retrieval (databases and registers)",
  dbr_notretrieved_reports: "Reports not retrieved (databases and registers)",
  dbr_assessed: "Reports assessed for eligibility (databases and registers)",
  dbr_excluded: "Reports excluded (databases and registers)",
  website_results: "Records identified from websites",
  organisation_results: "Records identified from organisations",
  citations_results: "Records identified from citation searching",
  other_results: "Records identified from other sources (searches of kind “other”)",
  other_sought_reports: "Reports sought for retrieval (other methods)",
  other_notretrieved_reports: "Reports not retrieved (other methods)",
  other_assessed: "Reports assessed for eligibility (other methods)",
  other_excluded: "Reports excluded (other methods)",
  new_studies: "Studies included in review",
  new_reports: "Reports of included studies",
};

function SourceBadge({ source }: { source: Source }) {
  if (source === "none") return <span className="muted">No data</span>;
  return <span className={`badge badge-${source}`}>{source === "live" ? "Live" : "Recorded"}</span>;
}

export function PrismaPage() {
  const { id } = useProject();
  const { data, error, loading } = useApi((s) => reviewApi.prisma(id, s), [id]);
  return (
    <>
      <PageTitle>PRISMA flow</PageTitle>
      <FigurePanel projectId={id} name="prisma" />
      <ErrorMessage error={error} />
      {loading && !data ? <Loading what="flow counts" /> : null}
      {data ? (
        <section className="stack">
          <h2>Where each number comes from</h2>
          <p className="muted">
            Live numbers are counted from the records, decisions and studies in Homeward; recorded numbers were entered by the team for
            stages run elsewhere.
          </p>
          {data.checks.length ? (
            <div className="alert" role="note">
              <p>
                <strong>The counts do not add up at every step:</strong>
              </p>
              <ul>
                {data.checks.map((c) => (
                  <li key={c.identity}>
                    {c.identity}: expected {c.relation === "at most" ? "at most " : ""}
                    {formatCount(c.expected)}, shown {formatCount(c.actual)}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <div className="table-wrap">
            <table className="data-table review-table">
              <caption className="visually-hidden">PRISMA 2020 counts and their sources</caption>
              <thead>
                <tr>
                  <th scope="col">Box</th>
                  <th scope="col">Field</th>
                  <th scope="col" className="num">
                    Number
                  </th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {(Object.entries(data.prisma) as [PrismaCountField, (typeof data.prisma)[PrismaCountField]][]).map(([field, v]) => (
                  <tr key={field}>
                    <th scope="row">{FIELD_LABELS[field] ?? field}</th>
                    <td>
                      <code>{field}</code>
                    </td>
                    <td className="num">
                      {v === null ? (
                        "—"
                      ) : typeof v === "number" ? (
                        formatCount(v)
                      ) : (
                        <ul className="plain" style={{ listStyle: "none", margin: 0, padding: 0 }}>
                          {Object.entries(v).map(([r, n]) => (
                            <li key={r}>
                              {r}: {formatCount(n)}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      <SourceBadge source={data.prismaSource[field] ?? "none"} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}

export function RiskOfBiasPage() {
  const { id } = useProject();
  const tools = useApi((s) => reviewApi.robTools(id, s), [id]);
  const conflicts = useApi((s) => reviewApi.conflicts(id, s), [id]);
  const [toolParam, setTool] = useSearchParam("tool");
  const [paletteParam, setPalette] = useSearchParam("palette");
  const palette = paletteParam === "colourblind" ? "colourblind" : "cochrane";
  // The server lists the tool with most appraised studies first (ties: RoB 2), which the page opens on.
  const tool = toolParam ?? tools.data?.[0]?.tool ?? null;
  const chosen = tools.data?.find((t) => t.tool === tool);
  return (
    <>
      <PageTitle>Risk of bias</PageTitle>
      <ErrorMessage error={tools.error} />
      {tools.loading && !tools.data ? <Loading what="appraisal tools" /> : null}
      {tools.data && tools.data.length === 0 ? <p className="empty">No appraisals recorded yet.</p> : null}
      {tools.data && tools.data.length > 0 && tool ? (
        <>
          <div className="review-choices">
            <div className="field">
              <label htmlFor="rob-tool">Tool</label>
              <select id="rob-tool" value={tool} onChange={(e) => setTool(e.target.value)}>
                {tools.data.map((t) => (
                  <option key={t.tool} value={t.tool}>
                    {t.tool} ({plural(t.studies, "study", "studies")})
                  </option>
                ))}
              </select>
            </div>
            <fieldset className="field">
              <legend>Colours</legend>
              <label>
                <input type="radio" name="palette" checked={palette === "cochrane"} onChange={() => setPalette(null)} /> robvis default
              </label>{" "}
              <label>
                <input type="radio" name="palette" checked={palette === "colourblind"} onChange={() => setPalette("colourblind")} /> Colour-blind
                safe
              </label>
            </fieldset>
          </div>
          {chosen ? (
            <p className="muted" id="rob-tool-note">
              {chosen.tool}: {plural(chosen.studies, "study", "studies")}, {plural(chosen.domains.length, "domain")}
              {chosen.hasOverall ? ", with an overall judgement." : "; the tool gives no overall judgement, so none is drawn."} Each plot's
              legend gives the tool's own judgements.
            </p>
          ) : null}
          <h2>Traffic-light plot</h2>
          <FigurePanel projectId={id} name="rob-traffic-light" query={{ tool, palette }} />
          <h2>Summary plot</h2>
          <FigurePanel projectId={id} name="rob-summary" query={{ tool, palette }} />
          <RobvisExport projectId={id} tool={tool} />
          <AppraisalTables projectId={id} tool={tool} />
        </>
      ) : null}
      <h2>Appraisal checks</h2>
      <p className="muted">
        Appraisals whose recorded overall judgement differs from what the tool's rule gives for their own domain judgements (RoB 2,
        ROBINS-I): a contradiction, or a step the guidance leaves to the assessor (marked as such). The recorded judgement is never changed;
        a reviewer may accept a flag with a justification.
      </p>
      <ErrorMessage error={conflicts.error} />
      {conflicts.data ? (
        conflicts.data.length === 0 ? (
          <p className="empty">No contradictions found.</p>
        ) : (
          <ul className="stack">
            {conflicts.data.map((c) => (
              <ConflictItem key={`${c.appraisalId}-${c.rule}`} projectId={id} conflict={c} onAccepted={conflicts.reload} />
            ))}
          </ul>
        )
      ) : null}
    </>
  );
}

function ConflictItem({ projectId, conflict: c, onAccepted }: { projectId: string; conflict: ConflictAnswer; onAccepted: () => void }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await reviewApi.acceptFlag(projectId, { appraisalId: c.appraisalId, rule: c.rule, justification: text });
      onAccepted();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fieldId = `justify-${c.appraisalId}`;
  return (
    <li className="card">
      <p>
        <strong>{c.study}</strong> ({c.tool}): recorded <strong>{c.recorded}</strong>
        {c.implied ? (
          <>
            , the rule implies <strong>{c.implied}</strong>
          </>
        ) : null}
        .
      </p>
      {c.flag ? (
        <p className="small">
          <strong>The assessor’s judgement:</strong> the guidance allows “{c.recorded}” here when justified.
        </p>
      ) : null}
      <p className="small">{c.rule}</p>
      <p className="small muted">Source: {c.source}</p>
      {c.accepted ? (
        <p className="small">
          Accepted by {c.accepted.by}: “{c.accepted.justification}”
        </p>
      ) : (
        <form onSubmit={submit} className="stack">
          <div className="field">
            <label htmlFor={fieldId}>Justification for accepting this flag</label>
            <textarea id={fieldId} value={text} onChange={(e) => setText(e.target.value)} rows={2} required />
          </div>
          <ErrorMessage error={error} />
          <div>
            <button className="button" type="submit" disabled={busy || text.trim() === ""}>
              Accept flag
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

export function GapMapPage() {
  const { id } = useProject();
  const protocol = useApi((s) => api.getProtocol(id, s), [id]);
  const [rowsParam, setRows] = useSearchParam("rows");
  const schemes = protocol.data?.classifications.filter((c) => c.appliesTo === "study") ?? [];
  const typology = schemes.find((c) => c.role === "typology");
  const rows = schemes.find((c) => c.code === rowsParam) ?? typology ?? null;
  const name = (c: { code: string; label: string }) => (c.label.trim() ? c.label : c.code);
  return (
    <>
      <PageTitle>Evidence gap map</PageTitle>
      <ErrorMessage error={protocol.error} />
      {protocol.data ? (
        <>
          <p className="muted" id="gap-map-reads">
            {rows ? (
              <>
                Rows: <strong>{name(rows)}</strong>, the values of the study classification “{rows.code}”
                {rows.role === "typology" ? " (the protocol’s intervention typology)" : ""}.{" "}
              </>
            ) : (
              <>The protocol has no intervention typology; choose a study classification for the rows. </>
            )}
            Columns: the protocol’s outcome domains, from each study’s extracted outcomes (else its “outcomeDomains” characteristic). Each
            cell counts included studies; empty cells are gaps in the evidence.
          </p>
          {schemes.length > 0 ? (
            <div className="review-choices">
              <div className="field">
                <label htmlFor="gap-map-rows">Rows: study classification</label>
                <select
                  id="gap-map-rows"
                  aria-describedby="gap-map-reads"
                  value={rows?.code ?? ""}
                  onChange={(e) => setRows(e.target.value === typology?.code ? null : e.target.value)}
                >
                  {rows ? null : <option value="">Choose…</option>}
                  {schemes.map((c) => (
                    <option key={c.code} value={c.code}>
                      {name(c)} ({c.code}){c.role === "typology" ? " — intervention typology" : ""}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          ) : null}
          {rows ? <FigurePanel projectId={id} name="gap-map" query={rows === typology ? {} : { rows: rows.code }} /> : null}
        </>
      ) : protocol.loading ? (
        <Loading what="protocol" />
      ) : null}
    </>
  );
}

export function CerqualPage() {
  const { id } = useProject();
  const { data, error, loading } = useApi((s) => reviewApi.cerqual(id, s), [id]);
  return (
    <>
      <PageTitle actions={<a className="button button-secondary" href={csvUrl(id, "cerqual")} download>Download CSV</a>}>
        CERQual summary of findings
      </PageTitle>
      <p>
        <Link to={`/projects/${encodeURIComponent(id)}/findings`}>Assess findings with the CERQual worksheet</Link> (suggestions, Evidence Profile, re-assessment marks).
      </p>
      <ErrorMessage error={error} />
      {loading && !data ? <Loading what="findings" /> : null}
      {data ? (
        data.length === 0 ? (
          <p className="empty">No qualitative findings yet.</p>
        ) : (
          <>
            <LiveStatus>{plural(data.length, "finding")}</LiveStatus>
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">GRADE-CERQual summary of qualitative findings</caption>
                <thead>
                  <tr>
                    <th scope="col">Finding</th>
                    <th scope="col">Methodological limitations</th>
                    <th scope="col">Coherence</th>
                    <th scope="col">Adequacy</th>
                    <th scope="col">Relevance</th>
                    <th scope="col">Confidence</th>
                    <th scope="col">Studies</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((f) => (
                    <tr key={f.id} id={`finding-${f.id}`}>
                      <th scope="row">
                        {f.id}
                        <div className="small">{f.statement}</div>
                      </th>
                      {[f.methodologicalLimitations, f.coherence, f.adequacy, f.relevance].map((c, i) => (
                        <td key={i} title={c.explanation}>
                          {c.judgement ?? "—"}
                        </td>
                      ))}
                      <td>
                        <strong>{f.confidence ?? "—"}</strong>
                        <div className="small">{f.explanation}</div>
                      </td>
                      <td className="small">{f.studies.map((s) => s.citation).join("; ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )
      ) : null}
    </>
  );
}

export function RecommendationsPage() {
  const { id } = useProject();
  const { data, error, loading } = useApi((s) => reviewApi.trail(id, s), [id]);
  return (
    <>
      <PageTitle
        actions={
          <a className="button button-secondary" href={csvUrl(id, "recommendations")} download>
            Download evidence trail (CSV)
          </a>
        }
      >
        Recommendations
      </PageTitle>
      <p>
        <Link to={`/projects/${encodeURIComponent(id)}/guide`}>Draft and rate recommendations, and follow each down to its coded excerpts</Link>.
      </p>
      <ErrorMessage error={error} />
      {loading && !data ? <Loading what="recommendations" /> : null}
      {data ? (
        data.length === 0 ? (
          <p className="empty">No recommendations yet.</p>
        ) : (
          <>
            {(["principle", "recommendation"] as const).map((kind) => {
              const items = data.filter((r) => r.kind === kind);
              if (items.length === 0) return null;
              return (
                <section key={kind} className="stack">
                  <h2>{kind === "principle" ? "Key principles" : "Recommendations"}</h2>
                  <ol className="stack">
                    {items.map((r) => (
                      <Trail key={r.id} projectId={id} rec={r} />
                    ))}
                  </ol>
                </section>
              );
            })}
          </>
        )
      ) : null}
    </>
  );
}

/** One recommendation with its evidence trail: findings and results, then (on choosing one) its studies and their reports. */
function Trail({ projectId, rec }: { projectId: string; rec: TrailAnswer }) {
  const [focus, setFocus] = useState<string | null>(null);
  const items = [
    ...rec.findings.map((f) => ({ key: `f:${f.id}`, label: `${f.id}: ${f.statement}`, strength: f.confidence ? `${f.confidence} confidence (CERQual)` : null, studyIds: f.studyIds })),
    ...rec.results.map((x) => ({
      key: `r:${x.id}`,
      label: x.label,
      strength:
        x.estimate === null
          ? null
          : `${x.measure ?? "Estimate"} ${x.estimate}${x.ciLower !== null && x.ciUpper !== null ? ` (95% CI ${x.ciLower} to ${x.ciUpper})` : ""}${x.kStudies !== null ? `, ${plural(x.kStudies, "study", "studies")}` : ""}`,
      studyIds: x.studyIds,
    })),
  ];
  const chosen = items.find((i) => i.key === focus);
  const studies = chosen ? rec.studies.filter((s) => chosen.studyIds.includes(s.id)) : rec.studies;
  return (
    <li className="card">
      <p>
        <strong>{rec.text}</strong>
      </p>
      {rec.rating ? <p className="badge">{rec.rating}</p> : null}
      <details>
        <summary>
          Evidence trail: {plural(rec.findings.length, "finding")}, {plural(rec.results.length, "result")}, {plural(rec.studies.length, "study", "studies")}
        </summary>
        <ul className="stack">
          {items.map((i) => (
            <li key={i.key}>
              <button type="button" className="button-link" aria-pressed={focus === i.key} onClick={() => setFocus(focus === i.key ? null : i.key)}>
                {i.label}
              </button>
              {i.strength ? <span className="small muted"> — {i.strength}</span> : null}
            </li>
          ))}
        </ul>
        <h3 className="small">{chosen ? `Studies behind “${chosen.label}”` : "All studies behind this recommendation"}</h3>
        <ul className="stack">
          {studies.map((s) => (
            <li key={s.id}>
              {s.citation}
              {s.design ? <span className="muted small"> ({s.design})</span> : null}
              <ul>
                {s.reports.map((r) => (
                  <li key={r.id} className="small">
                    {r.role === "lead" ? "Lead report: " : "Linked report: "}
                    {r.recordId ? (
                      <Link to={`/projects/${encodeURIComponent(projectId)}/records?record=${encodeURIComponent(r.recordId)}`}>{r.citation}</Link>
                    ) : (
                      r.citation
                    )}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </details>
    </li>
  );
}
