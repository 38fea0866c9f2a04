import type { ClassificationScheme } from "@homeward/model";
import { api, type StudyView } from "../api";
import { PageTitle } from "../components/PageTitle";
import { ErrorMessage, Loading, LiveStatus } from "../components/Status";
import { plural } from "../format";
import { useApi } from "../hooks";
import { useProject } from "../project";
import { Link } from "../router";

export function StudiesPage() {
  const { id } = useProject();
  const { data: studies, error, loading } = useApi((s) => api.listStudies(id, s), [id]);
  // Without the protocol the codes still show; with it, labels and the schemes' order.
  const protocol = useApi((s) => api.getProtocol(id, s), [id]);
  const schemes = schemesShown(protocol.data?.classifications ?? [], studies ?? []);
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
                    {schemes.map((c) => (
                      <th scope="col" key={c.code}>
                        {c.label || c.code}
                      </th>
                    ))}
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
                      {schemes.map((c) => (
                        <td data-label={c.label || c.code} key={c.code}>
                          {valueLabels(c, s.classifications[c.code])}
                        </td>
                      ))}
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
