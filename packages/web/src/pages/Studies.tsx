import { api, type StudyView } from "../api";
import { PageTitle } from "../components/PageTitle";
import { ErrorMessage, Loading, LiveStatus } from "../components/Status";
import { humanize, plural } from "../format";
import { useApi } from "../hooks";
import { useProject } from "../project";
import { Link } from "../router";

export function StudiesPage() {
  const { id } = useProject();
  const { data: studies, error, loading } = useApi((s) => api.listStudies(id, s), [id]);
  return (
    <>
      <PageTitle>Studies</PageTitle>
      <ErrorMessage error={error} />
      {loading && !studies ? <Loading what="studies" /> : null}
      {studies ? (
        studies.length === 0 ? (
          <p className="empty">No studies yet. Studies are formed from included reports.</p>
        ) : (
          <>
            <LiveStatus>{plural(studies.length, "study", "studies")}</LiveStatus>
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Studies in this review</caption>
                <thead>
                  <tr>
                    <th scope="col">Study</th>
                    <th scope="col">Design</th>
                    <th scope="col">Country</th>
                    <th scope="col">Strand</th>
                    <th scope="col">Lead report</th>
                    <th scope="col" className="num">
                      Reports
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {studies.map((s) => (
                    <tr key={s.id}>
                      <th scope="row">
                        {s.name}
                        {s.shortCitation ? (
                          <div className="muted small">{s.shortCitation}</div>
                        ) : null}
                      </th>
                      <td data-label="Design">{s.design ?? ""}</td>
                      <td data-label="Country">{s.country ?? ""}</td>
                      <td data-label="Strand">{s.strand ? humanize(s.strand) : ""}</td>
                      <td data-label="Lead report">
                        <LeadReport projectId={id} study={s} />
                      </td>
                      <td className="num" data-label="Reports">{s.reports.length}</td>
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

/** The lead report is a project record (linked to the records table) or a free-text citation. */
function LeadReport({ projectId, study }: { projectId: string; study: StudyView }) {
  const lead = study.leadReport;
  if (!lead) return <span className="muted">None</span>;
  const text = lead.record?.title || lead.citation || lead.recordId || "";
  if (lead.recordId)
    return (
      <Link to={`/projects/${encodeURIComponent(projectId)}/records?record=${encodeURIComponent(lead.recordId)}`}>{text}</Link>
    );
  return <>{text}</>;
}
