import { useEffect, useState } from "react";
import { studiesRoutes } from "@homeward/api";
import { call, type StudyView } from "../../api";
import { ErrorMessage, Loading } from "../../components/Status";
import { formatCount, plural } from "../../format";
import { useApi } from "../../hooks";

const PAGE = 25;

/**
 * Records included at full text that are not yet reports of a study: the
 * team forms a study from each at once, or links one to a study it reports
 * on. Read a page at a time from the server.
 */
export function IncludesPanel({
  projectId,
  studies,
  tick,
  onChanged,
  onExcluded,
}: {
  projectId: string;
  studies: StudyView[];
  tick: number;
  onChanged: (message: string, studyId?: string) => void;
  /** Records of study reports since excluded at full text, for the studies table to mark. */
  onExcluded: (recordIds: string[]) => void;
}) {
  const [offset, setOffset] = useState(0);
  const page = useApi((s) => call(studiesRoutes.includes, { params: { id: projectId }, query: { offset, limit: PAGE } }, s), [projectId, offset, tick]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [target, setTarget] = useState<Record<string, string>>({});
  const data = page.data;
  const excluded = data?.excludedReports.join("\n") ?? "";
  useEffect(() => onExcluded(excluded ? excluded.split("\n") : []), [excluded, onExcluded]);

  const form = async () => {
    setBusy(true);
    try {
      const a = await call(studiesRoutes.form, { params: { id: projectId } });
      setError(null);
      setOffset(0);
      onChanged(`Formed ${plural(a.created.length, "study", "studies")}, each with its record as the lead report.`, a.created[0]?.id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const link = async (recordId: string, title: string) => {
    const studyId = target[recordId];
    if (!studyId) return setError(new Error(`Choose the study "${title}" reports on.`));
    try {
      await call(studiesRoutes.link, { params: { id: projectId, studyId }, body: { recordId } });
      setError(null);
      const name = studies.find((s) => s.id === studyId)?.name ?? "the study";
      onChanged(`"${title}" linked to ${name}.`, studyId);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="includes-heading" className="stack card">
      <h2 id="includes-heading">Included reports not in a study</h2>
      <ErrorMessage error={page.error} />
      <ErrorMessage error={error} />
      {page.loading && !data ? <Loading what="included reports" /> : null}
      {data ? (
        <>
          <p>
            {data.included === 0
              ? "No records are included at full text yet: studies are formed from full-text includes."
              : `${plural(data.included, "record")} included at full text; ${data.total === 0 ? "each is a report of a study." : `${formatCount(data.total)} not yet in a study.`}`}
          </p>
          {data.total > 0 ? (
            <>
              <div className="row">
                <button type="button" className="button" disabled={busy} onClick={() => void form()}>
                  Form {plural(data.total, "study", "studies")}, one per record
                </button>
                <span className="hint">Each new study is named from its record's first author and year, with the record as its lead report.</span>
              </div>
              <div className="table-wrap">
                <table className="data-table includes-table">
                  <caption className="visually-hidden">Records included at full text and not yet in a study</caption>
                  <thead>
                    <tr>
                      <th scope="col">Record</th>
                      <th scope="col">First author, year</th>
                      <th scope="col">Link to a study</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((r) => (
                      <tr key={r.id} data-record={r.id}>
                        <th scope="row">{r.title}</th>
                        <td data-label="First author, year">{[r.authors[0], r.year].filter((x) => x != null).join(", ")}</td>
                        <td data-label="Link to a study">
                          {studies.length === 0 ? (
                            <span className="muted">No studies yet</span>
                          ) : (
                            <div className="row">
                              <label className="visually-hidden" htmlFor={`link-${r.id}`}>
                                Study "{r.title}" reports on
                              </label>
                              <select id={`link-${r.id}`} value={target[r.id] ?? ""} onChange={(e) => setTarget({ ...target, [r.id]: e.target.value })}>
                                <option value="">Choose a study…</option>
                                {studies.map((s) => (
                                  <option key={s.id} value={s.id}>
                                    {s.name}
                                  </option>
                                ))}
                              </select>
                              <button type="button" className="button-secondary" onClick={() => void link(r.id, r.title)} aria-label={`Link "${r.title}" to the chosen study`}>
                                Link
                              </button>
                            </div>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {data.total > PAGE ? (
                <nav className="pager row" aria-label="Pages of included reports">
                  <button type="button" className="button-secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                    Previous
                  </button>
                  <span>
                    {formatCount(offset + 1)}–{formatCount(Math.min(offset + PAGE, data.total))} of {formatCount(data.total)}
                  </span>
                  <button type="button" className="button-secondary" disabled={offset + PAGE >= data.total} onClick={() => setOffset(offset + PAGE)}>
                    Next
                  </button>
                </nav>
              ) : null}
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
