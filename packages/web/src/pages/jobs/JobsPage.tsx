import { useEffect, useRef, useState } from "react";
import { jobsRoutes as r, type JobSummary } from "@homeward/api";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { formatCount, formatDateTime } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { useActingUser } from "../screening/screeningApi";
import { JobDownload, JobProgress, jobOpen as open, kindInWords, mayDownload } from "./JobFollow";
import "./jobs.css";

const PER_PAGE = 20;
/** How often the list is read while a job is queued or running, and otherwise (to show jobs started elsewhere). */
const POLL_MS = 1000;
const IDLE_POLL_MS = 5000;


const STATE: Record<JobSummary["state"], string> = {
  queued: "Waiting to start",
  running: "Running",
  done: "Finished",
  failed: "Failed",
  cancelled: "Cancelled",
};


/**
 * The project's background jobs (duplicate detection, large analyses…),
 * newest first: what each is doing, how far it has got, and a way to cancel
 * the ones still going. Read again every second while any is going, and
 * every few seconds otherwise, so a job started elsewhere (another page,
 * another person) shows up.
 */
export function JobsPage() {
  const { id, role } = useProject();
  const user = useActingUser();
  const [offset, setOffset] = useState(0);
  const [tick, setTick] = useState(0);
  const list = useApi((s) => call(r.listJobs, { params: { id }, query: { offset, limit: PER_PAGE } }, s), [id, offset, tick]);
  const [announce, setAnnounce] = useState("");
  const [error, setError] = useState<unknown>(null);
  const previous = useRef(new Map<string, JobSummary["state"]>());

  const items = list.data?.items ?? [];
  const going = items.some(open);
  useEffect(() => {
    if (list.loading) return;
    const t = setTimeout(() => setTick((n) => n + 1), going ? POLL_MS : IDLE_POLL_MS);
    return () => clearTimeout(t);
  }, [going, list.data, list.loading]);

  // Announces jobs that ended since the last read.
  useEffect(() => {
    const ended = items.filter((j) => !open(j) && previous.current.get(j.id) !== undefined && previous.current.get(j.id) !== j.state);
    if (ended.length) setAnnounce(ended.map((j) => `${kindInWords(j.kind)} ${STATE[j.state].toLowerCase()}.`).join(" "));
    previous.current = new Map(items.map((j) => [j.id, j.state]));
  }, [list.data]);

  const [starting, setStarting] = useState(false);
  const backUp = async () => {
    setError(null);
    setStarting(true);
    try {
      await call(r.startBackupJob, { params: { id } });
      setAnnounce("Project backup started.");
      setOffset(0);
      setTick((n) => n + 1);
    } catch (e) {
      setError(e);
    } finally {
      setStarting(false);
    }
  };

  const cancel = async (j: JobSummary) => {
    setError(null);
    try {
      const after = await call(r.cancelJob, { params: { id, jobId: j.id } });
      setAnnounce(after.state === "cancelled" ? `${kindInWords(j.kind)} cancelled.` : `${kindInWords(j.kind)} is being cancelled.`);
      setTick((n) => n + 1);
    } catch (e) {
      setError(e);
    }
  };

  const total = list.data?.total ?? 0;
  return (
    <>
      <PageTitle>Background jobs</PageTitle>
      <p className="muted">
        Long tasks run in the background, on whichever server is free, and carry on if you leave this page. A task that fails is tried again; one
        interrupted by a server stopping is picked up by another.
      </p>
      {role === "owner" ? (
        <p>
          <button type="button" onClick={() => void backUp()} disabled={starting}>
            Back up the project
          </button>{" "}
          <span className="muted small">The whole project (records, decisions, the audit log, stored files) as one compressed project file, read as it stands at the start.</span>
        </p>
      ) : null}
      <ErrorMessage error={error ?? list.error} />
      <LiveStatus>{announce}</LiveStatus>
      {list.loading && !list.data ? <Loading what="jobs" /> : null}
      {list.data && total === 0 ? <p>No background jobs yet. Finding duplicates, a project backup or export, or a report's file starts one.</p> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="data-table jobs-table">
            <caption>
              Jobs {formatCount(offset + 1)}–{formatCount(offset + items.length)} of {formatCount(total)}, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
                <th scope="col">Started by</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((j) => {
                const mayCancel = open(j) && (j.createdBy === user || role === "owner");
                return (
                  <tr key={j.id} data-job={j.id}>
                    <th scope="row">{kindInWords(j.kind)}</th>
                    <td data-label="State">
                      {STATE[j.state]}
                      {j.attempts > 1 ? <span className="muted small"> (attempt {j.attempts} of {j.maxAttempts})</span> : null}
                      {j.error && j.state !== "cancelled" ? <span className="small job-error"> {j.error}</span> : null}
                    </td>
                    <td data-label="Progress">
                      <JobProgress job={j} />
                    </td>
                    <td data-label="Started by">{j.createdBy}</td>
                    <td data-label="Started">{formatDateTime(j.startedAt ?? j.createdAt)}</td>
                    <td data-label="Finished">{j.finishedAt ? formatDateTime(j.finishedAt) : ""}</td>
                    <td data-label="Actions">
                      {mayDownload(j, user, role) ? (
                        <JobDownload projectId={id} job={j} label={`Download ${kindInWords(j.kind).toLowerCase()} finished ${formatDateTime(j.finishedAt ?? j.createdAt)}`} />
                      ) : null}
                      {mayCancel ? (
                        <button type="button" className="button-secondary" onClick={() => void cancel(j)} aria-label={`Cancel ${kindInWords(j.kind).toLowerCase()} started ${formatDateTime(j.createdAt)}`}>
                          Cancel
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {total > PER_PAGE ? (
        <nav className="pager" aria-label="Job pages">
          <button type="button" onClick={() => setOffset(Math.max(0, offset - PER_PAGE))} disabled={offset === 0}>
            Newer jobs
          </button>
          <button type="button" onClick={() => setOffset(offset + PER_PAGE)} disabled={offset + PER_PAGE >= total}>
            Older jobs
          </button>
        </nav>
      ) : null}
    </>
  );
}
