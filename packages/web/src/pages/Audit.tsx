import { api, type AuditEntry } from "../api";
import { PageTitle } from "../components/PageTitle";
import { ErrorMessage, Loading, LiveStatus } from "../components/Status";
import { formatCount, formatDateTime } from "../format";
import { useApi } from "../hooks";
import { useProject } from "../project";
import { useSearchParam } from "../router";

const PAGE_SIZE = 50;

export function AuditPage() {
  const { id } = useProject();
  const [offsetParam, setOffsetParam] = useSearchParam("offset");
  const offset = Math.max(0, Math.floor(Number(offsetParam) || 0));
  const { data, error, loading } = useApi((s) => api.listAudit(id, offset, PAGE_SIZE, s), [id, offset]);

  const go = (o: number) => setOffsetParam(o > 0 ? String(o) : null);
  const pager = data && data.total > PAGE_SIZE ? (
    <nav className="pager" aria-label="Audit log pages">
      <button type="button" className="button-secondary" disabled={offset === 0} onClick={() => go(Math.max(0, offset - PAGE_SIZE))}>
        Newer
      </button>
      <button
        type="button"
        className="button-secondary"
        disabled={offset + PAGE_SIZE >= data.total}
        onClick={() => go(offset + PAGE_SIZE)}
      >
        Older
      </button>
    </nav>
  ) : null;

  return (
    <>
      <PageTitle>Audit log</PageTitle>
      <p className="muted">Every change to the project: who made it, when, and the state before and after.</p>
      <ErrorMessage error={error} />
      {loading ? <Loading what="audit log" /> : null}
      {data ? (
        data.total === 0 ? (
          <p className="empty">No changes recorded yet.</p>
        ) : (
          <>
            <div className="row spread">
              <LiveStatus>
                Entries {formatCount(offset + 1)}–{formatCount(Math.min(offset + data.items.length, data.total))} of{" "}
                {formatCount(data.total)}
              </LiveStatus>
              {pager}
            </div>
            <div className="table-wrap">
              <table className="data-table audit-table">
                <caption className="visually-hidden">Audit log entries, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Action</th>
                    <th scope="col">Entity</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((e) => (
                    <AuditRow key={String(e.id)} entry={e} />
                  ))}
                </tbody>
              </table>
            </div>
            {pager}
          </>
        )
      ) : null}
    </>
  );
}

/** The server's note in place of blind work the reader may not see yet (`{"hidden": why}`), or null. */
function hidden(v: unknown): string | null {
  return v !== null && typeof v === "object" && typeof (v as { hidden?: unknown }).hidden === "string" ? (v as { hidden: string }).hidden : null;
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const hasChange = e.before != null || e.after != null;
  return (
    <tr>
      <td data-label="When">
        <time dateTime={e.at}>{formatDateTime(e.at)}</time>
      </td>
      <td data-label="Who">{e.actor}</td>
      <td data-label="Action">
        <code>{e.action}</code>
      </td>
      <td data-label="Entity">
        {e.entity}
        {e.entityId ? <div className="muted small">{e.entityId}</div> : null}
      </td>
      <td data-label="Reason">{e.reason ?? ""}</td>
      <td>
        {hidden(e.after) || hidden(e.before) ? (
          <span className="muted small">Hidden while blind: {hidden(e.after) ?? hidden(e.before)}</span>
        ) : hasChange ? (
          <details>
            <summary>
              Show<span className="visually-hidden"> change for {e.action}</span>
            </summary>
            <div className="change">
              <div>
                <h3 className="small">Before</h3>
                <pre className="query">{e.before == null ? "—" : JSON.stringify(e.before, null, 2)}</pre>
              </div>
              <div>
                <h3 className="small">After</h3>
                <pre className="query">{e.after == null ? "—" : JSON.stringify(e.after, null, 2)}</pre>
              </div>
            </div>
          </details>
        ) : null}
      </td>
    </tr>
  );
}
