import { useEffect, useState } from "react";
import { JOB_KINDS, jobsRoutes as r, routeUrl, type JobFile, type JobSummary, type JobView } from "@homeward/api";
import { call } from "../../api";
import { ErrorMessage, LiveStatus } from "../../components/Status";
import { Link } from "../../router";
import "./jobs.css";

/** How often a followed job is read while it is queued or running. */
const POLL_MS = 1000;

export const kindInWords = (k: string) => (JOB_KINDS as Record<string, string>)[k] ?? k;
export const jobOpen = (j: JobSummary) => j.state === "queued" || j.state === "running";

/** Kinds whose finished job holds a file to download. */
const WITH_FILE = new Set<string>(["backup", "export", "report"]);
/** Kinds whose file is the whole project, which any owner may take (others' files were made with their starter's view). */
const WHOLE_PROJECT = new Set<string>(["backup", "export"]);

/** Whether `user` (in `role`) is offered the download of job `j`'s file: the server's rule for `jobFile`. */
export const mayDownload = (j: JobSummary, user: string, role: string | null | undefined) =>
  j.state === "done" && WITH_FILE.has(j.kind) && (j.createdBy === user || (WHOLE_PROJECT.has(j.kind) && role === "owner"));

/** A job's progress bar, labelled with how far it has got and what it is doing. */
export function JobProgress({ job }: { job: JobSummary }) {
  const barId = `job-progress-${job.id}`;
  return (
    <div className="job-progress">
      <label htmlFor={barId}>
        {Math.round(job.progress * 100)}% — {job.message}
      </label>
      <progress id={barId} max={1} value={job.progress} />
    </div>
  );
}

/** The link downloading a finished job's file (`jobsRoutes.jobFile`). */
export function JobDownload({ projectId, job, label, children }: { projectId: string; job: JobSummary; label?: string; children?: string }) {
  return (
    <a className="button button-secondary" href={routeUrl(r.jobFile, { id: projectId, jobId: job.id })} download aria-label={label}>
      {children ?? "Download"}
    </a>
  );
}

/**
 * A job just started on this page (a report's file, a project export),
 * followed where it was asked for: its progress bar read every second until
 * it ends, then its file offered for download, each change announced. The
 * job goes on if the page is left; the Jobs page lists it too.
 */
export function FollowedJob({ projectId, job: started, what }: { projectId: string; job: JobView; what: string }) {
  const [job, setJob] = useState<JobView>(started);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setJob(started), [started]);
  useEffect(() => {
    if (!jobOpen(job)) return;
    const c = new AbortController();
    const t = setTimeout(() => {
      call(r.getJob, { params: { id: projectId, jobId: job.id } }, c.signal).then(setJob, (e) => {
        if (!c.signal.aborted) setError(e);
      });
    }, POLL_MS);
    return () => {
      clearTimeout(t);
      c.abort();
    };
  }, [job, projectId]);

  const cancel = async () => {
    setError(null);
    try {
      setJob(await call(r.cancelJob, { params: { id: projectId, jobId: job.id } }));
    } catch (e) {
      setError(e);
    }
  };

  const file = (job.result as { file?: JobFile } | null)?.file;
  const said =
    job.state === "done"
      ? `${what} is ready to download.`
      : job.state === "failed"
        ? `${what} failed: ${job.error ?? "no reason given"}.`
        : job.state === "cancelled"
          ? `${what} cancelled.`
          : job.attempts > 1
            ? `${what}: attempt ${job.attempts} of ${job.maxAttempts} after a failure.`
            : "";
  return (
    <section className="followed-job stack" aria-label={what}>
      <JobProgress job={job} />
      <LiveStatus>{said}</LiveStatus>
      <ErrorMessage error={error} />
      <p className="job-actions">
        {job.state === "done" && file ? (
          // Named by its visible words (the file's name); the region around it says which file it is.
          <JobDownload projectId={projectId} job={job}>{`Download ${file.name}`}</JobDownload>
        ) : null}
        {jobOpen(job) ? (
          <button type="button" className="button-secondary" onClick={() => void cancel()} aria-label={`Cancel: ${what.toLowerCase()}`}>
            Cancel
          </button>
        ) : null}
        <Link to={`/projects/${encodeURIComponent(projectId)}/jobs`}>All background jobs</Link>
      </p>
    </section>
  );
}
